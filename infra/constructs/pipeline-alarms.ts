import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface PipelineAlarmsProps {
  /** Subscribed to the topic (confirmation e-mail). @default - no subscription */
  readonly email?: string;
}

/**
 * An encrypted SNS topic and the alarms that tell a person data is waiting or at risk.
 * The topic's key lets CloudWatch alarms publish (an AWS-managed SNS key would not).
 */
export class PipelineAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  private readonly action: actions.SnsAction;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'cwl-opensearch alarm topic',
      enableKeyRotation: true,
    });
    this.key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'cwl-opensearch alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email !== undefined) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    this.action = new actions.SnsAction(this.topic);
  }

  /** Alarms as soon as a queue holds a message. */
  queueNotEmpty(id: string, queue: sqs.IQueue, what: string): cloudwatch.Alarm {
    return this.add(id, queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }), {
      threshold: 1,
      description: `${what} (queue ${queue.queueName} holds messages)`,
    });
  }

  /** Errors, and optionally throttles and asynchronous-delivery failures, of a function. */
  functionHealth(id: string, fn: lambda.IFunction, options: { throttles?: boolean; asynchronous?: boolean } = {}): void {
    const period = Duration.minutes(5);
    this.add(`${id}Errors`, fn.metricErrors({ period, statistic: 'Sum' }), {
      threshold: 1,
      description: `${id}: invocations failed`,
    });
    if (options.throttles) {
      this.add(`${id}Throttles`, fn.metricThrottles({ period, statistic: 'Sum' }), {
        threshold: 1,
        description: `${id}: invocations throttled (raise reserved concurrency or the account limit)`,
      });
    }
    if (options.asynchronous) {
      // Events Lambda gave up on without reaching the dead-letter queue: lost data.
      for (const metricName of ['AsyncEventsDropped', 'DestinationDeliveryFailures']) {
        this.add(`${id}${metricName}`, fn.metric(metricName, { period, statistic: 'Sum' }), {
          threshold: 1,
          description: `${id}: ${metricName} (events lost)`,
        });
      }
    }
  }

  /** The Kinesis consumer is falling behind. */
  iteratorAge(id: string, fn: lambda.IFunction, maxAge: Duration): void {
    this.add(id, fn.metric('IteratorAge', { period: Duration.minutes(5), statistic: 'Maximum' }), {
      threshold: maxAge.toMilliseconds(),
      evaluationPeriods: 3,
      description: `${id}: the shipper is more than ${maxAge.toHumanString()} behind the stream`,
    });
  }

  /** Cluster health, write blocks and free storage of an OpenSearch Service domain. */
  domainHealth(domainName: string, accountId: string, freeStorageSpaceMiB: number): void {
    const metric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ES',
        metricName,
        dimensionsMap: { DomainName: domainName, ClientId: accountId },
        period: Duration.minutes(1),
        statistic,
      });
    this.add('ClusterRed', metric('ClusterStatus.red', 'Maximum'), {
      threshold: 1,
      description: 'OpenSearch: a primary shard is unassigned (cluster red)',
    });
    this.add('ClusterYellow', metric('ClusterStatus.yellow', 'Maximum'), {
      threshold: 1,
      evaluationPeriods: 5,
      description: 'OpenSearch: replica shards unassigned for 5 minutes (cluster yellow)',
    });
    this.add('WritesBlocked', metric('ClusterIndexWritesBlocked', 'Maximum'), {
      threshold: 1,
      description: 'OpenSearch: the cluster blocks writes (disk or memory pressure)',
    });
    this.add('FreeStorage', metric('FreeStorageSpace', 'Minimum'), {
      threshold: freeStorageSpaceMiB,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      description: `OpenSearch: a node has at most ${freeStorageSpaceMiB} MiB of free storage`,
    });
  }

  private add(
    id: string,
    metric: cloudwatch.IMetric,
    options: {
      threshold: number;
      description: string;
      evaluationPeriods?: number;
      comparisonOperator?: cloudwatch.ComparisonOperator;
    },
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold: options.threshold,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    return alarm;
  }
}
