import { spawnSync } from 'node:child_process';
import { DEFAULT_NODE, answers, findRunningNode, startNode, stopNode } from './node/opensearch-node';

/**
 * `npm run test:opensearch [vitest args]`: the real-engine suite (vitest.real-engine.config.ts)
 * against OPENSEARCH_URL when it is set and answers, else against this checkout's node, started
 * here if none runs and stopped again afterwards. A node that cannot start fails the run.
 */
const log = (line: string) => console.error(`test:opensearch: ${line}`);

async function main(): Promise<number> {
  let url = process.env.OPENSEARCH_URL;
  let started = false;
  if (url && (await answers(url))) {
    log(`using OPENSEARCH_URL=${url}`);
  } else {
    if (url) log(`OPENSEARCH_URL=${url} does not answer; starting this checkout's node`);
    const running = await findRunningNode(DEFAULT_NODE);
    const before = Date.now();
    const node = running ?? (await startNode({ log }));
    started = running === undefined;
    url = node.url;
    log(`node at ${url} ${started ? `started in ${Math.round((Date.now() - before) / 1000)} s` : 'already running: reused, left running'}`);
  }
  try {
    const result = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.real-engine.config.ts', ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, OPENSEARCH_URL: url },
    });
    return result.status ?? 1;
  } finally {
    if (started) await stopNode(DEFAULT_NODE);
  }
}

main().then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(`test:opensearch failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
