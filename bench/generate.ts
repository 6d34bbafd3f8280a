import { gzipSync } from 'node:zlib';
import type { LogBatch, LogEvent } from '../functions/pipeline/types';
import { seededRandom } from '../test/helpers/seeded-random';

/** Generated CloudWatch Logs batches for the benchmark, one source at a time. */
export const SOURCES = ['rds-mysql-slowquery', 'lambda', 'athena-cloudtrail', 'generic'] as const;
export type Source = (typeof SOURCES)[number];

const LOG_GROUPS: Record<Source, string> = {
  'rds-mysql-slowquery': '/aws/rds/instance/shop-db-1/slowquery',
  lambda: '/aws/lambda/orders-api',
  'athena-cloudtrail': 'aws-cloudtrail-logs-123456789012-5f3a9c1d',
  generic: '/ecs/checkout-service',
};

export interface GeneratedBatch {
  readonly source: Source;
  readonly label: string;
  readonly batch: LogBatch;
  /** The subscription event Lambda receives. */
  readonly event: { awslogs: { data: string } };
  /** Decompressed payload size in bytes. */
  readonly payloadBytes: number;
}

/** A batch of about `events` events, or as many as fit in `maxBytes` of payload. */
export function generateBatch(source: Source, limit: { events?: number; maxBytes?: number }, seed = 1): GeneratedBatch {
  const random = seededRandom(seed);
  const events: LogEvent[] = [];
  let bytes = 300;
  const start = Date.UTC(2026, 10, 22, 10, 0, 0);
  for (let position = 0; ; position += 1) {
    if (limit.events !== undefined && events.length >= limit.events) break;
    const timestamp = start + position * 137;
    const message = MESSAGES[source](position, random, timestamp);
    const event = { id: `${String(timestamp).padEnd(20, '0')}${String(position).padStart(36, '0')}`, timestamp, message };
    const size = JSON.stringify(event).length + 1;
    if (limit.maxBytes !== undefined && bytes + size > limit.maxBytes) break;
    bytes += size;
    events.push(event);
  }
  const batch: LogBatch = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: LOG_GROUPS[source],
    logStream: source === 'lambda' ? '2026/11/22/[$LATEST]8f3e2d1c0b9a48776655443322110000' : 'stream-1',
    subscriptionFilters: ['cwl-opensearch'],
    logEvents: events,
  };
  const payload = Buffer.from(JSON.stringify(batch));
  return {
    source,
    label: limit.events !== undefined ? `${events.length} events` : `full ${(payload.length / 1048576).toFixed(2)} MiB`,
    batch,
    event: { awslogs: { data: gzipSync(payload).toString('base64') } },
    payloadBytes: payload.length,
  };
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (random: Random, max: number): number => Math.floor(random() * max);
const uuid = (random: Random): string =>
  'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => int(random, 16).toString(16));

const MESSAGES: Record<Source, (position: number, random: Random, timestamp: number) => string> = {
  'rds-mysql-slowquery': (position, random, timestamp) => {
    const seconds = Math.floor(timestamp / 1000);
    const time = new Date(timestamp).toISOString().replace('Z', '000Z');
    const query = pick(random, [
      `SELECT o.id, o.total FROM orders o WHERE o.customer_id = ${int(random, 99999)} AND o.status IN ('paid','shipped') ORDER BY o.created_at DESC LIMIT 20;`,
      `UPDATE inventory SET qty = qty - ${int(random, 9) + 1} WHERE sku = 'SKU-${int(random, 9999)}' AND warehouse_id = ${int(random, 20)};`,
      `INSERT INTO audit_log (user_id, action, detail) VALUES (${int(random, 5000)}, 'login', 'from 10.0.${int(random, 255)}.${int(random, 255)}');`,
      `SELECT DATE(created_at) AS d,\n       SUM(total) AS revenue\nFROM orders\nWHERE created_at > '2026-11-${String(int(random, 28) + 1).padStart(2, '0')}'\nGROUP BY DATE(created_at);`,
    ]);
    return (
      `# Time: ${time}\n# User@Host: app[app] @  [10.0.${int(random, 255)}.${int(random, 255)}]  Id: ${String(800 + position).padStart(5)}\n` +
      `# Query_time: ${(random() * 10).toFixed(6)}  Lock_time: 0.000${int(random, 999)} Rows_sent: ${int(random, 100)}  Rows_examined: ${int(random, 500000)}` +
      ` Thread_id: ${800 + position} Errno: 0 Killed: 0 Bytes_received: 0 Bytes_sent: ${int(random, 9999)} Read_first: 1 Read_last: 0 Read_key: 1 Read_next: 0 Read_prev: 0 Read_rnd: 0 Read_rnd_next: ${int(random, 500000)} Sort_merge_passes: 0 Sort_range_count: 0 Sort_rows: 20 Sort_scan_count: 1 Created_tmp_disk_tables: 0 Created_tmp_tables: 1 Count_hit_tmp_table_size: 0  Start: ${time} End: ${time}\n` +
      `${position % 10 === 0 ? 'use shop;\n' : ''}SET timestamp=${seconds};\n${query}`
    );
  },
  lambda: (position, random, timestamp) => {
    const request = uuid(random);
    switch (position % 4) {
      case 0:
        return `START RequestId: ${request} Version: $LATEST\n`;
      case 1:
        return `${new Date(timestamp).toISOString()}\t${request}\tINFO\tprocessed order ${int(random, 99999)} in ${int(random, 900)} ms\n`;
      case 2:
        return `END RequestId: ${request}\n`;
      default:
        return (
          `REPORT RequestId: ${request}\tDuration: ${(random() * 900).toFixed(2)} ms\tBilled Duration: ${int(random, 900) + 1} ms\tMemory Size: 512 MB\tMax Memory Used: ${int(random, 500) + 10} MB\t` +
          (random() < 0.1 ? `Init Duration: ${(random() * 500).toFixed(2)} ms\t` : '') +
          `\nXRAY TraceId: 1-${int(random, 0xffffffff).toString(16)}-${uuid(random).replace(/-/g, '').slice(0, 24)}\tSegmentId: ${uuid(random).slice(0, 16).replace('-', '')}\tSampled: true\t\n`
        );
    }
  },
  'athena-cloudtrail': (position, random, timestamp) =>
    JSON.stringify({
      eventVersion: '1.11',
      userIdentity: {
        type: 'AssumedRole',
        principalId: `AROA2EXAMPLEID:user${int(random, 50)}@example.com`,
        arn: `arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_DataAnalyst_0123456789abcdef/user${int(random, 50)}@example.com`,
        accountId: '123456789012',
        accessKeyId: 'ASIA2EXAMPLEKEY1',
        sessionContext: {
          sessionIssuer: { type: 'Role', principalId: 'AROA2EXAMPLEID', arn: 'arn:aws:iam::123456789012:role/AWSReservedSSO_DataAnalyst_0123456789abcdef', accountId: '123456789012', userName: 'AWSReservedSSO_DataAnalyst_0123456789abcdef' },
          attributes: { creationDate: '2026-11-22T09:55:00Z', mfaAuthenticated: 'false' },
        },
      },
      eventTime: new Date(Math.floor(timestamp / 1000) * 1000).toISOString().replace('.000', ''),
      eventSource: 'athena.amazonaws.com',
      eventName: position % 3 === 0 ? 'StartQueryExecution' : 'GetQueryExecution',
      awsRegion: 'eu-west-1',
      sourceIPAddress: `203.0.113.${int(random, 255)}`,
      userAgent: 'Boto3/1.35.10 md/Botocore#1.35.10 ua/2.0 os/linux#6.1.0 lang/python#3.12.6 Botocore/1.35.10',
      requestParameters:
        position % 3 === 0
          ? { queryString: '***OMITTED***', queryExecutionContext: { database: 'sales', catalog: 'AwsDataCatalog' }, workGroup: 'analysts', resultConfiguration: { outputLocation: 's3://athena-results/analysts/' } }
          : { queryExecutionId: uuid(random) },
      responseElements: position % 3 === 0 ? { queryExecutionId: uuid(random) } : null,
      requestID: uuid(random),
      eventID: uuid(random),
      readOnly: position % 3 !== 0,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: '123456789012',
      eventCategory: 'Management',
    }),
  generic: (position, random) =>
    position % 2 === 0
      ? JSON.stringify({ level: pick(random, ['info', 'warn', 'error']), msg: 'cache lookup', key: `user:${int(random, 99999)}`, hit: random() < 0.7, ms: int(random, 50) })
      : `plain text line ${position}: exported ${int(random, 5000)} rows to s3://bucket/exports/${uuid(random)}.csv`,
};
