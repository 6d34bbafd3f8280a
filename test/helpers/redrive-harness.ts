import { DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { IndexingConfig } from '../../functions/pipeline/config';
import { createOpenSearchClient } from '../../functions/sinks/opensearch';
import { OpenSearchSink } from '../../functions/sinks/opensearch-sink';
import { startFakeOpenSearch, type FakeOpenSearch } from './fake-opensearch';

/** The mocked SQS client of a redrive test file (`mockClient(SQSClient)`). */
type SqsMock = AwsClientStub<SQSClient>;

/**
 * Registers the redrive tests' hooks in the calling scope: one fake OpenSearch for the file,
 * emptied before each test, and the SQS mock reset with deletes that succeed; then `alsoBeforeEach`
 * (the file's own mocks), so it always runs after the reset. Read `fake` inside tests, not at collection time.
 */
export function useRedriveFakes(sqs: SqsMock, alsoBeforeEach: () => void = () => undefined): { readonly fake: FakeOpenSearch } {
  let fake: FakeOpenSearch | undefined;

  beforeAll(async () => {
    fake = await startFakeOpenSearch();
  });
  afterAll(async () => {
    await fake?.close();
  });
  beforeEach(() => {
    fake?.reset();
    sqs.reset();
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    alsoBeforeEach();
  });

  return {
    get fake() {
      if (fake === undefined) throw new Error('the redrive fakes run only inside a test');
      return fake;
    },
  };
}

/** A sink to the fake that retries once without waiting, so failures show in one test run. */
export function redriveSink(fake: FakeOpenSearch, indexing: IndexingConfig, now: () => Date): OpenSearchSink {
  const client = createOpenSearchClient({ endpoint: fake.url, auth: 'none', compression: false, requestTimeoutMs: 5_000 }, { maxRetries: 0 });
  return new OpenSearchSink(client, {
    indexing,
    now,
    sleep: async () => undefined,
    retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 2 },
  });
}
