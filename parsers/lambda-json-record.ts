import {
  addDerivedMetrics,
  functionNameFromArn,
  functionNameFromLogGroup,
  functionVersionFromLogStream,
  type LambdaFields,
  type LambdaLineResult,
} from './lambda-fields';
import { toUtcIso } from './lambda-time';
import type { ParseContext } from './types';

/**
 * Platform records of the JSON log format (`{"time":…,"type":"platform.report","record":{…}}`),
 * shaped like the Telemetry API events.
 */

type JsonObject = Record<string, unknown>;

/** True for a JSON log line that is a platform record rather than the function's own. */
export function isPlatformRecord(json: JsonObject): boolean {
  return typeof json.type === 'string' && json.type.startsWith('platform.');
}

/**
 * Reads a platform record (the caller checked `isPlatformRecord`). Only values that are
 * there are written, in a fixed order, so the fields need no clean-up afterwards.
 */
export function readPlatformRecord(json: JsonObject, context: ParseContext): LambdaLineResult {
  const type = json.type as string;
  const lambda: LambdaFields = { record_type: type };
  const timestamp = toUtcIso(json.time);
  const record = asObject(json.record);
  if (record === undefined) {
    if (type === 'platform.report') return { ok: false, reason: 'platform.report without a record object', lambda };
    return timestamp === undefined ? { ok: true, lambda } : { ok: true, lambda, timestamp };
  }

  setDefined(lambda, 'request_id', text(record.requestId));
  // The function's version and name come next, as the record says them or, failing
  // that, as the log stream and log group do (the log group's name comes first).
  const version = text(record.version) ?? text(record.functionVersion) ?? functionVersionFromLogStream(context.logStream);
  setDefined(lambda, 'function_version', version);
  setDefined(lambda, 'function_name', functionNameFromLogGroup(context.logGroup) ?? functionNameOf(record));
  setDefined(lambda, 'status', text(record.status));
  setDefined(lambda, 'error_type', text(record.errorType));
  setDefined(lambda, 'phase', text(record.phase));
  setDefined(lambda, 'runtime_version', text(record.runtimeVersion));
  setDefined(lambda, 'runtime_version_arn', text(record.runtimeVersionArn));
  readTracing(asObject(record.tracing), lambda);

  const metrics = asObject(record.metrics) ?? {};
  switch (type) {
    case 'platform.report':
      setDefined(lambda, 'duration_ms', nonNegative(metrics.durationMs));
      setDefined(lambda, 'billed_duration_ms', nonNegative(metrics.billedDurationMs));
      setDefined(lambda, 'memory_size_mb', nonNegative(metrics.memorySizeMB));
      setDefined(lambda, 'max_memory_used_mb', nonNegative(metrics.maxMemoryUsedMB));
      setDefined(lambda, 'init_duration_ms', nonNegative(metrics.initDurationMs));
      setDefined(lambda, 'restore_duration_ms', nonNegative(metrics.restoreDurationMs));
      setDefined(lambda, 'billed_restore_duration_ms', nonNegative(metrics.billedRestoreDurationMs));
      if (lambda.duration_ms === undefined) {
        return { ok: false, reason: 'platform.report without a numeric record.metrics.durationMs', lambda };
      }
      addDerivedMetrics(lambda);
      break;
    case 'platform.initReport':
      setDefined(lambda, 'init_duration_ms', nonNegative(metrics.durationMs));
      break;
    case 'platform.restoreReport':
      setDefined(lambda, 'restore_duration_ms', nonNegative(metrics.durationMs));
      break;
    // platform.runtimeDone's durationMs is the runtime's share only; keeping it out of
    // duration_ms means duration aggregates count each invocation once (from the report).
    default:
      break;
  }
  return timestamp === undefined ? { ok: true, lambda } : { ok: true, lambda, timestamp };
}

/** `functionName`, else the name in `functionArn`. */
function functionNameOf(record: JsonObject): string | undefined {
  const arn = text(record.functionArn);
  return text(record.functionName) ?? (arn === undefined ? undefined : functionNameFromArn(arn));
}

function setDefined<K extends keyof LambdaFields>(lambda: LambdaFields, key: K, value: LambdaFields[K] | undefined): void {
  if (value !== undefined) lambda[key] = value;
}

/** `{"type":"X-Amzn-Trace-Id","value":"Root=1-…;Parent=…;Sampled=1","spanId":"…"}`. */
function readTracing(tracing: JsonObject | undefined, lambda: LambdaFields): void {
  if (tracing === undefined) return;
  setDefined(lambda, 'xray_segment_id', text(tracing.spanId));
  const value = text(tracing.value);
  if (value === undefined) return;
  for (const part of value.split(';')) {
    const equals = part.indexOf('=');
    const name = part.slice(0, equals).trim();
    const member = part.slice(equals + 1).trim();
    if (equals <= 0 || member === '') continue;
    if (name === 'Root') lambda.xray_trace_id ??= member;
    else if (name === 'Sampled' && (member === '1' || member === '0')) lambda.xray_sampled ??= member === '1';
  }
}

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function nonNegative(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}
