import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ITEM_ERRORS, startFakeOpenSearch, type FakeOpenSearch } from '../helpers/fake-opensearch';
import { sigV4Problem } from '../helpers/sigv4';
import { encodePayload, makeBatch } from '../helpers/batches';

const ROOT = join(import.meta.dirname, '../..');
const SAMPLES = join(ROOT, 'test/fixtures/samples');
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const sampleEvents = readdirSync(SAMPLES).map((name) => JSON.parse(readFileSync(join(SAMPLES, name), 'utf8')));

const context = {
  functionName: 'shipper',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:shipper',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/shipper',
  logStreamName: '2026/11/22/[$LATEST]abc',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 20_000,
} as unknown as Context;

let fake: FakeOpenSearch;
let handler: (event: unknown, context: Context) => Promise<unknown>;
let stdout: string[] = [];

beforeAll(async () => {
  fake = await startFakeOpenSearch();
  vi.stubEnv('OPENSEARCH_ENDPOINT', fake.url);
  vi.stubEnv('OPENSEARCH_AUTH', 'sigv4');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', CREDENTIALS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', CREDENTIALS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'CwlOpenSearchTest');
  vi.resetModules();
  ({ handler } = await import('../../functions/shipper/handler'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  stdout = [];
});

/** Runs the handler while capturing what Powertools writes (structured logs and EMF). */
async function invoke(event: unknown): Promise<unknown> {
  const capture = (chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    return await handler(event, context);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

function emitted(): Record<string, unknown>[] {
  return stdout.flatMap((chunk) => chunk.split('\n')).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
}

describe('functions/shipper/handler (the Lambda entry point)', () => {
  it('indexes every sample batch into per-source daily indices with signed requests', async () => {
    for (const event of sampleEvents) expect(await invoke(event)).toBeUndefined();
    expect(fake.count('cwl-rds-mysql-slowquery-*')).toBe(9);
    expect(fake.count('cwl-lambda-*')).toBe(12);
    expect(fake.count('cwl-athena-cloudtrail-*')).toBe(5);
    expect(fake.count('cwl-generic-*')).toBe(3);
    const bulks = fake.bulkRequests();
    expect(bulks.length).toBe(7); // one per data batch; the control message sends nothing
    for (const request of bulks) {
      expect(sigV4Problem(request, CREDENTIALS)).toBeUndefined();
      expect(request.headers['content-encoding']).toBe('gzip');
      expect(request.query.filter_path).toBeDefined();
    }
    const athena = fake.get('cwl-athena-cloudtrail-2025.11.21', '0f9e8d7c-6b5a-4938-8271-605f4e3d2c1b');
    expect(athena?.source).toMatchObject({ event: { dataset: 'aws.athena', action: 'StartQueryExecution' }, cloud: { region: 'eu-west-1' } });
  });

  it('emits a structured log and EMF metrics per invocation', async () => {
    await invoke(sampleEvents.find((event) => encodedGroup(event) === '/aws/lambda/orders-api'));
    const lines = emitted();
    const metrics = lines.find((line) => 'DocumentsReceived' in line);
    expect(metrics).toMatchObject({ DocumentsReceived: 9, DocumentsIndexed: 9, ParseFailures: 0, _aws: { CloudWatchMetrics: [{ Namespace: 'CwlOpenSearchTest' }] } });
    const perDataset = lines.find((line) => line.dataset === 'aws.lambda' && 'DatasetDocuments' in line);
    expect(perDataset).toMatchObject({ DatasetDocuments: 9 });
    const log = lines.find((line) => line.message === 'invocation done');
    expect(log).toMatchObject({ level: 'INFO', function_request_id: context.awsRequestId, summary: { received: 9 } });
  });

  it('never duplicates a redelivered batch', async () => {
    const event = sampleEvents[0];
    await invoke(event);
    const stored = fake.count();
    await invoke(event);
    expect(fake.count()).toBe(stored);
    expect(emitted().filter((line) => 'DocumentsDuplicate' in line).at(-1)).toMatchObject({ DocumentsDuplicate: stored, DocumentsIndexed: 0 });
  });

  it('dead-letters what the cluster rejects for good and counts it', async () => {
    const batch = makeBatch('/ecs/app', ['ok', 'bad']);
    const rejected = batch.logEvents[1]!.id;
    fake.failItems((item) => item.id === rejected && item.index.startsWith('cwl-generic-'), ITEM_ERRORS.mapperParsing);
    await invoke({ awslogs: { data: encodePayload(batch) } });
    expect(fake.count('cwl-generic-*')).toBe(1);
    expect(fake.count('cwl-deadletter-*')).toBe(1);
    expect(emitted().find((line) => 'DocumentsDeadLettered' in line)).toMatchObject({ DocumentsDeadLettered: 1 });
  });

  it('fails the invocation when the cluster is blocked, so Lambda retries', async () => {
    fake.failItems(() => true, ITEM_ERRORS.clusterBlock);
    await expect(invoke({ awslogs: { data: encodePayload(makeBatch('/ecs/app', ['x'])) } })).rejects.toThrow(/cluster_block_exception/);
    expect(emitted().find((line) => line.level === 'ERROR')).toMatchObject({ message: 'cluster refuses writes (cluster_block_exception); failing fast' });
    expect(emitted().find((line) => 'ClusterBlocked' in line)).toMatchObject({ ClusterBlocked: 1 });
  });

  it('answers a Kinesis event with batchItemFailures', async () => {
    const good = encodePayload(makeBatch('/ecs/app', ['a']));
    const response = await invoke({
      Records: [
        { kinesis: { data: good, sequenceNumber: '1' } },
        { kinesis: { data: Buffer.from('not gzip').toString('base64'), sequenceNumber: '2' } },
      ],
    });
    expect(response).toEqual({ batchItemFailures: [] });
    expect(fake.count('cwl-generic-*')).toBe(1);
    expect(fake.count('cwl-deadletter-*')).toBe(1);
    expect(emitted().find((line) => 'UndecodableRecords' in line)).toMatchObject({ UndecodableRecords: 1 });
  });
});

describe('cwl-opensearch replay --to <OpenSearch URL>', () => {
  it('indexes the samples and exits', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/cwl-opensearch.mjs'), 'replay', SAMPLES, '--to', fake.url], {
      cwd: ROOT,
      env: { ...process.env, OPENSEARCH_AUTH: 'none' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(output).toMatch(/Indexed 29, already present 0/);
    expect(fake.count()).toBe(29);
  });
});

function encodedGroup(event: { awslogs: { data: string } }): string {
  return JSON.parse(gunzipSync(Buffer.from(event.awslogs.data, 'base64')).toString()).logGroup;
}
