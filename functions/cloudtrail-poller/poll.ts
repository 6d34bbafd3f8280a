import { shipLookupWindow, type ShipWindowDeps } from '../backfill/cloudtrail';
import { addShipCounts, emptyShipCounts, type ShipCounts } from '../backfill/ship-counts';
import type { OpenSearchClient } from '../sinks/opensearch';
import { readCheckpoint, writeCheckpoint } from './checkpoint';
import type { PollerConfig } from './config';
import { LOOKUP_HISTORY_MS, sliceWindow } from './lookup-events';

export interface PollDeps extends Omit<ShipWindowDeps, 'alreadyShipped' | 'onPage' | 'region'> {
  /** Holds the checkpoint (and usually receives the documents through `sink`). */
  readonly opensearch: OpenSearchClient;
  readonly poller: PollerConfig;
}

export interface PollSummary extends ShipCounts {
  readonly firstRun: boolean;
  /** The range this run meant to read. */
  readonly from: string;
  readonly to: string;
  /** Windows read completely and checkpointed. */
  windows: number;
  /** The checkpoint after this run (end of the last complete window). */
  checkpoint?: string;
  /** True when the deadline stopped the run before `to`; the next run continues. */
  truncated: boolean;
}

/**
 * One poller run: from the checkpoint (minus the overlap) to now, in slices, oldest
 * first. After each slice is shipped completely, the checkpoint moves to its end and
 * remembers the event ids inside the overlap, so that the next run, which reads the
 * overlap again for events CloudTrail made visible late, sends each event only once.
 */
export async function runPoll(deps: PollDeps): Promise<PollSummary> {
  const clock = deps.clock ?? Date.now;
  const { poller } = deps;
  const overlapMs = poller.overlapMinutes * 60_000;
  const checkpoint = await readCheckpoint(deps.opensearch, poller.prefix, poller.region);
  const end = clock();
  const oldest = end - LOOKUP_HISTORY_MS + 60_000;
  const start = Math.max(oldest, checkpoint === undefined ? end - poller.lookbackMinutes * 60_000 : checkpoint.endTime - overlapMs);
  const seen = new Map(checkpoint?.seen ?? []);
  const summary: PollSummary = {
    ...emptyShipCounts(),
    firstRun: checkpoint === undefined,
    from: new Date(start).toISOString(),
    to: new Date(end).toISOString(),
    windows: 0,
    ...(checkpoint !== undefined && { checkpoint: new Date(checkpoint.endTime).toISOString() }),
    truncated: false,
  };
  if (start >= end) return summary;

  for (const window of sliceWindow({ start, end }, poller.sliceMinutes * 60_000)) {
    const outcome = await shipLookupWindow(window, {
      ...deps,
      region: poller.region,
      alreadyShipped: (id) => seen.has(id),
    });
    addShipCounts(summary, outcome);
    if (!outcome.complete) {
      summary.truncated = true;
      break;
    }
    for (const event of outcome.shipped) seen.set(event.id, event.time);
    prune(seen, window.end - overlapMs, poller.maxSeen);
    await writeCheckpoint(deps.opensearch, poller.prefix, poller.region, { endTime: window.end, seen }, new Date(clock()));
    summary.windows += 1;
    summary.checkpoint = new Date(window.end).toISOString();
  }
  return summary;
}

/** Forgets ids the next run cannot read again, then the oldest beyond `max`. */
function prune(seen: Map<string, number>, from: number, max: number): void {
  for (const [id, time] of seen) if (time < from) seen.delete(id);
  if (seen.size <= max) return;
  const sorted = [...seen].sort((a, b) => a[1] - b[1]);
  for (const [id] of sorted.slice(0, seen.size - max)) seen.delete(id);
}
