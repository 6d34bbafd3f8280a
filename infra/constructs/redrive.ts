import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { RedriveSettings } from '../config';
import type { KinesisFailureBucket } from './kinesis-failures';
import { PipelineFunction, type FunctionNetwork } from './pipeline-function';

/** How long one redrive run may take; the queue's visibility timeout is longer. */
export const REDRIVE_TIMEOUT = Duration.minutes(10);

export interface RedriveProps {
  readonly settings: RedriveSettings;
  /** The shipper's on-failure destination. */
  readonly queue: sqs.IQueue;
  /** The Kinesis path's failed batches, replayed after the queue. @default - none (direct invocation path) */
  readonly failures?: KinesisFailureBucket;
  /** The pipeline variables the shipper has (the redrive replays through the same code). */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: logs.RetentionDays;
  /** @default - no VPC */
  readonly network?: FunctionNetwork;
}

/**
 * Replays the shipper's failed invocations from the on-failure queue (and, on the Kinesis
 * path, the failed batches in the failure bucket) through the same pipeline, on a schedule
 * and on demand (`{"maxMessages": n}`).
 */
export class Redrive extends Construct {
  readonly handler: PipelineFunction;
  readonly schedule: events.Rule;

  constructor(scope: Construct, id: string, props: RedriveProps) {
    super(scope, id);
    this.handler = new PipelineFunction(this, 'Handler', {
      entry: 'functions/redrive/handler.ts',
      roleName: 'redrive',
      description: 'Replays failed shipper invocations from the dead-letter queue',
      memorySize: 1024,
      timeout: REDRIVE_TIMEOUT,
      environment: {
        ...props.environment,
        DLQ_URL: props.queue.queueUrl,
        ...(props.failures && { FAILURE_BUCKET: props.failures.bucket.bucketName }),
        REDRIVE_MAX_MESSAGES: String(props.settings.maxMessages),
        POWERTOOLS_SERVICE_NAME: 'redrive',
      },
      logRetention: props.logRetention,
      ...(props.network && { network: props.network }),
    });
    props.queue.grantConsumeMessages(this.handler.role);
    props.failures?.grantReplay(this.handler.role);
    // A failed run is simply the next scheduled run's work: no retries on top.
    this.handler.function.configureAsyncInvoke({ retryAttempts: 0 });
    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'Replays the shipper dead-letter queue',
      schedule: events.Schedule.rate(Duration.minutes(props.settings.scheduleMinutes)),
      targets: [
        new targets.LambdaFunction(this.handler.function, {
          event: events.RuleTargetInput.fromObject({ maxMessages: props.settings.maxMessages }),
          retryAttempts: 0,
        }),
      ],
    });
  }
}
