import {
  FilterLogEventsCommand,
  type CloudWatchLogsClient,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { processBatch, type PipelineDeps } from '../pipeline/process';
import type { LogBatch } from '../pipeline/types';
import { CHECKPOINT_DIR, checkpointPath, readCheckpointFile, writeCheckpointFile } from './checkpoint-file';
import type { LogGroupInfo } from './log-groups';
import { addBatchOutcome, addShipCounts, emptyShipCounts, type ShipCounts } from './ship-counts';
import { withBackoff, type BackoffOptions } from '../aws/backoff';

/** Time range in epoch ms, both ends inclusive (as FilterLogEvents takes them). */
export interface TimeRange {
  readonly start: number;
  readonly end: number;
}

/** The checkpoint of one log group's backfill, one JSON file under `.backfill-checkpoints/`. */
export interface CloudWatchCheckpoint {
  readonly version: 1;
  readonly logGroup: string;
  /** `--since` / `--until` as typed: with them the file is found again. */
  readonly since: string;
  readonly until: string | null;
  /** The range resolved when the run first started (a resumed `--since 7d` keeps its original range). */
  readonly start: number;
  readonly end: number;
  /** FilterLogEvents token of the next page (valid for about 24 hours). */
  readonly nextToken?: string;
  /** Latest event time shipped: where to restart if the token has expired. */
  readonly lastTimestamp?: number;
  readonly pages: number;
  readonly events: number;
  readonly documents: number;
  readonly done: boolean;
  readonly startedAt: string;
  readonly updatedAt: string;
}

export interface LogGroupBackfillDeps extends Omit<PipelineDeps, 'deadline'> {
  readonly logs: Pick<CloudWatchLogsClient, 'send'>;
  readonly backoff?: BackoffOptions;
  /** `--since` / `--until` as typed, for the checkpoint key. */
  readonly since: string;
  readonly until?: string;
  /** @default `.backfill-checkpoints` */
  readonly checkpointDir?: string;
  /** Ignore an unfinished checkpoint and read the whole range again. */
  readonly restart?: boolean;
  /** Count what would be read; write no document and no checkpoint. */
  readonly dryRun?: boolean;
  /** After each page: what it shipped, and the latest event time read so far. */
  readonly onPage?: (page: ShipCounts, lastTimestamp: number | undefined) => void;
  readonly clock?: () => number;
}

export interface LogGroupResult extends ShipCounts {
  readonly logGroup: string;
  readonly range: TimeRange;
  /** True when an unfinished run was continued. */
  readonly resumed: boolean;
  pages: number;
  /** Where the checkpoint is (none in a dry run). */
  readonly checkpoint?: string;
}

/**
 * Reads one log group's history with FilterLogEvents, page by page, and ships each page
 * through `processBatch`, grouped by log stream (one `LogBatch` per stream, as a
 * subscription would deliver it). After every page the checkpoint records the next
 * token, so an interrupted run continues where it stopped; an expired token falls back
 * to the latest event time shipped. The event ids make every re-read harmless.
 */
export async function backfillLogGroup(
  group: LogGroupInfo,
  range: TimeRange,
  deps: LogGroupBackfillDeps,
): Promise<LogGroupResult> {
  const clock = deps.clock ?? Date.now;
  const path = checkpointPath(deps.checkpointDir ?? CHECKPOINT_DIR, 'cloudwatch', [group.name, deps.since, deps.until ?? 'now']);
  const saved = deps.restart === true || deps.dryRun === true ? undefined : await readCheckpointFile<CloudWatchCheckpoint>(path);
  const resume = saved !== undefined && saved.version === 1 && saved.logGroup === group.name && !saved.done ? saved : undefined;
  const start = resume?.start ?? range.start;
  const end = resume?.end ?? range.end;
  const startedAt = resume?.startedAt ?? new Date(clock()).toISOString();

  const result: LogGroupResult = {
    ...emptyShipCounts(),
    logGroup: group.name,
    range: { start, end },
    resumed: resume !== undefined,
    pages: 0,
    ...(deps.dryRun !== true && { checkpoint: path }),
  };
  let token = resume?.nextToken;
  let queryStart = resume !== undefined && token === undefined && resume.lastTimestamp !== undefined ? resume.lastTimestamp : start;
  let lastTimestamp = resume?.lastTimestamp;
  let totals = { pages: resume?.pages ?? 0, events: resume?.events ?? 0, documents: resume?.documents ?? 0 };
  let fallbackFrom: number | undefined;

  for (;;) {
    const requestToken = token;
    let reply;
    try {
      reply = await withBackoff(
        () =>
          deps.logs.send(
            new FilterLogEventsCommand({
              logGroupName: group.name,
              startTime: queryStart,
              endTime: end,
              ...(requestToken !== undefined && { nextToken: requestToken }),
            }),
          ),
        deps.backoff,
      );
    } catch (error) {
      const from = lastTimestamp ?? start;
      // Tokens live about a day: continue by time instead (events at that time are re-read,
      // harmlessly), but not twice from the same time, which would loop for ever.
      if (requestToken !== undefined && isExpiredToken(error) && from !== fallbackFrom) {
        fallbackFrom = from;
        token = undefined;
        queryStart = from;
        continue;
      }
      throw error;
    }
    const events = reply.events ?? [];
    const page = emptyShipCounts();
    page.events = events.length;
    if (deps.dryRun !== true) {
      for (const batch of toLogBatches(group, events)) addBatchOutcome(page, await processBatch(batch, pipelineDeps(deps)));
    }
    for (const event of events) {
      if (event.timestamp !== undefined && (lastTimestamp === undefined || event.timestamp > lastTimestamp)) {
        lastTimestamp = event.timestamp;
      }
    }
    token = reply.nextToken === '' ? undefined : reply.nextToken;
    result.pages += 1;
    addShipCounts(result, page);
    totals = { pages: totals.pages + 1, events: totals.events + page.events, documents: totals.documents + page.documents };
    if (deps.dryRun !== true) {
      await writeCheckpointFile(path, {
        version: 1,
        logGroup: group.name,
        since: deps.since,
        until: deps.until ?? null,
        start,
        end,
        ...(token !== undefined && { nextToken: token }),
        ...(lastTimestamp !== undefined && { lastTimestamp }),
        ...totals,
        done: token === undefined,
        startedAt,
        updatedAt: new Date(clock()).toISOString(),
      } satisfies CloudWatchCheckpoint);
    }
    deps.onPage?.(page, lastTimestamp);
    if (token === undefined) return result;
  }
}

/** One `LogBatch` per log stream, in the order the events came. */
export function toLogBatches(group: LogGroupInfo, events: readonly FilteredLogEvent[]): LogBatch[] {
  const byStream = new Map<string, LogBatch['logEvents'][number][]>();
  for (const event of events) {
    if (event.eventId === undefined || event.timestamp === undefined || event.message === undefined) continue;
    const stream = event.logStreamName ?? '';
    const list = byStream.get(stream) ?? [];
    list.push({ id: event.eventId, timestamp: event.timestamp, message: event.message });
    byStream.set(stream, list);
  }
  return [...byStream].map(([logStream, logEvents]) => ({
    messageType: 'DATA_MESSAGE',
    owner: group.accountId ?? '',
    logGroup: group.name,
    logStream,
    subscriptionFilters: [],
    logEvents,
  }));
}

function isExpiredToken(error: unknown): boolean {
  const shape = error as { name?: unknown; message?: unknown } | null;
  return shape?.name === 'InvalidParameterException' && typeof shape.message === 'string' && /token/i.test(shape.message);
}

function pipelineDeps(deps: LogGroupBackfillDeps): PipelineDeps {
  return {
    registry: deps.registry,
    config: deps.config,
    sink: deps.sink,
    ...(deps.now !== undefined && { now: deps.now }),
    ...(deps.region !== undefined && { region: deps.region }),
  };
}
