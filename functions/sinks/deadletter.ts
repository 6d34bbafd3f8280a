import type { DocumentSource, LogDocument } from '../pipeline/types';
import { utcDay } from '../pipeline/index-name';
import type { ItemError } from './bulk-response';

/**
 * Dead-letter documents: what OpenSearch refused for good, kept whole (as a string) in
 * `<prefix>-deadletter-<yyyy.MM.dd>` under the original `_id`, so it can be fixed and
 * re-indexed. The day and `@timestamp` are the original document's: a retry or a redrive
 * after midnight then meets the same id in the same index (409), never a second copy.
 * When it was dead-lettered is `event.ingested`. Pure, no I/O.
 */

export const DEADLETTER_DATASET = 'deadletter';

/** Reason given to a single document that still gets 413 on its own. */
export const TOO_LARGE: ItemError = { type: 'request_too_large', reason: 'request too large' };

/**
 * A document too large for one request makes a dead letter that is too large as well;
 * its `message` and `deadletter.document` are cut to this many characters (tag `truncated`).
 */
export const TOO_LARGE_KEEP_CHARS = 64 * 1024;

/** `<prefix>-deadletter-<yyyy.MM.dd>` for the UTC day of `time` (an ISO string or a Date). */
export function deadLetterIndex(prefix: string, time: Date | string): string {
  return `${prefix}-${DEADLETTER_DATASET}-${utcDay(typeof time === 'string' ? time : time.toISOString())}`;
}

/** The original's `@timestamp` when it is a readable time, else `fallback`. */
export function eventTimeOf(source: DocumentSource, fallback: string): string {
  const time = source['@timestamp'];
  return typeof time === 'string' && !Number.isNaN(Date.parse(time)) ? time : fallback;
}

/** Builds the dead-letter document for `original`, refused with `status` and `error`. */
export function deadLetterDocument(
  original: LogDocument,
  status: number,
  error: ItemError,
  prefix: string,
  now: Date,
): LogDocument {
  const source = original.source;
  const ingested = now.toISOString();
  const truncate = status === 413;
  let cut = false;
  const keep = (text: string): string => {
    if (!truncate || text.length <= TOO_LARGE_KEEP_CHARS) return text;
    cut = true;
    return text.slice(0, TOO_LARGE_KEEP_CHARS);
  };
  const document = keep(JSON.stringify(source));
  const message = typeof source.message === 'string' ? keep(source.message) : undefined;
  const cloudwatch = readCloudWatch(source);
  const eventTime = eventTimeOf(source, ingested);
  const dead: DocumentSource = {
    '@timestamp': eventTime,
    event: { dataset: DEADLETTER_DATASET, ingested },
    tags: cut ? [DEADLETTER_DATASET, 'truncated'] : [DEADLETTER_DATASET],
    ...(message !== undefined && { message }),
    ...(cloudwatch !== undefined && { aws: { cloudwatch } }),
    deadletter: { index: original.index, id: original.id, dataset: original.dataset, status, document },
    error: { type: error.type, reason: error.reason },
  };
  return { index: deadLetterIndex(prefix, eventTime), id: original.id, dataset: DEADLETTER_DATASET, source: dead };
}

function readCloudWatch(source: DocumentSource): unknown {
  const aws = source.aws;
  if (aws === null || typeof aws !== 'object') return undefined;
  return (aws as DocumentSource).cloudwatch;
}

/** A stream record whose payload could not be decoded (bad base64, gzip, JSON or shape). */
export interface UndecodableRecord {
  /** Stable id of the record (Kinesis `eventID`, else its sequence number). */
  readonly id: string;
  /** The record's data exactly as received (base64). */
  readonly data: string;
  /** When the stream received it: gives the dead letter a day that retries do not change. */
  readonly arrivedAt: Date;
  readonly error: ItemError;
}

/**
 * A dead letter for a record that can never be decoded: retrying it would only block its
 * shard, and a Kinesis failure destination keeps sequence numbers, not data. The raw data
 * is kept in `deadletter.document`, so nothing is lost.
 */
export function undecodableRecordDocument(record: UndecodableRecord, prefix: string, now: Date): LogDocument {
  const eventTime = record.arrivedAt.toISOString();
  const id = `undecodable-${record.id}`;
  return {
    index: deadLetterIndex(prefix, eventTime),
    id,
    dataset: DEADLETTER_DATASET,
    source: {
      '@timestamp': eventTime,
      event: { dataset: DEADLETTER_DATASET, ingested: now.toISOString() },
      tags: [DEADLETTER_DATASET, 'undecodable'],
      deadletter: { id, document: record.data },
      error: { type: record.error.type, reason: record.error.reason },
    },
  };
}
