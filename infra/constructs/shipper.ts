import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import type { KinesisSettings, ShipperSettings } from '../config';
import type { DeadLetterQueues } from './dead-letter';
import { KinesisFailureBucket, KinesisFailureDestination } from './kinesis-failures';
import { PipelineFunction, type FunctionNetwork } from './pipeline-function';

export interface ShipperProps {
  readonly settings: ShipperSettings;
  /** Variables of the pipeline (endpoint, auth, index naming, routes, Powertools). */
  readonly environment: Readonly<Record<string, string>>;
  readonly queues: DeadLetterQueues;
  readonly logRetention: logs.RetentionDays;
  /** Subscriptions deliver to a Kinesis stream the shipper consumes. @default - direct invocation */
  readonly kinesis?: KinesisSettings;
  /** @default - no VPC */
  readonly network?: FunctionNetwork;
}

/** Where subscription filters send events, and what they need to be allowed to. */
export interface SubscriptionDestination {
  readonly arn: string;
  /** `logs`: a CloudWatch Logs destination of another account (a member stack). */
  readonly kind: 'lambda' | 'kinesis' | 'logs';
  /** The role CloudWatch Logs assumes to write to Kinesis. */
  readonly role?: iam.Role;
  /** A subscription filter may be created only after this exists. @default - nothing to wait for */
  readonly ready?: IDependable;
}

/**
 * The shipper: CloudWatch Logs subscription events (asynchronous invocations, failures to
 * an encrypted SQS destination) or Kinesis records (batches, bisect on error, partial
 * batch responses, failed batches with their data to an S3 bucket).
 */
export class Shipper extends Construct {
  readonly function: lambda.Function;
  readonly handler: PipelineFunction;
  readonly destination: SubscriptionDestination;
  readonly stream?: kinesis.Stream;
  /** The Kinesis event source mapping (the Kinesis path only). */
  readonly eventSourceMapping?: lambda.EventSourceMapping;
  /** Where the mapping writes the batches it gave up on (the Kinesis path only). */
  readonly failures?: KinesisFailureBucket;

  constructor(scope: Construct, id: string, props: ShipperProps) {
    super(scope, id);
    const { settings } = props;
    this.handler = new PipelineFunction(this, 'Handler', {
      entry: 'functions/shipper/handler.ts',
      roleName: 'shipper',
      description: 'Ships CloudWatch Logs subscription events to OpenSearch',
      memorySize: settings.memoryMiB,
      timeout: Duration.seconds(settings.timeoutSeconds),
      environment: props.environment,
      logRetention: props.logRetention,
      ...(settings.reservedConcurrency !== undefined && { reservedConcurrentExecutions: settings.reservedConcurrency }),
      ...(props.network && { network: props.network }),
    });
    this.function = this.handler.function;
    this.function.configureAsyncInvoke({
      retryAttempts: settings.retryAttempts,
      maxEventAge: Duration.hours(settings.maxEventAgeHours),
      onFailure: new destinations.SqsDestination(props.queues.onFailure),
    });

    if (props.kinesis) {
      this.failures = new KinesisFailureBucket(this, 'KinesisFailures', { retentionDays: props.kinesis.failureRetentionDays });
      this.stream = this.createStream(props.kinesis, this.failures);
      this.eventSourceMapping = this.function.node.children.find(
        (child): child is lambda.EventSourceMapping => child instanceof lambda.EventSourceMapping,
      );
      const role = new iam.Role(this, 'LogsToKinesisRole', {
        description: 'CloudWatch Logs writes subscribed events to the pipeline stream',
        assumedBy: new iam.PrincipalWithConditions(new iam.ServicePrincipal('logs.amazonaws.com'), {
          StringLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:*` },
        }),
      });
      const grant = this.stream.grantWrite(role);
      this.destination = { arn: this.stream.streamArn, kind: 'kinesis', role, ready: grant };
    } else {
      // One permission for every log group of the account and region: a permission per
      // group hits the function policy's size limit after a few dozen groups.
      this.function.addPermission('LogsInvoke', {
        principal: new iam.ServicePrincipal('logs.amazonaws.com'),
        action: 'lambda:InvokeFunction',
        sourceAccount: Aws.ACCOUNT_ID,
        sourceArn: `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
      });
      this.destination = { arn: this.function.functionArn, kind: 'lambda', ready: this.function.permissionsNode.findChild('LogsInvoke') };
    }
  }

  private createStream(settings: KinesisSettings, failures: KinesisFailureBucket): kinesis.Stream {
    const stream = new kinesis.Stream(this, 'Stream', {
      encryption: kinesis.StreamEncryption.MANAGED,
      retentionPeriod: Duration.hours(settings.retentionHours),
      ...(settings.shardCount === 0
        ? { streamMode: kinesis.StreamMode.ON_DEMAND }
        : { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: settings.shardCount }),
    });
    this.function.addEventSource(
      new sources.KinesisEventSource(stream, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: settings.batchSize,
        maxBatchingWindow: Duration.seconds(settings.maxBatchingWindowSeconds),
        parallelizationFactor: settings.parallelizationFactor,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: settings.retryAttempts,
        maxRecordAge: maxRecordAge(settings.retentionHours),
        // The whole failed invocation, records' data included, lands in S3 (an SQS or SNS
        // destination keeps only sequence numbers); the redrive replays it from there.
        onFailure: new KinesisFailureDestination(failures.bucket),
        // OnFailureDestinationDeliveredEventCount and DroppedEventCount, which the alarms watch.
        metricsConfig: { metrics: [lambda.MetricType.EVENT_COUNT] },
      }),
    );
    return stream;
  }
}

/**
 * An hour less than the stream keeps records (at most the mapping's 7 days): Lambda gives
 * up on a failing batch and writes it to the failure bucket while the records are still in
 * the stream. Records the stream trims first are dropped without a failure record.
 */
export function maxRecordAge(retentionHours: number): Duration {
  return Duration.hours(Math.min(retentionHours - 1, 168));
}
