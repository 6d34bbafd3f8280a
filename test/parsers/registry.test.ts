import { describe, expect, it } from 'vitest';
import { parseAthenaCloudTrail } from '../../parsers/athena-cloudtrail';
import { parseGeneric } from '../../parsers/generic';
import { parseLambdaPlatform } from '../../parsers/lambda-platform';
import { parseSlowQuery } from '../../parsers/rds-mysql-slowquery';
import { createRegistry, globToRegExp } from '../../parsers/registry';
import { PARSER_IDS } from '../../parsers/types';

describe('createRegistry: console default log group names', () => {
  const registry = createRegistry();
  it.each([
    { logGroup: '/aws/rds/instance/orders-db/slowquery', id: 'rds-mysql-slowquery' },
    { logGroup: '/aws/rds/cluster/orders-cluster/slowquery', id: 'rds-mysql-slowquery' },
    { logGroup: '/aws/lambda/fn', id: 'lambda' },
    { logGroup: '/aws/lambda/us-east-1.edge-fn', id: 'lambda' },
    // Order matters: a function or database named after CloudTrail stays with its own parser.
    { logGroup: '/aws/lambda/cloudtrail-processor', id: 'lambda' },
    { logGroup: '/aws/rds/cluster/cloudtrail/slowquery', id: 'rds-mysql-slowquery' },
    { logGroup: 'aws-cloudtrail-logs-123-abcd1234', id: 'athena-cloudtrail' },
    { logGroup: 'aws-cloudtrail-logs-111122223333-0a1b2c3d', id: 'athena-cloudtrail' },
    { logGroup: 'CloudTrail/DefaultLogGroup', id: 'athena-cloudtrail' },
    { logGroup: '/aws/rds/instance/orders-db/error', id: 'generic' },
    { logGroup: '/aws/rds/instance/orders-db/slowquery/extra', id: 'generic' },
    { logGroup: '/aws/rds/instance/slowquery', id: 'generic' },
    { logGroup: '/aws/lambda-insights', id: 'generic' },
    { logGroup: 'aws/lambda/fn', id: 'generic' },
    { logGroup: '/ecs/web', id: 'generic' },
    { logGroup: '', id: 'generic' },
  ])('$logGroup -> $id', ({ logGroup, id }) => {
    expect(registry.route(logGroup).id).toBe(id);
  });

  it('routes the same way the second time (cached decision)', () => {
    expect(registry.route('/aws/lambda/fn').id).toBe('lambda');
    expect(registry.route('/aws/lambda/fn')).toBe(registry.route('/aws/lambda/fn'));
  });
});

describe('createRegistry: entries', () => {
  const registry = createRegistry();
  it('lists every parser once, generic last', () => {
    expect(registry.entries.map((entry) => entry.id)).toEqual(['rds-mysql-slowquery', 'lambda', 'athena-cloudtrail', 'generic']);
    expect([...registry.entries.map((entry) => entry.id)].sort()).toEqual([...PARSER_IDS].sort());
  });

  it.each([
    { id: 'rds-mysql-slowquery', dataset: 'rds.mysql.slowquery', parse: parseSlowQuery },
    { id: 'lambda', dataset: 'aws.lambda', parse: parseLambdaPlatform },
    { id: 'athena-cloudtrail', dataset: 'aws.athena', parse: parseAthenaCloudTrail },
    { id: 'generic', dataset: 'cloudwatch.generic', parse: parseGeneric },
  ] as const)('$id has dataset $dataset and its parse function', ({ id, dataset, parse }) => {
    const entry = registry.get(id);
    expect(entry.id).toBe(id);
    expect(entry.dataset).toBe(dataset);
    expect(entry.parse).toBe(parse);
  });

  it('generic matches anything', () => {
    expect(registry.get('generic').matches('/anything/at/all')).toBe(true);
  });
});

describe('createRegistry: extra glob patterns', () => {
  const registry = createRegistry({
    lambda: ['shared-app-logs', 'team-*-functions'],
    'athena-cloudtrail': ['org-trail-*', '/aws/lambda/trail-mirror*'],
    'rds-mysql-slowquery': ['/custom/mysql/*/slow'],
  });
  it.each([
    { logGroup: 'shared-app-logs', id: 'lambda' },
    { logGroup: 'team-data-functions', id: 'lambda' },
    { logGroup: 'team--functions', id: 'lambda' },
    { logGroup: 'org-trail-main', id: 'athena-cloudtrail' },
    { logGroup: '/custom/mysql/db1/slow', id: 'rds-mysql-slowquery' },
    // An operator's pattern is tried before the built-in ones.
    { logGroup: '/aws/lambda/trail-mirror-1', id: 'athena-cloudtrail' },
    // Built-in names still route with extra patterns configured.
    { logGroup: '/aws/lambda/fn', id: 'lambda' },
    { logGroup: 'CloudTrail/DefaultLogGroup', id: 'athena-cloudtrail' },
    // Globs are anchored and only `*` is special.
    { logGroup: 'shared-app-logs-2', id: 'generic' },
    { logGroup: 'xshared-app-logs', id: 'generic' },
    { logGroup: 'team-data-functionsX', id: 'generic' },
    { logGroup: 'org-trail', id: 'generic' },
  ])('$logGroup -> $id', ({ logGroup, id }) => {
    expect(registry.route(logGroup).id).toBe(id);
  });

  it('entries report the custom match too', () => {
    expect(registry.get('lambda').matches('shared-app-logs')).toBe(true);
    expect(createRegistry().get('lambda').matches('shared-app-logs')).toBe(false);
  });
});

describe('globToRegExp', () => {
  it.each([
    { glob: '/aws/rds/*', value: '/aws/rds/instance/x', matches: true },
    { glob: 'a.b*', value: 'a.bc', matches: true },
    { glob: 'a.b*', value: 'axbc', matches: false },
    { glob: 'logs(1)+', value: 'logs(1)+', matches: true },
    { glob: 'logs(1)+', value: 'logs1', matches: false },
    { glob: 'a?c', value: 'abc', matches: false },
    { glob: '*', value: '', matches: true },
  ])('$glob ~ $value: $matches', ({ glob, value, matches }) => {
    expect(globToRegExp(glob).test(value)).toBe(matches);
  });
});
