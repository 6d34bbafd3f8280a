// npm run bench: throughput of the shipper and of each parser on generated CloudWatch
// batches, next to a floor measured in the same process; adversarial inputs; the bundled
// shipper's size and load time; peak memory for a full batch. Prints figures, asserts nothing.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createRegistry } from '../parsers/registry';
import type { ParserId } from '../parsers/types';
import { loadPipelineConfig } from '../functions/pipeline/config';
import { createShipper } from '../functions/shipper/shipper';
import { OUT, ROOT, bundle, moduleLoadMs } from './bundle';
import { EncodingSink } from './encoding-sink';
import { SOURCES, generateBatch, type GeneratedBatch } from './generate';
import { compare, timeOnce } from './measure';

const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 1 : 3;
const MIN_MS = QUICK ? 200 : 700;
const TARGETS = { floorRatio: 0.6, peakRssMb: 128, bundleBytes: 1024 * 1024, loadMs: 150 };

const config = loadPipelineConfig({});
const registry = createRegistry();
const ship = createShipper({ registry, config, sink: new EncodingSink(config.indexing) });

/** The floor: what any shipper must do at least: base64 + gunzip + JSON.parse + JSON.stringify of one line per event. */
function floor(generated: GeneratedBatch): void {
  const payload = JSON.parse(gunzipSync(Buffer.from(generated.event.awslogs.data, 'base64')).toString('utf8'));
  for (const event of payload.logEvents) JSON.stringify(event);
}

const fmt = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const rows: string[][] = [];
const misses: string[] = [];

console.log(`cwl-opensearch benchmark (Node ${process.version}, ${process.arch}, esbuild bundle${QUICK ? ', --quick' : ''})\n`);
console.log('Shipper on generated batches, no network (documents serialized into bulk bodies, not sent):');
const fullBatches: GeneratedBatch[] = [];
for (const source of SOURCES) {
  for (const limit of [{ events: 100 }, { maxBytes: 1024 * 1024 }]) {
    const generated = generateBatch(source, limit);
    if (limit.maxBytes !== undefined) fullBatches.push(generated);
    const events = generated.batch.logEvents.length;
    const rates = await compare(() => ship(generated.event), () => floor(generated), ROUNDS, MIN_MS);
    const ratio = rates.subject / rates.floor;
    if (limit.maxBytes !== undefined && ratio < TARGETS.floorRatio) misses.push(`${source} full batch at ${fmt(ratio, 2)} of the floor`);
    rows.push([
      source,
      generated.label,
      fmt(events),
      fmt(rates.subject * events),
      fmt((rates.subject * generated.payloadBytes) / 1048576, 1),
      fmt(rates.floor * events),
      fmt(ratio, 2),
    ]);
  }
}
printTable(['source', 'batch', 'events', 'handler events/s', 'handler MB/s', 'floor events/s', 'ratio'], rows);

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

console.log('\nBundled shipper (esbuild, as deployed: Node 22, minified, AWS SDK from the runtime):');
mkdirSync(OUT, { recursive: true });
const shipper = await bundle(join(ROOT, 'functions/shipper/handler.ts'), 'shipper');
const load = moduleLoadMs(shipper.file, QUICK ? 3 : 7);
if (shipper.bytes > TARGETS.bundleBytes) misses.push(`bundle ${fmt(shipper.bytes / 1024)} KiB`);
if (load.median > TARGETS.loadMs) misses.push(`module load ${fmt(load.median, 1)} ms`);
console.log(`  size ${fmt(shipper.bytes / 1024, 1)} KiB (target under ${fmt(TARGETS.bundleBytes / 1024)} KiB)`);
console.log(`  module load ${fmt(load.median, 1)} ms median of ${QUICK ? 3 : 7} fresh processes (target under ${TARGETS.loadMs} ms); importing node:os alone: ${fmt(load.emptyImport, 1)} ms`);

console.log('\nPeak memory, one fresh process per full batch (bundled code, network-free sink):');
const probe = await bundle(join(ROOT, 'bench/peak-memory.ts'), 'peak-memory');
const memoryRows: string[][] = [];
for (const generated of fullBatches) {
  const file = join(OUT, `${generated.source}-full.json`);
  writeFileSync(file, JSON.stringify(generated.event));
  const child = spawnSync(process.execPath, [probe.file, file], { encoding: 'utf8' });
  const { loadedMb, peakMb } = JSON.parse(child.stdout) as { loadedMb: number; peakMb: number };
  if (peakMb > TARGETS.peakRssMb) misses.push(`${generated.source} peak RSS ${fmt(peakMb)} MB`);
  memoryRows.push([generated.source, fmt(generated.batch.logEvents.length), fmt(generated.payloadBytes / 1048576, 2), fmt(loadedMb, 1), fmt(peakMb, 1)]);
}
printTable(['source', 'events', 'payload MiB', 'RSS after load MB', 'peak RSS MB'], memoryRows);

console.log(`\nTargets: >= ${TARGETS.floorRatio} of the floor on full batches, peak RSS < ${TARGETS.peakRssMb} MB, bundle < 1 MiB, load < ${TARGETS.loadMs} ms.`);
console.log(misses.length === 0 ? 'All targets met in this run.' : `Not met in this run: ${misses.join('; ')}.`);

function printTable(header: string[], body: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((row) => row[column]!.length)));
  const line = (cells: string[]) => `  ${cells.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`;
  console.log(line(header));
  console.log(`  ${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const row of body) console.log(line(row));
}
