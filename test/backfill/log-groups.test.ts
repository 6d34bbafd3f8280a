import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveLogGroups } from '../../functions/backfill/log-groups';
import { ConfigError } from '../../functions/pipeline/errors';
import { ACCOUNT, LogStore } from './log-store';

const logsMock = mockClient(CloudWatchLogsClient);
const logs = new CloudWatchLogsClient({ region: 'eu-west-1' });
const noWait = { sleep: async () => undefined, random: () => 0.5 };
let store: LogStore;

beforeEach(() => {
  store = new LogStore()
    .addGroup('/aws/rds/instance/db-1/slowquery')
    .addGroup('/aws/rds/instance/db-1/error')
    .addGroup('/aws/rds/instance/db-2/slowquery')
    .addGroup('/aws/rds/cluster/aurora-1/slowquery')
    .addGroup('/aws/lambda/orders')
    .addGroup('/aws/lambda/orders-worker')
    .addGroup('/aws/lambda/billing');
  store.install(logsMock);
});

afterEach(() => {
  logsMock.reset();
});

describe('resolveLogGroups', () => {
  it.each([
    [['/aws/lambda/orders'], ['/aws/lambda/orders']],
    [['/aws/lambda/*'], ['/aws/lambda/billing', '/aws/lambda/orders', '/aws/lambda/orders-worker']],
    [['/aws/lambda/orders*'], ['/aws/lambda/orders', '/aws/lambda/orders-worker']],
    [
      ['/aws/rds/*/slowquery'],
      ['/aws/rds/cluster/aurora-1/slowquery', '/aws/rds/instance/db-1/slowquery', '/aws/rds/instance/db-2/slowquery'],
    ],
    [['/aws/lambda/orders', '/aws/lambda/orders*'], ['/aws/lambda/orders', '/aws/lambda/orders-worker']],
  ])('%j -> %j', async (patterns, expected) => {
    const groups = await resolveLogGroups(logs, patterns, noWait);
    expect(groups.map((group) => group.name)).toEqual(expected);
  });

  it('asks DescribeLogGroups for the prefix before the first *, every page', async () => {
    await resolveLogGroups(logs, ['/aws/rds/*/slowquery'], noWait);
    const inputs = logsMock.commandCalls(DescribeLogGroupsCommand).map((call) => call.args[0].input);
    expect(inputs.every((input) => input.logGroupNamePrefix === '/aws/rds/')).toBe(true);
    // 4 groups under /aws/rds/, 2 a page.
    expect(inputs.map((input) => input.nextToken)).toEqual([undefined, '2']);
  });

  it('takes the account from the ARN', async () => {
    const [group] = await resolveLogGroups(logs, ['/aws/lambda/billing'], noWait);
    expect(group).toMatchObject({ name: '/aws/lambda/billing', accountId: ACCOUNT });
  });

  it.each([
    ['/aws/lambda/nope', /log group "\/aws\/lambda\/nope" does not exist/],
    ['/aws/ecs/*', /no log group matches "\/aws\/ecs\/\*"/],
  ])('%s is an error naming --log-group', async (pattern, message) => {
    await expect(resolveLogGroups(logs, [pattern], noWait)).rejects.toBeInstanceOf(ConfigError);
    await expect(resolveLogGroups(logs, [pattern], noWait)).rejects.toThrow(message);
  });

  it('retries a throttled DescribeLogGroups', async () => {
    logsMock
      .on(DescribeLogGroupsCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }))
      .callsFake((input) => store.describe(input));
    const groups = await resolveLogGroups(logs, ['/aws/lambda/billing'], noWait);
    expect(groups).toHaveLength(1);
    expect(logsMock.commandCalls(DescribeLogGroupsCommand)).toHaveLength(2);
  });
});
