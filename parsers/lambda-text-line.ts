import { addDerivedMetrics, type LambdaFields, type LambdaLineResult } from './lambda-fields';
import { KEY_NAMES, findNextKey, newKeyCursor, type KeyName } from './lambda-text-keys';
import { isTextAt } from './lambda-text-scan';
import { readMegabytes, readMilliseconds, tokenEnd, valueEnd } from './lambda-text-values';

/**
 * Plain-text platform lines (`REPORT RequestId: …\tDuration: 1.23 ms\t…`). Fields are
 * found by their known names rather than by splitting on tabs, because copies of these
 * lines (consoles, other tools' fixtures) use spaces, older lines put a space before the
 * tab, and the X-Ray part may follow on a second line or on the same one.
 */

/** How a key's value is read: a duration, a size, one token, the rest of the value, a flag. */
const VALUE_KINDS: Record<KeyName, 'ms' | 'mb' | 'token' | 'text' | 'flag'> = {
  Duration: 'ms',
  'Billed Duration': 'ms',
  'Init Duration': 'ms',
  'Restore Duration': 'ms',
  'Billed Restore Duration': 'ms',
  'Memory Size': 'mb',
  'Max Memory Used': 'mb',
  // Values that are one token; anything after the first blank belongs to an unknown field.
  RequestId: 'token',
  Version: 'token',
  'Runtime Version': 'token',
  'Runtime Version ARN': 'token',
  Phase: 'token',
  Status: 'token',
  'XRAY TraceId': 'token',
  SegmentId: 'token',
  'Error Type': 'text',
  Sampled: 'flag',
};
const KIND_OF_KEY = KEY_NAMES.map((name) => VALUE_KINDS[name]);

/** Reads a plain-text platform line whose type `platformLineType` returned. */
export function readPlatformLine(message: string, recordType: string): LambdaLineResult {
  const lambda: LambdaFields = { record_type: recordType };
  // Extension registrations carry nothing the schema has a field for.
  if (recordType === 'EXTENSION' || recordType === 'LOGS' || recordType === 'TELEMETRY') {
    return { ok: true, lambda };
  }

  const reason = readValues(message, recordType, lambda);
  if (reason !== undefined) return { ok: false, reason, lambda };
  if ((recordType === 'REPORT' || recordType === 'START' || recordType === 'END') && lambda.request_id === undefined) {
    return { ok: false, reason: `${recordType} line without a RequestId value`, lambda };
  }
  if (recordType === 'REPORT') {
    if (lambda.duration_ms === undefined) return { ok: false, reason: 'REPORT line without a Duration', lambda };
    addDerivedMetrics(lambda);
  }
  return { ok: true, lambda };
}

/**
 * Writes every known `Key: value` of the line into `lambda`, in the order of the line; the
 * first occurrence of a key wins. A value runs to the next known key, a tab or a line
 * break, so each value is read once the key after it is found. Returns why a value could
 * not be read, which stops the reading there.
 */
function readValues(message: string, recordType: string, lambda: LambdaFields): string | undefined {
  const cursor = newKeyCursor();
  let seen = 0;
  let pendingKey = -1;
  let pendingStart = 0;
  for (;;) {
    const found = findNextKey(message, cursor);
    if (pendingKey !== -1 && (seen & (1 << pendingKey)) === 0) {
      seen |= 1 << pendingKey;
      const reason = readValue(message, pendingKey, pendingStart, found ? cursor.start : message.length, recordType, lambda);
      if (reason !== undefined) return reason;
    }
    if (!found) return undefined;
    pendingKey = cursor.key;
    pendingStart = cursor.end;
  }
}

/** Reads the value of `key`, which starts at `start` and ends by `end`, into `lambda`. */
function readValue(
  message: string,
  key: number,
  start: number,
  end: number,
  recordType: string,
  lambda: LambdaFields,
): string | undefined {
  const name = KEY_NAMES[key]!;
  let from = start;
  while (from < end && message.charCodeAt(from) === 0x20) from += 1;

  switch (KIND_OF_KEY[key]) {
    case 'ms': {
      const value = readMilliseconds(message, from, end);
      if (Number.isNaN(value)) return `${recordType} field "${name}" is not a duration in ms: "${valueText(message, from, end)}"`;
      storeField(lambda, name, value);
      return undefined;
    }
    case 'mb': {
      const value = readMegabytes(message, from, end);
      if (Number.isNaN(value)) return `${recordType} field "${name}" is not a size in MB: "${valueText(message, from, end)}"`;
      storeField(lambda, name, value);
      return undefined;
    }
    case 'token': {
      const to = tokenEnd(message, from, end);
      if (to > from) storeField(lambda, name, message.slice(from, to));
      return undefined;
    }
    case 'text': {
      const to = valueEnd(message, from, end);
      if (to > from) storeField(lambda, name, message.slice(from, to));
      return undefined;
    }
    default: {
      const to = tokenEnd(message, from, end);
      if (isWord(message, from, to, 'true')) storeField(lambda, name, true);
      else if (isWord(message, from, to, 'false')) storeField(lambda, name, false);
      return undefined;
    }
  }
}

/** The value as text for an error message, clipped. */
function valueText(message: string, from: number, end: number): string {
  const value = message.slice(from, valueEnd(message, from, end));
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}

/**
 * The field each key fills. One plain assignment per field, rather than `lambda[field]`,
 * keeps every store a fixed-property store the engine compiles well.
 */
function storeField(lambda: LambdaFields, key: KeyName, value: number | string | boolean): void {
  switch (key) {
    case 'Duration':
      lambda.duration_ms = value as number;
      break;
    case 'Billed Duration':
      lambda.billed_duration_ms = value as number;
      break;
    case 'Init Duration':
      lambda.init_duration_ms = value as number;
      break;
    case 'Restore Duration':
      lambda.restore_duration_ms = value as number;
      break;
    case 'Billed Restore Duration':
      lambda.billed_restore_duration_ms = value as number;
      break;
    case 'Memory Size':
      lambda.memory_size_mb = value as number;
      break;
    case 'Max Memory Used':
      lambda.max_memory_used_mb = value as number;
      break;
    case 'RequestId':
      lambda.request_id = value as string;
      break;
    case 'Version':
      lambda.function_version = value as string;
      break;
    case 'Runtime Version':
      lambda.runtime_version = value as string;
      break;
    case 'Runtime Version ARN':
      lambda.runtime_version_arn = value as string;
      break;
    case 'Phase':
      lambda.phase = value as string;
      break;
    case 'Status':
      lambda.status = value as string;
      break;
    case 'XRAY TraceId':
      lambda.xray_trace_id = value as string;
      break;
    case 'SegmentId':
      lambda.xray_segment_id = value as string;
      break;
    case 'Error Type':
      lambda.error_type = value as string;
      break;
    case 'Sampled':
      lambda.xray_sampled = value as boolean;
      break;
  }
}

function isWord(message: string, from: number, to: number, word: string): boolean {
  return to - from === word.length && isTextAt(message, word, from);
}
