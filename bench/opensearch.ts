// npm run bench:opensearch: the shipper's Lambda handler module into a real OpenSearch node
// (this checkout's, started if none runs, or OPENSEARCH_URL): events/s per dataset, and the store
// size per million events after a force merge, beside the same documents reindexed into an index
// with OpenSearch's default dynamic mapping (what the console's blueprint gives). Prints figures,
// asserts nothing.
//
//   BENCH_EVENTS=50000 npm run bench:opensearch    # events per dataset (default 50,000)
//   npm run bench:opensearch -- --quick            # 10,000 per dataset
//   BENCH_DATASETS=lambda,generic npm run bench:opensearch
//
// Every other variable reaches the handler as it would in Lambda (BULK_MAX_BYTES, BULK_CONCURRENCY,
// a parser option ...), so a change can be measured by running this twice with and without it.
import { gzipSync } from 'node:zlib';
import type { Context } from 'aws-lambda';
import { applyAssets } from '../functions/assets/apply';
import { loadAssetsConfig } from '../functions/assets/config';
import { loadAssetBundle } from '../functions/assets/load';
import type { LogBatch, LogEvent } from '../functions/pipeline/types';
import { DEFAULT_NODE, answers, findRunningNode, startNode, stopNode } from '../test/real-engine/node/opensearch-node';
import { SOURCES, generateBatch, type Source } from './generate';

const QUICK = process.argv.includes('--quick');
const EVENTS = Number(process.env.BENCH_EVENTS ?? (QUICK ? 10_000 : 50_000));
const PREFIX = `bench${Date.now().toString(36)}`;
const DYNAMIC = `${PREFIX}dyn`;

const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const log = (line: string) => process.stderr.write(`${line}\n`);

async function call(url: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(600_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** `count` generated events of one source, cut into deliveries of at most ~1 MB like CloudWatch Logs does. */
function deliveries(source: Source, count: number): { awslogs: { data: string } }[] {
  const { batch } = generateBatch(source, { events: count }, 1);
  const cut: LogEvent[][] = [[]];
  let bytes = 0;
  for (const event of batch.logEvents) {
    const size = JSON.stringify(event).length + 1;
    if (cut.at(-1)!.length > 0 && bytes + size > 1_000_000) {
      cut.push([]);
      bytes = 0;
    }
    cut.at(-1)!.push(event);
    bytes += size;
  }
  return cut.map((logEvents) => {
    const part: LogBatch = { ...batch, logEvents };
    return { awslogs: { data: gzipSync(JSON.stringify(part)).toString('base64') } };
  });
}

const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 600_000 } as unknown as Context;

/** Runs `work` with stdout silenced (Powertools writes a log line and EMF per invocation). */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await work();
  } finally {
    process.stdout.write = write;
  }
}

/** Live segments per shard copy, after a refresh. */
async function segmentsPerShard(url: string, pattern: string): Promise<number> {
  const response = await fetch(`${url}/_cat/segments/${pattern}?format=json`);
  const segments = (await response.json()) as { index: string; shard: string; prirep: string }[];
  const perShard = new Map<string, number>();
  for (const segment of segments) {
    const key = `${segment.index}/${segment.shard}/${segment.prirep}`;
    perShard.set(key, (perShard.get(key) ?? 0) + 1);
  }
  return Math.max(0, ...perShard.values());
}

async function storeBytes(url: string, pattern: string): Promise<{ bytes: number; docs: number }> {
  await call(url, 'POST', `/${pattern}/_refresh`);
  await call(url, 'POST', `/${pattern}/_forcemerge?max_num_segments=1`);
  await call(url, 'POST', `/${pattern}/_flush`);
  // The merged-away segments are deleted once nothing holds them: wait until one remains.
  for (let tries = 0; (await segmentsPerShard(url, pattern)) > 1 && tries < 60; tries += 1) {
    await call(url, 'POST', `/${pattern}/_forcemerge?max_num_segments=1`);
    await call(url, 'POST', `/${pattern}/_refresh`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  const stats = (await call(url, 'GET', `/${pattern}/_stats/store,docs`)) as {
    _all: { primaries: { store: { size_in_bytes: number }; docs: { count: number } } };
  };
  return { bytes: stats._all.primaries.store.size_in_bytes, docs: stats._all.primaries.docs.count };
}

async function main() {
  let url = process.env.OPENSEARCH_URL;
  let started = false;
  if (!url || !(await answers(url))) {
    const running = await findRunningNode(DEFAULT_NODE);
    url = (running ?? (await startNode({ log }))).url;
    started = running === undefined;
  }
  log(`bench:opensearch: node ${url}, ${fmt(EVENTS)} events per dataset, prefix ${PREFIX}`);
  try {
    // Our templates (what `assets apply` installs), one shard, no replica.
    const assets = loadAssetsConfig({ ...process.env, OPENSEARCH_ENDPOINT: url, INDEX_PREFIX: PREFIX, INDEX_REPLICAS: '0' });
    const bundle = loadAssetBundle(assets);
    await applyAssets(assets, { bundle: { ...bundle, ismPolicies: [], monitors: [], savedObjects: [], channel: undefined } });

    process.env.OPENSEARCH_ENDPOINT = url;
    process.env.INDEX_PREFIX = PREFIX;
    process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'CwlOpenSearchBench';
    const { handler } = await import('../functions/shipper/handler');

    const rows: string[][] = [];
    const only = process.env.BENCH_DATASETS?.split(',').map((name) => name.trim());
    for (const source of SOURCES.filter((name) => only === undefined || only.includes(name))) {
      const events = deliveries(source, EVENTS);
      const start = performance.now();
      await quietly(async () => {
        for (const event of events) await handler(event, context);
      });
      const seconds = (performance.now() - start) / 1000;
      const ours = await storeBytes(url, `${PREFIX}-${source}-*`);
      // The same documents under the default dynamic mapping: every string a text field with a
      // keyword sub-field, every number a long or float, one shard, no replica.
      await call(url, 'PUT', `/${DYNAMIC}-${source}`, { settings: { number_of_shards: 1, number_of_replicas: 0 } });
      await call(url, 'POST', '/_reindex?wait_for_completion=true&refresh=true', {
        source: { index: `${PREFIX}-${source}-*` },
        dest: { index: `${DYNAMIC}-${source}` },
      });
      const dynamic = await storeBytes(url, `${DYNAMIC}-${source}`);
      const segments = `${await segmentsPerShard(url, `${PREFIX}-${source}-*`)}/${await segmentsPerShard(url, `${DYNAMIC}-${source}`)}`;
      const perMillion = (bytes: number, docs: number) => (bytes / docs) * 1e6;
      const oursMiB = perMillion(ours.bytes, ours.docs) / 1048576;
      const dynamicMiB = perMillion(dynamic.bytes, dynamic.docs) / 1048576;
      rows.push([
        source,
        fmt(ours.docs),
        fmt(EVENTS / seconds),
        fmt(oursMiB, 1),
        fmt(dynamicMiB, 1),
        `${fmt((1 - oursMiB / dynamicMiB) * 100, 1)} %`,
      ]);
      log(`  ${source}: done (segments per shard after the merge, ours/dynamic: ${segments})`);
    }
    const header = ['dataset', 'documents', 'events/s (handler -> node)', 'MiB per 1M events, our templates', 'MiB per 1M, default dynamic mapping', 'ours smaller by'];
    console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
    console.log('\nStore sizes are primaries after a force merge to one segment; events/s is sequential invocations of the handler module (tsx), node and bench sharing the machine.');
  } finally {
    await fetch(`${url}/${PREFIX}-*,${DYNAMIC}-*`, { method: 'DELETE' }).catch(() => undefined);
    const names = loadAssetBundle(loadAssetsConfig({ OPENSEARCH_ENDPOINT: url, INDEX_PREFIX: PREFIX }));
    for (const template of names.indexTemplates) await fetch(`${url}/_index_template/${template.name}`, { method: 'DELETE' }).catch(() => undefined);
    for (const template of names.componentTemplates) await fetch(`${url}/_component_template/${template.name}`, { method: 'DELETE' }).catch(() => undefined);
    if (started) await stopNode(DEFAULT_NODE);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:opensearch failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
