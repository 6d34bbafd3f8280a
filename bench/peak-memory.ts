// Child process for the benchmark: loads the bundled shipper handler (its OPENSEARCH_ENDPOINT
// is the stub on 127.0.0.1), then either ships one subscription event through it (`handler`)
// or does the floor's work (`floor`: decode, one NDJSON line per event, gzip, one POST), and
// prints its peak resident set size. Both modes load the same code, so only the work differs.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import type { Context } from 'aws-lambda';
import { handler } from '../functions/shipper/handler';
import { decodeSubscriptionData } from '../functions/pipeline/decode';
import { postGzipped } from './http';

/**
 * This process's peak RSS in KiB: VmHWM, the high-water mark of its own memory map. Not
 * getrusage's maxRSS, which Linux carries over from the process that forked and exec'd this
 * one (a parent bench of 110 MB made every probe read 110 MB); maxRSS only where there is no /proc.
 */
function peakRssKb(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match !== null) return Number(match[1]);
  } catch {
    // No /proc (not Linux).
  }
  return process.resourceUsage().maxRSS;
}

const [file, mode] = process.argv.slice(2);
const loadedKb = peakRssKb();
const event = JSON.parse(readFileSync(file!, 'utf8')) as { awslogs: { data: string } };

if (mode === 'floor') {
  const batch = decodeSubscriptionData(event.awslogs.data, 64 * 1024 * 1024);
  let ndjson = '';
  for (const logEvent of batch.logEvents) ndjson += `${JSON.stringify(logEvent)}\n`;
  const status = await postGzipped(process.env.OPENSEARCH_ENDPOINT!, ndjson, new Agent({ keepAlive: false }));
  if (status !== 200) throw new Error(`floor POST answered ${status}`);
} else {
  const context = { functionName: 'bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 60_000 } as unknown as Context;
  await handler(event, context);
}
// The last line: Powertools writes its logs and metrics to stdout before it.
console.log(JSON.stringify({ loadedMb: loadedKb / 1024, peakMb: peakRssKb() / 1024 }));
