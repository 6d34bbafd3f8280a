import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT, DOMAIN_ARN, DOMAIN_ENDPOINT, synthesize } from './shapes';

/**
 * Nothing may write before the index templates, ISM policies and role mappings exist.
 * Shapes: a new domain with the Kinesis path, a trail and the query-state rule; an existing
 * domain with direct subscriptions and the poller; Serverless.
 */
const NEW_DOMAIN = {
  opensearch: { mode: 'new-domain', dataNodes: 2, adminRoleArns: [`arn:aws:iam::${ACCOUNT}:role/Admin`] },
  subscriptions: { prefixes: ['/aws/lambda/'], destination: 'kinesis' },
  athena: { source: 'trail', enricher: { onQueryStateChange: true } },
};
const EXISTING = {
  opensearch: { mode: 'existing-domain', endpoint: DOMAIN_ENDPOINT, domainArn: DOMAIN_ARN },
  subscriptions: { logGroups: ['/aws/rds/instance/db/slowquery'], prefixes: ['/aws/lambda/'] },
  athena: { source: 'poller' },
};
const SERVERLESS = {
  opensearch: {
    mode: 'serverless',
    endpoint: 'https://k2x7abc9.eu-west-1.aoss.amazonaws.com',
    collectionArn: 'arn:aws:aoss:eu-west-1:123456789012:collection/k2x7abc9',
    collectionName: 'logs',
  },
  subscriptions: { prefixes: ['/aws/lambda/'] },
  athena: { source: 'poller' },
};

let newDomain: Template;
let existing: Template;
let serverless: Template;
beforeAll(() => {
  newDomain = synthesize(NEW_DOMAIN).template;
  existing = synthesize(EXISTING).template;
  serverless = synthesize(SERVERLESS).template;
});

/** The one resource of a type, by logical id. */
function only(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0]!;
}

/** Every resource that starts writes: subscriptions, the stream mapping, the schedule and event rules. */
function triggers(template: Template): Array<[string, { [key: string]: any }]> {
  return ['Custom::LogSubscriptions', 'AWS::Logs::SubscriptionFilter', 'AWS::Lambda::EventSourceMapping', 'AWS::Events::Rule'].flatMap((type) =>
    Object.entries(template.findResources(type)),
  );
}

/** The description of a rule, or the type of another trigger, for messages. */
function label(resource: { [key: string]: any }): string {
  return `${resource.Type} ${resource.Properties?.Description ?? ''}`;
}

describe('writers wait for OpenSearch to be ready', () => {
  it('new domain: every trigger waits for the role mapping and the assets', () => {
    const waitFor = [only(newDomain, 'Custom::OpenSearchRoleMapping'), only(newDomain, 'Custom::OpenSearchAssets')];
    const found = triggers(newDomain);
    // subscriber custom resource, CreateLogGroup rule, trail filter, Kinesis mapping, redrive, enricher schedule, query state change
    expect(found.map(([, resource]) => resource.Type).sort()).toEqual([
      'AWS::Events::Rule',
      'AWS::Events::Rule',
      'AWS::Events::Rule',
      'AWS::Events::Rule',
      'AWS::Lambda::EventSourceMapping',
      'AWS::Logs::SubscriptionFilter',
      'Custom::LogSubscriptions',
    ]);
    for (const [, resource] of found) expect(resource.DependsOn, label(resource)).toEqual(expect.arrayContaining(waitFor));
  });

  it('existing domain: the subscriptions and every schedule wait for the assets', () => {
    const assets = only(existing, 'Custom::OpenSearchAssets');
    const found = triggers(existing);
    // subscriber custom resource, CreateLogGroup rule, poller, enricher, redrive
    expect(found).toHaveLength(5);
    for (const [, resource] of found) expect(resource.DependsOn, label(resource)).toContain(assets);
    existing.resourceCountIs('Custom::OpenSearchRoleMapping', 0);
  });

  it('Serverless: every trigger waits for the data access policy', () => {
    const policy = only(serverless, 'AWS::OpenSearchServerless::AccessPolicy');
    const found = triggers(serverless);
    expect(found.length).toBeGreaterThanOrEqual(4);
    for (const [, resource] of found) expect(resource.DependsOn, label(resource)).toContain(policy);
  });

  it('the assets and the role mapping do not wait for any writer (no cycle)', () => {
    const triggerIds = new Set(triggers(newDomain).map(([id]) => id));
    for (const type of ['Custom::OpenSearchAssets', 'Custom::OpenSearchRoleMapping']) {
      const resource = newDomain.findResources(type)[only(newDomain, type)]!;
      expect(((resource.DependsOn as string[] | undefined) ?? []).filter((id) => triggerIds.has(id))).toEqual([]);
    }
  });
});
