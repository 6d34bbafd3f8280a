import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultDomainName } from '../../infra/stacks/pipeline-stack';
import { NETWORK, synthesize } from './shapes';

/**
 * Shape: the production profile (three zones, dedicated masters, audit logs) in a VPC of
 * three zones, the service-linked role created by the stack, a two-letter stack name.
 */
const CONFIG = {
  stackName: 'Ab',
  opensearch: { mode: 'new-domain', profile: 'production', createServiceLinkedRole: true },
  network: {
    ...NETWORK,
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'],
  },
  subscriptions: { prefixes: ['/aws/lambda/'] },
  athena: { source: 'none' },
};

let template: Template;
beforeAll(() => {
  ({ template } = synthesize(CONFIG));
});

describe('production profile', () => {
  it('spreads three data nodes over three zones with three dedicated masters', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      ClusterConfig: Match.objectLike({
        InstanceCount: 3,
        ZoneAwarenessEnabled: true,
        ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
        DedicatedMasterEnabled: true,
        DedicatedMasterCount: 3,
      }),
      VPCOptions: Match.objectLike({ SubnetIds: NETWORK.subnetIds.concat('subnet-0123456789abcdef2') }),
    });
  });

  it('publishes audit logs to a log group of the stack, under the one CloudWatch Logs resource policy', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      LogPublishingOptions: Match.objectLike({ AUDIT_LOGS: Match.objectLike({ Enabled: true }) }),
    });
    // CloudWatch Logs allows 10 resource policies per account and region: the stack adds one.
    template.resourceCountIs('AWS::Logs::ResourcePolicy', 1);
    const policy = Object.values(template.findResources('AWS::Logs::ResourcePolicy'))[0]!;
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('OpenSearchAuditLogs');
  });

  it('creates the OpenSearch service-linked role before the domain when asked to', () => {
    template.hasResourceProperties('AWS::IAM::ServiceLinkedRole', { AWSServiceName: 'opensearchservice.amazonaws.com' });
    const [roleId] = Object.keys(template.findResources('AWS::IAM::ServiceLinkedRole'));
    const domain = Object.values(template.findResources('AWS::OpenSearchService::Domain'))[0]!;
    expect(domain.DependsOn).toContain(roleId);
  });

  it('gives a two-letter stack a valid domain name (3 to 28 characters)', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', { DomainName: 'ab-logs' });
    for (const stackName of ['A', 'Ab', 'X1', '9Lives', 'A-very-long-stack-name-for-a-domain-indeed']) {
      expect(defaultDomainName(stackName)).toMatch(/^[a-z][a-z0-9-]{2,27}$/);
    }
  });
});
