import { AthenaClient, BatchGetQueryExecutionCommand, type QueryExecution } from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadEnricherConfig, type EnricherConfig } from '../../functions/enricher/config';
import { EnrichmentError, runSweep, type SweepSummary } from '../../functions/enricher/sweep';
import { loadOpenSearchConfig } from '../../functions/pipeline/config';
import { createOpenSearchClient, type OpenSearchClient } from '../../functions/sinks/opensearch';
import { startFakeOpenSearch, type FakeOpenSearch, type StoredDocument } from '../helpers/fake-opensearch';
import { queryExecution, shipTrailEvents, startQueryExecutionEvent, type ExecutionSpec } from './athena-fixtures';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const INDEX = 'cwl-athena-cloudtrail-2026.11.22';
const athenaMock = mockClient(AthenaClient);
const athena = new AthenaClient({ region: 'eu-west-1' });
const noWait = { sleep: async () => undefined, random: () => 0.5 };

let fake: FakeOpenSearch;
let client: OpenSearchClient;
let config: EnricherConfig;
/** What the mocked Athena knows, by query id; absent ids are reported unprocessed. */
let known: Map<string, QueryExecution>;

beforeAll(async () => {
  fake = await startFakeOpenSearch();
  client = createOpenSearchClient(loadOpenSearchConfig({}, fake.url));
  config = loadEnricherConfig({});
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  known = new Map();
  athenaMock.on(BatchGetQueryExecutionCommand).callsFake((input: { QueryExecutionIds: string[] }) => ({
    QueryExecutions: input.QueryExecutionIds.flatMap((id) => known.get(id) ?? []),
    UnprocessedQueryExecutionIds: input.QueryExecutionIds.filter((id) => !known.has(id)).map((id) => ({
      QueryExecutionId: id,
      ErrorCode: 'INVALID_INPUT',
      ErrorMessage: `QueryExecution ${id} was not found`,
    })),
  }));
});

afterEach(() => {
  athenaMock.reset();
});

function athenaKnows(spec: ExecutionSpec): void {
  known.set(spec.id, queryExecution(spec));
}

function sweep(overrides: Partial<EnricherConfig> = {}, now = NOW): Promise<SweepSummary> {
  return runSweep({ opensearch: client, athena, config: { ...config, ...overrides }, now: () => now, backoff: noWait });
}

async function shipStart(eventId: string, queryId: string, eventTime = '2026-11-22T11:50:00Z', extra: { workGroup?: string; queryString?: string } = {}): Promise<void> {
  await shipTrailEvents(client, [
    { message: startQueryExecutionEvent({ eventId, queryId, eventTime, ...extra }), timestamp: Date.parse(eventTime) + 300_000 },
  ]);
}

function stored(eventId: string): StoredDocument {
  const document = fake.get(INDEX, eventId);
  if (document === undefined) throw new Error(`document ${eventId} is not in ${INDEX}`);
  return document;
}

function athenaOf(eventId: string): Record<string, unknown> {
  return (stored(eventId).source.aws as { athena: Record<string, unknown> }).athena;
}

function updateRequests(): number {
  return fake.requests.filter((request) => request.path.includes('/_update/')).length;
}

describe('runSweep against the fake OpenSearch', () => {
  it('CloudTrail document first, then statistics: running, then final, complete and single', async () => {
    await shipStart('ev-1', 'q-1');
    expect(athenaOf('ev-1')).toMatchObject({ query_execution_id: 'q-1', query_omitted: true });

    const text = 'SELECT region, sum(total) FROM sales GROUP BY 1';
    athenaKnows({ id: 'q-1', state: 'RUNNING', query: text });
    const first = await sweep();
    expect(first).toMatchObject({ pending: 1, running: 1, completed: 0, updated: 1 });
    expect(athenaOf('ev-1')).toMatchObject({ state: 'RUNNING', submitted_at: '2026-11-22T11:50:00.000Z', query: text });
    expect(athenaOf('ev-1')).not.toHaveProperty('estimated_cost_usd');

    // Still running: selected again, nothing to write.
    const versionWhileRunning = stored('ev-1').version;
    const second = await sweep();
    expect(second).toMatchObject({ pending: 1, running: 1, updated: 0, unchanged: 1 });
    expect(stored('ev-1').version).toBe(versionWhileRunning);

    athenaKnows({ id: 'q-1', state: 'SUCCEEDED', scannedBytes: 25 * 1_048_576, query: text });
    const third = await sweep();
    expect(third).toMatchObject({ pending: 1, completed: 1, updated: 1 });

    expect(fake.count('cwl-athena-cloudtrail-*')).toBe(1);
    const athenaFields = athenaOf('ev-1');
    expect(athenaFields).toMatchObject({
      query_execution_id: 'q-1',
      query_omitted: true,
      query: text,
      state: 'SUCCEEDED',
      statement_type: 'DML',
      data_scanned_bytes: 25 * 1_048_576,
      engine_execution_ms: 80_000,
      total_execution_ms: 90_000,
      query_queue_ms: 1_200,
      query_planning_ms: 3_400,
      service_processing_ms: 8_800,
      result_reused: false,
      submitted_at: '2026-11-22T11:50:00.000Z',
      completed_at: '2026-11-22T11:51:30.000Z',
      // 25 MB at 5 USD / 1,048,576 MB
      estimated_cost_usd: 0.00011920928955078125,
      enriched_at: NOW.toISOString(),
    });
    // The CloudTrail part of the document is untouched.
    expect(stored('ev-1').source).toMatchObject({ event: { action: 'StartQueryExecution', dataset: 'aws.athena' } });
  });

  it('statistics before the CloudTrail document: the sweep finds the document later', async () => {
    athenaKnows({ id: 'q-2', state: 'SUCCEEDED', scannedBytes: 0 });
    const early = await sweep();
    expect(early).toMatchObject({ pending: 0, athenaCalls: 0 });

    await shipStart('ev-2', 'q-2');
    const late = await sweep(undefined, new Date('2026-11-22T12:04:00.000Z'));
    expect(late).toMatchObject({ pending: 1, completed: 1, updated: 1 });
    expect(athenaOf('ev-2')).toMatchObject({ state: 'SUCCEEDED', estimated_cost_usd: 0.0000476837158203125 });
    expect(fake.count('cwl-athena-cloudtrail-*')).toBe(1);
  });

  it.each([
    ['failed', { state: 'FAILED', reason: 'SYNTAX_ERROR: line 1:8: Column x cannot be resolved', scannedBytes: 0 }, 0],
    ['cancelled', { state: 'CANCELLED', reason: 'Query cancelled by user', scannedBytes: 2 * 1_099_511_627_776 }, 10],
  ] as const)('a %s query: final, its reason, its cost, one document', async (_name, spec, cost) => {
    await shipStart('ev-3', 'q-3');
    athenaKnows({ id: 'q-3', ...spec });
    const summary = await sweep();
    expect(summary).toMatchObject({ completed: 1, updated: 1 });
    expect(athenaOf('ev-3')).toMatchObject({ state: spec.state, state_change_reason: spec.reason, estimated_cost_usd: cost });
    expect(athenaOf('ev-3')).toHaveProperty('completed_at');
    expect(fake.count('cwl-athena-cloudtrail-*')).toBe(1);
    // Final: never selected again.
    expect(await sweep()).toMatchObject({ pending: 0 });
  });

  it('a second run changes nothing', async () => {
    await shipStart('ev-4', 'q-4');
    await shipStart('ev-5', 'q-5', '2026-11-22T11:55:00Z');
    athenaKnows({ id: 'q-4', state: 'SUCCEEDED', scannedBytes: 123_456_789 });
    athenaKnows({ id: 'q-5', state: 'RUNNING' });
    await sweep();
    const before = new Map([...fake.indices.get(INDEX)!].map(([id, document]) => [id, JSON.stringify(document)]));
    const updatesBefore = updateRequests();

    const again = await sweep();
    expect(again).toMatchObject({ pending: 1, running: 1, updated: 0, unchanged: 1 });
    expect(updateRequests()).toBe(updatesBefore);
    const after = new Map([...fake.indices.get(INDEX)!].map(([id, document]) => [id, JSON.stringify(document)]));
    expect(after).toEqual(before);
  });

  it('fills the work group of a query run in another work group, and keeps a named one', async () => {
    await shipStart('ev-6', 'q-6');
    await shipStart('ev-7', 'q-7', '2026-11-22T11:51:00Z', { workGroup: 'finance' });
    athenaKnows({ id: 'q-6', state: 'SUCCEEDED', workGroup: 'etl-nightly' });
    athenaKnows({ id: 'q-7', state: 'SUCCEEDED', workGroup: 'finance' });
    await sweep();
    expect(athenaOf('ev-6').work_group).toBe('etl-nightly');
    expect(athenaOf('ev-7').work_group).toBe('finance');
  });

  it('keeps a query text CloudTrail logged', async () => {
    await shipStart('ev-8', 'q-8', '2026-11-22T11:50:00Z', { queryString: 'select 42' });
    athenaKnows({ id: 'q-8', state: 'SUCCEEDED', query: 'SELECT 42 -- normalised by Athena' });
    await sweep();
    expect(athenaOf('ev-8').query).toBe('select 42');
  });

  it('an unknown id: deferred while young, then marked and never asked again', async () => {
    await shipStart('ev-9', 'q-unknown', '2026-11-22T11:55:00Z');
    const young = await sweep({ unavailableGraceMinutes: 15 });
    expect(young).toMatchObject({ pending: 1, deferred: 1, unavailable: 0, updated: 0 });
    expect(stored('ev-9').source.tags ?? []).not.toContain('athena_query_unavailable');

    const later = await sweep({ unavailableGraceMinutes: 15 }, new Date('2026-11-22T12:20:00.000Z'));
    expect(later).toMatchObject({ pending: 1, unavailable: 1, updated: 1 });
    expect(stored('ev-9').source.tags).toContain('athena_query_unavailable');
    expect(athenaOf('ev-9').state_change_reason).toMatch(/^enrichment: BatchGetQueryExecution did not return the query \(INVALID_INPUT/);
    expect(athenaOf('ev-9')).not.toHaveProperty('state');

    const calls = athenaMock.commandCalls(BatchGetQueryExecutionCommand).length;
    expect(await sweep(undefined, new Date('2026-11-22T12:30:00.000Z'))).toMatchObject({ pending: 0 });
    expect(athenaMock.commandCalls(BatchGetQueryExecutionCommand).length).toBe(calls);
  });

  it('ignores documents older than the lookback and other API calls', async () => {
    await shipStart('ev-old', 'q-old', '2026-11-21T10:00:00Z');
    await shipTrailEvents(client, [
      {
        message: startQueryExecutionEvent({ eventId: 'ev-get', queryId: 'q-x', eventTime: '2026-11-22T11:59:00Z' }).replace(
          '"eventName":"StartQueryExecution"',
          '"eventName":"GetQueryExecution"',
        ),
        timestamp: Date.parse('2026-11-22T11:59:30Z'),
      },
    ]);
    athenaKnows({ id: 'q-old', state: 'SUCCEEDED' });
    athenaKnows({ id: 'q-x', state: 'SUCCEEDED' });
    expect(await sweep({ lookbackHours: 24 })).toMatchObject({ pending: 0, athenaCalls: 0 });
    expect(await sweep({ lookbackHours: 48 })).toMatchObject({ pending: 1, completed: 1 });
  });

  it('pages through many pending documents, 50 ids a call, none lost on shared timestamps', async () => {
    const events = Array.from({ length: 130 }, (_, position) => {
      // Ten documents share each second, so page boundaries fall inside a second.
      const eventTime = new Date(Date.parse('2026-11-22T11:00:00Z') + Math.floor(position / 10) * 1000).toISOString().replace('.000', '');
      const id = `q-${String(position).padStart(3, '0')}`;
      athenaKnows({ id, state: 'SUCCEEDED', scannedBytes: position * 1_048_576 });
      return { message: startQueryExecutionEvent({ eventId: `ev-${id}`, queryId: id, eventTime }), timestamp: Date.parse(eventTime) };
    });
    await shipTrailEvents(client, events);
    const summary = await sweep({ pageSize: 45 });
    expect(summary).toMatchObject({ pending: 130, completed: 130, updated: 130 });
    for (const call of athenaMock.commandCalls(BatchGetQueryExecutionCommand)) {
      expect(call.args[0].input.QueryExecutionIds!.length).toBeLessThanOrEqual(50);
    }
    expect(await sweep()).toMatchObject({ pending: 0 });
  });

  it('stops at the per-sweep cap and finishes the rest next time', async () => {
    const events = Array.from({ length: 12 }, (_, position) => {
      const id = `q-cap-${position}`;
      athenaKnows({ id, state: 'SUCCEEDED' });
      const eventTime = `2026-11-22T11:${String(10 + position).padStart(2, '0')}:00Z`;
      return { message: startQueryExecutionEvent({ eventId: `ev-cap-${position}`, queryId: id, eventTime }), timestamp: Date.parse(eventTime) };
    });
    await shipTrailEvents(client, events);
    expect(await sweep({ pageSize: 5, maxDocuments: 7 })).toMatchObject({ pending: 7, completed: 7, truncated: true });
    expect(await sweep({ pageSize: 5, maxDocuments: 7 })).toMatchObject({ pending: 5, completed: 5 });
  });

  it('throttled for good: the documents stay pending for the next sweep', async () => {
    await shipStart('ev-10', 'q-10');
    athenaMock.on(BatchGetQueryExecutionCommand).rejects(
      Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 400 } }),
    );
    expect(await runSweep({ opensearch: client, athena, config, now: () => NOW, backoff: { ...noWait, maxAttempts: 2 } })).toMatchObject({
      pending: 1,
      deferred: 1,
      updated: 0,
    });
    expect(athenaOf('ev-10')).not.toHaveProperty('state');
  });

  it('an update OpenSearch refuses fails the sweep, and the document stays pending', async () => {
    await shipStart('ev-11', 'q-11');
    athenaKnows({ id: 'q-11', state: 'SUCCEEDED' });
    fake.failRequests({ kind: 'status', status: 400, body: { error: { type: 'mapper_parsing_exception', reason: 'failed to parse field' }, status: 400 } }, {
      path: /_update/,
    });
    await expect(sweep()).rejects.toBeInstanceOf(EnrichmentError);
    expect(athenaOf('ev-11')).not.toHaveProperty('state');
    expect(await sweep()).toMatchObject({ completed: 1, updated: 1 });
  });

  it('finds nothing, and asks Athena nothing, when no Athena index exists yet', async () => {
    expect(await sweep()).toMatchObject({ pending: 0, athenaCalls: 0, updated: 0 });
  });
});
