import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import { backfillLogGroup, toLogBatches, type CloudWatchCheckpoint, type LogGroupBackfillDeps } from '../../functions/backfill/cloudwatch';
import type { LogGroupInfo } from '../../functions/backfill/log-groups';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { ACCOUNT, LogStore, lambdaEvents } from './log-store';
import { MemorySink } from './memory-sink';

const logsMock = mockClient(CloudWatchLogsClient);
const logs = new CloudWatchLogsClient({ region: 'eu-west-1' });
const GROUP: LogGroupInfo = { name: '/aws/lambda/orders', accountId: ACCOUNT };
const RANGE = { start: Date.parse('2026-11-22T00:00:00Z'), end: Date.parse('2026-11-22T12:00:00Z') };
const config = loadPipelineConfig({});

let store: LogStore;
let sink: MemorySink;
let directory: string;

beforeEach(async () => {
  store = new LogStore().addGroup(GROUP.name, lambdaEvents(25, '2026-11-22T06:00:00Z'));
  store.install(logsMock);
  sink = new MemorySink();
  directory = await mkdtemp(join(tmpdir(), 'backfill-test-'));
});

afterEach(async () => {
  logsMock.reset();
  await rm(directory, { recursive: true, force: true });
});

function deps(overrides: Partial<LogGroupBackfillDeps> = {}): LogGroupBackfillDeps {
  return {
    logs,
    registry: createRegistry(),
    config,
    sink,
    since: '2026-11-22T00:00:00Z',
    until: '2026-11-22T12:00:00Z',
    checkpointDir: directory,
    backoff: { sleep: async () => undefined, random: () => 0.5 },
    ...overrides,
  };
}

async function checkpointFile(): Promise<CloudWatchCheckpoint> {
  const [name] = await readdir(directory);
  return JSON.parse(await readFile(join(directory, name!), 'utf8')) as CloudWatchCheckpoint;
}

describe('backfillLogGroup', () => {
  it('reads every page and ships every event as a document with its event id', async () => {
    const result = await backfillLogGroup(GROUP, RANGE, deps());
    expect(result).toMatchObject({ events: 25, documents: 25, pages: 3, resumed: false });
    expect(result.sink.indexed).toBe(25);
    expect(sink.ids()).toEqual(store.groups.get(GROUP.name)!.map((event) => event.eventId).sort());
    const inputs = logsMock.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => input.nextToken === undefined)).toEqual([true, false, false]);
    for (const input of inputs) {
      expect(input).toMatchObject({ logGroupName: GROUP.name, startTime: RANGE.start, endTime: RANGE.end });
    }
    const document = [...sink.documents.values()][0]!;
    expect(document.index).toBe('cwl-lambda-2026.11.22');
    expect(document.source).toMatchObject({
      aws: { cloudwatch: { log_group: GROUP.name }, lambda: { record_type: 'REPORT' } },
      cloud: { account: { id: ACCOUNT } },
    });
    expect(await checkpointFile()).toMatchObject({ done: true, events: 25, pages: 3 });
  });

  it('groups each page by log stream, one batch per stream', () => {
    const events = lambdaEvents(5, '2026-11-22T06:00:00Z', 2);
    const batches = toLogBatches(GROUP, events);
    expect(batches.map((batch) => [batch.logStream, batch.logEvents.length])).toEqual([
      ['2026/11/22/[$LATEST]stream0', 3],
      ['2026/11/22/[$LATEST]stream1', 2],
    ]);
    expect(batches[0]).toMatchObject({ owner: ACCOUNT, logGroup: GROUP.name, messageType: 'DATA_MESSAGE' });
  });

  it('retries ThrottlingException and carries on with the same token', async () => {
    store.failures.set(2, Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));
    const result = await backfillLogGroup(GROUP, RANGE, deps());
    expect(result.events).toBe(25);
    const tokens = logsMock.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input.nextToken);
    expect(tokens).toHaveLength(4);
    expect(tokens[2]).toBe(tokens[1]);
  });

  it('resumes after a failure part way, from the page after the last one shipped', async () => {
    sink.failOnWrite = 5; // two streams a page: page 3's first write fails
    await expect(backfillLogGroup(GROUP, RANGE, deps())).rejects.toThrow(/unavailable/);
    const stopped = await checkpointFile();
    expect(stopped).toMatchObject({ done: false, pages: 2, events: 20 });
    expect(stopped.nextToken).toBeDefined();

    sink.failOnWrite = undefined;
    const callsBefore = store.filterCalls;
    const resumed = await backfillLogGroup(GROUP, RANGE, deps());
    expect(resumed).toMatchObject({ resumed: true, pages: 1, events: 5 });
    // One call: the saved token; pages 1 and 2 are not read again.
    expect(store.filterCalls - callsBefore).toBe(1);
    expect(logsMock.commandCalls(FilterLogEventsCommand).at(-1)!.args[0].input.nextToken).toBe(stopped.nextToken);
    expect(sink.ids()).toHaveLength(25);
    expect(await checkpointFile()).toMatchObject({ done: true, pages: 3, events: 25 });
  });

  it('keeps the range of the first run when a relative --since is resumed later', async () => {
    sink.failOnWrite = 3;
    await expect(backfillLogGroup(GROUP, RANGE, deps({ since: '7d', until: undefined }))).rejects.toThrow();
    sink.failOnWrite = undefined;
    const later = { start: RANGE.start + 3_600_000, end: RANGE.end + 3_600_000 };
    const resumed = await backfillLogGroup(GROUP, later, deps({ since: '7d', until: undefined }));
    expect(resumed.range).toEqual(RANGE);
  });

  it('falls back to the last event time when the saved token has expired', async () => {
    sink.failOnWrite = 3;
    await expect(backfillLogGroup(GROUP, RANGE, deps())).rejects.toThrow();
    const stopped = await checkpointFile();
    sink.failOnWrite = undefined;
    store.expireTokensBefore = store.filterCalls + 1;
    const resumed = await backfillLogGroup(GROUP, RANGE, deps());
    const inputs = logsMock.commandCalls(FilterLogEventsCommand).map((call) => call.args[0].input);
    // The refused token, then a fresh query from the last event time shipped.
    const refused = inputs.findLastIndex((input) => input.nextToken === stopped.nextToken);
    expect(refused).toBeGreaterThan(0);
    expect(inputs[refused + 1]).toMatchObject({ startTime: stopped.lastTimestamp });
    expect(inputs[refused + 1]!.nextToken).toBeUndefined();
    expect(resumed.sink.duplicates).toBe(1); // the event at that time, read again
    expect(sink.ids()).toHaveLength(25);
  });

  it('gives up rather than loop when tokens keep being refused at the same time', async () => {
    store.expireTokensBefore = Number.MAX_SAFE_INTEGER;
    // Every event at one millisecond: falling back by time cannot move forward.
    store.groups.set(GROUP.name, lambdaEvents(25, '2026-11-22T06:00:00Z').map((event) => ({ ...event, timestamp: RANGE.start + 1 })));
    await expect(backfillLogGroup(GROUP, RANGE, deps())).rejects.toThrow(/nextToken is invalid/);
  });

  it('starts over when the checkpoint says done, and the ids keep it single', async () => {
    await backfillLogGroup(GROUP, RANGE, deps());
    const again = await backfillLogGroup(GROUP, RANGE, deps());
    expect(again).toMatchObject({ resumed: false, events: 25 });
    expect(again.sink).toMatchObject({ indexed: 0, duplicates: 25 });
    expect(sink.ids()).toHaveLength(25);
  });

  it('--restart ignores an unfinished checkpoint', async () => {
    sink.failOnWrite = 3;
    await expect(backfillLogGroup(GROUP, RANGE, deps())).rejects.toThrow();
    sink.failOnWrite = undefined;
    const restarted = await backfillLogGroup(GROUP, RANGE, deps({ restart: true }));
    expect(restarted).toMatchObject({ resumed: false, events: 25, pages: 3 });
  });

  it('a dry run counts without writing documents or checkpoints', async () => {
    const result = await backfillLogGroup(GROUP, RANGE, deps({ dryRun: true }));
    expect(result).toMatchObject({ events: 25, documents: 0, pages: 3 });
    expect(result.checkpoint).toBeUndefined();
    expect(sink.writes).toBe(0);
    expect(await readdir(directory)).toEqual([]);
  });

  it('reads only the range', async () => {
    const result = await backfillLogGroup(
      GROUP,
      { start: Date.parse('2026-11-22T06:10:00Z'), end: Date.parse('2026-11-22T06:14:00Z') },
      deps({ since: '2026-11-22T06:10:00Z', until: '2026-11-22T06:14:00Z' }),
    );
    expect(result.events).toBe(5);
  });

  it('reports each page with the latest event time reached', async () => {
    const reached: (number | undefined)[] = [];
    await backfillLogGroup(GROUP, RANGE, deps({ onPage: (_page, last) => reached.push(last) }));
    expect(reached).toEqual([
      Date.parse('2026-11-22T06:09:00Z'),
      Date.parse('2026-11-22T06:19:00Z'),
      Date.parse('2026-11-22T06:24:00Z'),
    ]);
  });
});
