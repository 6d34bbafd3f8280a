import { gzipSync } from 'node:zlib';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AthenaClient, BatchGetQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import { backfillLogGroup } from '../../functions/backfill/cloudwatch';
import { createEnricherHandler } from '../../functions/enricher/handler';
import { loadEnricherConfig } from '../../functions/enricher/config';
import { loadOpenSearchConfig, loadPipelineConfig } from '../../functions/pipeline/config';
import { createRedrive } from '../../functions/redrive/redrive';
import { createOpenSearchClient } from '../../functions/sinks/opensearch';
import { OpenSearchSink } from '../../functions/sinks/opensearch-sink';
import { ACCOUNT, LogStore, lambdaEvents } from '../backfill/log-store';
import { TRAIL_LOG_GROUP, queryExecution, startQueryExecutionEvent } from '../enricher/athena-fixtures';
import { applyTemplates, deleteTemplates } from './support/assets';
import { subscriptionEvents } from './support/corpus';
import { countDocuments, deleteIndices, engineClient, engineUrl, refresh, uniquePrefix } from './support/engine';
import { invokeQuietly, loadShipperHandler, metricsOf } from './support/lambda';

/**
 * Issue 9, item 7: the writers other than the shipper, into the real node and our templates.
 * AWS answers come from aws-sdk-client-mock (Athena's BatchGetQueryExecution, CloudWatch Logs'
 * FilterLogEvents pages, SQS messages as Lambda's on-failure destination writes them); the
 * OpenSearch side is real.
 */

const prefix = uniquePrefix('ow');
const env = { INDEX_PREFIX: prefix };
const client = engineClient();
const realSink = () =>
  new OpenSearchSink(createOpenSearchClient(loadOpenSearchConfig({}, engineUrl())), {
    indexing: loadPipelineConfig(env).indexing,
    ownsClient: true,
  });

beforeAll(async () => {
  await applyTemplates(prefix);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await deleteIndices(client, prefix);
  await deleteTemplates(prefix);
  await client.close();
});

describe('the Athena enricher updates the shipped CloudTrail documents in place', () => {
  const athena = mockClient(AthenaClient);
  afterAll(() => athena.restore());

  it('adds the query statistics to the one document per query, and a redelivery of the trail batch keeps them', async () => {
    const handler = await loadShipperHandler({ OPENSEARCH_ENDPOINT: engineUrl(), ...env });
    const trail = [
      startQueryExecutionEvent({ eventId: 'ev-big', queryId: 'q-big', eventTime: '2026-11-22T11:50:00Z', workGroup: 'primary' }),
      startQueryExecutionEvent({ eventId: 'ev-small', queryId: 'q-small', eventTime: '2026-11-22T11:51:00Z' }),
    ];
    const [delivery] = subscriptionEvents(TRAIL_LOG_GROUP, trail, 81);
    expect(metricsOf((await invokeQuietly(handler, delivery)).lines)).toMatchObject({ DocumentsIndexed: 2 });
    await refresh(client, `${prefix}-athena-cloudtrail-*`);

    athena.on(BatchGetQueryExecutionCommand).resolves({
      QueryExecutions: [
        queryExecution({ id: 'q-big', state: 'SUCCEEDED', scannedBytes: 21_474_836_480 }),
        queryExecution({ id: 'q-small', state: 'FAILED', scannedBytes: 1_024, reason: 'SYNTAX_ERROR: line 1:8' }),
      ],
    });
    const enrich = createEnricherHandler({
      createDeps: () => ({
        config: loadEnricherConfig(env),
        opensearch: createOpenSearchClient(loadOpenSearchConfig({}, engineUrl())),
        athena: new AthenaClient({ region: 'eu-west-1' }),
        now: () => new Date('2026-11-22T12:00:00Z'),
        backoff: { sleep: async () => undefined },
      }),
      logger: new Logger({ serviceName: 'real-engine', logLevel: 'SILENT' }),
    });
    const result = await enrich({}, { getRemainingTimeInMillis: () => 60_000 });
    expect(result.summary).toMatchObject({ pending: 2, completed: 2, updated: 2 });

    const read = async () => {
      await refresh(client, `${prefix}-athena-cloudtrail-*`);
      const { body } = await client.search({ index: `${prefix}-athena-cloudtrail-*`, body: { query: { ids: { values: ['ev-big'] } } } });
      return body.hits.hits;
    };
    const enriched = await read();
    expect(enriched).toHaveLength(1);
    expect(enriched[0]!._source).toMatchObject({ aws: { athena: { data_scanned_bytes: 21_474_836_480 } } });

    // CloudWatch Logs delivers the trail batch again: create answers 409, the statistics stay.
    expect(metricsOf((await invokeQuietly(handler, delivery)).lines)).toMatchObject({ DocumentsIndexed: 0, DocumentsDuplicate: 2 });
    const after = await read();
    expect(after).toHaveLength(1);
    expect(after[0]!._source).toMatchObject({ aws: { athena: { data_scanned_bytes: 21_474_836_480 } } });
    // Found by the saved search for heavy scans, as a user would see it.
    expect(await countDocuments(client, `${prefix}-athena-cloudtrail-*`, { range: { 'aws.athena.data_scanned_bytes': { gt: 10_737_418_240 } } })).toBe(1);
  });
});

describe('backfill from FilterLogEvents pages', () => {
  const logs = mockClient(CloudWatchLogsClient);
  let checkpoints: string;
  beforeAll(async () => {
    checkpoints = await mkdtemp(join(tmpdir(), 'real-engine-backfill-'));
  });
  afterAll(async () => {
    logs.restore();
    await rm(checkpoints, { recursive: true, force: true });
  });

  it('stores every event of the range once; a second backfill of the same range stores nothing new', async () => {
    const group = { name: '/aws/lambda/backfilled', accountId: ACCOUNT };
    const store = new LogStore().addGroup(group.name, lambdaEvents(25, '2026-11-22T06:00:00Z'));
    store.install(logs);
    const range = { start: Date.parse('2026-11-22T00:00:00Z'), end: Date.parse('2026-11-22T12:00:00Z') };
    const config = loadPipelineConfig(env);
    const run = async () => {
      const sink = realSink();
      try {
        return await backfillLogGroup(group, range, {
          logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
          registry: createRegistry(config.routes),
          config,
          sink,
          since: '2026-11-22T00:00:00Z',
          until: '2026-11-22T12:00:00Z',
          checkpointDir: checkpoints,
          restart: true,
          backoff: { sleep: async () => undefined, random: () => 0.5 },
        });
      } finally {
        await sink.close();
      }
    };
    const first = await run();
    expect(first).toMatchObject({ events: 25, documents: 25 });
    expect(first.sink).toMatchObject({ indexed: 25, deadLettered: 0 });
    const second = await run();
    expect(second.sink).toMatchObject({ indexed: 0, duplicates: 25 });
    expect(await countDocuments(client, `${prefix}-lambda-*`, { term: { 'aws.cloudwatch.log_group': group.name } })).toBe(25);
  });
});

describe('redrive from the dead-letter queue', () => {
  const sqs = mockClient(SQSClient);
  afterAll(() => sqs.restore());

  /** Lambda's on-failure destination record around a subscription event of `count` events. */
  const record = (stream: string, count: number) => {
    const payload = {
      messageType: 'DATA_MESSAGE',
      owner: ACCOUNT,
      logGroup: '/app/redriven',
      logStream: stream,
      subscriptionFilters: ['cwl-opensearch'],
      logEvents: Array.from({ length: count }, (_, i) => ({ id: `${stream}-${i}`, timestamp: Date.UTC(2026, 10, 21, 10, 0, i), message: `order ${i}` })),
    };
    return JSON.stringify({
      version: '1.0',
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } },
    });
  };

  it('replays every message into the node and deletes it; replaying the same messages again stores nothing new', async () => {
    const messages = [
      { MessageId: 'm1', ReceiptHandle: 'r1', Body: record('a', 3) },
      { MessageId: 'm2', ReceiptHandle: 'r2', Body: record('b', 2) },
    ];
    const config = loadPipelineConfig(env);
    const run = async () => {
      sqs.reset();
      sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
      sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: messages }).resolves({ Messages: [] });
      const sink = realSink();
      try {
        return await createRedrive({
          sqs: new SQSClient({ region: 'eu-west-1' }),
          queueUrl: `https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/shipper-dlq`,
          registry: createRegistry(config.routes),
          config,
          sink,
        })({ maxMessages: 10 });
      } finally {
        await sink.close();
      }
    };
    const first = await run();
    expect(first).toMatchObject({ received: 2, replayed: 2, failed: 0 });
    expect(first.documents).toMatchObject({ indexed: 5, duplicates: 0 });
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(1);
    const second = await run();
    expect(second.documents).toMatchObject({ indexed: 0, duplicates: 5 });
    expect(await countDocuments(client, `${prefix}-generic-*`, { term: { 'aws.cloudwatch.log_group': '/app/redriven' } })).toBe(5);
  });
});
