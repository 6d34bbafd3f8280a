import type { BatchOutcome } from '../pipeline/process';
import { addOutcome, emptyOutcome, type SinkOutcome } from '../pipeline/sink';

/** What a history reader shipped: events read, documents built, and what the sink did with them. */
export interface ShipCounts {
  /** Log events read from AWS. */
  events: number;
  /** Events not sent again because an earlier run already shipped them. */
  skipped: number;
  /** Documents built and handed to the sink. */
  documents: number;
  parseFailures: number;
  sink: SinkOutcome;
}

export function emptyShipCounts(): ShipCounts {
  return { events: 0, skipped: 0, documents: 0, parseFailures: 0, sink: emptyOutcome() };
}

/** Adds a `processBatch` outcome into `counts`. */
export function addBatchOutcome(counts: ShipCounts, outcome: BatchOutcome): ShipCounts {
  for (const dataset of Object.values(outcome.byDataset)) counts.documents += dataset.documents;
  counts.parseFailures += outcome.parseFailures;
  addOutcome(counts.sink, outcome.sink);
  return counts;
}

/** Adds `more` into `total`. */
export function addShipCounts(total: ShipCounts, more: ShipCounts): ShipCounts {
  total.events += more.events;
  total.skipped += more.skipped;
  total.documents += more.documents;
  total.parseFailures += more.parseFailures;
  addOutcome(total.sink, more.sink);
  return total;
}
