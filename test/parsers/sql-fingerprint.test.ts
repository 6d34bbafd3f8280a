import { describe, expect, it } from 'vitest';
import { fingerprintId, fingerprintSql } from '../../parsers/sql-fingerprint';

describe('fingerprintSql', () => {
  it.each([
    ['numbers and strings', "SELECT * FROM t WHERE id = 42 AND name = 'bob';", 'select * from t where id = ? and name = ?'],
    ['double-quoted strings', 'select "a", "b""c", "d\\"e" from t', 'select ?, ?, ? from t'],
    ["'' and \\' escapes inside a string", "select 'it''s', 'a\\'b;c' from t", 'select ?, ? from t'],
    ['; and -- and # inside strings', "select 'a;b -- c # d' from t where x = 1", 'select ? from t where x = ?'],
    ['negative, decimal, exponent and hex numbers', 'select -1, 2.5, .5, 1e10, 1.5E-3, 0xFF, 0b101 from t', 'select ?, ?, ?, ?, ?, ?, ? from t'],
    ['a sign after an operator or keyword', 'select a from t where b = -5 and c > +3 or d between -1 and -2', 'select a from t where b = ? and c > ? or d between ? and ?'],
    ['a minus between operands stays', 'select a-1, a - 1, (a)-1 from t', 'select a-?, a - ?, (a)-? from t'],
    ['hex, bit and charset string literals', "select x'0A', b'01', N'abc', _utf8mb4'abc' from t", 'select ?, ?, ?, ? from t'],
    ['identifiers that contain digits stay', 'select col1, t2.c3 from table1 t2', 'select col1, t2.c3 from table1 t2'],
    ['identifiers that begin with digits stay', 'select 12_13_foo from (select 12foo from 123_bar) as 123baz;', 'select 12_13_foo from (select 12foo from 123_bar) as 123baz'],
    ['backquoted identifiers stay (lower case)', 'SELECT `My Col` FROM `db`.`T1` WHERE `a``b` = 1', 'select `my col` from `db`.`t1` where `a``b` = ?'],
    ['IN list', 'select * from t where id in (1, 2, 3)', 'select * from t where id in(?+)'],
    ['IN list of strings and NULL, any length', "select * from t where id IN ('a','b', NULL,'d')", 'select * from t where id in(?+)'],
    ['IN list of tuples', 'select * from t where (a, b) in ((1, 2), (3, 4))', 'select * from t where (a, b) in(?+)'],
    ['IN with a subquery is not a list', 'select * from t where id in (select id from u where x = 1)', 'select * from t where id in (select id from u where x = ?)'],
    ['IN with an expression is not a list', 'select * from t where id in (a, 2)', 'select * from t where id in (a, ?)'],
    ['VALUES rows', 'INSERT INTO `foo` VALUES (1, 2, 3),(4, 5, 6);', 'insert into `foo` values(?+)'],
    ['VALUES rows over several lines', "INSERT INTO tbl\n\n\nVALUES\n\n  (1), (2),\n\n\n      (3);", 'insert into tbl values(?+)'],
    ['VALUE (singular)', "insert t value ('x', -1.5)", 'insert t value(?+)'],
    ['VALUES with a function call keeps its shape', 'insert into t values (now(), 1), (2, 3)', 'insert into t values (now(), ?), (?, ?)'],
    ['placeholders', 'SELECT zero FROM zero WHERE id=?;', 'select zero from zero where id=?'],
    ['comments dropped: /* */, -- and #', "select a /* hint */ from t -- why\nwhere b = 1 # because\n and c = 'x'", 'select a from t where b = ? and c = ?'],
    ['executable comments dropped too', 'SELECT /*!40001 SQL_NO_CACHE */ * FROM t', 'select * from t'],
    ['--1 is not a comment', 'select a--1 from t', 'select a-? from t'],
    ['whitespace folded, tabs and newlines too', "SELECT\ta,\n\n   b\r\nFROM   t", 'select a, b from t'],
    ['trailing ; and blanks dropped', 'select 1 ;  ', 'select ?'],
    ['LIMIT values', 'select * from t limit 10, 20', 'select * from t limit ?, ?'],
    ['Unicode identifiers stay, Unicode strings go', "SELECT 이름 FROM 고객 WHERE 메모 = '주문 취소'", 'select 이름 from 고객 where 메모 = ?'],
    ['unterminated string runs to the end', "select 'abc", 'select ?'],
    ['unterminated comment runs to the end', 'select a /* abc', 'select a'],
    ['empty', '', ''],
    ['only a comment', '/* nothing */ -- at all', ''],
  ])('%s', (_name, sql, expected) => {
    expect(fingerprintSql(sql)).toBe(expected);
  });

  it.each([
    ['select * from t where a = 1', 'select * from t where b = 1'],
    ['select * from t where a = 1', 'select * from u where a = 1'],
    ['select * from t where a = 1', 'select * from t where a = 1 and b = 2'],
    ['select * from t where a in (1, 2)', 'select * from t where a not in (1, 2)'],
    ['select * from t where a = 1', 'delete from t where a = 1'],
    ['select * from t where a is null', 'select * from t where a = 1'],
  ])('different shapes get different ids: %j vs %j', (left, right) => {
    expect(fingerprintId(fingerprintSql(left))).not.toBe(fingerprintId(fingerprintSql(right)));
  });
});

/** FNV-1a 64-bit written the obvious way, with BigInt, as an independent reference. */
function referenceFnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= BigInt(byte);
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

describe('fingerprintId', () => {
  it.each([
    // Published FNV-1a 64-bit test vectors.
    ['', 'cbf29ce484222325'],
    ['a', 'af63dc4c8601ec8c'],
    ['foobar', '85944171f73967e8'],
  ])('FNV-1a 64 of %j is %s', (text, expected) => {
    expect(fingerprintId(text)).toBe(expected);
  });

  it.each([
    'select * from t where id = ?',
    'select 이름 from 고객 where 메모 = ?',
    'emoji 😀 and \u00e9 and \u07ff and \u0800',
    'x'.repeat(10_000),
  ])('matches a BigInt reference for %j', (text) => {
    expect(fingerprintId(text)).toBe(referenceFnv1a64(text));
  });

  it('encodes a lone surrogate as U+FFFD, like TextEncoder', () => {
    expect(fingerprintId('a\ud800b')).toBe(referenceFnv1a64('a\ufffdb'));
  });
});
