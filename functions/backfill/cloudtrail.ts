import {
  lookupAthenaEvents,
  toLogBatches,
  toLookupEvent,
  type BatchOptions,
  type LookupDeps,
  type TimeWindow,
} from '../cloudtrail-poller/lookup-events';
import { processBatch, type PipelineDeps } from '../pipeline/process';
import { addBatchOutcome, addShipCounts, emptyShipCounts, type ShipCounts } from './ship-counts';

export interface ShipWindowDeps extends LookupDeps, BatchOptions, Omit<PipelineDeps, 'deadline' | 'region'> {
  /** Epoch ms: no page is requested after it (the window is then left incomplete). */
  readonly deadline?: number;
  /** True for an event id shipped by an earlier run (the poller's overlap); it is not sent again. */
  readonly alreadyShipped?: (eventId: string) => boolean;
  /** Called after each page is shipped. */
  readonly onPage?: (page: ShipCounts) => void;
  readonly clock?: () => number;
}

export interface WindowOutcome extends ShipCounts {
  /** False when the deadline stopped the reading before the last page. */
  complete: boolean;
  /** Events shipped in this window: id and event time, for the poller's overlap memory. */
  readonly shipped: { readonly id: string; readonly time: number }[];
}

/**
 * Reads one window of Athena CloudTrail events with LookupEvents and ships each page
 * through `processBatch` (parser, documents, sink). Shared by the poller and
 * `backfill cloudtrail`. Documents are created with the CloudTrail `eventID` as id, so a
 * window read twice stores each event once.
 */
export async function shipLookupWindow(window: TimeWindow, deps: ShipWindowDeps): Promise<WindowOutcome> {
  const clock = deps.clock ?? Date.now;
  const outcome: WindowOutcome = { ...emptyShipCounts(), complete: false, shipped: [] };
  const pages = lookupAthenaEvents(window, deps);
  for (;;) {
    if (deps.deadline !== undefined && clock() >= deps.deadline) {
      await pages.return(undefined);
      return outcome;
    }
    const next = await pages.next();
    if (next.done === true) break;
    const page = emptyShipCounts();
    page.events = next.value.length;
    const fresh = [];
    for (const raw of next.value) {
      const event = toLookupEvent(raw, deps);
      if (event === undefined) continue;
      if (deps.alreadyShipped?.(event.id) === true) {
        page.skipped += 1;
        continue;
      }
      fresh.push(event);
    }
    for (const batch of toLogBatches(fresh, deps)) {
      addBatchOutcome(page, await processBatch(batch, pipelineDeps(deps)));
    }
    for (const event of fresh) outcome.shipped.push({ id: event.id, time: event.timestamp });
    addShipCounts(outcome, page);
    deps.onPage?.(page);
  }
  outcome.complete = true;
  return outcome;
}

function pipelineDeps(deps: ShipWindowDeps): PipelineDeps {
  return {
    registry: deps.registry,
    config: deps.config,
    sink: deps.sink,
    ...(deps.now !== undefined && { now: deps.now }),
    ...(deps.deadline !== undefined && { deadline: deps.deadline }),
    region: deps.region,
  };
}
