import { AthenaClient, BatchGetQueryExecutionCommand } from '@aws-sdk/client-athena';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEnricherHandler } from '../../functions/enricher/handler';
import { loadEnricherConfig } from '../../functions/enricher/config';
import { loadOpenSearchConfig } from '../../functions/pipeline/config';
import { createOpenSearchClient } from '../../functions/sinks/opensearch';
import { startFakeOpenSearch, type FakeOpenSearch } from '../helpers/fake-opensearch';
import { queryExecution, shipTrailEvents, startQueryExecutionEvent } from './athena-fixtures';

const athenaMock = mockClient(AthenaClient);
let fake: FakeOpenSearch;

beforeAll(async () => {
  fake = await startFakeOpenSearch();
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  athenaMock.reset();
  fake.reset();
});

function stateChange(currentState: string): Record<string, unknown> {
  return {
    'detail-type': 'Athena Query State Change',
    source: 'aws.athena',
    detail: { currentState, previousState: 'QUEUED', queryExecutionId: 'q-1', workgroupName: 'primary' },
  };
}

function createHandler() {
  const createDeps = vi.fn(() => ({
    config: loadEnricherConfig({}),
    opensearch: createOpenSearchClient(loadOpenSearchConfig({}, fake.url)),
    athena: new AthenaClient({ region: 'eu-west-1' }),
    now: () => new Date('2026-11-22T12:00:00Z'),
    backoff: { sleep: async () => undefined },
  }));
  const logger = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
  return { enrich: createEnricherHandler({ createDeps, logger }), createDeps };
}

describe('enricher handler', () => {
  it('ignores a state change that is not final, without touching OpenSearch', async () => {
    const { enrich, createDeps } = createHandler();
    const result = await enrich(stateChange('RUNNING'));
    expect(result.summary).toBeUndefined();
    expect(createDeps).not.toHaveBeenCalled();
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    ['a schedule', { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }],
    ['a final state change', stateChange('SUCCEEDED')],
    ['a manual invoke', {}],
  ])('runs a sweep for %s', async (_name, event) => {
    const { enrich } = createHandler();
    const client = createOpenSearchClient(loadOpenSearchConfig({}, fake.url));
    await shipTrailEvents(client, [
      {
        message: startQueryExecutionEvent({ eventId: 'ev-1', queryId: 'q-1', eventTime: '2026-11-22T11:58:00Z' }),
        timestamp: Date.parse('2026-11-22T11:59:00Z'),
      },
    ]);
    athenaMock.on(BatchGetQueryExecutionCommand).resolves({ QueryExecutions: [queryExecution({ id: 'q-1', state: 'SUCCEEDED' })] });
    const result = await enrich(event, { getRemainingTimeInMillis: () => 60_000 });
    expect(result.summary).toMatchObject({ pending: 1, completed: 1, updated: 1 });
  });

  it('builds its clients once per container', async () => {
    const { enrich, createDeps } = createHandler();
    await enrich({});
    await enrich({});
    expect(createDeps).toHaveBeenCalledTimes(1);
  });

  it('reports a missing OpenSearch endpoint by its variable name when the exported handler runs', async () => {
    const saved = process.env.OPENSEARCH_ENDPOINT;
    delete process.env.OPENSEARCH_ENDPOINT;
    try {
      const { handler } = await import('../../functions/enricher/handler');
      await expect(handler({}, { getRemainingTimeInMillis: () => 60_000 })).rejects.toThrow(/OPENSEARCH_ENDPOINT/);
    } finally {
      if (saved !== undefined) process.env.OPENSEARCH_ENDPOINT = saved;
    }
  });
});
