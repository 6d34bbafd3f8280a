import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { NETWORK_INTERFACE_ACTIONS } from '../../infra/constructs/pipeline-function';
import { ACCOUNT, DOMAIN_ARN, NETWORK, REGION, grantsOf, policiesOf, roleOf, synthesize } from './shapes';

/**
 * Shapes: an existing VPC domain reached from four subnets in two zones, with the poller,
 * the enricher and interface endpoints; a new VPC domain with a trail (no poller) and
 * endpoints; the same existing domain without a VPC.
 */
const SUBNETS = ['subnet-0000000000000000a', 'subnet-0000000000000000b', 'subnet-0000000000000000c', 'subnet-0000000000000000d'];
const EXISTING_IN_VPC = {
  account: ACCOUNT,
  region: REGION,
  opensearch: { mode: 'existing-domain', endpoint: `https://vpc-logs-abc123.${REGION}.es.amazonaws.com`, domainArn: DOMAIN_ARN },
  network: { ...NETWORK, subnetIds: SUBNETS, interfaceEndpoints: true },
  subscriptions: { prefixes: ['/aws/lambda/'] },
  athena: { source: 'poller' },
};
const NEW_IN_VPC = {
  opensearch: { mode: 'new-domain', dataNodes: 2 },
  network: { ...NETWORK, interfaceEndpoints: true },
  subscriptions: { prefixes: ['/aws/lambda/'] },
  athena: { source: 'trail' },
};
const NO_VPC = { ...EXISTING_IN_VPC, network: undefined };

/** Functions that call OpenSearch, so run in the VPC. */
const VPC_FUNCTIONS = [/Ships CloudWatch Logs/, /Replays failed/, /LookupEvents/, /Athena query statistics/, /applies index templates/];

let existing: Template;
let created: Template;
let public_: Template;
beforeAll(() => {
  existing = synthesize(EXISTING_IN_VPC).template;
  created = synthesize(NEW_IN_VPC).template;
  public_ = synthesize(NO_VPC).template;
});

/** Statements of the role's policies that grant the network-interface actions. */
function networkInterfaceGrants(template: Template, roleLogicalId: string): Array<Record<string, unknown>> {
  return Object.values(policiesOf(template, roleLogicalId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>)
    .filter((statement) => ([] as unknown[]).concat(statement.Action).includes('ec2:CreateNetworkInterface'));
}

describe('VPC functions\' execution roles', () => {
  it.each(VPC_FUNCTIONS)('%s: may manage its network interfaces, granted before the function is created', (description) => {
    const role = roleOf(existing, description);
    const grants = networkInterfaceGrants(existing, role);
    expect(grants).toEqual([{ Effect: 'Allow', Action: [...NETWORK_INTERFACE_ACTIONS], Resource: '*' }]);
    for (const action of ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses']) {
      expect(grants[0]!.Action).toContain(action);
    }
    // CreateFunction with a VpcConfig checks the role's permissions: the policy must exist first.
    const fn = Object.values(existing.findResources('AWS::Lambda::Function')).find((resource) => description.test(resource.Properties.Description))!;
    expect(fn.Properties.VpcConfig).toBeDefined();
    expect(fn.DependsOn).toEqual(expect.arrayContaining(Object.keys(policiesOf(existing, role))));
  });

  it('grants them once to the new domain\'s master-user role that two VPC functions share', () => {
    const assetsRole = roleOf(created, /applies index templates/);
    expect(roleOf(created, /maps the pipeline roles/)).toBe(assetsRole);
    expect(networkInterfaceGrants(created, assetsRole)).toHaveLength(1);
  });

  it('leaves them out for functions outside a VPC', () => {
    expect(networkInterfaceGrants(existing, roleOf(existing, /Subscribes matching/))).toEqual([]);
    expect(grantsOf(public_, 'ec2:CreateNetworkInterface')).toEqual([]);
  });
});

describe('interface endpoints', () => {
  const service = (name: string) => `com.amazonaws.${REGION}.${name}`;

  it('are created for the APIs the VPC functions call: SQS, Athena, CloudTrail', () => {
    const endpoints = Object.values(existing.findResources('AWS::EC2::VPCEndpoint'));
    expect(endpoints.map((endpoint) => endpoint.Properties.ServiceName).sort()).toEqual([service('athena'), service('cloudtrail'), service('sqs')]);
    for (const endpoint of endpoints) {
      expect(endpoint.Properties).toMatchObject({
        VpcId: NETWORK.vpcId,
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        // One subnet per zone (an endpoint takes at most one): the first of each zone.
        SubnetIds: SUBNETS.slice(0, 2),
        SecurityGroupIds: [{ 'Fn::GetAtt': [expect.stringMatching(/^NetworkEndpointSecurityGroup/), 'GroupId'] }],
      });
    }
  });

  it('admit only the functions\' security group, on 443', () => {
    existing.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkEndpointSecurityGroup'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkClientSecurityGroup'), 'GroupId'] },
    });
    existing.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Interface endpoints'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  it('leave out CloudTrail when there is no poller', () => {
    const services = Object.values(created.findResources('AWS::EC2::VPCEndpoint')).map((endpoint) => JSON.stringify(endpoint.Properties.ServiceName));
    expect(services).toHaveLength(2);
    expect(services.some((name) => name.includes('.sqs'))).toBe(true);
    expect(services.some((name) => name.includes('.athena'))).toBe(true);
  });

  it('exist before the schedules that run the functions calling through them', () => {
    const endpoints = Object.keys(existing.findResources('AWS::EC2::VPCEndpoint'));
    const rules = Object.values(existing.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } }));
    // poller, enricher, redrive
    expect(rules).toHaveLength(3);
    for (const rule of rules) expect(rule.DependsOn, rule.Properties.Description).toEqual(expect.arrayContaining(endpoints));
  });

  it('add S3 on the Kinesis path, whose failed batches the redrive reads from a bucket', () => {
    const kinesis = synthesize({ ...EXISTING_IN_VPC, subscriptions: { ...EXISTING_IN_VPC.subscriptions, destination: 'kinesis' } }).template;
    kinesis.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: service('s3'),
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      // Without a gateway endpoint beside it, S3's private DNS must answer the VPC's own resolver.
      DnsOptions: { PrivateDnsOnlyForInboundResolverEndpoint: 'AllResolvers' },
    });
    existing.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { ServiceName: service('s3') }, 0);
  });

  it('are not created unless asked for', () => {
    public_.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });
});
