import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireApplyLock, APPLY_LOCK_INDEX, type ApplyLock } from '../../functions/assets/apply-lock';
import { AssetsLockedError } from '../../functions/assets/errors';
import { createOpenSearchClient } from '../../functions/sinks/opensearch';
import { startFakeOpenSearch } from '../helpers/fake-opensearch';
import { assetsConfigFor, deleteTemplates } from './support/assets';
import { deleteIndices, engineClient, engineUrl, uniquePrefix } from './support/engine';

/**
 * Issue 10, item 10 on the real engine: the apply lock that keeps two `assets apply` runs
 * from both creating the same monitors. The monitors themselves need the Alerting plugin,
 * which this node cannot have (docs/testing.md); what the lock rests on is the engine's
 * own: `op_type=create` lets exactly one of two writers create a document, and
 * `if_seq_no`/`if_primary_term` lets exactly one of two takers replace a stale one. The
 * fake's replies to both conflicts are compared with the engine's here too.
 */

const ROOT = join(import.meta.dirname, '../..');
const client = engineClient();
const lockClient = () => createOpenSearchClient(assetsConfigFor('unused').openSearch, { maxRetries: 0, compression: false });
const lockPath = (id: string) => `/${APPLY_LOCK_INDEX}/_doc/${id}`;
const prefixes: string[] = [];

async function storedLock(id: string): Promise<{ found: boolean; _seq_no?: number; _source?: Record<string, unknown> }> {
  const reply = await client.transport.request({ method: 'GET', path: lockPath(id) }, { ignore: [404] });
  return reply.body as { found: boolean; _seq_no?: number; _source?: Record<string, unknown> };
}

/** Two takers race for `id`'s lock at once, each with its own client; `check` sees who won and who lost, then both clients close. */
async function raceTwoTakers(
  id: string,
  check: (won: PromiseFulfilledResult<ApplyLock>[], lost: PromiseRejectedResult[]) => Promise<void>,
): Promise<void> {
  const [one, two] = [lockClient(), lockClient()];
  try {
    const takers = await Promise.allSettled([
      acquireApplyLock(one, { id, holder: 'taker one', waitMs: 0 }),
      acquireApplyLock(two, { id, holder: 'taker two', waitMs: 0 }),
    ]);
    await check(
      takers.filter((taker): taker is PromiseFulfilledResult<ApplyLock> => taker.status === 'fulfilled'),
      takers.filter((taker): taker is PromiseRejectedResult => taker.status === 'rejected'),
    );
  } finally {
    await Promise.all([one.close(), two.close()]);
  }
}

afterAll(async () => {
  for (const prefix of prefixes) {
    await deleteIndices(client, prefix);
    await deleteTemplates(prefix);
    await client.transport.request({ method: 'DELETE', path: lockPath(prefix) }, { ignore: [404] });
  }
  await client.close();
});

describe('the apply lock on the real engine', () => {
  it('two takers at once: exactly one wins, the other is told who holds it and until when', async () => {
    const id = uniquePrefix('lock');
    prefixes.push(id);
    await raceTwoTakers(id, async (won, lost) => {
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const winner = won[0]!.value;
      expect(lost[0]!.reason).toBeInstanceOf(AssetsLockedError);
      expect((lost[0]!.reason as Error).message).toMatch(
        new RegExp(`^another assets apply is running for prefix "${id}": held by ${winner.holder.holder} since \\S+Z, expires at \\S+Z unless renewed`),
      );
      expect((await storedLock(id))._source?.holder).toBe(winner.holder.holder);
      await winner.release();
      expect((await storedLock(id)).found).toBe(false);
    });
  });

  it('a stale lock is taken over by exactly one of two takers (compare-and-set on seq_no)', async () => {
    const id = uniquePrefix('lock');
    prefixes.push(id);
    const stale = { holder: 'Lambda that timed out', token: 'dead', prefix: id, acquired_at: '2026-01-01T00:00:00.000Z', expires_at: '2026-01-01T00:02:00.000Z' };
    await client.transport.request({ method: 'PUT', path: lockPath(id), querystring: { refresh: 'true' }, body: stale });
    const staleSeqNo = (await storedLock(id))._seq_no!;
    await raceTwoTakers(id, async (won, lost) => {
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const winner = won[0]!.value;
      expect((lost[0]!.reason as Error).message).toContain(`held by ${winner.holder.holder} since`);
      const taken = await storedLock(id);
      expect(taken._source?.holder).toBe(winner.holder.holder);
      expect(taken._seq_no).toBeGreaterThan(staleSeqNo);
      await winner.release();
      expect((await storedLock(id)).found).toBe(false);
    });
  });

  it('assets apply (the CLI) refuses to run while the lock is held, then runs once it is released', async () => {
    const prefix = uniquePrefix('lock');
    prefixes.push(prefix);
    const holderClient = lockClient();
    const held = await acquireApplyLock(holderClient, { id: prefix, holder: 'the CDK deployment (test)' });
    const apply = () =>
      spawnSync(process.execPath, [join(ROOT, 'bin/cwl-opensearch.mjs'), 'assets', 'apply', '--json', '--lock-wait', '0', '--to', engineUrl()], {
        cwd: ROOT,
        env: { ...process.env, INDEX_PREFIX: prefix, INDEX_REPLICAS: '0' },
        encoding: 'utf8',
        timeout: 120_000,
      });
    try {
      const refused = apply();
      expect(refused.status).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(
        new RegExp(`^cwl-opensearch: another assets apply is running for prefix "${prefix}": held by the CDK deployment \\(test\\) since \\S+Z, expires at \\S+Z unless renewed; nothing was changed`),
      );
      const templates = await client.transport.request({ method: 'GET', path: `/_index_template/${prefix}-*` }, { ignore: [404] });
      expect((templates.body as { index_templates?: unknown[] }).index_templates ?? []).toEqual([]);
    } finally {
      await held.release();
      await holderClient.close();
    }
    const ran = apply();
    const report = JSON.parse(ran.stdout) as { results: { kind: string; status: string }[] };
    expect(report.results.filter((result) => result.kind === 'index-template').every((result) => result.status === 'created')).toBe(true);
    expect((await storedLock(prefix)).found).toBe(false);
  });

  it('lives in a hidden index: wildcard searches and _cat/indices do not show it', async () => {
    const settings = await client.transport.request({ method: 'GET', path: `/${APPLY_LOCK_INDEX}/_settings`, querystring: { flat_settings: 'true' } });
    expect((settings.body as Record<string, { settings: Record<string, string> }>)[APPLY_LOCK_INDEX]!.settings['index.hidden']).toBe('true');
    const cat = await client.transport.request({ method: 'GET', path: '/_cat/indices', querystring: { format: 'json' } });
    expect((cat.body as { index: string }[]).map((row) => row.index)).not.toContain(APPLY_LOCK_INDEX);
  });

  it("the fake answers the two conflicts with the engine's shape", async () => {
    const id = uniquePrefix('lock');
    prefixes.push(id);
    const fake = await startFakeOpenSearch();
    try {
      const replies = async (base: string) => {
        const send = async (method: string, query: string) => {
          const response = await fetch(`${base}${lockPath(id)}?${query}`, {
            method,
            headers: { 'content-type': 'application/json' },
            ...(method === 'PUT' && { body: JSON.stringify({ holder: 'x' }) }),
          });
          return { status: response.status, body: (await response.json()) as Record<string, unknown> };
        };
        await send('PUT', 'op_type=create&refresh=true');
        return [
          await send('PUT', 'op_type=create&refresh=true'),
          await send('PUT', 'if_seq_no=99&if_primary_term=1&refresh=true'),
          await send('DELETE', 'if_seq_no=99&if_primary_term=1&refresh=true'),
        ];
      };
      const [engine, ours] = [await replies(engineUrl()), await replies(fake.url)];
      const shape = (reply: { status: number; body: Record<string, unknown> }) => {
        const error = reply.body.error as Record<string, unknown>;
        const uuid = String(error.index_uuid);
        const strip = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll(uuid, '<uuid>').replace(/seqNo \[\d+\]/g, 'seqNo [n]').replace(/version \[\d+\]/g, 'version [n]')) as unknown;
        return { status: reply.status, keys: Object.keys(reply.body).sort(), error: strip(error) };
      };
      expect(ours.map(shape)).toEqual(engine.map(shape));
      expect(engine.map((reply) => reply.status)).toEqual([409, 409, 409]);
    } finally {
      await fake.close();
    }
  });
});
