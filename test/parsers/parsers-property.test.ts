import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAthenaCloudTrail } from '../../parsers/athena-cloudtrail';
import { parseGeneric } from '../../parsers/generic';
import { parseLambdaPlatform } from '../../parsers/lambda-platform';
import { PARSER_IDS, type ParseContext, type ParseResult } from '../../parsers/types';

// Properties: no input makes a parser throw, and whatever comes back is a well-formed
// result whose values could not break the document (valid times, finite numbers, real
// addresses in `source.ip`).

const LAMBDA_CONTEXT: ParseContext = {
  logGroup: '/aws/lambda/orders-api',
  logStream: '2024/05/01/[$LATEST]0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  timestamp: 0,
};
const TRAIL_CONTEXT: ParseContext = { logGroup: 'aws-cloudtrail-logs-1-0a1b2c3d', logStream: '1_CloudTrail_eu-west-1', timestamp: 0 };

const PARSERS = [
  ['parseLambdaPlatform', (message: string) => parseLambdaPlatform(message, LAMBDA_CONTEXT)],
  ['parseAthenaCloudTrail', (message: string) => parseAthenaCloudTrail(message, TRAIL_CONTEXT)],
  ['parseGeneric', (message: string) => parseGeneric(message, TRAIL_CONTEXT)],
] as const;

const ATHENA_EVENTS = Object.values(
  JSON.parse(readFileSync(new URL('../fixtures/athena-cloudtrail/events.json', import.meta.url), 'utf8')) as Record<
    string,
    Record<string, unknown>
  >,
);

const ID = '3f1c2b9e-6a4d-4c1e-9d2a-0b7e5f8a1c34';
const LAMBDA_SEEDS = [
  `REPORT RequestId: ${ID}\tDuration: 2967.41 ms\tBilled Duration: 3445 ms\tMemory Size: 1024 MB\tMax Memory Used: 1024 MB\tInit Duration: 476.75 ms\tStatus: error\tError Type: Runtime.OutOfMemory\nXRAY TraceId: 1-6650a1b2-0a1b2c3d4e5f60718293a4b5\tSegmentId: 5f2c8e7a9b1d3c4e\tSampled: false\t\n`,
  `REPORT RequestId: ${ID}\tDuration: 2338.66 ms\tBilled Duration: 2521 ms\tMemory Size: 2048 MB\tMax Memory Used: 173 MB\tRestore Duration: 398.97 ms\tBilled Restore Duration: 182 ms\t\n`,
  `REPORT RequestId: ${ID} Duration: 0.62 ms  Billed Duration: 100 ms Memory Size: 128 MB Max Memory Used: 51 MB`,
  `START RequestId: ${ID} Version: $LATEST\n`,
  `END RequestId: ${ID}\n`,
  'INIT_START Runtime Version: python:3.12.mainlinev2.v27\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:2d8e\n',
  'INIT_REPORT Init Duration: 137.69 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError\n',
  'RESTORE_REPORT Restore Duration: 789.64 ms\n',
  `2020-06-09T15:02:26.150Z ${ID} Task timed out after 3.00 seconds\n\n`,
  `[WARNING]\t2024-05-01T10:00:00.456Z\t${ID}\tdisk almost full\n`,
  `{"time":"2024-06-17T17:23:55.826Z","type":"platform.report","record":{"requestId":"${ID}","metrics":{"durationMs":812.4,"billedDurationMs":813,"memorySizeMB":256,"maxMemoryUsedMB":256,"initDurationMs":10},"tracing":{"spanId":"1c2d","type":"X-Amzn-Trace-Id","value":"Root=1-66700a1b-12;Parent=9a8b;Sampled=1"},"status":"error","errorType":"Runtime.ExitError"}}`,
  `{"timestamp":"2024-05-01T10:00:00.789Z","level":"ERROR","requestId":"${ID}","message":"boom"}`,
];
const SEEDS = [...LAMBDA_SEEDS, ...ATHENA_EVENTS.map((event) => JSON.stringify(event))];

/** Character-level damage: insert, delete, replace, truncate, duplicate. */
const mutatedLine = fc
  .tuple(
    fc.constantFrom(...SEEDS),
    fc.array(
      fc.tuple(
        fc.constantFrom('insert', 'delete', 'replace', 'truncate', 'duplicate'),
        fc.nat(),
        fc.nat({ max: 40 }),
        fc.string({ unit: 'binary', maxLength: 6 }),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  )
  .map(([seed, operations]) =>
    operations.reduce((line, [operation, at, length, text]) => {
      const index = line.length === 0 ? 0 : at % (line.length + 1);
      switch (operation) {
        case 'insert':
          return line.slice(0, index) + text + line.slice(index);
        case 'delete':
          return line.slice(0, index) + line.slice(index + length);
        case 'replace':
          return line.slice(0, index) + text + line.slice(index + text.length);
        case 'truncate':
          return line.slice(0, index);
        default:
          return line.slice(0, index) + line.slice(index, index + length).repeat(3) + line.slice(index);
      }
    }, seed),
  );

/** Real events with members replaced by any JSON-able value, at the top and in userIdentity. */
const damagedEvent = fc
  .tuple(
    fc.constantFrom(...ATHENA_EVENTS),
    fc.dictionary(
      fc.constantFrom('eventSource', 'eventName', 'eventTime', 'eventID', 'awsRegion', 'userIdentity', 'requestParameters', 'responseElements', 'sourceIPAddress', 'userAgent', 'errorCode', 'readOnly', 'requestID'),
      fc.jsonValue(),
    ),
    fc.dictionary(
      fc.constantFrom('type', 'arn', 'principalId', 'userName', 'invokedBy', 'sessionContext', 'onBehalfOf', 'accountId'),
      fc.jsonValue(),
    ),
  )
  .map(([event, top, identity]) => {
    const userIdentity =
      typeof event.userIdentity === 'object' && event.userIdentity !== null ? { ...event.userIdentity, ...identity } : identity;
    return JSON.stringify({ ...event, userIdentity, ...top });
  });

const platformRecord = fc
  .record(
    {
      time: fc.oneof(fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), fc.jsonValue()),
      type: fc.constantFrom('platform.report', 'platform.start', 'platform.initStart', 'platform.initReport', 'platform.restoreReport', 'platform.runtimeDone', 'platform.extension'),
      record: fc.oneof(
        fc.record(
          {
            requestId: fc.oneof(fc.uuid(), fc.jsonValue()),
            version: fc.jsonValue(),
            status: fc.jsonValue(),
            errorType: fc.jsonValue(),
            functionArn: fc.oneof(fc.string(), fc.jsonValue()),
            metrics: fc.dictionary(
              fc.constantFrom('durationMs', 'billedDurationMs', 'memorySizeMB', 'maxMemoryUsedMB', 'initDurationMs', 'restoreDurationMs', 'billedRestoreDurationMs'),
              fc.oneof(fc.double(), fc.nat(), fc.jsonValue()),
            ),
            tracing: fc.oneof(fc.record({ spanId: fc.string(), value: fc.string() }, { requiredKeys: [] }), fc.jsonValue()),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
    },
    { requiredKeys: ['type'] },
  )
  .map((record) => JSON.stringify(record));

function expectWellFormed(result: ParseResult): void {
  expect(typeof result.ok).toBe('boolean');
  expect(() => JSON.stringify(result)).not.toThrow();
  if (!result.ok) {
    expect(typeof result.reason).toBe('string');
    expect(result.reason.length).toBeGreaterThan(0);
    return;
  }
  expect(typeof result.fields).toBe('object');
  if (result.timestamp !== undefined) {
    expect(result.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(new Date(result.timestamp).toISOString()).toBe(result.timestamp);
  }
  if (result.id !== undefined) expect(result.id).not.toBe('');
  if (result.belongsTo !== undefined) expect(PARSER_IDS).toContain(result.belongsTo);
  for (const tag of result.tags ?? []) expect(typeof tag).toBe('string');
  expectSafeValues(result.fields);
}

/** Numbers finite; `source.ip` a real address; Lambda metrics non-negative. */
function expectSafeValues(fields: Record<string, unknown>): void {
  const lambda = (fields.aws as { lambda?: Record<string, unknown> } | undefined)?.lambda;
  for (const [key, value] of Object.entries(lambda ?? {})) {
    if (typeof value === 'number') {
      expect(Number.isFinite(value), key).toBe(true);
      expect(value, key).toBeGreaterThanOrEqual(0);
    } else if (key !== 'log') {
      expect(['string', 'boolean'], key).toContain(typeof value);
    }
  }
  const ip = (fields.source as { ip?: unknown } | undefined)?.ip;
  if (ip !== undefined) expect(isIP(ip as string), String(ip)).not.toBe(0);
}

describe.each(PARSERS)('%s never throws', (_name, parse) => {
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (message) => expectWellFormed(parse(message))), {
      numRuns: 400,
    });
  });

  it('on arbitrary JSON', () => {
    fc.assert(fc.property(fc.json(), (message) => expectWellFormed(parse(message))), { numRuns: 300 });
  });

  it('on mutated real lines', () => {
    fc.assert(fc.property(mutatedLine, (message) => expectWellFormed(parse(message))), { numRuns: 400 });
  });

  it('on real CloudTrail events with damaged members', () => {
    fc.assert(fc.property(damagedEvent, (message) => expectWellFormed(parse(message))), { numRuns: 300 });
  });

  it('on JSON platform records with members of any type', () => {
    fc.assert(fc.property(platformRecord, (message) => expectWellFormed(parse(message))), { numRuns: 300 });
  });
});

describe('parseLambdaPlatform invariants', () => {
  it('never fails on a line that is neither a platform line nor JSON (the function may print anything)', () => {
    const notPlatform = fc
      .string({ unit: 'binary', maxLength: 200 })
      .filter((message) => !message.trimStart().startsWith('{') && !/^(?:REPORT|START|END|INIT_|RESTORE_|EXTENSION|LOGS|TELEMETRY)/.test(message));
    fc.assert(
      fc.property(notPlatform, (message) => {
        const result = parseLambdaPlatform(message, LAMBDA_CONTEXT);
        expect(result.ok).toBe(true);
        expect(result.ok && (result.fields.aws as { lambda: { record_type: string } }).lambda.record_type).toBe('log');
      }),
      { numRuns: 400 },
    );
  });

  it('reads any REPORT built from valid values', () => {
    const report = fc.record({
      requestId: fc.uuid(),
      duration: fc.integer({ min: 0, max: 90_000_000 }),
      billed: fc.integer({ min: 1, max: 900_000 }),
      memory: fc.integer({ min: 128, max: 10_240 }),
      used: fc.integer({ min: 1, max: 10_240 }),
      init: fc.option(fc.integer({ min: 1, max: 1_000_000 })),
      separator: fc.constantFrom('\t', ' ', '  ', ' \t', '\\t'),
    });
    fc.assert(
      fc.property(report, ({ requestId, duration, billed, memory, used, init, separator }) => {
        const ms = (hundredths: number) => (hundredths / 100).toFixed(2);
        const parts = [
          `REPORT RequestId: ${requestId}`,
          `Duration: ${ms(duration)} ms`,
          `Billed Duration: ${billed} ms`,
          `Memory Size: ${memory} MB`,
          `Max Memory Used: ${used} MB`,
          ...(init === null ? [] : [`Init Duration: ${ms(init)} ms`]),
        ];
        const result = parseLambdaPlatform(`${parts.join(separator)}${separator}\n`, LAMBDA_CONTEXT);
        expect(result.ok).toBe(true);
        const lambda = (result.ok ? result.fields.aws : {}) as { lambda: Record<string, unknown> };
        expect(lambda.lambda).toMatchObject({
          request_id: requestId,
          duration_ms: Number(ms(duration)),
          billed_duration_ms: billed,
          memory_size_mb: memory,
          max_memory_used_mb: used,
          cold_start: init !== null,
        });
        expect(lambda.lambda.billed_gb_seconds).toBeCloseTo(((memory / 1024) * billed) / 1000, 9);
      }),
      { numRuns: 300 },
    );
  });
});

describe('parseAthenaCloudTrail invariants', () => {
  const withSource = (address: string) =>
    JSON.stringify({ ...ATHENA_EVENTS[0], sourceIPAddress: address });
  it('puts every IPv4 and IPv6 address into source.ip', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (address) => {
        const result = parseAthenaCloudTrail(withSource(address), TRAIL_CONTEXT);
        expect(result.ok && result.fields.source).toEqual({ ip: address });
      }),
      { numRuns: 300 },
    );
  });

  it('puts every host name into source.domain', () => {
    fc.assert(
      fc.property(fc.domain(), (address) => {
        const result = parseAthenaCloudTrail(withSource(address), TRAIL_CONTEXT);
        expect(result.ok && result.fields.source).toEqual({ domain: address });
      }),
      { numRuns: 200 },
    );
  });
});
