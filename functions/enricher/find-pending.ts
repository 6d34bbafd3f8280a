import type { OpenSearchClient } from '../sinks/opensearch';
import { FINAL_STATES, UNAVAILABLE_TAG, type AthenaFields } from './enrichment-fields';

/** A StartQueryExecution document still waiting for its final statistics. */
export interface PendingDocument {
  readonly index: string;
  readonly id: string;
  readonly queryExecutionId: string;
  /** `@timestamp` of the document (the CloudTrail `eventTime`). */
  readonly timestamp: string;
  /** The document's `aws.athena` object as stored. */
  readonly athena: AthenaFields;
  readonly tags: readonly string[];
}

export interface FindPendingOptions {
  readonly prefix: string;
  /** Only documents at or after this time (the lookback). */
  readonly since: Date;
  readonly pageSize: number;
}

/** `<prefix>-athena-cloudtrail-*`: every Athena index, per-source and per-log-group naming alike. */
export function athenaIndexPattern(prefix: string): string {
  return `${prefix}-athena-cloudtrail-*`;
}

/** The query for StartQueryExecution documents with a query id, not final and not given up on. */
export function pendingQuery(from: Date): Record<string, unknown> {
  return {
    bool: {
      filter: [
        { term: { 'event.action': 'StartQueryExecution' } },
        { exists: { field: 'aws.athena.query_execution_id' } },
        { range: { '@timestamp': { gte: from.toISOString() } } },
      ],
      must_not: [{ terms: { 'aws.athena.state': [...FINAL_STATES] } }, { term: { tags: UNAVAILABLE_TAG } }],
    },
  };
}

/**
 * Pages through pending documents, oldest first. The cursor is the last `@timestamp`
 * read, taken inclusively, with the documents already returned skipped: no sort on `_id`
 * (which OpenSearch may refuse) and no document lost between two pages that share a
 * second. A page whose documents all share one timestamp is read with a larger size.
 */
export async function* findPendingDocuments(
  client: OpenSearchClient,
  options: FindPendingOptions,
): AsyncGenerator<PendingDocument[]> {
  let from = options.since;
  let size = options.pageSize;
  const seen = new Set<string>();
  for (;;) {
    const response = await client.search({
      index: athenaIndexPattern(options.prefix),
      ignore_unavailable: true,
      allow_no_indices: true,
      body: {
        size,
        sort: [{ '@timestamp': { order: 'asc', unmapped_type: 'date' } }],
        _source: ['@timestamp', 'aws.athena', 'tags'],
        query: pendingQuery(from),
      },
    });
    const hits = ((response.body as { hits?: { hits?: unknown[] } }).hits?.hits ?? []) as RawHit[];
    const fresh: PendingDocument[] = [];
    for (const hit of hits) {
      const key = `${hit._index}/${hit._id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const document = toPending(hit);
      if (document !== undefined) fresh.push(document);
    }
    if (fresh.length > 0) yield fresh;
    if (hits.length < size) return;
    const last = hits.at(-1)?._source?.['@timestamp'];
    const next = typeof last === 'string' ? new Date(last) : undefined;
    if (next === undefined || Number.isNaN(next.getTime())) return;
    if (fresh.length === 0 || next.getTime() === from.getTime()) {
      // A full page at one timestamp: widen the page so the cursor can move past it.
      if (size >= 10_000) return;
      size = Math.min(10_000, size * 2);
    }
    from = next;
  }
}

interface RawHit {
  readonly _index: string;
  readonly _id: string;
  readonly _source?: Record<string, unknown>;
}

function toPending(hit: RawHit): PendingDocument | undefined {
  const source = hit._source ?? {};
  const aws = source.aws as { athena?: AthenaFields } | undefined;
  const athena = aws?.athena ?? {};
  const queryExecutionId = athena.query_execution_id;
  const timestamp = source['@timestamp'];
  if (typeof queryExecutionId !== 'string' || queryExecutionId === '' || typeof timestamp !== 'string') return undefined;
  const tags = Array.isArray(source.tags) ? source.tags.filter((tag): tag is string => typeof tag === 'string') : [];
  return { index: hit._index, id: hit._id, queryExecutionId, timestamp, athena, tags };
}
