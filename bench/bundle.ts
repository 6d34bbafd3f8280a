import { statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/** Scratch output, git-ignored. Paths are from the project root: npm runs scripts there. */
export const ROOT = process.cwd();
export const OUT = join(ROOT, 'bench/.out');

/**
 * Bundles an entry the way the CDK app does for Lambda (esbuild, Node 24, minified, the AWS
 * SDK left to the runtime) and returns the file and its size.
 */
export async function bundle(entry: string, name: string): Promise<{ file: string; bytes: number }> {
  const file = join(OUT, `${name}.mjs`);
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    external: ['@aws-sdk/*'],
    // Some bundled CommonJS dependencies call require(); ESM output needs it defined.
    banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
    logLevel: 'error',
  });
  return { file, bytes: statSync(file).size };
}
