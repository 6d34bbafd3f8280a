import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../infra/bin/app';
import { BUNDLING_CONTEXT_KEY } from '../../infra/constructs/pipeline-function';
import { parseAppConfig } from '../../infra/member-config';

/**
 * Every example configuration under infra/examples/ synthesizes with the cdk-nag
 * AwsSolutions checks on (synthesis throws on any unacknowledged finding), code stubbed.
 */
const EXAMPLES_DIR = 'infra/examples';
const EXAMPLES = readdirSync(EXAMPLES_DIR).filter((name) => name.endsWith('.json')).sort();

function synthExample(raw: unknown): Template {
  const app = new App({ context: { [BUNDLING_CONTEXT_KEY]: 'stub' } });
  const stack = createApp(app, parseAppConfig(raw, 'example'));
  app.synth();
  return Template.fromStack(stack);
}

const templates = new Map<string, Template>();
// Eight syntheses with cdk-nag: more than the default hook timeout on a shared machine.
beforeAll(() => {
  for (const name of EXAMPLES) templates.set(name, synthExample(JSON.parse(readFileSync(join(EXAMPLES_DIR, name), 'utf8'))));
}, 300_000);

describe('example configurations', () => {
  it('cover every deployment mode', () => {
    expect(EXAMPLES).toEqual([
      'account-policy.json',
      'central-account.json',
      'existing-domain.json',
      'kinesis.json',
      'member-account.json',
      'new-domain.json',
      'serverless.json',
      'vpc-production.json',
    ]);
  });

  it.each(EXAMPLES)('%s synthesizes with cdk-nag clean', (name) => {
    expect(Object.keys(templates.get(name)!.toJSON().Resources).length).toBeGreaterThan(5);
  });
});

describe('account-level subscription policy', () => {
  it('is one SUBSCRIPTION_FILTER_POLICY to the shipper, leaving out the listed groups and the stack\'s own', () => {
    const template = templates.get('account-policy.json')!;
    template.resourceCountIs('AWS::Logs::AccountPolicy', 1);
    const policy = Object.values(template.findResources('AWS::Logs::AccountPolicy'))[0]!.Properties;
    expect(policy).toMatchObject({ PolicyType: 'SUBSCRIPTION_FILTER_POLICY', Scope: 'ALL', PolicyName: 'cwl-opensearch-CwlAccountPolicy' });
    expect(JSON.stringify(policy.PolicyDocument)).toMatch(/"DestinationArn\\":\\"",\{"Fn::GetAtt":\["ShipperHandlerFunction/);
    const criteria = JSON.stringify(policy.SelectionCriteria);
    expect(criteria).toContain('LogGroupName NOT IN [');
    expect(criteria).toContain('/aws/vpc/flow-logs');
    const ownGroups = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    expect(ownGroups.length).toBeGreaterThan(3);
    for (const logicalId of ownGroups) expect(criteria).toContain(`{"Ref":"${logicalId}"}`);
  });

  it('needs no subscriber, trail rule or prefix filters', () => {
    const template = templates.get('account-policy.json')!;
    template.resourceCountIs('Custom::LogSubscriptions', 0);
    template.resourcePropertiesCountIs('AWS::Events::Rule', { EventPattern: { detail: { eventName: ['CreateLogGroup'] } } }, 0);
  });
});

describe('central logging account', () => {
  it('puts a CloudWatch Logs destination on the pipeline stream, open to the member accounts only', () => {
    const template = templates.get('central-account.json')!;
    template.hasResourceProperties('AWS::Logs::Destination', {
      DestinationName: 'CwlCentral-logs',
      TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ShipperStream'), 'Arn'] },
    });
    const destination = Object.values(template.findResources('AWS::Logs::Destination'))[0]!.Properties;
    const policy = JSON.stringify(destination.DestinationPolicy);
    expect(policy).toContain('\\"AWS\\":[\\"111111111111\\",\\"222222222222\\"]');
    expect(policy).toContain('logs:PutSubscriptionFilter');
    template.hasOutput('DestinationArn', {});
  });

  it('lets CloudWatch Logs write to the stream only for this account and the member accounts', () => {
    const template = templates.get('central-account.json')!;
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('member accounts'),
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'logs.amazonaws.com' },
            Condition: { StringLike: { 'aws:SourceArn': Match.arrayWith([Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':111111111111:*'])] })]) } },
          }),
        ],
      },
    });
  });

  it('opens the destination to an organization instead when organizationId is set', () => {
    const raw = JSON.parse(readFileSync(join(EXAMPLES_DIR, 'central-account.json'), 'utf8')) as Record<string, any>;
    raw.subscriptions.crossAccount = { accountIds: [], organizationId: 'o-a1b2c3d4e5' };
    const template = synthExample(raw);
    const policy = JSON.stringify(Object.values(template.findResources('AWS::Logs::Destination'))[0]!.Properties.DestinationPolicy);
    expect(policy).toContain('\\"Principal\\":\\"*\\"');
    expect(policy).toContain('\\"aws:PrincipalOrgID\\":\\"o-a1b2c3d4e5\\"');
  });
});

describe('member account', () => {
  it('subscribes its log groups to the central destination, passing no role', () => {
    const template = templates.get('member-account.json')!;
    template.hasResourceProperties('Custom::LogSubscriptions', {
      DESTINATION_ARN: 'arn:aws:logs:eu-west-1:123456789012:destination:CwlCentral-logs',
      SUBSCRIBE_PREFIXES: '/aws/lambda/,/aws/rds/',
      FILTER_NAME: 'cwl-opensearch-CwlMember',
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('DESTINATION_ROLE_ARN');
    for (const type of ['AWS::Kinesis::Stream', 'AWS::OpenSearchService::Domain', 'AWS::SQS::Queue']) template.resourceCountIs(type, 0);
  });
});
