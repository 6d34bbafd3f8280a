import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyAssets, type ApplyDeps } from '../../functions/assets/apply';
import { acquireApplyLock, APPLY_LOCK_INDEX, defaultLockHolder } from '../../functions/assets/apply-lock';
import { loadAssetsConfig } from '../../functions/assets/config';
import { AssetsLockedError } from '../../functions/assets/errors';
import { createOpenSearchClient, type OpenSearchClient } from '../../functions/sinks/opensearch';
import { startFakeOpenSearch, type FakeOpenSearch } from '../helpers/fake-opensearch';
import { addAssetRoutes, type FakeAssetsState } from '../helpers/fake-opensearch-assets';

/**
 * Issue 10, item 10: "two applies at once can create duplicate monitors". Monitors are found
 * by name and created when missing, so two applies that both look before either creates
 * both create. The applies below are made to overlap exactly there (each one's monitor
 * search waits for the other), so without the apply lock both create every monitor.
 */

let fake: FakeOpenSearch;
let state: FakeAssetsState;
const clients: OpenSearchClient[] = [];

beforeEach(async () => {
  fake = await startFakeOpenSearch();
  state = addAssetRoutes(fake);
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await fake.close();
});

const config = () => loadAssetsConfig({ OPENSEARCH_ENDPOINT: fake.url, OPENSEARCH_AUTH: 'none' });

interface Request {
  readonly method: string;
  readonly path: string;
}

/** A client whose requests pass through `before` (which may hold them) and `after`. */
function clientWith(before: (request: Request) => Promise<void> | void, after?: (request: Request, reply: { body: unknown }) => void): OpenSearchClient {
  const client = createOpenSearchClient(config().openSearch, { maxRetries: 0, compression: false });
  const send = client.transport.request.bind(client.transport) as (params: Request, options?: unknown) => Promise<{ body: unknown }>;
  const wrapped = async (params: Request, options?: unknown) => {
    await before(params);
    const reply = await send(params, options);
    after?.(params, reply);
    return reply;
  };
  (client.transport as unknown as { request: typeof wrapped }).request = wrapped;
  clients.push(client);
  return client;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

const isMonitorSearch = (request: Request) => request.method === 'POST' && request.path === '/_plugins/_alerting/monitors/_search';

/**
 * Two clients whose first monitor searches wait for each other (both have looked, neither has
 * created), or for `released` (the second apply was stopped before it got there).
 */
function overlappingClients() {
  const bothSearched = deferred();
  const released = deferred();
  const firstAtGate = deferred();
  let arrived = 0;
  const gate = (): ((request: Request) => Promise<void>) => {
    let passed = false;
    return async (request) => {
      if (passed || !isMonitorSearch(request)) return;
      passed = true;
      arrived += 1;
      if (arrived === 1) firstAtGate.resolve();
      if (arrived === 2) bothSearched.resolve();
      await Promise.race([bothSearched.promise, released.promise]);
    };
  };
  return { first: clientWith(gate()), second: clientWith(gate()), firstAtGate: firstAtGate.promise, release: released.resolve };
}

const monitorNames = () => [...state.monitors.values()].map((stored) => String(stored.body.name)).sort();

describe('two applies at once (issue 10, item 10)', () => {
  it('create exactly one set of monitors; the second fails at once, naming the holder and the expiry', async () => {
    const { first, second, firstAtGate, release } = overlappingClients();
    const applyA = applyAssets(config(), { client: first, lock: { holder: 'apply A (test)' } });
    await firstAtGate; // A holds the lock and has looked for its first monitor
    const applyB = applyAssets(config(), { client: second, lock: { holder: 'apply B (test)', waitMs: 0 } }).finally(release);

    const [a, b] = await Promise.allSettled([applyA, applyB]);
    expect(a.status).toBe('fulfilled');
    expect(a.status === 'fulfilled' && a.value.counts.failed).toBe(0);
    expect(b.status).toBe('rejected');
    const error = (b as PromiseRejectedResult).reason as Error;
    expect(error).toBeInstanceOf(AssetsLockedError);
    expect(error.message).toMatch(
      /^another assets apply is running for prefix "cwl": held by apply A \(test\) since \d{4}-\d\d-\d\dT[\d:.]+Z, expires at \d{4}-\d\d-\d\dT[\d:.]+Z unless renewed; nothing was changed/,
    );
    expect(state.monitors.size).toBe(5);
    expect(new Set(monitorNames()).size).toBe(5);
    // A released the lock when it was done.
    expect(fake.get(APPLY_LOCK_INDEX, 'cwl')).toBeUndefined();
  });

  it('a second apply told to wait runs after the first, and finds everything in place', async () => {
    const { first, second, firstAtGate, release } = overlappingClients();
    const waitedFor: string[] = [];
    const applyA = applyAssets(config(), { client: first, lock: { holder: 'apply A (test)' } });
    await firstAtGate;
    const applyB = applyAssets(config(), {
      client: second,
      lock: {
        holder: 'apply B (test)',
        pollMs: 20,
        onWait: (held) => {
          waitedFor.push(held.holder);
          release();
        },
      },
    }).finally(release);

    const [a, b] = await Promise.all([applyA, applyB]);
    expect(waitedFor[0]).toBe('apply A (test)');
    expect(a.counts.failed).toBe(0);
    expect(b.counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
    expect(state.monitors.size).toBe(5);
  });

  it('a monitor created at the same time by an apply without the lock is reported, not passed over', async () => {
    // An older version (or a script) creates the same monitor between our search and our create.
    let copied = false;
    const client = clientWith(
      () => undefined,
      (request, reply) => {
        if (copied || request.method !== 'POST' || request.path !== '/_plugins/_alerting/monitors') return;
        copied = true;
        const id = String((reply.body as { _id: string })._id);
        state.monitors.set(`zz-${id}`, { ...state.monitors.get(id)!, seqNo: 9999 });
      },
    );
    const report = await applyAssets(config(), { client });
    const failed = report.results.filter((result) => result.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ kind: 'monitor', name: 'cwl-athena-scanned-bytes-per-user' });
    expect(failed[0]!.reason).toMatch(/^created \S+, but 2 monitors are now named so \(\S+, zz-\S+\): another apply created one at the same time; delete all but one$/);
  });
});

describe('the apply lock', () => {
  it('is released when an apply fails part-way', async () => {
    const client = clientWith(() => undefined);
    const broken: ApplyDeps['onResult'] = (result) => {
      if (result.kind === 'index-template') throw new Error('crashed while applying');
    };
    await expect(applyAssets(config(), { client, onResult: broken })).rejects.toThrow('crashed while applying');
    expect(fake.indices.has(APPLY_LOCK_INDEX)).toBe(true);
    expect(fake.get(APPLY_LOCK_INDEX, 'cwl')).toBeUndefined();
    // So the next apply is not blocked.
    const report = await applyAssets(config(), { client, lock: { waitMs: 0 } });
    expect(report.counts.failed).toBe(0);
  });

  it('is released when assets fail', async () => {
    fake.failRequests({ kind: 'status', status: 500, body: { error: { type: 'fake', reason: 'boom' }, status: 500 } }, {
      method: 'PUT',
      path: /^\/_index_template\//,
      times: 1,
    });
    const report = await applyAssets(config(), { client: clientWith(() => undefined) });
    expect(report.counts.failed).toBe(1);
    expect(fake.requests.filter((request) => request.path === `/${APPLY_LOCK_INDEX}/_doc/cwl`).map((request) => request.method)).toEqual(['PUT', 'DELETE']);
    expect(fake.get(APPLY_LOCK_INDEX, 'cwl')).toBeUndefined();
  });

  it('left behind by a holder that died is taken over once expired, by exactly one of two takers', async () => {
    const stale = { holder: 'Lambda old (timed out)', token: 'dead', prefix: 'cwl', acquired_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-01-01T00:02:00.000Z' };
    fake.put(APPLY_LOCK_INDEX, 'cwl', stale);
    const client = clientWith(() => undefined);
    const takers = await Promise.allSettled(
      ['taker 1', 'taker 2'].map((holder) => acquireApplyLock(client, { id: 'cwl', holder, waitMs: 0 })),
    );
    const won = takers.filter((taker) => taker.status === 'fulfilled');
    const lost = takers.filter((taker): taker is PromiseRejectedResult => taker.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireApplyLock>>>).value;
    expect(lost[0]!.reason).toBeInstanceOf(AssetsLockedError);
    expect((lost[0]!.reason as Error).message).toContain(`held by ${winner.holder.holder} since`);
    expect(fake.get(APPLY_LOCK_INDEX, 'cwl')?.source.holder).toBe(winner.holder.holder);
    await winner.release();
    expect(fake.get(APPLY_LOCK_INDEX, 'cwl')).toBeUndefined();
  });

  it('that is not expired is not taken over', async () => {
    const held = { holder: 'someone else', token: 't', prefix: 'cwl', acquired_at: new Date().toISOString(), expires_at: new Date(Date.now() + 60_000).toISOString() };
    fake.put(APPLY_LOCK_INDEX, 'cwl', held);
    await expect(applyAssets(config(), { client: clientWith(() => undefined), lock: { waitMs: 0 } })).rejects.toThrow(
      /held by someone else since .* expires at /,
    );
    expect(fake.get(APPLY_LOCK_INDEX, 'cwl')?.source.token).toBe('t');
    expect(state.monitors.size).toBe(0);
  });

  it('is renewed while the apply runs; one taken over meanwhile is reported and not deleted', async () => {
    const client = clientWith(() => undefined);
    const lock = await acquireApplyLock(client, { id: 'cwl', holder: 'slow apply', renewEveryMs: 5 });
    const first = fake.get(APPLY_LOCK_INDEX, 'cwl')!;
    while (fake.get(APPLY_LOCK_INDEX, 'cwl')!.seqNo === first.seqNo) await new Promise((resolve) => setTimeout(resolve, 5));
    const renewed = fake.get(APPLY_LOCK_INDEX, 'cwl')!;
    expect(renewed.source.holder).toBe('slow apply');
    expect(renewed.source.acquired_at).toBe(first.source.acquired_at);
    expect(Date.parse(String(renewed.source.expires_at))).toBeGreaterThanOrEqual(Date.parse(String(first.source.expires_at)));

    // Another apply found it stale (this process was paused) and took it.
    fake.put(APPLY_LOCK_INDEX, 'cwl', { ...renewed.source, holder: 'the taker', token: 'other' });
    while (lock.lost() === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(lock.lost()?.holder).toBe('the taker');
    await lock.release();
    expect(fake.get(APPLY_LOCK_INDEX, 'cwl')?.source.holder).toBe('the taker');
  });

  it('a take that the cluster stored but whose reply was lost, then retried by the client, is still ours', async () => {
    // The transport retries a dropped connection; the retry of op_type=create meets our own document (409).
    fake.failRequests({ kind: 'drop', apply: true }, { method: 'PUT', path: new RegExp(`^/\\${APPLY_LOCK_INDEX}/_doc/cwl$`), times: 1 });
    const report = await applyAssets(config(), { lock: { waitMs: 0 } });
    expect(report.counts.failed).toBe(0);
    const takes = fake.requests.filter((request) => request.method === 'PUT' && request.path === `/${APPLY_LOCK_INDEX}/_doc/cwl`);
    expect(takes.length).toBeGreaterThanOrEqual(2);
    expect(fake.get(APPLY_LOCK_INDEX, 'cwl')).toBeUndefined();
  });

  it('names its holder so that a person can find it: the Lambda and its log stream, or user, host and pid', () => {
    expect(defaultLockHolder({ AWS_LAMBDA_FUNCTION_NAME: 'Stack-Assets', AWS_LAMBDA_LOG_STREAM_NAME: '2026/12/06/[$LATEST]abc' })).toBe(
      'Lambda Stack-Assets (log stream 2026/12/06/[$LATEST]abc)',
    );
    expect(defaultLockHolder({})).toMatch(new RegExp(`^\\S+@\\S+ pid ${process.pid}$`));
  });

  it('lives in a hidden index of its own; a dry run takes no lock', async () => {
    await applyAssets(config(), { client: clientWith(() => undefined) }, { dryRun: true });
    expect(fake.requests.some((request) => request.path.startsWith(`/${APPLY_LOCK_INDEX}`))).toBe(false);
    await applyAssets(config(), { client: clientWith(() => undefined) });
    const create = fake.requests.find((request) => request.method === 'PUT' && request.path === `/${APPLY_LOCK_INDEX}`);
    expect(JSON.parse(create!.body).settings.index).toMatchObject({ hidden: true, number_of_shards: 1 });
    const take = fake.requests.find((request) => request.method === 'PUT' && request.path === `/${APPLY_LOCK_INDEX}/_doc/cwl`);
    expect(take!.query).toMatchObject({ op_type: 'create', refresh: 'true' });
  });
});
