import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import type { Env } from '../pipeline/config';
import { isWanted, readSubscriberSettings } from './settings';
import { Subscriber, type GroupResult, type Report, type SubscriberDeps } from './subscribe';
import { createLogger } from '../pipeline/powertools';

/**
 * The subscriber: puts the pipeline's subscription filter on log groups.
 * - CloudFormation custom resource (deploy time): Create/Update subscribe every wanted
 *   group that exists; Update first unsubscribes groups no longer wanted; Delete removes
 *   our filter everywhere it put it. Also the provider's isComplete step, until done.
 * - EventBridge `CreateLogGroup` (CloudTrail): subscribes the new group if wanted.
 * - Direct invocation `{"action": "subscribe" | "unsubscribe"}`: the same over every group.
 */

const logger = createLogger('cwl-opensearch-subscriber');
const client = new CloudWatchLogsClient({ maxAttempts: 3 });
/** Time kept back from the invocation for reporting to CloudFormation. */
const SAFETY_MARGIN_MS = 30_000;

export interface HandlerDeps {
  readonly client: CloudWatchLogsClient;
  readonly env: Env;
  readonly backoff?: SubscriberDeps['backoff'];
}

/** Lambda entry point. */
export async function handler(event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>) {
  return handle(event, { client, env: process.env }, context);
}

/** The handler with its dependencies given (tests pass a mocked client). */
export async function handle(event: unknown, deps: HandlerDeps, context?: Pick<Context, 'getRemainingTimeInMillis'>) {
  const deadline = context ? Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS : undefined;
  const base = { client: deps.client, ...(deadline !== undefined && { deadline }), ...(deps.backoff && { backoff: deps.backoff }) };
  if (isCustomResourceEvent(event)) return onCustomResource(event, base);
  if (isCreateLogGroupEvent(event)) return onCreateLogGroup(event, new Subscriber(readSubscriberSettings(deps.env), base));
  if (isCommand(event)) {
    const subscriber = new Subscriber(readSubscriberSettings(deps.env), base);
    const report = event.action === 'subscribe' ? await subscriber.subscribeAll() : await subscriber.unsubscribeAll();
    logReport(`${event.action} finished`, report);
    return report;
  }
  throw new Error('unrecognised event: expected a CloudFormation custom resource event, a CreateLogGroup event or {"action": "subscribe"|"unsubscribe"}');
}

/**
 * The custom resource, called twice by the CDK provider framework: first as `onEvent`
 * (the CloudFormation request), then as `isComplete` (the same request plus our first
 * answer in `Data`) every query interval until a pass visits every group. So a deployment
 * or deletion never ends with groups left unvisited: it finishes, or fails at the
 * provider's total timeout with the framework's "Operation timed out".
 */
async function onCustomResource(event: CloudFormationCustomResourceEvent & { Data?: Record<string, unknown> }, base: Omit<SubscriberDeps, 'now'>) {
  const physicalResourceId = 'PhysicalResourceId' in event ? event.PhysicalResourceId : `log-subscriptions-${event.LogicalResourceId}`;
  // CloudFormation's requests never carry Data; the framework's isComplete calls do.
  const waiting = typeof event.Data === 'object' && event.Data !== null;
  if (waiting && event.Data!.Incomplete === 0) return { IsComplete: true };

  const pass = await runPass(event, base);
  const data = { ...pass.counts, Incomplete: pass.incomplete ? 1 : 0 };
  if (pass.incomplete) logger.warn('ran out of time before every log group was visited; the next isComplete call goes on', { counts: pass.counts });
  // The framework refuses Data with IsComplete false.
  if (waiting) return pass.incomplete ? { IsComplete: false } : { IsComplete: true, Data: data };
  return { PhysicalResourceId: physicalResourceId, Data: data };
}

interface Pass {
  readonly counts: Record<string, number>;
  readonly incomplete: boolean;
}

/**
 * One pass over the groups a request covers. Visiting a group that is already right costs
 * one DescribeSubscriptionFilters, so a later pass moves quickly over what an earlier one
 * did. A group that failed (not skipped) fails the request, deletion included: a filter left
 * behind keeps one of the group's two filter slots and points at nothing.
 */
async function runPass(event: CloudFormationCustomResourceEvent, base: Omit<SubscriberDeps, 'now'>): Promise<Pass> {
  const settings = readSubscriberSettings(properties(event.ResourceProperties));

  if (event.RequestType === 'Delete') {
    const removed = await new Subscriber(settings, base).unsubscribeAll();
    logReport('unsubscribed on delete', removed);
    failOn(removed, 'could not be unsubscribed', 'Fix the cause and delete the stack again (or invoke the subscriber with {"action": "unsubscribe"}).');
    return { counts: { Removed: removed.counts.removed }, incomplete: removed.incomplete };
  }

  let droppedIncomplete = false;
  if (event.RequestType === 'Update') {
    const previous = readSubscriberSettings(properties(event.OldResourceProperties));
    // A renamed or re-pointed filter is a different filter: take the old one off everywhere
    // (with the old destination, so that only our own old filter matches).
    const replaced = previous.filterName !== settings.filterName || previous.destinationArn !== settings.destinationArn;
    const dropped = await new Subscriber(previous, base).unsubscribeAll((name) => replaced || !isWanted(settings, name));
    logReport('unsubscribed groups no longer wanted', dropped);
    failOn(dropped, 'could not be unsubscribed');
    droppedIncomplete = dropped.incomplete;
  }

  const report = await new Subscriber(settings, base).subscribeAll();
  logReport('subscribed', report);
  failOn(report, 'could not be subscribed');
  return {
    counts: {
      Created: report.counts.created,
      Updated: report.counts.updated,
      Unchanged: report.counts.unchanged,
      Skipped: report.counts.skipped,
      Missing: report.counts.missing,
    },
    incomplete: droppedIncomplete || report.incomplete,
  };
}

function failOn(report: Report, what: string, hint?: string): void {
  if (report.counts.failed === 0) return;
  const failed = report.problems.filter((problem) => problem.outcome === 'failed');
  throw new Error(`${report.counts.failed} log groups ${what}: ${describe(failed)}${hint ? `. ${hint}` : ''}`);
}

async function onCreateLogGroup(event: CreateLogGroupEvent, subscriber: Subscriber) {
  const name = event.detail.requestParameters?.logGroupName;
  if (event.detail.errorCode !== undefined || typeof name !== 'string') {
    logger.info('ignored: the CreateLogGroup call failed or named no group', { errorCode: event.detail.errorCode });
    return { logGroupName: name, outcome: 'ignored' };
  }
  if (!isWanted(subscriber.settings, name)) return { logGroupName: name, outcome: 'not wanted' };
  const logGroupClass = event.detail.requestParameters?.logGroupClass;
  const result = await subscriber.subscribe(name, typeof logGroupClass === 'string' ? logGroupClass : undefined);
  if (result.outcome === 'failed') {
    // Thrown so that Lambda and EventBridge retry the event.
    throw new Error(`could not subscribe ${name}: ${result.reason}`);
  }
  if (result.outcome === 'skipped' || result.outcome === 'missing') logger.warn('log group not subscribed', { ...result });
  else logger.info('log group subscribed', { ...result });
  return result;
}

function logReport(message: string, report: Report): void {
  const entry = { counts: report.counts, incomplete: report.incomplete, problems: report.problems };
  if (report.counts.failed > 0 || report.counts.skipped > 0) logger.warn(message, entry);
  else logger.info(message, entry);
}

function describe(results: readonly GroupResult[]): string {
  return results
    .slice(0, 5)
    .map((result) => `${result.logGroupName} (${result.reason})`)
    .join('; ');
}

/** Custom resource properties as an environment-like record (CloudFormation passes strings). */
function properties(record: Record<string, unknown>): Env {
  return Object.fromEntries(
    Object.entries(record).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

interface CreateLogGroupEvent {
  readonly 'detail-type': string;
  readonly detail: {
    readonly eventName: string;
    readonly errorCode?: string;
    readonly requestParameters?: { readonly logGroupName?: unknown; readonly logGroupClass?: unknown } | null;
  };
}

function isCustomResourceEvent(event: unknown): event is CloudFormationCustomResourceEvent {
  const candidate = event as Partial<CloudFormationCustomResourceEvent> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    ['Create', 'Update', 'Delete'].includes(candidate.RequestType as string) &&
    typeof candidate.ResourceProperties === 'object'
  );
}

function isCreateLogGroupEvent(event: unknown): event is CreateLogGroupEvent {
  const candidate = event as Partial<CreateLogGroupEvent> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    candidate['detail-type'] === 'AWS API Call via CloudTrail' &&
    candidate.detail?.eventName === 'CreateLogGroup'
  );
}

function isCommand(event: unknown): event is { action: 'subscribe' | 'unsubscribe' } {
  const action = (event as { action?: unknown } | null)?.action;
  return action === 'subscribe' || action === 'unsubscribe';
}
