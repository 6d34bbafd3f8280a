import { addDerivedMetrics, type LambdaFields, type LambdaLineResult } from './lambda-fields';

/**
 * Plain-text platform lines (`REPORT RequestId: …\tDuration: 1.23 ms\t…`). Fields are
 * found by their known names rather than by splitting on tabs, because copies of these
 * lines (consoles, other tools' fixtures) use spaces, older lines put a space before the
 * tab, and the X-Ray part may follow on a second line or on the same one.
 */

/** The record kinds recognised at the start of a message, with the key that must follow. */
const PLATFORM_LINE =
  /^(?:(REPORT|START|END)[ \t]+RequestId:|(INIT_START|INIT_REPORT|RESTORE_START|RESTORE_REPORT)[ \t]+[A-Z][A-Za-z ]{0,40}:|(EXTENSION|LOGS|TELEMETRY)\t+Name:)/;

// Longest names first, so that `Billed Duration` is taken whole and never as `Duration`.
// A separator is whitespace or the two characters `\t`/`\n`/`\r`: some captures are
// double-escaped, and reading them costs nothing.
const KEY =
  /(?:^|\s|\\[tnr])(Billed Restore Duration|Billed Duration|Restore Duration|Init Duration|Max Memory Used|Memory Size|Duration|RequestId|Runtime Version ARN|Runtime Version|Version|Phase|Status|Error Type|XRAY TraceId|SegmentId|Sampled):/g;

type Key =
  | 'Billed Restore Duration'
  | 'Billed Duration'
  | 'Restore Duration'
  | 'Init Duration'
  | 'Max Memory Used'
  | 'Memory Size'
  | 'Duration'
  | 'RequestId'
  | 'Runtime Version ARN'
  | 'Runtime Version'
  | 'Version'
  | 'Phase'
  | 'Status'
  | 'Error Type'
  | 'XRAY TraceId'
  | 'SegmentId'
  | 'Sampled';

const MILLISECONDS = /^(\d{1,15}(?:\.\d{1,12})?) ?ms(?![A-Za-z])/;
const MEGABYTES = /^(\d{1,15}) ?MB(?![A-Za-z])/;

const DURATION_FIELDS = {
  Duration: 'duration_ms',
  'Billed Duration': 'billed_duration_ms',
  'Init Duration': 'init_duration_ms',
  'Restore Duration': 'restore_duration_ms',
  'Billed Restore Duration': 'billed_restore_duration_ms',
} as const satisfies Partial<Record<Key, keyof LambdaFields>>;

const MEMORY_FIELDS = {
  'Memory Size': 'memory_size_mb',
  'Max Memory Used': 'max_memory_used_mb',
} as const satisfies Partial<Record<Key, keyof LambdaFields>>;

// Values that are one token; anything after the first blank belongs to an unknown field.
const TOKEN_FIELDS = {
  RequestId: 'request_id',
  Version: 'function_version',
  'Runtime Version': 'runtime_version',
  'Runtime Version ARN': 'runtime_version_arn',
  Phase: 'phase',
  Status: 'status',
  'XRAY TraceId': 'xray_trace_id',
  SegmentId: 'xray_segment_id',
} as const satisfies Partial<Record<Key, keyof LambdaFields>>;

/** The record type of a plain-text platform line, or undefined for anything else. */
export function platformLineType(message: string): string | undefined {
  const match = PLATFORM_LINE.exec(message);
  return match ? (match[1] ?? match[2] ?? match[3]) : undefined;
}

/** Reads a plain-text platform line whose type `platformLineType` returned. */
export function readPlatformLine(message: string, recordType: string): LambdaLineResult {
  const lambda: LambdaFields = { record_type: recordType };
  // Extension registrations carry nothing the schema has a field for.
  if (recordType === 'EXTENSION' || recordType === 'LOGS' || recordType === 'TELEMETRY') {
    return { ok: true, lambda };
  }

  const values = scanValues(message);
  for (const [key, value] of values) {
    if (key in DURATION_FIELDS) {
      const match = MILLISECONDS.exec(value);
      const field = DURATION_FIELDS[key as keyof typeof DURATION_FIELDS];
      if (!match) return { ok: false, reason: `${recordType} field "${key}" is not a duration in ms: "${clip(value)}"`, lambda };
      lambda[field] = Number(match[1]);
    } else if (key in MEMORY_FIELDS) {
      const match = MEGABYTES.exec(value);
      const field = MEMORY_FIELDS[key as keyof typeof MEMORY_FIELDS];
      if (!match) return { ok: false, reason: `${recordType} field "${key}" is not a size in MB: "${clip(value)}"`, lambda };
      lambda[field] = Number(match[1]);
    } else if (key in TOKEN_FIELDS) {
      const token = firstToken(value);
      if (token !== '') lambda[TOKEN_FIELDS[key as keyof typeof TOKEN_FIELDS]] = token;
    } else if (key === 'Error Type') {
      if (value !== '') lambda.error_type = value;
    } else if (key === 'Sampled') {
      const token = firstToken(value);
      if (token === 'true' || token === 'false') lambda.xray_sampled = token === 'true';
    }
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

/**
 * Every known `Key: value` of the line; the first occurrence of a key wins. A value runs
 * to the next known key, a tab or a line break, whichever comes first. One left-to-right
 * pass: the key pattern is a fixed alternation and the value cuts are plain loops.
 */
function scanValues(message: string): Map<Key, string> {
  const values = new Map<Key, string>();
  let pending: { key: Key; start: number } | undefined;
  for (const match of message.matchAll(KEY)) {
    if (pending && !values.has(pending.key)) values.set(pending.key, cutValue(message, pending.start, match.index));
    pending = { key: match[1] as Key, start: match.index + match[0].length };
  }
  if (pending && !values.has(pending.key)) values.set(pending.key, cutValue(message, pending.start, message.length));
  return values;
}

function cutValue(message: string, start: number, end: number): string {
  let from = start;
  while (from < end && message[from] === ' ') from += 1;
  let to = from;
  while (to < end && !isLineBreakOrTab(message, to)) to += 1;
  while (to > from && message[to - 1] === ' ') to -= 1;
  return message.slice(from, to);
}

function isLineBreakOrTab(message: string, index: number): boolean {
  const char = message[index];
  if (char === '\t' || char === '\n' || char === '\r') return true;
  if (char !== '\\') return false;
  const next = message[index + 1];
  return next === 't' || next === 'n' || next === 'r';
}

function firstToken(value: string): string {
  const blank = value.search(/\s/);
  return blank === -1 ? value : value.slice(0, blank);
}

function clip(value: string): string {
  return value.length > 40 ? `${value.slice(0, 40)}…` : value;
}
