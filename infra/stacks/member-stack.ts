import { CfnOutput, Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LogSubscriptions } from '../constructs/log-subscriptions';
import { PipelineAlarms } from '../constructs/pipeline-alarms';
import type { MemberConfig } from '../member-config';

export interface MemberStackProps extends StackProps {
  readonly config: MemberConfig;
}

/**
 * A member account's small stack: subscribes its log groups by name and prefix (or by one
 * account policy) to the central account's CloudWatch Logs destination, with the same
 * subscriber as the pipeline stack, and alarms on it. Documents keep this account's id in
 * `cloud.account.id` (the subscription payload's `owner`).
 */
export class MemberStack extends Stack {
  readonly subscriptions: LogSubscriptions;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, props);
    const { config } = props;
    Tags.of(this).add('project', 'cwl-opensearch');
    this.subscriptions = new LogSubscriptions(this, 'Subscriptions', {
      settings: config.subscriptions,
      destination: { arn: config.destinationArn, kind: 'logs' },
      routeEnvironment: {},
      logRetention: config.logRetentionDays as logs.RetentionDays,
    });
    const alarms = new PipelineAlarms(this, 'Alarms', config.alarms.email !== undefined ? { email: config.alarms.email } : {});
    if (this.subscriptions.subscriber) {
      alarms.functionHealth('Subscriber', this.subscriptions.subscriber.function);
      alarms.asyncEventAge('SubscriberAsyncEventAge', this.subscriptions.subscriber.function, Duration.hours(1));
    }
    if (config.subscriptions.mode === 'filters') alarms.subscriptionDelivery(config.subscriptions.filterName);
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn, description: 'Alarms (subscribe to it)' });
  }
}
