/**
 * Conformance over the shared corpus of real and test slow logs (../shared/corpus,
 * beside the project; see its SOURCES.md). A visible skip when it is absent; a failure with CI=true.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { parseSlowQuery } from '../../parsers/rds-mysql-slowquery';
import type { ParseContext, ParseResult } from '../../parsers/types';
import { CORPUS_ROOT, describeCorpus, nonEmpty } from '../helpers/required-cases';
import { splitEntries } from '../helpers/slowlog-entries';

const FOLDER = 'mysql-slowlog';
const CORPUS = `${CORPUS_ROOT}${FOLDER}`;

const FILE_CONTEXT: ParseContext = { logGroup: '/aws/rds/instance/corpus/slowquery', logStream: 'corpus', timestamp: 0 };

/**
 * Entries the parser must refuse, each with its reason. Everything else in the corpus
 * must parse. `entries` are indexes into the file's entries as `splitEntries` cuts them.
 */
const EXPECTED_FAILURES: Record<string, { readonly entries: 'all' | readonly number[]; readonly why: string }> = {
  'slow006-session-1.txt': { entries: 'all', why: 'pt-query-digest session output (-- START SESSION), not a slow log' },
  'slow006-session-2.txt': { entries: 'all', why: 'pt-query-digest session output (-- START SESSION), not a slow log' },
  'slow006-session-3.txt': { entries: 'all', why: 'pt-query-digest session output (-- START SESSION), not a slow log' },
  'slow015.txt': { entries: [0], why: 'deliberately cut sample: "# User@Host: truncated" and no # Query_time:' },
  'slow017.txt': { entries: [0], why: 'Query_time "18446744073708.796870.000036": an old server overflow kept as a test' },
  'slow022.txt': { entries: 'all', why: 'SOURCES.md: "# Time: margdl …" is deliberately malformed' },
  'slow041.txt': { entries: [0], why: 'the file starts with the tail of an earlier entry ("# administrator command: Quit;" with no header)' },
};

const logFiles = (folder: string): string[] =>
  readdirSync(resolve(CORPUS, folder)).filter((name) => !name.endsWith('.json')).sort();

const read = (...path: string[]): string => readFileSync(resolve(CORPUS, ...path), 'utf8');

function expectedToFail(file: string, index: number): string | undefined {
  const rule = EXPECTED_FAILURES[file];
  return rule && (rule.entries === 'all' || rule.entries.includes(index)) ? rule.why : undefined;
}

describeCorpus('corpus: every entry of the Beats and Percona slow logs', FOLDER, () => {
  const files = [
    ...logFiles('elastic-beats').map((name) => ['elastic-beats', name] as const),
    ...logFiles('percona-toolkit').map((name) => ['percona-toolkit', name] as const),
  ];

  it('finds the files and the entries', () => {
    expect(files.length).toBeGreaterThan(70);
    expect(splitEntries(read('elastic-beats', 'mysql-ubuntu-5.5.53.log'))).toHaveLength(14);
  });

  it.each(nonEmpty(files, `slow logs in ${CORPUS}`))('%s/%s', (folder, file) => {
    const entries = splitEntries(read(folder, file));
    expect(entries.length).toBeGreaterThan(0);
    entries.forEach((entry, index) => {
      const result = parseSlowQuery(entry, FILE_CONTEXT);
      const why = expectedToFail(file, index);
      const label = `${file} entry ${index}: ${result.ok ? 'parsed' : result.reason}\n${entry.slice(0, 300)}`;
      expect(result.ok, label).toBe(why === undefined);
    });
  });

  it('lists only exceptions that exist', () => {
    const names = new Set(files.map(([, name]) => name));
    expect(Object.keys(EXPECTED_FAILURES).filter((name) => !names.has(name))).toStrictEqual([]);
  });
});

type Path = string;
const ECS_IGNORED = new Set([
  'event.category', 'event.dataset', 'event.kind', 'event.module', 'event.type', 'fileset.name', 'input.type',
  'log.flags', 'log.offset', 'service.type', 'related.user',
]);

/** Where a Beats `-expected.json` key lives in our document (Beats and schema.md differ in a few names). */
function ourPath(beatsKey: string, file: string): Path | 'timestamp' | 'duration' | undefined {
  // In the MySQL file Beats maps Created_tmp_tables to `tmp_tables`; MariaDB's are real Tmp_tables.
  const mysqlExtra = file.startsWith('mysql');
  const renamed: Record<string, Path | 'timestamp' | 'duration'> = {
    '@timestamp': 'timestamp',
    'event.duration': 'duration',
    'event.start': 'mysql.slowlog.start_time',
    'event.end': 'mysql.slowlog.end_time',
    'mysql.slowlog.lock_time.sec': 'mysql.slowlog.lock_time_sec',
    'mysql.slowlog.current_user': 'mysql.slowlog.login_user',
    'mysql.slowlog.schema': 'mysql.slowlog.database',
    'mysql.slowlog.last_errno': 'mysql.slowlog.errno',
    'mysql.slowlog.tmp_tables': mysqlExtra ? 'mysql.slowlog.created_tmp_tables' : 'mysql.slowlog.tmp_tables',
    'mysql.slowlog.tmp_disk_tables': mysqlExtra ? 'mysql.slowlog.created_tmp_disk_tables' : 'mysql.slowlog.tmp_disk_tables',
  };
  if (beatsKey in renamed) return renamed[beatsKey];
  if (['user.name', 'source.domain', 'source.ip', 'mysql.thread_id'].includes(beatsKey)) return beatsKey;
  if (beatsKey.startsWith('mysql.slowlog.')) return beatsKey;
  return undefined;
}

function valueAt(result: Extract<ParseResult, { ok: true }>, path: Path | 'timestamp' | 'duration'): unknown {
  if (path === 'timestamp') return result.timestamp;
  if (path === 'duration') {
    const seconds = valueAt(result, 'mysql.slowlog.query_time_sec');
    return typeof seconds === 'number' ? Math.round(seconds * 1e9) : undefined;
  }
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], result.fields);
}

/** Beats writes some numbers as strings and the thread id twice (`[16, "16"]`). */
function normalise(expected: unknown): unknown {
  const single = Array.isArray(expected) ? expected[0] : expected;
  return typeof single === 'string' && /^\d+$/.test(single) ? Number(single) : single;
}

const BEATS_EXPECTED = ['mysql-ubuntu-8.0.15.log', 'mariadb-10.3.13.log'];

describeCorpus('corpus: Beats expected values', FOLDER, () => {
  it.each(BEATS_EXPECTED)('%s', (file) => {
    const expectedDocs = JSON.parse(read('elastic-beats', `${file}-expected.json`)) as Record<string, unknown>[];
    const entries = splitEntries(read('elastic-beats', file));
    expect(entries).toHaveLength(expectedDocs.length);
    expectedDocs.forEach((expectedDoc, index) => {
      const result = parseSlowQuery(entries[index]!, FILE_CONTEXT);
      if (!result.ok) throw new Error(`${file} entry ${index}: ${result.reason}`);
      let compared = 0;
      for (const [key, value] of Object.entries(expectedDoc)) {
        if (ECS_IGNORED.has(key)) continue;
        const path = ourPath(key, file);
        expect(path, `no mapping for Beats key ${key}`).toBeDefined();
        expect(valueAt(result, path!), `${file} entry ${index} ${key}`).toStrictEqual(normalise(value));
        compared += 1;
      }
      expect(compared).toBeGreaterThan(8);
    });
  });
});

interface LogEvent {
  readonly id: string;
  readonly timestamp: number | string;
  readonly message: string;
}
interface Payload {
  readonly logGroup: string;
  readonly logStream: string;
  readonly logEvents: readonly LogEvent[];
}

const contextOf = (payload: Payload, event: LogEvent): ParseContext => ({
  logGroup: payload.logGroup,
  logStream: payload.logStream,
  timestamp: Number(event.timestamp),
});

describeCorpus('corpus: CloudWatch subscription payloads', FOLDER, () => {
  it('honeycomb RDS MySQL 5.6 payload: the encoded fixture decodes to the decoded file', () => {
    const encoded = JSON.parse(read('cloudwatch', 'honeycomb-mysql-cloudwatch.fixture.json')) as { awslogs: { data: string } };
    const decoded = JSON.parse(gunzipSync(Buffer.from(encoded.awslogs.data, 'base64')).toString('utf8')) as Payload;
    expect(decoded).toStrictEqual(JSON.parse(read('cloudwatch', 'honeycomb-mysql-cloudwatch.decoded.json')));
  });

  it('honeycomb RDS MySQL 5.6 payload: each event is one entry, timed by SET timestamp', () => {
    const payload = JSON.parse(read('cloudwatch', 'honeycomb-mysql-cloudwatch.decoded.json')) as Payload;
    const results = payload.logEvents.map((event) => {
      const result = parseSlowQuery(event.message, contextOf(payload, event));
      if (!result.ok) throw new Error(result.reason);
      // In this real sample the CloudWatch time is the entry's SET timestamp.
      expect(result.timestamp).toBe(new Date(Number(event.timestamp)).toISOString());
      return result;
    });
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result.fields).toMatchObject({
        aws: { rds: { db_instance: 'database-1' } },
        user: { name: 'admin' },
        source: { ip: '172.31.74.90' },
        mysql: { thread_id: 274, slowlog: { login_user: 'admin', rows_sent: 1, rows_examined: 1, statement_type: 'SELECT' } },
      });
      expect(result.fields['source']).not.toHaveProperty('domain');
      expect(result.tags).toBeUndefined();
    }
    const [first, second] = results.map((result) => (result.fields['mysql'] as { slowlog: Record<string, unknown> }).slowlog);
    expect(first).toMatchObject({ database: 'db', query: 'select * from colors where id = 1;', query_time_sec: 0.000193 });
    expect(second).toMatchObject({ query: 'select * from colors where id = 2;', query_time_sec: 0.0002 });
    // `use` is written only on a database change, so the second entry has none.
    expect(second).not.toHaveProperty('database');
    expect(second!['fingerprint_id']).toBe(first!['fingerprint_id']);
  });

  it('Dynatrace payloads: the Aurora one parses; the hand-edited RDS one (no "# " on its headers) is refused', () => {
    const { records } = JSON.parse(read('cloudwatch', 'dynatrace-rds-slowquery-payloads.json')) as {
      records: { testcase: string; payload: Payload }[];
    };
    const outcomes = Object.fromEntries(
      records.map(({ testcase, payload }) => [testcase, payload.logEvents.map((event) => parseSlowQuery(event.message, contextOf(payload, event)))]),
    );
    const [aurora] = outcomes['testcase_rds_aurora_mysql_slowquery_log']!;
    expect(aurora).toStrictEqual({
      ok: true,
      fields: {
        aws: { rds: { db_instance: 'aurora-mysql-instance-1', db_cluster: 'aurora-mysql' } },
        user: { name: 'rdsadmin' },
        source: { domain: 'localhost' },
        mysql: {
          thread_id: 3,
          slowlog: expect.objectContaining({
            login_user: 'rdsadmin',
            query_time_sec: 0.000216,
            lock_time_sec: 0,
            rows_sent: 0,
            rows_examined: 0,
            query: 'COMMIT;',
            statement_type: 'COMMIT',
            fingerprint: 'commit',
          }),
        },
      },
      timestamp: new Date(1628594900 * 1000).toISOString(),
    });
    const [handEdited] = outcomes['testcase_rds_mysql_slowquery_log']!;
    expect(handEdited).toStrictEqual({
      ok: false,
      reason: 'not a slow-log entry: no # Query_time: header',
      fields: { aws: { rds: { db_instance: 'mysql-db-for-logs' } } },
    });
  });
});
