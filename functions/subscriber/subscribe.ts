import {
  DeleteSubscriptionFilterCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
  PutSubscriptionFilterCommand,
  type CloudWatchLogsClient,
  type SubscriptionFilter,
} from '@aws-sdk/client-cloudwatch-logs';
import { createRegistry, type Registry } from '../../parsers/registry';
import type { ParserId } from '../../parsers/types';
import { withBackoff, type BackoffOptions } from './backoff';
import type { SubscriberSettings } from './settings';

/** The one log group class that takes subscription filters to Lambda or Kinesis. */
export const STANDARD_CLASS = 'STANDARD';

/** A log group to visit, with its class when known. */
export interface WantedGroup {
  readonly logGroupName: string;
  readonly logGroupClass?: string;
}

/** CloudWatch Logs allows this many subscription filters on one log group. */
export const MAX_FILTERS_PER_LOG_GROUP = 2;

export const OUTCOMES = ['created', 'updated', 'unchanged', 'skipped', 'missing', 'failed', 'removed', 'absent'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What happened to one log group, with the reason when it was not subscribed. */
export interface GroupResult {
  readonly logGroupName: string;
  readonly outcome: Outcome;
  readonly reason?: string;
}

export interface Report {
  readonly counts: Record<Outcome, number>;
  /** Every result other than created/updated/unchanged/removed/absent, first 50. */
  readonly problems: GroupResult[];
  /** The deadline came before every group was visited. */
  incomplete: boolean;
}

export interface SubscriberDeps {
  readonly client: CloudWatchLogsClient;
  /** Epoch ms after which no new log group is started. */
  readonly deadline?: number;
  readonly now?: () => number;
  readonly backoff?: Pick<BackoffOptions, 'sleep' | 'random' | 'onRetry'>;
}

/** Errors worth waiting for: rate limits, concurrent changes, and IAM propagation right after deployment. */
export function isRetryable(error: unknown): boolean {
  const { name, message, status } = describeError(error);
  if (['ThrottlingException', 'OperationAbortedException', 'ServiceUnavailableException', 'InternalServerException'].includes(name)) {
    return true;
  }
  if (status !== undefined && status >= 500) return true;
  // A new permission or role is not visible to CloudWatch Logs for a few seconds.
  return name === 'InvalidParameterException' && /could not (deliver test message|execute the lambda)/i.test(message);
}

/** Errors that concern this log group only: reported, not thrown. */
function isGroupProblem(error: unknown): boolean {
  const { name } = describeError(error);
  return ['LimitExceededException', 'InvalidParameterException', 'InvalidOperationException', 'ValidationException'].includes(name);
}

function describeError(error: unknown): { name: string; message: string; status?: number } {
  const { name, message, $metadata } = (error ?? {}) as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  return {
    name: name ?? 'Error',
    message: message ?? String(error),
    ...($metadata?.httpStatusCode !== undefined && { status: $metadata.httpStatusCode }),
  };
}

export function emptyReport(): Report {
  return { counts: Object.fromEntries(OUTCOMES.map((outcome) => [outcome, 0])) as Record<Outcome, number>, problems: [], incomplete: false };
}

function record(report: Report, result: GroupResult): void {
  report.counts[result.outcome] += 1;
  if (['skipped', 'missing', 'failed'].includes(result.outcome) && report.problems.length < 50) report.problems.push(result);
}

/**
 * Puts our subscription filter on log groups and takes it off again. A group that already
 * has the maximum number of filters, none of them ours, is skipped and reported; ours is
 * updated in place (same filter name).
 */
export class Subscriber {
  private readonly registry: Registry;
  private readonly backoff: BackoffOptions;

  constructor(
    readonly settings: SubscriberSettings,
    private readonly deps: SubscriberDeps,
  ) {
    this.registry = createRegistry(settings.routes);
    this.backoff = { attempts: 8, baseMs: 250, maxMs: 10_000, retryable: isRetryable, ...deps.backoff };
  }

  /** The filter pattern for a group: that of the parser the shipper will route it to. */
  patternFor(logGroupName: string): string {
    // The subscriber's registry has only built-in parsers, so the id is one of theirs.
    return this.settings.filterPatterns[this.registry.route(logGroupName).id as ParserId];
  }

  /**
   * Subscribes one log group (or confirms it already is). `logGroupClass` is the group's
   * class when known: only Standard groups take these subscription filters.
   */
  async subscribe(logGroupName: string, logGroupClass?: string): Promise<GroupResult> {
    const { settings } = this;
    if (logGroupClass !== undefined && logGroupClass !== STANDARD_CLASS) {
      return { logGroupName, outcome: 'skipped', reason: `log group class ${logGroupClass}: only ${STANDARD_CLASS} log groups take subscription filters to Lambda or Kinesis` };
    }
    const filterPattern = this.patternFor(logGroupName);
    try {
      const filters = await this.filtersOf(logGroupName);
      const ours = filters.find((filter) => this.isOurs(filter));
      if (ours && this.isCurrent(ours, filterPattern)) return { logGroupName, outcome: 'unchanged' };
      if (!ours) {
        const namesake = filters.find((filter) => filter.filterName === settings.filterName);
        if (namesake) {
          // Same name, other destination: another stack's filter (or a person's). Never re-point it.
          return { logGroupName, outcome: 'skipped', reason: `filter "${namesake.filterName}" sends it to another destination (${namesake.destinationArn}); it is not ours to change` };
        }
        const sameDestination = filters.find((filter) => filter.destinationArn === settings.destinationArn);
        if (sameDestination) {
          return { logGroupName, outcome: 'skipped', reason: `filter "${sameDestination.filterName}" already sends it to the same destination` };
        }
        if (filters.length >= MAX_FILTERS_PER_LOG_GROUP) {
          const names = filters.map((filter) => `"${filter.filterName}"`).join(', ');
          return { logGroupName, outcome: 'skipped', reason: `already has ${filters.length} subscription filters (${names}), the most CloudWatch Logs allows` };
        }
      }
      await this.call(() =>
        this.deps.client.send(
          new PutSubscriptionFilterCommand({
            logGroupName,
            filterName: settings.filterName,
            filterPattern,
            destinationArn: settings.destinationArn,
            ...(settings.roleArn !== undefined && { roleArn: settings.roleArn }),
            ...(settings.distribution !== undefined && { distribution: settings.distribution }),
          }),
        ),
      );
      return { logGroupName, outcome: ours ? 'updated' : 'created' };
    } catch (error) {
      return this.failure(logGroupName, error);
    }
  }

  /** Removes our filter (same name and destination) from one log group; another destination's filter is left alone. */
  async unsubscribe(logGroupName: string): Promise<GroupResult> {
    try {
      const filters = await this.filtersOf(logGroupName);
      if (!filters.some((filter) => this.isOurs(filter))) return { logGroupName, outcome: 'absent' };
      await this.call(() =>
        this.deps.client.send(new DeleteSubscriptionFilterCommand({ logGroupName, filterName: this.settings.filterName })),
      );
      return { logGroupName, outcome: 'removed' };
    } catch (error) {
      return this.failure(logGroupName, error);
    }
  }

  /** Subscribes every wanted log group that exists: the named ones and every page of each prefix. */
  async subscribeAll(): Promise<Report> {
    return this.forEachWanted((group) => this.subscribe(group.logGroupName, group.logGroupClass), { withClass: true });
  }

  /** Removes our filter from every log group these settings cover, or those `which` selects. */
  async unsubscribeAll(which: (logGroupName: string) => boolean = () => true): Promise<Report> {
    return this.forEachWanted((group) => (which(group.logGroupName) ? this.unsubscribe(group.logGroupName) : Promise.resolve(undefined)));
  }

  /**
   * Groups the settings cover: the listed ones, then each prefix's groups page by page,
   * deduplicated, each with its class when CloudWatch Logs says it.
   */
  async *wantedLogGroups(options: { withClass?: boolean } = {}): AsyncGenerator<WantedGroup> {
    const seen = new Set<string>();
    const fresh = (name: string) => !seen.has(name) && !this.settings.exclude.has(name) && (seen.add(name), true);
    for (const name of this.settings.logGroups) {
      if (fresh(name)) yield { logGroupName: name, ...(options.withClass && (await this.classOf(name))) };
    }
    for (const prefix of this.settings.prefixes) {
      let nextToken: string | undefined;
      do {
        const page = await this.call(() =>
          this.deps.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, limit: 50, ...(nextToken && { nextToken }) })),
        );
        for (const group of page.logGroups ?? []) {
          if (group.logGroupName !== undefined && fresh(group.logGroupName)) {
            yield { logGroupName: group.logGroupName, ...(group.logGroupClass !== undefined && { logGroupClass: group.logGroupClass }) };
          }
        }
        nextToken = page.nextToken;
      } while (nextToken);
    }
  }

  /** The class of a listed group (an exact match among those its name prefixes); unknown when absent. */
  private async classOf(logGroupName: string): Promise<{ logGroupClass?: string }> {
    const page = await this.call(() =>
      this.deps.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName, limit: 50 })),
    );
    const group = page?.logGroups?.find((candidate) => candidate.logGroupName === logGroupName);
    return group?.logGroupClass !== undefined ? { logGroupClass: group.logGroupClass } : {};
  }

  private async forEachWanted(
    visit: (group: WantedGroup) => Promise<GroupResult | undefined>,
    options: { withClass?: boolean } = {},
  ): Promise<Report> {
    const report = emptyReport();
    const now = this.deps.now ?? Date.now;
    for await (const group of this.wantedLogGroups(options)) {
      if (this.deps.deadline !== undefined && now() > this.deps.deadline) {
        report.incomplete = true;
        break;
      }
      const result = await visit(group);
      if (result) record(report, result);
    }
    return report;
  }

  /** Ours = our name AND our destination: a second stack's filter of the same name is not. */
  private isOurs(filter: SubscriptionFilter): boolean {
    return filter.filterName === this.settings.filterName && filter.destinationArn === this.settings.destinationArn;
  }

  private isCurrent(filter: SubscriptionFilter, filterPattern: string): boolean {
    return (
      (filter.filterPattern ?? '') === filterPattern &&
      (this.settings.roleArn === undefined || filter.roleArn === this.settings.roleArn) &&
      (this.settings.distribution === undefined || filter.distribution === this.settings.distribution)
    );
  }

  private async filtersOf(logGroupName: string): Promise<SubscriptionFilter[]> {
    const response = await this.call(() =>
      this.deps.client.send(new DescribeSubscriptionFiltersCommand({ logGroupName })),
    );
    return response.subscriptionFilters ?? [];
  }

  private failure(logGroupName: string, error: unknown): GroupResult {
    const { name, message } = describeError(error);
    const reason = `${name}: ${message}`;
    if (name === 'ResourceNotFoundException') return { logGroupName, outcome: 'missing', reason };
    if (isGroupProblem(error) && !isRetryable(error)) return { logGroupName, outcome: 'skipped', reason };
    return { logGroupName, outcome: 'failed', reason };
  }

  private call<T>(operation: () => Promise<T>): Promise<T> {
    return withBackoff(operation, this.backoff);
  }
}
