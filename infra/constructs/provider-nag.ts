import { Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as cr from 'aws-cdk-lib/custom-resources';

/** Records why the CDK custom-resource framework's own function passes review. */
export function acknowledgeProvider(provider: cr.Provider, onEvent: lambda.IFunction): void {
  const logicalId = Stack.of(provider).resolve((onEvent.node.defaultChild as CfnResource).logicalId) as string;
  Validations.of(provider).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The aws-cdk-lib custom-resource framework function (not ours) uses the basic execution policy to write its own logs.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason: 'The custom-resource framework may invoke any version of the one handler function it fronts; nothing else.',
    },
    {
      id: 'AwsSolutions-L1',
      reason: 'The custom-resource framework function and its runtime are managed by aws-cdk-lib.',
    },
  );
}

/** Records why the provider framework's isComplete waiter (a Step Functions state machine) passes review. */
export function acknowledgeWaiter(provider: cr.Provider): void {
  const frameworkFunctions = provider.node
    .findAll()
    .filter((construct): construct is lambda.Function => (construct as { functionArn?: unknown }).functionArn !== undefined && construct.node.id.startsWith('framework-'));
  Validations.of(provider).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The waiter state machine\'s role gets the CloudWatch Logs delivery actions Step Functions logging needs (logs:CreateLogDelivery and the like), which accept only "*".',
    },
    {
      id: 'AwsSolutions-SF2',
      reason: 'The aws-cdk-lib provider framework builds its waiter state machine without an X-Ray option; it only loops over the isComplete function, and its events are logged.',
    },
    ...frameworkFunctions.map((fn) => ({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(provider).resolve((fn.node.defaultChild as CfnResource).logicalId) as string}.Arn>:*]`,
      reason: 'The waiter state machine may invoke any version of the framework function it runs (isComplete or onTimeout); nothing else.',
    })),
  );
}
