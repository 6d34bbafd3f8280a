import type { LogDocument } from './types';

/** Where documents go: OpenSearch bulk, NDJSON files, or stdout. */
export interface Sink {
  /**
   * Writes the documents. Resolves with what happened to each of them; rejects with a
   * `SinkError` when documents remain unindexed after the retries the deadline allows.
   */
  write(documents: readonly LogDocument[], options?: WriteOptions): Promise<SinkOutcome>;
  /** Flushes and releases resources. */
  close(): Promise<void>;
}

export interface WriteOptions {
  /** Epoch ms after which no retry is started (the invocation's remaining time). */
  readonly deadline?: number;
}

/** Counts of what a write did. `indexed + duplicates + deadLettered` = documents given. */
export interface SinkOutcome {
  /** Newly stored. */
  indexed: number;
  /** Already stored (409 on create): success. */
  duplicates: number;
  /** Item attempts that were retried (429, 5xx, rejected execution). */
  retried: number;
  /** Rejected for good and written to the dead-letter index instead. */
  deadLettered: number;
  /** Documents stored per target index (indexed + duplicates). */
  byIndex: Record<string, number>;
}

export function emptyOutcome(): SinkOutcome {
  return { indexed: 0, duplicates: 0, retried: 0, deadLettered: 0, byIndex: {} };
}

/** Adds `more` into `total` and returns `total`. */
export function addOutcome(total: SinkOutcome, more: SinkOutcome): SinkOutcome {
  total.indexed += more.indexed;
  total.duplicates += more.duplicates;
  total.retried += more.retried;
  total.deadLettered += more.deadLettered;
  for (const [index, count] of Object.entries(more.byIndex)) {
    total.byIndex[index] = (total.byIndex[index] ?? 0) + count;
  }
  return total;
}
