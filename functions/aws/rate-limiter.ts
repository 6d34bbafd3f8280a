import { setTimeout as delay } from 'node:timers/promises';

/** Waits until the next call is allowed. */
export type RateLimiter = () => Promise<void>;

export interface RateLimiterOptions {
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Spaces calls at least `1000 / perSecond` ms apart, in call order. CloudTrail allows
 * LookupEvents about twice a second per account and region; spacing (rather than a
 * burst bucket) keeps a long backfill from tripping the limit at every page.
 */
export function createRateLimiter(perSecond: number, options: RateLimiterOptions = {}): RateLimiter {
  if (!(perSecond > 0)) throw new RangeError(`rate must be positive, got ${perSecond}`);
  const interval = 1000 / perSecond;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => delay(ms).then(() => undefined));
  let nextSlot = Number.NEGATIVE_INFINITY;
  let queue: Promise<void> = Promise.resolve();

  return () => {
    // Chained so that concurrent callers take consecutive slots instead of the same one.
    const turn = queue.then(async () => {
      const current = now();
      const wait = nextSlot - current;
      if (wait > 0) await sleep(wait);
      nextSlot = Math.max(current, nextSlot) + interval;
    });
    queue = turn.catch(() => undefined);
    return turn;
  };
}
