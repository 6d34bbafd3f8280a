#!/usr/bin/env node
/**
 * `npm run mutation [module...]`: Stryker over each named module (all by default), one
 * after the other, never in parallel. Not part of CI: it takes minutes on two cores.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { MUTATION_MODULES } from './modules.mjs';

/**
 * Stryker's incremental mode reuses a surviving mutant's result even when tests were
 * added since, so a new test does not show in the score. `--retest-survivors` drops the
 * survivors (and uncovered mutants) from the incremental file: they are tested again,
 * while killed results are still reused.
 */
function forgetSurvivors(name) {
  const file = `reports/mutation/${name}.incremental.json`;
  if (!existsSync(file)) return;
  const report = JSON.parse(readFileSync(file, 'utf8'));
  let dropped = 0;
  for (const source of Object.values(report.files)) {
    const kept = source.mutants.filter((mutant) => mutant.status !== 'Survived' && mutant.status !== 'NoCoverage');
    dropped += source.mutants.length - kept.length;
    source.mutants = kept;
  }
  writeFileSync(file, JSON.stringify(report));
  console.log(`${name}: ${dropped} surviving or uncovered mutants will be tested again`);
}

// Flags (`--force`: ignore the incremental file, test every mutant again) go to Stryker.
const retestSurvivors = process.argv.includes('--retest-survivors');
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--') && arg !== '--retest-survivors');
const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const unknown = requested.filter((name) => !(name in MUTATION_MODULES));
if (unknown.length > 0) {
  console.error(`unknown module(s): ${unknown.join(', ')}; known: ${Object.keys(MUTATION_MODULES).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of requested.length > 0 ? requested : Object.keys(MUTATION_MODULES)) {
  console.log(`\n=== mutation: ${name} (${MUTATION_MODULES[name].source}) ===`);
  if (retestSurvivors) forgetSurvivors(name);
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs', ...flags], {
    stdio: 'inherit',
    env: { ...process.env, MUTATION_MODULE: name },
  });
  if (run.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
