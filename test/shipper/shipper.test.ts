import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { DecodeError, SinkError } from '../../functions/pipeline/errors';
import { createShipper, type Telemetry } from '../../functions/shipper/shipper';
import type { InvocationSummary } from '../../functions/shipper/summary';
import { encodePayload, makeBatch, subscriptionEvent } from '../helpers/batches';
import type { LogDocument } from '../../functions/pipeline/types';
import type { WriteOptions } from '../../functions/pipeline/sink';
import { MemorySink } from '../helpers/memory-sink';

const config = loadPipelineConfig({});

function setup() {
  const sink = new MemorySink();
  const reports: { outcome: 'ok' | 'failed'; summary: InvocationSummary; error?: unknown }[] = [];
  const telemetry: Telemetry = {
    succeeded: (summary) => reports.push({ outcome: 'ok', summary }),
    failed: (error, summary) => reports.push({ outcome: 'failed', summary, error }),
  };
  const ship = createShipper({ registry: createRegistry(), config, sink, telemetry, region: 'eu-west-1' });
  return { sink, ship, reports };
}

function kinesisRecord(sequenceNumber: string, data: string) {
  return { kinesis: { data, sequenceNumber, partitionKey: 'p', kinesisSchemaVersion: '1.0', approximateArrivalTimestamp: 1 }, eventSource: 'aws:kinesis' };
}

const lambdaLines = ['START RequestId: 6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44 Version: $LATEST\n', 'END RequestId: 6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44\n'];

describe('createShipper', () => {
  it('ships a subscription event and reports what it did', async () => {
    const { sink, ship, reports } = setup();
    const result = await ship(subscriptionEvent(makeBatch('/aws/lambda/fn', lambdaLines)));
    expect(result.response).toBeUndefined();
    expect(sink.documents()).toHaveLength(2);
    expect(sink.documents().every((document) => document.index === 'cwl-lambda-2026.11.22')).toBe(true);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.summary).toMatchObject({ received: 2, byDataset: { 'aws.lambda': { documents: 2 } }, sink: { indexed: 2 } });
  });

  it('does not duplicate a redelivered batch', async () => {
    const { sink, ship, reports } = setup();
    const event = subscriptionEvent(makeBatch('/aws/lambda/fn', lambdaLines));
    await ship(event);
    await ship(event);
    expect(sink.documents()).toHaveLength(2);
    expect(reports[1]!.summary.sink).toMatchObject({ indexed: 0, duplicates: 2 });
  });

  it('skips control messages', async () => {
    const { sink, ship, reports } = setup();
    await ship(subscriptionEvent({ messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [] }));
    expect(sink.writes).toBe(0);
    expect(reports[0]!.summary.controlMessages).toBe(1);
  });

  it('fails the invocation when documents stay unindexed, so Lambda retries', async () => {
    const { sink, ship, reports } = setup();
    sink.failNext = 1;
    await expect(ship(subscriptionEvent(makeBatch('/aws/lambda/fn', lambdaLines)))).rejects.toBeInstanceOf(SinkError);
    expect(reports[0]!.outcome).toBe('failed');
  });

  it('fails the invocation when some documents are stored and one is not; the retry stores only the rest', async () => {
    const { sink, ship, reports } = setup();
    const event = subscriptionEvent(makeBatch('/aws/lambda/fn', lambdaLines));
    let position = 0;
    sink.failSomeNext(() => position++ === 1);
    const error = await ship(event).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).unindexed).toBe(1);
    expect(reports[0]!.outcome).toBe('failed');
    expect(sink.documents()).toHaveLength(1);

    await ship(event);
    expect(sink.documents()).toHaveLength(2);
    expect(reports[1]!.summary.sink).toMatchObject({ indexed: 1, duplicates: 1 });
  });

  it('reports every Kinesis record of a write that stored only some of its documents', async () => {
    const { sink, ship } = setup();
    const first = encodePayload(makeBatch('/aws/lambda/fn', lambdaLines));
    const second = encodePayload(makeBatch('/ecs/app', ['x'], { logStream: 's2' }));
    sink.failSomeNext((document) => document.index.startsWith('cwl-generic'));
    const result = await ship({ Records: [kinesisRecord('20', first), kinesisRecord('21', second)] });
    // One bulk write carries every record: which record lost a document is not known, so both go again.
    expect(result.response?.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['20', '21']);
    expect(sink.documents()).toHaveLength(2);
    const again = await ship({ Records: [kinesisRecord('20', first), kinesisRecord('21', second)] });
    expect(again.response).toEqual({ batchItemFailures: [] });
    expect(sink.documents()).toHaveLength(3);
  });

  it('fails a corrupt subscription event with the step that broke', async () => {
    const { ship } = setup();
    await expect(ship({ awslogs: { data: 'not base64!' } })).rejects.toThrow(/cannot decode batch \(base64\)/);
  });

  it.each([[{}], [{ Records: [{ s3: {} }] }], [null], ['text']])('rejects an event of unknown shape: %j', async (event) => {
    const { ship } = setup();
    await expect(ship(event)).rejects.toBeInstanceOf(DecodeError);
  });

  it('dead-letters a Kinesis record that can never be decoded, with its data, instead of retrying it', async () => {
    const { sink, ship, reports } = setup();
    const good = encodePayload(makeBatch('/aws/lambda/fn', lambdaLines));
    const other = encodePayload(makeBatch('/ecs/app', ['x'], { logStream: 's2' }));
    const corrupt = { ...kinesisRecord('2', 'AAAA'), eventID: 'shardId-000000000000:2' };
    const result = await ship({ Records: [kinesisRecord('1', good), corrupt, kinesisRecord('3', other)] });
    expect(result.response).toEqual({ batchItemFailures: [] });
    expect(sink.writes).toBe(1); // one sink write for all records keeps bulk requests large
    const dead = sink.documents().filter((document) => document.dataset === 'deadletter');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      index: 'cwl-deadletter-1970.01.01',
      id: 'undecodable-shardId-000000000000:2',
      source: { deadletter: { document: 'AAAA' }, error: { type: 'decode_error_gzip', reason: expect.stringMatching(/^cannot decode batch \(gzip\)/) } },
    });
    expect(sink.documents()).toHaveLength(4);
    expect(reports[0]!.summary).toMatchObject({ undecodableRecords: 1, failedRecords: 0 });
    expect(reports[0]!.summary.recordErrors[0]).toMatch(/^2: cannot decode batch \(gzip\)/);
  });

  it('names base64 as the broken step of a Kinesis record that is not base64', async () => {
    const { sink, ship } = setup();
    await ship({ Records: [kinesisRecord('9', '%%%notbase64%%%')] });
    expect(sink.documents()[0]!.source.error).toMatchObject({ type: 'decode_error_base64' });
  });

  it('reports every decoded Kinesis record when the sink cannot store them', async () => {
    const { sink, ship } = setup();
    sink.failNext = 1;
    const data = encodePayload(makeBatch('/aws/lambda/fn', lambdaLines));
    const result = await ship({ Records: [kinesisRecord('10', data), kinesisRecord('11', data)] });
    expect(result.response?.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual(['10', '11']);
  });

  it('passes a deadline from the invocation context to the sink', async () => {
    let seen: number | undefined;
    const sink = new (class extends MemorySink {
      override async write(documents: readonly LogDocument[], options?: WriteOptions) {
        seen = options?.deadline;
        return super.write(documents);
      }
    })();
    const timed = createShipper({ registry: createRegistry(), config, sink, safetyMarginMs: 1000 });
    const before = Date.now();
    await timed(subscriptionEvent(makeBatch('/ecs/app', ['x'])), { getRemainingTimeInMillis: () => 10_000 });
    expect(seen).toBeGreaterThanOrEqual(before + 9000);
    expect(seen).toBeLessThanOrEqual(Date.now() + 9000);
  });
});
