import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { environmentOf, grantsOf, synthesize } from './shapes';

/** Shape: a Serverless collection, an existing trail's log group, no enricher, no assets. */
const COLLECTION_ARN = 'arn:aws:aoss:eu-west-1:123456789012:collection/k2x7abc9';
const ENDPOINT = 'https://k2x7abc9.eu-west-1.aoss.amazonaws.com';
const CONFIG = {
  stackName: 'LogsServerless',
  opensearch: { mode: 'serverless', endpoint: ENDPOINT, collectionArn: COLLECTION_ARN, collectionName: 'logs' },
  indexing: { prefix: 'app' },
  subscriptions: { logGroups: ['/aws/rds/cluster/main/slowquery'], subscribeNewLogGroups: false },
  athena: { source: 'log-group', logGroupName: 'org-trail-logs', enricher: { enabled: false } },
};

/** Stands for a role ARN token in a rendered policy. */
const ROLE = '<role arn>';

/** The data access policy as JSON, each role ARN token replaced by ROLE. */
function policyDocument(rendered: unknown): Array<{ Principal: unknown[] } & Record<string, unknown>> {
  if (typeof rendered === 'string') return JSON.parse(rendered);
  const [separator, parts] = (rendered as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : ROLE)).join(separator));
}

let template: Template;
beforeAll(() => {
  ({ template } = synthesize(CONFIG));
});

describe('Serverless collection, existing trail log group', () => {
  it('signs for aoss and grants API access on the collection only', () => {
    expect(environmentOf(template, /Ships CloudWatch Logs/)).toMatchObject({ OPENSEARCH_ENDPOINT: ENDPOINT, OPENSEARCH_AUTH: 'sigv4-aoss' });
    const grants = grantsOf(template, 'aoss:APIAccessAll');
    expect(grants).toHaveLength(2); // shipper, redrive
    for (const grant of grants) expect(grant.Resource).toBe(COLLECTION_ARN);
    expect(grantsOf(template, 'es:ESHttpPost')).toHaveLength(0);
  });

  it('writes the data access policy for the writer roles on the pipeline indices', () => {
    const policies = Object.values(template.findResources('AWS::OpenSearchServerless::AccessPolicy'));
    expect(policies).toHaveLength(1);
    expect(policies[0]!.Properties).toMatchObject({ Name: 'logsserverless-data', Type: 'data' });
    const document = JSON.stringify(policies[0]!.Properties.Policy);
    expect(document).toContain('index/logs/app-*');
    expect(document).toContain('aoss:WriteDocument');
    expect(document).toContain('ShipperHandlerRole');
    expect(document).toContain('RedriveHandlerRole');
  });

  it('has only the writers\' rule when nothing administers the collection (no empty Principal)', () => {
    const policy = Object.values(template.findResources('AWS::OpenSearchServerless::AccessPolicy'))[0]!;
    const rules = policyDocument(policy.Properties.Policy);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      Description: expect.stringMatching(/^Pipeline writers/),
      Rules: [{ ResourceType: 'index', Resource: ['index/logs/app-*'] }],
      Principal: [ROLE, ROLE],
    });
    for (const rule of rules) expect(rule.Principal).not.toEqual([]);
  });

  it('subscribes the existing trail log group by name, routed to the Athena parser with its pattern', () => {
    template.hasResourceProperties('Custom::LogSubscriptions', {
      SUBSCRIBE_LOG_GROUPS: '/aws/rds/cluster/main/slowquery,org-trail-logs',
      ROUTE_ATHENA_CLOUDTRAIL: 'org-trail-logs',
    });
    expect(environmentOf(template, /Ships CloudWatch Logs/)).toMatchObject({ ROUTE_ATHENA_CLOUDTRAIL: 'org-trail-logs' });
    template.resourceCountIs('AWS::CloudTrail::Trail', 0);
  });

  it('has no CreateLogGroup rule when new groups are not wanted', () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules.some((rule) => rule.Properties.EventPattern?.source?.includes('aws.logs'))).toBe(false);
  });

  it('leaves out what Serverless lacks: assets, domain alarms; and what is switched off: enricher, poller', () => {
    template.resourceCountIs('Custom::OpenSearchAssets', 0);
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ES' }, 0);
    const descriptions = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => String(fn.Properties.Description));
    expect(descriptions.filter((text) => /Athena query statistics|LookupEvents/.test(text))).toEqual([]);
  });
});
