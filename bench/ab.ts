// npm run bench:ab -- <tree A> <tree B> [source] [mode] [rounds] [batches per round]
//
// Paired A/B of two source trees (two checkouts: `git worktree add /tmp/a <commit>`) in one
// process, on one full generated batch: bench/ab-side.ts is bundled from each tree, then
// rounds alternate A, B / B, A; each round runs `batches` batches and takes the process's
// CPU time (`process.cpuUsage`, zlib's pool threads included) and wall time. Prints the
// medians, the median of the per-round change B vs A, and how many rounds B won: on a
// shared machine the same code moves by ±30% from one round to the next, which pairing
// cancels only in part. Modes: see ab-side.ts. Asserts nothing.
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { OUT, ROOT, bundle } from './bundle';
import { SOURCES, generateBatch, type Source } from './generate';
import { startStub } from './http';
import { median } from './measure';

type Side = typeof import('./ab-side');

const [treeA, treeB, source = 'athena-cloudtrail', mode = 'http', roundsText = '21', batchesText = '5'] = process.argv.slice(2);
if (treeA === undefined || treeB === undefined || !SOURCES.includes(source as Source)) {
  console.error(`usage: bench:ab -- <tree A> <tree B> [${SOURCES.join('|')}] [http|gzip|offline|encode|write|parse] [rounds] [batches per round]`);
  process.exit(2);
}
const rounds = Number(roundsText);
const batches = Number(batchesText);

/** Bundles this tree's ab-side.ts with its imports resolved in `tree` (packages from this checkout). */
async function bundleSide(tree: string, name: string): Promise<Side> {
  const bench = join(resolve(tree), 'bench');
  if (!existsSync(join(bench, 'encoding-sink.ts'))) throw new Error(`${tree} has no bench/encoding-sink.ts: not a checkout of this project`);
  const file = join(OUT, `ab-${name}.mjs`);
  await build({
    stdin: { contents: readFileSync(join(ROOT, 'bench/ab-side.ts'), 'utf8'), resolveDir: bench, sourcefile: join(bench, 'ab-side.ts'), loader: 'ts' },
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: ['@aws-sdk/*'],
    nodePaths: [join(ROOT, 'node_modules')],
    banner: { js: "import{createRequire as __cr}from'module';const require=__cr(import.meta.url);" },
    logLevel: 'error',
  });
  return (await import(pathToFileURL(file).href)) as Side;
}

const stub = await startStub(process.execPath, (await bundle(join(ROOT, 'bench/stub-server.ts'), 'stub-server')).file);
const generated = generateBatch(source as Source, { maxBytes: 1024 * 1024 });
const sides = { A: (await bundleSide(treeA, 'a')).side(generated, stub.url), B: (await bundleSide(treeB, 'b')).side(generated, stub.url) };
const work = { A: sides.A[mode as keyof typeof sides.A], B: sides.B[mode as keyof typeof sides.B] };
if (work.A === undefined || work.B === undefined) throw new Error(`unknown mode ${mode}`);

for (let warm = 0; warm < 10; warm += 1) {
  await work.A();
  await work.B();
}
const cpu = { A: [] as number[], B: [] as number[] };
const wall = { A: [] as number[], B: [] as number[] };
const loadBefore = loadavg()[0]!;
for (let round = 0; round < rounds; round += 1) {
  for (const name of round % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const)) {
    const startWall = performance.now();
    const startCpu = process.cpuUsage();
    for (let batch = 0; batch < batches; batch += 1) await work[name]();
    const used = process.cpuUsage(startCpu);
    cpu[name].push((used.user + used.system) / 1000 / batches);
    wall[name].push((performance.now() - startWall) / batches);
  }
}
stub.stop();

const report = (what: string, a: number[], b: number[]) => {
  const changes = a.map((value, round) => (b[round]! - value) / value);
  const won = changes.filter((change) => change < 0).length;
  console.log(
    `  ${what} ms per batch: A ${median(a).toFixed(2)}, B ${median(b).toFixed(2)}; B vs A, median of the rounds ${(median(changes) * 100).toFixed(1)}%, B faster in ${won} of ${rounds}`,
  );
};
console.log(`${source}, ${mode}, ${generated.batch.logEvents.length} events (${generated.label}); Node ${process.version}; load average ${loadBefore.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}`);
console.log(`  A = ${treeA}, B = ${treeB}; ${rounds} rounds of ${batches} batches each`);
report('CPU', cpu.A, cpu.B);
report('wall', wall.A, wall.B);
process.exit(0);
