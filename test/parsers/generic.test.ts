import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseGeneric, parseJsonObject, readJsonObject } from '../../parsers/generic';

const CONTEXT = { logGroup: '/ecs/web', logStream: 'web/web/0a1b2c', timestamp: 0 };

describe('parseGeneric', () => {
  it.each([
    { name: 'a JSON object', message: '{"level":"warn","msg":"slow","ms":1200}', fields: { cloudwatch: { json: { level: 'warn', msg: 'slow', ms: 1200 } } } },
    { name: 'nested objects and arrays', message: '{"a":{"b":[1,{"c":null}]}}', fields: { cloudwatch: { json: { a: { b: [1, { c: null }] } } } } },
    { name: 'leading blanks and a trailing newline', message: '  \n{"ok":true}\n', fields: { cloudwatch: { json: { ok: true } } } },
    { name: 'plain text', message: 'GET /health 200', fields: {} },
    { name: 'empty', message: '', fields: {} },
    { name: 'a JSON array', message: '[{"a":1}]', fields: {} },
    { name: 'a JSON string', message: '"text"', fields: {} },
    { name: 'a JSON number', message: '42', fields: {} },
    { name: 'broken JSON', message: '{"a":', fields: {} },
    { name: 'an object followed by text', message: '{"a":1} trailing', fields: {} },
  ])('$name', ({ message, fields }) => {
    expect(parseGeneric(message, CONTEXT)).toEqual({ ok: true, fields });
  });

  // `{"a":[[…]]}` with the object itself as level 1.
  const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;

  it('keeps JSON nested exactly MAX_JSON_DEPTH levels deep', () => {
    expect(parseGeneric(nested(MAX_JSON_DEPTH), CONTEXT).fields).toHaveProperty('cloudwatch.json.a');
  });

  it.each([MAX_JSON_DEPTH + 1, 200_000])('drops JSON nested %i levels deep, which the bulk encoder could not serialise', (depth) => {
    const result = parseGeneric(nested(depth), CONTEXT);
    expect(result).toEqual({ ok: true, fields: {} });
    expect(() => JSON.stringify(result)).not.toThrow();
  });

  it('never fails: generic documents are never parse failures', () => {
    expect(parseGeneric('\u0000\uffff{', CONTEXT).ok).toBe(true);
  });
});

describe('parseJsonObject', () => {
  it.each([
    { message: '{}', value: {} },
    { message: '\t{"k":"v"}', value: { k: 'v' } },
    { message: 'null', value: undefined },
    { message: '[]', value: undefined },
    { message: '{', value: undefined },
    { message: 'x{"k":1}', value: undefined },
  ])('$message', ({ message, value }) => {
    expect(parseJsonObject(message)).toEqual(value);
  });
});

describe('readJsonObject', () => {
  it.each([
    { message: 'text', reason: /not a JSON object/ },
    { message: '{"a":', reason: /invalid JSON/ },
    { message: '{"a":1}{"b":2}', reason: /invalid JSON/ },
    { message: `{"a":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`, reason: /nested deeper than 64 levels/ },
  ])('$message', ({ message, reason }) => {
    const read = readJsonObject(message);
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.reason).toMatch(reason);
  });

  it('deep nesting inside strings does not count', () => {
    expect(readJsonObject(`{"a":"${'['.repeat(500)}"}`)).toEqual({ ok: true, value: { a: '['.repeat(500) } });
  });
});
