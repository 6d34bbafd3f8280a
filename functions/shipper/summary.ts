import { addOutcome, emptyOutcome, type SinkOutcome } from '../pipeline/sink';
import type { BatchOutcome, DatasetCounts } from '../pipeline/process';

/** What one invocation did, for logs, metrics and the CLI summary. */
export interface InvocationSummary {
  batches: number;
  controlMessages: number;
  received: number;
  parseFailures: number;
  byDataset: Record<string, DatasetCounts>;
  sink: SinkOutcome;
  /** Kinesis records reported back for retry (the sink could not store their documents). */
  failedRecords: number;
  /** Kinesis records that can never be decoded, kept in the dead-letter index with their data. */
  undecodableRecords: number;
  /** Why records failed (the first few), for the log. */
  recordErrors: string[];
}

export function emptySummary(): InvocationSummary {
  return { batches: 0, controlMessages: 0, received: 0, parseFailures: 0, byDataset: {}, sink: emptyOutcome(), failedRecords: 0, undecodableRecords: 0, recordErrors: [] };
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

/** Adds a whole invocation's summary into `total` (the CLI replays many events). */
export function addSummary(total: InvocationSummary, more: InvocationSummary): InvocationSummary {
  total.batches += more.batches;
  total.controlMessages += more.controlMessages;
  total.received += more.received;
  total.parseFailures += more.parseFailures;
  total.failedRecords += more.failedRecords;
  total.undecodableRecords += more.undecodableRecords;
  total.recordErrors.push(...more.recordErrors);
  for (const [dataset, counts] of Object.entries(more.byDataset)) {
    const sum = (total.byDataset[dataset] ??= { documents: 0, parseFailures: 0 });
    sum.documents += counts.documents;
    sum.parseFailures += counts.parseFailures;
  }
  addOutcome(total.sink, more.sink);
  return total;
}
