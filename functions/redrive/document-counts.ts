import type { SinkOutcome } from '../pipeline/sink';

/** The documents a redrive stored, counted the same way for queue messages and failure-bucket objects. */
export interface DocumentCounts {
  indexed: number;
  duplicates: number;
  deadLettered: number;
  parseFailures: number;
}

export function emptyDocumentCounts(): DocumentCounts {
  return { indexed: 0, duplicates: 0, deadLettered: 0, parseFailures: 0 };
}

/** Adds one replayed batch's sink outcome and parse failures to `counts`. */
export function addStored(counts: DocumentCounts, sink: SinkOutcome, parseFailures: number): void {
  counts.indexed += sink.indexed;
  counts.duplicates += sink.duplicates;
  counts.deadLettered += sink.deadLettered;
  counts.parseFailures += parseFailures;
}
