import type { Fields, ParseResult, ParserEntry } from '../../parsers/types';
import type { IndexingConfig } from './config';
import { indexName } from './index-name';
import type { LogBatch, LogDocument, LogEvent } from './types';

export const TAGS = {
  parseFailure: 'parse_failure',
  invalidUtf8: 'invalid_utf8',
} as const;

export interface DocumentContext {
  readonly batch: LogBatch;
  /** The parser that routed the batch. */
  readonly entry: ParserEntry;
  /** The entry of a parser that claimed a single result (`belongsTo`), looked up by the caller. */
  readonly resolve: (id: NonNullable<Extract<ParseResult, { ok: true }>['belongsTo']>) => ParserEntry;
  readonly indexing: IndexingConfig;
  /** `event.ingested`, one value for the whole batch. */
  readonly ingested: string;
  /** Region of the pipeline, used when the message does not say (subscriptions are regional). */
  readonly region?: string;
  /** Extra tags for every document of the batch (for example `invalid_utf8`). */
  readonly batchTags?: readonly string[];
}

/** Builds the OpenSearch document for one log event: envelope + parsed fields, index, id. */
export function buildDocument(event: LogEvent, result: ParseResult, context: DocumentContext): LogDocument {
  const { batch, indexing } = context;
  const owner = result.ok && result.belongsTo !== undefined ? context.resolve(result.belongsTo) : context.entry;
  const timestamp = (result.ok && validTimestamp(result.timestamp)) || new Date(event.timestamp).toISOString();
  const region = (result.ok && result.region) || context.region;

  const tags = [...(context.batchTags ?? [])];
  if (result.ok) {
    if (result.tags) tags.push(...result.tags);
  } else {
    tags.push(TAGS.parseFailure);
  }

  const source: Fields = {
    '@timestamp': timestamp,
    message: event.message,
    event: { dataset: owner.dataset, ingested: context.ingested },
    aws: { cloudwatch: { log_group: batch.logGroup, log_stream: batch.logStream, event_id: event.id } },
  };
  // Batches built from files may not know their account: leave it absent rather than "".
  const cloud = {
    ...(batch.owner !== '' && { account: { id: batch.owner } }),
    ...(region !== undefined && { region }),
  };
  if (cloud.account !== undefined || cloud.region !== undefined) source.cloud = cloud;
  if (tags.length > 0) source.tags = [...new Set(tags)];
  if (!result.ok) source.error = { message: result.reason };

  const parsed = result.fields;
  if (parsed !== undefined) mergeFields(source, parsed);

  return {
    index: indexName({
      prefix: indexing.prefix,
      slug: owner.id,
      timestamp,
      naming: indexing.naming,
      logGroup: batch.logGroup,
    }),
    id: (result.ok && result.id) || event.id,
    dataset: owner.dataset,
    source,
  };
}

/** A parser's time, only if it is a real date (a wrong one would misplace the document's index). */
function validTimestamp(timestamp: string | undefined): string | undefined {
  if (timestamp === undefined) return undefined;
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return undefined;
  return timestamp.endsWith('Z') ? timestamp : new Date(time).toISOString();
}

/**
 * Deep-merges parsed fields into the envelope. The envelope's own values win where both
 * set a leaf (`event.dataset`, `aws.cloudwatch.*`), so a parser cannot break the contract.
 */
export function mergeFields(target: Fields, fields: Fields): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const existing = target[key];
    if (existing === undefined) {
      target[key] = value;
    } else if (isPlainObject(existing) && isPlainObject(value)) {
      mergeFields(existing, value);
    }
  }
}

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
