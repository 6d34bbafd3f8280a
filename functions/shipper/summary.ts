import { addOutcome, emptyOutcome, type SinkOutcome } from '../sinks/types';
import type { BatchOutcome, DatasetCounts } from '../pipeline/process';

/** What one invocation did, for logs, metrics and the CLI summary. */
export interface InvocationSummary {
  batches: number;
  controlMessages: number;
  received: number;
  parseFailures: number;
  byDataset: Record<string, DatasetCounts>;
  sink: SinkOutcome;
  /** Kinesis records that could not be decoded or shipped. */
  failedRecords: number;
  /** Why records failed (the first few), for the log. */
  recordErrors: string[];
}

export function emptySummary(): InvocationSummary {
  return { batches: 0, controlMessages: 0, received: 0, parseFailures: 0, byDataset: {}, sink: emptyOutcome(), failedRecords: 0, recordErrors: [] };
}

/** Adds the outcome of one batch into `summary`. */
export function addBatch(summary: InvocationSummary, outcome: Omit<BatchOutcome, 'sink'> & { sink?: SinkOutcome }): InvocationSummary {
  summary.batches += 1;
  if (outcome.skipped) summary.controlMessages += 1;
  summary.received += outcome.received;
  summary.parseFailures += outcome.parseFailures;
  for (const [dataset, counts] of Object.entries(outcome.byDataset)) {
    const total = (summary.byDataset[dataset] ??= { documents: 0, parseFailures: 0 });
    total.documents += counts.documents;
    total.parseFailures += counts.parseFailures;
  }
  if (outcome.sink) addOutcome(summary.sink, outcome.sink);
  return summary;
}
