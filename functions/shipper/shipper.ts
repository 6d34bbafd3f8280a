import type { KinesisStreamBatchResponse } from 'aws-lambda';
import { decodeSubscriptionData, type DecodedBatch } from '../pipeline/decode';
import { undecodableRecordDocument } from '../sinks/deadletter';
import { DecodeError, PipelineError } from '../pipeline/errors';
import { batchCounts, buildDocuments, processBatch, type BuiltDocuments, type PipelineDeps } from '../pipeline/process';
import type { LogDocument } from '../pipeline/types';
import { addBatch, emptySummary, type InvocationSummary } from './summary';

/** Reports what an invocation did; the Lambda uses Powertools, the CLI stays quiet. */
export interface Telemetry {
  readonly succeeded: (summary: InvocationSummary) => void;
  readonly failed: (error: unknown, summary: InvocationSummary) => void;
}

export interface ShipperDeps extends Omit<PipelineDeps, 'deadline'> {
  readonly telemetry?: Telemetry;
  /** Time kept back from the invocation's remaining time for the last request to finish. */
  readonly safetyMarginMs?: number;
}

export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export interface ShipperResult {
  readonly summary: InvocationSummary;
  /** Only for Kinesis events: the records Lambda must retry. */
  readonly response?: KinesisStreamBatchResponse;
}

/**
 * The shipper's logic, independent of Lambda: a CloudWatch Logs subscription event
 * (`awslogs.data`) or a Kinesis event whose records carry CloudWatch Logs payloads.
 */
export function createShipper(deps: ShipperDeps) {
  const margin = deps.safetyMarginMs ?? 3_000;

  return async function ship(event: unknown, context?: InvocationContext): Promise<ShipperResult> {
    const deadline = context ? Date.now() + Math.max(0, context.getRemainingTimeInMillis() - margin) : undefined;
    const pipeline = { ...deps, ...(deadline !== undefined && { deadline }) };
    const summary = emptySummary();
    try {
      const result = isSubscriptionEvent(event)
        ? await shipSubscription(event.awslogs.data, pipeline, summary)
        : isKinesisEvent(event)
          ? await shipKinesis(event.Records, pipeline, summary)
          : rejectUnknown(event);
      deps.telemetry?.succeeded(summary);
      return result;
    } catch (error) {
      deps.telemetry?.failed(error, summary);
      throw error;
    }
  };
}

async function shipSubscription(data: string, deps: PipelineDeps, summary: InvocationSummary): Promise<ShipperResult> {
  const batch = decodeSubscriptionData(data, deps.config.maxDecompressedBytes);
  addBatch(summary, await processBatch(batch, deps));
  return { summary };
}

/**
 * Kinesis: the records are decoded one by one, then all documents go to the sink together,
 * which keeps bulk requests large. A record that cannot be decoded will never decode: it is
 * written to the dead-letter index with its raw data at once: retrying it would only block
 * the shard until the mapping gives the batch up to its S3 failure destination. If the
 * sink cannot store everything, every record is reported failed: the ids make the retry safe,
 * and a batch given up lands whole in that bucket, which the redrive replays.
 */
async function shipKinesis(records: readonly KinesisRecordLike[], deps: PipelineDeps, summary: InvocationSummary): Promise<ShipperResult> {
  const documents: LogDocument[] = [];
  // Counted after the write: a batch's documents parse their events as the sink encodes them.
  const counted: { built: BuiltDocuments; received: number }[] = [];
  const now = deps.now?.() ?? new Date();
  for (const record of records) {
    let batch: DecodedBatch;
    try {
      batch = decodeSubscriptionData(record.kinesis.data, deps.config.maxDecompressedBytes);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      summary.undecodableRecords += 1;
      noteRecordError(summary, record.kinesis.sequenceNumber, error);
      documents.push(undecodableRecordDocument(undecodable(record, error), deps.config.indexing.prefix, now));
      continue;
    }
    const built = buildDocuments(batch, deps);
    documents.push(...built.documents);
    counted.push({ built, received: batch.logEvents.length });
  }
  try {
    if (documents.length > 0) {
      summary.sink = await deps.sink.write(documents, deps.deadline === undefined ? {} : { deadline: deps.deadline });
    }
    for (const { built, received } of counted) addBatch(summary, batchCounts(built, received));
    return { summary, response: { batchItemFailures: [] } };
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    summary.failedRecords += records.length;
    noteRecordError(summary, `${records.length} records`, error);
    return { summary, response: { batchItemFailures: records.map((record) => ({ itemIdentifier: record.kinesis.sequenceNumber })) } };
  }
}

function undecodable(record: KinesisRecordLike, error: DecodeError) {
  const arrival = record.kinesis.approximateArrivalTimestamp;
  return {
    id: record.eventID ?? record.kinesis.sequenceNumber,
    data: record.kinesis.data,
    // Seconds since the epoch; a retried record keeps it, so its dead letter keeps its day.
    arrivedAt: typeof arrival === 'number' && Number.isFinite(arrival) ? new Date(arrival * 1000) : new Date(0),
    error: { type: `decode_error_${error.step}`, reason: error.message },
  };
}

function noteRecordError(summary: InvocationSummary, what: string, error: Error): void {
  if (summary.recordErrors.length < 10) summary.recordErrors.push(`${what}: ${error.message}`);
}

function rejectUnknown(event: unknown): never {
  const keys = typeof event === 'object' && event !== null ? Object.keys(event).slice(0, 5).join(', ') : typeof event;
  throw new DecodeError('shape', `event is neither a CloudWatch Logs subscription event (awslogs.data) nor a Kinesis event (Records[].kinesis.data); got ${keys || 'an empty object'}`);
}

/** A Kinesis record carrying a CloudWatch Logs payload: what the shipper reads of it. */
export interface KinesisRecordLike {
  readonly eventID?: string;
  readonly kinesis: { readonly data: string; readonly sequenceNumber: string; readonly approximateArrivalTimestamp?: number };
}

function isSubscriptionEvent(event: unknown): event is { awslogs: { data: string } } {
  const awslogs = (event as { awslogs?: { data?: unknown } } | null)?.awslogs;
  return typeof awslogs === 'object' && awslogs !== null && 'data' in awslogs;
}

function isKinesisEvent(event: unknown): event is { Records: KinesisRecordLike[] } {
  const records = (event as { Records?: unknown } | null)?.Records;
  return Array.isArray(records) && records.every(isKinesisRecord);
}

/** True when `value` has the `kinesis.data` and `kinesis.sequenceNumber` strings the shipper needs. */
export function isKinesisRecord(value: unknown): value is KinesisRecordLike {
  const kinesis = (value as { kinesis?: { data?: unknown; sequenceNumber?: unknown } } | null | undefined)?.kinesis;
  return typeof kinesis?.data === 'string' && typeof kinesis.sequenceNumber === 'string';
}
