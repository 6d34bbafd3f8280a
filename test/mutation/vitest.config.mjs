// @ts-check
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import base from '../../vitest.config';
import { MUTATION_MODULES } from './modules.mjs';

/**
 * The project's vitest settings, with only the mutated module's own test files.
 * (Stryker's `testFiles` option is not used: with it, Stryker 9.5 activates a static
 * mutant, one evaluated when the module loads, after the module has loaded, and
 * reports it as survived: stryker-js issue #6144.)
 */
const target = MUTATION_MODULES[/** @type {keyof typeof MUTATION_MODULES} */ (process.env.MUTATION_MODULE ?? '')];
if (target === undefined) throw new Error('MUTATION_MODULE is not set: run through npm run mutation');

export default defineConfig({
  ...base,
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: { ...base.test, include: target.tests },
});
