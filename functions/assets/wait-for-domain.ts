import type { OpenSearchClient } from '../sinks/opensearch';
import { backoffCap, sleep as pause } from '../sinks/retry';
import { describeError, errorStatus } from './opensearch-api';

/**
 * Before the first asset, wait until the cluster answers. A domain the same deployment has
 * just created can be "active" for CloudFormation while its endpoint still fails to resolve,
 * refuses connections or answers 5xx for a while; the client's own two retries take a
 * second, so without this every asset of the first deployment failed.
 */

export interface DomainWaitOptions {
  /** Epoch ms: no wait is started that would end after it. */
  readonly deadline: number;
  /** First wait; doubled after each failed try up to `maxDelayMs`. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Called before each wait (the handler logs it). */
  readonly onWait?: (details: { attempt: number; delayMs: number; reason: string }) => void;
}

export const DOMAIN_WAIT_DEFAULTS = { baseDelayMs: 2_000, maxDelayMs: 30_000 } as const;

export class DomainUnreachableError extends Error {
  constructor(
    readonly attempts: number,
    readonly lastReason: string,
  ) {
    super(`OpenSearch did not answer in time (${attempts} tries; last: ${lastReason}); nothing was applied`);
    this.name = 'DomainUnreachableError';
  }
}

/**
 * Sends `GET /` (one try each, no transport retries) until the cluster answers, waiting
 * with capped exponential backoff in between. Any answer below 500 other than 429 counts:
 * a 401 or 403 comes from a running cluster, and the assets then report it themselves.
 * Throws `DomainUnreachableError` when the next wait would pass the deadline.
 */
export async function waitForDomain(client: OpenSearchClient, options: DomainWaitOptions): Promise<{ attempts: number }> {
  const base = options.baseDelayMs ?? DOMAIN_WAIT_DEFAULTS.baseDelayMs;
  const cap = options.maxDelayMs ?? DOMAIN_WAIT_DEFAULTS.maxDelayMs;
  const sleep = options.sleep ?? pause;
  const now = options.now ?? Date.now;
  for (let attempt = 1; ; attempt += 1) {
    let reason: string;
    try {
      await client.transport.request({ method: 'GET', path: '/' }, { maxRetries: 0 });
      return { attempts: attempt };
    } catch (error) {
      const status = errorStatus(error);
      if (status !== undefined && status < 500 && status !== 429) return { attempts: attempt };
      reason = describeError(error);
    }
    // No jitter: one waiter per deployment, nothing to spread out.
    const delayMs = backoffCap(attempt, { baseDelayMs: base, maxDelayMs: cap, maxAttempts: Number.POSITIVE_INFINITY });
    if (now() + delayMs > options.deadline) throw new DomainUnreachableError(attempt, reason);
    options.onWait?.({ attempt, delayMs, reason });
    await sleep(delayMs);
  }
}
