// npm run bench:stages: where a full batch's time goes, stage by stage, beside the floor,
// in one process (bundled like the bench). Each stage is timed alone over the same batch,
// synchronously (gzip included), so each figure is CPU time on one core. Then the upper
// bound: the ratio to the HTTP floor that any shipper of these documents could reach if
// parsing and encoding cost nothing, from what it cannot skip (decode the batch, gzip the
// body, and the receiver's gunzip of it, as the bench's stub does), against what the
// floor does (decode, one JSON line per event, gzip, the receiver's gunzip).
import { loadavg } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createRegistry } from '../parsers/registry';
import { loadPipelineConfig } from '../functions/pipeline/config';
import { decodeSubscriptionData } from '../functions/pipeline/decode';
import { buildDocument, type DocumentContext } from '../functions/pipeline/document';
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

const fmt = (value: number, digits = 1) => value.toFixed(digits);
const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
console.log(`Stages of a full 1 MiB batch, milliseconds of one core (Node ${process.version}; load average ${load()}):`);
console.log('  floor = decode + JSON.stringify per event; HTTP floor = floor + gzip of its NDJSON + the receiver\'s gunzip of it;');
console.log('  encode = build the documents, parse each event and write its NDJSON pair (the parse is inside it);');
console.log('  write = the NDJSON pairs of documents already parsed and described (the JSON writer alone); stringify docs =');
console.log('  JSON.stringify of the same action lines and source objects, built beforehand (what a JSON writer in JS cannot beat);');
console.log('  bound = HTTP floor / (decode + gzip of the body + gunzip of it): the most any shipper of these documents');
console.log('  can reach with parsing and encoding free; with parser = the same with the parser alone added below;');
console.log('  with stringify = the same with the parser and JSON.stringify of the documents added: a shipper that writes its');
console.log('  JSON as fast as JSON.stringify and spends nothing else.');
const header = ['source', 'floor', 'HTTP floor', 'decode', 'parse', 'encode', 'write', 'stringify docs', 'gzip body', 'gunzip body', 'body MiB', 'events MiB', 'bound', 'with parser', 'with stringify'];
const rows: string[][] = [];
for (const source of SOURCES) {
  const { event, batch } = generateBatch(source, { maxBytes: 1024 * 1024 });
  const data = event.awslogs.data;
  const decoded = decodeSubscriptionData(data, config.maxDecompressedBytes);
  const floor = ms(() => {
    const payload = JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8'));
    for (const logEvent of payload.logEvents) JSON.stringify(logEvent);
  });
  const eventsNdjson = Buffer.from(decoded.logEvents.map((logEvent) => `${JSON.stringify(logEvent)}\n`).join(''));
  const eventsGzipped = gzipSync(eventsNdjson, { level: BULK_GZIP_LEVEL });
  const floorGzip = ms(() => gzipSync(eventsNdjson, { level: BULK_GZIP_LEVEL }));
  const floorGunzip = ms(() => gunzipSync(eventsGzipped));
  const decode = ms(() => decodeSubscriptionData(data, config.maxDecompressedBytes));
  const entry = registry.route(batch.logGroup);
  const context = { logGroup: batch.logGroup, logStream: batch.logStream, timestamp: 0 };
  const parse = ms(() => decoded.logEvents.forEach((logEvent) => entry.parse(logEvent.message, context)));
  // Documents parse their event when first encoded and keep no result: each round builds them anew.
  const encode = ms(() => buildDocuments(decoded, deps).documents.forEach(documentPair));
  // The writer alone: documents given their parse results, described once, written many times.
  const results = decoded.logEvents.map((logEvent) => entry.parse(logEvent.message, { ...context, timestamp: logEvent.timestamp }));
  const documentContext: DocumentContext = {
    batch: decoded, entry, resolve: registry.get, indexing: config.indexing, ingested: new Date().toISOString(), region: deps.region,
  };
  const described = decoded.logEvents.map((logEvent, position) => buildDocument(logEvent, results[position]!, documentContext));
  described.forEach(documentPair);
  const write = ms(() => described.forEach(documentPair));
  // Separate documents: once `source` is read, a document's JSON is JSON.stringify of it.
  const objects = decoded.logEvents.map((logEvent, position) => {
    const document = buildDocument(logEvent, results[position]!, documentContext);
    return { action: { create: { _index: document.index, _id: document.id } }, source: structuredClone(document.source) };
  });
  const stringifyDocs = ms(() => objects.forEach(({ action, source }) => `${JSON.stringify(action)}\n${JSON.stringify(source)}\n`));
  const body = Buffer.from(buildDocuments(decoded, deps).documents.map(documentPair).join(''));
  const bodyGzipped = gzipSync(body, { level: BULK_GZIP_LEVEL });
  const gzip = ms(() => gzipSync(body, { level: BULK_GZIP_LEVEL }));
  const gunzip = ms(() => gunzipSync(bodyGzipped));
  const httpFloor = floor + floorGzip + floorGunzip;
  const unavoidable = decode + gzip + gunzip;
  rows.push([
    source, fmt(floor), fmt(httpFloor), fmt(decode), fmt(parse), fmt(encode), fmt(write), fmt(stringifyDocs), fmt(gzip), fmt(gunzip),
    fmt(body.length / 1048576, 2), fmt(eventsNdjson.length / 1048576, 2), fmt(httpFloor / unavoidable, 2), fmt(httpFloor / (unavoidable + parse), 2),
    fmt(httpFloor / (unavoidable + parse + stringifyDocs), 2),
  ]);
}
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
const line = (cells: string[]) => `  ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`;
console.log(line(header));
for (const row of rows) console.log(line(row));
console.log(`Load average at the end: ${load()}. Target: 0.6 of the HTTP floor; a bound below it cannot be met by any encoder.`);
