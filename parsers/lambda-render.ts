import { hasNoKeyOrder } from './json-key-order';
import type { LambdaFields } from './lambda-fields';

/**
 * Writes a Lambda log line back from its `aws.lambda` fields and `@timestamp`, in the
 * one spelling AWS writes it (log-formats.md section 2): tab-separated keys, a tab after
 * each metric, `\n` at the end, durations with two decimals. The parser claims `readFully`
 * only when this gives back exactly the message, so that the message can be rebuilt from
 * the document alone: whatever this does not write (an older spelling, a key the schema
 * has no field for, a JSON key order) simply leaves the message in the document.
 *
 * It reads nothing but its arguments; that is what makes the equality a proof.
 * Returns undefined for the lines it has no spelling for.
 */
export function renderLambdaLine(lambda: LambdaFields, timestamp: string | undefined): string | undefined {
  switch (lambda.record_type) {
    case 'START':
      return lambda.request_id === undefined || lambda.function_version === undefined
        ? undefined
        : `START RequestId: ${lambda.request_id} Version: ${lambda.function_version}\n`;
    case 'END':
      return lambda.request_id === undefined ? undefined : `END RequestId: ${lambda.request_id}\n`;
    case 'REPORT':
      return renderReport(lambda);
    case 'INIT_START':
    case 'RESTORE_START':
      return lambda.runtime_version === undefined || lambda.runtime_version_arn === undefined
        ? undefined
        : `${lambda.record_type} Runtime Version: ${lambda.runtime_version}\tRuntime Version ARN: ${lambda.runtime_version_arn}\n`;
    case 'INIT_REPORT':
      return lambda.init_duration_ms === undefined || lambda.phase === undefined
        ? undefined
        : `INIT_REPORT Init Duration: ${twoDecimals(lambda.init_duration_ms)} ms\tPhase: ${lambda.phase}${statusPart(lambda)}\n`;
    case 'RESTORE_REPORT':
      return lambda.restore_duration_ms === undefined
        ? undefined
        : `RESTORE_REPORT Restore Duration: ${twoDecimals(lambda.restore_duration_ms)} ms${statusPart(lambda)}\n`;
    case 'platform.start':
    case 'platform.report':
      return renderPlatformRecord(lambda, timestamp);
    case 'log':
      // The function's own line: only a JSON object kept whole under `aws.lambda.log` can be
      // written back, and only when it is compact JSON with no key order that the stored
      // _source could lose (one key per object: see json-key-order.ts).
      return lambda.log === undefined || !hasNoKeyOrder(lambda.log) ? undefined : JSON.stringify(lambda.log);
    default:
      return undefined;
  }
}

/**
 * `REPORT RequestId: …\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t`
 * then the optional metrics, each with its tab, an optional `Status: …` (written without
 * a tab before the line break), `\n`, and the X-Ray line.
 */
function renderReport(lambda: LambdaFields): string | undefined {
  if (lambda.request_id === undefined || lambda.duration_ms === undefined) return undefined;
  let line = `REPORT RequestId: ${lambda.request_id}\tDuration: ${twoDecimals(lambda.duration_ms)} ms\t`;
  if (lambda.billed_duration_ms !== undefined) line += `Billed Duration: ${lambda.billed_duration_ms} ms\t`;
  if (lambda.memory_size_mb !== undefined) line += `Memory Size: ${lambda.memory_size_mb} MB\t`;
  if (lambda.max_memory_used_mb !== undefined) line += `Max Memory Used: ${lambda.max_memory_used_mb} MB\t`;
  if (lambda.init_duration_ms !== undefined) line += `Init Duration: ${twoDecimals(lambda.init_duration_ms)} ms\t`;
  if (lambda.restore_duration_ms !== undefined) line += `Restore Duration: ${twoDecimals(lambda.restore_duration_ms)} ms\t`;
  if (lambda.billed_restore_duration_ms !== undefined) line += `Billed Restore Duration: ${lambda.billed_restore_duration_ms} ms\t`;
  // `statusPart` starts with the tab the last metric already wrote.
  if (lambda.status !== undefined) line += statusPart(lambda).slice(1);
  line += '\n';
  if (lambda.xray_trace_id !== undefined) {
    line += `XRAY TraceId: ${lambda.xray_trace_id}\t`;
    if (lambda.xray_segment_id !== undefined) line += `SegmentId: ${lambda.xray_segment_id}\t`;
    if (lambda.xray_sampled !== undefined) line += `Sampled: ${lambda.xray_sampled}\t`;
    line += '\n';
  } else if (lambda.xray_segment_id !== undefined || lambda.xray_sampled !== undefined) {
    return undefined;
  }
  return line;
}

/** `\tStatus: error\tError Type: Runtime.ExitError`, or nothing. */
function statusPart(lambda: LambdaFields): string {
  if (lambda.status === undefined) return lambda.error_type === undefined ? '' : `\tError Type: ${lambda.error_type}`;
  return lambda.error_type === undefined ? `\tStatus: ${lambda.status}` : `\tStatus: ${lambda.status}\tError Type: ${lambda.error_type}`;
}

/**
 * The JSON log format's `platform.start` and `platform.report`, compact, with the keys in
 * the order Lambda writes them. Records with tracing are not written: their `Parent` id
 * has no field.
 */
function renderPlatformRecord(lambda: LambdaFields, timestamp: string | undefined): string | undefined {
  if (timestamp === undefined || lambda.request_id === undefined) return undefined;
  if (lambda.xray_trace_id !== undefined || lambda.xray_segment_id !== undefined || lambda.xray_sampled !== undefined) return undefined;
  if (lambda.record_type === 'platform.start') {
    if (lambda.function_version === undefined) return undefined;
    const record = { requestId: lambda.request_id, version: lambda.function_version };
    return JSON.stringify({ time: timestamp, type: lambda.record_type, record });
  }
  if (lambda.duration_ms === undefined) return undefined;
  const metrics: Record<string, number> = { durationMs: lambda.duration_ms };
  if (lambda.billed_duration_ms !== undefined) metrics.billedDurationMs = lambda.billed_duration_ms;
  if (lambda.memory_size_mb !== undefined) metrics.memorySizeMB = lambda.memory_size_mb;
  if (lambda.max_memory_used_mb !== undefined) metrics.maxMemoryUsedMB = lambda.max_memory_used_mb;
  if (lambda.init_duration_ms !== undefined) metrics.initDurationMs = lambda.init_duration_ms;
  if (lambda.restore_duration_ms !== undefined) metrics.restoreDurationMs = lambda.restore_duration_ms;
  if (lambda.billed_restore_duration_ms !== undefined) metrics.billedRestoreDurationMs = lambda.billed_restore_duration_ms;
  const record: Record<string, unknown> = { requestId: lambda.request_id, metrics };
  if (lambda.status !== undefined) record.status = lambda.status;
  if (lambda.error_type !== undefined) record.errorType = lambda.error_type;
  return JSON.stringify({ time: timestamp, type: lambda.record_type, record });
}

/** `1.5` -> `1.50`: durations are written with two decimals; other spellings do not match. */
function twoDecimals(value: number): string {
  return value.toFixed(2);
}
