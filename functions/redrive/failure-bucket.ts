import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import type { InvocationContext, ShipperResult } from '../shipper/shipper';
import { addStored, emptyDocumentCounts, type DocumentCounts } from './document-counts';
import { extractKinesisFailure, type KinesisFailureEvent } from './kinesis-failure';
import { timeLeft } from './time-left';

export interface FailureBucketDeps {
  readonly s3: S3Client;
  /** The Kinesis event source mapping's S3 on-failure destination. */
  readonly bucket: string;
  /** The shipper's own code (`createShipper`): the records take exactly the path they failed on. */
  readonly ship: (event: KinesisFailureEvent, context?: InvocationContext) => Promise<ShipperResult>;
  readonly log: (level: 'info' | 'warn' | 'error', message: string, details: Record<string, unknown>) => void;
}

/** What a run did with the failure bucket. An object is deleted only after every record of it is stored. */
export interface FailureObjectsSummary {
  /** Objects looked at (at most `maxObjects`). */
  read: number;
  /** Replayed and deleted. */
  replayed: number;
  /** Kinesis records in the replayed objects. */
  records: number;
  /** Left in the bucket: not an on-failure record with a payload of Kinesis records. */
  unreplayable: number;
  /** Left in the bucket: the sink could not store every record (the run stops there). */
  failed: number;
  /** Replayed but the delete failed: it is replayed again next run, idempotently. */
  deleteFailures: number;
  documents: DocumentCounts & { undecodableRecords: number };
}

export function emptyFailureObjectsSummary(): FailureObjectsSummary {
  return {
    read: 0,
    replayed: 0,
    records: 0,
    unreplayable: 0,
    failed: 0,
    deleteFailures: 0,
    documents: { ...emptyDocumentCounts(), undecodableRecords: 0 },
  };
}

/**
 * Replays the failed Kinesis batches Lambda wrote to the failure bucket: lists the objects,
 * recovers each one's invocation event from `payload`, ships it with the shipper's code and
 * deletes the object once all its records are stored (ids + `create` make a second replay a
 * no-op). Returns false when the run stopped early (the sink failed, or the deadline).
 */
export async function replayFailureObjects(
  deps: FailureBucketDeps,
  options: { readonly maxObjects: number; readonly deadline?: number },
  summary: FailureObjectsSummary,
): Promise<boolean> {
  let continuationToken: string | undefined;
  do {
    if (timeLeft(options.deadline) <= 0) return false;
    const page = await deps.s3.send(
      new ListObjectsV2Command({
        Bucket: deps.bucket,
        MaxKeys: Math.min(1000, options.maxObjects - summary.read),
        ...(continuationToken !== undefined && { ContinuationToken: continuationToken }),
      }),
    );
    for (const object of page.Contents ?? []) {
      if (object.Key === undefined) continue;
      if (summary.read >= options.maxObjects) return true;
      if (timeLeft(options.deadline) <= 0) return false;
      summary.read += 1;
      const outcome = await replayObject(object.Key, deps, summary, options.deadline);
      if (outcome === 'sink-failed') return false;
    }
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken !== undefined && summary.read < options.maxObjects);
  return true;
}

async function replayObject(
  key: string,
  deps: FailureBucketDeps,
  summary: FailureObjectsSummary,
  deadline: number | undefined,
): Promise<'stored' | 'left' | 'sink-failed'> {
  let text: string;
  try {
    const object = await deps.s3.send(new GetObjectCommand({ Bucket: deps.bucket, Key: key }));
    text = object.Body === undefined ? '' : await object.Body.transformToString('utf-8');
  } catch (error) {
    // Another run replayed and deleted it between the listing and now.
    if (error instanceof NoSuchKey) return 'left';
    throw error;
  }
  const extracted = extractKinesisFailure(text);
  if (!extracted.ok) {
    summary.unreplayable += 1;
    deps.log('warn', 'failure object left in the bucket: nothing to replay', { bucket: deps.bucket, key, reason: extracted.reason });
    return 'left';
  }
  const context = deadline === undefined ? undefined : { getRemainingTimeInMillis: () => timeLeft(deadline) };
  const { summary: shipped, response } = await deps.ship(extracted.event, context);
  const failures = response?.batchItemFailures ?? [];
  if (failures.length > 0) {
    summary.failed += 1;
    deps.log('error', 'failure object left in the bucket: records not stored; stopping this run', {
      bucket: deps.bucket,
      key,
      shardId: extracted.shardId,
      failedRecords: failures.length,
      reasons: shipped.recordErrors,
    });
    return 'sink-failed';
  }
  summary.replayed += 1;
  summary.records += extracted.event.Records.length;
  addStored(summary.documents, shipped.sink, shipped.parseFailures);
  summary.documents.undecodableRecords += shipped.undecodableRecords;
  try {
    await deps.s3.send(new DeleteObjectCommand({ Bucket: deps.bucket, Key: key }));
  } catch (error) {
    summary.deleteFailures += 1;
    deps.log('warn', 'replayed failure object could not be deleted; it will be replayed again (idempotently)', {
      bucket: deps.bucket,
      key,
      reason: (error as Error).message,
    });
  }
  return 'stored';
}
