/**
 * Plain-text Lambda platform lines read with the grammar alone (`lambda-text-grammar.ts`):
 * the executable specification the production scanner is tested against.
 */
import { addDerivedMetrics, type LambdaFields, type LambdaLineResult } from './lambda-fields';
import { KEY, LAMBDA_TEXT_KEYS, PLATFORM_LINE, VALUE, type LambdaTextKey } from './lambda-text-grammar';

/** The record type of a plain-text platform line, or undefined for anything else. */
export function platformLineTypeByGrammar(message: string): string | undefined {
  const groups = PLATFORM_LINE.exec(message)?.groups;
  return groups === undefined ? undefined : (groups['request'] ?? groups['phase'] ?? groups['extension']);
}

/** Reads a plain-text platform line whose type `platformLineTypeByGrammar` returned. */
export function readPlatformLineByGrammar(message: string, recordType: string): LambdaLineResult {
  const lambda: LambdaFields = { record_type: recordType };
  // Extension registrations carry nothing the schema has a field for.
  if (recordType === 'EXTENSION' || recordType === 'LOGS' || recordType === 'TELEMETRY') return { ok: true, lambda };

  const keys = [...message.matchAll(KEY)];
  const seen = new Set<string>();
  for (const [index, match] of keys.entries()) {
    const key = match.groups!['key'] as LambdaTextKey;
    if (seen.has(key)) continue;
    seen.add(key);
    // The value runs from the key's `:` to where the next key's match starts.
    const value = message.slice(match.index + match[0].length, keys[index + 1]?.index ?? message.length);
    const reason = readValue(key, value, recordType, lambda);
    if (reason !== undefined) return { ok: false, reason, lambda };
  }

  if ((recordType === 'REPORT' || recordType === 'START' || recordType === 'END') && lambda.request_id === undefined) {
    return { ok: false, reason: `${recordType} line without a RequestId value`, lambda };
  }
  if (recordType === 'REPORT') {
    if (lambda.duration_ms === undefined) return { ok: false, reason: 'REPORT line without a Duration', lambda };
    addDerivedMetrics(lambda);
  }
  return { ok: true, lambda };
}

function readValue(key: LambdaTextKey, value: string, recordType: string, lambda: LambdaFields): string | undefined {
  const { field, kind } = LAMBDA_TEXT_KEYS[key];
  const fields = lambda as Record<string, unknown>;
  const groups = VALUE[kind].exec(value)?.groups;
  switch (kind) {
    case 'ms':
    case 'mb':
      if (groups === undefined) {
        const what = kind === 'ms' ? 'a duration in ms' : 'a size in MB';
        return `${recordType} field "${key}" is not ${what}: "${clip(textOf(value))}"`;
      }
      fields[field] = Number(groups['number']);
      return undefined;
    case 'token':
      if (groups!['token'] !== '') fields[field] = groups!['token'];
      return undefined;
    case 'text': {
      const text = textOf(value);
      if (text !== '') fields[field] = text;
      return undefined;
    }
    case 'flag':
      if (groups !== undefined) fields[field] = groups['flag'] === 'true';
      return undefined;
  }
}

/** The value as the `text` kind reads it: up to a tab or line break, trailing spaces dropped. */
function textOf(value: string): string {
  const text = VALUE.text.exec(value)!.groups!['text']!;
  let end = text.length;
  while (end > 0 && text[end - 1] === ' ') end -= 1;
  return text.slice(0, end);
}

function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
