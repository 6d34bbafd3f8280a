/**
 * The `aws.lambda` field set and the small pieces every Lambda line kind shares:
 * names from the log group and stream, derived metrics, time normalisation.
 */

/** Everything the Lambda parser may write under `aws.lambda` (schema.md names). */
export interface LambdaFields {
  function_name?: string;
  function_version?: string;
  record_type?: string;
  request_id?: string;
  duration_ms?: number;
  billed_duration_ms?: number;
  init_duration_ms?: number;
  restore_duration_ms?: number;
  billed_restore_duration_ms?: number;
  memory_size_mb?: number;
  max_memory_used_mb?: number;
  memory_used_ratio?: number;
  billed_gb_seconds?: number;
  cold_start?: boolean;
  status?: string;
  error_type?: string;
  phase?: string;
  runtime_version?: string;
  runtime_version_arn?: string;
  xray_trace_id?: string;
  xray_segment_id?: string;
  xray_sampled?: boolean;
  log?: Record<string, unknown>;
}

/** What a line reader found: fields, and optionally the event time and tags. */
export type LambdaLineResult =
  | { readonly ok: true; readonly lambda: LambdaFields; readonly timestamp?: string; readonly tags?: string[] }
  | { readonly ok: false; readonly reason: string; readonly lambda: LambdaFields };

export const LAMBDA_TAGS = { coldStart: 'cold_start', timeout: 'timeout' } as const;

const LAMBDA_LOG_GROUP_PREFIX = '/aws/lambda/';
// `2020/06/04/[$LATEST]af2b…` and `2023/06/02/[72]88ab…`; bounded so a hostile name costs nothing.
const LOG_STREAM_VERSION = /^\d{4}\/\d{2}\/\d{2}\/\[([^\]\s]{1,128})\]/;

// Every event of a batch has the same log group and stream: remembering the last answer
// saves a slice and a RegExp run per event. Both functions are pure, so this is safe.
let lastLogGroup: string | undefined;
let lastFunctionName: string | undefined;
let lastLogStream: string | undefined;
let lastFunctionVersion: string | undefined;

/** `/aws/lambda/<name>` -> `<name>`; undefined for a custom log group. */
export function functionNameFromLogGroup(logGroup: string): string | undefined {
  if (logGroup !== lastLogGroup) {
    const name = logGroup.startsWith(LAMBDA_LOG_GROUP_PREFIX) ? logGroup.slice(LAMBDA_LOG_GROUP_PREFIX.length) : '';
    lastFunctionName = name.length > 0 ? name : undefined;
    lastLogGroup = logGroup;
  }
  return lastFunctionName;
}

/** `YYYY/MM/DD/[<version>]<hex>` -> `<version>`. */
export function functionVersionFromLogStream(logStream: string): string | undefined {
  if (logStream !== lastLogStream) {
    lastFunctionVersion = LOG_STREAM_VERSION.exec(logStream)?.[1];
    lastLogStream = logStream;
  }
  return lastFunctionVersion;
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]` -> `<name>`. */
export function functionNameFromArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts[5] === 'function' && parts[6] ? parts[6] : undefined;
}

/**
 * Adds what follows from the metrics of a REPORT. Products of integers are exact in a
 * double, so dividing once keeps `billed_gb_seconds` as close to the true value as a
 * double can be (128 MB × 700 ms gives 0.0875, not 0.08749999999999999).
 */
export function addDerivedMetrics(lambda: LambdaFields): void {
  const { memory_size_mb: memory, max_memory_used_mb: used, billed_duration_ms: billed } = lambda;
  if (memory !== undefined && memory > 0 && used !== undefined) lambda.memory_used_ratio = used / memory;
  if (memory !== undefined && billed !== undefined) lambda.billed_gb_seconds = (memory * billed) / 1_024_000;
  // Managed Instances reports carry only a duration: whether the call was a cold start is
  // unknown there, so cold_start is written only for reports with the standard metrics.
  if (lambda.init_duration_ms !== undefined) lambda.cold_start = true;
  else if (billed !== undefined) lambda.cold_start = false;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 time with a zone, as ISO UTC with `Z`; undefined for anything else. */
export function toUtcIso(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Runtimes write times already in the form toISOString gives: returned as they are,
  // which spares a Date.parse and a new string per line.
  if (isCanonicalUtcIso(value)) return value;
  if (!ISO_TIME.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` naming a real instant (month 1-12, a day of that month,
 * hour < 24, minute and second < 60): exactly the strings `toISOString` returns for
 * years 0000-9999, so `new Date(Date.parse(value)).toISOString() === value` for them.
 */
export function isCanonicalUtcIso(value: string): boolean {
  if (value.length !== 24 || value.charCodeAt(23) !== 0x5a) return false;
  for (let index = 0; index < 23; index += 1) {
    const code = value.charCodeAt(index);
    const expected = CANONICAL_SHAPE.charCodeAt(index);
    if (expected === 0x30 ? code < 0x30 || code > 0x39 : code !== expected) return false;
  }
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    digitsAt(value, 11, 2) < 24 &&
    digitsAt(value, 14, 2) < 60 &&
    digitsAt(value, 17, 2) < 60
  );
}

// A `0` stands for any digit; every other character must be there as it is.
const CANONICAL_SHAPE = '0000-00-00T00:00:00.000Z';

function digitsAt(value: string, at: number, count: number): number {
  let number = 0;
  for (let index = at; index < at + count; index += 1) number = number * 10 + (value.charCodeAt(index) - 0x30);
  return number;
}

/** Days of a month in the proleptic Gregorian calendar that Date uses. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Drops undefined members so that absent values stay absent in the document. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) if (member !== undefined) out[key] = member;
  return out as T;
}
