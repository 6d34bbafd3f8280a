import { Aws, CustomResource, Duration, Fn, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { FILTER_PATTERN_VARIABLES } from '../../functions/subscriber/filter-patterns';
import { SOURCE_PARSERS, SOURCES, type SourceKey, type SubscriptionSettings } from '../config';
import { PipelineFunction } from './pipeline-function';
import { AccountSubscriptionPolicy } from './account-subscription-policy';
import { acknowledgeProvider, acknowledgeWaiter } from './provider-nag';
import type { SubscriptionDestination } from './shipper';

export interface OwnedLogGroup {
  readonly logGroup: logs.ILogGroup;
  readonly source: SourceKey;
}

export interface LogSubscriptionsProps {
  readonly settings: SubscriptionSettings;
  readonly destination: SubscriptionDestination;
  /** Extra log groups by name (an existing CloudTrail group), subscribed like `settings.logGroups`. @default - none */
  readonly extraLogGroups?: readonly string[];
  /** Log groups of this stack, subscribed declaratively (they live and die with it). @default - none */
  readonly ownedLogGroups?: readonly OwnedLogGroup[];
  /** The shipper's `ROUTE_*` variables, so that a group is classified as the shipper will route it. */
  readonly routeEnvironment: Readonly<Record<string, string>>;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Subscribes log groups to the destination: those named or matching a prefix at deploy
 * time (a custom resource calling the subscriber), new ones when CloudTrail records
 * `CreateLogGroup` (an EventBridge rule), and the stack's own groups declaratively.
 */
export class LogSubscriptions extends Construct {
  /** Absent when only the stack's own log groups are subscribed. */
  readonly subscriber?: PipelineFunction;
  /** The CreateLogGroup rules: as many as keep each event pattern within EventBridge's 2,048 characters. */
  rules: events.Rule[] = [];
  /** What makes log groups deliver to the destination: filters, the subscribing custom resource, the new-group rule. */
  readonly triggers: IConstruct[] = [];

  constructor(scope: Construct, id: string, props: LogSubscriptionsProps) {
    super(scope, id);
    const { settings, destination } = props;
    const logGroups = [...settings.logGroups, ...(props.extraLogGroups ?? [])];
    const owned = props.ownedLogGroups ?? [];
    const settingsEnvironment: Record<string, string> = {
      DESTINATION_ARN: destination.arn,
      ...(destination.role && { DESTINATION_ROLE_ARN: destination.role.roleArn }),
      FILTER_NAME: settings.filterName,
      SUBSCRIBE_LOG_GROUPS: logGroups.join(','),
      SUBSCRIBE_PREFIXES: settings.prefixes.join(','),
      SUBSCRIBE_EXCLUDE: this.excluded(settings.exclude),
      ...Object.fromEntries(SOURCES.map((source) => [FILTER_PATTERN_VARIABLES[SOURCE_PARSERS[source]], settings.filterPatterns[source]])),
      ...props.routeEnvironment,
    };

    for (const [index, group] of owned.entries()) {
      const filter = new logs.CfnSubscriptionFilter(this, `Owned${index}`, {
        logGroupName: group.logGroup.logGroupName,
        destinationArn: destination.arn,
        filterName: settings.filterName,
        filterPattern: settings.filterPatterns[group.source],
        ...(destination.role && { roleArn: destination.role.roleArn }),
        // By log stream, one busy stream heats one shard: spread the records instead.
        ...(destination.kind === 'kinesis' && { distribution: 'Random' }),
      });
      if (destination.ready) filter.node.addDependency(destination.ready);
      this.triggers.push(filter);
    }
    if (settings.mode === 'account-policy') {
      const accountPolicy = new AccountSubscriptionPolicy(this, 'AccountPolicy', {
        policyName: settings.filterName,
        destination,
        filterPattern: settings.accountPolicyFilterPattern,
        exclude: settings.exclude,
      });
      this.triggers.push(accountPolicy.policy);
      return;
    }
    if (logGroups.length === 0 && settings.prefixes.length === 0) return;

    this.subscriber = new PipelineFunction(this, 'Subscriber', {
      entry: 'functions/subscriber/handler.ts',
      roleName: 'subscriber',
      description: 'Subscribes matching CloudWatch Logs log groups to the pipeline',
      timeout: Duration.minutes(15),
      environment: { ...settingsEnvironment, POWERTOOLS_SERVICE_NAME: 'subscriber' },
      logRetention: props.logRetention,
      // A burst of CreateLogGroup events waits in Lambda's asynchronous queue (throttled
      // events are retried for up to maxEventAge) instead of fanning out into throttled
      // PutSubscriptionFilter calls.
      reservedConcurrentExecutions: settings.subscriberConcurrency,
    });
    this.subscriber.function.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });
    this.grantSubscribe(this.subscriber.role, destination, logGroups, settings.prefixes);
    this.subscribeExisting(this.subscriber, settingsEnvironment, destination, props.logRetention);
    if (settings.subscribeNewLogGroups) {
      this.rules = this.subscribeNew(this.subscriber, logGroups, settings.prefixes);
      this.triggers.push(...this.rules);
    }
  }

  /**
   * Every log group of this stack is excluded, whatever the prefixes say: a shipper that
   * ships its own log lines invokes itself forever. Resolved at synth, once all exist.
   */
  private excluded(configured: readonly string[]): string {
    return Lazy.string({
      produce: () => {
        const own = Stack.of(this)
          .node.findAll()
          .filter((construct): construct is logs.LogGroup => construct instanceof logs.LogGroup)
          .map((group) => group.logGroupName);
        return Fn.join(',', [...configured, ...own]);
      },
    });
  }

  /**
   * Filters only on the listed groups and the groups under the prefixes (both known at
   * synth); DescribeLogGroups is a list action that takes only the account's `log-group:*`.
   */
  private grantSubscribe(role: iam.Role, destination: SubscriptionDestination, logGroups: readonly string[], prefixes: readonly string[]): void {
    const logGroupArn = (name: string) => `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${name}`;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:DescribeLogGroups'], resources: [logGroupArn('*')] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:DescribeSubscriptionFilters', 'logs:PutSubscriptionFilter', 'logs:DeleteSubscriptionFilter'],
        resources: [
          ...logGroups.flatMap((name) => [logGroupArn(name), logGroupArn(`${name}:*`)]),
          ...prefixes.map((prefix) => logGroupArn(`${prefix}*`)),
        ],
      }),
    );
    Validations.of(role).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::${nagArn('*')}]`,
        reason: 'logs:DescribeLogGroups is a list action that IAM authorizes only on the account\'s log-group:* ARN; the filter actions are limited to the configured groups and prefixes.',
      },
      ...logGroups.map((name) => ({
        id: `AwsSolutions-IAM5[Resource::${nagArn(`${name}:*`)}]`,
        reason: `The configured log group ${name} itself (its ARN ends in ":*" for the log-stream level); nothing else.`,
      })),
      ...prefixes.map((prefix) => ({
        id: `AwsSolutions-IAM5[Resource::${nagArn(`${prefix}*`)}]`,
        reason: `Log groups under the configured prefix ${prefix}, created before and after deployment (their names are unknown at synth); the function adds and removes only its own filter there.`,
      })),
    );
    if (destination.role) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [destination.role.roleArn] }),
      );
    }
  }

  private subscribeExisting(
    subscriber: PipelineFunction,
    properties: Record<string, string>,
    destination: SubscriptionDestination,
    logRetention: logs.RetentionDays,
  ): void {
    // The same function answers isComplete: a pass that runs out of time is followed by
    // another every QUERY_INTERVAL until every group was visited, or the deployment fails
    // at TOTAL_TIMEOUT. Never a silent partial subscription.
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: subscriber.function,
      isCompleteHandler: subscriber.function,
      queryInterval: SUBSCRIBE_QUERY_INTERVAL,
      totalTimeout: SUBSCRIBE_TOTAL_TIMEOUT,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: logRetention }),
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        // Under /aws/vendedlogs/: Step Functions then need not add the group to the
        // account's CloudWatch Logs resource policy (10 per region at most).
        destination: new logs.LogGroup(this, 'WaiterLogs', {
          logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-subscriber-waiter`,
          retention: logRetention,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    acknowledgeProvider(provider, subscriber.function);
    acknowledgeWaiter(provider);
    const resource = new CustomResource(this, 'ExistingLogGroups', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::LogSubscriptions',
      // The settings are the properties: any change re-runs the subscriber, and on
      // update the old ones tell it which groups to unsubscribe.
      properties,
    });
    if (destination.ready) resource.node.addDependency(destination.ready);
    this.triggers.push(resource);
  }

  private subscribeNew(subscriber: PipelineFunction, logGroups: readonly string[], prefixes: readonly string[]): events.Rule[] {
    const target = new targets.LambdaFunction(subscriber.function, { retryAttempts: 4, maxEventAge: Duration.hours(2) });
    return newLogGroupPatterns(logGroups, prefixes).map(
      (eventPattern, index) =>
        new events.Rule(this, index === 0 ? 'CreateLogGroupRule' : `CreateLogGroupRule${index + 1}`, {
          description: 'New log groups matching the pipeline subscriptions (CloudTrail CreateLogGroup)',
          eventPattern,
          targets: [target],
        }),
    );
  }
}

/** How often the provider asks the subscriber to go on, and for how long at most. */
export const SUBSCRIBE_QUERY_INTERVAL = Duration.seconds(30);
export const SUBSCRIBE_TOTAL_TIMEOUT = Duration.hours(2);

/** EventBridge refuses an event pattern longer than this many characters. */
export const MAX_EVENT_PATTERN_LENGTH = 2048;

type LogGroupMatcher = string | { readonly prefix: string };

/** The CreateLogGroup event pattern as EventBridge receives it (CloudFormation's JSON). */
function renderedPattern(matchers: readonly LogGroupMatcher[]): string {
  return JSON.stringify({
    source: ['aws.logs'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: { eventSource: ['logs.amazonaws.com'], eventName: ['CreateLogGroup'], requestParameters: { logGroupName: matchers } },
  });
}

/**
 * The CreateLogGroup patterns for the listed names and prefixes, split so that each
 * serialized pattern stays within EventBridge's 2,048 characters (70 prefixes make one
 * pattern of 2,287).
 */
export function newLogGroupPatterns(logGroups: readonly string[], prefixes: readonly string[]): events.EventPattern[] {
  const matchers: LogGroupMatcher[] = [...logGroups, ...prefixes.map((prefix) => ({ prefix }))];
  const chunks: LogGroupMatcher[][] = [];
  let current: LogGroupMatcher[] = [];
  for (const matcher of matchers) {
    if (current.length > 0 && renderedPattern([...current, matcher]).length > MAX_EVENT_PATTERN_LENGTH) {
      chunks.push(current);
      current = [];
    }
    current.push(matcher);
    if (renderedPattern(current).length > MAX_EVENT_PATTERN_LENGTH) {
      throw new Error(`the CreateLogGroup event pattern for ${JSON.stringify(matcher)} alone exceeds ${MAX_EVENT_PATTERN_LENGTH} characters`);
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks.map((chunk) => ({
    source: ['aws.logs'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['logs.amazonaws.com'],
      eventName: ['CreateLogGroup'],
      requestParameters: { logGroupName: chunk },
    },
  }));
}

/** A log-group ARN as cdk-nag prints it in a finding id. */
function nagArn(name: string): string {
  return `arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${name}`;
}
