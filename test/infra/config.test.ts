import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../infra/config';
import { LAMBDA_PLATFORM_FILTER } from '../../functions/subscriber/filter-patterns';
import { DOMAIN_ARN, DOMAIN_ENDPOINT, NETWORK, problems } from './shapes';

const MINIMAL = {
  opensearch: { mode: 'existing-domain', endpoint: DOMAIN_ENDPOINT, domainArn: DOMAIN_ARN },
  subscriptions: { prefixes: ['/aws/lambda/'] },
};

describe('parseConfig', () => {
  it('fills the defaults around a minimal configuration', () => {
    const config = parseConfig(MINIMAL);
    expect(config).toMatchObject({
      stackName: 'CwlOpenSearch',
      indexing: { prefix: 'cwl', naming: 'per-source', bulkMaxBytes: 5 * 1024 * 1024, bulkMaxDocuments: 1000 },
      shipper: { memoryMiB: 1024, timeoutSeconds: 180, retryAttempts: 2, maxEventAgeHours: 6 },
      subscriptions: { destination: 'lambda', filterName: 'cwl-opensearch-CwlOpenSearch', subscribeNewLogGroups: true, subscriberConcurrency: 2, mode: 'filters' },
      athena: { source: 'poller', enricher: { enabled: true } },
      assets: { enabled: true, tenant: 'global' },
      alerts: { channel: 'none' },
      logRetentionDays: 30,
    });
    expect(config.subscriptions.filterPatterns.lambda).toBe(LAMBDA_PLATFORM_FILTER);
    expect(config.shipper.reservedConcurrency).toBeUndefined();
    expect(config.account).toBeUndefined();
  });

  it.each([
    ['a one-node new domain', { mode: 'new-domain', dataNodes: 1 }, 0],
    ['a two-node new domain', { mode: 'new-domain', dataNodes: 2 }, 1],
    ['an existing domain (node count unknown)', MINIMAL.opensearch, 1],
  ])('defaults the index replicas for %s to %i', (_what, opensearch, replicas) => {
    expect(parseConfig({ ...MINIMAL, opensearch }).assets.replicas).toBe(replicas);
  });

  it.each([
    ['by default', {}, 1, 1],
    ['as configured', { pollerReservedConcurrency: 3, enricher: { reservedConcurrency: 2 } }, 3, 2],
    ['unreserved with 0', { pollerReservedConcurrency: 0, enricher: { reservedConcurrency: 0 } }, undefined, undefined],
  ])('reserves the poller and enricher concurrency %s', (_what, athena, poller, enricher) => {
    const config = parseConfig({ ...MINIMAL, athena });
    expect(config.athena.pollerReservedConcurrency).toBe(poller);
    expect(config.athena.enricher.reservedConcurrency).toBe(enricher);
  });

  it('keeps explicit replicas a domain can hold', () => {
    expect(parseConfig({ ...MINIMAL, opensearch: { mode: 'new-domain', dataNodes: 4 }, assets: { replicas: 3 } }).assets.replicas).toBe(3);
  });

  it('leaves interface endpoints to the VPC unless asked for', () => {
    expect(parseConfig({ ...MINIMAL, network: NETWORK }).network?.interfaceEndpoints).toBe(false);
    expect(parseConfig({ ...MINIMAL, network: { ...NETWORK, interfaceEndpoints: true } }).network?.interfaceEndpoints).toBe(true);
  });

  it('reads the example configuration shipped in the repository', () => {
    const raw = JSON.parse(readFileSync('infra/config.example.json', 'utf8'));
    expect(parseConfig(raw).opensearch.mode).toBe('existing-domain');
  });

  it('takes "" as the all-events pattern', () => {
    const config = parseConfig({ ...MINIMAL, subscriptions: { ...MINIMAL.subscriptions, filterPatterns: { lambda: '' } } });
    expect(config.subscriptions.filterPatterns.lambda).toBe('');
  });

  it('turns the assets off by default for a Serverless collection', () => {
    const config = parseConfig({
      ...MINIMAL,
      opensearch: { mode: 'serverless', endpoint: 'https://abc.eu-west-1.aoss.amazonaws.com', collectionArn: 'arn:aws:aoss:eu-west-1:123456789012:collection/abc' },
    });
    expect(config.assets.enabled).toBe(false);
  });

  it.each([
    ['a non-object', 42, /\(root\): must be a JSON object/],
    ['no opensearch mode', { subscriptions: { prefixes: ['/aws/lambda/'] } }, /opensearch\.mode: is required/],
    ['an unknown mode', { ...MINIMAL, opensearch: { mode: 'elastic' } }, /opensearch\.mode: must be one of "existing-domain", "serverless", "new-domain", got "elastic"/],
    ['a domain without its ARN', { ...MINIMAL, opensearch: { mode: 'existing-domain', endpoint: DOMAIN_ENDPOINT } }, /opensearch\.domainArn: is required/],
    ['a malformed domain ARN', { ...MINIMAL, opensearch: { ...MINIMAL.opensearch, domainArn: 'arn:aws:es:eu-west-1:123:domain/x' } }, /opensearch\.domainArn: .* is not valid: arn:aws:es:<region>:<account>:domain\/<domain-name>/],
    ['an http endpoint', { ...MINIMAL, opensearch: { ...MINIMAL.opensearch, endpoint: 'http://search-logs.eu-west-1.es.amazonaws.com' } }, /opensearch\.endpoint: .* is not valid: an https:\/\/ URL/],
    ['a domain in another region', { ...MINIMAL, region: 'us-east-1' }, /opensearch\.domainArn: is in region eu-west-1 but the stack deploys to us-east-1/],
    ['a domain in another account', { ...MINIMAL, account: '210987654321' }, /opensearch\.domainArn: is in account 123456789012 but the stack deploys to 210987654321/],
    ['a typo in a field name', { ...MINIMAL, shiper: {} }, /shiper: unknown field \(known fields: .*shipper/],
    ['a typo in a nested field', { ...MINIMAL, subscriptions: { prefix: ['/aws/lambda/'] } }, /subscriptions\.prefix: unknown field/],
    ['nothing to ship', { ...MINIMAL, subscriptions: {}, athena: { source: 'none' } }, /subscriptions: nothing to ship/],
    ['a prefix subscribing everything', { ...MINIMAL, subscriptions: { prefixes: ['/'] } }, /subscriptions\.prefixes: a prefix as broad as "\/"/],
    ['a memory size out of range', { ...MINIMAL, shipper: { memoryMiB: 64 } }, /shipper\.memoryMiB: must be between 256 and 10240, got 64/],
    ['a fractional timeout', { ...MINIMAL, shipper: { timeoutSeconds: 30.5 } }, /shipper\.timeoutSeconds: must be a whole number/],
    ['a string for a number', { ...MINIMAL, shipper: { memoryMiB: '1024' } }, /shipper\.memoryMiB: must be a number, got "1024"/],
    ['an odd zone-aware node count', { ...MINIMAL, opensearch: { mode: 'new-domain', dataNodes: 3 } }, /opensearch\.dataNodes: must be a multiple of availabilityZoneCount \(2\) when zoneAwareness is true/],
    ['two dedicated masters', { ...MINIMAL, opensearch: { mode: 'new-domain', dedicatedMasterNodes: 2 } }, /opensearch\.dedicatedMasterNodes: must be 0, 3 or 5, got 2/],
    ['a retention CloudWatch refuses', { ...MINIMAL, logRetentionDays: 10 }, /logRetentionDays: must be a retention CloudWatch Logs accepts/],
    ['a log-group source without its group', { ...MINIMAL, athena: { source: 'log-group' } }, /athena\.logGroupName: is required/],
    ['a Slack channel without a secret', { ...MINIMAL, alerts: { channel: 'slack' } }, /alerts\.webhookSecretArn: is required/],
    ['a webhook URL in plain text', { ...MINIMAL, alerts: { channel: 'webhook', webhookUrl: 'https://example.com/hook' } }, /alerts\.webhookUrl: is no longer accepted: store the URL as a Secrets Manager secret/],
    ['an SNS role without a topic', { ...MINIMAL, alerts: { channel: 'sns', snsRoleArn: 'arn:aws:iam::123456789012:role/x' } }, /alerts\.snsRoleArn: needs snsTopicArn too/],
    ['Kinesis without retries', { ...MINIMAL, subscriptions: { prefixes: ['/aws/lambda/'], destination: 'kinesis', kinesis: { retryAttempts: 0 } } }, /subscriptions\.kinesis\.retryAttempts: must be at least 1/],
    ['subnets not matching the zones', { ...MINIMAL, network: { ...NETWORK, subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'] } }, /network\.subnetIds: must have one subnet per availability zone/],
    ['interface endpoints as a string', { ...MINIMAL, network: { ...NETWORK, interfaceEndpoints: 'yes' } }, /network\.interfaceEndpoints: must be true or false, got "yes"/],
    ['a bad subnet id', { ...MINIMAL, network: { ...NETWORK, subnetIds: ['sub-1', 'subnet-0123456789abcdef1'] } }, /network\.subnetIds\[0\]: "sub-1" is not valid: a subnet id/],
    ['assets on Serverless', { ...MINIMAL, opensearch: { mode: 'serverless', endpoint: 'https://abc.eu-west-1.aoss.amazonaws.com', collectionArn: 'arn:aws:aoss:eu-west-1:123456789012:collection/abc' }, assets: { enabled: true } }, /assets\.enabled: must be false for a Serverless collection/],
    ['more replicas than a new domain can place', { ...MINIMAL, opensearch: { mode: 'new-domain', dataNodes: 1 }, assets: { replicas: 1 } }, /assets\.replicas: is 1 but opensearch\.dataNodes is 1: .*set assets\.replicas to at most 0/],
    ['as many replicas as data nodes', { ...MINIMAL, opensearch: { mode: 'new-domain', dataNodes: 2 }, assets: { replicas: 2 } }, /assets\.replicas: is 2 but opensearch\.dataNodes is 2/],
    ['a negative reserved concurrency', { ...MINIMAL, athena: { pollerReservedConcurrency: -1 } }, /athena\.pollerReservedConcurrency: must be between 0 and 1000, got -1/],
    ['too many names for one rule', { ...MINIMAL, subscriptions: { logGroups: Array.from({ length: 60 }, (_, i) => `/aws/rds/instance/database-number-${i}/slowquery`) } }, /subscriptions\.logGroups: names and prefixes take \d+ characters.*subscribe by prefix/],
  ])('rejects %s', (_what, raw, message) => {
    expect(problems(raw)).toMatch(message);
  });

  it('reports every problem at once', () => {
    const message = problems({ ...MINIMAL, shipper: { memoryMiB: 1, timeoutSeconds: 1 }, logRetentionDays: 2 });
    expect(message.split('\n').filter((line) => line.startsWith('  - '))).toHaveLength(3);
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cwl-config-'));

  it('reads a file named by the context', () => {
    const path = join(dir, 'good.json');
    writeFileSync(path, JSON.stringify(MINIMAL));
    expect(loadConfig(path).opensearch.mode).toBe('existing-domain');
  });

  it('accepts the object itself (cdk.json context) and inline JSON (-c config={...})', () => {
    expect(loadConfig(MINIMAL).subscriptions.prefixes).toEqual(['/aws/lambda/']);
    expect(loadConfig(JSON.stringify(MINIMAL)).subscriptions.prefixes).toEqual(['/aws/lambda/']);
  });

  it.each([
    ['nothing', undefined, /config: is required; run "npx cdk synth -c config=path\/to\/config\.json"/],
    ['a missing file', join(dir, 'absent.json'), /config: cannot read .*absent\.json \(ENOENT\)/],
    ['a number', 7, /config: must be a file path or an object/],
  ])('explains %s', (_what, value, message) => {
    expect(() => loadConfig(value)).toThrowError(message);
  });

  it('names the file whose JSON is broken', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"opensearch": ');
    expect(() => loadConfig(path)).toThrowError(/broken\.json.*not valid JSON/s);
  });
});
