#!/usr/bin/env node
/**
 * `npm run mutation [module...]`: Stryker over each named module (all by default), one
 * after the other, never in parallel. Not part of CI: it takes minutes on two cores.
 */
import { spawnSync } from 'node:child_process';
import { MUTATION_MODULES } from './modules.mjs';

// Flags (`--force`: ignore the incremental file, test every mutant again) go to Stryker.
const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
const requested = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const unknown = requested.filter((name) => !(name in MUTATION_MODULES));
if (unknown.length > 0) {
  console.error(`unknown module(s): ${unknown.join(', ')}; known: ${Object.keys(MUTATION_MODULES).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const name of requested.length > 0 ? requested : Object.keys(MUTATION_MODULES)) {
  console.log(`\n=== mutation: ${name} (${MUTATION_MODULES[name].source}) ===`);
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.mjs', ...flags], {
    stdio: 'inherit',
    env: { ...process.env, MUTATION_MODULE: name },
  });
  if (run.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
