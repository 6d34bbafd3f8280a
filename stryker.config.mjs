// @ts-check
import { MUTATION_MODULES } from './test/mutation/modules.mjs';

/**
 * Stryker for ONE module at a time (MUTATION_MODULE=<name>, see test/mutation/modules.mjs);
 * `npm run mutation` runs them one after the other. One worker: the machine is shared.
 */
const name = process.env.MUTATION_MODULE ?? '';
const target = MUTATION_MODULES[/** @type {keyof typeof MUTATION_MODULES} */ (name)];
if (target === undefined) {
  throw new Error(`MUTATION_MODULE must be one of ${Object.keys(MUTATION_MODULES).join(', ')} (got "${name}")`);
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // Only the module's own test files: see test/mutation/vitest.config.mjs.
  vitest: { configFile: 'test/mutation/vitest.config.mjs', related: false },
  mutate: [target.source],
  coverageAnalysis: 'perTest',
  concurrency: 1,
  // Reuses the results of mutants whose code and tests did not change since the last run.
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 90, break: null },
  tempDirName: `.stryker-tmp/${name}`,
  cleanTempDir: true,
  ignorePatterns: ['cdk.out', 'out', 'reports', 'coverage', 'bench/.out', '.backfill-checkpoints', 'test/real-engine/node/target'],
  timeoutMS: 10_000,
};
