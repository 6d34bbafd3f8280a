import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { OpenSearchClient } from '../sinks/opensearch';
import { AssetsLockedError } from './errors';
import { sleep } from '../sinks/retry';
import { callOpenSearch, describeError, documentVersion, errorStatus, type DocumentVersion as Version } from './opensearch-api';
import type { Json } from './types';

/**
 * One `assets apply` at a time per prefix (issue 10, item 10). Monitors are found by name
 * and created when missing, so two applies running together (a deployment's custom
 * resource and an operator's CLI, or two stacks with one prefix) would both see "missing"
 * and both create. The lock is a document in a small hidden index, written with
 * `op_type=create` (the engine lets exactly one writer create an id; the others get 409).
 * The holder renews it while it runs; a holder that died (a Lambda timeout, a killed
 * process) stops renewing and its lock expires, after which the next apply replaces it
 * with a compare-and-set on `if_seq_no`/`if_primary_term`, so two takers cannot both win.
 */

/** The lock index: dot-prefixed and `index.hidden`, so `*` patterns and Dashboards never show it. */
export const APPLY_LOCK_INDEX = '.cwl-opensearch-assets-lock';

export const APPLY_LOCK_DEFAULTS = {
  /** A lock not renewed for this long is stale and may be taken over. */
  ttlMs: 120_000,
  /** The holder renews well inside the TTL, so a slow request or two do not lose it. */
  renewEveryMs: 30_000,
  /** How long a second apply waits for the lock: longer than the TTL, so a dead holder's lock expires meanwhile. */
  waitMs: 150_000,
  /** Pause between two looks at a held lock. */
  pollMs: 2_000,
} as const;

/** What the lock document says about its holder. */
export interface LockHolder {
  readonly holder: string;
  readonly acquiredAt: string;
  readonly expiresAt: string;
}

export interface ApplyLockOptions {
  /** The lock's id: one lock per index prefix (every asset name carries the prefix). */
  readonly id: string;
  /** Who holds it, in words a person can act on (host and pid, or the Lambda's log stream). */
  readonly holder?: string;
  readonly ttlMs?: number;
  readonly renewEveryMs?: number;
  /** 0: fail at once when the lock is held. */
  readonly waitMs?: number;
  readonly pollMs?: number;
  /** Called each time the lock is found held by someone else and this apply waits. */
  readonly onWait?: (held: LockHolder) => void;
  readonly now?: () => number;
}

export interface ApplyLock {
  readonly holder: LockHolder;
  /** Whether another apply took the lock over while this one held it (it stopped renewing in time). */
  lost(): LockHolder | undefined;
  /** Stops renewing and deletes the lock if it is still ours; never throws. */
  release(): Promise<void>;
}

interface StoredLock extends Version {
  readonly source: Json;
}

/** Who is applying: the Lambda's function and log stream, or user, host and pid. */
export function defaultLockHolder(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AWS_LAMBDA_FUNCTION_NAME !== undefined) {
    return `Lambda ${env.AWS_LAMBDA_FUNCTION_NAME} (log stream ${env.AWS_LAMBDA_LOG_STREAM_NAME ?? 'unknown'})`;
  }
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): the host and pid still say where it runs
  }
  return `${user}@${hostname()} pid ${process.pid}`;
}

/**
 * Takes the apply lock, waiting up to `waitMs` while another apply holds it; throws
 * `AssetsLockedError` naming the holder and its expiry when the wait ends first.
 */
export async function acquireApplyLock(client: OpenSearchClient, options: ApplyLockOptions): Promise<ApplyLock> {
  const now = options.now ?? Date.now;
  const ttlMs = options.ttlMs ?? APPLY_LOCK_DEFAULTS.ttlMs;
  const waitMs = options.waitMs ?? APPLY_LOCK_DEFAULTS.waitMs;
  const pollMs = options.pollMs ?? APPLY_LOCK_DEFAULTS.pollMs;
  const holder = options.holder ?? defaultLockHolder();
  const token = randomUUID();
  const path = `/${APPLY_LOCK_INDEX}/_doc/${encodeURIComponent(options.id)}`;
  const body = (): Json => lockBody(options.id, holder, token, now(), ttlMs);

  await ensureLockIndex(client);
  const deadline = now() + waitMs;
  // Retries without a pause (a lock released or taken over between two of our calls) are few;
  // more means the server does not behave as the protocol assumes.
  // Counts only those retries: a wait for a held lock starts the count again.
  let quickRetries = 0;
  for (;;) {
    if (quickRetries > 10) throw new AssetsLockedError(`cannot take the apply lock ${APPLY_LOCK_INDEX}/${options.id}: it changed hands 10 times in a row`);
    let written = body();
    const created = await writeLock(client, path, written, { op_type: 'create' });
    let version = created.version;
    if (version === undefined) {
      const stored = await readLock(client, path);
      if (stored === undefined) {
        quickRetries += 1; // released between our write and our read: try again
        continue;
      }
      if (stored.source.token === token) {
        version = stored; // our own write, retried by the transport
        written = stored.source;
      } else if (Date.parse(String(stored.source.expires_at)) < now()) {
        // Stale: replace exactly the version we read; a second taker's write then fails with 409.
        written = body();
        const taken = await writeLock(client, path, written, { if_seq_no: String(stored.seqNo), if_primary_term: String(stored.primaryTerm) });
        version = taken.version ?? (await ownVersion(client, path, token));
        if (version === undefined) {
          quickRetries += 1; // another taker won: look again at what it wrote
          continue;
        }
      } else {
        const held = holderOf(stored.source);
        const left = deadline - now();
        if (left <= 0) throw lockedError(options.id, held, waitMs);
        options.onWait?.(held);
        await sleep(Math.min(pollMs, left));
        quickRetries = 0;
        continue;
      }
    }
    return startHolding(client, path, {
      id: options.id,
      holder,
      token,
      version,
      acquiredAt: String(written.acquired_at),
      ttlMs,
      now,
      renewEveryMs: options.renewEveryMs ?? APPLY_LOCK_DEFAULTS.renewEveryMs,
    });
  }
}

function startHolding(
  client: OpenSearchClient,
  path: string,
  held: {
    id: string;
    holder: string;
    token: string;
    version: Version;
    acquiredAt: string;
    ttlMs: number;
    renewEveryMs: number;
    now: () => number;
  },
): ApplyLock {
  let version: Version | undefined = held.version;
  let takenBy: LockHolder | undefined;
  // A renewal moves the expiry only: the document keeps saying since when the apply runs.
  const stamp = (): Json => ({ ...lockBody(held.id, held.holder, held.token, held.now(), held.ttlMs), acquired_at: held.acquiredAt });
  let renewing: Promise<void> = Promise.resolve();
  const renew = async (): Promise<void> => {
    if (version === undefined) return;
    try {
      const written = await writeLock(client, path, stamp(), { if_seq_no: String(version.seqNo), if_primary_term: String(version.primaryTerm) });
      if (written.version !== undefined) version = written.version;
      else {
        const stored = await readLock(client, path);
        if (stored?.source.token === held.token) version = stored;
        else {
          version = undefined;
          takenBy = stored === undefined ? { holder: 'nobody (deleted)', acquiredAt: '', expiresAt: '' } : holderOf(stored.source);
        }
      }
    } catch {
      // A failed renewal is retried at the next tick; the TTL leaves room for several.
    }
  };
  const timer = setInterval(() => {
    renewing = renewing.then(renew);
  }, held.renewEveryMs);
  timer.unref();
  return {
    holder: { holder: held.holder, acquiredAt: held.acquiredAt, expiresAt: new Date(Date.parse(held.acquiredAt) + held.ttlMs).toISOString() },
    lost: () => takenBy,
    async release() {
      clearInterval(timer);
      await renewing;
      if (version === undefined) return;
      try {
        await callOpenSearch(client, 'DELETE', path, {
          querystring: { if_seq_no: String(version.seqNo), if_primary_term: String(version.primaryTerm), refresh: 'true' },
        });
      } catch {
        // 409: no longer ours (taken over after it went stale). Otherwise it expires by itself.
      }
    },
  };
}

/**
 * Creates the hidden lock index once; an index that already exists is fine. The HEAD needs
 * `indices:admin/get`, which `crud` + `create_index` do not grant: a refused HEAD falls
 * through to the create, which answers "already exists".
 */
async function ensureLockIndex(client: OpenSearchClient): Promise<void> {
  const exists = await callOpenSearch(client, 'HEAD', `/${APPLY_LOCK_INDEX}`).catch(() => undefined);
  if (exists !== undefined && exists.status === 200) return;
  try {
    await callOpenSearch(client, 'PUT', `/${APPLY_LOCK_INDEX}`, {
      body: {
        // Replicas are left to the cluster's default, as for any index (Multi-AZ with Standby
        // domains impose their own count).
        settings: { index: { hidden: true, number_of_shards: 1 } },
        mappings: {
          dynamic: false,
          properties: {
            holder: { type: 'keyword' },
            prefix: { type: 'keyword' },
            acquired_at: { type: 'date' },
            expires_at: { type: 'date' },
          },
        },
      },
    });
  } catch (error) {
    if (errorType(error) === 'resource_already_exists_exception') return; // another apply made it first
    throw new AssetsLockedError(`cannot create the apply lock index ${APPLY_LOCK_INDEX}: ${describeError(error)}${permissionHint(error)}`);
  }
}

/** A write answered 409 gives no version; other errors throw `AssetsLockedError`. */
async function writeLock(
  client: OpenSearchClient,
  path: string,
  body: Json,
  querystring: Record<string, string>,
): Promise<{ version?: Version }> {
  try {
    const reply = await callOpenSearch(client, 'PUT', path, { body, querystring: { ...querystring, refresh: 'true' } });
    return { version: documentVersion(reply.body) };
  } catch (error) {
    if (errorStatus(error) === 409) return {};
    throw new AssetsLockedError(`cannot take the apply lock ${APPLY_LOCK_INDEX}${path.slice(path.lastIndexOf('/'))}: ${describeError(error)}${permissionHint(error)}`);
  }
}

function lockBody(id: string, holder: string, token: string, at: number, ttlMs: number): Json {
  return { holder, token, prefix: id, acquired_at: new Date(at).toISOString(), expires_at: new Date(at + ttlMs).toISOString() };
}

async function readLock(client: OpenSearchClient, path: string): Promise<StoredLock | undefined> {
  const reply = await callOpenSearch(client, 'GET', path);
  const body = (reply.body ?? {}) as Json;
  if (reply.status === 404 || body.found !== true) return undefined;
  const version = documentVersion(body);
  return version === undefined ? undefined : { ...version, source: (body._source ?? {}) as Json };
}

async function ownVersion(client: OpenSearchClient, path: string, token: string): Promise<Version | undefined> {
  const stored = await readLock(client, path);
  return stored?.source.token === token ? stored : undefined;
}

function holderOf(source: Json): LockHolder {
  return {
    holder: typeof source.holder === 'string' ? source.holder : 'unknown',
    acquiredAt: String(source.acquired_at ?? 'unknown'),
    expiresAt: String(source.expires_at ?? 'unknown'),
  };
}

function lockedError(id: string, held: LockHolder, waitMs: number): AssetsLockedError {
  const waited = waitMs > 0 ? ` (waited ${Math.round(waitMs / 1000)} s)` : '';
  return new AssetsLockedError(
    `another assets apply is running for prefix "${id}"${waited}: held by ${held.holder} since ${held.acquiredAt}, ` +
      `expires at ${held.expiresAt} unless renewed; nothing was changed. Run again when it is done ` +
      `(a lock left by a process that died is taken over after it expires).`,
    held,
  );
}

function errorType(error: unknown): string | undefined {
  const body = (error as { meta?: { body?: { error?: { type?: unknown } } } } | undefined)?.meta?.body;
  return typeof body?.error?.type === 'string' ? body.error.type : undefined;
}

function permissionHint(error: unknown): string {
  return errorStatus(error) === 403
    ? `; the assets role needs the crud and create_index action groups on ${APPLY_LOCK_INDEX} (docs/deployment.md)`
    : '';
}
