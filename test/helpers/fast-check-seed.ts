import fc from 'fast-check';

/**
 * Every property test of a run uses one seed: FAST_CHECK_SEED when set (to replay a
 * failure), otherwise a fresh one. A failing property names the seed and the command
 * that replays it. Loaded by vitest.config.ts as a setup file.
 */
const given = process.env.FAST_CHECK_SEED;
const seed = given === undefined || given === '' ? (Math.random() * 0x7fffffff) | 0 : Number(given);
if (!Number.isSafeInteger(seed)) throw new Error(`FAST_CHECK_SEED must be an integer, got "${given}"`);

fc.configureGlobal({
  ...fc.readConfigureGlobal(),
  seed,
  // Used by sync and async properties alike (fast-check refuses both reporters at once).
  reporter: (details) => {
    const message = fc.defaultReportMessage(details);
    if (message === undefined) return;
    const replay =
      details.seed === seed
        ? `replay with FAST_CHECK_SEED=${seed}`
        : `this property sets its own seed (${details.seed}); this run's seed was ${seed}`;
    throw new Error(`${message}\nProperty failed: ${replay}.`);
  },
});
