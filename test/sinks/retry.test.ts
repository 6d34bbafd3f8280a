import { describe, expect, it } from 'vitest';
import { backoffCap, backoffDelay, nextRetryDelay, validateRetryPolicy } from '../../functions/sinks/retry';

const policy = { baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 5 };

describe('backoffCap', () => {
  it.each([
    [1, 100],
    [2, 200],
    [3, 400],
    [4, 800],
    [5, 1_000],
    [30, 1_000],
  ])('retry %i is capped at %i ms', (retry, cap) => {
    expect(backoffCap(retry, policy)).toBe(cap);
  });
});

describe('backoffDelay (full jitter)', () => {
  it.each([
    [1, 0, 0],
    [1, 0.5, 50],
    [3, 0.25, 100],
    [3, 0.999, 399],
    [9, 0.5, 500],
  ])('retry %i with random %f waits %i ms', (retry, random, delay) => {
    expect(backoffDelay(retry, policy, () => random)).toBe(delay);
  });

  it('always stays within [0, cap)', () => {
    for (let retry = 1; retry < 10; retry += 1) {
      for (const random of [0, 0.1, 0.5, 0.9, 0.999999]) {
        const delay = backoffDelay(retry, policy, () => random);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(backoffCap(retry, policy));
      }
    }
  });
});

describe('nextRetryDelay', () => {
  const half = () => 0.5;
  it.each([
    ['first retry, no deadline', 1, 0, undefined, 50],
    ['fourth retry, no deadline', 4, 0, undefined, 400],
    ['attempts used up', 5, 0, undefined, undefined],
    ['deadline far away', 2, 1_000, 10_000, 100],
    ['delay ends exactly at the deadline', 2, 1_000, 1_100, undefined],
    ['delay would cross the deadline', 3, 1_000, 1_150, undefined],
    ['deadline already passed', 1, 2_000, 1_000, undefined],
  ])('%s', (_name, attempts, now, deadline, expected) => {
    expect(nextRetryDelay(attempts, policy, now, deadline, half)).toBe(expected);
  });

  it('gives a deterministic sequence with an injected random', () => {
    const randoms = [0.9, 0.1, 0.6, 0.3];
    let next = 0;
    const random = () => randoms[next++ % randoms.length] ?? 0;
    const delays = [1, 2, 3, 4].map((attempts) => nextRetryDelay(attempts, policy, 0, undefined, random));
    expect(delays).toEqual([90, 20, 240, 240]);
  });
});

describe('validateRetryPolicy', () => {
  it.each([
    [{ baseDelayMs: 10, maxDelayMs: 100, maxAttempts: 0 }, /maxAttempts/],
    [{ baseDelayMs: 10, maxDelayMs: 100, maxAttempts: 1.5 }, /maxAttempts/],
    [{ baseDelayMs: -1, maxDelayMs: 100, maxAttempts: 3 }, /baseDelayMs/],
    [{ baseDelayMs: 200, maxDelayMs: 100, maxAttempts: 3 }, /maxDelayMs/],
  ])('rejects %j', (bad, message) => {
    expect(() => validateRetryPolicy(bad)).toThrow(message);
  });

  it('accepts a sane policy', () => {
    expect(() => validateRetryPolicy(policy)).not.toThrow();
  });
});
