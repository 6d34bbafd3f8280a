import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CrossAccountSettings } from '../config';

export interface CrossAccountDestinationProps {
  readonly destinationName: string;
  /** The pipeline's stream: member accounts' events land beside this account's. */
  readonly stream: kinesis.IStream;
  readonly settings: CrossAccountSettings;
}

/**
 * The central account's CloudWatch Logs destination, backed by the pipeline's Kinesis
 * stream. Its policy lets only the listed member accounts (or the organization) put
 * subscription filters and account policies on it; the role CloudWatch Logs writes to the
 * stream with accepts only those sources.
 */
export class CrossAccountDestination extends Construct {
  readonly destination: logs.CfnDestination;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: CrossAccountDestinationProps) {
    super(scope, id);
    const { settings } = props;
    const sourceArns = [Aws.ACCOUNT_ID, ...settings.accountIds].map((account) => `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${account}:*`);
    const role = new iam.Role(this, 'Role', {
      description: 'CloudWatch Logs writes member accounts\' subscribed events to the pipeline stream',
      assumedBy: new iam.PrincipalWithConditions(
        new iam.ServicePrincipal('logs.amazonaws.com'),
        settings.organizationId !== undefined
          ? { StringEquals: { 'aws:SourceOrgID': settings.organizationId } }
          : { StringLike: { 'aws:SourceArn': sourceArns } },
      ),
    });
    const grant = props.stream.grantWrite(role);
    this.arn = `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:destination:${props.destinationName}`;
    const allowed =
      settings.organizationId !== undefined
        ? { Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': settings.organizationId } } }
        : { Principal: { AWS: [...settings.accountIds] } };
    this.destination = new logs.CfnDestination(this, 'Destination', {
      destinationName: props.destinationName,
      roleArn: role.roleArn,
      targetArn: props.stream.streamArn,
      destinationPolicy: Stack.of(this).toJsonString({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'MemberAccountsSubscribe',
            Effect: 'Allow',
            ...allowed,
            Action: ['logs:PutSubscriptionFilter', 'logs:PutAccountPolicy'],
            Resource: this.arn,
          },
        ],
      }),
    });
    // CloudWatch Logs checks the role when the destination is created.
    this.destination.node.addDependency(grant);
  }
}
