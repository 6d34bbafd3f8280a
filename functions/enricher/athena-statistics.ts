import { BatchGetQueryExecutionCommand, type AthenaClient, type QueryExecution } from '@aws-sdk/client-athena';
import {
  THROTTLING_CODES,
  TRANSIENT_CODES,
  isRetryableAwsError,
  withBackoff,
  type BackoffOptions,
} from '../aws/backoff';

/** BatchGetQueryExecution takes at most 50 ids a call. */
export const BATCH_GET_LIMIT = 50;

/** Why Athena did not describe an id. */
export interface UnprocessedId {
  readonly code?: string;
  readonly message?: string;
  /** Throttling or a server error: ask again later rather than give up on the id. */
  readonly retryable: boolean;
}

export interface QueryExecutionLookup {
  readonly executions: Map<string, QueryExecution>;
  /** Ids Athena answered for with an error (`UnprocessedQueryExecutionIds`). */
  readonly unprocessed: Map<string, UnprocessedId>;
  /** Ids with no answer at all (a partial reply, or throttled past the deadline): ask next sweep. */
  readonly unanswered: Set<string>;
  /** BatchGetQueryExecution requests sent, retries included. */
  calls: number;
}

export interface FetchOptions {
  readonly backoff?: BackoffOptions;
}

/**
 * Describes query executions with BatchGetQueryExecution, 50 ids a call, retrying
 * throttling with backoff. Ids are account-wide, so one call covers every work group
 * the caller may read. A call refused as invalid is split in halves to isolate the id
 * that caused it. Persistent throttling leaves the remaining ids unanswered (the next
 * sweep asks again) instead of failing the sweep.
 */
export async function fetchQueryExecutions(
  athena: Pick<AthenaClient, 'send'>,
  ids: readonly string[],
  options: FetchOptions = {},
): Promise<QueryExecutionLookup> {
  const lookup: QueryExecutionLookup = {
    executions: new Map(),
    unprocessed: new Map(),
    unanswered: new Set(),
    calls: 0,
  };
  const unique = [...new Set(ids)];
  const chunks: string[][] = [];
  for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
    chunks.push(unique.slice(start, start + BATCH_GET_LIMIT));
  }
  for (const [position, chunk] of chunks.entries()) {
    const outcome = await fetchChunk(athena, chunk, lookup, options);
    if (outcome === 'throttled') {
      for (const rest of chunks.slice(position)) for (const id of rest) if (!isAnswered(lookup, id)) lookup.unanswered.add(id);
      break;
    }
  }
  return lookup;
}

async function fetchChunk(
  athena: Pick<AthenaClient, 'send'>,
  chunk: readonly string[],
  lookup: QueryExecutionLookup,
  options: FetchOptions,
): Promise<'done' | 'throttled'> {
  let reply;
  try {
    reply = await withBackoff(
      () => {
        lookup.calls += 1;
        return athena.send(new BatchGetQueryExecutionCommand({ QueryExecutionIds: [...chunk] }));
      },
      options.backoff,
    );
  } catch (error) {
    if (isRetryableAwsError(error)) return 'throttled';
    if ((error as { name?: string }).name !== 'InvalidRequestException') throw error;
    if (chunk.length === 1) {
      lookup.unprocessed.set(chunk[0]!, {
        code: 'InvalidRequestException',
        message: (error as Error).message,
        retryable: false,
      });
      return 'done';
    }
    const middle = Math.ceil(chunk.length / 2);
    if ((await fetchChunk(athena, chunk.slice(0, middle), lookup, options)) === 'throttled') return 'throttled';
    return fetchChunk(athena, chunk.slice(middle), lookup, options);
  }
  const asked = new Set(chunk);
  for (const execution of reply.QueryExecutions ?? []) {
    const id = execution.QueryExecutionId;
    if (id !== undefined && asked.has(id)) lookup.executions.set(id, execution);
  }
  for (const entry of reply.UnprocessedQueryExecutionIds ?? []) {
    const id = entry.QueryExecutionId;
    if (id === undefined || !asked.has(id) || lookup.executions.has(id)) continue;
    const code = entry.ErrorCode;
    lookup.unprocessed.set(id, {
      ...(code !== undefined && { code }),
      ...(entry.ErrorMessage !== undefined && { message: entry.ErrorMessage }),
      retryable: code !== undefined && (THROTTLING_CODES.has(code) || TRANSIENT_CODES.has(code)),
    });
  }
  for (const id of chunk) if (!isAnswered(lookup, id)) lookup.unanswered.add(id);
  return 'done';
}

function isAnswered(lookup: QueryExecutionLookup, id: string): boolean {
  return lookup.executions.has(id) || lookup.unprocessed.has(id);
}
