import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeSubscriptionData } from '../../functions/pipeline/decode';
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
