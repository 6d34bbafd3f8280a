/**
 * Exponential backoff with full jitter, bounded by attempts and a deadline. Pure apart
 * from the injected `random`.
 */

export interface RetryPolicy {
  /** Cap of the first retry's delay; doubles per retry. */
  readonly baseDelayMs: number;
  /** No delay cap grows beyond this. */
  readonly maxDelayMs: number;
  /** Attempts in total, the first one included. */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 5_000, maxAttempts: 8 };

/** The delay cap before retry number `retry` (1 = first retry): `min(max, base * 2^(retry-1))`. */
export function backoffCap(retry: number, policy: RetryPolicy): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
}

/** Full jitter: a uniform delay in `[0, cap)`, so that many clients spread out. */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCap(retry, policy));
}

/**
 * The delay before the next attempt after `attempts` attempts, or `undefined` when no
 * retry may start: attempts are used up, or the retry would begin after `deadline`.
 */
export function nextRetryDelay(
  attempts: number,
  policy: RetryPolicy,
  now: number,
  deadline: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (attempts >= policy.maxAttempts) return undefined;
  const delay = backoffDelay(attempts, policy, random);
  if (deadline !== undefined && now + delay >= deadline) return undefined;
  return delay;
}

/** Checks a policy and says what is wrong, naming the field. */
export function validateRetryPolicy(policy: RetryPolicy): void {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry.maxAttempts must be a whole number >= 1, not ${policy.maxAttempts}`);
  }
  if (!(policy.baseDelayMs >= 0) || !(policy.maxDelayMs >= policy.baseDelayMs)) {
    throw new RangeError(
      `retry delays must satisfy 0 <= baseDelayMs <= maxDelayMs, not ${policy.baseDelayMs} / ${policy.maxDelayMs}`,
    );
  }
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
