import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeSubscriptionData, parseBatchJson, validateBatch } from '../../functions/pipeline/decode';
import { DecodeError } from '../../functions/pipeline/errors';
import { encodePayload, eventId, makeBatch } from '../helpers/batches';

const CAP = 1024 * 1024;

function decodeError(data: string, cap = CAP): DecodeError {
  try {
    decodeSubscriptionData(data, cap);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return error as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('decodeSubscriptionData', () => {
  it('decodes every bundled sample to its readable payload', () => {
    const samples = join(import.meta.dirname, '../fixtures/samples');
    const decoded = join(import.meta.dirname, '../fixtures/samples-decoded');
    const names = readdirSync(samples);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      const event = JSON.parse(readFileSync(join(samples, name), 'utf8'));
      const expected = JSON.parse(readFileSync(join(decoded, name.replace('.awslogs', '')), 'utf8'));
      const batch = decodeSubscriptionData(event.awslogs.data, CAP);
      if (expected.messageType === 'CONTROL_MESSAGE') {
        expect(batch).toMatchObject({ messageType: 'CONTROL_MESSAGE', logEvents: [] });
      } else {
        expect(batch).toEqual(expected);
      }
    }
  });

  it('keeps 56-digit event ids as strings', () => {
    const batch = decodeSubscriptionData(encodePayload(makeBatch('/g', ['a'])), CAP);
    expect(batch.logEvents[0]!.id).toBe(eventId('/g', 0));
    expect(batch.logEvents[0]!.id).toMatch(/^\d{56}$/);
  });

  it('reads concatenated gzip members as one payload', () => {
    const text = JSON.stringify(makeBatch('/g', ['a', 'b']));
    const half = Math.floor(text.length / 2);
    const data = Buffer.concat([gzipSync(text.slice(0, half)), gzipSync(text.slice(half))]).toString('base64');
    expect(decodeSubscriptionData(data, CAP).logEvents).toHaveLength(2);
  });

  it('accepts an empty batch', () => {
    expect(decodeSubscriptionData(encodePayload(makeBatch('/g', [])), CAP).logEvents).toEqual([]);
  });

  it('accepts a real control message with empty log group and ids', () => {
    const control = {
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logGroup: '',
      logStream: '',
      subscriptionFilters: [],
      logEvents: [{ id: '', timestamp: 1, message: 'CWL CONTROL MESSAGE: Checking health of destination Lambda function.' }],
    };
    expect(decodeSubscriptionData(encodePayload(control), CAP)).toMatchObject({ messageType: 'CONTROL_MESSAGE', logEvents: [] });
  });

  it('marks a payload whose bytes are not UTF-8 and keeps its messages', () => {
    const text = JSON.stringify(makeBatch('/g', ['before XX after']));
    const bytes = Buffer.from(text);
    const at = bytes.indexOf('XX');
    bytes[at] = 0xc3; // a lead byte followed by a non-continuation byte
    bytes[at + 1] = 0x28;
    const batch = decodeSubscriptionData(gzipSync(bytes).toString('base64'), CAP);
    expect(batch.invalidUtf8).toBe(true);
    expect(batch.logEvents[0]!.message).toBe('before \uFFFD( after');
  });

  const valid = encodePayload(makeBatch('/g', ['a']));
  it.each([
    ['truncated base64', valid.slice(0, valid.length - 3), 'base64', /truncated or corrupt/],
    ['characters outside base64', `${valid.slice(0, 8)}!!!!${valid.slice(12)}`, 'base64', /not valid base64/],
    ['empty data', '', 'base64', /empty/],
    ['base64 that is not gzip', Buffer.from('{"messageType":"DATA_MESSAGE"}').toString('base64'), 'gzip', /not a gzip stream/],
    ['truncated gzip', gzipSync(JSON.stringify(makeBatch('/g', ['a'.repeat(5000)]))).subarray(0, 60).toString('base64'), 'gzip', /gzip/],
    ['gzip of text that is not JSON', encodePayload('this is not json'), 'json', /not JSON/],
    ['JSON that is not an object', encodePayload([1, 2]), 'shape', /not a JSON object/],
    ['an unknown messageType', encodePayload({ ...makeBatch('/g', []), messageType: 'OTHER' }), 'shape', /messageType/],
    ['logEvents missing', encodePayload({ ...makeBatch('/g', []), logEvents: undefined }), 'shape', /logEvents must be an array/],
    ['a numeric event id', encodePayload({ ...makeBatch('/g', []), logEvents: [{ id: 12, timestamp: 1, message: 'x' }] }), 'shape', /logEvents\[0\]\.id/],
    ['a message that is not a string', encodePayload({ ...makeBatch('/g', []), logEvents: [{ id: '1', timestamp: 1, message: { a: 1 } }] }), 'shape', /logEvents\[0\]\.message/],
    ['a timestamp that is not a number', encodePayload({ ...makeBatch('/g', []), logEvents: [{ id: '1', timestamp: '1', message: 'x' }] }), 'shape', /timestamp/],
    ['a missing log group', encodePayload({ ...makeBatch('/g', []), logGroup: undefined }), 'shape', /logGroup/],
  ])('rejects %s, naming the step', (_name, data, step, message) => {
    const error = decodeError(data);
    expect(error.step).toBe(step);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`(${step})`);
  });

  it('stops a gzip bomb at the decompressed-size cap', () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20)).toString('base64');
    expect(bomb.length).toBeLessThan(100_000);
    const error = decodeError(bomb, CAP);
    expect(error.step).toBe('size');
    expect(error.message).toContain(String(CAP));
  });
});

/** The DecodeError `action` throws; fails the test when it throws anything else (a TypeError). */
function thrown(action: () => unknown): DecodeError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    return error as DecodeError;
  }
  throw new Error('expected a DecodeError');
}

describe('validateBatch shape checks', () => {
  const event = { id: '1', timestamp: 1, message: 'x' };
  const batch = (overrides: Record<string, unknown>): Record<string, unknown> => ({
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/g',
    logStream: 's',
    subscriptionFilters: ['f'],
    logEvents: [event],
    ...overrides,
  });

  // Without these checks a TypeError escapes, and a Kinesis record is retried forever.
  it.each([
    ['a null payload', null, 'payload is not a JSON object'],
    ['an array payload', [], 'payload is not a JSON object'],
    ['a string payload', 'DATA_MESSAGE', 'payload is not a JSON object'],
    ['a null event', batch({ logEvents: [null] }), 'logEvents[0] is not an object'],
    ['an array event', batch({ logEvents: [event, []] }), 'logEvents[1] is not an object'],
    ['a number event', batch({ logEvents: [7] }), 'logEvents[0] is not an object'],
    ['a missing owner', batch({ owner: undefined }), 'owner must be a string, got nothing'],
    ['a numeric owner', batch({ owner: 123456789012 }), 'owner must be a string, got number'],
    ['an empty log group', batch({ logGroup: '' }), 'logGroup must be a non-empty string, got ""'],
    ['a null log group', batch({ logGroup: null }), 'logGroup must be a non-empty string, got null'],
    ['an array log group', batch({ logGroup: ['/g'] }), 'logGroup must be a non-empty string, got an array'],
    ['a missing log stream', batch({ logStream: undefined }), 'logStream must be a string, got nothing'],
    ['a numeric log stream', batch({ logStream: 5 }), 'logStream must be a string, got number'],
    ['logEvents as an object', batch({ logEvents: { 0: event } }), 'logEvents must be an array, got object'],
    ['an empty event id', batch({ logEvents: [{ ...event, id: '' }] }), 'logEvents[0].id must be a non-empty string, got ""'],
    ['a missing event id', batch({ logEvents: [{ timestamp: 1, message: 'x' }] }), 'logEvents[0].id must be a non-empty string, got nothing'],
    ['a string timestamp', batch({ logEvents: [{ ...event, timestamp: '1' }] }), 'logEvents[0].timestamp must be epoch milliseconds, got "1"'],
    ['a NaN timestamp', batch({ logEvents: [{ ...event, timestamp: Number.NaN }] }), 'logEvents[0].timestamp must be epoch milliseconds, got number'],
    ['an infinite timestamp', batch({ logEvents: [{ ...event, timestamp: Number.POSITIVE_INFINITY }] }), 'timestamp must be epoch milliseconds'],
    ['a timestamp past the Date range', batch({ logEvents: [{ ...event, timestamp: 8.64e15 + 1 }] }), 'logEvents[0].timestamp'],
    ['a timestamp before the Date range', batch({ logEvents: [{ ...event, timestamp: -8.64e15 - 1 }] }), 'logEvents[0].timestamp'],
    ['a missing message', batch({ logEvents: [{ id: '1', timestamp: 1 }] }), 'logEvents[0].message must be a string, got nothing'],
    ['a 40-character preview of a bad string', batch({ messageType: 'X'.repeat(50) }), `got "${'X'.repeat(40)}"`],
  ])('refuses %s with a DecodeError naming it', (_name, value, message) => {
    const error = thrown(() => validateBatch(value));
    expect(error.step).toBe('shape');
    expect(error.message).toContain(message);
  });

  it('refuses a null payload that arrives as JSON text', () => {
    expect(thrown(() => decodeSubscriptionData(encodePayload('null'), CAP)).message).toBe(
      'cannot decode batch (shape): payload is not a JSON object',
    );
  });

  it('accepts the ends of the Date range, which toISOString can still write', () => {
    for (const timestamp of [8.64e15, -8.64e15]) {
      const [decoded] = validateBatch(batch({ logEvents: [{ ...event, timestamp }] })).logEvents;
      expect(decoded?.timestamp).toBe(timestamp);
      expect(() => new Date(timestamp).toISOString()).not.toThrow();
    }
    expect(() => new Date(8.64e15 + 1).toISOString()).toThrow(RangeError);
  });

  it('keeps only the string subscription filters, and none when they are not a list', () => {
    expect(validateBatch(batch({ subscriptionFilters: ['a', 5, null, 'b'] })).subscriptionFilters).toEqual(['a', 'b']);
    expect(validateBatch(batch({ subscriptionFilters: 'a' })).subscriptionFilters).toEqual([]);
  });

  it('returns exactly the fields it checked', () => {
    expect(validateBatch(batch({ extra: true, logEvents: [{ ...event, extra: 1 }] }))).toStrictEqual({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: '/g',
      logStream: 's',
      subscriptionFilters: ['f'],
      logEvents: [{ id: '1', timestamp: 1, message: 'x' }],
    });
  });

  it('reads a control message without its events, keeping what log group and stream it names', () => {
    const control = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', subscriptionFilters: ['f'], logEvents: [null] };
    expect(validateBatch(control)).toStrictEqual({
      messageType: 'CONTROL_MESSAGE',
      owner: 'CloudwatchLogs',
      logGroup: '',
      logStream: '',
      subscriptionFilters: [],
      logEvents: [],
    });
    expect(validateBatch({ ...control, logGroup: '/g', logStream: 's' })).toMatchObject({ logGroup: '/g', logStream: 's' });
  });
});

describe('decoding steps', () => {
  it('refuses data that is not a string as base64', () => {
    expect(thrown(() => decodeSubscriptionData(undefined as unknown as string, CAP)).step).toBe('base64');
    expect(thrown(() => decodeSubscriptionData(42 as unknown as string, CAP)).step).toBe('base64');
  });

  it('accepts base64 with no, one and two padding characters', () => {
    // JSON texts of lengths that gzip to byte counts of every residue mod 3.
    const paddings = new Set<number>();
    for (let length = 0; length < 6; length += 1) {
      const data = encodePayload(makeBatch('/g', ['m'.repeat(length)]));
      paddings.add(data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
      expect(decodeSubscriptionData(data, CAP).logEvents[0]!.message).toBe('m'.repeat(length));
    }
    expect([...paddings].sort()).toEqual([0, 1, 2]);
  });

  it.each([
    ['one character too many', (valid: string) => `${valid}A`],
    ['one character too few', (valid: string) => valid.slice(0, -1)],
    ['padding turned into data', (valid: string) => `${valid.replace(/=+$/, '')}AA`],
  ])('refuses base64 with %s', (_name, change) => {
    const valid = encodePayload(makeBatch('/g', ['a']));
    expect(thrown(() => decodeSubscriptionData(change(valid), CAP)).step).toBe('base64');
  });

  it('keeps the underlying error as the cause of size, gzip and JSON failures', () => {
    const bomb = gzipSync(Buffer.alloc(4096, 0x20)).toString('base64');
    const cases = [
      [bomb, 1024, 'size'],
      [Buffer.from('not gzip').toString('base64'), CAP, 'gzip'],
      [encodePayload('{'), CAP, 'json'],
    ] as const;
    for (const [data, cap, step] of cases) {
      const error = thrown(() => decodeSubscriptionData(data, cap));
      expect(error.step).toBe(step);
      expect(error.cause).toBeInstanceOf(Error);
    }
  });

  it('reads a JSON string without marking it as repaired UTF-8', () => {
    const batch = parseBatchJson(JSON.stringify(makeBatch('/g', ['é'])));
    expect(batch.logEvents[0]!.message).toBe('é');
    expect('invalidUtf8' in batch).toBe(false);
  });

  it('reads valid UTF-8 bytes without marking them', () => {
    const batch = parseBatchJson(Buffer.from(JSON.stringify(makeBatch('/g', ['é']))));
    expect(batch.logEvents[0]!.message).toBe('é');
    expect('invalidUtf8' in batch).toBe(false);
  });
});
