import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { DecodeError } from './errors';
import type { LogBatch, LogEvent } from './types';

/** A decoded batch, plus whether its bytes had to be repaired to read as UTF-8. */
export type DecodedBatch = LogBatch & { readonly invalidUtf8?: true };

/** The largest |epoch milliseconds| a Date holds; beyond it `toISOString` throws later. */
const MAX_EPOCH_MS = 8.64e15;

/**
 * Decodes the `awslogs.data` of a subscription event (or a Kinesis record's data):
 * base64, then gunzip capped at `maxDecompressedBytes`, then JSON, then shape.
 * Throws a `DecodeError` naming the step that broke.
 */
export function decodeSubscriptionData(data: string, maxDecompressedBytes: number): DecodedBatch {
  return decodeCompressedPayload(decodeBase64(data), maxDecompressedBytes);
}

/** Gunzip (capped) + JSON + shape, for payloads that arrive as bytes. */
export function decodeCompressedPayload(compressed: Buffer, maxDecompressedBytes: number): DecodedBatch {
  let json: Buffer;
  try {
    // Concatenated gzip members (Firehose) are read as one stream by zlib.
    json = gunzipSync(compressed, { maxOutputLength: maxDecompressedBytes });
  } catch (error) {
    // zlib's cap throws a RangeError with this code; any other error is a broken stream.
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DecodeError('size', `decompressed payload exceeds ${maxDecompressedBytes} bytes`, { cause: error });
    }
    throw new DecodeError('gzip', `not a gzip stream (${(error as Error).message})`, { cause: error });
  }
  return parseBatchJson(json);
}

/** JSON + shape of an already decompressed payload (a decoded payload file, for example). */
export function parseBatchJson(json: Buffer | string): DecodedBatch {
  let text: string;
  let invalidUtf8 = false;
  if (typeof json === 'string') {
    text = json;
  } else {
    // Invalid bytes become U+FFFD: the documents are marked rather than the batch lost.
    invalidUtf8 = !isUtf8(json);
    text = json.toString('utf8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DecodeError('json', `payload is not JSON (${(error as Error).message})`, { cause: error });
  }
  const batch = validateBatch(value);
  return invalidUtf8 ? { ...batch, invalidUtf8: true } : batch;
}

function decodeBase64(data: string): Buffer {
  if (typeof data !== 'string' || data.length === 0) {
    throw new DecodeError('base64', 'data is empty or not a string');
  }
  const bytes = Buffer.from(data, 'base64');
  // Buffer.from silently skips characters outside the alphabet: a valid string decodes to
  // exactly 3 bytes per 4 characters, less its padding. O(1), unlike a regex over 1 MB.
  // (A length that is not a multiple of 4 can never match: 3 * length / 4 is no integer.)
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  if (bytes.length !== (data.length / 4) * 3 - padding) {
    throw new DecodeError('base64', `data is not valid base64 (${data.length} characters, truncated or corrupt)`);
  }
  return bytes;
}

/** Checks the subscription payload shape field by field, naming the first one that is wrong. */
export function validateBatch(value: unknown): LogBatch {
  if (!isObject(value)) throw new DecodeError('shape', 'payload is not a JSON object');
  const { messageType, owner, logGroup, logStream, subscriptionFilters, logEvents } = value;
  if (messageType !== 'DATA_MESSAGE' && messageType !== 'CONTROL_MESSAGE') {
    throw new DecodeError('shape', `messageType must be DATA_MESSAGE or CONTROL_MESSAGE, got ${describe(messageType)}`);
  }
  if (typeof owner !== 'string') throw new DecodeError('shape', `owner must be a string, got ${describe(owner)}`);
  if (messageType === 'CONTROL_MESSAGE') {
    // CloudWatch's health check of the destination: empty log group and ids, nothing to index.
    return { messageType, owner, logGroup: String(logGroup ?? ''), logStream: String(logStream ?? ''), subscriptionFilters: [], logEvents: [] };
  }
  if (typeof logGroup !== 'string' || logGroup === '') {
    throw new DecodeError('shape', `logGroup must be a non-empty string, got ${describe(logGroup)}`);
  }
  if (typeof logStream !== 'string') {
    throw new DecodeError('shape', `logStream must be a string, got ${describe(logStream)}`);
  }
  if (!Array.isArray(logEvents)) throw new DecodeError('shape', `logEvents must be an array, got ${describe(logEvents)}`);
  const events: LogEvent[] = [];
  for (const [position, event] of logEvents.entries()) {
    if (!isObject(event)) throw new DecodeError('shape', `logEvents[${position}] is not an object`);
    const { id, timestamp, message } = event;
    if (typeof id !== 'string' || id === '') {
      throw new DecodeError('shape', `logEvents[${position}].id must be a non-empty string, got ${describe(id)}`);
    }
    // The negated `<=` also refuses NaN and ±Infinity.
    if (typeof timestamp !== 'number' || !(Math.abs(timestamp) <= MAX_EPOCH_MS)) {
      throw new DecodeError('shape', `logEvents[${position}].timestamp must be epoch milliseconds, got ${describe(timestamp)}`);
    }
    if (typeof message !== 'string') {
      throw new DecodeError('shape', `logEvents[${position}].message must be a string, got ${describe(message)}`);
    }
    events.push({ id, timestamp, message });
  }
  return {
    messageType,
    owner,
    logGroup,
    logStream,
    subscriptionFilters: Array.isArray(subscriptionFilters) ? subscriptionFilters.filter((f) => typeof f === 'string') : [],
    logEvents: events,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const text = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  return text;
}
