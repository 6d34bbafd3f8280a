// Bundles the benchmark with esbuild, then runs it under the Node binary chosen with
// `--node <path>` or BENCH_NODE (default: this one), so it measures the code as Lambda runs
// it (esbuild output), not tsx's on-the-fly transform (which wraps functions), on any Node.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
await build({
  entryPoints: { bench: join(root, 'bench/run.ts'), grammar: join(root, 'bench/grammar.ts') },
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
const args = process.argv.slice(2);
const at = args.indexOf('--node');
const node = at === -1 ? (process.env.BENCH_NODE ?? process.execPath) : args.splice(at, 2)[1];
if (node === undefined) throw new Error('--node needs the path of a node binary');
const run = spawnSync(node, [join(root, 'bench/.out/bench.mjs'), ...args], { stdio: 'inherit', cwd: root });
process.exitCode = run.status ?? 1;
