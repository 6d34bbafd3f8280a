import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../functions/pipeline/iso-time';

const YEAR_10000 = 253_402_300_800_000;

/** What isoTime must equal: Date's own text, or its RangeError. */
function reference(time: number): string | RangeError {
  try {
    return new Date(time).toISOString();
  } catch (error) {
    return error as RangeError;
  }
}

function actual(time: number): string | RangeError {
  try {
    return isoTime(time);
  } catch (error) {
    return error as RangeError;
  }
}

describe('isoTime', () => {
  it('equals toISOString at the edges of its cache and of Date', () => {
    const times = [
      0, -0, 1, 999, 1000, 1001, 59_999, 60_000, 86_399_999, 86_400_000, 1_764_000_000_123, 1_764_000_000_999,
      1_764_000_001_000, 1_764_000_000_000, YEAR_10000 - 1, YEAR_10000, YEAR_10000 + 1, -1, -1000, -1001,
      8.64e15, 8.64e15 + 1, -8.64e15, 1.5, 999.999, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER,
    ];
    // Each time after each other one: the cache holds whatever second came before.
    for (const before of times) {
      for (const time of times) {
        actual(before);
        expect(actual(time), `${time} after ${before}`).toEqual(reference(time));
      }
    }
  });

  it('equals toISOString for runs of close and far times, in any order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer({ min: 1_764_000_000_000, max: 1_764_000_005_000 }),
            fc.integer({ min: -9e15, max: 9e15 }),
            fc.double({ min: -1e13, max: 1e16 }),
          ),
          { maxLength: 50 },
        ),
        (times) => {
          for (const time of times) expect(actual(time)).toEqual(reference(time));
        },
      ),
      { numRuns: 300 },
    );
  });
});
