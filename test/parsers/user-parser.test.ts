import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import type { ParseContext } from '../../parsers/types';
import { compileUserParsers, readCapture, type CaptureType } from '../../parsers/user-parser';

const CONTEXT: ParseContext = { logGroup: '/ecs/billing-worker', logStream: 'task/1', timestamp: 0 };

const BILLING = {
  name: 'billing-worker',
  logGroups: ['/ecs/billing-*'],
  pattern: '^(?<time>\\S+) (?<level>[A-Z]+) charged (?<amount>[0-9.]+) (?<currency>[A-Z]{3}) to (?<customer>\\S+)(?: from (?<client_ip>\\S+))?',
  types: { amount: 'number', client_ip: 'ip' },
  timeCapture: 'time',
};

const compileOne = (definition: Record<string, unknown>) => compileUserParsers({ parsers: [definition] })[0]!;

describe('a user parser', () => {
  const billing = compileOne(BILLING);

  it('puts typed captures under its name and takes the event time from timeCapture', () => {
    expect(billing.parse('2026-12-06T10:00:01.250Z INFO charged 12.50 EUR to c-42 from 10.0.0.7', CONTEXT)).toStrictEqual({
      ok: true,
      fields: {
        'billing-worker': {
          time: '2026-12-06T10:00:01.250Z',
          level: 'INFO',
          amount: 12.5,
          currency: 'EUR',
          customer: 'c-42',
          client_ip: '10.0.0.7',
        },
      },
      timestamp: '2026-12-06T10:00:01.250Z',
    });
  });

  it('leaves out an optional capture that took no part in the match', () => {
    const result = billing.parse('2026-12-06T10:00:01 INFO charged 3 USD to c-1', CONTEXT);
    expect(result).toMatchObject({ ok: true, timestamp: '2026-12-06T10:00:01.000Z' });
    expect(result.ok && result.fields['billing-worker']).not.toHaveProperty('client_ip');
  });

  it('a message that does not match is a parse failure naming the parser', () => {
    expect(billing.parse('worker started', CONTEXT)).toStrictEqual({
      ok: false,
      reason: 'the message does not match the pattern of user parser "billing-worker"',
    });
  });

  it('a capture that does not read as its type is a parse failure naming the capture', () => {
    expect(billing.parse('2026-12-06T10:00:01Z INFO charged 1.2.3 EUR to c-1', CONTEXT)).toStrictEqual({
      ok: false,
      reason: 'capture "amount" of user parser "billing-worker" is not a number: "1.2.3"',
    });
    expect(billing.parse('2026-12-06T10:00:01Z INFO charged 1 EUR to c-1 from 10.0.0.300', CONTEXT)).toMatchObject({
      ok: false,
      reason: 'capture "client_ip" of user parser "billing-worker" is not an IPv4 or IPv6 address: "10.0.0.300"',
    });
  });
});

describe('capture types', () => {
  it.each<[CaptureType, string, unknown]>([
    ['keyword', 'a b', 'a b'],
    ['text', 'a b', 'a b'],
    ['integer', '-42', -42],
    ['integer', '4.2', undefined],
    ['integer', '99999999999999999', undefined],
    ['number', '1e3', 1000],
    ['number', '.5', 0.5],
    ['number', 'NaN', undefined],
    ['boolean', 'Yes', true],
    ['boolean', '0', false],
    ['boolean', 'maybe', undefined],
    ['ip', '2001:db8::1', '2001:db8::1'],
    ['ip', 'host.example', undefined],
    ['date', '2026-12-06T10:00:00+01:00', '2026-12-06T09:00:00.000Z'],
    ['date', '2026-12-06 10:00:00,123', '2026-12-06T10:00:00.123Z'],
    ['date', '2026-12-06', '2026-12-06T00:00:00.000Z'],
    ['date', '1765015200', '2025-12-06T10:00:00.000Z'],
    ['date', '1765015200123', '2025-12-06T10:00:00.123Z'],
    ['date', '2026-02-31T00:00:00Z', undefined],
    ['date', '2026-12-06T24:00:00Z', undefined],
    ['date', 'yesterday', undefined],
    // Years 0070-0099 are before 1970, the first year a date capture takes (Date.UTC reads them as 1970-1999).
    ['date', '0070-01-01T00:00:00Z', undefined],
    ['date', '0099-12-31 23:59:59', undefined],
    ['date', '1970-01-01T00:00:00Z', '1970-01-01T00:00:00.000Z'],
  ])('%s %j -> %j', (type, text, expected) => {
    expect(readCapture(type, text)).toStrictEqual(expected);
  });
});

describe('the parsers file is checked at start-up, each error naming the parser', () => {
  it.each([
    [{ ...BILLING, pattern: '^(?<a>x)\\1' }, 'user parser "billing-worker": the pattern uses a backreference (`\\1`), which the linear-time engine (RE2) cannot run; rewrite it without'],
    [{ ...BILLING, pattern: '(?<a>x)\\k<a>' }, 'user parser "billing-worker": the pattern uses a named backreference (`\\k<…>`)'],
    [{ ...BILLING, pattern: 'a(?=b)(?<x>c)' }, 'user parser "billing-worker": the pattern uses a lookahead (`(?=…)`)'],
    [{ ...BILLING, pattern: 'a(?!b)' }, 'user parser "billing-worker": the pattern uses a negative lookahead (`(?!…)`)'],
    [{ ...BILLING, pattern: '(?<=a)b' }, 'user parser "billing-worker": the pattern uses a lookbehind (`(?<=…)`)'],
    [{ ...BILLING, pattern: '(?<!a)b' }, 'user parser "billing-worker": the pattern uses a negative lookbehind (`(?<!…)`)'],
    [{ ...BILLING, pattern: '(?<a>[' }, 'user parser "billing-worker": the pattern does not compile: error parsing regexp: missing closing ]'],
    [{ ...BILLING, types: { amount: 'money' } }, 'user parser "billing-worker": capture "amount" has unknown type "money" (known: keyword, text, integer, number, boolean, ip, date)'],
    [{ ...BILLING, types: { total: 'number' } }, 'user parser "billing-worker": "types" names capture "total", which the pattern does not have'],
    [{ ...BILLING, timeCapture: 'when' }, 'user parser "billing-worker": "timeCapture" is "when", which the pattern does not capture'],
    [{ ...BILLING, types: { time: 'keyword' } }, 'user parser "billing-worker": "timeCapture" "time" is declared keyword; it must be a date'],
    [{ ...BILLING, name: 'Billing Worker' }, 'user parser "Billing Worker": "name" must be 1-63 characters of a-z, 0-9, "-" or "_", starting with a letter'],
    [{ ...BILLING, name: 'lambda' }, 'user parser "lambda": the name "lambda" is taken by a built-in parser or a document field'],
    [{ ...BILLING, name: 'event' }, 'user parser "event": the name "event" is taken'],
    [{ ...BILLING, logGroups: [] }, 'user parser "billing-worker": "logGroups" must be a non-empty list'],
    [{ ...BILLING, timecapture: 'time' }, 'user parser "billing-worker": unknown key "timecapture"'],
    [{ logGroups: ['/x'], pattern: 'x' }, 'parsers[0]: "name" must be'],
  ])('%#: %j', (definition, message) => {
    expect(() => compileUserParsers({ parsers: [definition] })).toThrow(message);
  });

  it('a name used twice', () => {
    expect(() => compileUserParsers({ parsers: [BILLING, BILLING] })).toThrow('user parser "billing-worker": the name is used twice');
  });

  it('a file that is not {"parsers": [...]}', () => {
    expect(() => compileUserParsers([BILLING])).toThrow('the file must hold an object {"parsers": [ ... ]}');
  });

  it('brackets and escapes are not mistaken for the constructs', () => {
    expect(() => compileOne({ name: 'escapes', logGroups: ['*'], pattern: '[(?=]\\(?!x(?<ok>\\\\1)[\\]1]' })).not.toThrow();
  });
});

describe('linear time: a user pattern never runs on a backtracking engine', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('^(a+)+$ on 50 000 "a" and a "!" returns a no-match (Node RegExp would not finish)', () => {
    const sources: string[] = [];
    const NativeRegExp = RegExp;
    // Every RegExp built while the user parser compiles and runs is recorded: none may be the user's pattern.
    vi.stubGlobal(
      'RegExp',
      new Proxy(NativeRegExp, {
        construct(target, args: [string | RegExp, string?]) {
          sources.push(String(args[0] instanceof NativeRegExp ? args[0].source : args[0]));
          return Reflect.construct(target, args) as object;
        },
        apply(target, _this, args: [string | RegExp, string?]) {
          sources.push(String(args[0] instanceof NativeRegExp ? args[0].source : args[0]));
          return Reflect.apply(target, undefined, args) as RegExp;
        },
      }),
    );
    const evil = compileOne({ name: 'evil', logGroups: ['*'], pattern: '^(?<run>a+)+$' });
    const result = evil.parse(`${'a'.repeat(50_000)}!`, CONTEXT);
    expect(result).toStrictEqual({ ok: false, reason: 'the message does not match the pattern of user parser "evil"' });
    expect(evil.parse('aaaa', CONTEXT)).toMatchObject({ ok: true, fields: { evil: { run: 'aaaa' } } });
    expect(sources.filter((source) => source.includes('(a+)+') || source.includes('a+)+'))).toStrictEqual([]);
  });
});

describe('routing', () => {
  it('a user parser is tried before the built-in routes for the log groups it names', () => {
    const [lambdaText] = compileUserParsers({
      parsers: [{ name: 'orders-text', logGroups: ['/aws/lambda/orders-*'], pattern: 'order (?<order_id>\\d+)' }],
    });
    const registry = createRegistry({}, [lambdaText!]);
    expect(registry.route('/aws/lambda/orders-api')).toMatchObject({ id: 'orders-text', dataset: 'orders-text' });
    expect(registry.route('/aws/lambda/payments').id).toBe('lambda');
    expect(registry.route('/ecs/other').id).toBe('generic');
  });
});

describe('any message', () => {
  const [billing, access] = compileUserParsers(JSON.parse(readFileSync(new URL('../fixtures/user-parsers/parsers.json', import.meta.url), 'utf8')));

  it('never makes a user parser throw, and an ok result holds only typed captures', () => {
    const line = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.constantFrom('2026-12-06T10:00:01Z INFO charged 1 EUR to c in 5 ms', '1.2.3.4 - - [x] "GET / HTTP/1.1" 200 1 "" ""').chain((seed) =>
        fc.tuple(fc.nat(seed.length), fc.string({ unit: 'binary', maxLength: 3 })).map(([at, text]) => seed.slice(0, at) + text + seed.slice(at)),
      ),
    );
    fc.assert(
      fc.property(line, (message) => {
        for (const parser of [billing!, access!]) {
          const result = parser.parse(message, CONTEXT);
          if (!result.ok) continue;
          const values = Object.values(result.fields)[0] as Record<string, unknown>;
          for (const [capture, value] of Object.entries(values)) {
            expect(value === '' || value === undefined, capture).toBe(false);
            if (parser.captures[capture] === 'integer') expect(Number.isSafeInteger(value)).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
