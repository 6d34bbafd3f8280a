import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  InvalidParameterException,
  type DescribeLogGroupsCommandInput,
  type FilterLogEventsCommandInput,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export const ACCOUNT = '123456789012';

export interface StoredEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly message: string;
  readonly eventId: string;
}

/**
 * A simulated CloudWatch Logs account behind a mocked client: DescribeLogGroups by prefix
 * in pages, FilterLogEvents interleaving streams in time order, `pageSize` events a page,
 * with tokens valid only for the request they came from (and expirable on demand).
 */
export class LogStore {
  readonly groups = new Map<string, StoredEvent[]>();
  pageSize = 10;
  describePageSize = 2;
  /** Tokens issued before this call are refused as expired. */
  expireTokensBefore = 0;
  /** Errors thrown before answering FilterLogEvents call number n (1-based), once each. */
  readonly failures = new Map<number, Error>();
  filterCalls = 0;

  addGroup(name: string, events: StoredEvent[] = []): this {
    this.groups.set(name, events);
    return this;
  }

  install(mock: AwsClientStub<CloudWatchLogsClient>): void {
    mock.on(DescribeLogGroupsCommand).callsFake((input: DescribeLogGroupsCommandInput) => this.describe(input));
    mock.on(FilterLogEventsCommand).callsFake((input: FilterLogEventsCommandInput) => this.filter(input));
  }

  describe(input: DescribeLogGroupsCommandInput) {
    const names = [...this.groups.keys()].filter((name) => name.startsWith(input.logGroupNamePrefix ?? '')).sort();
    const offset = input.nextToken === undefined ? 0 : Number(input.nextToken);
    const page = names.slice(offset, offset + this.describePageSize);
    const more = offset + this.describePageSize < names.length;
    return {
      logGroups: page.map((name) => ({
        logGroupName: name,
        arn: `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:${name}:*`,
        storedBytes: 1024 * (this.groups.get(name)?.length ?? 0),
      })),
      ...(more && { nextToken: String(offset + this.describePageSize) }),
    };
  }

  filter(input: FilterLogEventsCommandInput) {
    this.filterCalls += 1;
    const failure = this.failures.get(this.filterCalls);
    if (failure !== undefined) {
      this.failures.delete(this.filterCalls);
      throw failure;
    }
    const events = this.groups.get(input.logGroupName ?? '');
    if (events === undefined) {
      throw Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException', $metadata: {} });
    }
    const signature = JSON.stringify([input.logGroupName, input.startTime, input.endTime]);
    let offset = 0;
    if (input.nextToken !== undefined) {
      const token = JSON.parse(Buffer.from(input.nextToken, 'base64').toString()) as { signature: string; offset: number; issued: number };
      if (token.signature !== signature || token.issued < this.expireTokensBefore) {
        throw new InvalidParameterException({ message: 'The specified nextToken is invalid.', $metadata: {} });
      }
      offset = token.offset;
    }
    const matching = events
      .filter((event) => event.timestamp >= (input.startTime ?? 0) && event.timestamp <= (input.endTime ?? Number.MAX_SAFE_INTEGER))
      .sort((a, b) => a.timestamp - b.timestamp || a.eventId.localeCompare(b.eventId));
    const page = matching.slice(offset, offset + this.pageSize);
    const more = offset + this.pageSize < matching.length;
    return {
      events: page.map(
        (event): FilteredLogEvent => ({ ...event, ingestionTime: event.timestamp + 1000 }),
      ),
      searchedLogStreams: [],
      ...(more && {
        nextToken: Buffer.from(JSON.stringify({ signature, offset: offset + this.pageSize, issued: this.filterCalls })).toString('base64'),
      }),
    };
  }
}

/** Lambda platform REPORT lines across `streams` log streams, one a minute from `startIso`. */
export function lambdaEvents(count: number, startIso: string, streams = 2): StoredEvent[] {
  return Array.from({ length: count }, (_, position) => {
    const timestamp = Date.parse(startIso) + position * 60_000;
    const requestId = `0000${String(position).padStart(4, '0')}-1111-2222-3333-444455556666`;
    return {
      logStreamName: `2026/11/22/[$LATEST]stream${position % streams}`,
      timestamp,
      eventId: `${String(timestamp).padEnd(50, '0')}${String(position).padStart(6, '0')}`,
      message: `REPORT RequestId: ${requestId}\tDuration: ${10 + position}.50 ms\tBilled Duration: ${11 + position} ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t\n`,
    };
  });
}
