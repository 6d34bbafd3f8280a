import { gzipSync } from 'node:zlib';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { ConfigError } from '../../functions/pipeline/errors';
import { readMaxMessages } from '../../functions/redrive/options';
import { extractSubscriptionData } from '../../functions/redrive/record';
import { createRedrive } from '../../functions/redrive/redrive';
import { REQUEST_FAULTS } from '../helpers/fake-opensearch';
import { redriveSink, useRedriveFakes } from '../helpers/redrive-harness';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/shipper-dlq';
const sqs = mockClient(SQSClient);
const config = loadPipelineConfig({});
const NOW = new Date('2026-11-22T08:00:00.000Z');

/** The base64 gzip `awslogs.data` of a subscription payload with `count` generic events. */
function subscriptionData(logStream: string, count: number, messageType = 'DATA_MESSAGE'): string {
  const payload = {
    messageType,
    owner: '123456789012',
    logGroup: '/app/orders',
    logStream,
    subscriptionFilters: ['cwl-opensearch'],
    logEvents: Array.from({ length: count }, (_, i) => ({
      id: `${logStream}-${i}`,
      timestamp: Date.UTC(2026, 10, 21, 10, 0, i),
      message: `order ${i} shipped`,
    })),
  };
  return gzipSync(JSON.stringify(payload)).toString('base64');
}

/** Lambda's invocation record for a failed asynchronous invocation, as the on-failure destination writes it. */
function destinationRecord(data: string): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: '2026-11-22T07:00:00.000Z',
    requestContext: {
      requestId: 'e4b46cbf-b738-4a5b-8880-a18cdf61200e',
      functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:shipper:$LATEST',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: { awslogs: { data } },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'SinkError', errorMessage: '12 documents not indexed' },
  });
}

function message(id: string, body: string): Message {
  return { MessageId: id, ReceiptHandle: `receipt-${id}`, Body: body, Attributes: { ApproximateReceiveCount: '1' } };
}

const cluster = useRedriveFakes(sqs);

function redrive() {
  const sink = redriveSink(cluster.fake, config.indexing, () => NOW);
  return createRedrive({ sqs: new SQSClient({ region: 'eu-west-1' }), queueUrl: QUEUE_URL, registry: createRegistry(), config, sink, now: () => NOW });
}

function deletedReceipts(): string[] {
  return sqs.commandCalls(DeleteMessageBatchCommand).flatMap((call) => (call.args[0].input.Entries ?? []).map((entry) => entry.ReceiptHandle!));
}

describe('extractSubscriptionData', () => {
  const data = subscriptionData('s', 1);
  it.each([
    ['an on-failure destination record', destinationRecord(data), { ok: true, data, condition: 'RetriesExhausted' }],
    ['a function dead-letter message (the event itself)', JSON.stringify({ awslogs: { data } }), { ok: true, data }],
    [
      'a record whose requestPayload was a JSON string',
      JSON.stringify({ requestContext: {}, requestPayload: JSON.stringify({ awslogs: { data } }) }),
      { ok: true, data },
    ],
  ])('finds the payload in %s', (_what, body, expected) => {
    expect(extractSubscriptionData(body)).toEqual(expected);
  });

  it.each([
    ['no body', undefined, /no body/],
    ['not JSON', '{"awslogs":', /not JSON/],
    ['a JSON array', '[]', /not a JSON object/],
    ['a record without requestPayload', JSON.stringify({ requestContext: { condition: 'RetriesExhausted' } }), /no requestPayload/],
    ['a Kinesis failure record', JSON.stringify({ KinesisBatchInfo: { shardId: 'shardId-000', startSequenceNumber: '1' } }), /Kinesis batch-failure/],
    ['another event', JSON.stringify({ requestContext: {}, requestPayload: { Records: [] } }), /no awslogs\.data/],
  ])('explains %s', (_what, body, reason) => {
    const result = extractSubscriptionData(body);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('createRedrive', () => {
  it('replays each message through the pipeline and deletes it once stored', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m1', destinationRecord(subscriptionData('a', 3))), message('m2', JSON.stringify({ awslogs: { data: subscriptionData('b', 2) } }))] })
      .resolves({ Messages: [] });

    const summary = await redrive()({ maxMessages: 100 });

    expect(summary).toMatchObject({ received: 2, replayed: 2, undecodable: 0, failed: 0, stoppedEarly: false });
    expect(summary.documents).toMatchObject({ indexed: 5, duplicates: 0 });
    expect(cluster.fake.count('cwl-generic-*')).toBe(5);
    expect(cluster.fake.get('cwl-generic-2026.11.21', 'a-0')?.source).toMatchObject({ message: 'order 0 shipped' });
    expect(deletedReceipts()).toEqual(['receipt-m1', 'receipt-m2']);
  });

  it('is idempotent: a message replayed twice stores each document once', async () => {
    const body = destinationRecord(subscriptionData('a', 3));
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message('m1', body)] }).resolves({ Messages: [] });
    await redrive()({ maxMessages: 10 });
    sqs.reset();
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message('m1', body)] }).resolves({ Messages: [] });

    const second = await redrive()({ maxMessages: 10 });

    expect(second.documents).toMatchObject({ indexed: 0, duplicates: 3 });
    expect(cluster.fake.count('cwl-generic-*')).toBe(3);
  });

  it('leaves a message it cannot decode in the queue, counted', async () => {
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          message('bad-gzip', destinationRecord(Buffer.from('not gzip at all').toString('base64'))),
          message('no-payload', JSON.stringify({ requestContext: { condition: 'RetriesExhausted' } })),
          message('good', destinationRecord(subscriptionData('c', 1))),
        ],
      })
      .resolves({ Messages: [] });

    const summary = await redrive()({ maxMessages: 10 });

    expect(summary).toMatchObject({ received: 3, replayed: 1, undecodable: 2 });
    expect(deletedReceipts()).toEqual(['receipt-good']);
  });

  it('keeps the message and stops the run when OpenSearch cannot store the documents', async () => {
    cluster.fake.failRequests(REQUEST_FAULTS.unavailable(), { times: 100, path: /_bulk$/ });
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('m1', destinationRecord(subscriptionData('a', 2))), message('m2', destinationRecord(subscriptionData('b', 2)))] })
      .resolves({ Messages: [message('m3', destinationRecord(subscriptionData('c', 2)))] });

    const summary = await redrive()({ maxMessages: 100 });

    expect(summary).toMatchObject({ received: 2, replayed: 0, failed: 1, stoppedEarly: true });
    expect(sqs.commandCalls(DeleteMessageBatchCommand)).toHaveLength(0);
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(1);
  });

  it('receives no more than maxMessages', async () => {
    sqs.on(ReceiveMessageCommand).callsFake((input: { MaxNumberOfMessages: number }) => ({
      Messages: Array.from({ length: input.MaxNumberOfMessages }, (_, i) => message(`m${i}`, destinationRecord(subscriptionData(`s${i}`, 1)))),
    }));

    const summary = await redrive()({ maxMessages: 13 });

    const asked = sqs.commandCalls(ReceiveMessageCommand).map((call) => call.args[0].input.MaxNumberOfMessages);
    expect(asked).toEqual([10, 3]);
    expect(summary.received).toBe(13);
  });

  it('counts messages whose delete failed (they come back and replay idempotently)', async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message('m1', destinationRecord(subscriptionData('a', 1)))] }).resolves({ Messages: [] });
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'ReceiptHandleIsInvalid', SenderFault: true }] });
    const summary = await redrive()({ maxMessages: 10 });
    expect(summary).toMatchObject({ replayed: 1, deleteFailures: 1 });
  });

  it('deletes a control message, which carries nothing to store', async () => {
    sqs.on(ReceiveMessageCommand).resolvesOnce({ Messages: [message('c', destinationRecord(subscriptionData('x', 0, 'CONTROL_MESSAGE')))] }).resolves({ Messages: [] });
    const summary = await redrive()({ maxMessages: 10 });
    expect(summary).toMatchObject({ replayed: 1 });
    expect(deletedReceipts()).toEqual(['receipt-c']);
  });

  it('receives nothing once the deadline has passed', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [message('m1', destinationRecord(subscriptionData('a', 1)))] });
    const summary = await redrive()({ maxMessages: 10, deadline: Date.now() - 1 });
    expect(summary).toMatchObject({ received: 0, stoppedEarly: true });
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });
});

describe('readMaxMessages', () => {
  it.each([
    [{ maxMessages: 25 }, 25],
    [{}, 1000],
    [null, 1000],
    [{ 'detail-type': 'Scheduled Event' }, 1000],
  ])('reads %j as %d', (event, expected) => {
    expect(readMaxMessages(event, 1000)).toBe(expected);
  });

  it.each([[{ maxMessages: 0 }], [{ maxMessages: 2.5 }], [{ maxMessages: '10' }], [{ maxMessages: 1_000_000 }]])('rejects %j', (event) => {
    expect(() => readMaxMessages(event, 1000)).toThrowError(ConfigError);
  });
});
