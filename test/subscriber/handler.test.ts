import {
  CloudWatchLogsClient,
  DeleteSubscriptionFilterCommand,
  DescribeLogGroupsCommand,
  DescribeSubscriptionFiltersCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { handle, type HandlerDeps } from '../../functions/subscriber/handler';

// Before the handler module builds its logger.
vi.hoisted(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

const LAMBDA_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:shipper';
const logs = mockClient(CloudWatchLogsClient);

const PROPERTIES = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
  DESTINATION_ARN: LAMBDA_ARN,
  FILTER_NAME: 'cwl-opensearch',
  SUBSCRIBE_LOG_GROUPS: '/aws/rds/instance/db/slowquery',
  SUBSCRIBE_PREFIXES: '/aws/lambda/',
  SUBSCRIBE_EXCLUDE: '',
};

function deps(env: Record<string, string> = PROPERTIES): HandlerDeps {
  return { client: new CloudWatchLogsClient({ region: 'eu-west-1' }), env, backoff: { sleep: async () => undefined } };
}

function customResource(requestType: 'Create' | 'Update' | 'Delete', properties = PROPERTIES, old?: Record<string, string>) {
  return {
    RequestType: requestType,
    ServiceToken: PROPERTIES.ServiceToken,
    ResponseURL: 'https://example.com',
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'ExistingLogGroups',
    ResourceType: 'Custom::LogSubscriptions',
    ResourceProperties: properties,
    ...(requestType !== 'Create' && { PhysicalResourceId: 'log-subscriptions-ExistingLogGroups' }),
    ...(old && { OldResourceProperties: old }),
  };
}

function createLogGroup(logGroupName: string, errorCode?: string) {
  return {
    version: '0',
    source: 'aws.logs',
    'detail-type': 'AWS API Call via CloudTrail',
    detail: {
      eventSource: 'logs.amazonaws.com',
      eventName: 'CreateLogGroup',
      requestParameters: { logGroupName },
      ...(errorCode && { errorCode }),
    },
  };
}

beforeEach(() => {
  logs.reset();
  logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/aws/lambda/a' }, { logGroupName: '/aws/lambda/b' }] });
  logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [] });
  logs.on(PutSubscriptionFilterCommand).resolves({});
  logs.on(DeleteSubscriptionFilterCommand).resolves({});
});

describe('subscriber handler: custom resource', () => {
  it('subscribes every wanted group on Create and reports counts', async () => {
    const response = await handle(customResource('Create'), deps());
    expect(response).toEqual({
      PhysicalResourceId: 'log-subscriptions-ExistingLogGroups',
      Data: { Created: 3, Updated: 0, Unchanged: 0, Skipped: 0, Missing: 0, Incomplete: 0 },
    });
  });

  it('fails the deployment when a group fails for an unexpected reason', async () => {
    logs.on(DescribeSubscriptionFiltersCommand, { logGroupName: '/aws/lambda/b' }).rejects(
      Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }),
    );
    await expect(handle(customResource('Create'), deps())).rejects.toThrow(/1 log groups could not be subscribed: \/aws\/lambda\/b \(AccessDeniedException/);
  });

  it('on Update takes our filter off groups no longer wanted before subscribing the rest', async () => {
    logs.on(DescribeSubscriptionFiltersCommand, { logGroupName: '/aws/rds/instance/db/slowquery' }).resolves({
      subscriptionFilters: [{ filterName: 'cwl-opensearch', destinationArn: LAMBDA_ARN, filterPattern: '' }],
    });
    const next = { ...PROPERTIES, SUBSCRIBE_LOG_GROUPS: '' };
    await handle(customResource('Update', next, PROPERTIES), deps(next));
    expect(logs.commandCalls(DeleteSubscriptionFilterCommand).map((call) => call.args[0].input)).toEqual([
      { logGroupName: '/aws/rds/instance/db/slowquery', filterName: 'cwl-opensearch' },
    ]);
    const put = logs.commandCalls(PutSubscriptionFilterCommand).map((call) => call.args[0].input.logGroupName);
    expect(put).toEqual(['/aws/lambda/a', '/aws/lambda/b']);
  });

  it('on Delete removes our filters and fails, naming the cause, when the groups cannot be listed', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [{ filterName: 'cwl-opensearch', destinationArn: LAMBDA_ARN }],
    });
    logs.on(DescribeLogGroupsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(handle(customResource('Delete'), deps())).rejects.toThrow(/denied/);
    // The named group was handled before the prefix listing failed.
    expect(logs.commandCalls(DeleteSubscriptionFilterCommand)).toHaveLength(1);
  });

  it('on Delete fails when a filter of ours could not be removed (no orphan left silently)', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({
      subscriptionFilters: [{ filterName: 'cwl-opensearch', destinationArn: LAMBDA_ARN }],
    });
    logs.on(DeleteSubscriptionFilterCommand, { logGroupName: '/aws/lambda/b' }).rejects(
      Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }),
    );
    await expect(handle(customResource('Delete'), deps())).rejects.toThrow(/1 log groups could not be unsubscribed: \/aws\/lambda\/b/);
  });

  it('on Update to another destination takes our old filter off with the old destination, then subscribes', async () => {
    const next = { ...PROPERTIES, DESTINATION_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:shipper-v2' };
    // Every group but /aws/lambda/b carries our old filter until it is deleted.
    const withOldFilter = new Set(['/aws/lambda/a', '/aws/rds/instance/db/slowquery']);
    logs.on(DescribeSubscriptionFiltersCommand).callsFake((input: { logGroupName: string }) => ({
      subscriptionFilters: withOldFilter.has(input.logGroupName) ? [{ filterName: 'cwl-opensearch', destinationArn: LAMBDA_ARN }] : [],
    }));
    logs.on(DeleteSubscriptionFilterCommand).callsFake((input: { logGroupName: string }) => {
      withOldFilter.delete(input.logGroupName);
      return {};
    });
    await handle(customResource('Update', next, PROPERTIES), deps(next));
    expect(logs.commandCalls(DeleteSubscriptionFilterCommand).map((call) => call.args[0].input.logGroupName).sort()).toEqual([
      '/aws/lambda/a',
      '/aws/rds/instance/db/slowquery',
    ]);
    expect(logs.commandCalls(PutSubscriptionFilterCommand).map((call) => call.args[0].input.destinationArn)).toEqual([
      next.DESTINATION_ARN,
      next.DESTINATION_ARN,
      next.DESTINATION_ARN,
    ]);
  });
});

describe('subscriber handler: unfinished work goes on in the provider\'s isComplete step', () => {
  const outOfTime = { getRemainingTimeInMillis: () => 0 };
  const plentyOfTime = { getRemainingTimeInMillis: () => 600_000 };

  it('onEvent out of time answers Incomplete: 1 (the provider then calls isComplete)', async () => {
    const response = await handle(customResource('Create'), deps(), outOfTime);
    expect(response).toMatchObject({ PhysicalResourceId: 'log-subscriptions-ExistingLogGroups', Data: { Incomplete: 1 } });
    expect(logs.commandCalls(PutSubscriptionFilterCommand)).toHaveLength(0);
  });

  it('isComplete after an incomplete onEvent runs another pass and reports IsComplete only when every group was visited', async () => {
    const waiting = { ...customResource('Create'), PhysicalResourceId: 'log-subscriptions-ExistingLogGroups', Data: { Incomplete: 1 } };
    await expect(handle(waiting, deps(), outOfTime)).resolves.toEqual({ IsComplete: false });
    const done = await handle(waiting, deps(), plentyOfTime);
    expect(done).toMatchObject({ IsComplete: true, Data: { Created: 3, Incomplete: 0 } });
  });

  it('isComplete after a complete onEvent answers at once', async () => {
    const finished = { ...customResource('Create'), PhysicalResourceId: 'log-subscriptions-ExistingLogGroups', Data: { Incomplete: 0 } };
    await expect(handle(finished, deps(), plentyOfTime)).resolves.toEqual({ IsComplete: true });
    expect(logs.calls()).toHaveLength(0);
  });

  it('a deletion out of time goes on too', async () => {
    logs.on(DescribeSubscriptionFiltersCommand).resolves({ subscriptionFilters: [{ filterName: 'cwl-opensearch', destinationArn: LAMBDA_ARN }] });
    const deleting = { ...customResource('Delete'), Data: { Incomplete: 1 } };
    await expect(handle(deleting, deps(), outOfTime)).resolves.toEqual({ IsComplete: false });
    await expect(handle(deleting, deps(), plentyOfTime)).resolves.toMatchObject({ IsComplete: true, Data: { Removed: 3 } });
  });
});

describe('subscriber handler: CreateLogGroup events', () => {
  it('subscribes a new group that matches a prefix', async () => {
    await expect(handle(createLogGroup('/aws/lambda/new'), deps())).resolves.toMatchObject({ outcome: 'created' });
    expect(logs.commandCalls(PutSubscriptionFilterCommand)[0]!.args[0].input.logGroupName).toBe('/aws/lambda/new');
  });

  it.each([
    ['a group nobody asked for', createLogGroup('/app/other')],
    ['a failed CreateLogGroup call', createLogGroup('/aws/lambda/new', 'ResourceAlreadyExistsException')],
  ])('ignores %s', async (_what, event) => {
    await handle(event, deps());
    expect(logs.commandCalls(PutSubscriptionFilterCommand)).toHaveLength(0);
  });

  it('throws when the group cannot be subscribed, so the event is retried', async () => {
    logs.on(PutSubscriptionFilterCommand).rejects(Object.assign(new Error('boom'), { name: 'AccessDeniedException' }));
    await expect(handle(createLogGroup('/aws/lambda/new'), deps())).rejects.toThrow(/could not subscribe \/aws\/lambda\/new/);
  });
});

describe('subscriber handler: commands', () => {
  it('runs {"action": "subscribe"} over every wanted group', async () => {
    const report = await handle({ action: 'subscribe' }, deps());
    expect(report).toMatchObject({ counts: { created: 3 } });
  });

  it('rejects an event it does not know', async () => {
    await expect(handle({ hello: 'world' }, deps())).rejects.toThrow(/unrecognised event/);
  });
});
