import { DEFAULT_NODE, answers, startNode, stopNode } from './opensearch-node';

/**
 * `npm run opensearch:start` / `npm run opensearch:stop`.
 *
 * start: reuses OPENSEARCH_URL when it is set and answers, else this checkout's running node,
 * else assembles and starts one; prints `OPENSEARCH_URL=<url>` (the only line on stdout) so that
 * `export $(npm run -s opensearch:start)` works. stop: stops this checkout's node.
 */
const command = process.argv[2];
const log = (line: string) => console.error(`opensearch: ${line}`);

async function start() {
  const given = process.env.OPENSEARCH_URL;
  if (given) {
    if (await answers(given)) {
      log(`reusing OPENSEARCH_URL (${given})`);
      console.log(`OPENSEARCH_URL=${given}`);
      return;
    }
    log(`OPENSEARCH_URL=${given} does not answer; starting this checkout's node instead`);
  }
  const node = await startNode({ log });
  log(`node ${node.name} runs as pid ${node.pid}`);
  console.log(`OPENSEARCH_URL=${node.url}`);
}

async function stop() {
  log((await stopNode(DEFAULT_NODE)) ? 'stopped' : 'no node of this checkout was running');
}

const commands: Record<string, () => Promise<void>> = { start, stop };
const run = command === undefined ? undefined : commands[command];
if (!run) {
  console.error('usage: tsx test/real-engine/node/cli.ts start|stop');
  process.exit(2);
}
run().catch((error: unknown) => {
  console.error(`opensearch ${command} failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
