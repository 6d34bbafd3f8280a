import { describe, expect, it } from 'vitest';
import { splitRawText, toLogEvents } from '../../functions/cli/raw-text';

const SLOW_LOG = [
  '/rdsdbbin/mysql/bin/mysqld, Version: 8.0.28 (Source distribution). started with:',
  'Tcp port: 3306  Unix socket: /tmp/mysql.sock',
  'Time                 Id Command    Argument',
  '# Time: 2026-11-22T10:00:01.000000Z',
  '# User@Host: app[app] @  [10.0.0.1]  Id:     5',
  '# Query_time: 1.000000  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 1',
  'SET timestamp=1795341601;',
  'SELECT 1;',
  '# User@Host: app[app] @  [10.0.0.1]  Id:     5',
  '# Query_time: 2.000000  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 1',
  'SET timestamp=1795341601;',
  'SELECT a,',
  '# a comment line inside the statement',
  '  b FROM t;',
  '',
].join('\r\n');

describe('splitRawText', () => {
  it('splits a slow log into entries, dropping server banner lines', () => {
    const entries = splitRawText(SLOW_LOG, 'rds-mysql-slowquery');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatch(/^# Time: .*\n# User@Host: .*\nSET timestamp=1795341601;\nSELECT 1;$/s);
    expect(entries[1]).toMatch(/^# User@Host: /);
    expect(entries[1]).toContain('# a comment line inside the statement\n  b FROM t;');
  });

  it('keeps the XRAY line with its REPORT line for Lambda text', () => {
    const text = 'START RequestId: r1 Version: $LATEST\nREPORT RequestId: r1\tDuration: 1.00 ms\t\nXRAY TraceId: 1-abc\tSegmentId: s\tSampled: true\t\n\nEND RequestId: r1\n';
    expect(splitRawText(text, 'lambda')).toEqual([
      'START RequestId: r1 Version: $LATEST',
      'REPORT RequestId: r1\tDuration: 1.00 ms\t\nXRAY TraceId: 1-abc\tSegmentId: s\tSampled: true\t',
      'END RequestId: r1',
    ]);
  });

  it('gives one message per non-blank line otherwise', () => {
    expect(splitRawText('a\n\nb\r\n', 'generic')).toEqual(['a', 'b']);
  });
});

describe('toLogEvents', () => {
  it('derives stable ids, distinct for repeated messages', () => {
    const first = toLogEvents('/g', 's', ['x', 'x', 'y'], [5, 5, 5]);
    const again = toLogEvents('/g', 's', ['x', 'x', 'y'], [9, 9, 9]);
    expect(first.map((event) => event.id)).toEqual(again.map((event) => event.id));
    expect(new Set(first.map((event) => event.id)).size).toBe(3);
    expect(toLogEvents('/other', 's', ['x'], [5])[0]!.id).not.toBe(first[0]!.id);
    expect(first[0]).toMatchObject({ timestamp: 5, message: 'x' });
  });

  it('gives the same line in two log streams two ids', () => {
    expect(toLogEvents('/g', 'host-a', ['x'], [5])[0]!.id).not.toBe(toLogEvents('/g', 'host-b', ['x'], [5])[0]!.id);
  });
});
