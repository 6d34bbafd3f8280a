import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprintId, fingerprintSql } from '../../parsers/sql-fingerprint';

// Literal values written the ways MySQL accepts them.
const signedNumber = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.bigInt({ min: 0n, max: 2n ** 64n }).map((value) => `0x${value.toString(16)}`),
  fc.tuple(fc.nat(), fc.nat(99)).map(([whole, cents]) => `${whole}.${String(cents).padStart(2, '0')}`),
);
const unsignedNumber = fc.nat().map(String);
const stringLiteral = fc
  .tuple(fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom("'", '"'), fc.boolean())
  .map(([text, quote, doubling]) => {
    const escaped = text.replace(/\\/g, '\\\\').split(quote).join(doubling ? quote + quote : `\\${quote}`);
    return `${quote}${escaped}${quote}`;
  });
const literal = fc.oneof(signedNumber, stringLiteral, fc.constantFrom('NULL', 'null'));
const separator = fc.constantFrom(',', ', ', ' , ', ',\n  ');
const list = fc
  .tuple(fc.array(literal, { minLength: 1, maxLength: 8 }), separator)
  .map(([items, joiner]) => items.join(joiner));
const rows = fc
  .tuple(fc.array(fc.array(literal, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 5 }), separator)
  .map(([values, joiner]) => values.map((row) => `(${row.join(', ')})`).join(joiner));
const blockCommentText = fc.string({ unit: 'binary', maxLength: 30 }).filter((text) => !text.includes('*/'));
const lineCommentText = fc.string({ unit: 'binary', maxLength: 30 }).filter((text) => !text.includes('\n'));

const HOLES = {
  n: signedNumber,
  u: unsignedNumber,
  s: stringLiteral,
  l: list,
  r: rows,
  c: blockCommentText,
  d: lineCommentText,
} as const;

/** Fills `{n}`, `{s}`, … holes of a template with random values of that kind. */
function instances(template: string): fc.Arbitrary<string> {
  const parts = template.split(/\{([nuslrcd])\}/);
  const holes = parts.filter((_, index) => index % 2 === 1) as (keyof typeof HOLES)[];
  return fc
    .tuple(...holes.map((hole) => HOLES[hole]))
    .map((values) => parts.map((part, index) => (index % 2 === 1 ? values[(index - 1) / 2] : part)).join(''));
}

const TEMPLATES: readonly (readonly [template: string, fingerprint: string])[] = [
  ['SELECT * FROM orders WHERE id = {n} AND status = {s}', 'select * from orders where id = ? and status = ?'],
  ['select a, b from t1 where c in ({l}) and d > {n} limit {u}', 'select a, b from t1 where c in(?+) and d > ? limit ?'],
  ['INSERT INTO t (a, b) VALUES {r};', 'insert into t (a, b) values(?+)'],
  ['UPDATE users SET name = {s}, score = score + {n} WHERE id = {n};', 'update users set name = ?, score = score + ? where id = ?'],
  ['DELETE FROM log /* {c} */ WHERE created < {s} AND level IN ({l})', 'delete from log where created < ? and level in(?+)'],
  ['select * from t where x between {n} and {n} -- {d}\n order by 1', 'select * from t where x between ? and ? order by ?'],
  ['select count(*) from `table 2` where `col``1` = {s} and col2 <> {n}', 'select count(*) from `table 2` where `col``1` = ? and col2 <> ?'],
  ['select f({n}, {s}) as x1 from t2 where (a, b) in (({n}, {s}), ({n}, {s}))', 'select f(?, ?) as x1 from t2 where (a, b) in(?+)'],
];

describe('fingerprintSql: properties', () => {
  it('never throws on any string, and is stable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (sql) => {
        const fingerprint = fingerprintSql(sql);
        expect(typeof fingerprint).toBe('string');
        expect(fingerprintSql(sql)).toBe(fingerprint);
        expect(fingerprintId(fingerprint)).toMatch(/^[0-9a-f]{16}$/);
      }),
      { numRuns: 3000 },
    );
  });

  it('never throws on SQL-like text full of quotes, comments and lists', () => {
    const piece = fc.constantFrom("'", '"', '`', '\\', '/*', '*/', '--', '-- ', '#', '\n', '(', ')', ',', ' in ', ' values ', '-', '+', '.', '0x', '1e', 'x', '?', ';', ' ');
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 3 })), { maxLength: 60 }), (pieces) => {
        expect(typeof fingerprintSql(pieces.join(''))).toBe('string');
      }),
      { numRuns: 3000 },
    );
  });

  it.each(TEMPLATES)('literal values do not change the fingerprint of %j', (template, expected) => {
    fc.assert(
      fc.property(instances(template), instances(template), (left, right) => {
        expect(fingerprintSql(left)).toBe(expected);
        expect(fingerprintId(fingerprintSql(left))).toBe(fingerprintId(fingerprintSql(right)));
      }),
      { numRuns: 300 },
    );
  });

  it('gives each template its own id', () => {
    const ids = new Set(TEMPLATES.map(([, fingerprint]) => fingerprintId(fingerprint)));
    expect(ids.size).toBe(TEMPLATES.length);
  });
});
