import { isKinesisRecord, type KinesisRecordLike } from '../shipper/shipper';
import { isObject, parseJsonObject } from './record';

/**
 * What the Kinesis event source mapping writes to an S3 on-failure destination: the
 * metadata an SQS destination gets (`requestContext`, `responseContext`, `KinesisBatchInfo`
 * with shard and sequence numbers) plus `payload`, the original invocation event as an
 * escaped JSON string ("Retain discarded batch records for a Kinesis Data Streams event
 * source in Lambda", Lambda Developer Guide). The event's `Records[].kinesis.data` are the
 * base64 gzip CloudWatch Logs payloads the shipper received.
 */
export interface KinesisFailureEvent {
  readonly Records: readonly KinesisRecordLike[];
}

export type ExtractedKinesisFailure =
  | { readonly ok: true; readonly event: KinesisFailureEvent; readonly shardId?: string; readonly condition?: string }
  | { readonly ok: false; readonly reason: string };

/** The Kinesis event to replay from an on-failure object's text, or why there is none. */
export function extractKinesisFailure(text: string): ExtractedKinesisFailure {
  const parsed = parseJsonObject(text, 'object');
  if (!parsed.ok) return parsed;
  const record = parsed.value;
  if (!('payload' in record)) {
    return {
      ok: false,
      reason: isObject(record.KinesisBatchInfo)
        ? 'the failure record carries no payload (shard and sequence numbers only): re-read the records from the stream'
        : 'not a Kinesis on-failure record (no KinesisBatchInfo, no payload)',
    };
  }
  let event: unknown = record.payload;
  if (typeof event === 'string') {
    try {
      event = JSON.parse(event);
    } catch (error) {
      return { ok: false, reason: `the payload is not JSON (${(error as Error).message})` };
    }
  }
  const records = isObject(event) ? event.Records : undefined;
  if (!Array.isArray(records) || records.length === 0) return { ok: false, reason: 'the payload has no Records' };
  const bad = records.findIndex((entry) => !isKinesisRecord(entry));
  if (bad !== -1) return { ok: false, reason: `payload Records[${bad}] has no kinesis.data and kinesis.sequenceNumber strings` };
  const info = isObject(record.KinesisBatchInfo) ? record.KinesisBatchInfo : {};
  const context = isObject(record.requestContext) ? record.requestContext : {};
  return {
    ok: true,
    event: { Records: records as KinesisFailureEvent['Records'] },
    ...(typeof info.shardId === 'string' && { shardId: info.shardId }),
    ...(typeof context.condition === 'string' && { condition: context.condition }),
  };
}
