import { gzipSync } from 'node:zlib';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { extractKinesisFailure } from '../../functions/redrive/kinesis-failure';
import { createRedrive } from '../../functions/redrive/redrive';
import { createShipper } from '../../functions/shipper/shipper';
import { REQUEST_FAULTS } from '../helpers/fake-opensearch';
import { redriveSink, useRedriveFakes } from '../helpers/redrive-harness';

/**
 * The Kinesis path's failure bucket: the event source mapping's S3 on-failure records
 * (`payload` = the failed invocation, records' data included) replayed by the redrive
 * through the shipper's Kinesis code into a fake OpenSearch; S3 and SQS are mocked.
 */

const BUCKET = 'cwl-kinesis-failures';
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/shipper-dlq';
const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/cwl';
const s3 = mockClient(S3Client);
const sqs = mockClient(SQSClient);
const config = loadPipelineConfig({});
const NOW = new Date('2026-11-22T08:00:00.000Z');

/** A Kinesis record as CloudWatch Logs writes it: base64 of gzip of the subscription payload. */
function kinesisRecord(logStream: string, count: number, sequenceNumber: string, data?: string) {
  const payload = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/app/orders',
    logStream,
    subscriptionFilters: ['cwl-opensearch-test'],
    logEvents: Array.from({ length: count }, (_, i) => ({ id: `${logStream}-${i}`, timestamp: Date.UTC(2026, 10, 21, 10, 0, i), message: `order ${i} shipped` })),
  };
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey: 'a',
      sequenceNumber,
      data: data ?? gzipSync(JSON.stringify(payload)).toString('base64'),
      approximateArrivalTimestamp: 1_795_000_000.5,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000001:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    awsRegion: 'eu-west-1',
    eventSourceARN: STREAM_ARN,
  };
}

/** The object Lambda writes to an S3 on-failure destination (AWS's documented shape: `payload` is an escaped JSON string). */
function failureObject(records: readonly ReturnType<typeof kinesisRecord>[]): string {
  return JSON.stringify({
    requestContext: {
      requestId: 'c9b8fa9f-5a7f-4a5b-af9c-0c604cde93a5',
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:shipper',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 11,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-11-22T07:00:00.000Z',
    KinesisBatchInfo: {
      shardId: 'shardId-000000000001',
      startSequenceNumber: records[0]!.kinesis.sequenceNumber,
      endSequenceNumber: records.at(-1)!.kinesis.sequenceNumber,
      approximateArrivalOfFirstRecord: '2026-11-22T06:00:00.000Z',
      approximateArrivalOfLastRecord: '2026-11-22T06:00:01.000Z',
      batchSize: records.length,
      streamArn: STREAM_ARN,
    },
    payload: JSON.stringify({ Records: records }),
  });
}

const key = (name: string) => `aws/lambda/6e3b1c2a-0000-4000-8000-000000000000/shardId-000000000001/2026/11/22/2026-11-22T07.00.00-${name}`;

/** GetObject's body as the code reads it (`transformToString`). */
function body(text: string): GetObjectCommandOutput['Body'] {
  return { transformToString: async () => text } as unknown as GetObjectCommandOutput['Body'];
}

/** A bucket holding `objects`; GetObject answers each, DeleteObject removes it. */
function bucketWith(objects: Record<string, string>): void {
  const held = new Map(Object.entries(objects));
  s3.on(ListObjectsV2Command).callsFake((input: { MaxKeys?: number }) => ({
    Contents: [...held.keys()].slice(0, input.MaxKeys ?? 1000).map((Key) => ({ Key })),
    IsTruncated: false,
  }));
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const text = held.get(input.Key);
    if (text === undefined) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
    return { Body: body(text) };
  });
  s3.on(DeleteObjectCommand).callsFake((input: { Key: string }) => {
    held.delete(input.Key);
    return {};
  });
}

const deletedKeys = () => s3.commandCalls(DeleteObjectCommand).map((call) => call.args[0].input.Key);

const cluster = useRedriveFakes(sqs, () => {
  s3.reset();
  sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
});

function redrive() {
  const sink = redriveSink(cluster.fake, config.indexing, () => NOW);
  const registry = createRegistry();
  return createRedrive({
    sqs: new SQSClient({ region: 'eu-west-1' }),
    queueUrl: QUEUE_URL,
    registry,
    config,
    sink,
    now: () => NOW,
    failures: { s3: new S3Client({ region: 'eu-west-1' }), bucket: BUCKET, ship: createShipper({ registry, config, sink, now: () => NOW }) },
  });
}

describe('extractKinesisFailure', () => {
  it('recovers the failed invocation from the escaped JSON payload, with its shard', () => {
    const records = [kinesisRecord('a', 1, '1001'), kinesisRecord('a', 2, '1002')];
    const result = extractKinesisFailure(failureObject(records));
    expect(result).toEqual({ ok: true, event: { Records: records }, shardId: 'shardId-000000000001', condition: 'RetryAttemptsExhausted' });
  });

  it('accepts a payload that is already an object', () => {
    const records = [kinesisRecord('a', 1, '1001')];
    const result = extractKinesisFailure(JSON.stringify({ KinesisBatchInfo: {}, payload: { Records: records } }));
    expect(result).toMatchObject({ ok: true, event: { Records: records } });
  });

  it.each([
    ['not JSON', '{"payload":', /not JSON/],
    ['a JSON array', '[]', /not a JSON object/],
    ['SQS-style metadata only', JSON.stringify({ KinesisBatchInfo: { shardId: 's', startSequenceNumber: '1' } }), /no payload \(shard and sequence numbers only\)/],
    ['something else', JSON.stringify({ hello: 'world' }), /not a Kinesis on-failure record/],
    ['a payload that is not JSON', JSON.stringify({ payload: '{"Records": [' }), /payload is not JSON/],
    ['a payload without records', JSON.stringify({ payload: JSON.stringify({ Records: [] }) }), /no Records/],
    ['a record without data', JSON.stringify({ payload: { Records: [{ kinesis: { sequenceNumber: '1' } }] } }), /Records\[0\] has no kinesis\.data/],
  ])('explains %s', (_what, text, reason) => {
    const result = extractKinesisFailure(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('the redrive and the failure bucket', () => {
  it('replays every record of a failed batch and deletes the object once stored', async () => {
    bucketWith({ [key('one')]: failureObject([kinesisRecord('a', 3, '1001'), kinesisRecord('b', 2, '1002')]) });

    const summary = await redrive()({ maxMessages: 100 });

    expect(summary.failureObjects).toMatchObject({ read: 1, replayed: 1, records: 2, unreplayable: 0, failed: 0 });
    expect(summary.failureObjects?.documents).toMatchObject({ indexed: 5, duplicates: 0 });
    expect(summary.stoppedEarly).toBe(false);
    expect(cluster.fake.count('cwl-generic-*')).toBe(5);
    expect(cluster.fake.get('cwl-generic-2026.11.21', 'b-1')?.source).toMatchObject({ message: 'order 1 shipped' });
    expect(deletedKeys()).toEqual([key('one')]);
    expect(s3.commandCalls(ListObjectsV2Command)[0]!.args[0].input).toMatchObject({ Bucket: BUCKET });
  });

  it('is idempotent: an object replayed twice (its delete failed) stores each document once', async () => {
    const text = failureObject([kinesisRecord('a', 3, '1001')]);
    bucketWith({ [key('one')]: text });
    s3.on(DeleteObjectCommand).rejects(new Error('AccessDenied'));

    const first = await redrive()({ maxMessages: 10 });
    const second = await redrive()({ maxMessages: 10 });

    expect(first.failureObjects).toMatchObject({ replayed: 1, deleteFailures: 1 });
    expect(second.failureObjects?.documents).toMatchObject({ indexed: 0, duplicates: 3 });
    expect(cluster.fake.count('cwl-generic-*')).toBe(3);
  });

  it('leaves an object it cannot replay in the bucket, counted, and goes on', async () => {
    bucketWith({
      [key('a-metadata-only')]: JSON.stringify({ KinesisBatchInfo: { shardId: 'shardId-000000000001', startSequenceNumber: '1' } }),
      [key('b-not-json')]: 'garbage',
      [key('c-good')]: failureObject([kinesisRecord('c', 1, '1003')]),
    });

    const summary = await redrive()({ maxMessages: 10 });

    expect(summary.failureObjects).toMatchObject({ read: 3, replayed: 1, unreplayable: 2 });
    expect(deletedKeys()).toEqual([key('c-good')]);
  });

  it('keeps a record that never decodes as a dead letter with its data, as the shipper does, and deletes the object', async () => {
    const broken = Buffer.from('not gzip at all').toString('base64');
    bucketWith({ [key('one')]: failureObject([kinesisRecord('a', 2, '1001'), kinesisRecord('x', 0, '1002', broken)]) });

    const summary = await redrive()({ maxMessages: 10 });

    expect(summary.failureObjects?.documents).toMatchObject({ indexed: 3, undecodableRecords: 1 });
    expect(cluster.fake.count('cwl-deadletter-*')).toBe(1);
    expect(cluster.fake.bulkRequests().map((request) => request.body).join('\n')).toContain(broken);
    expect(deletedKeys()).toEqual([key('one')]);
  });

  it('keeps the object and stops the run when OpenSearch cannot store the records', async () => {
    cluster.fake.failRequests(REQUEST_FAULTS.unavailable(), { times: 100, path: /_bulk$/ });
    bucketWith({ [key('a')]: failureObject([kinesisRecord('a', 2, '1001')]), [key('b')]: failureObject([kinesisRecord('b', 2, '1002')]) });

    const summary = await redrive()({ maxMessages: 10 });

    expect(summary.failureObjects).toMatchObject({ read: 1, replayed: 0, failed: 1 });
    expect(summary.stoppedEarly).toBe(true);
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  it('does not touch the bucket when the queue already found OpenSearch failing', async () => {
    cluster.fake.failRequests(REQUEST_FAULTS.unavailable(), { times: 100, path: /_bulk$/ });
    const data = gzipSync(JSON.stringify({ messageType: 'DATA_MESSAGE', owner: '1', logGroup: '/app/x', logStream: 's', subscriptionFilters: [], logEvents: [{ id: '1', timestamp: 1, message: 'm' }] })).toString('base64');
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [{ MessageId: 'm1', ReceiptHandle: 'r1', Body: JSON.stringify({ awslogs: { data } }) }] }).resolves({ Messages: [] });
    bucketWith({ [key('a')]: failureObject([kinesisRecord('a', 1, '1001')]) });

    const summary = await redrive()({ maxMessages: 10 });

    expect(summary).toMatchObject({ failed: 1, stoppedEarly: true });
    expect(summary.failureObjects).toBeUndefined();
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });

  it('reads no more than maxMessages objects, across pages', async () => {
    const objects = Array.from({ length: 5 }, (_, i) => [key(`o${i}`), failureObject([kinesisRecord(`s${i}`, 1, `10${i}`)])] as const);
    s3.on(ListObjectsV2Command)
      .resolvesOnce({ Contents: objects.slice(0, 2).map(([Key]) => ({ Key })), IsTruncated: true, NextContinuationToken: 'page-2' })
      .resolves({ Contents: objects.slice(2).map(([Key]) => ({ Key })), IsTruncated: false });
    for (const [Key, text] of objects) s3.on(GetObjectCommand, { Key }).resolves({ Body: body(text) });
    s3.on(DeleteObjectCommand).resolves({});

    const summary = await redrive()({ maxMessages: 3 });

    const lists = s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input);
    expect(lists).toEqual([
      { Bucket: BUCKET, MaxKeys: 3 },
      { Bucket: BUCKET, MaxKeys: 1, ContinuationToken: 'page-2' },
    ]);
    expect(summary.failureObjects).toMatchObject({ read: 3, replayed: 3 });
    expect(deletedKeys()).toEqual([key('o0'), key('o1'), key('o2')]);
  });

  it('skips an object another run deleted after the listing', async () => {
    s3.on(ListObjectsV2Command).resolves({ Contents: [{ Key: key('gone') }], IsTruncated: false });
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));

    const summary = await redrive()({ maxMessages: 10 });

    expect(summary.failureObjects).toMatchObject({ read: 1, replayed: 0, unreplayable: 0, failed: 0 });
    expect(s3.commandCalls(DeleteObjectCommand)).toHaveLength(0);
  });

  it('reads nothing once the deadline has passed', async () => {
    bucketWith({ [key('a')]: failureObject([kinesisRecord('a', 1, '1001')]) });
    const summary = await redrive()({ maxMessages: 10, deadline: Date.now() - 1 });
    expect(summary.stoppedEarly).toBe(true);
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
  });
});
