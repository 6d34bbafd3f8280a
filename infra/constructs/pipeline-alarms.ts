import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DomainAlarmOptions {
  readonly domainName: string;
  readonly accountId: string;
  readonly freeStorageSpaceMiB: number;
  /** Nodes the domain should have (data + masters); absent for a domain the stack does not know. */
  readonly nodes?: number;
  readonly dedicatedMasters: boolean;
}

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
    // Only this account's alarms may use the key (no confused deputy through CloudWatch).
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
        },
      }),
    );
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

  /**
   * The Kinesis event source mapping gave up on records: written to the failure bucket (the
   * redrive replays them), or dropped (expired or not deliverable to the bucket: lost).
   * The mapping's `EventCount` metrics must be on (`metricsConfig`).
   */
  kinesisFailures(id: string, fn: lambda.IFunction, mapping: lambda.IEventSourceMapping): void {
    const period = Duration.minutes(5);
    const mappingMetric = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { EventSourceMappingUUID: mapping.eventSourceMappingId },
        period,
        statistic: 'Sum',
      });
    this.add(`${id}Delivered`, mappingMetric('OnFailureDestinationDeliveredEventCount'), {
      threshold: 1,
      description: `${id}: Kinesis records the shipper gave up on were written to the failure bucket; the redrive replays them`,
    });
    this.add(`${id}Dropped`, mappingMetric('DroppedEventCount'), {
      threshold: 1,
      description: `${id}: Kinesis records dropped without reaching the failure bucket (events lost)`,
    });
    this.add(`${id}DeliveryFailures`, fn.metric('DestinationDeliveryFailures', { period, statistic: 'Sum' }), {
      threshold: 1,
      description: `${id}: a failed Kinesis batch could not be written to the failure bucket (events lost)`,
    });
  }

  /**
   * The alarms AWS recommends for an OpenSearch Service domain ("Recommended CloudWatch
   * alarms for Amazon OpenSearch Service"): cluster status, free storage, write blocks,
   * node count, snapshots, CPU, JVM memory, KMS key, 5xx share, write queue and rejections,
   * and the master metrics when dedicated masters exist.
   */
  domainHealth(domain: DomainAlarmOptions): void {
    const metric = (metricName: string, statistic: string, period = Duration.minutes(1)) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ES',
        metricName,
        dimensionsMap: { DomainName: domain.domainName, ClientId: domain.accountId },
        period,
        statistic,
      });
    const atLeast = (id: string, metricName: string, statistic: string, threshold: number, description: string, options: { period?: Duration; evaluationPeriods?: number } = {}) =>
      this.add(id, metric(metricName, statistic, options.period), {
        threshold,
        description: `OpenSearch: ${description}`,
        ...(options.evaluationPeriods !== undefined && { evaluationPeriods: options.evaluationPeriods }),
      });
    atLeast('ClusterRed', 'ClusterStatus.red', 'Maximum', 1, 'a primary shard is unassigned (cluster red)');
    atLeast('ClusterYellow', 'ClusterStatus.yellow', 'Maximum', 1, 'replica shards unassigned for 5 minutes (cluster yellow)', { evaluationPeriods: 5 });
    atLeast('WritesBlocked', 'ClusterIndexWritesBlocked', 'Maximum', 1, 'the cluster blocks writes (disk or memory pressure)', { period: Duration.minutes(5) });
    this.add('FreeStorage', metric('FreeStorageSpace', 'Minimum'), {
      threshold: domain.freeStorageSpaceMiB,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      description: `OpenSearch: a node has at most ${domain.freeStorageSpaceMiB} MiB of free storage`,
    });
    if (domain.nodes !== undefined) {
      this.add('NodesMissing', metric('Nodes', 'Minimum', Duration.days(1)), {
        threshold: domain.nodes,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        description: `OpenSearch: fewer than ${domain.nodes} nodes for a day`,
      });
    }
    atLeast('SnapshotFailure', 'AutomatedSnapshotFailure', 'Maximum', 1, 'an automated snapshot failed');
    atLeast('Cpu', 'CPUUtilization', 'Maximum', 80, 'data node CPU at 80% or more for 45 minutes', { period: Duration.minutes(15), evaluationPeriods: 3 });
    atLeast('JvmMemoryPressure', 'JVMMemoryPressure', 'Maximum', 95, 'JVM memory pressure at 95% or more for 3 minutes', { evaluationPeriods: 3 });
    atLeast('OldGenJvmMemoryPressure', 'OldGenJVMMemoryPressure', 'Maximum', 80, 'old generation JVM memory pressure at 80% or more for 3 minutes', { evaluationPeriods: 3 });
    atLeast('KmsKeyError', 'KMSKeyError', 'Maximum', 1, 'the encryption-at-rest KMS key is disabled');
    atLeast('KmsKeyInaccessible', 'KMSKeyInaccessible', 'Maximum', 1, 'the encryption-at-rest KMS key was deleted or its grants revoked');
    atLeast('WriteQueue', 'ThreadpoolWriteQueue', 'Average', 100, 'the write thread pool queue holds 100 or more tasks');
    atLeast('WriteRejected', 'ThreadpoolWriteRejected', 'Sum', 1, 'write thread pool rejections for 15 minutes (bulk requests refused; the shipper retries them)', { period: Duration.minutes(5), evaluationPeriods: 3 });
    const period = Duration.minutes(5);
    this.add(
      'ServerErrors',
      new cloudwatch.MathExpression({
        expression: '100 * errors / MAX([errors, requests])',
        usingMetrics: { errors: metric('5xx', 'Sum', period), requests: metric('OpenSearchRequests', 'Sum', period) },
        period,
        label: '5xx share of requests (%)',
      }),
      { threshold: 10, description: 'OpenSearch: 10% or more of the requests answered 5xx' },
    );
    if (domain.dedicatedMasters) {
      atLeast('MasterCpu', 'MasterCPUUtilization', 'Maximum', 50, 'master CPU at 50% or more for 45 minutes', { period: Duration.minutes(15), evaluationPeriods: 3 });
      atLeast('MasterJvmMemoryPressure', 'MasterJVMMemoryPressure', 'Maximum', 95, 'master JVM memory pressure at 95% or more for 3 minutes', { evaluationPeriods: 3 });
      atLeast('MasterOldGenJvmMemoryPressure', 'MasterOldGenJVMMemoryPressure', 'Maximum', 80, 'master old generation JVM memory pressure at 80% or more for 3 minutes', { evaluationPeriods: 3 });
      this.add('MasterUnreachable', metric('MasterReachableFromNode', 'Minimum', Duration.days(1)), {
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        description: 'OpenSearch: the master node was unreachable for a day',
      });
    }
  }

  /**
   * CloudWatch Logs could not deliver (or was throttled delivering) our filter's events, on
   * any log group: a Metrics Insights query over the filter name, since the groups are not
   * known at synth.
   */
  subscriptionDelivery(filterName: string): void {
    for (const metricName of ['DeliveryErrors', 'DeliveryThrottling']) {
      new cloudwatch.CfnAlarm(this, `Subscription${metricName}`, {
        alarmDescription: `CloudWatch Logs: ${metricName} for subscription filter ${filterName} (events not delivered yet; CloudWatch Logs retries for up to 24 hours)`,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: 'notBreaching',
        metrics: [
          {
            id: 'delivery',
            expression: `SELECT SUM(${metricName}) FROM SCHEMA("AWS/Logs", DestinationType, FilterName, LogGroupName) WHERE FilterName = '${filterName.replace(/'/g, "''")}'`,
            period: 300,
            returnData: true,
          },
        ],
        alarmActions: [this.topic.topicArn],
        okActions: [this.topic.topicArn],
      });
    }
  }

  /** CloudWatch Logs' writes to the stream are throttled (shards too few). */
  streamWriteThrottles(id: string, stream: kinesis.IStream): void {
    this.add(id, stream.metric('WriteProvisionedThroughputExceeded', { period: Duration.minutes(5), statistic: 'Sum' }), {
      threshold: 1,
      evaluationPeriods: 3,
      description: `${id}: writes to the stream throttled for 15 minutes (add shards or use on-demand)`,
    });
  }

  /** Asynchronous events wait in Lambda's queue (throttled or failing) longer than `maxAge`. */
  asyncEventAge(id: string, fn: lambda.IFunction, maxAge: Duration): void {
    this.add(id, fn.metric('AsyncEventAge', { period: Duration.minutes(5), statistic: 'Maximum' }), {
      threshold: maxAge.toMilliseconds(),
      evaluationPeriods: 3,
      description: `${id}: asynchronous events waited more than ${maxAge.toHumanString()} before running`,
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
