import { Aws, CustomResource, Duration, Fn, Lazy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';
import { FILTER_PATTERN_VARIABLES } from '../../functions/subscriber/filter-patterns';
import { SOURCE_PARSERS, SOURCES, type SourceKey, type SubscriptionSettings } from '../config';
import { PipelineFunction } from './pipeline-function';
import { acknowledgeProvider } from './provider-nag';
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
  readonly rule?: events.Rule;
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
      });
      filter.node.addDependency(destination.ready);
      this.triggers.push(filter);
    }
    if (logGroups.length === 0 && settings.prefixes.length === 0) return;

    this.subscriber = new PipelineFunction(this, 'Subscriber', {
      entry: 'functions/subscriber/handler.ts',
      roleName: 'subscriber',
      description: 'Subscribes matching CloudWatch Logs log groups to the pipeline',
      timeout: Duration.minutes(15),
      environment: { ...settingsEnvironment, POWERTOOLS_SERVICE_NAME: 'subscriber' },
      logRetention: props.logRetention,
    });
    this.grantSubscribe(this.subscriber.role, destination);
    this.subscribeExisting(this.subscriber, settingsEnvironment, destination, props.logRetention);
    if (settings.subscribeNewLogGroups) {
      this.rule = this.subscribeNew(this.subscriber, logGroups, settings.prefixes);
      this.triggers.push(this.rule);
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

  private grantSubscribe(role: iam.Role, destination: SubscriptionDestination): void {
    const anyGroup = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'logs:DescribeLogGroups',
          'logs:DescribeSubscriptionFilters',
          'logs:PutSubscriptionFilter',
          'logs:DeleteSubscriptionFilter',
        ],
        resources: [anyGroup],
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*]',
      reason: 'Log groups are chosen by prefix and created after deployment, so their names cannot be listed; the function only adds or removes its own subscription filter.',
    });
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
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: subscriber.function,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: logRetention }),
    });
    acknowledgeProvider(provider, subscriber.function);
    const resource = new CustomResource(this, 'ExistingLogGroups', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::LogSubscriptions',
      // The settings are the properties: any change re-runs the subscriber, and on
      // update the old ones tell it which groups to unsubscribe.
      properties,
    });
    resource.node.addDependency(destination.ready);
    this.triggers.push(resource);
  }

  private subscribeNew(subscriber: PipelineFunction, logGroups: readonly string[], prefixes: readonly string[]): events.Rule {
    const rule = new events.Rule(this, 'CreateLogGroupRule', {
      description: 'New log groups matching the pipeline subscriptions (CloudTrail CreateLogGroup)',
      eventPattern: {
        source: ['aws.logs'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['logs.amazonaws.com'],
          eventName: ['CreateLogGroup'],
          requestParameters: { logGroupName: [...logGroups, ...prefixes.map((prefix) => ({ prefix }))] },
        },
      },
    });
    rule.addTarget(new targets.LambdaFunction(subscriber.function, { retryAttempts: 4, maxEventAge: Duration.hours(2) }));
    return rule;
  }
}
