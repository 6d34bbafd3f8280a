import { CloudTrailClient, LookupEventsCommand, ThrottlingException } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import {
  LOOKUP_LOG_GROUP,
  assertLookupRouting,
  lookupAthenaEvents,
  sliceWindow,
  toLogBatches,
  toLookupEvent,
} from '../../functions/cloudtrail-poller/lookup-events';
import { ConfigError } from '../../functions/pipeline/errors';
import { EventHistory, eventSeries } from './event-history';

const cloudtrailMock = mockClient(CloudTrailClient);
const cloudtrail = new CloudTrailClient({ region: 'eu-west-1' });
const noWait = { sleep: async () => undefined, random: () => 0.5 };
const window = { start: Date.parse('2026-11-22T10:00:00Z'), end: Date.parse('2026-11-22T12:00:00Z') };

afterEach(() => {
  cloudtrailMock.reset();
});

async function readAll(limiter = vi.fn(async () => undefined)): Promise<string[][]> {
  const pages: string[][] = [];
  for await (const page of lookupAthenaEvents(window, { cloudtrail, limiter, backoff: noWait })) {
    pages.push(page.map((event) => event.EventId!));
  }
  return pages;
}

describe('lookupAthenaEvents', () => {
  it('pages with one attribute and the same times on every page', async () => {
    const history = new EventHistory().add(...eventSeries('ev', '2026-11-22T10:00:00Z', 120, 30_000));
    history.install(cloudtrailMock);
    const pages = await readAll();
    expect(pages.map((page) => page.length)).toEqual([50, 50, 20]);
    expect(new Set(pages.flat()).size).toBe(120);
    const inputs = cloudtrailMock.commandCalls(LookupEventsCommand).map((call) => call.args[0].input);
    for (const input of inputs) {
      expect(input.LookupAttributes).toEqual([{ AttributeKey: 'EventSource', AttributeValue: 'athena.amazonaws.com' }]);
      expect(input.StartTime).toEqual(new Date(window.start));
      expect(input.EndTime).toEqual(new Date(window.end));
    }
    expect(inputs.map((input) => input.NextToken === undefined)).toEqual([true, false, false]);
  });

  it('waits for the rate limiter before every call', async () => {
    new EventHistory().add(...eventSeries('ev', '2026-11-22T10:00:00Z', 101, 1_000)).install(cloudtrailMock);
    const limiter = vi.fn(async () => undefined);
    await readAll(limiter);
    expect(limiter).toHaveBeenCalledTimes(3);
  });

  it('retries ThrottlingException with backoff, on the same page', async () => {
    const history = new EventHistory().add(...eventSeries('ev', '2026-11-22T10:00:00Z', 60, 1_000));
    history.failures.set(2, new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    history.failures.set(3, Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: {} }));
    history.install(cloudtrailMock);
    const pages = await readAll();
    expect(pages.map((page) => page.length)).toEqual([50, 10]);
    // The retries carry the same token as the call that was throttled.
    const tokens = cloudtrailMock.commandCalls(LookupEventsCommand).map((call) => call.args[0].input.NextToken);
    expect(tokens[1]).toBeDefined();
    expect(tokens[2]).toBe(tokens[1]);
    expect(tokens[3]).toBe(tokens[1]);
  });

  it('would be refused if a page changed the request (the simulator checks it)', () => {
    const history = new EventHistory().add(...eventSeries('ev', '2026-11-22T10:00:00Z', 60, 1_000));
    const first = history.lookup({ StartTime: new Date(window.start), EndTime: new Date(window.end), MaxResults: 50 });
    expect(() =>
      history.lookup({ StartTime: new Date(window.start), EndTime: new Date(window.end + 1), NextToken: first.NextToken! }),
    ).toThrow(/pagination token does not match/);
  });
});

describe('sliceWindow', () => {
  it.each([
    [0, 60, 30, [[0, 30], [30, 60]]],
    [0, 70, 30, [[0, 30], [30, 60], [60, 70]]],
    [0, 10, 30, [[0, 10]]],
    [10, 10, 30, []],
  ])('[%d, %d) by %d', (start, end, slice, expected) => {
    expect(sliceWindow({ start, end }, slice).map((w) => [w.start, w.end])).toEqual(expected);
  });
});

describe('toLogBatches', () => {
  it('makes one oldest-first batch per account under the lookup log group', () => {
    const history = new EventHistory().add(...eventSeries('ev', '2026-11-22T10:00:00Z', 3, 60_000));
    const { Events } = history.lookup({});
    const events = Events.map((event) => toLookupEvent(event, { region: 'eu-west-1' })!);
    const batches = toLogBatches(events, { region: 'eu-west-1' });
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: LOOKUP_LOG_GROUP,
      logStream: '123456789012_LookupEvents_eu-west-1',
    });
    expect(batches[0]!.logEvents.map((event) => event.id)).toEqual(['ev-0000', 'ev-0001', 'ev-0002']);
    expect(batches[0]!.logEvents[0]!.timestamp).toBe(Date.parse('2026-11-22T10:00:00Z'));
    expect(JSON.parse(batches[0]!.logEvents[0]!.message)).toMatchObject({ eventID: 'ev-0000' });
  });

  it('skips an event without its CloudTrail JSON', () => {
    expect(toLookupEvent({ EventId: 'x' }, { region: 'eu-west-1' })).toBeUndefined();
  });

  it('takes the account from the options when the JSON has none', () => {
    const event = toLookupEvent(
      { EventId: 'x', EventTime: new Date(0), CloudTrailEvent: '{"eventSource":"athena.amazonaws.com"}' },
      { region: 'eu-west-1', accountId: '210987654321' },
    );
    expect(event?.account).toBe('210987654321');
  });
});

describe('assertLookupRouting', () => {
  it('accepts the built-in routing', () => {
    expect(() => assertLookupRouting(createRegistry())).not.toThrow();
    expect(createRegistry().route(LOOKUP_LOG_GROUP).id).toBe('athena-cloudtrail');
  });

  it('names the variable when a route pattern claims the lookup log group', () => {
    expect(() => assertLookupRouting(createRegistry({ lambda: ['*'] }))).toThrow(ConfigError);
    expect(() => assertLookupRouting(createRegistry({ lambda: ['*'] }))).toThrow(/^ROUTE_LAMBDA: claims log group "cloudtrail-lookup-events"/);
    expect(() => assertLookupRouting(createRegistry({ lambda: ['/aws/lambda/*'] }))).not.toThrow();
  });
});
