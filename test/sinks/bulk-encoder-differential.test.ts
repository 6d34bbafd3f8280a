/**
 * Differential test of the bulk encoder: for every document, the NDJSON pair it writes
 * (straight from the event, the parse result and the batch's constant envelope) must be
 * byte for byte `JSON.stringify` of the action and of the document's source object, and
 * request bodies (cut, gzipped) must parse to exactly those actions and documents. Run on
 * the shared corpus, the bundled samples, generated batches and fuzzed messages and fields.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SOURCES, generateBatch } from '../../bench/generate';
import { createRegistry } from '../../parsers/registry';
import type { Fields, ParseResult } from '../../parsers/types';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { decodeSubscriptionData } from '../../functions/pipeline/decode';
import { buildDocument } from '../../functions/pipeline/document';
import { buildDocuments } from '../../functions/pipeline/process';
import type { LogBatch, LogDocument } from '../../functions/pipeline/types';
import { documentPair } from '../../functions/sinks/bulk-body';
import { encodeRequest } from '../../functions/sinks/bulk-request';
import { makeBatch } from '../helpers/batches';

const ROOT = resolve(import.meta.dirname, '../..');
// Beside the project (main) or two levels up (a worktree under wt/).
const CORPUS = [resolve(ROOT, '../shared/corpus'), resolve(ROOT, '../../shared/corpus')].find(existsSync) ?? resolve(ROOT, '../shared/corpus');
const SAMPLES = join(ROOT, 'test/fixtures/samples');
const registry = createRegistry();
const config = loadPipelineConfig({});
const dropping = loadPipelineConfig({ DROP_PARSED_MESSAGE: 'true' });
/** One log group per parser, so every message goes through each of them. */
const LOG_GROUPS = ['/aws/rds/instance/db-1/slowquery', '/aws/lambda/orders', 'aws-cloudtrail-logs-123456789012-abc', '/ecs/app'];

/** The reference: what the encoder wrote before, `JSON.stringify` of the action and of the source object. */
function referencePair(document: LogDocument): string {
  return `${JSON.stringify({ create: { _index: document.index, _id: document.id } })}\n${JSON.stringify(document.source)}\n`;
}

/** Builds a batch's documents and checks each pair; returns how many were checked. */
function checkBatch(batch: LogBatch, region?: string, pipeline = config): number {
  return checkDocuments(batch, region, pipeline).checked;
}

/** Checks each pair; also counts the documents shipped without their message (DROP_PARSED_MESSAGE). */
function checkDocuments(batch: LogBatch, region?: string, pipeline = config): { checked: number; dropped: number } {
  const { documents } = buildDocuments(batch, { registry, config: pipeline, ...(region !== undefined && { region }) });
  let dropped = 0;
  for (const document of documents) {
    // The encoder first: reading `source` builds the object, which later calls would reuse.
    const pair = documentPair(document);
    const reference = referencePair(document);
    if (pair !== reference) expect(pair).toBe(reference);
    if (!('message' in document.source)) dropped += 1;
  }
  return { checked: documents.length, dropped };
}

const messagesBatch = (logGroup: string, messages: readonly string[], overrides: Partial<LogBatch> = {}) =>
  makeBatch(logGroup, messages, overrides);

/** Every file of the corpus as messages: whole, line by line, and its JSON records. */
function corpusMessages(): string[] {
  const messages: string[] = [];
  const walk = (directory: string): void => {
    for (const name of readdirSync(directory)) {
      const path = join(directory, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.md')) {
        const raw = readFileSync(path);
        const text = name.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
        messages.push(text, ...text.split('\n'), ...text.split(/\n(?=# Time:)/));
        if (name.endsWith('.json')) messages.push(...jsonRecords(text));
      }
    }
  };
  walk(CORPUS);
  return messages;
}

/** CloudTrail records and CloudWatch log events found in a JSON file, as messages. */
function jsonRecords(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      if (typeof record.message === 'string') found.push(record.message);
      if (typeof record.eventSource === 'string') found.push(JSON.stringify(record));
      Object.values(record).forEach(visit);
    }
  };
  visit(value);
  return found;
}

describe('bulk encoder: byte for byte JSON.stringify of the same documents', () => {
  it.skipIf(!existsSync(CORPUS))('on the whole shared corpus, through every parser', () => {
    const messages = corpusMessages();
    let checked = 0;
    for (const logGroup of LOG_GROUPS) checked += checkBatch(messagesBatch(logGroup, messages), 'eu-west-1');
    expect(checked).toBe(messages.length * LOG_GROUPS.length);
    expect(checked).toBeGreaterThan(10_000);
  });

  it.skipIf(!existsSync(CORPUS))('on the whole shared corpus with DROP_PARSED_MESSAGE, which drops slow-query and Lambda messages too', () => {
    const messages = corpusMessages();
    const results = LOG_GROUPS.map((logGroup) => checkDocuments(messagesBatch(logGroup, messages), 'eu-west-1', dropping));
    expect(results.map(({ checked }) => checked)).toEqual(LOG_GROUPS.map(() => messages.length));
    // LOG_GROUPS[0] is the slow-query parser's, [1] the Lambda parser's.
    expect(results[0]!.dropped).toBeGreaterThan(0);
    expect(results[1]!.dropped).toBeGreaterThan(0);
  });

  it('on the bundled samples', () => {
    const files = readdirSync(SAMPLES).filter((name) => name.endsWith('.json'));
    let checked = 0;
    for (const name of files) {
      const event = JSON.parse(readFileSync(join(SAMPLES, name), 'utf8')) as { awslogs: { data: string } };
      checked += checkBatch(decodeSubscriptionData(event.awslogs.data, config.maxDecompressedBytes));
      checked += checkBatch(decodeSubscriptionData(event.awslogs.data, config.maxDecompressedBytes), 'us-east-1');
      checked += checkBatch(decodeSubscriptionData(event.awslogs.data, config.maxDecompressedBytes), 'us-east-1', dropping);
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('on generated batches of every source, with and without account, region and invalid UTF-8 tags', () => {
    for (const source of SOURCES) {
      for (const seed of [1, 2]) {
        const { batch } = generateBatch(source, { events: 400 }, seed);
        checkBatch(batch);
        checkBatch(batch, 'ap-south-2');
        checkBatch({ ...batch, owner: '' });
        checkBatch({ ...batch, owner: '', invalidUtf8: true } as LogBatch, 'eu-west-1');
        checkBatch(batch, 'eu-west-1', dropping);
      }
    }
  });

  const tricky = fc.constantFrom('"', '\\', '\n', '\r', '\t', '\u0000', '\u0001', '\u001f', '\u007f', '\u2028', '\u2029', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', 'é', '€', '</script>', '{', '}', '[', ']', ':', ',');
  const numberText = fc.oneof(
    fc.constantFrom('1e308', '1e309', '-1e309', '-0', '0.1', '5e-324', '9007199254740993', '-9007199254740993', '1.7976931348623157e308', '123456789012345678901234567890'),
    fc.double().map(String),
    fc.integer().map(String),
  );
  const text = fc.array(fc.oneof(tricky, numberText, fc.string({ unit: 'binary', maxLength: 20 })), { maxLength: 30 }).map((parts) => parts.join(''));
  /** Messages shaped for each parser, so the fuzz reaches their fields as well as their failures. */
  const message = fc.oneof(
    text,
    fc.tuple(text, numberText).map(([free, number]) => `REPORT RequestId: ${free}\tDuration: ${number} ms\tBilled Duration: ${number} ms\tMemory Size: ${number} MB\tMax Memory Used: ${number} MB\t`),
    fc.tuple(text, numberText).map(([free, number]) => `2026-11-22T10:00:00.000Z\t8f3e2d1c-0b9a-4877-8665-544332211000\tINFO\t${free} ${number}`),
    fc.tuple(text, numberText).map(([free, number]) => `# Time: 2026-11-22T10:00:00.000000Z\n# User@Host: ${free}[x] @  [10.0.0.1]\n# Query_time: ${number}  Lock_time: ${number} Rows_sent: ${number}  Rows_examined: 1\nSET timestamp=1795341600;\nSELECT '${free}', ${number};`),
    fc.tuple(text, numberText, fc.jsonValue()).map(([free, number, value]) => `{"eventSource":"athena.amazonaws.com","eventName":"StartQueryExecution","eventTime":"2026-11-22T10:00:00Z","eventID":${JSON.stringify(free)},"awsRegion":"eu-west-1","x":${number},"requestParameters":{"queryString":${JSON.stringify(free)},"v":${JSON.stringify(value)}}}`),
    fc.tuple(text, fc.jsonValue()).map(([free, value]) => JSON.stringify({ level: free, msg: free, value })),
  );

  it('on fuzzed messages: quotes, control characters, lone surrogates, number edges', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 8 }), fc.constantFrom(...LOG_GROUPS), fc.option(text, { nil: undefined }), (messages, logGroup, stream) => {
        const batch = messagesBatch(logGroup, messages, stream === undefined ? {} : { logStream: stream, owner: stream });
        checkBatch(batch, 'eu-west-1');
        checkBatch(batch, 'eu-west-1', dropping);
      }),
      { numRuns: 400 },
    );
  });

  it('on very long messages', () => {
    const long = `"\\\u0000\ud800${'x'.repeat(1_500_000)}é\u2028`;
    for (const logGroup of LOG_GROUPS) checkBatch(messagesBatch(logGroup, [long, `REPORT RequestId: ${long}`]));
  });

  /** Keys that meet the envelope, inherited names, integer-like and JSON-special names. */
  const key = fc.oneof(
    fc.constantFrom('event', 'aws', 'cloud', 'tags', 'error', 'message', '@timestamp', 'cloudwatch', 'dataset', 'ingested', 'event_id', 'log_group', 'account', 'region', 'id', 'constructor', 'toString', 'hasOwnProperty', 'toJSON', '0', '7', '01', '4294967295', 'a b', '"q"', 'é'),
    fc.string({ maxLength: 6 }),
  );
  /**
   * Objects that JSON.stringify does not write as their own members: a `toJSON` (inherited,
   * as on a Date), boxed primitives; and one without a prototype.
   */
  const odd = fc.constantFrom<unknown>(
    new Date(0),
    new Number(5),
    new String('ab'),
    new Boolean(false),
    Object.assign(Object.create({ toJSON: () => ({ inherited: true }) }) as object, { own: 1 }),
    Object.assign(Object.create(null) as object, { bare: 1 }),
  );
  const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), fc.constant(undefined), odd, tie('object')),
    object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
  })).value;
  const object = fc.dictionary(key, value, { maxKeys: 4 });
  const fields = fc.oneof(
    fc.dictionary(key, value, { maxKeys: 6 }),
    // Objects meeting every object of the envelope, one level down too.
    fc.record(
      { event: fc.oneof(object, odd), aws: fc.oneof(fc.record({ cloudwatch: object, lambda: value }, { requiredKeys: [] }), odd), cloud: fc.record({ account: object, region: value }, { requiredKeys: [] }), error: object, tags: value, extra: value },
      { requiredKeys: [] },
    ),
  ) as fc.Arbitrary<Fields>;
  const result: fc.Arbitrary<ParseResult> = fc.oneof(
    fc.record(
      {
        ok: fc.constant(true as const),
        fields,
        readFully: fc.constant(true as const),
        timestamp: fc.constantFrom('2026-11-22T01:00:00+02:00', '2026-11-22T10:00:00Z', 'not a date'),
        id: text,
        region: fc.constantFrom('', 'us-east-2'),
        tags: fc.array(fc.constantFrom('cold_start', 'truncated', 'parse_failure', 'invalid_utf8'), { maxLength: 3 }),
        belongsTo: fc.constant('generic' as const),
      },
      { requiredKeys: ['ok', 'fields'] },
    ),
    fc.record({ ok: fc.constant(false as const), reason: text, fields }, { requiredKeys: ['ok', 'reason'] }),
  );

  it('on fuzzed parse results whose fields meet the envelope', () => {
    fc.assert(
      fc.property(result, fc.constantFrom(...LOG_GROUPS), fc.boolean(), fc.option(fc.constantFrom('eu-west-1', ''), { nil: undefined }), fc.boolean(), (parsed, logGroup, invalidUtf8, region, dropParsedMessage) => {
        const batch = messagesBatch(logGroup, ['the message'], invalidUtf8 ? { owner: '' } : {});
        const document = buildDocument(batch.logEvents[0]!, parsed, {
          batch,
          entry: registry.route(logGroup),
          resolve: registry.get,
          indexing: { ...config.indexing, dropParsedMessage },
          ingested: '2026-11-22T12:00:00.000Z',
          ...(region !== undefined && { region }),
          ...(invalidUtf8 && { batchTags: ['invalid_utf8'] }),
        });
        const pair = documentPair(document);
        expect(pair).toBe(referencePair(document));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('bulk requests: cut, gzipped, they parse to exactly the same actions and documents', () => {
  const parseLines = (ndjson: string): unknown[] => ndjson.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));

  for (const gzip of [true, false]) {
    it(`holds every document once, in order, within the limits (gzip ${gzip})`, async () => {
      const { batch } = generateBatch('lambda', { events: 700 }, 3);
      const long = makeBatch('/ecs/app', ['y'.repeat(200_000), 'ü'.repeat(30_000), '\ud800'.repeat(25_000)]);
      const documents = [...buildDocuments(batch, { registry, config }).documents, ...buildDocuments(long, { registry, config }).documents];
      const limits = { maxBytes: 100_000, maxDocuments: 150 };
      const bodies: string[] = [];
      for (let start = 0; start < documents.length; ) {
        const request = await encodeRequest(documents, start, limits, gzip);
        const ndjson = (gzip ? gunzipSync(request.body) : request.body).toString('utf8');
        expect(Buffer.byteLength(ndjson)).toBe(request.bytes);
        expect(request.end - start).toBeLessThanOrEqual(limits.maxDocuments);
        if (request.end - start > 1) expect(request.bytes).toBeLessThanOrEqual(limits.maxBytes);
        expect(request.end).toBeGreaterThan(start);
        bodies.push(ndjson);
        start = request.end;
      }
      expect(bodies.length).toBeGreaterThan(5);
      const reference = documents.map(referencePair).join('');
      expect(bodies.join('')).toBe(reference);
      expect(parseLines(bodies.join(''))).toEqual(parseLines(reference));
    });
  }
});
