import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLambdaPlatform } from '../../parsers/lambda-platform';
import type { ParseResult } from '../../parsers/types';

// Whole invocations, in order, from the hand-written batches in test/fixtures/lambda/.

interface Batch {
  readonly logGroup: string;
  readonly logStream: string;
  readonly logEvents: readonly { readonly id: string; readonly timestamp: number; readonly message: string }[];
}

interface Parsed {
  readonly result: ParseResult;
  readonly lambda: Record<string, unknown>;
}

function parseFixture(name: string): Parsed[] {
  const batch = JSON.parse(readFileSync(new URL(`../fixtures/lambda/${name}`, import.meta.url), 'utf8')) as Batch;
  return batch.logEvents.map((event) => {
    const result = parseLambdaPlatform(event.message, {
      logGroup: batch.logGroup,
      logStream: batch.logStream,
      timestamp: event.timestamp,
    });
    // Collected outside a test, so a parse failure fails the whole file loudly.
    if (!result.ok) throw new Error(`${name}: ${result.reason}: ${event.message}`);
    const lambda = (result.fields as { aws: { lambda: Record<string, unknown> } }).aws.lambda;
    return { result, lambda };
  });
}

const reports = (parsed: Parsed[]) =>
  parsed.filter(({ lambda }) => lambda.record_type === 'REPORT' || lambda.record_type === 'platform.report');

describe('fixture text-format.json: cold start, warm call, timeout, re-init', () => {
  const parsed = parseFixture('text-format.json');

  it('reads every line as its record type', () => {
    expect(parsed.map(({ lambda }) => lambda.record_type)).toEqual([
      'INIT_START', 'START', 'log', 'log', 'END', 'REPORT',
      'START', 'log', 'END', 'REPORT',
      'START', 'log', 'log', 'END', 'REPORT',
      'INIT_START', 'START', 'END', 'REPORT',
    ]);
    expect(new Set(parsed.map(({ lambda }) => lambda.function_name))).toEqual(new Set(['orders-api']));
  });

  it('every REPORT names the request its START opened', () => {
    let open: unknown;
    for (const { lambda } of parsed) {
      if (lambda.record_type === 'START') open = lambda.request_id;
      if (lambda.record_type === 'END' || lambda.record_type === 'REPORT' || lambda.record_type === 'log') {
        expect(lambda.request_id).toBe(open);
      }
    }
  });

  it('cold starts, timeout status and tags', () => {
    expect(reports(parsed).map(({ lambda }) => lambda.cold_start)).toEqual([true, false, false, true]);
    expect(reports(parsed).map(({ lambda }) => lambda.status)).toEqual([undefined, undefined, 'timeout', undefined]);
    expect(parsed.map(({ result }) => (result.ok ? result.tags : undefined)).filter(Boolean)).toEqual([
      ['cold_start'],
      ['timeout'],
      ['cold_start'],
    ]);
  });

  it('GB-seconds add up to 512 MB × 4003 billed ms', () => {
    const total = reports(parsed).reduce((sum, { lambda }) => sum + (lambda.billed_gb_seconds as number), 0);
    expect(total).toBeCloseTo(2.0015, 10);
  });
});

describe('fixture json-format.json: JSON log format', () => {
  const parsed = parseFixture('json-format.json');

  it('reads every record as its type, with the published version and the record time', () => {
    expect(parsed.map(({ lambda }) => lambda.record_type)).toEqual([
      'platform.initStart', 'platform.initRuntimeDone', 'platform.initReport',
      'platform.start', 'log', 'platform.runtimeDone', 'platform.report',
      'platform.start', 'log', 'platform.runtimeDone', 'platform.report',
    ]);
    expect(new Set(parsed.map(({ lambda }) => lambda.function_version))).toEqual(new Set(['7']));
    for (const { result } of parsed) expect(result.ok && result.timestamp).toMatch(/^2025-03-10T09:10:0\d\.\d{3}Z$/);
  });

  it('durations are counted once per invocation (runtimeDone carries none)', () => {
    const durations = parsed.map(({ lambda }) => lambda.duration_ms).filter((value) => value !== undefined);
    expect(durations).toEqual([162.35, 101.77]);
  });

  it('reports: cold start with tracing, then an error', () => {
    const [first, second] = reports(parsed).map(({ lambda }) => lambda);
    expect(first).toMatchObject({
      cold_start: true,
      init_duration_ms: 640.12,
      status: 'success',
      xray_trace_id: '1-67cea9c0-0a1b2c3d4e5f60718293a4b5',
      xray_segment_id: '4b5c6d7e8f9a0b1c',
      xray_sampled: true,
    });
    expect(second).toMatchObject({ cold_start: false, status: 'error', error_type: 'CardDeclined' });
    expect(parsed[2]!.lambda).toMatchObject({ record_type: 'platform.initReport', init_duration_ms: 640.12, phase: 'init' });
  });

  it('application lines keep their JSON under aws.lambda.log', () => {
    const logs = parsed.filter(({ lambda }) => lambda.record_type === 'log').map(({ lambda }) => lambda.log);
    expect(logs).toEqual([
      { timestamp: '2025-03-10T09:10:00.700Z', level: 'INFO', message: 'charging invoice 77', logger: 'root', requestId: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d' },
      {
        timestamp: '2025-03-10T09:10:05.020Z',
        level: 'ERROR',
        message: 'card declined',
        logger: 'root',
        requestId: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
        stackTrace: ['line 1', 'line 2'],
      },
    ]);
  });
});

describe('fixture snapstart.json: restore from a snapshot', () => {
  const parsed = parseFixture('snapstart.json');

  it('RESTORE lines and a REPORT with restore durations, not a cold start', () => {
    expect(parsed.map(({ lambda }) => lambda.record_type)).toEqual(['RESTORE_START', 'RESTORE_REPORT', 'START', 'END', 'REPORT']);
    expect(parsed[0]!.lambda.runtime_version).toBe('java:21.v19');
    expect(parsed[1]!.lambda.restore_duration_ms).toBe(412.33);
    expect(parsed[4]!.lambda).toMatchObject({
      function_name: 'pricing',
      function_version: '12',
      restore_duration_ms: 412.33,
      billed_restore_duration_ms: 303,
      cold_start: false,
    });
    expect(parsed[4]!.lambda.init_duration_ms).toBeUndefined();
  });
});
