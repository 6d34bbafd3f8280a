import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAssetBundle } from '../../functions/assets/load';
import type { Json, NamedAsset } from '../../functions/assets/types';
import { applyTemplates, assetsConfigFor, deleteTemplates } from './support/assets';
import { deleteIndices, engineClient, uniquePrefix } from './support/engine';

/**
 * Issue 10, items 1, 3 and 7, on the real engine as far as this node goes. It has no Alerting
 * plugin (not on Maven Central, see support/plugins.ts), so `_execute?dryrun=true` cannot run
 * here. What the plugin does is done by hand, as its source does it: the monitor's search input
 * is rendered with `period_end` (InputService) and sent to the node, and the action message is
 * rendered by the node's own Mustache engine (the one Alerting compiles messages with) against
 * the context of BucketLevelTriggerExecutionContext.asTemplateArg(): `results` is the node's real
 * answer; alerts carry `bucket_keys` only (Alert.asTemplateArg, common-utils).
 */

const prefix = uniquePrefix('mon');
const config = assetsConfigFor(prefix, { ALERT_CHANNEL: 'webhook', ALERT_WEBHOOK_URL: 'http://127.0.0.1:9/x' });
const bundle = loadAssetBundle(config);
const client = engineClient();
const MINUTE = 60_000;
/** The run's period_end: a whole five minutes, well after the seeded documents. */
const PERIOD_END = Math.floor(Date.now() / (5 * MINUTE)) * 5 * MINUTE;
const iso = (ms: number): string => new Date(ms).toISOString();

function monitor(name: string): NamedAsset {
  return bundle.monitors.find((candidate) => candidate.name === `${prefix}-${name}`)!;
}

/** The search input with `{{period_end}}` filled in, as Alerting renders it before searching. */
function searchFor(asset: NamedAsset, periodEnd: number): { indices: string[]; query: Json } {
  const search = ((asset.body.inputs as Json[])[0]!.search ?? {}) as { indices: string[]; query: Json };
  return { indices: search.indices, query: JSON.parse(JSON.stringify(search.query).replaceAll('{{period_end}}', String(periodEnd))) as Json };
}

async function run(asset: NamedAsset, periodEnd = PERIOD_END): Promise<Json> {
  const { indices, query } = searchFor(asset, periodEnd);
  const { body } = await client.transport.request({ method: 'POST', path: `/${indices.join(',')}/_search`, body: query });
  return body as Json;
}

/** Renders the first action's message with the node's Mustache (JSON-escaping, as for Alerting). */
async function renderMessage(asset: NamedAsset, ctx: Json): Promise<string> {
  const trigger = Object.values((asset.body.triggers as Json[])[0]!)[0] as Json;
  const source = ((trigger.actions as Json[])[0]!.message_template as { source: string }).source;
  const { body } = await client.transport.request({
    method: 'POST',
    path: '/_render/template',
    body: { source: `{"message": ${JSON.stringify(source)}}`, params: { ctx } },
  });
  return ((body as { template_output: { message: string } }).template_output).message;
}

async function seed(index: string, documents: Json[]): Promise<void> {
  const lines = documents.flatMap((document, position) => [{ create: { _index: index, _id: `d${position}` } }, document]);
  const { body } = await client.bulk({ body: lines, refresh: 'true' });
  expect((body as { errors: boolean }).errors).toBe(false);
}

beforeAll(async () => {
  await applyTemplates(prefix);
}, 300_000);

afterAll(async () => {
  await deleteIndices(client, prefix);
  await deleteTemplates(prefix);
});

describe('the final pipeline stamps the write time (item 7)', () => {
  it('event.indexed is set by the cluster when it writes a document, and kept by a later update', async () => {
    const index = `${prefix}-generic-2026.12.01`;
    const before = Date.now();
    await client.index({ index, id: 'one', body: { '@timestamp': '2026-12-01T00:00:00Z', message: 'x' }, refresh: 'true' });
    const { body } = await client.get({ index, id: 'one' });
    const stamped = (body._source as { event: { indexed: string } }).event.indexed;
    expect(Date.parse(stamped)).toBeGreaterThanOrEqual(before - 1000);
    // Searchable as a date.
    const { body: found } = await client.search({ index, body: { query: { range: { 'event.indexed': { gte: iso(before - 1000) } } } } });
    expect((found.hits.total as { value: number }).value).toBe(1);
    await client.update({ index, id: 'one', body: { doc: { message: 'y' } }, refresh: 'true' });
    const { body: after } = await client.get({ index, id: 'one' });
    expect((after._source as { event: { indexed: string } }).event.indexed).toBe(stamped);
  });
});

describe('monitor windows (item 7)', () => {
  it('back-to-back runs count every document exactly once, and old events (a backfill) never', async () => {
    const timeouts = monitor('lambda-timeouts');
    const index = `${prefix}-lambda-2026.12.05`;
    // event.indexed given here (the pipeline keeps a value it is given) to place each document.
    const written = [-11, -9.5, -6, -5.99, -1.01, -1, -0.5].map((minutes) => PERIOD_END + minutes * MINUTE);
    await seed(index, [
      ...written.map((at, position) => ({
        '@timestamp': iso(at - MINUTE),
        event: { indexed: iso(at) },
        aws: { lambda: { function_name: 'orders', request_id: `r${position}`, status: 'timeout' } },
      })),
      // A backfill of last week's timeouts, written now.
      { '@timestamp': iso(PERIOD_END - 7 * 24 * 60 * MINUTE), event: { indexed: iso(PERIOD_END - 3 * MINUTE) }, aws: { lambda: { function_name: 'orders', request_id: 'old', status: 'timeout' } } },
    ]);
    const counts: number[] = [];
    for (const end of [PERIOD_END - 5 * MINUTE, PERIOD_END, PERIOD_END + 5 * MINUTE]) {
      const answer = await run(timeouts, end);
      counts.push((answer.aggregations as { timed_out_requests: { value: number } }).timed_out_requests.value);
    }
    // Windows [end-6m, end-1m): -11..-6 | -6..-1 | -1..+4; the last run's window holds -1, -0.5.
    expect(counts).toEqual([2, 3, 2]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(written.length);
  });
});

describe('Lambda timeouts count requests, not lines (item 3)', () => {
  it('a REPORT with Status: timeout and the "Task timed out" line of the same request count once', async () => {
    const timeouts = monitor('lambda-timeouts');
    const index = `${prefix}-lambda-2026.12.06`;
    const at = iso(PERIOD_END - 3 * MINUTE);
    const line = (request: string, extra: Json): Json => ({
      '@timestamp': at,
      event: { indexed: at },
      aws: { lambda: { function_name: 'billing', request_id: request, ...extra } },
    });
    await seed(index, [
      line('a', { record_type: 'REPORT', status: 'timeout' }),
      { ...line('a', { record_type: 'log' }), tags: ['timeout'] },
      line('b', { record_type: 'REPORT', status: 'timeout' }),
      { ...line('b', { record_type: 'log' }), tags: ['timeout'] },
      line('c', { record_type: 'REPORT' }),
    ]);
    const answer = await run(timeouts);
    const functions = (answer.aggregations as { functions: { buckets: Json[] } }).functions.buckets;
    const billing = functions.find((bucket) => bucket.key === 'billing') as { doc_count: number; timed_out_requests: { value: number } };
    expect(billing.doc_count).toBe(4);
    expect(billing.timed_out_requests.value).toBe(2);
    const message = await renderMessage(timeouts, { monitor: { name: timeouts.name }, trigger: { name: 'Any Lambda timeout' }, periodEnd: iso(PERIOD_END), results: [answer] });
    expect(message).toContain('- billing: 2');
  });
});

describe('bucket-level messages print the numbers (item 1)', () => {
  it('Athena: the triggered users only, with bytes and cost, rendered by the node', async () => {
    const athena = monitor('athena-scanned-bytes-per-user');
    const index = `${prefix}-athena-cloudtrail-2026.12.06`;
    const enriched = iso(PERIOD_END - 30 * MINUTE);
    const query = (user: string, bytes: number, cost: number): Json => ({
      '@timestamp': iso(PERIOD_END - 40 * MINUTE),
      event: { action: 'StartQueryExecution', outcome: 'success' },
      user: { name: user },
      aws: { athena: { data_scanned_bytes: bytes, estimated_cost_usd: cost, enriched_at: enriched } },
    });
    const GiB = 1024 ** 3;
    await seed(index, [query('alice@example.com', 80 * GiB, 0.4), query('alice@example.com', 40 * GiB, 0.2), query('bob@example.com', 5 * GiB, 0.03)]);
    const answer = await run(athena);
    const buckets = (answer.aggregations as { composite_agg: { buckets: Json[] } }).composite_agg.buckets;
    // The bucket_selector with the trigger's condition (100 GiB) leaves only alice.
    expect(buckets.map((bucket) => (bucket.key as Json).user)).toEqual(['alice@example.com']);
    const alert = { id: 'a1', state: 'ACTIVE', severity: '3', bucket_keys: 'alice@example.com', parent_bucket_path: 'composite_agg' };
    const message = await renderMessage(athena, {
      monitor: { name: athena.name },
      periodEnd: iso(PERIOD_END),
      results: [answer],
      newAlerts: [alert],
      dedupedAlerts: [],
      completedAlerts: [],
    });
    expect(message).toContain('- alice@example.com: 128,849,018,880 bytes, 0.60 USD, 2 queries');
    expect(message).toContain('New this hour: alice@example.com');
    expect(message).not.toContain('bob');
  });

  it('RDS: the instances over the threshold with their count and slowest query', async () => {
    const rds = monitor('rds-slow-queries-per-instance');
    const index = `${prefix}-rds-mysql-slowquery-2026.12.06`;
    const at = iso(PERIOD_END - 3 * MINUTE);
    const entry = (instance: string, seconds: number): Json => ({
      '@timestamp': at,
      event: { indexed: at },
      aws: { rds: { db_instance: instance } },
      mysql: { slowlog: { query_time_sec: seconds } },
    });
    await seed(index, [
      ...Array.from({ length: 12 }, (_, n) => entry('shop-1', 1 + n / 2)),
      ...Array.from({ length: 3 }, () => entry('shop-2', 9)),
      // An administrator command is no slow query.
      ...Array.from({ length: 12 }, () => ({ ...entry('shop-2', 0.1), mysql: { slowlog: { query_time_sec: 0.1, admin_command: 'Quit' } } })),
    ]);
    const answer = await run(rds);
    const buckets = (answer.aggregations as { composite_agg: { buckets: Json[] } }).composite_agg.buckets;
    expect(buckets.map((bucket) => (bucket.key as Json).instance)).toEqual(['shop-1']);
    const message = await renderMessage(rds, { monitor: { name: rds.name }, periodEnd: iso(PERIOD_END), results: [answer], newAlerts: [{ bucket_keys: 'shop-1' }], dedupedAlerts: [] });
    expect(message).toContain('- shop-1: 12 slow queries, slowest 6.500 s');
  });
});
