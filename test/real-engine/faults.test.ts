import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateBatch } from '../../bench/generate';
import { loadOpenSearchConfig } from '../../functions/pipeline/config';
import type { LogDocument } from '../../functions/pipeline/types';
import { createOpenSearchClient } from '../../functions/sinks/opensearch';
import { OpenSearchSink } from '../../functions/sinks/opensearch-sink';
import { restartNode, startNode, stopNode, type RunningNode } from './node/opensearch-node';
import { applyTemplates, deleteTemplates } from './support/assets';
import { subscriptionEvents } from './support/corpus';
import { countDocuments, deleteIndices, engineClient, engineUrl, refresh, uniquePrefix } from './support/engine';
import { invokeQuietly, loadShipperHandler, metricsOf } from './support/lambda';

/**
 * Issue 9, item 3: idempotency and faults on the real engine, through the Lambda handler
 * module. The cluster-wide block, the 413 and the restart run on a node of their own (started
 * here, with a small http.max_content_length), so that nothing they do can disturb the suite's
 * node.
 */

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/dashboards/schema-fields.json'), 'utf8')) as Record<
  string,
  Record<string, string>
>;

/** Few, quick retries: a fault test waits for the verdict, not for the backoff. */
const QUICK_RETRIES = { BULK_RETRY_MAX_ATTEMPTS: '3', BULK_RETRY_BASE_DELAY_MS: '50', BULK_RETRY_MAX_DELAY_MS: '200' };
const messages = (count: number, tag: string) => Array.from({ length: count }, (_, i) => `${tag} event ${i} ${'x'.repeat(200)}`);

describe('dead letters carry the engine’s own mapper_parsing_exception', () => {
  const client = engineClient();
  const dynamicPrefix = uniquePrefix('dyn');
  const templatedPrefix = uniquePrefix('tpl');

  afterAll(async () => {
    vi.unstubAllEnvs();
    await deleteIndices(client, dynamicPrefix);
    await deleteIndices(client, templatedPrefix);
    await deleteTemplates(templatedPrefix);
    await client.close();
  });

  it('without our templates (dynamic mapping), a JSON log whose field changes type goes to the dead-letter index', async () => {
    const handler = await loadShipperHandler({ OPENSEARCH_ENDPOINT: engineUrl(), INDEX_PREFIX: dynamicPrefix });
    const [event] = subscriptionEvents('/ecs/type-conflict', ['{"n": 1}', '{"n": {"deep": true}}'], 41);
    const { lines } = await invokeQuietly(handler, event);
    expect(metricsOf(lines)).toMatchObject({ DocumentsReceived: 2, DocumentsIndexed: 1, DocumentsDeadLettered: 1 });
    await refresh(client, `${dynamicPrefix}-*`);
    const { body } = await client.search({ index: `${dynamicPrefix}-deadletter-*`, body: { query: { match_all: {} } } });
    const dead = body.hits.hits.map((hit) => hit._source as { error: { type: string; reason: string }; deadletter: { status: number } });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ deadletter: { status: 400 }, error: { type: 'mapper_parsing_exception' } });
    expect(dead[0]!.error.reason).toContain('cloudwatch.json.n');
  });

  it('with our templates, a document the mapping refuses lands in a dead-letter index whose fields match schema.md', async () => {
    await applyTemplates(templatedPrefix);
    const sink = new OpenSearchSink(createOpenSearchClient(loadOpenSearchConfig({}, engineUrl())), {
      indexing: { prefix: templatedPrefix, naming: 'per-source', bulkMaxBytes: 1 << 20, bulkMaxDocuments: 100 },
      retry: { baseDelayMs: 50, maxDelayMs: 200, maxAttempts: 3 },
      ownsClient: true,
    });
    const refused: LogDocument = {
      index: `${templatedPrefix}-generic-2026.11.22`,
      id: 'refused-1',
      dataset: 'cloudwatch.generic',
      source: { '@timestamp': '2026-11-22T10:00:00.000Z', message: 'm', event: { dataset: 'cloudwatch.generic', ingested: 'not a date' } },
    };
    expect(await sink.write([refused])).toMatchObject({ indexed: 0, deadLettered: 1 });
    await sink.close();
    const { body } = await client.get({ index: `${templatedPrefix}-deadletter-2026.11.22`, id: 'refused-1' });
    expect(body._source).toMatchObject({ error: { type: 'mapper_parsing_exception' }, deadletter: { status: 400, id: 'refused-1' } });
    const caps = await client.transport.request({ method: 'GET', path: `/${templatedPrefix}-deadletter-*/_field_caps`, querystring: { fields: '*' } });
    const fields = (caps.body as { fields: Record<string, Record<string, unknown>> }).fields;
    const wrong = Object.entries({ ...schema.envelope, ...schema.deadletter })
      .map(([field, type]) => {
        const found = Object.keys(fields[field] ?? {}).join('|') || 'absent';
        const expected = type === 'text+keyword' || type === 'text (not indexed)' ? 'text' : type;
        return found === expected ? undefined : `${field}: schema.md says ${type}, the engine has ${found}`;
      })
      .filter(Boolean);
    expect(wrong).toEqual([]);
  });
});

describe('the flood-stage block on an index: fails fast, and the retry after it is lifted loses nothing', () => {
  const client = engineClient();
  const prefix = uniquePrefix('blk');

  afterAll(async () => {
    vi.unstubAllEnvs();
    await client.transport.request(
      { method: 'PUT', path: `/${prefix}-*/_settings`, body: { 'index.blocks.read_only_allow_delete': null } },
      { ignore: [404] },
    );
    await deleteIndices(client, prefix);
    await client.close();
  });

  it('item 429 cluster_block_exception: the invocation fails; after the block is lifted the redelivery stores every event once', async () => {
    const handler = await loadShipperHandler({ OPENSEARCH_ENDPOINT: engineUrl(), INDEX_PREFIX: prefix, ...QUICK_RETRIES });
    const all = messages(50, 'blocked');
    // The first ten events arrive first and create the daily index.
    const [firstTen] = subscriptionEvents('/ecs/blocked', all.slice(0, 10), 51);
    expect(metricsOf((await invokeQuietly(handler, firstTen)).lines)).toMatchObject({ DocumentsIndexed: 10 });
    // What the engine itself sets when a disk passes the flood-stage watermark.
    await client.transport.request({ method: 'PUT', path: `/${prefix}-*/_settings`, body: { 'index.blocks.read_only_allow_delete': true } });
    const [everything] = subscriptionEvents('/ecs/blocked', all, 51);
    await expect(invokeQuietly(handler, everything)).rejects.toThrow(/cluster_block_exception|refuses writes/);
    await client.transport.request({ method: 'PUT', path: `/${prefix}-*/_settings`, body: { 'index.blocks.read_only_allow_delete': null } });
    const retry = await invokeQuietly(handler, everything);
    expect(metricsOf(retry.lines)).toMatchObject({ DocumentsIndexed: 40, DocumentsDuplicate: 10, DocumentsDeadLettered: 0 });
    expect(await countDocuments(client, `${prefix}-*`)).toBe(50);
  });
});

describe('on a node of its own: a cluster-wide block, a real 413, a restart in the middle of a replay', () => {
  const prefix = uniquePrefix('own');
  /** Small enough that a 1 MB batch must be split several times, large enough for one event. */
  const MAX_CONTENT = 100 * 1024;
  let node: RunningNode;
  let client: ReturnType<typeof engineClient>;

  beforeAll(async () => {
    node = await startNode({ name: 'faults', settings: { 'http.max_content_length': `${MAX_CONTENT}b` } });
    client = engineClient(node.url);
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await client?.close();
    await stopNode('faults');
  });

  it('a cluster-wide read-only block (request 403): the invocation fails; lifted, the redelivery stores every event', async () => {
    const handler = await loadShipperHandler({ OPENSEARCH_ENDPOINT: node.url, INDEX_PREFIX: `${prefix}ro`, ...QUICK_RETRIES });
    const [event] = subscriptionEvents('/ecs/read-only', messages(30, 'ro'), 61);
    await client.cluster.putSettings({ body: { persistent: { 'cluster.blocks.read_only': true } } });
    try {
      await expect(invokeQuietly(handler, event)).rejects.toThrow(/cluster_block_exception|refuses writes/);
    } finally {
      await client.cluster.putSettings({ body: { persistent: { 'cluster.blocks.read_only': null } } });
    }
    expect(metricsOf((await invokeQuietly(handler, event)).lines)).toMatchObject({ DocumentsIndexed: 30, DocumentsDeadLettered: 0 });
    expect(await countDocuments(client, `${prefix}ro-*`)).toBe(30);
  });

  it('the engine answers 413 to a bulk body over http.max_content_length, and the handler splits until everything is stored', async () => {
    const oversized = `${JSON.stringify({ index: { _index: `${prefix}probe` } })}\n${JSON.stringify({ m: 'x'.repeat(MAX_CONTENT) })}\n`;
    const probe = await fetch(`${node.url}/_bulk`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: oversized });
    expect(probe.status).toBe(413);
    const handler = await loadShipperHandler({ OPENSEARCH_ENDPOINT: node.url, INDEX_PREFIX: `${prefix}big`, ...QUICK_RETRIES });
    const generated = generateBatch('lambda', { maxBytes: 500_000 }, 7);
    const { lines } = await invokeQuietly(handler, generated.event);
    const events = generated.batch.logEvents.length;
    expect(metricsOf(lines)).toMatchObject({ DocumentsReceived: events, DocumentsIndexed: events, DocumentsDeadLettered: 0 });
    expect(await countDocuments(client, `${prefix}big-*`)).toBe(events);
  });

  it('the node killed in the middle of a replay and started again: after the retries every event is stored exactly once', async () => {
    const handler = await loadShipperHandler({
      OPENSEARCH_ENDPOINT: node.url,
      INDEX_PREFIX: `${prefix}rs`,
      OPENSEARCH_REQUEST_TIMEOUT_MS: '5000',
      ...QUICK_RETRIES,
    });
    // 4,000 events in 20 deliveries of 200.
    const all = messages(4_000, 'replay');
    const deliveries = Array.from({ length: 20 }, (_, i) => subscriptionEvents('/ecs/restart', all.slice(i * 200, (i + 1) * 200), 71 + i)).flat();
    expect(deliveries).toHaveLength(20);
    const failed: unknown[] = [];
    let killed: Promise<void> | undefined;
    for (const [i, delivery] of deliveries.entries()) {
      if (i === 8) killed = stopNode('faults', 'SIGKILL').then(() => undefined); // mid-replay, while deliveries go on
      try {
        await invokeQuietly(handler, delivery);
      } catch {
        failed.push(delivery); // Lambda keeps a failed asynchronous event and invokes again later
      }
    }
    await killed;
    expect(failed.length).toBeGreaterThan(0);
    node = await restartNode(node);
    for (const delivery of failed) await invokeQuietly(handler, delivery);
    // And a duplicate delivery of everything, as CloudWatch Logs may do: nothing new.
    for (const delivery of deliveries) {
      const { lines } = await invokeQuietly(handler, delivery);
      expect(metricsOf(lines)).toMatchObject({ DocumentsIndexed: 0, DocumentsDeadLettered: 0 });
    }
    expect(await countDocuments(client, `${prefix}rs-*`)).toBe(4_000);
  });
});
