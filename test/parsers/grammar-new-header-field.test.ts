/**
 * How a newcomer adds a slow-log header field: one row in the grammar's table
 * (`SLOWLOG_HEADER_FIELDS`, key -> document field and value kind). Nothing else: the
 * grammar parser and the production scanner both read the table. Shown here with
 * MariaDB 10.6's `log_slow_verbosity=engine` line, which the table does not hold.
 */
import { describe, expect, it } from 'vitest';
import { createSlowQueryScanner, parseSlowQuery } from '../../parsers/rds-mysql-slowquery';
import { SLOWLOG_HEADER_FIELDS } from '../../parsers/slowquery-grammar';
import { createSlowQueryGrammarParser, parseSlowQueryByGrammar } from '../../parsers/slowquery-grammar-parser';
import type { ParseContext, ParseResult } from '../../parsers/types';

const CONTEXT: ParseContext = { logGroup: '/aws/rds/instance/maria-1/slowquery', logStream: 'maria-1', timestamp: 0 };
const ENTRY = [
  '# Time: 240305  7:01:02',
  '# User@Host: app[app] @  [10.0.1.5]',
  '# Thread_id: 42  Schema: shop  QC_hit: No',
  '# Query_time: 0.250000  Lock_time: 0.000100  Rows_sent: 1  Rows_examined: 9000',
  '# Rows_affected: 0  Bytes_sent: 120',
  '# Pages_accessed: 1200  Pages_read: 35  Pages_updated: 0  Old_rows_read: 0',
  'SET timestamp=1709622062;',
  'select * from orders where id = 7;',
].join('\n');

// The row a newcomer writes (and then the field's mapping in the index template).
const WITH_PAGES = {
  ...SLOWLOG_HEADER_FIELDS,
  Pages_accessed: { field: 'pages_accessed', kind: 'count' },
  Pages_read: { field: 'pages_read', kind: 'count' },
} as const;

const slowlogOf = (result: ParseResult): Record<string, unknown> => {
  expect(result.ok, result.ok ? '' : result.reason).toBe(true);
  return (result.fields as { mysql: { slowlog: Record<string, unknown> } }).mysql.slowlog;
};

describe('adding a header field: one table row', () => {
  it('without the row, both parsers skip the unknown keys', () => {
    expect(slowlogOf(parseSlowQuery(ENTRY, CONTEXT))).not.toHaveProperty('pages_accessed');
    expect(slowlogOf(parseSlowQueryByGrammar(ENTRY, CONTEXT))).not.toHaveProperty('pages_accessed');
  });

  it('with the row, the scanner and the grammar parser both read them, alike', () => {
    const scanned = createSlowQueryScanner(WITH_PAGES)(ENTRY, CONTEXT);
    const byGrammar = createSlowQueryGrammarParser(WITH_PAGES)(ENTRY, CONTEXT);
    expect(slowlogOf(scanned)).toMatchObject({ pages_accessed: 1200, pages_read: 35, rows_examined: 9000 });
    expect(byGrammar).toStrictEqual(scanned);
  });

  it('with the row, a value of the wrong shape is a parse failure naming the key, in both', () => {
    const bad = ENTRY.replace('Pages_accessed: 1200', 'Pages_accessed: many');
    const scanned = createSlowQueryScanner(WITH_PAGES)(bad, CONTEXT);
    expect(scanned).toMatchObject({ ok: false, reason: 'bad Pages_accessed value "many"' });
    expect(createSlowQueryGrammarParser(WITH_PAGES)(bad, CONTEXT)).toStrictEqual(scanned);
  });

  it('a key that is not a name is refused when the table is read', () => {
    expect(() => createSlowQueryScanner({ ...SLOWLOG_HEADER_FIELDS, 'Pages read': { field: 'x', kind: 'count' } })).toThrow(
      'header key "Pages read" is not a name',
    );
  });
});
