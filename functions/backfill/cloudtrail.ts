import {
  LOOKUP_HISTORY_MS,
  lookupAthenaEvents,
  sliceWindow,
  toLogBatches,
  toLookupEvent,
  type BatchOptions,
  type LookupDeps,
  type TimeWindow,
} from '../cloudtrail-poller/lookup-events';
import { processBatch, type PipelineDeps } from '../pipeline/process';
import { CHECKPOINT_DIR, checkpointPath, readCheckpointFile, writeCheckpointFile } from './checkpoint-file';
import { addBatchOutcome, addShipCounts, emptyShipCounts, type ShipCounts } from './ship-counts';

export interface ShipWindowDeps extends LookupDeps, BatchOptions, Omit<PipelineDeps, 'deadline' | 'region'> {
  /** Epoch ms: no page is requested after it (the window is then left incomplete). */
  readonly deadline?: number;
  /** True for an event id shipped by an earlier run (the poller's overlap); it is not sent again. */
  readonly alreadyShipped?: (eventId: string) => boolean;
  /** Called after each page is shipped. */
  readonly onPage?: (page: ShipCounts) => void;
  readonly clock?: () => number;
  /** Count the events only: nothing is parsed or written. */
  readonly dryRun?: boolean;
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
    if (deps.dryRun !== true) {
      for (const batch of toLogBatches(fresh, deps)) {
        addBatchOutcome(page, await processBatch(batch, pipelineDeps(deps)));
      }
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

/** The checkpoint of a `backfill cloudtrail` run: the range, and how far it is done. */
export interface CloudTrailCheckpoint {
  readonly version: 1;
  readonly region: string;
  readonly since: string;
  readonly until: string | null;
  readonly start: number;
  readonly end: number;
  /** Every window before this time was shipped completely. */
  readonly doneUntil: number;
  readonly events: number;
  readonly documents: number;
  readonly done: boolean;
  readonly startedAt: string;
  readonly updatedAt: string;
}

export interface CloudTrailBackfillDeps extends Omit<ShipWindowDeps, 'alreadyShipped' | 'onPage'> {
  /** `--since` / `--until` as typed, for the checkpoint key. */
  readonly since: string;
  readonly until?: string;
  readonly checkpointDir?: string;
  readonly restart?: boolean;
  /** @default one hour */
  readonly sliceMs?: number;
  /** After each page: what it shipped, and the window being read. */
  readonly onPage?: (page: ShipCounts, window: TimeWindow) => void;
}

export interface CloudTrailBackfillResult extends ShipCounts {
  readonly range: TimeWindow;
  readonly resumed: boolean;
  /** True when `--since` reached past the 90 days LookupEvents keeps, and was moved up. */
  readonly clamped: boolean;
  windows: number;
  readonly checkpoint: string;
}

/**
 * `backfill cloudtrail`: the poller's reader over a longer range, in windows of an hour,
 * oldest first, with a checkpoint file after each complete window so that an
 * interrupted run continues from the last one.
 */
export async function backfillCloudTrail(range: TimeWindow, deps: CloudTrailBackfillDeps): Promise<CloudTrailBackfillResult> {
  const clock = deps.clock ?? Date.now;
  const path = checkpointPath(deps.checkpointDir ?? CHECKPOINT_DIR, 'cloudtrail', [deps.region, deps.since, deps.until ?? 'now']);
  const saved = deps.restart === true || deps.dryRun === true ? undefined : await readCheckpointFile<CloudTrailCheckpoint>(path);
  const resume = saved !== undefined && saved.version === 1 && saved.region === deps.region && !saved.done ? saved : undefined;
  const oldest = clock() - LOOKUP_HISTORY_MS + 60_000;
  const start = resume?.start ?? Math.max(range.start, oldest);
  const end = resume?.end ?? range.end;
  const startedAt = resume?.startedAt ?? new Date(clock()).toISOString();
  const result: CloudTrailBackfillResult = {
    ...emptyShipCounts(),
    range: { start, end },
    resumed: resume !== undefined,
    clamped: resume === undefined && range.start < oldest,
    windows: 0,
    checkpoint: path,
  };
  let totals = { events: resume?.events ?? 0, documents: resume?.documents ?? 0 };
  // EndTime is inclusive: an event exactly on a window boundary is read twice.
  let previous = new Set<string>();
  for (const window of sliceWindow({ start: resume?.doneUntil ?? start, end }, deps.sliceMs ?? 3_600_000)) {
    const outcome = await shipLookupWindow(window, {
      ...deps,
      alreadyShipped: (id) => previous.has(id),
      onPage: (page) => deps.onPage?.(page, window),
    });
    addShipCounts(result, outcome);
    if (!outcome.complete) return result;
    previous = new Set(outcome.shipped.map((event) => event.id));
    result.windows += 1;
    totals = { events: totals.events + outcome.events, documents: totals.documents + outcome.documents };
    if (deps.dryRun === true) continue;
    await writeCheckpointFile(path, {
      version: 1,
      region: deps.region,
      since: deps.since,
      until: deps.until ?? null,
      start,
      end,
      doneUntil: window.end,
      ...totals,
      done: window.end >= end,
      startedAt,
      updatedAt: new Date(clock()).toISOString(),
    } satisfies CloudTrailCheckpoint);
  }
  return result;
}
