import {
  CloudWatchLogsClient,
  DeleteSubscriptionFilterCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
  PutSubscriptionFilterCommand,
  type SubscriptionFilter,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/pipeline/errors';
import { ATHENA_CLOUDTRAIL_FILTER, LAMBDA_PLATFORM_FILTER } from '../../functions/subscriber/filter-patterns';
import { isWanted, readSubscriberSettings } from '../../functions/subscriber/settings';
import { isRetryable, Subscriber } from '../../functions/subscriber/subscribe';

const LAMBDA_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:shipper';
const STREAM_ARN = 'arn:aws:kinesis:eu-west-1:123456789012:stream/logs';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/logs-to-kinesis';

const logs = mockClient(CloudWatchLogsClient);
const client = new CloudWatchLogsClient({ region: 'eu-west-1' });

function awsError(name: string, message = name, status = 400): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
}

function settings(env: Record<string, string> = {}) {
  return readSubscriberSettings({ DESTINATION_ARN: LAMBDA_ARN, ...env });
}

/** A subscriber whose backoff waits are recorded instead of slept. */
function subscriberFor(env: Record<string, string> = {}, deadline?: number) {
  const sleeps: number[] = [];
  const subscriber = new Subscriber(settings(env), {
    client,
    ...(deadline !== undefined && { deadline }),
    backoff: { sleep: async (ms) => void sleeps.push(ms), random: () => 1 },
  });
  return { subscriber, sleeps };
}

function filter(name: string, destinationArn = 'arn:aws:lambda:eu-west-1:123456789012:function:other', filterPattern = ''): SubscriptionFilter {
  return { filterName: name, destinationArn, filterPattern };
}

beforeEach(() => logs.reset());

describe('readSubscriberSettings', () => {
  it.each([
    [{}, 'DESTINATION_ARN'],
    [{ DESTINATION_ARN: 'not-an-arn' }, 'DESTINATION_ARN'],
    [{ DESTINATION_ARN: STREAM_ARN }, 'DESTINATION_ROLE_ARN'],
    [{ DESTINATION_ARN: LAMBDA_ARN, FILTER_NAME: 'a:b' }, 'FILTER_NAME'],
    [{ DESTINATION_ARN: LAMBDA_ARN, FILTER_PATTERN_LAMBDA: 'x'.repeat(1025) }, 'FILTER_PATTERN_LAMBDA'],
  ])('rejects %j naming %s', (env, variable) => {
    expect(() => readSubscriberSettings(env)).toThrowError(ConfigError);
    expect(() => readSubscriberSettings(env)).toThrowError(new RegExp(`^${variable}: `));
  });

  it('defaults to platform lines for Lambda, Athena calls for CloudTrail, everything for RDS', () => {
    const read = settings();
    expect(read.filterPatterns).toEqual({
      'rds-mysql-slowquery': '',
      lambda: LAMBDA_PLATFORM_FILTER,
      'athena-cloudtrail': ATHENA_CLOUDTRAIL_FILTER,
      generic: '',
    });
    expect(read.filterName).toBe('cwl-opensearch');
  });

  it('takes an empty pattern as "all events"', () => {
    expect(settings({ FILTER_PATTERN_LAMBDA: '' }).filterPatterns.lambda).toBe('');
  });

  it.each([
    ['/aws/lambda/orders', true],
    ['/aws/lambda/shipper', false],
    ['/aws/rds/instance/db/slowquery', true],
    ['/aws/rds/instance/db/error', false],
    ['/aws/lambdax', false],
  ])('isWanted(%s) = %s', (name, wanted) => {
    const read = settings({
      SUBSCRIBE_PREFIXES: '/aws/lambda/',
      SUBSCRIBE_LOG_GROUPS: '/aws/rds/instance/db/slowquery',
      SUBSCRIBE_EXCLUDE: '/aws/lambda/shipper',
    });
    expect(isWanted(read, name)).toBe(wanted);
  });
});

describe('Subscriber.subscribe', () => {
  it.each([
    ['/aws/lambda/orders', LAMBDA_PLATFORM_FILTER],
    ['/aws/rds/instance/db/slowquery', ''],
    ['aws-cloudtrail-logs-123456789012-abcd', ATHENA_CLOUDTRAIL_FILTER],
    ['/custom/trail', ATHENA_CLOUDTRAIL_FILTER],
    ['/app/anything', ''],
  ])('puts our filter on %s with the pattern of its parser', async (logGroupName, filterPattern) => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    logs.on(PutSubscriptionFilterCommand).resolves({});
    const { subscriber } = subscriberFor({ ROUTE_ATHENA_CLOUDTRAIL: '/custom/trail' });

    await expect(subscriber.subscribe(logGroupName)).resolves.toEqual({ logGroupName, outcome: 'created' });
    expect(logs.commandCalls(PutSubscriptionFilterCommand)[0]!.args[0].input).toEqual({
      logGroupName,
      filterName: 'cwl-opensearch',
      filterPattern,
      destinationArn: LAMBDA_ARN,
    });
  });

  it('passes the role for a Kinesis destination', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    logs.on(PutSubscriptionFilterCommand).resolves({});
    const { subscriber } = subscriberFor({ DESTINATION_ARN: STREAM_ARN, DESTINATION_ROLE_ARN: ROLE_ARN });
    await subscriber.subscribe('/aws/rds/instance/db/slowquery');
    expect(logs.commandCalls(PutSubscriptionFilterCommand)[0]!.args[0].input).toMatchObject({
      destinationArn: STREAM_ARN,
      roleArn: ROLE_ARN,
    });
  });

  it('leaves a current filter of ours alone', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [filter('cwl-opensearch', LAMBDA_ARN, ''), filter('someone-else')],
    });
    const { subscriber } = subscriberFor();
    await expect(subscriber.subscribe('/aws/rds/instance/db/slowquery')).resolves.toMatchObject({ outcome: 'unchanged' });
    expect(logs.commandCalls(PutSubscriptionFilterCommand)).toHaveLength(0);
  });

  it('updates our filter in place, even when the group is at the limit', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [filter('cwl-opensearch', LAMBDA_ARN, 'old pattern'), filter('someone-else')],
    });
    logs.on(PutSubscriptionFilterCommand).resolves({});
    const { subscriber } = subscriberFor();
    await expect(subscriber.subscribe('/aws/rds/instance/db/slowquery')).resolves.toMatchObject({ outcome: 'updated' });
    expect(logs.commandCalls(PutSubscriptionFilterCommand)[0]!.args[0].input).toMatchObject({
      filterName: 'cwl-opensearch',
      filterPattern: '',
    });
  });

  it('skips and reports a group that already has two filters, none ours', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [filter('a'), filter('b')] });
    const { subscriber } = subscriberFor();
    const result = await subscriber.subscribe('/aws/lambda/busy');
    expect(result.outcome).toBe('skipped');
    expect(result.reason).toMatch(/already has 2 subscription filters \("a", "b"\)/);
    expect(logs.commandCalls(PutSubscriptionFilterCommand)).toHaveLength(0);
  });

  it('adds ours beside one foreign filter', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [filter('a')] });
    logs.on(PutSubscriptionFilterCommand).resolves({});
    const { subscriber } = subscriberFor();
    await expect(subscriber.subscribe('/aws/lambda/one')).resolves.toMatchObject({ outcome: 'created' });
  });

  it('does not add a second filter to the same destination under another name', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [filter('old-name', LAMBDA_ARN)] });
    const { subscriber } = subscriberFor();
    await expect(subscriber.subscribe('/aws/lambda/one')).resolves.toMatchObject({ outcome: 'skipped' });
    expect(logs.commandCalls(PutSubscriptionFilterCommand)).toHaveLength(0);
  });

  it('never re-points a filter of our name that sends to another destination (another stack\'s)', async () => {
    const otherStack = 'arn:aws:lambda:eu-west-1:123456789012:function:other-stack-shipper';
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [filter('cwl-opensearch', otherStack, '')] });
    logs.on(PutSubscriptionFilterCommand).resolves({});
    const { subscriber } = subscriberFor();
    const result = await subscriber.subscribe('/aws/lambda/shared');
    expect(result).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining(`another destination (${otherStack})`) });
    expect(logs.commandCalls(PutSubscriptionFilterCommand)).toHaveLength(0);
  });

  it('spreads a Kinesis destination\'s records over the shards (distribution Random)', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    logs.on(PutSubscriptionFilterCommand).resolves({});
    const { subscriber } = subscriberFor({ DESTINATION_ARN: STREAM_ARN, DESTINATION_ROLE_ARN: ROLE_ARN });
    await subscriber.subscribe('/aws/lambda/busy');
    expect(logs.commandCalls(PutSubscriptionFilterCommand)[0]!.args[0].input.distribution).toBe('Random');
  });

  it('does not set a distribution for a Lambda destination', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    logs.on(PutSubscriptionFilterCommand).resolves({});
    const { subscriber } = subscriberFor();
    await subscriber.subscribe('/aws/lambda/busy');
    expect(logs.commandCalls(PutSubscriptionFilterCommand)[0]!.args[0].input).not.toHaveProperty('distribution');
  });

  it.each(['INFREQUENT_ACCESS', 'DELIVERY'])('skips a %s log group, saying why, without calling CloudWatch Logs', async (logGroupClass) => {
    const { subscriber } = subscriberFor();
    const result = await subscriber.subscribe('/aws/lambda/cold', logGroupClass);
    expect(result).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining(`log group class ${logGroupClass}`) });
    expect(logs.calls()).toHaveLength(0);
  });

  it('reports a group that does not exist as missing', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).rejects(awsError('ResourceNotFoundException', 'The specified log group does not exist.'));
    const { subscriber } = subscriberFor();
    await expect(subscriber.subscribe('/aws/lambda/gone')).resolves.toMatchObject({ outcome: 'missing' });
  });

  it('backs off on throttling and then succeeds', async () => {
    logs
      .on(DescribeSubscriptionFiltersCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolves({ subscriptionFilters: [] });
    logs.on(PutSubscriptionFilterCommand).resolves({});
    const { subscriber, sleeps } = subscriberFor();
    await expect(subscriber.subscribe('/aws/lambda/x')).resolves.toMatchObject({ outcome: 'created' });
    // Full jitter with random() = 1: the cap of each wait, doubling from 250 ms.
    expect(sleeps).toEqual([250, 500]);
  });

  it('gives up after the last attempt and reports the group as failed', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const { subscriber, sleeps } = subscriberFor();
    const result = await subscriber.subscribe('/aws/lambda/x');
    expect(result).toMatchObject({ outcome: 'failed', reason: 'ThrottlingException: Rate exceeded' });
    expect(sleeps).toHaveLength(7);
    expect(Math.max(...sleeps)).toBe(10_000);
  });

  it('waits for a new Lambda permission to propagate', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    logs
      .on(PutSubscriptionFilterCommand)
      .rejectsOnce(awsError('InvalidParameterException', 'Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.'))
      .resolves({});
    const { subscriber, sleeps } = subscriberFor();
    await expect(subscriber.subscribe('/aws/lambda/x')).resolves.toMatchObject({ outcome: 'created' });
    expect(sleeps).toHaveLength(1);
  });

  it('reports a limit reached between describe and put as skipped', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [filter('a')] });
    logs.on(PutSubscriptionFilterCommand).rejects(awsError('LimitExceededException', 'Resource limit exceeded.'));
    const { subscriber, sleeps } = subscriberFor();
    await expect(subscriber.subscribe('/aws/lambda/x')).resolves.toMatchObject({ outcome: 'skipped' });
    expect(sleeps).toHaveLength(0);
  });
});

describe('isRetryable', () => {
  it.each([
    ['ThrottlingException', 'Rate exceeded', 400, true],
    ['OperationAbortedException', 'conflict', 400, true],
    ['ServiceUnavailableException', 'down', 503, true],
    ['InvalidParameterException', 'Could not deliver test message to specified destination.', 400, true],
    ['InvalidParameterException', 'Invalid filter pattern', 400, false],
    ['AccessDeniedException', 'no', 400, false],
    ['LimitExceededException', 'Resource limit exceeded.', 400, false],
  ])('%s "%s" -> %s', (name, message, status, expected) => {
    expect(isRetryable(awsError(name, message, status))).toBe(expected);
  });
});

describe('Subscriber.subscribeAll', () => {
  it('walks every page of every prefix, once per group, minus excluded ones', async () => {
    logs
      .on(DescribeLogGroupsCommand, { logGroupNamePrefix: '/aws/lambda/' })
      .resolvesOnce({ logGroups: [{ logGroupName: '/aws/lambda/a' }, { logGroupName: '/aws/lambda/shipper' }], nextToken: 't1' })
      .resolvesOnce({ logGroups: [{ logGroupName: '/aws/lambda/b' }], nextToken: 't2' })
      .resolvesOnce({ logGroups: [{ logGroupName: '/aws/lambda/c' }] });
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    logs.on(DescribeSubscriptionFiltersCommand, { logGroupName: '/aws/lambda/c' }).resolves({
      subscriptionFilters: [filter('x'), filter('y')],
    });
    logs.on(PutSubscriptionFilterCommand).resolves({});
    const { subscriber } = subscriberFor({
      SUBSCRIBE_LOG_GROUPS: '/aws/lambda/b,/aws/rds/instance/db/slowquery',
      SUBSCRIBE_PREFIXES: '/aws/lambda/',
      SUBSCRIBE_EXCLUDE: '/aws/lambda/shipper',
    });

    const report = await subscriber.subscribeAll();

    const pages = logs
      .commandCalls(DescribeLogGroupsCommand)
      .filter((call) => call.args[0].input.logGroupNamePrefix === '/aws/lambda/')
      .map((call) => call.args[0].input.nextToken);
    expect(pages).toEqual([undefined, 't1', 't2']);
    const put = logs.commandCalls(PutSubscriptionFilterCommand).map((call) => call.args[0].input.logGroupName);
    expect(put.sort()).toEqual(['/aws/lambda/a', '/aws/lambda/b', '/aws/rds/instance/db/slowquery']);
    expect(report.counts).toMatchObject({ created: 3, skipped: 1, failed: 0 });
    expect(report.problems).toEqual([expect.objectContaining({ logGroupName: '/aws/lambda/c', outcome: 'skipped' })]);
    expect(report.incomplete).toBe(false);
  });

  it('stops at the deadline and says the run is incomplete', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    logs.on(PutSubscriptionFilterCommand).resolves({});
    const { subscriber } = subscriberFor({ SUBSCRIBE_LOG_GROUPS: '/a,/b' }, Date.now() - 1);
    const report = await subscriber.subscribeAll();
    expect(report.incomplete).toBe(true);
    expect(logs.commandCalls(PutSubscriptionFilterCommand)).toHaveLength(0);
  });

  it('reports non-Standard groups of a prefix and of the named list as skipped', async () => {
    logs.on(DescribeLogGroupsCommand, { logGroupNamePrefix: '/aws/lambda/' }).resolves({
      logGroups: [
        { logGroupName: '/aws/lambda/hot', logGroupClass: 'STANDARD' },
        { logGroupName: '/aws/lambda/cold', logGroupClass: 'INFREQUENT_ACCESS' },
      ],
    });
    logs.on(DescribeLogGroupsCommand, { logGroupNamePrefix: '/vended' }).resolves({
      logGroups: [{ logGroupName: '/vended', logGroupClass: 'DELIVERY' }, { logGroupName: '/vended-other', logGroupClass: 'STANDARD' }],
    });
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
    logs.on(PutSubscriptionFilterCommand).resolves({});
    const { subscriber } = subscriberFor({ SUBSCRIBE_LOG_GROUPS: '/vended', SUBSCRIBE_PREFIXES: '/aws/lambda/' });
    const report = await subscriber.subscribeAll();
    expect(logs.commandCalls(PutSubscriptionFilterCommand).map((call) => call.args[0].input.logGroupName)).toEqual(['/aws/lambda/hot']);
    expect(report.counts).toMatchObject({ created: 1, skipped: 2 });
    expect(report.problems.map((problem) => problem.logGroupName).sort()).toEqual(['/aws/lambda/cold', '/vended']);
  });

  it('leaves a filter of our name that another destination owns when unsubscribing', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [filter('cwl-opensearch', 'arn:aws:lambda:eu-west-1:123456789012:function:other-stack-shipper')],
    });
    logs.on(DeleteSubscriptionFilterCommand).resolves({});
    const { subscriber } = subscriberFor({ SUBSCRIBE_LOG_GROUPS: '/a' });
    const report = await subscriber.unsubscribeAll();
    expect(report.counts).toMatchObject({ removed: 0, absent: 1 });
    expect(logs.commandCalls(DeleteSubscriptionFilterCommand)).toHaveLength(0);
  });

  it('unsubscribes only our filter', async () => {
    logs.on(DescribeSubscriptionFiltersCommand, { logGroupName: '/a' }).resolves({
      subscriptionFilters: [filter('cwl-opensearch', LAMBDA_ARN), filter('theirs')],
    });
    logs.on(DescribeSubscriptionFiltersCommand, { logGroupName: '/b' }).resolves({ subscriptionFilters: [filter('theirs')] });
    logs.on(DeleteSubscriptionFilterCommand).resolves({});
    const { subscriber } = subscriberFor({ SUBSCRIBE_LOG_GROUPS: '/a,/b' });
    const report = await subscriber.unsubscribeAll();
    expect(report.counts).toMatchObject({ removed: 1, absent: 1 });
    expect(logs.commandCalls(DeleteSubscriptionFilterCommand).map((call) => call.args[0].input)).toEqual([
      { logGroupName: '/a', filterName: 'cwl-opensearch' },
    ]);
  });
});
