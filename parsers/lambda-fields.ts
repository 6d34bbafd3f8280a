/**
 * The `aws.lambda` field set and the small pieces every Lambda line kind shares:
 * names from the log group and stream, derived metrics.
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
 * double can be (128 MB × 700 ms gives 0.0875, not 0.08749999999999999). A figure
 * that overflows a double (only a forged JSON record can carry one) is left out rather
 * than stored as Infinity, which JSON would turn into null.
 */
export function addDerivedMetrics(lambda: LambdaFields): void {
  const { memory_size_mb: memory, max_memory_used_mb: used, billed_duration_ms: billed } = lambda;
  if (memory !== undefined && memory > 0 && used !== undefined) setIfFinite(lambda, 'memory_used_ratio', used / memory);
  if (memory !== undefined && billed !== undefined) setIfFinite(lambda, 'billed_gb_seconds', (memory * billed) / 1_024_000);
  // Managed Instances reports carry only a duration: whether the call was a cold start is
  // unknown there, so cold_start is written only for reports with the standard metrics.
  if (lambda.init_duration_ms !== undefined) lambda.cold_start = true;
  else if (billed !== undefined) lambda.cold_start = false;
}

function setIfFinite(lambda: LambdaFields, key: 'memory_used_ratio' | 'billed_gb_seconds', value: number): void {
  if (Number.isFinite(value)) lambda[key] = value;
}
