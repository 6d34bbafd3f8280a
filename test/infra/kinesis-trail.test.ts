import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN_ARN, DOMAIN_ENDPOINT, environmentOf, grantsOf, synthesize } from './shapes';

/**
 * Shape: the Kinesis scale path, a CloudTrail trail created by the stack, an SNS alert
 * channel on the stack's own topic, an e-mail subscription to the alarms.
 */
const CONFIG = {
  stackName: 'LogsAtScale',
  opensearch: { mode: 'existing-domain', endpoint: DOMAIN_ENDPOINT, domainArn: DOMAIN_ARN },
  subscriptions: {
    prefixes: ['/aws/lambda/', '/aws-glue/jobs/'],
    destination: 'kinesis',
    filterPatterns: { lambda: '' },
    kinesis: { shardCount: 4, retentionHours: 48, batchSize: 500, maxBatchingWindowSeconds: 10, parallelizationFactor: 2, retryAttempts: 20 },
  },
  athena: { source: 'trail', trailLogRetentionDays: 14, enricher: { onQueryStateChange: true, reservedConcurrency: 0 } },
  alarms: { email: 'oncall@example.com' },
  alerts: { channel: 'sns' },
};

let template: Template;
beforeAll(() => {
  ({ template } = synthesize(CONFIG));
});

describe('Kinesis path', () => {
  it('creates an encrypted stream with the configured shards and retention', () => {
    template.hasResourceProperties('AWS::Kinesis::Stream', {
      ShardCount: 4,
      RetentionPeriodHours: 48,
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
    });
  });

  it('consumes it with batching, bisect on error, partial batch responses and a failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShipperStream'), 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^ShipperHandlerFunction') },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 10,
      ParallelizationFactor: 2,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 20,
      MaximumRecordAgeInSeconds: 48 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterKinesisFailures'), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Namespace: 'AWS/Lambda' });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible' }, 3);
  });

  it('lets only CloudWatch Logs of this account and region assume the role that writes to the stream', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'logs.amazonaws.com' },
            Condition: {
              StringLike: {
                'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*']] },
              },
            },
          }),
        ],
      },
    });
    const writes = grantsOf(template, 'kinesis:PutRecord');
    expect(writes).toHaveLength(1);
    expect(writes[0]!.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ShipperStream/), 'Arn'] });
  });

  it('subscribes to the stream with that role, which the subscriber may pass', () => {
    template.hasResourceProperties('Custom::LogSubscriptions', {
      DESTINATION_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShipperStream'), 'Arn'] },
      DESTINATION_ROLE_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShipperLogsToKinesisRole'), 'Arn'] },
      FILTER_PATTERN_LAMBDA: '',
    });
    expect(grantsOf(template, 'iam:PassRole')).toContainEqual(
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ShipperLogsToKinesisRole/), 'Arn'] } }),
    );
  });

  it('does not open the shipper to direct invocation by CloudWatch Logs', () => {
    template.resourcePropertiesCountIs('AWS::Lambda::Permission', { Principal: 'logs.amazonaws.com' }, 0);
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'AsyncEventsDropped' }, 0);
  });
});

describe('CloudTrail trail for Athena', () => {
  it('creates a regional trail of management events delivering to a named log group', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/aws/cloudtrail/LogsAtScale/athena', RetentionInDays: 14 });
    template.hasResourceProperties('AWS::CloudTrail::Trail', {
      IsMultiRegionTrail: false,
      IncludeGlobalServiceEvents: false,
      EnableLogFileValidation: true,
      CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AthenaTrailLogs'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
  });

  it('subscribes the trail log group declaratively with the Athena-only pattern', () => {
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^AthenaTrailLogs') },
      FilterPattern: '{ ($.eventSource = "athena.amazonaws.com") || ($.userIdentity.invokedBy = "athena.amazonaws.com") }',
      DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShipperStream'), 'Arn'] },
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShipperLogsToKinesisRole'), 'Arn'] },
    });
    expect(environmentOf(template, /Ships CloudWatch Logs/)).toMatchObject({ ROUTE_ATHENA_CLOUDTRAIL: '/aws/cloudtrail/LogsAtScale/athena' });
  });

  it('spreads the trail filter\'s records over the shards (distribution Random)', () => {
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', { Distribution: 'Random' });
  });

  it('alarms on throttled writes to the stream', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Kinesis',
      MetricName: 'WriteProvisionedThroughputExceeded',
      Dimensions: [{ Name: 'StreamName', Value: { Ref: Match.stringLikeRegexp('^ShipperStream') } }],
    });
  });

  it('runs the enricher on its schedule and when a query finishes, without a poller', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.athena'], 'detail-type': ['Athena Query State Change'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AthenaEnricherFunction'), 'Arn'] } })],
    });
    expect(grantsOf(template, 'cloudtrail:LookupEvents')).toHaveLength(0);
  });

  it('leaves the enricher unreserved when the configuration says 0', () => {
    const enricher = Object.values(template.findResources('AWS::Lambda::Function')).find((fn) => /Athena query statistics/.test(fn.Properties.Description))!;
    expect(enricher.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
  });
});

describe('SNS alert channel and e-mail alarms', () => {
  it('creates a role OpenSearch assumes to publish to the alarm topic, and lets the assets pass it', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'es.amazonaws.com' } })] },
    });
    expect(grantsOf(template, 'sns:Publish')).toContainEqual(expect.objectContaining({ Resource: { Ref: expect.stringMatching(/^AlarmsTopic/) } }));
    expect(environmentOf(template, /applies index templates/)).toMatchObject({
      ALERT_CHANNEL: 'sns',
      ALERT_SNS_TOPIC_ARN: { Ref: expect.stringMatching(/^AlarmsTopic/) },
      ALERT_SNS_ROLE_ARN: { 'Fn::GetAtt': [expect.stringMatching(/^AlertingSnsRole/), 'Arn'] },
    });
    expect(grantsOf(template, 'iam:PassRole')).toContainEqual(
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^AlertingSnsRole/), 'Arn'] } }),
    );
  });

  it('subscribes the e-mail address to the alarm topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('lets only this account\'s CloudWatch alarms use the topic key (confused deputy)', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':cloudwatch:', ':alarm:*'])] }) },
            },
          }),
        ]),
      },
    });
  });

  it('lets only this account\'s domain assume the alerting role (confused deputy)', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'es.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':es:', ':domain/logs'])] }) },
            },
          }),
        ],
      },
    });
  });
});
