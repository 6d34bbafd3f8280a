import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface DeadLetterQueuesProps {
  /** Receives of one message before it moves to the last-resort queue. */
  readonly maxReceiveCount: number;
  /** At least the redrive function's timeout, so a message is not handed out twice at once. */
  readonly visibilityTimeout: Duration;
}

/**
 * Where failed invocations wait: the shipper's on-failure destination (replayed by the
 * redrive function) and the last resort behind it (messages the redrive could not use after
 * `maxReceiveCount` tries). All encrypted (SQS-managed keys), TLS-only, kept 14 days. The
 * Kinesis path's failed batches go to an S3 bucket instead (`KinesisFailureBucket`).
 */
export class DeadLetterQueues extends Construct {
  readonly onFailure: sqs.Queue;
  readonly lastResort: sqs.Queue;

  constructor(scope: Construct, id: string, props: DeadLetterQueuesProps) {
    super(scope, id);
    const common = {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    };
    this.lastResort = new sqs.Queue(this, 'LastResort', common);
    this.onFailure = new sqs.Queue(this, 'OnFailure', {
      ...common,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.lastResort, maxReceiveCount: props.maxReceiveCount },
    });
  }
}
