import { Fn, Lazy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { SubscriptionDestination } from './shipper';

export interface AccountSubscriptionPolicyProps {
  readonly policyName: string;
  readonly destination: SubscriptionDestination;
  /** The one filter pattern of every log group; `""` = every event. */
  readonly filterPattern: string;
  /** Log groups left out besides the stack's own (which are always left out). */
  readonly exclude: readonly string[];
}

/**
 * One account-level subscription filter policy (`AWS::Logs::AccountPolicy`,
 * `SUBSCRIPTION_FILTER_POLICY`) instead of a filter per log group: every log group of the
 * account and region, now and later, except the listed ones and the stack's own (a
 * shipper that ships its own log lines would invoke itself forever). No subscriber
 * function, no trail, no prefixes. One such policy per account and region, one pattern.
 */
export class AccountSubscriptionPolicy extends Construct {
  readonly policy: logs.CfnAccountPolicy;

  constructor(scope: Construct, id: string, props: AccountSubscriptionPolicyProps) {
    super(scope, id);
    const { destination } = props;
    this.policy = new logs.CfnAccountPolicy(this, 'Policy', {
      policyName: props.policyName,
      policyType: 'SUBSCRIPTION_FILTER_POLICY',
      scope: 'ALL',
      policyDocument: Stack.of(this).toJsonString({
        DestinationArn: destination.arn,
        ...(destination.role && { RoleArn: destination.role.roleArn }),
        FilterPattern: props.filterPattern,
        ...(destination.kind === 'kinesis' && { Distribution: 'Random' }),
      }),
      // Resolved at synth, once every log group of the stack exists.
      selectionCriteria: Lazy.string({
        produce: () => {
          const own = Stack.of(this)
            .node.findAll()
            .filter((construct): construct is logs.LogGroup => construct instanceof logs.LogGroup)
            .map((group) => group.logGroupName);
          const names = [...props.exclude, ...own].map((name) => Fn.join('', ['"', name, '"']));
          return Fn.join('', ['LogGroupName NOT IN [', Fn.join(', ', names), ']']);
        },
      }),
    });
    if (destination.ready) this.policy.node.addDependency(destination.ready);
  }
}
