import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { APPLY_LOCK_INDEX } from '../../functions/assets/apply-lock';
import { AssetsApplyError } from '../../functions/assets/errors';
import { ConfigError } from '../../functions/pipeline/errors';
import { REQUEST_FAULTS, startFakeOpenSearch, type FakeOpenSearch } from '../helpers/fake-opensearch';
import { addAssetRoutes, type FakeAssetsState } from '../helpers/fake-opensearch-assets';

let fake: FakeOpenSearch;
let state: FakeAssetsState;

beforeEach(async () => {
  fake = await startFakeOpenSearch();
  state = addAssetRoutes(fake);
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('OPENSEARCH_ENDPOINT', fake.url);
  vi.stubEnv('OPENSEARCH_AUTH', 'none');
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await fake.close();
});

function event(type: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/x',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/cwl/1',
    RequestId: 'request-1',
    LogicalResourceId: 'OpenSearchAssets',
    ResourceType: 'Custom::OpenSearchAssets',
    ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider', AssetsHash: 'abc' },
  };
  if (type === 'Create') return { ...base, RequestType: 'Create' };
  const existing = { ...base, PhysicalResourceId: 'cwl-opensearch-assets' };
  return type === 'Update'
    ? { ...existing, RequestType: 'Update', OldResourceProperties: { ServiceToken: base.ServiceToken, AssetsHash: 'old' } }
    : { ...existing, RequestType: 'Delete' };
}

async function handler(): Promise<typeof import('../../functions/assets/handler').handler> {
  return (await import('../../functions/assets/handler')).handler;
}

describe('assets custom resource handler', () => {
  it('Create applies every asset and returns the fixed physical id with a summary', async () => {
    const response = await (await handler())(event('Create'));
    expect(response.PhysicalResourceId).toBe('cwl-opensearch-assets');
    expect(response.Data.summary).toMatch(/^applied \d+ assets: \d+ created, 0 updated, 0 unchanged, 0 failed$/);
    expect(state.indexTemplates.size).toBe(5);
    expect(state.monitors.size).toBe(5);
  });

  it('Update applies again: nothing changes', async () => {
    const apply = await handler();
    await apply(event('Create'));
    const response = await apply(event('Update'));
    expect(response.Data.summary).toMatch(/^applied (\d+) assets: 0 created, 0 updated, \1 unchanged, 0 failed$/);
  });

  it('Delete keeps everything and calls nothing', async () => {
    const response = await (await handler())(event('Delete'));
    expect(response).toEqual({ PhysicalResourceId: 'cwl-opensearch-assets', Data: { summary: 'kept (delete is a no-op)' } });
    expect(fake.requests).toEqual([]);
  });

  it('fails the deployment naming the assets that failed', async () => {
    fake.failRequests({ kind: 'status', status: 500, body: { error: { type: 'fake', reason: 'boom' }, status: 500 } }, {
      method: 'PUT',
      path: /^\/_index_template\/cwl-lambda$/,
    });
    const failure = (await handler())(event('Create'));
    await expect(failure).rejects.toBeInstanceOf(AssetsApplyError);
    await expect(failure).rejects.toThrow(/1 failed\. Failed: index-template cwl-lambda: HTTP 500: fake: boom$/);
  });

  it('holds the apply lock as the Lambda, waiting out a lock whose holder stopped renewing it (issue 10, item 10)', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'cwl-Assets');
    vi.stubEnv('AWS_LAMBDA_LOG_STREAM_NAME', '2026/12/06/[$LATEST]0123');
    // A CLI apply that was killed: its lock runs out a moment from now.
    const stale = { holder: 'ops@laptop pid 7', token: 'gone', prefix: 'cwl', acquired_at: new Date().toISOString(), expires_at: new Date(Date.now() + 500).toISOString() };
    fake.put(APPLY_LOCK_INDEX, 'cwl', stale);
    const response = await (await handler())(event('Create'));
    expect(response.Data.summary).toMatch(/0 failed$/);
    expect(state.monitors.size).toBe(5);
    const takes = fake.requests.filter((request) => request.method === 'PUT' && request.path === `/${APPLY_LOCK_INDEX}/_doc/cwl`);
    // Refused while it was live (op_type=create), then replaced once expired (if_seq_no).
    expect(takes.at(-1)!.query).toMatchObject({ if_seq_no: expect.stringMatching(/^\d+$/), if_primary_term: '1' });
    expect(JSON.parse(takes.at(-1)!.body).holder).toBe('Lambda cwl-Assets (log stream 2026/12/06/[$LATEST]0123)');
    expect(fake.get(APPLY_LOCK_INDEX, 'cwl')).toBeUndefined();
  });

  it('Create on a domain that does not answer yet waits for it, then applies everything', async () => {
    // More failures than the client's two transport retries absorb: a domain just created.
    fake.failRequests(REQUEST_FAULTS.unavailable(), { times: 4 });
    fake.failRequests({ kind: 'drop' }, { times: 4 });
    const waits: number[] = [];
    const { createAssetsHandler } = await import('../../functions/assets/handler');
    const apply = createAssetsHandler({ sleep: async (ms) => void waits.push(ms) });

    const response = await apply(event('Create'), { getRemainingTimeInMillis: () => 600_000 });

    expect(response.Data.summary).toMatch(/^applied \d+ assets: \d+ created, 0 updated, 0 unchanged, 0 failed$/);
    expect(state.indexTemplates.size).toBe(5);
    expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('Create fails naming the domain when it never answers within the invocation', async () => {
    fake.failRequests(REQUEST_FAULTS.unavailable(), { times: 1_000 });
    const { createAssetsHandler } = await import('../../functions/assets/handler');
    // 5 minutes left, 4 of them kept for the assets: a minute of waiting, on a clock that
    // moves only when the handler sleeps.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const waits: number[] = [];
      const apply = createAssetsHandler({
        sleep: async (ms) => {
          waits.push(ms);
          vi.setSystemTime(Date.now() + ms);
        },
      });
      const failure = apply(event('Create'), { getRemainingTimeInMillis: () => 5 * 60_000 });
      await expect(failure).rejects.toThrow(/OpenSearch did not answer in time \(6 tries; last: HTTP 503.*nothing was applied/);
      expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 30_000]);
      expect(state.indexTemplates.size).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('fails with the variable to fix when the configuration is wrong', async () => {
    vi.stubEnv('RETENTION_DAYS', 'thirty');
    await expect((await handler())(event('Create'))).rejects.toThrow(new ConfigError('RETENTION_DAYS', '"thirty" is not a whole number'));
  });
});
