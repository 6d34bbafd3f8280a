import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN_ARN, DOMAIN_ENDPOINT, environmentOf, grantsOf, policiesOf, roleOf, synthesize } from './shapes';

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

  it('consumes it with batching, bisect on error, partial batch responses and a failure bucket', () => {
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
      // An hour inside the stream's 48: Lambda gives a failed batch up while its records are still there.
      MaximumRecordAgeInSeconds: 47 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShipperKinesisFailuresBucket'), 'Arn'] } } },
      MetricsConfig: { Metrics: ['EventCount'] },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Namespace: 'AWS/Lambda' });
    // The dead-letter and last-resort queues; no SQS queue for Kinesis failure metadata.
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible' }, 2);
    template.resourceCountIs('AWS::SQS::Queue', 2);
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

describe('Kinesis failures keep the records (issue 11, item 3)', () => {
  const failureBucket = () => {
    const buckets = Object.entries(template.findResources('AWS::S3::Bucket')).filter(([id]) => /^ShipperKinesisFailuresBucket/.test(id));
    expect(buckets).toHaveLength(1);
    return buckets[0]!;
  };

  it('writes failed batches to an encrypted, private, TLS-only, access-logged bucket that expires them', () => {
    const [id, bucket] = failureBucket();
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^ShipperKinesisFailuresAccessLogs/) } },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 30, Status: 'Enabled' })] },
    });
    expect(bucket.DeletionPolicy).toBe('Retain');
    // Access logs are delivered under a bucket policy (ACLs stay disabled).
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^ShipperKinesisFailuresAccessLogs') },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
    template.resourcePropertiesCountIs('AWS::S3::Bucket', { AccessControl: Match.anyValue() }, 0);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('lets the shipper write failure records to that bucket only, in this account, and read nothing', () => {
    const [id] = failureBucket();
    const puts = grantsOf(template, 's3:PutObject');
    expect(puts).toEqual([
      expect.objectContaining({
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] },
        Condition: { StringEquals: { 's3:ResourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    ]);
    const shipperPolicies = JSON.stringify(policiesOf(template, roleOf(template, /Ships CloudWatch Logs/)));
    expect(shipperPolicies).toContain('"s3:ListBucket"');
    expect(shipperPolicies).not.toMatch(/s3:GetObject|s3:DeleteObject|s3:\*/);
  });

  it('lets the redrive list, read and delete them, and tells it the bucket', () => {
    const [id] = failureBucket();
    expect(environmentOf(template, /Replays failed shipper invocations/)).toMatchObject({ FAILURE_BUCKET: { Ref: id } });
    const redrivePolicies = JSON.stringify(policiesOf(template, roleOf(template, /Replays failed shipper invocations/)));
    for (const action of ['s3:ListBucket', 's3:GetObject', 's3:DeleteObject']) expect(redrivePolicies).toContain(`"${action}"`);
    expect(redrivePolicies).not.toContain('s3:PutObject');
  });

  it('alarms when records reach the bucket, are dropped, or cannot be delivered, and outputs the bucket', () => {
    for (const metricName of ['OnFailureDestinationDeliveredEventCount', 'DroppedEventCount']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [{ Name: 'EventSourceMappingUUID', Value: { Ref: Match.stringLikeRegexp('^ShipperHandlerFunctionKinesisEventSource') } }],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'DestinationDeliveryFailures',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('^ShipperHandlerFunction') } }],
    });
    const [id] = failureBucket();
    template.hasOutput('KinesisFailureBucketName', { Value: { Ref: id } });
  });

  it('keeps failure records for the configured number of days', () => {
    const { template: configured } = synthesize({ ...CONFIG, subscriptions: { ...CONFIG.subscriptions, kinesis: { ...CONFIG.subscriptions.kinesis, failureRetentionDays: 7 } } });
    configured.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.anyValue(),
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 7 })] },
    });
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
