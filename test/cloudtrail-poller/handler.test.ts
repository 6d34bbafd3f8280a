import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import { createPollerHandler } from '../../functions/cloudtrail-poller/handler';
import { loadPollerConfig } from '../../functions/cloudtrail-poller/config';
import { loadOpenSearchConfig, loadPipelineConfig } from '../../functions/pipeline/config';
import { createOpenSearchClient } from '../../functions/sinks/opensearch';
import { OpenSearchSink } from '../../functions/sinks/opensearch-sink';
import { startFakeOpenSearch, type FakeOpenSearch } from '../helpers/fake-opensearch';
import { EventHistory } from './event-history';

const cloudtrailMock = mockClient(CloudTrailClient);
let fake: FakeOpenSearch;

beforeAll(async () => {
  fake = await startFakeOpenSearch();
});

afterAll(async () => {
  await fake.close();
});

afterEach(() => {
  cloudtrailMock.reset();
  fake.reset();
});

describe('cloudtrail-poller handler', () => {
  it('passes the account of the function ARN and builds its clients once', async () => {
    new EventHistory().install(cloudtrailMock);
    const createDeps = vi.fn((accountId: string | undefined) => {
      const config = loadPipelineConfig({});
      const opensearch = createOpenSearchClient(loadOpenSearchConfig({}, fake.url));
      return {
        poller: loadPollerConfig({ AWS_REGION: 'eu-west-1' }),
        config,
        registry: createRegistry(),
        opensearch,
        sink: new OpenSearchSink(opensearch, { indexing: config.indexing }),
        cloudtrail: new CloudTrailClient({ region: 'eu-west-1' }),
        limiter: async () => undefined,
        ...(accountId !== undefined && { accountId }),
      };
    });
    const poll = createPollerHandler({ createDeps, logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }) });
    const context = {
      getRemainingTimeInMillis: () => 120_000,
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:210987654321:function:cwl-cloudtrail-poller',
    };
    const first = await poll({}, context);
    await poll({}, context);
    expect(createDeps).toHaveBeenCalledTimes(1);
    expect(createDeps).toHaveBeenCalledWith('210987654321');
    expect(first.firstRun).toBe(true);
    expect(fake.get('cwl-pipeline-state', 'cloudtrail-poller-eu-west-1')).toBeDefined();
  });

  it.each([
    [{}, /AWS_REGION/],
    [{ AWS_REGION: 'eu-west-1', CLOUDTRAIL_OVERLAP_MINUTES: 'soon' }, /CLOUDTRAIL_OVERLAP_MINUTES/],
    [{ AWS_REGION: 'eu-west-1', CLOUDTRAIL_LOOKUP_CALLS_PER_SECOND: '5' }, /CLOUDTRAIL_LOOKUP_CALLS_PER_SECOND/],
  ])('configuration errors name the variable: %j', (env, message) => {
    expect(() => loadPollerConfig(env)).toThrow(message);
  });

  it('the exported handler reports a missing variable by name', async () => {
    const saved = { region: process.env.AWS_REGION, endpoint: process.env.OPENSEARCH_ENDPOINT };
    process.env.AWS_REGION = 'eu-west-1';
    delete process.env.OPENSEARCH_ENDPOINT;
    try {
      const { handler } = await import('../../functions/cloudtrail-poller/handler');
      await expect(handler({}, { getRemainingTimeInMillis: () => 60_000 })).rejects.toThrow(/OPENSEARCH_ENDPOINT/);
    } finally {
      if (saved.region === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved.region;
      if (saved.endpoint !== undefined) process.env.OPENSEARCH_ENDPOINT = saved.endpoint;
    }
  });
});
