import { LookupEventsCommand, type CloudTrailClient, type Event } from '@aws-sdk/client-cloudtrail';
import type { Registry } from '../../parsers/registry';
import type { RateLimiter } from '../aws/rate-limiter';
import { withBackoff, type BackoffOptions } from '../aws/backoff';
import { ROUTE_VARIABLES } from '../pipeline/config';
import { ConfigError } from '../pipeline/errors';
import type { LogBatch, LogEvent } from '../pipeline/types';

export const ATHENA_EVENT_SOURCE = 'athena.amazonaws.com';
/**
 * The log group name given to events read with LookupEvents. It contains "cloudtrail",
 * so the registry's built-in pattern routes it to the Athena CloudTrail parser.
 */
export const LOOKUP_LOG_GROUP = 'cloudtrail-lookup-events';
/** CloudTrail allows two LookupEvents calls a second per account and region. */
export const LOOKUP_CALLS_PER_SECOND = 2;
/** LookupEvents reaches 90 days back. */
export const LOOKUP_HISTORY_MS = 90 * 86_400_000;
const PAGE_SIZE = 50;

/** A half-open time range in epoch ms. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

export interface LookupDeps {
  readonly cloudtrail: Pick<CloudTrailClient, 'send'>;
  /** Shared by every caller in the process: the limit is per account and region. */
  readonly limiter: RateLimiter;
  readonly backoff?: BackoffOptions;
}

/**
 * Reads the Athena events of one window, page by page (newest first, as CloudTrail
 * returns them). The lookup attribute and both times stay fixed across pages; CloudTrail
 * refuses a token used with different parameters. Each call waits its turn at the rate
 * limiter and retries throttling with backoff.
 */
export async function* lookupAthenaEvents(window: TimeWindow, deps: LookupDeps): AsyncGenerator<Event[]> {
  const input = {
    LookupAttributes: [{ AttributeKey: 'EventSource' as const, AttributeValue: ATHENA_EVENT_SOURCE }],
    StartTime: new Date(window.start),
    EndTime: new Date(window.end),
    MaxResults: PAGE_SIZE,
  };
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const reply = await withBackoff(async () => {
      await deps.limiter();
      return deps.cloudtrail.send(new LookupEventsCommand(token === undefined ? input : { ...input, NextToken: token }));
    }, deps.backoff);
    yield reply.Events ?? [];
    nextToken = reply.NextToken;
  } while (nextToken !== undefined && nextToken !== '');
}

/** Splits `[start, end)` into consecutive windows of at most `sliceMs`, oldest first. */
export function sliceWindow(window: TimeWindow, sliceMs: number): TimeWindow[] {
  if (!(sliceMs > 0)) throw new RangeError(`slice must be positive, got ${sliceMs}`);
  const windows: TimeWindow[] = [];
  for (let start = window.start; start < window.end; start += sliceMs) {
    windows.push({ start, end: Math.min(window.end, start + sliceMs) });
  }
  return windows;
}

export interface BatchOptions {
  readonly region: string;
  /** Account for events whose JSON does not name one (`recipientAccountId`). */
  readonly accountId?: string;
}

/** A LookupEvents event reduced to what the pipeline needs. */
export interface LookupEvent extends LogEvent {
  readonly account: string;
}

/** The pipeline's view of a LookupEvents event: the CloudTrail JSON is the message, `EventId` the id. */
export function toLookupEvent(event: Event, options: BatchOptions): LookupEvent | undefined {
  const message = event.CloudTrailEvent;
  const id = event.EventId;
  if (typeof message !== 'string' || message === '' || id === undefined || id === '') return undefined;
  const json = parseObject(message);
  const account = stringField(json, 'recipientAccountId') ?? options.accountId ?? '';
  const eventTime = event.EventTime?.getTime() ?? Date.parse(stringField(json, 'eventTime') ?? '');
  return { id, timestamp: Number.isNaN(eventTime) ? 0 : eventTime, message, account };
}

/**
 * Synthetic subscription batches for a page of events: one per account, oldest event
 * first, under `LOOKUP_LOG_GROUP`, so they run through `processBatch` like a trail's
 * log group would.
 */
export function toLogBatches(events: readonly LookupEvent[], options: BatchOptions): LogBatch[] {
  const byAccount = new Map<string, LogEvent[]>();
  for (const event of [...events].sort((a, b) => a.timestamp - b.timestamp)) {
    const list = byAccount.get(event.account) ?? [];
    list.push({ id: event.id, timestamp: event.timestamp, message: event.message });
    byAccount.set(event.account, list);
  }
  return [...byAccount].map(([account, logEvents]) => ({
    messageType: 'DATA_MESSAGE',
    owner: account,
    logGroup: LOOKUP_LOG_GROUP,
    logStream: `${account}_LookupEvents_${options.region}`,
    subscriptionFilters: [],
    logEvents,
  }));
}

/** Fails when operator route patterns would send LookupEvents batches to another parser. */
export function assertLookupRouting(registry: Registry): void {
  const parser = registry.route(LOOKUP_LOG_GROUP).id;
  if (parser === 'athena-cloudtrail') return;
  // Operator patterns are tried in registry order, so only narrowing the claiming one helps.
  const variable =
    parser === 'generic' ? 'ROUTE_ATHENA_CLOUDTRAIL' : (ROUTE_VARIABLES[parser as keyof typeof ROUTE_VARIABLES] ?? 'PARSERS_FILE');
  throw new ConfigError(
    variable,
    `claims log group "${LOOKUP_LOG_GROUP}" (CloudTrail LookupEvents) for parser ${parser}; narrow the pattern so that it does not match`,
  );
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function stringField(object: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
