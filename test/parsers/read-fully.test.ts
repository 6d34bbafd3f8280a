/**
 * readFully for the Lambda and slow-query parsers: a message is claimed only when a
 * renderer, reading the document's fields alone, writes it back exactly. Checked on the
 * documents as the bulk body carries them (so the fields a renderer needs are really in
 * the stored document), against an independent recogniser of the spellings AWS and MySQL
 * write (so the claim is made where it should be, not merely never made wrongly), and on
 * damaged lines.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { buildDocuments } from '../../functions/pipeline/process';
import { documentPair } from '../../functions/sinks/bulk-body';
import type { LambdaFields } from '../../parsers/lambda-fields';
import { parseLambdaPlatform } from '../../parsers/lambda-platform';
import { renderLambdaLine } from '../../parsers/lambda-render';
import { parseSlowQuery } from '../../parsers/rds-mysql-slowquery';
import { createRegistry } from '../../parsers/registry';
import { renderSlowQueryEntry } from '../../parsers/slowquery-render';
import type { Fields, ParseContext } from '../../parsers/types';
import { makeBatch } from '../helpers/batches';
import { lambdaMessages, slowQueryMessages, type SourceMessages } from '../helpers/read-fully-messages';
import { describeCorpus } from '../helpers/required-cases';

const registry = createRegistry();
const dropping = loadPipelineConfig({ DROP_PARSED_MESSAGE: 'true' });

type Render = (source: Fields) => string | undefined;

const renderLambdaDocument: Render = (source) =>
  renderLambdaLine(((source['aws'] as Fields | undefined)?.['lambda'] ?? {}) as LambdaFields, source['@timestamp'] as string);
const renderSlowQueryDocument: Render = (source) => renderSlowQueryEntry(source, source['@timestamp'] as string);

interface Shipped {
  readonly message: string;
  readonly dropped: boolean;
  /** What the renderer writes from the document as OpenSearch would store it. */
  readonly rendered: string | undefined;
}

/** Ships the messages with DROP_PARSED_MESSAGE=true and reads each document back from the bulk body. */
function ship(set: SourceMessages, render: Render): Shipped[] {
  const batch = makeBatch(set.logGroup, set.messages, { logStream: set.logStream });
  const { documents } = buildDocuments(batch, { registry, config: dropping });
  return documents.map((document, index) => {
    const source = JSON.parse(documentPair(document).split('\n')[1]!) as Fields;
    return { message: set.messages[index]!, dropped: !('message' in source), rendered: render(source) };
  });
}

// ---- Independent recognisers of the spellings the renderers write --------------------

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const INTEGER = '(?:0|[1-9]\\d*)';
const TWO_DECIMALS = `${INTEGER}\\.\\d{2}`;
/** The text platform lines as log-formats.md section 2 gives them (tabs, `\n` at the end). */
const AWS_TEXT_LINES = [
  new RegExp(`^START RequestId: ${UUID} Version: (?:\\$LATEST|${INTEGER})\\n$`),
  new RegExp(`^END RequestId: ${UUID}\\n$`),
  new RegExp(
    `^REPORT RequestId: ${UUID}\\tDuration: ${TWO_DECIMALS} ms\\tBilled Duration: ${INTEGER} ms\\tMemory Size: ${INTEGER} MB\\tMax Memory Used: ${INTEGER} MB\\t` +
      `(?:Init Duration: ${TWO_DECIMALS} ms\\t)?(?:Restore Duration: ${TWO_DECIMALS} ms\\tBilled Restore Duration: ${INTEGER} ms\\t)?(?:Status: [a-z]+(?:\\tError Type: [\\w.]+)?)?\\n` +
      `(?:XRAY TraceId: 1-[0-9a-f]{8}-[0-9a-f]{24}\\tSegmentId: [0-9a-f]{16}\\tSampled: (?:true|false)\\t\\n)?$`,
  ),
  /^(?:INIT|RESTORE)_START Runtime Version: [\w:.-]+\tRuntime Version ARN: arn:aws:lambda:[\w-]+::runtime:[0-9a-f]+\n$/,
  new RegExp(`^RESTORE_REPORT Restore Duration: ${TWO_DECIMALS} ms\\n$`),
];
const CANONICAL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const REPORT_METRICS = ['durationMs', 'billedDurationMs', 'memorySizeMB', 'maxMemoryUsedMB', 'initDurationMs', 'restoreDurationMs', 'billedRestoreDurationMs'];

/** Keys that are a subsequence of `order`, starting with its first. */
function inOrder(keys: string[], order: readonly string[]): boolean {
  let at = 0;
  for (const key of keys) {
    at = order.indexOf(key, at);
    if (at < 0) return false;
    at += 1;
  }
  return keys[0] === order[0];
}

/** Compact JSON in Lambda's key order: platform.start and .report without tracing, or a function's own JSON line. */
function isLambdaJsonSpelling(message: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || JSON.stringify(value) !== message) return false;
  const json = value as Record<string, unknown>;
  // A function's own line: only with one key per object, as the stored _source loses key order.
  if (typeof json['type'] !== 'string' || !json['type'].startsWith('platform.')) return !hasObjectOfTwoKeys(message);
  const record = json['record'] as Record<string, unknown> | undefined;
  if (Object.keys(json).join() !== 'time,type,record' || typeof json['time'] !== 'string' || !CANONICAL_TIME.test(json['time'])) return false;
  if (typeof record !== 'object' || record === null || typeof record['requestId'] !== 'string' || record['requestId'] === '') return false;
  if (json['type'] === 'platform.start') return Object.keys(record).join() === 'requestId,version' && typeof record['version'] === 'string' && record['version'] !== '';
  if (json['type'] !== 'platform.report' || !inOrder(Object.keys(record), ['requestId', 'metrics', 'status', 'errorType'])) return false;
  const metrics = record['metrics'] as Record<string, unknown> | undefined;
  if (typeof metrics !== 'object' || metrics === null || !inOrder(Object.keys(metrics), REPORT_METRICS)) return false;
  return Object.values(metrics).every((metric) => typeof metric === 'number' && metric >= 0);
}

/** True when some object of the JSON text has two keys or more (read with a reviver, which visits every value). */
function hasObjectOfTwoKeys(message: string): boolean {
  let found = false;
  JSON.parse(message, (_key, value: unknown) => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 1) found = true;
    return value;
  });
  return found;
}

function isLambdaSpelling(message: string): boolean {
  return AWS_TEXT_LINES.some((pattern) => pattern.test(message)) || isLambdaJsonSpelling(message);
}

const EXTRA = ['Thread_id', 'Errno', 'Killed', 'Bytes_received', 'Bytes_sent', 'Read_first', 'Read_last', 'Read_key', 'Read_next', 'Read_prev', 'Read_rnd', 'Read_rnd_next', 'Sort_merge_passes', 'Sort_range_count', 'Sort_rows', 'Sort_scan_count', 'Created_tmp_disk_tables', 'Created_tmp_tables']
  .map((name) => ` ${name}: ${INTEGER}`)
  .join('');
const SECONDS6 = `${INTEGER}\\.\\d{6}`;
/** MySQL's `File_query_log::write_slow` format, with the `# Time:` line only where log_slow_extra's End: gives it. */
const MYSQL_ENTRY = new RegExp(
  '^(?:# Time: (?<time>\\S+)\\n)?' +
    '# User@Host: [^\\s[\\]]*\\[[^\\s[\\]]*\\] @ [^\\s[\\]]* \\[[^\\s[\\]]*\\](?:  Id: (?<id> *\\d+))?\\n' +
    `# Query_time: ${SECONDS6}  Lock_time: ${SECONDS6} Rows_sent: ${INTEGER}  Rows_examined: ${INTEGER}` +
    `(?<extra>${EXTRA}(?: Count_hit_tmp_table_size: ${INTEGER} )? Start: \\S+ End: (?<end>\\S+))?\\n` +
    '(?:use [^\\s;`]+;\\n)?' +
    `SET (?:last_insert_id=${INTEGER},)?(?:insert_id=${INTEGER},)?timestamp=${INTEGER};\\n` +
    '(?<statement>[^\\r]*[^\\r\\n])$',
);

function isMysqlSpelling(message: string): boolean {
  const groups = MYSQL_ENTRY.exec(message)?.groups;
  if (groups === undefined) return false;
  if (groups['id'] !== undefined && groups['id'].length < 5) return false;
  if (groups['extra'] !== undefined && groups['id'] === undefined) return false;
  if ((groups['time'] !== undefined) !== (groups['extra'] !== undefined) || groups['time'] !== groups['end']) return false;
  // A statement that starts like a header line would be read as one; an admin command stands alone.
  const statement = groups['statement']!;
  return !statement.startsWith('#') || /^# administrator command: \w+;$/.test(statement);
}

// ---- The corpus and the bundled samples ------------------------------------------

interface Source {
  readonly name: string;
  readonly folder: string;
  readonly sets: () => SourceMessages[];
  readonly render: Render;
  readonly spelling: (message: string) => boolean;
  /**
   * Fewest claims expected, counted by hand from the files (see each value), so that a
   * recogniser and a parser that both stopped recognising anything would not pass.
   */
  readonly atLeast: number;
}

const SOURCES: readonly Source[] = [
  // The 26 text platform lines of the bundled text-format (14), snapstart (5) and
  // lambda-text (7) samples, and the END and REPORT lines of Datadog's two real
  // invocation captures (4).
  { name: 'lambda', folder: 'lambda-report', sets: lambdaMessages, render: renderLambdaDocument, spelling: isLambdaSpelling, atLeast: 30 },
  // The ten entries without a `# Time:` line of Beats' Ubuntu MySQL 5.5 log, the second
  // entry of the honeycomb RDS capture, the log_slow_extra entry of Beats' MySQL 8.0.15
  // log, and the three log_slow_extra entries of the bundled fixture and RDS sample.
  { name: 'rds-mysql-slowquery', folder: 'mysql-slowlog', sets: slowQueryMessages, render: renderSlowQueryDocument, spelling: isMysqlSpelling, atLeast: 15 },
];

for (const source of SOURCES) {
  describeCorpus(`readFully of ${source.name}: corpus and bundled samples`, source.folder, () => {
    const shipped = () => source.sets().flatMap((set) => ship(set, source.render));

    it('every dropped message is written back exactly from its stored document', () => {
      const all = shipped();
      const dropped = all.filter((document) => document.dropped);
      for (const { message, rendered } of dropped) expect(rendered, JSON.stringify(message)).toBe(message);
      expect(all.length).toBeGreaterThan(dropped.length);
    });

    it('the message is dropped exactly where it has the spelling the renderer writes', () => {
      const all = shipped();
      const wrong = all.filter(({ message, dropped }) => dropped !== source.spelling(message));
      expect(wrong.map(({ message, dropped }) => `${dropped ? 'dropped' : 'kept'}: ${JSON.stringify(message)}`)).toEqual([]);
      expect(all.filter(({ dropped }) => dropped).length).toBeGreaterThanOrEqual(source.atLeast);
    });
  });
}

// ---- Damaged lines ---------------------------------------------------------------

const LAMBDA_CONTEXT: ParseContext = { logGroup: '/aws/lambda/orders-api', logStream: '2026/11/22/[$LATEST]8f3e2d1c0b9a48776655443322110000', timestamp: 0 };
const SLOWQUERY_CONTEXT: ParseContext = { logGroup: '/aws/rds/instance/shop-db-1/slowquery', logStream: 'i', timestamp: 0 };
const ID = '3f1c2b9e-6a4d-4c1e-9d2a-0b7e5f8a1c34';

const LAMBDA_SEEDS = [
  `START RequestId: ${ID} Version: $LATEST\n`,
  `END RequestId: ${ID}\n`,
  `REPORT RequestId: ${ID}\tDuration: 2967.41 ms\tBilled Duration: 3445 ms\tMemory Size: 1024 MB\tMax Memory Used: 1024 MB\tInit Duration: 476.75 ms\tStatus: error\tError Type: Runtime.OutOfMemory\nXRAY TraceId: 1-6650a1b2-0a1b2c3d4e5f60718293a4b5\tSegmentId: 5f2c8e7a9b1d3c4e\tSampled: false\t\n`,
  `REPORT RequestId: ${ID}\tDuration: 2338.66 ms\tBilled Duration: 2521 ms\tMemory Size: 2048 MB\tMax Memory Used: 173 MB\tRestore Duration: 398.97 ms\tBilled Restore Duration: 182 ms\t\n`,
  `REPORT RequestId: ${ID}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tStatus: timeout\n`,
  'INIT_START Runtime Version: python:3.12.mainlinev2.v27\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:2d8e\n',
  'INIT_REPORT Init Duration: 137.69 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError\n',
  'RESTORE_REPORT Restore Duration: 789.64 ms\n',
  `{"time":"2024-06-17T17:23:55.826Z","type":"platform.report","record":{"requestId":"${ID}","metrics":{"durationMs":18.593,"billedDurationMs":19,"memorySizeMB":2048,"maxMemoryUsedMB":246},"status":"success"}}`,
  `{"time":"2024-06-17T17:23:55.800Z","type":"platform.start","record":{"requestId":"${ID}","version":"$LATEST"}}`,
  `{"error":{"message":"boom"}}`,
];
const SLOWQUERY_SEEDS = [
  '# User@Host: admin[admin] @  [172.31.74.90]  Id:   274\n# Query_time: 0.000200  Lock_time: 0.000105 Rows_sent: 1  Rows_examined: 1\nSET timestamp=1611338681;\nselect * from colors where id = 2;',
  "# User@Host: app[app] @ web-1 [10.0.3.18]  Id:   815\n# Query_time: 1.004512  Lock_time: 0.000050 Rows_sent: 0  Rows_examined: 1\nuse shop;\nSET last_insert_id=90311,insert_id=90311,timestamp=1763719206;\nINSERT INTO audit_log VALUES (42, 'a;b # c', '서울');",
  '# User@Host: app[app] @  [10.0.3.18]  Id:   815\n# Query_time: 12.000110  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0\nSET timestamp=1763719210;\n# administrator command: Quit;',
  '# Time: 2019-03-24T14:04:53.713951Z\n# User@Host: root[root] @ localhost []  Id:    16\n# Query_time: 2.631844  Lock_time: 0.000145 Rows_sent: 10  Rows_examined: 3145718 Thread_id: 16 Errno: 0 Killed: 0 Bytes_received: 0 Bytes_sent: 312 Read_first: 1 Read_last: 0 Read_key: 3144072 Read_next: 2844047 Read_prev: 0 Read_rnd: 10 Read_rnd_next: 301663 Sort_merge_passes: 0 Sort_range_count: 0 Sort_rows: 10 Sort_scan_count: 1 Created_tmp_disk_tables: 0 Created_tmp_tables: 1 Count_hit_tmp_table_size: 0  Start: 2019-03-24T14:04:51.082107Z End: 2019-03-24T14:04:53.713951Z\nuse employees;\nSET timestamp=1553436291;\nSELECT 1\n  FROM t;',
];

/** Blanks and line ends, which a renderer could be tempted to forgive, and anything else. */
const DAMAGE_TEXT = fc.oneof(fc.constantFrom('\n', '\r\n', '\t', ' ', '\r', ';'), fc.string({ unit: 'binary', maxLength: 4 }));

/** Character-level damage, as in parsers-property.test.ts: insert, delete, replace, truncate, duplicate, append. */
function damaged(seeds: readonly string[]): fc.Arbitrary<string> {
  const operation = fc.tuple(fc.constantFrom('insert', 'delete', 'replace', 'truncate', 'duplicate', 'append'), fc.nat(), fc.nat({ max: 12 }), DAMAGE_TEXT);
  const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(operation, { minLength: 1, maxLength: 3 })).map(([seed, operations]) =>
    operations.reduce((line, [kind, at, length, text]) => {
      const index = line.length === 0 ? 0 : at % (line.length + 1);
      if (kind === 'insert') return line.slice(0, index) + text + line.slice(index);
      if (kind === 'delete') return line.slice(0, index) + line.slice(index + Math.max(1, length));
      if (kind === 'replace') return line.slice(0, index) + text + line.slice(index + text.length);
      if (kind === 'truncate') return line.slice(0, index);
      if (kind === 'append') return line + text;
      return line.slice(0, index) + line.slice(index, index + length).repeat(2) + line.slice(index);
    }, seed),
  );
  // Some seeds whole, so that the run sees claims as well as refusals.
  return fc.oneof({ weight: 4, arbitrary: mutated }, { weight: 1, arbitrary: fc.constantFrom(...seeds) });
}

describe('readFully on damaged lines', () => {
  const cases = [
    {
      name: 'lambda',
      seeds: LAMBDA_SEEDS,
      parse: (message: string, asked = true) => parseLambdaPlatform(message, { ...LAMBDA_CONTEXT, reportReadFully: asked }),
      render: renderLambdaDocument,
      context: LAMBDA_CONTEXT,
    },
    {
      name: 'rds-mysql-slowquery',
      seeds: SLOWQUERY_SEEDS,
      parse: (message: string, asked = true) => parseSlowQuery(message, { ...SLOWQUERY_CONTEXT, reportReadFully: asked }),
      render: renderSlowQueryDocument,
      context: SLOWQUERY_CONTEXT,
    },
  ];

  it.each(cases)('$name: every seed is claimed as it is', ({ seeds, parse }) => {
    const refused = seeds.filter((seed) => {
      const result = parse(seed);
      return !(result.ok && result.readFully === true);
    });
    expect(refused).toEqual([]);
  });

  // Checked on the stored document (the bulk body), not on the parse result: the parser's
  // own check renders the result, so rendering it again here could never disagree.
  it.each(cases)('$name: a damaged line is dropped only when its stored document writes it back exactly', ({ seeds, render, context }) => {
    let claims = 0;
    let refusals = 0;
    fc.assert(
      fc.property(damaged(seeds), (message) => {
        const [document] = ship({ label: 'damaged', logGroup: context.logGroup, logStream: context.logStream, messages: [message] }, render);
        if (!document!.dropped) {
          refusals += 1;
          return;
        }
        claims += 1;
        expect(document!.rendered).toBe(message);
      }),
      { numRuns: 600 },
    );
    expect(claims).toBeGreaterThan(0);
    expect(refusals).toBeGreaterThan(0);
  });

  it.each(cases)('$name: the claim is never made unless the context asks, and asking changes nothing else', ({ seeds, parse }) => {
    fc.assert(
      fc.property(damaged(seeds), (message) => {
        const unasked = parse(message, false);
        expect(unasked).not.toHaveProperty('readFully');
        expect({ ...parse(message), readFully: undefined }).toStrictEqual({ ...unasked, readFully: undefined });
      }),
      { numRuns: 300 },
    );
  });
});
