// Bundles the benchmark with esbuild before it runs, so it measures the code as Lambda
// runs it (esbuild output), not tsx's on-the-fly transform (which wraps functions).
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
await build({
  entryPoints: {
    bench: join(root, 'bench/run.ts'),
    grammar: join(root, 'bench/grammar.ts'),
    stages: join(root, 'bench/stages.ts'),
    ab: join(root, 'bench/ab.ts'),
    profile: join(root, 'bench/profile.ts'),
  },
  outdir: join(root, 'bench/.out'),
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  external: ['esbuild', '@aws-sdk/*'],
  banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
  logLevel: 'error',
});
