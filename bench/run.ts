// npm run bench: throughput of the shipper end to end (bulk encoder, gzip, HTTP to a stub
// _bulk on 127.0.0.1) and without the network, each beside a floor measured in the same
// process; each parser alone; adversarial inputs; the synthesized CDK asset's size and load
// time with its deployed environment; peak memory of the bundled handler against the floor.
// Prints figures, asserts nothing. `--node <path>` or BENCH_NODE runs it on another Node.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createRegistry } from '../parsers/registry';
import type { ParserId } from '../parsers/types';
import { loadPipelineConfig } from '../functions/pipeline/config';
import { createShipper } from '../functions/shipper/shipper';
import { createOpenSearchSinkFromEnv } from '../functions/sinks/sink-from-env';
import { OUT, ROOT, bundle } from './bundle';
import { findShipper, loadInFreshProcesses, synthesize } from './deployed';
import { EncodingSink } from './encoding-sink';
import { SOURCES, generateBatch, type GeneratedBatch } from './generate';
import { postGzipped, startStub } from './http';
import { compare, median, timeOnce } from './measure';

// `--node <path>` (or BENCH_NODE): run this same bundle again under that Node binary.
const nodeAt = process.argv.indexOf('--node');
const otherNode = nodeAt === -1 ? process.env.BENCH_NODE : process.argv[nodeAt + 1];
// BENCH_RERUN marks the child: a path that is not this process's execPath (`--node node`)
// must not make the child start another one.
if (otherNode !== undefined && otherNode !== process.execPath && process.env.BENCH_RERUN === undefined) {
  const args = process.argv.slice(2).filter((_, position) => position !== nodeAt - 2 && position !== nodeAt - 1);
  const rerun = spawnSync(otherNode, [process.argv[1]!, ...args], { stdio: 'inherit', env: { ...process.env, BENCH_NODE: otherNode, BENCH_RERUN: '1' } });
  process.exit(rerun.status ?? 1);
}

const QUICK = process.argv.includes('--quick');
// `--memory`: the peak-memory section alone; BENCH_MEMORY_FLAGS (e.g. "--max-semi-space-size=1")
// go to both of its processes, to see how much of the difference is the V8 heap's sizing.
const MEMORY_ONLY = process.argv.includes('--memory');
const MEMORY_FLAGS = (process.env.BENCH_MEMORY_FLAGS ?? '').split(' ').filter((flag) => flag !== '');
const ROUNDS = QUICK ? 1 : 3;
const MIN_MS = QUICK ? 200 : 700;
const TARGETS = { floorRatio: 0.6, peakRssRatio: 1.2, bundleBytes: 1024 * 1024, loadMs: 150 };
const REGION = 'eu-west-1';

mkdirSync(OUT, { recursive: true });
const config = loadPipelineConfig({});
const registry = createRegistry();
const stubFile = (await bundle(join(ROOT, 'bench/stub-server.ts'), 'stub-server')).file;
const stub = await startStub(process.execPath, stubFile);
const shipOffline = createShipper({ registry, config, region: REGION, sink: new EncodingSink(config.indexing) });
const shipHttp = createShipper({
  registry,
  config,
  region: REGION,
  // As in Lambda: the sink built from the environment, gzip on (OPENSEARCH_COMPRESSION's default).
  sink: createOpenSearchSinkFromEnv({ OPENSEARCH_ENDPOINT: stub.url }, config.indexing).sink,
});
const floorAgent = new Agent({ keepAlive: true });

/** The floor: what any shipper must do at least: base64 + gunzip + JSON.parse + JSON.stringify of one line per event. */
function floor(generated: GeneratedBatch): void {
  const payload = JSON.parse(gunzipSync(Buffer.from(generated.event.awslogs.data, 'base64')).toString('utf8'));
  for (const event of payload.logEvents) JSON.stringify(event);
}

/** The floor through HTTP: the same, the lines joined into one NDJSON body, gzipped at the sink's level, one POST. */
async function floorHttp(generated: GeneratedBatch): Promise<void> {
  const payload = JSON.parse(gunzipSync(Buffer.from(generated.event.awslogs.data, 'base64')).toString('utf8'));
  let ndjson = '';
  for (const event of payload.logEvents) ndjson += `${JSON.stringify(event)}\n`;
  const status = await postGzipped(stub.url, ndjson, floorAgent);
  if (status !== 200) throw new Error(`floor POST answered ${status}`);
}

const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const rows: string[][] = [];
const misses: string[] = [];
const cpu = cpus()[0]?.model ?? 'unknown CPU';

console.log(`cwl-opensearch benchmark (Node ${process.version}, ${process.arch}, ${cpus().length} CPUs: ${cpu}; load average ${loadavg().map((load) => fmt(load, 1)).join(' ')}; esbuild bundle${QUICK ? ', --quick' : ''})\n`);
if (!MEMORY_ONLY) {
  console.log('Shipper on generated batches, end to end: bulk encoder, gzip, HTTP POST to a stub _bulk on 127.0.0.1;');
  console.log('and without the network (bodies encoded, not gzipped, not sent). Each beside its floor, in alternating rounds:');
}
const fullBatches: GeneratedBatch[] = [];
for (const source of SOURCES) {
  for (const limit of [{ events: 100 }, { maxBytes: 1024 * 1024 }]) {
    const generated = generateBatch(source, limit);
    if (limit.maxBytes !== undefined) fullBatches.push(generated);
    if (MEMORY_ONLY) continue;
    const events = generated.batch.logEvents.length;
    const http = await compare(() => shipHttp(generated.event), () => floorHttp(generated), ROUNDS, MIN_MS);
    const offline = await compare(() => shipOffline(generated.event), () => floor(generated), ROUNDS, MIN_MS);
    const ratio = http.subject / http.floor;
    if (limit.maxBytes !== undefined && ratio < TARGETS.floorRatio) misses.push(`${source} full batch at ${fmt(ratio, 2)} of the floor through HTTP`);
    rows.push([
      source,
      generated.label,
      fmt(events),
      fmt(http.subject * events),
      fmt((http.subject * generated.payloadBytes) / 1048576, 1),
      fmt(http.floor * events),
      fmt(ratio, 2),
      fmt(offline.subject * events),
      fmt(offline.floor * events),
      fmt(offline.subject / offline.floor, 2),
    ]);
  }
}
if (!MEMORY_ONLY) printTable(['source', 'batch', 'events', 'HTTP events/s', 'HTTP MB/s', 'HTTP floor events/s', 'ratio', 'no-net events/s', 'floor events/s', 'ratio'], rows);
if (!MEMORY_ONLY) {
  console.log(`  (target: the full batches at >= ${TARGETS.floorRatio} of the floor through HTTP)`);

  console.log('\nParsers alone (parse only, full batches) beside the same floor:');
  const parserRows: string[][] = [];
  for (const generated of fullBatches) {
    const entry = registry.route(generated.batch.logGroup);
    const messages = generated.batch.logEvents;
    const context = { logGroup: generated.batch.logGroup, logStream: generated.batch.logStream, timestamp: 0 };
    const rates = await compare(() => messages.forEach((event) => entry.parse(event.message, context)), () => floor(generated), ROUNDS, MIN_MS);
    parserRows.push([entry.id, fmt(messages.length), fmt(rates.subject * messages.length), fmt(rates.floor * messages.length), fmt(rates.subject / rates.floor, 2)]);
  }
  printTable(['parser', 'events', 'parser events/s', 'floor events/s', 'ratio'], parserRows);

  console.log('\nAdversarial 1 MB messages (one parse each, milliseconds):');
  const MB = 1024 * 1024;
  const adversarial: Record<string, string> = {
    spaces: ' '.repeat(MB),
    hashes: '#'.repeat(MB),
    'newlines': '\n'.repeat(MB),
    '"# Query_time: " repeated': '# Query_time: '.repeat(MB / 14),
    '"# User@Host: a[a] @ " repeated': '# User@Host: a[a] @ '.repeat(MB / 20),
    '"REPORT RequestId: " repeated': 'REPORT RequestId: '.repeat(MB / 18),
    'tabs after REPORT': `REPORT RequestId: x${'\t'.repeat(MB)}`,
    'open braces': '{'.repeat(MB),
    'quoted JSON string': `{"eventSource":"athena.amazonaws.com","x":"${'\\"'.repeat(MB / 2)}"}`,
    "'a' repeated in SQL quotes": `# User@Host: a[a] @  [1.1.1.1]\n# Query_time: 1  Lock_time: 0 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1;\nSELECT '${"a'".repeat(MB / 2)}`,
  };
  const parserIds: ParserId[] = ['rds-mysql-slowquery', 'lambda', 'athena-cloudtrail', 'generic'];
  const adversarialRows = Object.entries(adversarial).map(([name, message]) => [
    name,
    ...parserIds.map((id) => fmt(timeOnce(() => registry.get(id).parse(message, { logGroup: '/aws/lambda/x', logStream: 's', timestamp: 0 })), 1)),
  ]);
  printTable(['input', ...parserIds], adversarialRows);
}

if (!MEMORY_ONLY) console.log('\nThe shipper as deployed: the CDK asset of `cdk synth` (example configuration), loaded with its deployed environment:');
const synthOut = join(OUT, 'cdk.out');
if ((!QUICK && !MEMORY_ONLY) || !existsSync(join(synthOut, 'manifest.json'))) synthesize(ROOT, synthOut);
const deployed = findShipper(synthOut);
const { NODE_OPTIONS: deployedOptions, ...withoutOptions } = deployed.environment;
if (!MEMORY_ONLY) {
  const loadRuns = QUICK ? 3 : 9;
  const asDeployed = loadInFreshProcesses(process.execPath, deployed.file, deployed.environment, loadRuns);
  const otherOptions = deployedOptions === undefined ? { ...withoutOptions, NODE_OPTIONS: '--enable-source-maps' } : withoutOptions;
  const other = loadInFreshProcesses(process.execPath, deployed.file, otherOptions, loadRuns);
  if (deployed.bytes > TARGETS.bundleBytes) misses.push(`bundle ${fmt(deployed.bytes / 1024)} KiB`);
  if (asDeployed.ms > TARGETS.loadMs) misses.push(`module load as deployed ${fmt(asDeployed.ms, 1)} ms`);
  console.log(`  runtime ${deployed.runtime}; index.mjs ${fmt(deployed.bytes / 1024, 1)} KiB (target under ${fmt(TARGETS.bundleBytes / 1024)} KiB), source map ${fmt(deployed.mapBytes / 1024, 1)} KiB`);
  console.log(`  as deployed (NODE_OPTIONS=${deployedOptions ?? '(unset)'}): load ${fmt(asDeployed.ms, 1)} ms median of ${loadRuns} fresh processes (target under ${TARGETS.loadMs} ms; ${fmt(asDeployed.cpuMs, 1)} ms of CPU), RSS after load ${fmt(asDeployed.rssMb, 1)} MB`);
  console.log(`  for comparison (NODE_OPTIONS=${otherOptions.NODE_OPTIONS ?? '(unset)'}): load ${fmt(other.ms, 1)} ms (${fmt(other.cpuMs, 1)} ms of CPU), RSS after load ${fmt(other.rssMb, 1)} MB`);
}

console.log('\nPeak memory: a fresh process loads the bundled handler, then ships a full batch through it to the stub,');
console.log(`or does the floor (decode, one NDJSON line per event, gzip, one POST); the deployed NODE_OPTIONS in both${MEMORY_FLAGS.length > 0 ? `, and ${MEMORY_FLAGS.join(' ')}` : ''}:`);
const probe = await bundle(join(ROOT, 'bench/peak-memory.ts'), 'peak-memory');
const memoryRows: string[][] = [];
const probeEnv = {
  PATH: process.env.PATH ?? '',
  ...(deployedOptions !== undefined && { NODE_OPTIONS: deployedOptions }),
  OPENSEARCH_ENDPOINT: stub.url,
  AWS_REGION: REGION,
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_NAMESPACE: 'bench',
};
const peakOf = (file: string, mode: string): { loadedMb: number; peakMb: number } => {
  const runs = Array.from({ length: QUICK ? 1 : 3 }, () => {
    const child = spawnSync(process.execPath, [...MEMORY_FLAGS, probe.file, file, mode], { encoding: 'utf8', env: probeEnv });
    const line = child.stdout.trim().split('\n').at(-1) ?? '';
    if (child.status !== 0 || !line.startsWith('{')) throw new Error(`peak-memory ${mode} failed: ${child.stderr.slice(-1000)}`);
    return JSON.parse(line) as { loadedMb: number; peakMb: number };
  });
  return { loadedMb: median(runs.map((run) => run.loadedMb)), peakMb: median(runs.map((run) => run.peakMb)) };
};
for (const generated of fullBatches) {
  const file = join(OUT, `${generated.source}-full.json`);
  writeFileSync(file, JSON.stringify(generated.event));
  const shipped = peakOf(file, 'handler');
  const floored = peakOf(file, 'floor');
  const ratio = shipped.peakMb / floored.peakMb;
  if (ratio > TARGETS.peakRssRatio) misses.push(`${generated.source} peak RSS ${fmt(ratio, 2)}x the floor's`);
  memoryRows.push([generated.source, fmt(generated.batch.logEvents.length), fmt(shipped.loadedMb, 1), fmt(shipped.peakMb, 1), fmt(floored.peakMb, 1), fmt(ratio, 2)]);
}
printTable(['source', 'events', 'RSS after load MB', 'handler peak MB', 'floor peak MB', 'ratio'], memoryRows);
console.log(`  (median of ${QUICK ? 1 : 3} processes each; target: at most ${TARGETS.peakRssRatio}x the floor's peak)`);
stub.stop();
floorAgent.destroy();

console.log(`\nLoad average at the end: ${loadavg().map((load) => fmt(load, 1)).join(' ')}.`);
console.log(`Targets: >= ${TARGETS.floorRatio} of the floor through HTTP on full batches, peak RSS <= ${TARGETS.peakRssRatio}x the floor's, bundle < 1 MiB, load as deployed < ${TARGETS.loadMs} ms.`);
console.log(`${MEMORY_ONLY ? '(--memory: the peak-memory section only) ' : ''}${misses.length === 0 ? 'All targets met in this run.' : `Not met in this run: ${misses.join('; ')}.`}`);
process.exit(0);

function printTable(header: string[], body: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `  ${cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`;
  console.log(line(header));
  console.log(`  ${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const row of body) console.log(line(row));
}
