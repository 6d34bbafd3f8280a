import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { median } from './measure';

/** Scratch output, git-ignored. Paths are from the project root: npm runs scripts there. */
export const ROOT = process.cwd();
export const OUT = join(ROOT, 'bench/.out');

/**
 * Bundles an entry the way the CDK app does for Lambda (esbuild, Node 22, minified, the AWS
 * SDK left to the runtime) and returns the file and its size.
 */
export async function bundle(entry: string, name: string): Promise<{ file: string; bytes: number }> {
  const file = join(OUT, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    external: ['@aws-sdk/*'],
    // Some bundled CommonJS dependencies call require(); ESM output needs it defined.
    banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
    logLevel: 'error',
  });
  return { file, bytes: statSync(file).size };
}

/** Median milliseconds to import a bundle in a fresh Node process (what a cold start pays). */
export function moduleLoadMs(file: string, runs: number): { median: number; emptyImport: number } {
  const script = (target: string) =>
    `const t=performance.now();await import(${JSON.stringify(target)});console.log(performance.now()-t)`;
  const env = { ...process.env, OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9', AWS_REGION: 'eu-west-1' };
  const time = (target: string) =>
    Number(spawnSync(process.execPath, ['--input-type=module', '-e', script(target)], { env, encoding: 'utf8' }).stdout.trim());
  const loads: number[] = [];
  const empties: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    loads.push(time(file));
    empties.push(time('node:os'));
  }
  return { median: median(loads), emptyImport: median(empties) };
}
