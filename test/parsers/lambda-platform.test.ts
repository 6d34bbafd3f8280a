import { describe, expect, it } from 'vitest';
import { parseLambdaPlatform } from '../../parsers/lambda-platform';
import type { ParseContext, ParseResult } from '../../parsers/types';

// Expected values below are worked out by hand from the line (ratio = max / size,
// GB-seconds = MB / 1024 × billed ms / 1000), never copied from the parser's output.

const ID = '3f1c2b9e-6a4d-4c1e-9d2a-0b7e5f8a1c34';
const CONTEXT: ParseContext = {
  logGroup: '/aws/lambda/orders-api',
  logStream: '2024/05/01/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  timestamp: Date.UTC(2024, 4, 1),
};
const FUNCTION = { function_name: 'orders-api', function_version: '$LATEST' };

interface Case {
  readonly name: string;
  readonly message: string;
  /** The whole expected `aws.lambda` object, apart from the log group / stream names. */
  readonly lambda: Record<string, unknown>;
  readonly tags?: readonly string[];
  readonly timestamp?: string;
}

const covered = new Set<string>(Object.keys(FUNCTION));
function table(cases: readonly Case[]): readonly Case[] {
  for (const entry of cases) for (const key of Object.keys(entry.lambda)) covered.add(key);
  return cases;
}

function lambdaOf(result: ParseResult): unknown {
  return (result.fields as { aws?: { lambda?: unknown } } | undefined)?.aws?.lambda;
}

function expectParsed(message: string, expected: Case, context: ParseContext = CONTEXT): void {
  const result = parseLambdaPlatform(message, context);
  expect(result.ok, result.ok ? '' : result.reason).toBe(true);
  if (!result.ok) return;
  expect(lambdaOf(result)).toEqual({ ...FUNCTION, ...expected.lambda });
  expect(result.tags).toEqual(expected.tags);
  expect(result.timestamp).toBe(expected.timestamp);
}

const TEXT_REPORTS = table([
  {
    name: 'current REPORT (tabs, ends with a tab and a newline)',
    message: `REPORT RequestId: ${ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t\n`,
    lambda: {
      record_type: 'REPORT',
      request_id: ID,
      duration_ms: 12.34,
      billed_duration_ms: 13,
      memory_size_mb: 128,
      max_memory_used_mb: 64,
      memory_used_ratio: 0.5,
      billed_gb_seconds: 0.001625,
      cold_start: false,
    },
  },
  {
    name: 'cold start: Init Duration present',
    message: `REPORT RequestId: ${ID}\tDuration: 2.37 ms\tBilled Duration: 427 ms\tMemory Size: 512 MB\tMax Memory Used: 89 MB\tInit Duration: 423.98 ms\t\n`,
    lambda: {
      record_type: 'REPORT',
      request_id: ID,
      duration_ms: 2.37,
      billed_duration_ms: 427,
      memory_size_mb: 512,
      max_memory_used_mb: 89,
      init_duration_ms: 423.98,
      memory_used_ratio: 0.173828125,
      billed_gb_seconds: 0.2135,
      cold_start: true,
    },
    tags: ['cold_start'],
  },
  {
    name: 'SnapStart restore: Restore Duration and Billed Restore Duration, no init',
    message: `REPORT RequestId: ${ID}\tDuration: 2338.66 ms\tBilled Duration: 2521 ms\tMemory Size: 2048 MB\tMax Memory Used: 173 MB\tRestore Duration: 398.97 ms\tBilled Restore Duration: 182 ms\t\n`,
    lambda: {
      record_type: 'REPORT',
      request_id: ID,
      duration_ms: 2338.66,
      billed_duration_ms: 2521,
      memory_size_mb: 2048,
      max_memory_used_mb: 173,
      restore_duration_ms: 398.97,
      billed_restore_duration_ms: 182,
      memory_used_ratio: 0.08447265625,
      billed_gb_seconds: 5.042,
      cold_start: false,
    },
  },
  {
    name: 'Status: timeout, no trailing tab',
    message: `REPORT RequestId: ${ID}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tStatus: timeout`,
    lambda: {
      record_type: 'REPORT',
      request_id: ID,
      duration_ms: 3000,
      billed_duration_ms: 3000,
      memory_size_mb: 128,
      max_memory_used_mb: 64,
      memory_used_ratio: 0.5,
      billed_gb_seconds: 0.375,
      cold_start: false,
      status: 'timeout',
    },
  },
  {
    name: 'Status: error with Error Type, then the XRAY line',
    message: `REPORT RequestId: ${ID}\tDuration: 2967.41 ms\tBilled Duration: 3445 ms\tMemory Size: 1024 MB\tMax Memory Used: 1024 MB\tInit Duration: 476.75 ms\tStatus: error\tError Type: Runtime.OutOfMemory\nXRAY TraceId: 1-6650a1b2-0a1b2c3d4e5f60718293a4b5\tSegmentId: 5f2c8e7a9b1d3c4e\tSampled: false\t\n`,
    lambda: {
      record_type: 'REPORT',
      request_id: ID,
      duration_ms: 2967.41,
      billed_duration_ms: 3445,
      memory_size_mb: 1024,
      max_memory_used_mb: 1024,
      init_duration_ms: 476.75,
      memory_used_ratio: 1,
      billed_gb_seconds: 3.445,
      cold_start: true,
      status: 'error',
      error_type: 'Runtime.OutOfMemory',
      xray_trace_id: '1-6650a1b2-0a1b2c3d4e5f60718293a4b5',
      xray_segment_id: '5f2c8e7a9b1d3c4e',
      xray_sampled: false,
    },
    tags: ['cold_start'],
  },
  {
    name: 'XRAY on a second line (active tracing)',
    message: `REPORT RequestId: ${ID}\tDuration: 619.31 ms\tBilled Duration: 620 ms\tMemory Size: 256 MB\tMax Memory Used: 118 MB\t\nXRAY TraceId: 1-5e61292c-cc1229a4dfbeae1043928548\tSegmentId: 07a85e713f6302b2\tSampled: true\t\n`,
    lambda: {
      record_type: 'REPORT',
      request_id: ID,
      duration_ms: 619.31,
      billed_duration_ms: 620,
      memory_size_mb: 256,
      max_memory_used_mb: 118,
      memory_used_ratio: 0.4609375,
      billed_gb_seconds: 0.155,
      cold_start: false,
      xray_trace_id: '1-5e61292c-cc1229a4dfbeae1043928548',
      xray_segment_id: '07a85e713f6302b2',
      xray_sampled: true,
    },
  },
  {
    name: 'XRAY joined to the same line with a tab (documentation rendering)',
    message: `REPORT RequestId: ${ID}\tDuration: 128.83 ms\tBilled Duration: 129 ms\tMemory Size: 128 MB\tMax Memory Used: 74 MB\tInit Duration: 166.62 ms\tXRAY TraceId: 1-5d9d007f-0a8c7fd02xmpl480aed55ef0\tSegmentId: 3d752xmpl1bbe37e\tSampled: true`,
    lambda: {
      record_type: 'REPORT',
      request_id: ID,
      duration_ms: 128.83,
      billed_duration_ms: 129,
      memory_size_mb: 128,
      max_memory_used_mb: 74,
      init_duration_ms: 166.62,
      memory_used_ratio: 0.578125,
      billed_gb_seconds: 0.016125,
      cold_start: true,
      xray_trace_id: '1-5d9d007f-0a8c7fd02xmpl480aed55ef0',
      xray_segment_id: '3d752xmpl1bbe37e',
      xray_sampled: true,
    },
    tags: ['cold_start'],
  },
  {
    name: 'old spacing: a space before the tab after Billed Duration',
    message: `REPORT RequestId: ${ID}\tDuration: 26.73 ms\tBilled Duration: 27 ms \tMemory Size: 128 MB\tMax Memory Used: 75 MB\t\n`,
    lambda: {
      record_type: 'REPORT',
      request_id: ID,
      duration_ms: 26.73,
      billed_duration_ms: 27,
      memory_size_mb: 128,
      max_memory_used_mb: 75,
      memory_used_ratio: 0.5859375,
      billed_gb_seconds: 0.003375,
      cold_start: false,
    },
  },
  {
    name: 'spaces instead of tabs (console copy), uneven',
    message: `REPORT RequestId: ${ID} Duration: 0.62 ms  Billed Duration: 100 ms Memory Size: 128 MB Max Memory Used: 51 MB`,
    lambda: {
      record_type: 'REPORT',
      request_id: ID,
      duration_ms: 0.62,
      billed_duration_ms: 100,
      memory_size_mb: 128,
      max_memory_used_mb: 51,
      memory_used_ratio: 0.3984375,
      billed_gb_seconds: 0.0125,
      cold_start: false,
    },
  },
  {
    name: 'double-escaped capture (literal backslash-t / backslash-n)',
    message: `REPORT RequestId: ${ID}\\tDuration: 1.76 ms\\tBilled Duration: 100 ms\\tMemory Size: 128 MB\\tMax Memory Used: 48 MB\\tInit Duration: 120.96 ms\\t\\n`,
    lambda: {
      record_type: 'REPORT',
      request_id: ID,
      duration_ms: 1.76,
      billed_duration_ms: 100,
      memory_size_mb: 128,
      max_memory_used_mb: 48,
      init_duration_ms: 120.96,
      memory_used_ratio: 0.375,
      billed_gb_seconds: 0.0125,
      cold_start: true,
    },
    tags: ['cold_start'],
  },
  {
    name: 'an unknown future field is ignored',
    message: `REPORT RequestId: ${ID}\tDuration: 5.00 ms\tBilled Duration: 5 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\tTenant Id: blue\t\n`,
    lambda: {
      record_type: 'REPORT',
      request_id: ID,
      duration_ms: 5,
      billed_duration_ms: 5,
      memory_size_mb: 128,
      max_memory_used_mb: 64,
      memory_used_ratio: 0.5,
      billed_gb_seconds: 0.000625,
      cold_start: false,
    },
  },
]);

const TEXT_OTHERS = table([
  {
    name: 'START with Version',
    message: `START RequestId: ${ID} Version: $LATEST\n`,
    lambda: { record_type: 'START', request_id: ID },
  },
  { name: 'END', message: `END RequestId: ${ID}\n`, lambda: { record_type: 'END', request_id: ID } },
  {
    name: 'INIT_START with runtime version and ARN',
    message:
      'INIT_START Runtime Version: python:3.12.mainlinev2.v27\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:2d8e5a1c9f0b7e6d3c4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a\n',
    lambda: {
      record_type: 'INIT_START',
      runtime_version: 'python:3.12.mainlinev2.v27',
      runtime_version_arn:
        'arn:aws:lambda:us-east-1::runtime:2d8e5a1c9f0b7e6d3c4a5b6c7d8e9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a',
    },
  },
  {
    name: 'INIT_REPORT of a failed init',
    message: 'INIT_REPORT Init Duration: 137.69 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError\n',
    lambda: {
      record_type: 'INIT_REPORT',
      init_duration_ms: 137.69,
      phase: 'init',
      status: 'error',
      error_type: 'Runtime.ImportModuleError',
    },
  },
  {
    name: 'INIT_REPORT of the retry inside the invoke',
    message: 'INIT_REPORT Init Duration: 9998.51 ms\tPhase: invoke\tStatus: timeout\n',
    lambda: { record_type: 'INIT_REPORT', init_duration_ms: 9998.51, phase: 'invoke', status: 'timeout' },
  },
  {
    name: 'INIT_REPORT of a SnapStart version publication (no status)',
    message: 'INIT_REPORT Init Duration: 1423.07 ms\n',
    lambda: { record_type: 'INIT_REPORT', init_duration_ms: 1423.07 },
  },
  {
    name: 'RESTORE_START',
    message: 'RESTORE_START Runtime Version: java:21.v17\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:abc123\n',
    lambda: {
      record_type: 'RESTORE_START',
      runtime_version: 'java:21.v17',
      runtime_version_arn: 'arn:aws:lambda:eu-west-1::runtime:abc123',
    },
  },
  {
    name: 'RESTORE_REPORT',
    message: 'RESTORE_REPORT Restore Duration: 789.64 ms\n',
    lambda: { record_type: 'RESTORE_REPORT', restore_duration_ms: 789.64 },
  },
  {
    name: 'EXTENSION registration',
    message: 'EXTENSION\tName: datadog-agent\tState: Ready\tEvents: [INVOKE, SHUTDOWN]\n',
    lambda: { record_type: 'EXTENSION' },
  },
  {
    name: 'LOGS subscription',
    message: 'LOGS\tName: log-shipper\tState: Subscribed\tTypes: [function, platform]\n',
    lambda: { record_type: 'LOGS' },
  },
  {
    name: 'TELEMETRY subscription',
    message: 'TELEMETRY\tName: otel\tState: Subscribed\tTypes: [platform]\n',
    lambda: { record_type: 'TELEMETRY' },
  },
]);

const APP_LINES = table([
  {
    name: 'runtime logger line with level',
    message: `2024-05-01T10:00:00.123Z\t${ID}\tINFO\tprocessing order 42\n`,
    lambda: { record_type: 'log', request_id: ID, log: { level: 'INFO' } },
    timestamp: '2024-05-01T10:00:00.123Z',
  },
  {
    name: 'multi-line message joined with \\r',
    message: `2019-06-05T19:30:03.173Z\t${ID}\tINFO\tEVENT\r{\r  "key": "value"\r}\n`,
    lambda: { record_type: 'log', request_id: ID, log: { level: 'INFO' } },
    timestamp: '2019-06-05T19:30:03.173Z',
  },
  {
    name: 'Python runtime line ([LEVEL] first)',
    message: `[WARNING]\t2024-05-01T10:00:00.456Z\t${ID}\tdisk almost full\n`,
    lambda: { record_type: 'log', request_id: ID, log: { level: 'WARNING' } },
    timestamp: '2024-05-01T10:00:00.456Z',
  },
  {
    name: 'old timeout line: tag timeout, no status',
    message: `2020-06-09T15:02:26.150Z ${ID} Task timed out after 3.00 seconds\n\n`,
    lambda: { record_type: 'log', request_id: ID },
    tags: ['timeout'],
    timestamp: '2020-06-09T15:02:26.150Z',
  },
  {
    name: 'a line that only contains REPORT RequestId: is an app line',
    message: `2024-05-01T10:00:00.123Z\t${ID}\tINFO\tREPORT RequestId: ${ID}\tDuration: 1.00 ms\n`,
    lambda: { record_type: 'log', request_id: ID, log: { level: 'INFO' } },
    timestamp: '2024-05-01T10:00:00.123Z',
  },
  {
    name: 'REPORT RequestId: after leading blanks is an app line',
    message: `  REPORT RequestId: ${ID}\tDuration: 1.00 ms\n`,
    lambda: { record_type: 'log' },
  },
  { name: 'REPORT without RequestId is an app line', message: 'REPORT invalid report log line', lambda: { record_type: 'log' } },
  { name: 'plain print()', message: 'Starting worker\n', lambda: { record_type: 'log' } },
  { name: 'an app line mentioning a timeout elsewhere', message: 'Task timed out after 3.00 seconds', lambda: { record_type: 'log' } },
  {
    name: 'JSON log format app line',
    message: `{"timestamp":"2024-05-01T10:00:00.789Z","level":"ERROR","requestId":"${ID}","message":"boom"}`,
    lambda: {
      record_type: 'log',
      request_id: ID,
      log: { timestamp: '2024-05-01T10:00:00.789Z', level: 'ERROR', requestId: ID, message: 'boom' },
    },
    timestamp: '2024-05-01T10:00:00.789Z',
  },
  {
    name: 'Powertools logger line (function_request_id, nested object)',
    message: `{"level":"INFO","message":"hi","timestamp":"2024-05-01T10:00:01.000+02:00","service":"orders","function_request_id":"${ID}","cart":{"items":2}}`,
    lambda: {
      record_type: 'log',
      request_id: ID,
      log: {
        level: 'INFO',
        message: 'hi',
        timestamp: '2024-05-01T10:00:01.000+02:00',
        service: 'orders',
        function_request_id: ID,
        cart: { items: 2 },
      },
    },
    timestamp: '2024-05-01T08:00:01.000Z',
  },
  {
    name: 'JSON with a type that is not platform.*',
    message: '{"type":"order.created","id":7}',
    lambda: { record_type: 'log', log: { type: 'order.created', id: 7 } },
  },
  { name: 'broken JSON', message: '{"type":"platform.report",', lambda: { record_type: 'log' } },
  { name: 'a JSON array', message: '[1,2,3]', lambda: { record_type: 'log' } },
  {
    name: 'JSON nested too deep to keep as an object',
    message: `{"a":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    lambda: { record_type: 'log' },
  },
]);

const JSON_RECORDS = table([
  {
    name: 'platform.report',
    message: `{"time":"2024-06-17T17:23:55.826Z","type":"platform.report","record":{"requestId":"${ID}","metrics":{"durationMs":18.593,"billedDurationMs":19,"memorySizeMB":2048,"maxMemoryUsedMB":246},"status":"success"}}`,
    lambda: {
      record_type: 'platform.report',
      request_id: ID,
      duration_ms: 18.593,
      billed_duration_ms: 19,
      memory_size_mb: 2048,
      max_memory_used_mb: 246,
      memory_used_ratio: 0.1201171875,
      billed_gb_seconds: 0.038,
      cold_start: false,
      status: 'success',
    },
    timestamp: '2024-06-17T17:23:55.826Z',
  },
  {
    name: 'platform.report, cold start, status before metrics, integer init',
    message: `{"time":"2024-06-17T17:23:55.826Z","type":"platform.report","record":{"requestId":"${ID}","status":"success","metrics":{"durationMs":0.81,"billedDurationMs":12,"memorySizeMB":128,"maxMemoryUsedMB":90,"initDurationMs":10}}}`,
    lambda: {
      record_type: 'platform.report',
      request_id: ID,
      duration_ms: 0.81,
      billed_duration_ms: 12,
      memory_size_mb: 128,
      max_memory_used_mb: 90,
      init_duration_ms: 10,
      memory_used_ratio: 0.703125,
      billed_gb_seconds: 0.0015,
      cold_start: true,
      status: 'success',
    },
    tags: ['cold_start'],
    timestamp: '2024-06-17T17:23:55.826Z',
  },
  {
    name: 'platform.report of a SnapStart restore',
    message: `{"time":"2024-06-17T17:23:55.826Z","type":"platform.report","record":{"requestId":"${ID}","metrics":{"durationMs":306.34,"billedDurationMs":610,"memorySizeMB":1024,"maxMemoryUsedMB":150,"restoreDurationMs":420.5,"billedRestoreDurationMs":303},"status":"success"}}`,
    lambda: {
      record_type: 'platform.report',
      request_id: ID,
      duration_ms: 306.34,
      billed_duration_ms: 610,
      memory_size_mb: 1024,
      max_memory_used_mb: 150,
      restore_duration_ms: 420.5,
      billed_restore_duration_ms: 303,
      memory_used_ratio: 0.146484375,
      billed_gb_seconds: 0.61,
      cold_start: false,
      status: 'success',
    },
    timestamp: '2024-06-17T17:23:55.826Z',
  },
  {
    name: 'platform.report with status timeout',
    message: `{"time":"2024-10-18T19:38:39.661Z","type":"platform.report","record":{"requestId":"${ID}","metrics":{"durationMs":30000.0,"billedDurationMs":30000,"memorySizeMB":128,"maxMemoryUsedMB":74},"status":"timeout"}}`,
    lambda: {
      record_type: 'platform.report',
      request_id: ID,
      duration_ms: 30000,
      billed_duration_ms: 30000,
      memory_size_mb: 128,
      max_memory_used_mb: 74,
      memory_used_ratio: 0.578125,
      billed_gb_seconds: 3.75,
      cold_start: false,
      status: 'timeout',
    },
    timestamp: '2024-10-18T19:38:39.661Z',
  },
  {
    name: 'platform.report with error type and tracing',
    message: `{"time":"2024-06-17T17:23:55.826Z","type":"platform.report","record":{"requestId":"${ID}","metrics":{"durationMs":812.4,"billedDurationMs":813,"memorySizeMB":256,"maxMemoryUsedMB":256},"tracing":{"spanId":"1c2d3e4f5a6b7c8d","type":"X-Amzn-Trace-Id","value":"Root=1-66700a1b-1234567890abcdef12345678;Parent=9a8b7c6d5e4f3a2b;Sampled=1"},"status":"error","errorType":"Runtime.ExitError"}}`,
    lambda: {
      record_type: 'platform.report',
      request_id: ID,
      duration_ms: 812.4,
      billed_duration_ms: 813,
      memory_size_mb: 256,
      max_memory_used_mb: 256,
      memory_used_ratio: 1,
      billed_gb_seconds: 0.20325,
      cold_start: false,
      status: 'error',
      error_type: 'Runtime.ExitError',
      xray_trace_id: '1-66700a1b-1234567890abcdef12345678',
      xray_segment_id: '1c2d3e4f5a6b7c8d',
      xray_sampled: true,
    },
    timestamp: '2024-06-17T17:23:55.826Z',
  },
  {
    name: 'Managed Instances platform.report: duration only, no cold_start',
    message: `{"time":"2026-01-08T18:22:35.343Z","type":"platform.report","record":{"requestId":"${ID}","metrics":{"durationMs":2.524},"spans":[{"name":"responseLatency","start":"2026-01-08T18:22:35.342Z","durationMs":0.642}],"status":"success"}}`,
    lambda: { record_type: 'platform.report', request_id: ID, duration_ms: 2.524, status: 'success' },
    timestamp: '2026-01-08T18:22:35.343Z',
  },
  {
    name: 'platform.start',
    message: `{"time":"2024-06-17T17:23:55.800Z","type":"platform.start","record":{"requestId":"${ID}","version":"$LATEST"}}`,
    lambda: { record_type: 'platform.start', request_id: ID },
    timestamp: '2024-06-17T17:23:55.800Z',
  },
  {
    name: 'platform.initStart',
    message:
      '{"time":"2024-06-17T17:23:55.100Z","type":"platform.initStart","record":{"initializationType":"on-demand","phase":"init","runtimeVersion":"nodejs:20.v13","runtimeVersionArn":"arn:aws:lambda:us-east-1::runtime:0f1e2d","functionName":"orders-api","functionVersion":"$LATEST"}}',
    lambda: {
      record_type: 'platform.initStart',
      phase: 'init',
      runtime_version: 'nodejs:20.v13',
      runtime_version_arn: 'arn:aws:lambda:us-east-1::runtime:0f1e2d',
    },
    timestamp: '2024-06-17T17:23:55.100Z',
  },
  {
    name: 'platform.initReport of a failed init',
    message:
      '{"time":"2024-06-17T17:23:55.300Z","type":"platform.initReport","record":{"initializationType":"on-demand","phase":"init","status":"error","errorType":"Runtime.ImportModuleError","metrics":{"durationMs":137.69}}}',
    lambda: {
      record_type: 'platform.initReport',
      phase: 'init',
      status: 'error',
      error_type: 'Runtime.ImportModuleError',
      init_duration_ms: 137.69,
    },
    timestamp: '2024-06-17T17:23:55.300Z',
  },
  {
    name: 'platform.restoreReport',
    message:
      '{"time":"2024-06-17T17:23:55.300Z","type":"platform.restoreReport","record":{"status":"success","metrics":{"durationMs":789.64}}}',
    lambda: { record_type: 'platform.restoreReport', status: 'success', restore_duration_ms: 789.64 },
    timestamp: '2024-06-17T17:23:55.300Z',
  },
  {
    name: 'platform.runtimeDone: status and request, no duration_ms',
    message: `{"time":"2024-06-17T17:23:55.820Z","type":"platform.runtimeDone","record":{"requestId":"${ID}","status":"failure","errorType":"Handler.Error","metrics":{"durationMs":12.1,"producedBytes":40}}}`,
    lambda: { record_type: 'platform.runtimeDone', request_id: ID, status: 'failure', error_type: 'Handler.Error' },
    timestamp: '2024-06-17T17:23:55.820Z',
  },
  {
    name: 'platform.extension: type only',
    message: '{"time":"2024-06-17T17:23:55.000Z","type":"platform.extension","record":{"name":"otel","state":"Ready","events":["INVOKE"]}}',
    lambda: { record_type: 'platform.extension' },
    timestamp: '2024-06-17T17:23:55.000Z',
  },
  {
    name: 'a time that is not ISO is left to the envelope',
    message: `{"time":"yesterday","type":"platform.start","record":{"requestId":"${ID}"}}`,
    lambda: { record_type: 'platform.start', request_id: ID },
  },
]);

describe('parseLambdaPlatform: text REPORT', () => {
  it.each(TEXT_REPORTS)('$name', (entry) => expectParsed(entry.message, entry));
});

describe('parseLambdaPlatform: other text platform lines', () => {
  it.each(TEXT_OTHERS)('$name', (entry) => expectParsed(entry.message, entry));
});

describe('parseLambdaPlatform: the function’s own lines', () => {
  it.each(APP_LINES)('$name', (entry) => expectParsed(entry.message, entry));
});

describe('parseLambdaPlatform: JSON log format', () => {
  it.each(JSON_RECORDS)('$name', (entry) => expectParsed(entry.message, entry));
});

describe('parseLambdaPlatform: function name and version', () => {
  const report = `REPORT RequestId: ${ID}\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t\n`;
  it.each([
    {
      name: 'published version in the stream',
      context: { logGroup: '/aws/lambda/orders-api', logStream: '2023/06/02/[72]88ab219a0b1c2d3e4f5061728394a5b6' },
      message: report,
      expected: { function_name: 'orders-api', function_version: '72' },
    },
    {
      name: 'custom log group: no function name',
      context: { logGroup: 'shared-app-logs', logStream: '2024/05/01/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9' },
      message: report,
      expected: { function_version: '$LATEST' },
    },
    {
      name: 'a stream of another shape: no version',
      context: { logGroup: '/aws/lambda/orders-api', logStream: 'my-stream' },
      message: report,
      expected: { function_name: 'orders-api' },
    },
    {
      name: 'START Version wins over the stream',
      context: { logGroup: '/aws/lambda/orders-api', logStream: 'my-stream' },
      message: `START RequestId: ${ID} Version: 14\n`,
      expected: { function_name: 'orders-api', function_version: '14' },
    },
    {
      name: 'custom log group: the name from platform.start functionArn',
      context: { logGroup: 'shared-app-logs', logStream: 'x' },
      message: `{"time":"2026-01-08T18:22:35.300Z","type":"platform.start","record":{"requestId":"${ID}","functionArn":"arn:aws:lambda:us-east-1:123456789012:function:orders-api:prod","version":"7"}}`,
      expected: { function_name: 'orders-api', function_version: '7' },
    },
    {
      name: 'custom log group: the name from platform.initStart functionName',
      context: { logGroup: 'shared-app-logs', logStream: 'x' },
      message: '{"time":"2026-01-08T18:22:35.300Z","type":"platform.initStart","record":{"functionName":"billing","functionVersion":"3"}}',
      expected: { function_name: 'billing', function_version: '3' },
    },
  ])('$name', ({ context, message, expected }) => {
    const result = parseLambdaPlatform(message, { ...context, timestamp: 0 });
    expect(result.ok).toBe(true);
    const lambda = lambdaOf(result) as Record<string, unknown>;
    expect({ function_name: lambda.function_name, function_version: lambda.function_version }).toEqual(expected);
  });
});

describe('parseLambdaPlatform: failures', () => {
  it.each([
    { name: 'REPORT without Duration', message: `REPORT RequestId: ${ID}\tBilled Duration: 1 ms\t\n`, reason: /Duration/ },
    {
      name: 'REPORT with an unreadable Duration',
      message: `REPORT RequestId: ${ID}\tDuration: fast\tBilled Duration: 1 ms\t\n`,
      reason: /"Duration" is not a duration in ms: "fast"/,
    },
    {
      name: 'REPORT with an unreadable Memory Size',
      message: `REPORT RequestId: ${ID}\tDuration: 1.00 ms\tMemory Size: 1.5 GB\t\n`,
      reason: /"Memory Size" is not a size in MB/,
    },
    { name: 'REPORT with an empty RequestId', message: 'REPORT RequestId: \tDuration: 1.00 ms\t\n', reason: /RequestId/ },
    { name: 'START with an empty RequestId', message: 'START RequestId:  Version: $LATEST\n', reason: /RequestId/ },
    { name: 'platform.report without record', message: '{"time":"2024-06-17T17:23:55.826Z","type":"platform.report"}', reason: /record/ },
    {
      name: 'platform.report without a numeric durationMs',
      message: `{"type":"platform.report","record":{"requestId":"${ID}","metrics":{"durationMs":"12"}}}`,
      reason: /durationMs/,
    },
  ])('$name', ({ message, reason }) => {
    const result = parseLambdaPlatform(message, CONTEXT);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(reason);
    // What could be read is still shipped with the failure.
    expect(lambdaOf(result)).toMatchObject(FUNCTION);
  });
});

describe('parseLambdaPlatform: figures a double cannot hold', () => {
  it('leaves out a derived metric that overflows instead of storing Infinity (JSON null)', () => {
    const message = `{"type":"platform.report","record":{"requestId":"${ID}","metrics":{"durationMs":1,"billedDurationMs":2918,"memorySizeMB":1e305,"maxMemoryUsedMB":1e308}}}`;
    const result = parseLambdaPlatform(message, CONTEXT);
    expect(result.ok).toBe(true);
    const lambda = lambdaOf(result) as Record<string, unknown>;
    expect(lambda.memory_size_mb).toBe(1e305);
    expect(lambda).not.toHaveProperty('billed_gb_seconds');
    expect(lambda.memory_used_ratio).toBe(1e308 / 1e305);
  });

  it('leaves out memory_used_ratio when the memory size is too small to divide by', () => {
    const message = `{"type":"platform.report","record":{"requestId":"${ID}","metrics":{"durationMs":1,"billedDurationMs":1,"memorySizeMB":1e-320,"maxMemoryUsedMB":1e300}}}`;
    const lambda = lambdaOf(parseLambdaPlatform(message, CONTEXT)) as Record<string, unknown>;
    expect(lambda).not.toHaveProperty('memory_used_ratio');
    // 1e-320 MB × 1 ms / 1,024,000 is below the smallest double: it underflows to 0, which is finite.
    expect(lambda.billed_gb_seconds).toBe(0);
  });
});

describe('parseLambdaPlatform: times toISOString cannot write with a four-digit year', () => {
  // Offsets move these times across 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z; toISOString
  // would write `-000001-12-31T23:00:00.000Z` and `+010000-01-01T00:59:59.000Z`.
  it.each([
    ['a platform record', '{"time":"0000-01-01T00:00:00+01:00","type":"platform.start","record":{}}'],
    ['a platform record', '{"time":"9999-12-31T23:59:59-01:00","type":"platform.start","record":{}}'],
    ['a JSON line of the function', '{"timestamp":"0000-01-01T00:00:00+01:00","level":"INFO","message":"m"}'],
    ['a JSON line of the function', '{"timestamp":"9999-12-31T23:59:59-01:00","level":"INFO","message":"m"}'],
  ])('leave %s without a timestamp: %s', (_kind, message) => {
    const result = parseLambdaPlatform(message, CONTEXT);
    expect(result.ok).toBe(true);
    expect(result.ok && result.timestamp).toBeUndefined();
  });

  it('keeps the first and last instants of the years 0000-9999, written with an offset', () => {
    const first = parseLambdaPlatform('{"time":"0000-01-01T01:00:00+01:00","type":"platform.start","record":{}}', CONTEXT);
    const last = parseLambdaPlatform('{"timestamp":"9999-12-31T22:59:59.999-01:00","message":"m"}', CONTEXT);
    expect(first.ok && first.timestamp).toBe('0000-01-01T00:00:00.000Z');
    expect(last.ok && last.timestamp).toBe('9999-12-31T23:59:59.999Z');
  });
});

describe('parseLambdaPlatform: schema coverage', () => {
  it('asserts every aws.lambda field of schema.md in at least one case', () => {
    const schemaFields = [
      'function_name',
      'function_version',
      'record_type',
      'request_id',
      'duration_ms',
      'billed_duration_ms',
      'init_duration_ms',
      'restore_duration_ms',
      'billed_restore_duration_ms',
      'memory_size_mb',
      'max_memory_used_mb',
      'memory_used_ratio',
      'billed_gb_seconds',
      'cold_start',
      'status',
      'error_type',
      'phase',
      'runtime_version',
      'runtime_version_arn',
      'xray_trace_id',
      'xray_segment_id',
      'xray_sampled',
      'log',
    ];
    expect(schemaFields.filter((field) => !covered.has(field))).toEqual([]);
  });
});
