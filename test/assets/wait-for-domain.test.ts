import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DomainUnreachableError, waitForDomain } from '../../functions/assets/wait-for-domain';
import { createOpenSearchClient, type OpenSearchClient } from '../../functions/sinks/opensearch';
import { REQUEST_FAULTS, startFakeOpenSearch, type FakeOpenSearch } from '../helpers/fake-opensearch';

/** The assets' wait for a new domain to answer, against the fake OpenSearch, with a recorded clock. */

let fake: FakeOpenSearch;
let client: OpenSearchClient;
beforeAll(async () => {
  fake = await startFakeOpenSearch();
  // As the assets create it: two transport retries, which the wait must not rely on.
  client = createOpenSearchClient({ endpoint: fake.url, auth: 'none', compression: false, requestTimeoutMs: 5_000 }, { maxRetries: 2 });
});
afterAll(async () => {
  await client.close();
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

/** A clock that moves only when the wait sleeps. */
function recordedClock() {
  let now = 1_000_000;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: async (ms: number) => {
      waits.push(ms);
      now += ms;
    },
  };
}

describe('waitForDomain', () => {
  it('returns after one request when the cluster answers', async () => {
    const clock = recordedClock();
    await expect(waitForDomain(client, { deadline: clock.now() + 60_000, ...clock })).resolves.toEqual({ attempts: 1 });
    expect(clock.waits).toEqual([]);
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /']);
  });

  it('waits with doubling, capped delays while the cluster answers 503 or drops the connection', async () => {
    fake.failRequests(REQUEST_FAULTS.unavailable(), { times: 3 });
    fake.failRequests({ kind: 'drop' }, { times: 3 });
    const clock = recordedClock();

    const result = await waitForDomain(client, { deadline: clock.now() + 600_000, baseDelayMs: 1_000, maxDelayMs: 8_000, ...clock });

    expect(result).toEqual({ attempts: 7 });
    expect(clock.waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    // One request per try: the transport's own retries are off for the wait.
    expect(fake.requests).toHaveLength(7);
  });

  it('counts a 403 as an answer: the cluster runs, and the assets report the refusal themselves', async () => {
    fake.failRequests({ kind: 'status', status: 403, body: { error: { type: 'security_exception', reason: 'no permissions' }, status: 403 } }, { times: 1 });
    const clock = recordedClock();
    await expect(waitForDomain(client, { deadline: clock.now() + 60_000, ...clock })).resolves.toEqual({ attempts: 1 });
  });

  it('gives up, naming the last reason, when the next wait would pass the deadline', async () => {
    fake.failRequests(REQUEST_FAULTS.unavailable(), { times: 100 });
    const clock = recordedClock();
    const onWait: unknown[] = [];

    const failure = waitForDomain(client, { deadline: clock.now() + 10_000, baseDelayMs: 1_000, ...clock, onWait: (details) => onWait.push(details) });

    await expect(failure).rejects.toBeInstanceOf(DomainUnreachableError);
    await expect(failure).rejects.toThrow(/did not answer in time \(4 tries; last: HTTP 503/);
    expect(clock.waits).toEqual([1_000, 2_000, 4_000]);
    expect(onWait).toHaveLength(3);
  });
});
