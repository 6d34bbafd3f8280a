import { AthenaClient, BatchGetQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudTrailClient, LookupEventsCommand, ThrottlingException } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import { readCheckpoint, stateIndex, checkpointId } from '../../functions/cloudtrail-poller/checkpoint';
import type { PollerConfig } from '../../functions/cloudtrail-poller/config';
import { runPoll, type PollSummary } from '../../functions/cloudtrail-poller/poll';
import { loadEnricherConfig } from '../../functions/enricher/config';
import { runSweep } from '../../functions/enricher/sweep';
import { loadOpenSearchConfig, loadPipelineConfig } from '../../functions/pipeline/config';
import { createOpenSearchClient, type OpenSearchClient } from '../../functions/sinks/opensearch';
import { OpenSearchSink } from '../../functions/sinks/opensearch-sink';
import { startFakeOpenSearch, type FakeOpenSearch } from '../helpers/fake-opensearch';
import { queryExecution } from '../enricher/athena-fixtures';
import { EventHistory, eventSeries } from './event-history';

const cloudtrailMock = mockClient(CloudTrailClient);
const athenaMock = mockClient(AthenaClient);
const cloudtrail = new CloudTrailClient({ region: 'eu-west-1' });
const poller: PollerConfig = {
  prefix: 'cwl',
  region: 'eu-west-1',
  lookbackMinutes: 60,
  overlapMinutes: 20,
  sliceMinutes: 30,
  callsPerSecond: 2,
  maxSeen: 50_000,
};

let fake: FakeOpenSearch;
let client: OpenSearchClient;
let history: EventHistory;
/** The simulated clock, epoch ms. */
let now: number;

beforeAll(async () => {
  fake = await startFakeOpenSearch();
  client = createOpenSearchClient(loadOpenSearchConfig({}, fake.url));
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  history = new EventHistory();
  history.install(cloudtrailMock);
});

afterEach(() => {
  cloudtrailMock.reset();
  athenaMock.reset();
});

function at(iso: string): number {
  now = Date.parse(iso);
  history.now = now;
  return now;
}

function poll(overrides: { deadline?: number; limiter?: () => Promise<void>; config?: Partial<PollerConfig> } = {}): Promise<PollSummary> {
  const config = loadPipelineConfig({});
  return runPoll({
    poller: { ...poller, ...overrides.config },
    opensearch: client,
    cloudtrail,
    limiter: overrides.limiter ?? (async () => undefined),
    backoff: { sleep: async () => undefined, random: () => 0.5 },
    registry: createRegistry(config.routes),
    config,
    sink: new OpenSearchSink(client, { indexing: config.indexing }),
    clock: () => now,
    ...(overrides.deadline !== undefined && { deadline: overrides.deadline }),
  });
}

function storedIds(): string[] {
  return fake.resolveIndices('cwl-athena-cloudtrail-*').flatMap((index) => [...fake.indices.get(index)!.keys()]).sort();
}

/** Documents the bulk requests tried to create, in total (one per create action). */
function createdAttempts(): number {
  return fake.bulkRequests().reduce((total, request) => total + (request.body.match(/"create"/g)?.length ?? 0), 0);
}

describe('runPoll', () => {
  it('first run: looks back CLOUDTRAIL_LOOKBACK_MINUTES, ships each event, writes the checkpoint', async () => {
    history.add(...eventSeries('ev', '2026-11-22T10:30:00Z', 90, 60_000));
    at('2026-11-22T12:00:00Z');
    const summary = await poll();
    // EndTime is inclusive: the 11:30 event is read by both slices, and skipped the second time.
    expect(summary).toMatchObject({
      firstRun: true,
      from: '2026-11-22T11:00:00.000Z',
      to: '2026-11-22T12:00:00.000Z',
      windows: 2,
      events: 61,
      skipped: 1,
      truncated: false,
    });
    expect(summary.sink.indexed).toBe(60);
    expect(storedIds()).toHaveLength(60);
    expect(storedIds()[0]).toBe('ev-0030');

    const document = fake.get('cwl-athena-cloudtrail-2026.11.22', 'ev-0030')!.source;
    expect(document).toMatchObject({
      event: { action: 'StartQueryExecution', dataset: 'aws.athena' },
      aws: { athena: { query_execution_id: 'q-ev-0030', query_omitted: true }, cloudwatch: { log_group: 'cloudtrail-lookup-events' } },
      cloud: { account: { id: '123456789012' } },
    });

    const state = fake.get(stateIndex('cwl'), checkpointId('eu-west-1'))!.source as {
      cloudtrail_poller: { end_time: string; seen_events: string[] };
    };
    expect(state.cloudtrail_poller.end_time).toBe('2026-11-22T12:00:00.000Z');
    // Only the overlap (11:40 onwards) is remembered.
    expect(state.cloudtrail_poller.seen_events).toHaveLength(20);
    expect(state.cloudtrail_poller.seen_events[0]).toBe(`${Date.parse('2026-11-22T11:40:00Z')}:ev-0070`);
  });

  it('next run: re-reads the overlap, sends nothing twice, catches an event CloudTrail showed late', async () => {
    history.add(...eventSeries('ev', '2026-11-22T11:00:00Z', 60, 60_000));
    at('2026-11-22T12:00:00Z');
    await poll();
    const attemptsAfterFirst = createdAttempts();

    history.add(...eventSeries('new', '2026-11-22T12:00:30Z', 5, 60_000));
    history.add({ eventId: 'late', eventTime: '2026-11-22T11:50:10Z', visibleFrom: Date.parse('2026-11-22T12:03:00Z') });
    at('2026-11-22T12:05:00Z');
    const second = await poll();
    expect(second).toMatchObject({ firstRun: false, from: '2026-11-22T11:40:00.000Z', windows: 1, skipped: 20 });
    expect(second.sink.indexed).toBe(6);
    expect(createdAttempts() - attemptsAfterFirst).toBe(6);
    expect(storedIds()).toHaveLength(66);
    expect(storedIds()).toContain('late');

    // A third run at the same time finds nothing new to send.
    const third = await poll();
    expect(third.sink.indexed + third.sink.duplicates).toBe(0);
  });

  it('resumes after a failure part way: completed slices stay checkpointed, every event stored once', async () => {
    history.add(...eventSeries('ev', '2026-11-22T09:00:00Z', 180, 60_000));
    at('2026-11-22T09:00:00Z');
    await poll(); // nothing yet: sets the checkpoint at 09:00
    at('2026-11-22T12:00:00Z');
    // Slice 1 (08:40-09:10) and slice 2 (09:10-09:40) pass; slice 3 fails on its first call.
    const callsBefore = history.calls;
    history.failures.set(callsBefore + 3, Object.assign(new Error('User is not authorized to perform: cloudtrail:LookupEvents'), { name: 'AccessDeniedException' }));
    await expect(poll()).rejects.toThrow(/not authorized/);
    const checkpoint = await readCheckpoint(client, 'cwl', 'eu-west-1');
    expect(new Date(checkpoint!.endTime).toISOString()).toBe('2026-11-22T09:40:00.000Z');
    // 09:00 through 09:40 inclusive.
    expect(storedIds()).toHaveLength(41);

    const resumed = await poll();
    expect(resumed).toMatchObject({ from: '2026-11-22T09:20:00.000Z', truncated: false });
    expect(storedIds()).toHaveLength(180);
    expect(new Set(storedIds()).size).toBe(180);
    // 09:20-09:40 was shipped before the failure (21 events), and each of the 5 later slice
    // boundaries (09:50, 10:20, ..., 11:50) is read by two slices.
    expect(resumed.skipped).toBe(26);
    expect(resumed.sink.duplicates).toBe(0);
  });

  it('rides out throttling with backoff', async () => {
    history.add(...eventSeries('ev', '2026-11-22T11:30:00Z', 30, 60_000));
    history.failures.set(1, new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    history.failures.set(2, new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    at('2026-11-22T12:00:00Z');
    const summary = await poll();
    expect(summary.sink.indexed).toBe(30);
    expect(cloudtrailMock.commandCalls(LookupEventsCommand).length).toBeGreaterThanOrEqual(4);
  });

  it('stops at the deadline after a complete slice; the next run continues from there', async () => {
    history.add(...eventSeries('ev', '2026-11-22T11:00:00Z', 60, 60_000));
    const start = at('2026-11-22T12:00:00Z');
    // Each LookupEvents call "takes" a minute of the simulated clock.
    const limiter = async (): Promise<void> => {
      now += 60_000;
    };
    const summary = await poll({ limiter, deadline: start + 90_000 });
    expect(summary).toMatchObject({ truncated: true, windows: 1, checkpoint: '2026-11-22T11:30:00.000Z' });
    // The second slice's page was shipped before the deadline was seen, but not checkpointed.
    expect(storedIds()).toHaveLength(60);

    const next = await poll();
    expect(next).toMatchObject({ truncated: false, from: '2026-11-22T11:10:00.000Z' });
    // Read again: the ids make the re-send harmless (409, counted as duplicates).
    expect(next.sink.duplicates).toBe(29);
    expect(next.sink.indexed).toBe(0);
    expect(storedIds()).toHaveLength(60);
  });

  it('then the enricher fills the statistics of what the poller shipped', async () => {
    history.add({ eventId: 'ev-x', eventTime: '2026-11-22T11:58:00Z' });
    at('2026-11-22T12:00:00Z');
    await poll();
    athenaMock.on(BatchGetQueryExecutionCommand).resolves({
      QueryExecutions: [queryExecution({ id: 'q-ev-x', state: 'SUCCEEDED', scannedBytes: 10 * 1_048_576 })],
    });
    const sweep = await runSweep({
      opensearch: client,
      athena: new AthenaClient({ region: 'eu-west-1' }),
      config: loadEnricherConfig({}),
      now: () => new Date(now),
    });
    expect(sweep).toMatchObject({ pending: 1, completed: 1 });
    const athena = (fake.get('cwl-athena-cloudtrail-2026.11.22', 'ev-x')!.source.aws as { athena: Record<string, unknown> }).athena;
    expect(athena).toMatchObject({ state: 'SUCCEEDED', data_scanned_bytes: 10 * 1_048_576, estimated_cost_usd: 0.0000476837158203125 });
  });
});
