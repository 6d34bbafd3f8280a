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
 * batch responses, failures to SQS).
 */
export class Shipper extends Construct {
  readonly function: lambda.Function;
  readonly handler: PipelineFunction;
  readonly destination: SubscriptionDestination;
  readonly stream?: kinesis.Stream;
  /** The Kinesis event source mapping (the Kinesis path only). */
  readonly eventSourceMapping?: lambda.EventSourceMapping;

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
      this.stream = this.createStream(props.kinesis, props.queues);
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

  private createStream(settings: KinesisSettings, queues: DeadLetterQueues): kinesis.Stream {
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
        // Never older than the stream keeps records (the mapping's ceiling is 7 days).
        maxRecordAge: Duration.hours(Math.min(settings.retentionHours, 168)),
        onFailure: new sources.SqsDlq(queues.kinesisFailures!),
      }),
    );
    return stream;
  }
}
