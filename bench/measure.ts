/** Timing helpers for the benchmark: best rate over alternating rounds, never a test assertion. */

/** Runs `work` repeatedly for at least `minMs` and returns runs per second. */
export async function runsPerSecond(work: () => unknown, minMs: number): Promise<number> {
  for (let warm = 0; warm < 3; warm += 1) await work();
  let runs = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < minMs) {
    await work();
    runs += 1;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return runs / (elapsed / 1000);
}

/**
 * Measures `subject` and `floor` in alternating rounds and keeps each one's best, so a
 * burst of noise on the machine hurts neither side more than the other.
 */
export async function compare(subject: () => unknown, floor: () => unknown, rounds: number, minMs: number): Promise<{ subject: number; floor: number }> {
  let best = { subject: 0, floor: 0 };
  for (let round = 0; round < rounds; round += 1) {
    const floorRate = await runsPerSecond(floor, minMs);
    const subjectRate = await runsPerSecond(subject, minMs);
    best = { subject: Math.max(best.subject, subjectRate), floor: Math.max(best.floor, floorRate) };
  }
  return best;
}

/** Milliseconds of one synchronous call. */
export function timeOnce(work: () => unknown): number {
  const start = process.hrtime.bigint();
  work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
