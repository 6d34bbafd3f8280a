// The shipper end to end on one source's full batch, in a loop, for a CPU profile:
//   npx tsx bench/build.ts && node --cpu-prof --cpu-prof-dir=/tmp/prof bench/.out/profile.mjs athena-cloudtrail 10
// The same shipper as `npm run bench` (the sink built from the environment, gzip on, HTTP to
// the stub _bulk in its own process, which the profile leaves out). Prints the time per batch:
// wall, CPU of the process (zlib's pool threads included) and, where Node has
// process.threadCpuUsage (22.18, 23.9+), of the main thread alone.
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { loadPipelineConfig } from '../functions/pipeline/config';
import { createShipper } from '../functions/shipper/shipper';
import { createOpenSearchSinkFromEnv } from '../functions/sinks/sink-from-env';
import { createRegistry } from '../parsers/registry';
import { ROOT, bundle } from './bundle';
import { SOURCES, generateBatch, type Source } from './generate';
import { startStub } from './http';

const source = (process.argv[2] ?? 'athena-cloudtrail') as Source;
const seconds = Number(process.argv[3] ?? 10);
if (!SOURCES.includes(source) || !(seconds > 0)) {
  console.error(`usage: profile.mjs [${SOURCES.join('|')}] [seconds]`);
  process.exit(2);
}
const config = loadPipelineConfig({});
const stub = await startStub(process.execPath, (await bundle(join(ROOT, 'bench/stub-server.ts'), 'stub-server')).file);
const ship = createShipper({
  registry: createRegistry(),
  config,
  region: 'eu-west-1',
  sink: createOpenSearchSinkFromEnv({ OPENSEARCH_ENDPOINT: stub.url }, config.indexing).sink,
});
const generated = generateBatch(source, { maxBytes: 1024 * 1024 });
const threadCpu = (process as { threadCpuUsage?: (previous?: NodeJS.CpuUsage) => NodeJS.CpuUsage }).threadCpuUsage?.bind(process);

for (let warm = 0; warm < 20; warm += 1) await ship(generated.event);
const startWall = performance.now();
const startCpu = process.cpuUsage();
const startThread = threadCpu?.();
let runs = 0;
while (performance.now() - startWall < seconds * 1000) {
  await ship(generated.event);
  runs += 1;
}
const perBatch = (usage: NodeJS.CpuUsage) => ((usage.user + usage.system) / 1000 / runs).toFixed(2);
const wall = ((performance.now() - startWall) / runs).toFixed(2);
const thread = startThread === undefined ? '' : `, main thread ${perBatch(threadCpu!(startThread))}`;
console.log(`${source}: ${runs} full batches of ${generated.batch.logEvents.length} events (Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)})`);
console.log(`  ms per batch: wall ${wall}, CPU ${perBatch(process.cpuUsage(startCpu))}${thread}`);
stub.stop();
process.exit(0);
