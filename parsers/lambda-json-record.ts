import {
  addDerivedMetrics,
  functionNameFromArn,
  type LambdaFields,
  type LambdaLineResult,
} from './lambda-fields';
import { toUtcIso } from './lambda-time';

/**
 * Platform records of the JSON log format (`{"time":…,"type":"platform.report","record":{…}}`),
 * shaped like the Telemetry API events.
 */

type JsonObject = Record<string, unknown>;

/** True for a JSON log line that is a platform record rather than the function's own. */
export function isPlatformRecord(json: JsonObject): boolean {
  return typeof json.type === 'string' && json.type.startsWith('platform.');
}

/** Reads a platform record (the caller checked `isPlatformRecord`). */
export function readPlatformRecord(json: JsonObject): LambdaLineResult {
  const type = json.type as string;
  const lambda: LambdaFields = { record_type: type };
  const timestamp = toUtcIso(json.time);
  const record = asObject(json.record);
  if (record === undefined) {
    return type === 'platform.report'
      ? { ok: false, reason: 'platform.report without a record object', lambda }
      : withTime({ ok: true, lambda }, timestamp);
  }

  lambda.request_id = text(record.requestId);
  lambda.function_version = text(record.version) ?? text(record.functionVersion);
  lambda.function_name = text(record.functionName) ?? (text(record.functionArn) && functionNameFromArn(record.functionArn as string));
  lambda.status = text(record.status);
  lambda.error_type = text(record.errorType);
  lambda.phase = text(record.phase);
  lambda.runtime_version = text(record.runtimeVersion);
  lambda.runtime_version_arn = text(record.runtimeVersionArn);
  readTracing(asObject(record.tracing), lambda);

  const metrics = asObject(record.metrics) ?? {};
  switch (type) {
    case 'platform.report':
      lambda.duration_ms = nonNegative(metrics.durationMs);
      lambda.billed_duration_ms = nonNegative(metrics.billedDurationMs);
      lambda.memory_size_mb = nonNegative(metrics.memorySizeMB);
      lambda.max_memory_used_mb = nonNegative(metrics.maxMemoryUsedMB);
      lambda.init_duration_ms = nonNegative(metrics.initDurationMs);
      lambda.restore_duration_ms = nonNegative(metrics.restoreDurationMs);
      lambda.billed_restore_duration_ms = nonNegative(metrics.billedRestoreDurationMs);
      if (lambda.duration_ms === undefined) {
        return { ok: false, reason: 'platform.report without a numeric record.metrics.durationMs', lambda };
      }
      addDerivedMetrics(lambda);
      break;
    case 'platform.initReport':
      lambda.init_duration_ms = nonNegative(metrics.durationMs);
      break;
    case 'platform.restoreReport':
      lambda.restore_duration_ms = nonNegative(metrics.durationMs);
      break;
    // platform.runtimeDone's durationMs is the runtime's share only; keeping it out of
    // duration_ms means duration aggregates count each invocation once (from the report).
    default:
      break;
  }
  return withTime({ ok: true, lambda }, timestamp);
}

/** `{"type":"X-Amzn-Trace-Id","value":"Root=1-…;Parent=…;Sampled=1","spanId":"…"}`. */
function readTracing(tracing: JsonObject | undefined, lambda: LambdaFields): void {
  if (tracing === undefined) return;
  lambda.xray_segment_id = text(tracing.spanId);
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

function withTime(result: LambdaLineResult & { ok: true }, timestamp: string | undefined): LambdaLineResult {
  return timestamp === undefined ? result : { ...result, timestamp };
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
