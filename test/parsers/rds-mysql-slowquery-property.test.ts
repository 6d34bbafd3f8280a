import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSlowQuery } from '../../parsers/rds-mysql-slowquery';
import type { ParseContext, ParseResult } from '../../parsers/types';

const CONTEXT: ParseContext = { logGroup: '/aws/rds/cluster/c/slowquery', logStream: 'i', timestamp: 0 };

// Lines that a slow-log message is made of, good and bad, to mix at random.
const FRAGMENTS = [
  '# Time: 240305  7:01:02',
  '# Time: 2024-05-01T10:00:00.123456Z',
  '# Time: 2018-08-07T16:27:47.169604+08:00',
  '# Time: 071218 11:48:27 # User@Host: [SQL_SLAVE] @  []',
  '# Time: ',
  '# User@Host: app[jane] @ web-1 [10.0.0.9]  Id:  77',
  '# User@Host: [SQL_SLAVE] @  []',
  '# User@Host: root[root] @ localhost [] Id:',
  '# User@Host: ',
  '# Query_time: 1.000000  Lock_time: 0.000000 Rows_sent: 0  Rows_examined: 0',
  '# Query_time: 2.631844  Lock_time: 0.000145 Rows_sent: 10  Rows_examined: 3 Thread_id: 16 Errno: 0 Start: 2019-03-24T14:04:51.082107Z End: 2019-03-24T14:04:53.713951Z',
  '# Query_time: ',
  '# Query_time: 1e5',
  '# Thread_id: 37  Schema:   QC_hit: No',
  '# Full_scan: Yes  Full_join: No  Tmp_table: Yes  Tmp_table_on_disk: No',
  '# Rows_affected: 99999999999999999999999',
  '# explain: 1\tSIMPLE',
  '#',
  '# administrator command: Quit;',
  'use db;',
  'use ;',
  'SET timestamp=1714557600;',
  'SET last_insert_id=1,insert_id=2,timestamp=99999999999999999;',
  'select 1;',
  "select 'a;b' from t where x in (1, 'y', (2, 3)",
  '/rdsdbbin/mysql/bin/mysqld, Version: 8.0.28 (Source distribution). started with:',
  'Tcp port: 3306  Unix socket: /tmp/mysql.sock',
  'Time                 Id Command    Argument',
  '',
  ' ',
];

const line = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...FRAGMENTS), fc.nat(60), fc.string({ unit: 'binary', maxLength: 8 }))
      .map(([fragment, at, insert]) => fragment.slice(0, at) + insert + fragment.slice(at)),
  },
);
const message = fc
  .tuple(fc.array(line, { maxLength: 14 }), fc.constantFrom('\n', '\r\n'))
  .map(([lines, separator]) => lines.join(separator));

/** Leaves of a document that would break the "absent means absent" rule. */
function emptyLeaves(value: unknown, path = ''): string[] {
  if (value === null || value === undefined || value === '' || (typeof value === 'number' && !Number.isFinite(value))) {
    return [path];
  }
  if (typeof value !== 'object') return [];
  if (Object.keys(value).length === 0) return [path];
  return Object.entries(value).flatMap(([key, child]) => emptyLeaves(child, `${path}.${key}`));
}

function checkShape(result: ParseResult): void {
  expect(typeof result.ok).toBe('boolean');
  if (!result.ok) {
    expect(result.reason.length).toBeGreaterThan(0);
    return;
  }
  expect(emptyLeaves(result.fields)).toStrictEqual([]);
  const slowlog = (result.fields['mysql'] as { slowlog: Record<string, unknown> }).slowlog;
  expect(typeof slowlog['query_time_sec']).toBe('number');
  if (result.timestamp !== undefined) expect(result.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  // A statement made only of comments has an empty fingerprint, which is left out.
  if (slowlog['fingerprint'] !== undefined) expect(slowlog['fingerprint_id']).toMatch(/^[0-9a-f]{16}$/);
  else expect(slowlog['fingerprint_id']).toBeUndefined();
}

describe('parseSlowQuery: properties', () => {
  it('never throws on any string, and every ok result has no empty values', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => checkShape(parseSlowQuery(text, CONTEXT))),
      { numRuns: 2000 },
    );
  });

  it('never throws on messages built from slow-log lines, good and broken', () => {
    fc.assert(fc.property(message, (text) => checkShape(parseSlowQuery(text, CONTEXT))), { numRuns: 3000 });
  });

  it('reads back what a server would write, whatever the statement text holds', () => {
    const name = fc.stringMatching(/^[a-z_][a-z0-9_]{0,15}$/);
    const seconds = fc.tuple(fc.nat(99_999), fc.nat(999_999)).map(([whole, micro]) => `${whole}.${String(micro).padStart(6, '0')}`);
    // Any text, even `#` lines and `;`, except CR (read as part of a CRLF) and an
    // administrator-command first line.
    const statement = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 300 })
      .map((text) => text.replace(/\r/g, ''))
      .filter((text) => text.trim() !== '' && !text.startsWith('# administrator command:'));
    const entry = fc.record({
      priv: name,
      login: name,
      ip: fc.oneof(fc.ipV4(), fc.ipV6()),
      threadId: fc.nat(),
      queryTime: seconds,
      lockTime: seconds,
      rowsSent: fc.nat(),
      rowsExamined: fc.nat(),
      timestamp: fc.integer({ min: 0, max: 4_102_444_800 }),
      statement,
    });
    fc.assert(
      fc.property(entry, (e) => {
        const text = [
          `# User@Host: ${e.priv}[${e.login}] @  [${e.ip}]  Id: ${String(e.threadId).padStart(5)}`,
          `# Query_time: ${e.queryTime}  Lock_time: ${e.lockTime} Rows_sent: ${e.rowsSent}  Rows_examined: ${e.rowsExamined}`,
          `SET timestamp=${e.timestamp};`,
          e.statement,
        ].join('\n');
        const result = parseSlowQuery(text, CONTEXT);
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.timestamp).toBe(new Date(e.timestamp * 1000).toISOString());
        expect(result.fields['user']).toStrictEqual({ name: e.priv });
        expect(result.fields['source']).toStrictEqual({ ip: e.ip });
        const mysql = result.fields['mysql'] as { thread_id: number; slowlog: Record<string, unknown> };
        expect(mysql.thread_id).toBe(e.threadId);
        expect(mysql.slowlog['login_user']).toBe(e.login);
        expect(mysql.slowlog['query_time_sec']).toBe(Number(e.queryTime));
        expect(mysql.slowlog['lock_time_sec']).toBe(Number(e.lockTime));
        expect(mysql.slowlog['rows_sent']).toBe(e.rowsSent);
        expect(mysql.slowlog['rows_examined']).toBe(e.rowsExamined);
        expect(mysql.slowlog['query']).toBe(e.statement.replace(/\n+$/, ''));
      }),
      { numRuns: 1000 },
    );
  });
});
