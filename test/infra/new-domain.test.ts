import type { Stack } from 'aws-cdk-lib';
import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, environmentOf, grantsOf, NETWORK, REGION, synthesize } from './shapes';

/** Shapes: a new public domain with a Slack channel, and a new zone-aware domain in a VPC. */
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/LogAdmins`;
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:slack-webhook-AbCdEf`;
const PUBLIC = {
  stackName: 'LogsPublic',
  opensearch: { mode: 'new-domain', dataNodes: 1, dataNodeInstanceType: 't3.medium.search', volumeSizeGiB: 20, adminRoleArns: [ADMIN], removalPolicy: 'destroy' },
  subscriptions: { logGroups: ['/aws/rds/instance/db/slowquery'] },
  athena: { source: 'none' },
  alerts: { channel: 'slack', webhookSecretArn: SECRET_ARN },
};
const PRIVATE = {
  stackName: 'LogsPrivate',
  account: ACCOUNT,
  region: REGION,
  opensearch: { mode: 'new-domain', domainName: 'pipeline-logs', dataNodes: 2, dedicatedMasterNodes: 3 },
  network: { ...NETWORK, securityGroupIds: ['sg-0123456789abcdef0'] },
  subscriptions: { prefixes: ['/aws/lambda/'] },
};

let publicDomain: Template;
let privateDomain: Template;
let privateStack: Stack;
beforeAll(() => {
  publicDomain = synthesize(PUBLIC).template;
  const synthesized = synthesize(PRIVATE);
  privateDomain = synthesized.template;
  privateStack = synthesized.stack;
});

describe('new domain', () => {
  it.each([
    ['public', () => publicDomain],
    ['in a VPC', () => privateDomain],
  ])('(%s) encrypts at rest and between nodes, HTTPS only with TLS 1.2, fine-grained access control', (_shape, template) => {
    template().hasResourceProperties('AWS::OpenSearchService::Domain', {
      EncryptionAtRestOptions: { Enabled: true },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: { EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-2019-07' },
      AdvancedSecurityOptions: {
        Enabled: true,
        InternalUserDatabaseEnabled: false,
        MasterUserOptions: { MasterUserARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OpenSearchAdminRole'), 'Arn'] } },
      },
      LogPublishingOptions: {
        SEARCH_SLOW_LOGS: Match.objectLike({ Enabled: true }),
        INDEX_SLOW_LOGS: Match.objectLike({ Enabled: true }),
        ES_APPLICATION_LOGS: Match.objectLike({ Enabled: true }),
      },
    });
  });

  it('delegates domain access to IAM principals of the account (no anonymous access)', () => {
    const domain = Object.values(publicDomain.findResources('AWS::OpenSearchService::Domain'))[0]!;
    const statement = domain.Properties.AccessPolicies.Statement[0];
    expect(statement.Principal).toEqual({ AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] } });
    expect(JSON.stringify(statement.Resource)).toContain(':domain/logspublic/*');
    expect(domain.Properties.DomainName).toBe('logspublic');
    expect(domain.DeletionPolicy).toBe('Delete');
  });

  it('sizes the domain from the configuration', () => {
    publicDomain.hasResourceProperties('AWS::OpenSearchService::Domain', {
      EngineVersion: 'OpenSearch_2.19',
      ClusterConfig: Match.objectLike({ InstanceCount: 1, InstanceType: 't3.medium.search', ZoneAwarenessEnabled: false, DedicatedMasterEnabled: false }),
      EBSOptions: { EBSEnabled: true, VolumeSize: 20, VolumeType: 'gp3' },
    });
    privateDomain.hasResourceProperties('AWS::OpenSearchService::Domain', {
      DomainName: 'pipeline-logs',
      ClusterConfig: Match.objectLike({
        InstanceCount: 2,
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 2 },
        DedicatedMasterEnabled: true,
        DedicatedMasterCount: 3,
      }),
    });
    const retained = Object.values(privateDomain.findResources('AWS::OpenSearchService::Domain'))[0]!;
    expect(retained.DeletionPolicy).toBe('Retain');
  });

  it('lets the OpenSearch service write its slow and error logs through one resource policy', () => {
    const policies = Object.values(publicDomain.findResources('AWS::Logs::ResourcePolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties.PolicyName).toBe('logspublic-opensearch-logs');
    const document = JSON.stringify(policies[0]!.Properties.PolicyDocument);
    expect(document).toContain('es.amazonaws.com');
    for (const group of ['OpenSearchSlowSearchLogs', 'OpenSearchSlowIndexLogs', 'OpenSearchApplicationLogs']) expect(document).toContain(group);
  });

  it('maps the writers and the configured admins through the security API as the master user', () => {
    publicDomain.hasResourceProperties('Custom::OpenSearchRoleMapping', {
      WriterRole: 'cwl_pipeline_writer',
      WriterRoleArns: [
        { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShipperHandlerRole'), 'Arn'] },
        { 'Fn::GetAtt': [Match.stringLikeRegexp('^RedriveHandlerRole'), 'Arn'] },
      ],
      AdminRoleArns: [ADMIN],
      IndexPatterns: ['cwl-*'],
    });
    const mappingHandler = Object.values(publicDomain.findResources('AWS::Lambda::Function')).find((fn) =>
      /maps the pipeline roles/.test(fn.Properties.Description),
    )!;
    const assetsHandler = Object.values(publicDomain.findResources('AWS::Lambda::Function')).find((fn) =>
      /applies index templates/.test(fn.Properties.Description),
    )!;
    // Both run as the domain's master user.
    expect(mappingHandler.Properties.Role).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OpenSearchAdminRole/), 'Arn'] });
    expect(assetsHandler.Properties.Role).toEqual(mappingHandler.Properties.Role);
  });

  it('points the functions at the new domain', () => {
    expect(environmentOf(publicDomain, /Ships CloudWatch Logs/)).toMatchObject({
      OPENSEARCH_ENDPOINT: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^OpenSearchDomain/), 'DomainEndpoint'] }]] },
      OPENSEARCH_AUTH: 'sigv4',
    });
    const writers = grantsOf(publicDomain, 'es:ESHttpPost');
    for (const grant of writers) {
      expect(grant.Resource).toEqual([
        { 'Fn::GetAtt': [expect.stringMatching(/^OpenSearchDomain/), 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^OpenSearchDomain/), 'Arn'] }, '/*']] },
      ]);
    }
  });

  it('alarms on the new domain by name and account', () => {
    publicDomain.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ClusterStatus.red',
      Dimensions: [
        { Name: 'ClientId', Value: { Ref: 'AWS::AccountId' } },
        { Name: 'DomainName', Value: { Ref: Match.stringLikeRegexp('^OpenSearchDomain') } },
      ],
    });
  });

  it('sets the free-storage alarm at 25% of the volume, as AWS suggests (not a fixed 20 GiB a 20 GiB volume is always under)', () => {
    publicDomain.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FreeStorageSpace',
      Threshold: 20 * 1024 * 0.25,
      ComparisonOperator: 'LessThanOrEqualToThreshold',
    });
  });

  it.each([
    ['CPUUtilization', 80, 900, 3],
    ['JVMMemoryPressure', 95, 60, 3],
    ['OldGenJVMMemoryPressure', 80, 60, 3],
    ['AutomatedSnapshotFailure', 1, 60, 1],
    ['KMSKeyError', 1, 60, 1],
    ['KMSKeyInaccessible', 1, 60, 1],
    ['ThreadpoolWriteQueue', 100, 60, 1],
    ['ThreadpoolWriteRejected', 1, 300, 3],
    ['MasterCPUUtilization', 50, 900, 3],
    ['MasterJVMMemoryPressure', 95, 60, 3],
    ['MasterOldGenJVMMemoryPressure', 80, 60, 3],
  ])('alarms on %s >= %d (period %ds, %d periods), as AWS recommends', (metricName, threshold, period, evaluationPeriods) => {
    privateDomain.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ES',
      MetricName: metricName,
      Threshold: threshold,
      Period: period,
      EvaluationPeriods: evaluationPeriods,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms when a node is missing for a day, counting data and master nodes', () => {
    privateDomain.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Nodes', Threshold: 5, Period: 86400, ComparisonOperator: 'LessThanThreshold' });
    publicDomain.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Nodes', Threshold: 1 });
  });

  it('alarms on 10% or more 5xx answers', () => {
    privateDomain.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 10,
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: '100 * errors / MAX([errors, requests])' }),
        Match.objectLike({ Id: 'errors', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: '5xx' }) }) }),
      ]),
    });
  });

  it('has no master alarms without dedicated masters', () => {
    publicDomain.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'MasterCPUUtilization' }, 0);
  });

  it('warns at synth that a VPC domain needs the OpenSearch service-linked role, and says what to run', () => {
    Annotations.fromStack(privateStack).hasWarning(
      '*',
      Match.stringLikeRegexp('aws iam create-service-linked-role --aws-service-name opensearchservice.amazonaws.com'),
    );
    privateDomain.resourceCountIs('AWS::IAM::ServiceLinkedRole', 0);
  });

  it('gives the indices as many replicas as the data nodes can hold (none on one node)', () => {
    publicDomain.hasResourceProperties('Custom::OpenSearchAssets', { Settings: Match.objectLike({ INDEX_REPLICAS: '0' }) });
    expect(environmentOf(publicDomain, /applies index templates/)).toMatchObject({ INDEX_REPLICAS: '0' });
    privateDomain.hasResourceProperties('Custom::OpenSearchAssets', { Settings: Match.objectLike({ INDEX_REPLICAS: '1' }) });
  });

  it('gives the assets the Slack webhook secret\'s ARN, never the URL, and lets only them read that secret', () => {
    const variables = environmentOf(publicDomain, /applies index templates/);
    expect(variables).toMatchObject({ ALERT_CHANNEL: 'slack', ALERT_WEBHOOK_SECRET_ARN: SECRET_ARN });
    expect(variables).not.toHaveProperty('ALERT_WEBHOOK_URL');
    expect(JSON.stringify(publicDomain.toJSON())).not.toContain('hooks.slack.com');
    expect(grantsOf(publicDomain, 'secretsmanager:GetSecretValue')).toEqual([expect.objectContaining({ Resource: SECRET_ARN })]);
  });
});

describe('new domain in a VPC', () => {
  it('places the domain in two subnets behind a group that admits only the functions on 443', () => {
    privateDomain.hasResourceProperties('AWS::OpenSearchService::Domain', {
      VPCOptions: {
        SubnetIds: NETWORK.subnetIds,
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^OpenSearchSecurityGroup'), 'GroupId'] }],
      },
    });
    privateDomain.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkClientSecurityGroup'), 'GroupId'] },
    });
    privateDomain.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('HTTPS from the pipeline functions only'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' })],
    });
  });

  it('runs every OpenSearch client function in the VPC, with the extra group', () => {
    const clients = /Ships CloudWatch Logs|Replays failed|applies index templates|maps the pipeline roles|LookupEvents|Athena query statistics/;
    const functions = Object.values(privateDomain.findResources('AWS::Lambda::Function')).filter((fn) => clients.test(fn.Properties.Description ?? ''));
    expect(functions).toHaveLength(6);
    for (const fn of functions) {
      expect(fn.Properties.VpcConfig).toEqual({
        SubnetIds: NETWORK.subnetIds,
        SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^NetworkClientSecurityGroup/), 'GroupId'] }, 'sg-0123456789abcdef0'],
      });
    }
    // The subscriber only calls CloudWatch Logs: it stays out of the VPC.
    const subscriber = Object.values(privateDomain.findResources('AWS::Lambda::Function')).find((fn) => /Subscribes matching/.test(fn.Properties.Description))!;
    expect(subscriber.Properties.VpcConfig).toBeUndefined();
  });

  it('outputs the functions\' security group for existing domains to admit', () => {
    privateDomain.hasOutput('ClientSecurityGroupId', {});
  });

  it('creates no interface endpoints unless network.interfaceEndpoints asks for them', () => {
    privateDomain.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });
});
