import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../functions/aws/rate-limiter';

/** A clock that only moves when the limiter sleeps. */
function simulatedTime() {
  let now = 1_000_000;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    elapsed: () => now - 1_000_000,
  };
}

describe('createRateLimiter', () => {
  it('spaces calls 500 ms apart at 2 a second', async () => {
    const time = simulatedTime();
    const limit = createRateLimiter(2, time);
    const at: number[] = [];
    for (let call = 0; call < 5; call += 1) {
      await limit();
      at.push(time.elapsed());
    }
    expect(at).toEqual([0, 500, 1_000, 1_500, 2_000]);
  });

  it('gives concurrent callers consecutive slots', async () => {
    const time = simulatedTime();
    const limit = createRateLimiter(2, time);
    const at: number[] = [];
    await Promise.all(Array.from({ length: 4 }, () => limit().then(() => at.push(time.elapsed()))));
    expect(at).toEqual([0, 500, 1_000, 1_500]);
  });

  it('does not wait when calls are already slower than the rate', async () => {
    const time = simulatedTime();
    const limit = createRateLimiter(2, time);
    await limit();
    await time.sleep(2_000);
    const before = time.elapsed();
    await limit();
    expect(time.elapsed()).toBe(before);
  });

  it.each([[0], [-1], [Number.NaN]])('refuses a rate of %s', (rate) => {
    expect(() => createRateLimiter(rate)).toThrow(RangeError);
  });
});
