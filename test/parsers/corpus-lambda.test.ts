import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseLambdaPlatform } from '../../parsers/lambda-platform';
import { createRegistry } from '../../parsers/registry';
import type { ParseContext, ParseResult } from '../../parsers/types';
import { CORPUS_ROOT, describeCorpus } from '../helpers/required-cases';

// Conformance against the shared corpus (public samples, read in place, never copied).
// Expected values are read off the corpus files by hand or taken from Datadog's
// approved outputs, converted to this schema's units.

const FOLDER = 'lambda-report/';
const CORPUS = `${CORPUS_ROOT}${FOLDER}`;

interface Batch {
  readonly logGroup: string;
  readonly logStream: string;
  readonly logEvents: readonly { readonly id: string; readonly timestamp: number; readonly message: string }[];
}

function read(path: string): string {
  return readFileSync(`${CORPUS}${path}`, 'utf8');
}

function lambdaOf(result: ParseResult): Record<string, unknown> {
  expect(result.ok, result.ok ? '' : result.reason).toBe(true);
  return ((result.fields as { aws?: { lambda?: Record<string, unknown> } } | undefined)?.aws?.lambda ?? {}) as Record<
    string,
    unknown
  >;
}

function parseBatch(batch: Batch): { message: string; result: ParseResult }[] {
  return batch.logEvents.map((event) => {
    const context: ParseContext = { logGroup: batch.logGroup, logStream: batch.logStream, timestamp: event.timestamp };
    return { message: event.message, result: parseLambdaPlatform(event.message, context) };
  });
}

function reportOf(parsed: { message: string; result: ParseResult }[]): Record<string, unknown> {
  const reports = parsed.filter(({ message }) => message.startsWith('REPORT RequestId:'));
  expect(reports).toHaveLength(1);
  return lambdaOf(reports[0]!.result);
}

describeCorpus('corpus lambda-report/datadog batches', FOLDER, () => {
  const BATCHES = [
    'datadog/snapshots/cloudwatch_log_coldstart.json',
    'datadog/snapshots/cloudwatch_log_timeout.json',
    'datadog/snapshots/cloudwatch_log_lambda_invocation.json',
    'datadog/events/cloudwatch_logs.json',
  ];

  it.each(BATCHES)('%s: routed to lambda, no parse failure, record types by line start', (path) => {
    const batch = JSON.parse(read(path)) as Batch;
    expect(createRegistry().route(batch.logGroup).id).toBe('lambda');
    for (const { message, result } of parseBatch(batch)) {
      const lambda = lambdaOf(result);
      const start = /^(REPORT|START|END) RequestId:/.exec(message)?.[1];
      expect(lambda.record_type, message.slice(0, 60)).toBe(start ?? 'log');
      expect(lambda.function_name).toBe(batch.logGroup.slice('/aws/lambda/'.length));
      expect(lambda.function_version).toBe('$LATEST');
    }
  });

  it.each(BATCHES)('%s: START, END, REPORT and runtime lines name the same request', (path) => {
    const parsed = parseBatch(JSON.parse(read(path)) as Batch);
    const ids = new Set(parsed.map(({ result }) => lambdaOf(result).request_id).filter((id) => id !== undefined));
    expect(ids.size).toBe(1);
  });

  // The coldstart and timeout snapshots are double-escaped (literal backslash-t); they
  // must read the same as the real tab-separated lines would.
  it('coldstart snapshot (double-escaped): a cold start REPORT', () => {
    const parsed = parseBatch(JSON.parse(read('datadog/snapshots/cloudwatch_log_coldstart.json')) as Batch);
    expect(reportOf(parsed)).toMatchObject({
      request_id: 'db275f87-a934-471a-8980-b63bf4dc1beb',
      duration_ms: 1.76,
      billed_duration_ms: 100,
      memory_size_mb: 128,
      max_memory_used_mb: 48,
      init_duration_ms: 120.96,
      cold_start: true,
    });
  });

  it('timeout snapshot: the old "Task timed out" line is tagged, the REPORT has no status', () => {
    const parsed = parseBatch(JSON.parse(read('datadog/snapshots/cloudwatch_log_timeout.json')) as Batch);
    const report = reportOf(parsed);
    expect(report).toMatchObject({ duration_ms: 3003.16, billed_duration_ms: 3000, init_duration_ms: 127.02, cold_start: true });
    expect(report.status).toBeUndefined();
    const timedOut = parsed.find(({ message }) => message.includes('Task timed out after'))!;
    expect(timedOut.result).toMatchObject({ ok: true, tags: ['timeout'], timestamp: '2020-06-09T15:02:26.150Z' });
    expect(lambdaOf(timedOut.result).request_id).toBe('7c9567b5-107b-4a6c-8798-0157ac21db52');
  });

  it.each(['datadog/snapshots/cloudwatch_log_lambda_invocation.json', 'datadog/events/cloudwatch_logs.json'])(
    '%s: REPORT with the XRAY second line',
    (path) => {
      const parsed = parseBatch(JSON.parse(read(path)) as Batch);
      expect(reportOf(parsed)).toMatchObject({
        request_id: 'f08bb4c8-d6b2-4f05-ac17-af7e2ba005fb',
        duration_ms: 619.31,
        billed_duration_ms: 700,
        memory_size_mb: 128,
        max_memory_used_mb: 118,
        cold_start: false,
        xray_trace_id: '1-5e61292c-cc1229a4dfbeae1043928548',
        xray_segment_id: '07a85e713f6302b2',
        xray_sampled: true,
      });
      // Runtime lines carry the level; JSON lines the function printed are kept whole.
      const levels = new Set(parsed.map(({ result }) => (lambdaOf(result).log as { level?: string } | undefined)?.level));
      expect(levels).toEqual(new Set([undefined, 'DEBUG', 'INFO']));
      const metricLine = parsed.find(({ message }) => message.startsWith('{"e":'))!;
      expect(lambdaOf(metricLine.result).log).toMatchObject({ m: 'aws.lambda.enhanced.invocations' });
    },
  );
});

describeCorpus('corpus lambda-report/datadog enhanced metrics vs approved outputs', FOLDER, () => {
  // Datadog's forwarder constants (enhanced_lambda_metrics.py): cost = GB-s × price + request price.
  const PRICE_PER_GB_SECOND = 0.0000166667;
  const PRICE_PER_REQUEST = 0.0000002;
  const CONTEXT: ParseContext = { logGroup: '/aws/lambda/fn', logStream: '2024/10/04/[$LATEST]0a1b', timestamp: 0 };

  const inputs = () =>
    (JSON.parse(read('datadog/enhanced-metrics-test-inputs.json')) as { inputs: Record<string, string> }).inputs;
  const approved = (name: string) =>
    JSON.parse(read(`datadog/approved/TestEnhancedLambdaMetrics.test_parse_metrics_from_${name}.approved.json`)) as {
      name: string;
      tags: string[];
      value: number;
    }[];

  it.each([
    { approvedName: 'standard_report', input: 'standard_report' },
    { approvedName: 'cold_start_report', input: 'cold_start_report' },
    { approvedName: 'report_with_xray', input: 'report_with_xray' },
    { approvedName: 'json_report_log', input: 'standard_json_report' },
    { approvedName: 'cold_start_json_report_log', input: 'cold_start_json_report' },
    { approvedName: 'timeout_json_report_log', input: 'timeout_json_report' },
  ])('$input matches approved $approvedName', ({ approvedName, input }) => {
    const lambda = lambdaOf(parseLambdaPlatform(inputs()[input]!, CONTEXT));
    const metrics = new Map(approved(approvedName).map((metric) => [metric.name.replace('aws.lambda.enhanced.', ''), metric]));

    expect(lambda.duration_ms as number).toBeCloseTo(metrics.get('duration')!.value * 1000, 6);
    expect(lambda.billed_duration_ms as number).toBeCloseTo(metrics.get('billed_duration')!.value * 1000, 6);
    expect(lambda.max_memory_used_mb).toBe(metrics.get('max_memory_used')!.value);
    const init = metrics.get('init_duration');
    if (init === undefined) expect(lambda.init_duration_ms).toBeUndefined();
    else expect(lambda.init_duration_ms as number).toBeCloseTo(init.value * 1000, 6);
    const cost = (lambda.billed_gb_seconds as number) * PRICE_PER_GB_SECOND + PRICE_PER_REQUEST;
    expect(cost / metrics.get('estimated_cost')!.value).toBeCloseTo(1, 9);
    expect(lambda.status === 'timeout').toBe(metrics.has('timeouts'));
    for (const metric of metrics.values()) {
      expect(metric.tags).toContain(`memorysize:${lambda.memory_size_mb}`);
      expect(metric.tags).toContain(`cold_start:${lambda.cold_start}`);
    }
  });

  it('Managed Instances report: only the duration, no cold start guess', () => {
    const lambda = lambdaOf(parseLambdaPlatform(inputs().managed_instances_metrics_json_report!, CONTEXT));
    expect(lambda).toMatchObject({ record_type: 'platform.report', duration_ms: 2.524, status: 'success' });
    for (const absent of ['billed_duration_ms', 'memory_size_mb', 'max_memory_used_mb', 'billed_gb_seconds', 'memory_used_ratio', 'cold_start']) {
      expect(lambda[absent], absent).toBeUndefined();
    }
  });

  it('"REPORT invalid report log line" is a function line, not a REPORT (only "REPORT RequestId:" starts one)', () => {
    expect(lambdaOf(parseLambdaPlatform(inputs().malformed_report!, CONTEXT)).record_type).toBe('log');
  });
});

describeCorpus('corpus lambda-report/aws-docs', FOLDER, () => {
  const CONTEXT: ParseContext = {
    logGroup: '/aws/lambda/my-function',
    logStream: '2019/06/07/[$LATEST]e6f4a0c4241adcd70c262d34c0bbc85c',
    timestamp: 0,
  };

  it('example log format: platform lines and runtime lines (continuation lines are not events)', () => {
    const lines = read('aws-docs/nodejs-logging-example-log-format.txt')
      .split('\n')
      .filter((line) => /^(?:START|END|REPORT) |^\d{4}-\d{2}-\d{2}T/.test(line));
    const parsed = lines.map((line) => lambdaOf(parseLambdaPlatform(line, CONTEXT)));
    expect(parsed.map((lambda) => lambda.record_type)).toEqual(['START', 'log', 'log', 'log', 'END', 'REPORT']);
    expect(parsed.map((lambda) => (lambda.log as { level?: string } | undefined)?.level)).toEqual([
      undefined,
      'INFO',
      'INFO',
      'WARN',
      undefined,
      undefined,
    ]);
    expect(new Set(parsed.map((lambda) => lambda.request_id))).toEqual(new Set(['c793869b-ee49-115b-a5b6-4fd21e8dedac']));
    // The documentation joins the XRAY fields to the REPORT line with tabs.
    expect(parsed[5]).toMatchObject({
      duration_ms: 128.83,
      billed_duration_ms: 200,
      memory_size_mb: 128,
      max_memory_used_mb: 74,
      init_duration_ms: 166.62,
      cold_start: true,
      xray_trace_id: '1-5d9d007f-0a8c7fd02xmpl480aed55ef0',
      xray_segment_id: '3d752xmpl1bbe37e',
      xray_sampled: true,
    });
  });

  it('get-log-events output: old REPORT spacing and \\r-joined runtime lines', () => {
    const text = read('aws-docs/nodejs-logging-get-log-events-output.txt');
    // The block holds the invoke output, then the get-log-events reply.
    const reply = JSON.parse(text.slice(text.indexOf('{\n    "events"'))) as { events: { message: string; timestamp: number }[] };
    const parsed = reply.events.map((event) =>
      lambdaOf(parseLambdaPlatform(event.message, { ...CONTEXT, timestamp: event.timestamp })),
    );
    expect(parsed.map((lambda) => lambda.record_type)).toEqual(['START', 'log', 'log', 'END', 'REPORT']);
    expect(new Set(parsed.map((lambda) => lambda.request_id))).toEqual(new Set(['4ce9340a-b765-490f-ad8a-02ab3415e2bf']));
    expect(parsed[4]).toMatchObject({
      duration_ms: 26.73,
      billed_duration_ms: 27,
      memory_size_mb: 128,
      max_memory_used_mb: 75,
      cold_start: false,
    });
  });
});
