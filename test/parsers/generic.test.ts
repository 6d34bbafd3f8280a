import { describe, expect, it } from 'vitest';
import { parseGeneric, parseJsonObject } from '../../parsers/generic';

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
