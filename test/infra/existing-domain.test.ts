import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_PLATFORM_FILTER } from '../../functions/subscriber/filter-patterns';
import { DOMAIN_ARN, DOMAIN_ENDPOINT, environmentOf, grantsOf, synthesize } from './shapes';

/**
 * Shape: an existing domain, direct Lambda subscriptions by name and prefix, the
 * LookupEvents poller, the enricher, assets, no alert channel. One synthesis per file.
 */
const CONFIG = {
  opensearch: { mode: 'existing-domain', endpoint: DOMAIN_ENDPOINT, domainArn: DOMAIN_ARN },
  indexing: { prefix: 'logs', naming: 'per-log-group' },
  routes: { lambda: ['/custom/functions/*'] },
  shipper: { memoryMiB: 2048, timeoutSeconds: 300, reservedConcurrency: 20 },
  subscriptions: { logGroups: ['/aws/rds/instance/orders/slowquery'], prefixes: ['/aws/lambda/', '/aws/rds/'] },
  athena: { source: 'poller', pollerScheduleMinutes: 10, lookbackMinutes: 30, enricher: { scheduleMinutes: 20, pricePerTbUsd: 6.25, lookbackHours: 12 } },
  redrive: { scheduleMinutes: 30, maxMessages: 500, maxReceiveCount: 7 },
  alarms: { freeStorageSpaceMiB: 10_240 },
  assets: { retentionDays: 14, deadletterRetentionDays: 60, tenant: 'ops' },
};

let template: Template;
beforeAll(() => {
  ({ template } = synthesize(CONFIG));
});

describe('existing domain, direct subscriptions, poller', () => {
  it('builds the shipper for a full batch: Node.js 24 on arm64, memory, timeout, reserved concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Ships CloudWatch Logs'),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 2048,
      Timeout: 300,
      ReservedConcurrentExecutions: 20,
    });
  });

  it('gives the shipper the pipeline variables', () => {
    expect(environmentOf(template, /Ships CloudWatch Logs/)).toMatchObject({
      OPENSEARCH_ENDPOINT: DOMAIN_ENDPOINT,
      OPENSEARCH_AUTH: 'sigv4',
      INDEX_PREFIX: 'logs',
      INDEX_NAMING: 'per-log-group',
      BULK_MAX_BYTES: String(5 * 1024 * 1024),
      BULK_MAX_DOCUMENTS: '1000',
      ROUTE_LAMBDA: '/custom/functions/*',
      POWERTOOLS_SERVICE_NAME: 'shipper',
      POWERTOOLS_METRICS_NAMESPACE: 'CwlOpenSearch',
    });
  });

  it('lets CloudWatch Logs invoke the shipper with one permission for every log group', () => {
    const permissions = template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 'logs.amazonaws.com' } });
    expect(Object.values(permissions)).toHaveLength(1);
    expect(Object.values(permissions)[0]!.Properties).toMatchObject({
      Action: 'lambda:InvokeFunction',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':log-group:*']],
      },
    });
  });

  it('sends failed asynchronous invocations to an encrypted queue that has its own dead-letter queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterOnFailure'), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
      RedrivePolicy: { maxReceiveCount: 7, deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLetterLastResort'), 'Arn'] } },
    });
    for (const queue of Object.values(template.findResources('AWS::SQS::Queue'))) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    }
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      2,
    );
  });

  it('replays the dead-letter queue on a schedule with the queue URL', () => {
    expect(environmentOf(template, /Replays failed shipper invocations/)).toMatchObject({
      DLQ_URL: { Ref: expect.stringMatching(/^DeadLetterOnFailure/) },
      REDRIVE_MAX_MESSAGES: '500',
      OPENSEARCH_ENDPOINT: DOMAIN_ENDPOINT,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 minutes)',
      Targets: [Match.objectLike({ Input: '{"maxMessages":500}' })],
    });
    expect(grantsOf(template, 'sqs:ReceiveMessage')).toHaveLength(1);
  });

  it('grants OpenSearch HTTP actions on the domain to every writer, and no wider', () => {
    const grants = grantsOf(template, 'es:ESHttpPost');
    // shipper, redrive, poller, enricher, assets
    expect(grants).toHaveLength(5);
    for (const grant of grants) expect(grant.Resource).toEqual([DOMAIN_ARN, `${DOMAIN_ARN}/*`]);
    expect(grantsOf(template, 'es:ESHttpDelete')).toHaveLength(1);
  });

  it('names the function roles after the stack, so they can be mapped in the domain before the first deployment', () => {
    const names = Object.values(template.findResources('AWS::IAM::Role')).map((role) => role.Properties.RoleName).filter(Boolean);
    expect(names.sort()).toEqual(
      ['assets', 'cloudtrail-poller', 'enricher', 'redrive', 'shipper', 'subscriber'].map((purpose) => `CwlOpenSearch-${purpose}`),
    );
  });

  it('subscribes existing groups through the subscriber custom resource', () => {
    template.hasResourceProperties('Custom::LogSubscriptions', {
      SUBSCRIBE_LOG_GROUPS: '/aws/rds/instance/orders/slowquery',
      SUBSCRIBE_PREFIXES: '/aws/lambda/,/aws/rds/',
      FILTER_PATTERN_LAMBDA: LAMBDA_PLATFORM_FILTER,
      FILTER_PATTERN_ATHENA_CLOUDTRAIL: '{ ($.eventSource = "athena.amazonaws.com") || ($.userIdentity.invokedBy = "athena.amazonaws.com") }',
      FILTER_PATTERN_RDS_MYSQL_SLOWQUERY: '',
      ROUTE_LAMBDA: '/custom/functions/*',
      DESTINATION_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShipperHandlerFunction'), 'Arn'] },
    });
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 0);
  });

  it('keeps the stack\'s own log groups out of the subscriptions', () => {
    const exclude = environmentOf(template, /Subscribes matching/).SUBSCRIBE_EXCLUDE as { 'Fn::Join': [string, Array<{ Ref: string }>] };
    const excluded = exclude['Fn::Join'][1].map((ref) => ref.Ref);
    const logGroups = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    expect(excluded.sort()).toEqual(logGroups.sort());
  });

  it('subscribes new log groups from CloudTrail CreateLogGroup events', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.logs'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['logs.amazonaws.com'],
          eventName: ['CreateLogGroup'],
          requestParameters: { logGroupName: ['/aws/rds/instance/orders/slowquery', { prefix: '/aws/lambda/' }, { prefix: '/aws/rds/' }] },
        },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SubscriptionsSubscriberFunction'), 'Arn'] } })],
    });
  });

  it('lets the subscriber manage filters only on the configured groups and prefixes, without passing any role', () => {
    const logGroupArn = (name: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:log-group:${name}`]],
    });
    const grant = grantsOf(template, 'logs:PutSubscriptionFilter');
    expect(grant).toHaveLength(1);
    expect(grant[0]!.Action).toEqual(['logs:DescribeSubscriptionFilters', 'logs:PutSubscriptionFilter', 'logs:DeleteSubscriptionFilter']);
    expect(grant[0]!.Resource).toEqual([
      logGroupArn('/aws/rds/instance/orders/slowquery'),
      logGroupArn('/aws/rds/instance/orders/slowquery:*'),
      logGroupArn('/aws/lambda/*'),
      logGroupArn('/aws/rds/*'),
    ]);
    // Only the list action keeps the account-wide wildcard.
    expect(grantsOf(template, 'logs:DescribeLogGroups').filter((statement) => statement.Action === 'logs:DescribeLogGroups')).toEqual([
      expect.objectContaining({ Resource: logGroupArn('*') }),
    ]);
    expect(grantsOf(template, 'iam:PassRole')).toHaveLength(0);
  });

  it('polls CloudTrail LookupEvents on a schedule and enriches Athena queries', () => {
    expect(environmentOf(template, /CloudTrail LookupEvents/)).toMatchObject({ CLOUDTRAIL_LOOKBACK_MINUTES: '30', INDEX_PREFIX: 'logs' });
    expect(grantsOf(template, 'cloudtrail:LookupEvents')).toEqual([expect.objectContaining({ Resource: '*' })]);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(10 minutes)' });
    expect(environmentOf(template, /Athena query statistics/)).toMatchObject({ ATHENA_PRICE_PER_TB_USD: '6.25', ENRICH_LOOKBACK_HOURS: '12' });
    // The enricher calls only BatchGetQueryExecution.
    const athena = grantsOf(template, 'athena:BatchGetQueryExecution');
    expect(athena).toHaveLength(1);
    expect(athena[0]!.Action).toBe('athena:BatchGetQueryExecution');
    expect(grantsOf(template, 'athena:GetQueryExecution')).toEqual([]);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(20 minutes)' });
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
  });

  it.each([
    ['poller', /CloudTrail LookupEvents/, 10],
    ['enricher', /Athena query statistics/, 20],
  ])('runs one %s at a time and drops a throttled run once the next one is due', (_name, description, scheduleMinutes) => {
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp(description.source), ReservedConcurrentExecutions: 1 });
    const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, resource]) => description.test(resource.Properties.Description))!;
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fn[0] },
      MaximumEventAgeInSeconds: scheduleMinutes * 60,
    });
  });

  it('applies the dashboards assets from a custom resource keyed by the data hash', () => {
    template.hasResourceProperties('Custom::OpenSearchAssets', {
      AssetsHash: Match.stringLikeRegexp('^[0-9a-f]{32}$'),
      Settings: Match.objectLike({ RETENTION_DAYS: '14', DASHBOARDS_TENANT: 'ops', ALERT_CHANNEL: 'none' }),
    });
    expect(environmentOf(template, /applies index templates/)).toMatchObject({
      DASHBOARDS_URL: `${DOMAIN_ENDPOINT}/_dashboards`,
      DASHBOARDS_TENANT: 'ops',
      RETENTION_DAYS: '14',
      DEADLETTER_RETENTION_DAYS: '60',
      ALERT_CHANNEL: 'none',
      INDEX_PREFIX: 'logs',
    });
    expect(environmentOf(template, /applies index templates/)).not.toHaveProperty('ALERT_SNS_TOPIC_ARN');
    template.resourceCountIs('Custom::OpenSearchRoleMapping', 0);
  });

  it('alarms on the domain health and the dead-letter queues, to an encrypted topic', () => {
    const dimensions = [
      { Name: 'ClientId', Value: '123456789012' },
      { Name: 'DomainName', Value: 'logs' },
    ];
    for (const metric of ['ClusterStatus.red', 'ClusterStatus.yellow', 'ClusterIndexWritesBlocked']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ES', MetricName: metric, Dimensions: dimensions });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FreeStorageSpace',
      Threshold: 10_240,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
    });
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible' }, 2);
    for (const metric of ['Errors', 'Throttles', 'AsyncEventsDropped', 'DestinationDeliveryFailures']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: metric });
    }
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^AlarmsTopic/) }]);
    }
  });

  it('outputs the Dashboards URL, the dead-letter queue and the alarm topic', () => {
    template.hasOutput('DashboardsUrl', { Value: `${DOMAIN_ENDPOINT}/_dashboards` });
    template.hasOutput('DeadLetterQueueUrl', { Value: { Ref: Match.stringLikeRegexp('^DeadLetterOnFailure') } });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: Match.stringLikeRegexp('^AlarmsTopic') } });
    template.hasOutput('WriterRoleArns', {});
  });

  it('creates no Kinesis stream, domain or VPC resources', () => {
    for (const type of ['AWS::Kinesis::Stream', 'AWS::OpenSearchService::Domain', 'AWS::EC2::SecurityGroup', 'AWS::Lambda::EventSourceMapping']) {
      template.resourceCountIs(type, 0);
    }
  });
});
