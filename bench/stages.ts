// npm run bench:stages: where a full batch's time goes, stage by stage, beside the floor,
// in one process (bundled like the bench). Each stage is timed alone over the same batch.
import { gunzipSync, gzipSync } from 'node:zlib';
import { createRegistry } from '../parsers/registry';
import { loadPipelineConfig } from '../functions/pipeline/config';
import { decodeSubscriptionData } from '../functions/pipeline/decode';
import { buildDocuments } from '../functions/pipeline/process';
import { documentPair } from '../functions/sinks/bulk-body';
import { BULK_GZIP_LEVEL } from '../functions/sinks/bulk-request';
import { SOURCES, generateBatch } from './generate';
import { median } from './measure';

const registry = createRegistry();
const config = loadPipelineConfig({});
const deps = { registry, config, region: 'eu-west-1' };

/** Median milliseconds of `work` over rounds of at least `minMs`. */
function ms(work: () => unknown, minMs = 400): number {
  for (let warm = 0; warm < 3; warm += 1) work();
  const rounds: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    let runs = 0;
    const start = performance.now();
    while (performance.now() - start < minMs / 5) {
      work();
      runs += 1;
    }
    rounds.push((performance.now() - start) / runs);
  }
  return median(rounds);
}

console.log(`Stages of a full 1 MiB batch, milliseconds (Node ${process.version}); the floor is decode + JSON.stringify per event:`);
const rows: string[][] = [];
for (const source of SOURCES) {
  const { event, batch } = generateBatch(source, { maxBytes: 1024 * 1024 });
  const data = event.awslogs.data;
  const decoded = decodeSubscriptionData(data, config.maxDecompressedBytes);
  const floor = ms(() => {
    const payload = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
    for (const logEvent of payload.logEvents) JSON.stringify(logEvent);
  });
  const decode = ms(() => decodeSubscriptionData(data, config.maxDecompressedBytes));
  const entry = registry.route(batch.logGroup);
  const context = { logGroup: batch.logGroup, logStream: batch.logStream, timestamp: 0 };
  const parse = ms(() => decoded.logEvents.forEach((logEvent) => entry.parse(logEvent.message, context)));
  const build = ms(() => buildDocuments(decoded, deps));
  const documents = buildDocuments(decoded, deps).documents;
  const encode = ms(() => documents.forEach(documentPair));
  const body = Buffer.from(documents.map(documentPair).join(''));
  const toBytes = ms(() => Buffer.from(documents.map(documentPair).join(''))) - encode;
  const gzip = ms(() => gzipSync(body, { level: BULK_GZIP_LEVEL }));
  const eventsNdjson = Buffer.from(decoded.logEvents.map((logEvent) => `${JSON.stringify(logEvent)}\n`).join(''));
  const floorGzip = ms(() => gzipSync(eventsNdjson, { level: BULK_GZIP_LEVEL }));
  const fmt = (value: number) => value.toFixed(1);
  rows.push([source, fmt(floor), fmt(floorGzip), fmt(decode), fmt(parse), fmt(build - parse), fmt(encode), fmt(toBytes), fmt(gzip), (body.length / 1048576).toFixed(2), (eventsNdjson.length / 1048576).toFixed(2)]);
}
const header = ['source', 'floor', 'floor gzip', 'decode', 'parse', 'documents', 'encode', 'to bytes', 'gzip', 'body MiB', 'events MiB'];
console.log(header.join('\t'));
for (const row of rows) console.log(row.join('\t'));
