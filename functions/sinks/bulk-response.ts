/**
 * The bulk reply classifier: what happened to each item, and what a whole-request
 * failure means. Pure, no I/O.
 */

export const ITEM_OUTCOMES = ['done', 'duplicate', 'retryable', 'blocked', 'rejected'] as const;
/**
 * - `done`: stored (2xx).
 * - `duplicate`: 409 on `create`, already stored: success.
 * - `retryable`: 429, 5xx, rejected execution: send again with backoff.
 * - `blocked`: the cluster refuses writes (disk flood stage, read-only, no permission): fail fast.
 * - `rejected`: any other 4xx (mapping errors): permanent, dead-letter it.
 */
export type ItemOutcome = (typeof ITEM_OUTCOMES)[number];

export interface ItemError {
  readonly type: string;
  readonly reason: string;
}

/** One bulk reply item, with the action key unwrapped. */
export interface BulkItem {
  readonly status: number | undefined;
  readonly error?: ItemError;
}

/**
 * Errors that block every write until a person acts: retrying within one invocation
 * cannot help, and dead-lettering would only move the documents elsewhere.
 */
const BLOCKING_TYPES: ReadonlySet<string> = new Set(['cluster_block_exception', 'security_exception']);
const RETRYABLE_TYPES: ReadonlySet<string> = new Set([
  'es_rejected_execution_exception',
  'rejected_execution_exception',
  'circuit_breaking_exception',
]);

/** Classifies one bulk item (written with `create`). */
export function classifyItem(item: BulkItem): ItemOutcome {
  // No status (a reply cut by filter_path, or a malformed item) compares as no range.
  const status = item.status ?? 0;
  // Stryker disable next-line StringLiteral: '' only stands for "no error type"; no set holds either text.
  const type = item.error?.type ?? '';
  // Checked before the status: a flood-stage block arrives as 429, which would otherwise retry.
  if (BLOCKING_TYPES.has(type)) return 'blocked';
  if (status >= 200 && status < 300 && item.error === undefined) return 'done';
  if (status === 409 || type === 'version_conflict_engine_exception') return 'duplicate';
  // The type decides over a 4xx status: overloaded nodes are worth asking again.
  if (RETRYABLE_TYPES.has(type)) return 'retryable';
  if (status >= 400 && status < 500 && status !== 429 && status !== 408) return 'rejected';
  // 429, 408, 5xx, and anything unexpected (no status, 3xx): retry; retries are bounded.
  return 'retryable';
}

/** What a failed whole bulk request means for its documents. */
export const REQUEST_FAILURES = ['split', 'retry', 'blocked', 'fatal'] as const;
export type RequestFailure = (typeof REQUEST_FAILURES)[number];

/**
 * Classifies a whole-request HTTP failure: 413 -> split, 429/408/5xx -> retry,
 * cluster block -> blocked, other 4xx -> fatal (a person must fix it).
 */
export function classifyRequestFailure(status: number, error: ItemError | undefined): RequestFailure {
  if (error?.type === 'cluster_block_exception') return 'blocked';
  if (status === 413) return 'split';
  if (status === 429 || status === 408 || status >= 500) return 'retry';
  return 'fatal';
}

/**
 * Reads the `items` of a bulk reply (possibly shrunk by `filter_path`), in request order.
 * Returns a reason string when the reply does not match the request.
 */
export function readBulkItems(body: unknown, expected: number): BulkItem[] | string {
  if (!isObject(body)) return 'bulk reply is not a JSON object';
  const items = body.items;
  if (!Array.isArray(items)) {
    // Nothing failed: every item is a 2xx (a 409 would have set `errors`).
    if (body.errors === false) return Array.from({ length: expected }, () => ({ status: 200 }));
    return 'bulk reply has no items';
  }
  if (items.length !== expected) return `bulk reply has ${items.length} items for ${expected} documents`;
  return items.map((wrapped: unknown) => {
    const item = isObject(wrapped) ? Object.values(wrapped)[0] : undefined;
    if (!isObject(item)) return { status: undefined };
    const status = typeof item.status === 'number' ? item.status : undefined;
    const error = readError(item.error);
    return error === undefined ? { status } : { status, error };
  });
}

/** Reads `{type, reason}` from an OpenSearch error object, or AWS's `{Message}` / `{message}`. */
export function readError(value: unknown): ItemError | undefined {
  if (typeof value === 'string') return { type: 'error', reason: value };
  if (!isObject(value)) return undefined;
  const inner = isObject(value.error) ? value.error : value;
  if (typeof inner.type === 'string') {
    return { type: inner.type, reason: typeof inner.reason === 'string' ? inner.reason : '' };
  }
  const message = inner.Message ?? inner.message;
  if (typeof message === 'string') return { type: 'error', reason: message };
  if (typeof value.error === 'string') return { type: 'error', reason: value.error };
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
