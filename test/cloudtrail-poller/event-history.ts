import {
  CloudTrailClient,
  InvalidNextTokenException,
  LookupEventsCommand,
  type Event,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { startQueryExecutionEvent } from '../enricher/athena-fixtures';

/**
 * A simulated CloudTrail event history behind a mocked CloudTrailClient: LookupEvents
 * filters by time and the single lookup attribute, answers newest first, 50 a page, and
 * refuses a NextToken used with parameters other than those it was issued for.
 */
export interface HistoryEvent {
  readonly eventId: string;
  readonly eventTime: string;
  readonly eventSource?: string;
  /** The event is invisible to LookupEvents before this time (CloudTrail's delivery delay). */
  readonly visibleFrom?: number;
}

export class EventHistory {
  readonly events: HistoryEvent[] = [];
  /** The simulated wall clock, for `visibleFrom`. */
  now = 0;
  /** Throws this before answering call number `n` (1-based), once. */
  readonly failures = new Map<number, Error>();
  calls = 0;

  add(...events: HistoryEvent[]): this {
    this.events.push(...events);
    return this;
  }

  /** Installs the LookupEvents behaviour on `mock`. */
  install(mock: AwsClientStub<CloudTrailClient>): void {
    mock.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => this.lookup(input));
  }

  lookup(input: LookupEventsCommandInput): { Events: Event[]; NextToken?: string } {
    this.calls += 1;
    const failure = this.failures.get(this.calls);
    if (failure !== undefined) {
      this.failures.delete(this.calls);
      throw failure;
    }
    const attributes = input.LookupAttributes ?? [];
    if (attributes.length > 1) throw new Error('LookupEvents takes a single lookup attribute');
    const signature = JSON.stringify({ a: attributes, s: input.StartTime?.getTime(), e: input.EndTime?.getTime() });
    let offset = 0;
    if (input.NextToken !== undefined) {
      const token = JSON.parse(Buffer.from(input.NextToken, 'base64').toString()) as { signature: string; offset: number };
      if (token.signature !== signature) {
        throw new InvalidNextTokenException({ message: 'The pagination token does not match your request.', $metadata: {} });
      }
      offset = token.offset;
    }
    const source = attributes[0]?.AttributeKey === 'EventSource' ? attributes[0].AttributeValue : undefined;
    const start = input.StartTime?.getTime() ?? Number.NEGATIVE_INFINITY;
    const end = input.EndTime?.getTime() ?? Number.POSITIVE_INFINITY;
    const matching = this.events
      .filter((event) => source === undefined || (event.eventSource ?? 'athena.amazonaws.com') === source)
      .filter((event) => (event.visibleFrom ?? 0) <= this.now)
      .filter((event) => Date.parse(event.eventTime) >= start && Date.parse(event.eventTime) <= end)
      .sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime));
    const size = input.MaxResults ?? 50;
    const page = matching.slice(offset, offset + size);
    const more = offset + size < matching.length;
    return {
      Events: page.map((event) => toEvent(event)),
      ...(more && { NextToken: Buffer.from(JSON.stringify({ signature, offset: offset + size })).toString('base64') }),
    };
  }
}

function toEvent(event: HistoryEvent): Event {
  const json = startQueryExecutionEvent({ eventId: event.eventId, queryId: `q-${event.eventId}`, eventTime: event.eventTime });
  const cloudTrailEvent =
    event.eventSource === undefined ? json : json.replace('"eventSource":"athena.amazonaws.com"', `"eventSource":"${event.eventSource}"`);
  return {
    EventId: event.eventId,
    EventName: 'StartQueryExecution',
    ReadOnly: 'false',
    EventTime: new Date(event.eventTime),
    EventSource: event.eventSource ?? 'athena.amazonaws.com',
    Username: 'alice@example.com',
    Resources: [],
    CloudTrailEvent: cloudTrailEvent,
  };
}

/** `count` events one `stepMs` apart starting at `startIso`, ids `<prefix>-<n>`. */
export function eventSeries(prefix: string, startIso: string, count: number, stepMs: number): HistoryEvent[] {
  return Array.from({ length: count }, (_, position) => ({
    eventId: `${prefix}-${String(position).padStart(4, '0')}`,
    eventTime: new Date(Date.parse(startIso) + position * stepMs).toISOString().replace('.000Z', 'Z'),
  }));
}

export { CloudTrailClient };
