import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/**
 * No silent skips. A suite whose input is missing (the shared corpus beside the project)
 * or whose case list is empty registers a test that says so: locally a skipped test
 * whose name gives the reason; in CI (CI=true) a failing one, so a run that tested
 * nothing cannot pass.
 */
export const IN_CI = process.env.CI === 'true';

/** `../shared/corpus/`, beside the project (public samples, read in place, never copied). */
export const CORPUS_ROOT = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));

/** Registers the marker test for something missing (see above). */
export function missing(what: string): void {
  if (IN_CI) {
    it(`needs ${what} (CI=true)`, () => {
      throw new Error(`${what}: missing, so this suite would pass without testing anything`);
    });
  } else {
    it.skip(`skipped: ${what} is missing`, () => {});
  }
}

/** A describe over a folder of the shared corpus: its body runs only when the folder exists. */
export function describeCorpus(title: string, folder: string, body: (dir: string) => void): void {
  const dir = `${CORPUS_ROOT}${folder}`;
  describe(title, () => {
    if (existsSync(dir)) body(dir);
    else missing(`${dir} (the shared corpus is not beside the project)`);
  });
}

/** The cases of an `it.each`, never silently none: an empty list registers the marker test. */
export function nonEmpty<T>(cases: readonly T[], what: string): readonly T[] {
  if (cases.length === 0) missing(what);
  return cases;
}
