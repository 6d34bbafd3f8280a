import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/**
 * A real single-node OpenSearch on 127.0.0.1, assembled from Maven Central by ./pom.xml and
 * started by our own small Java main (src/main/java/.../RealEngineNode.java).
 *
 * Everything lives in this checkout's test/real-engine/node/target/: `home/` (the plugin zips,
 * unpacked), `classpath.txt`, `classes/`, and one folder per running node under `nodes/<name>/`
 * (config, data, logs, `node.json` with pid and URL). So a node started in one checkout is found
 * by every later command of that checkout, and a fresh clone starts from nothing.
 */

const nodeDir = dirname(fileURLToPath(import.meta.url));
const targetDir = join(nodeDir, 'target');
const homeDir = join(targetDir, 'home');
const classesDir = join(targetDir, 'classes');
const classpathFile = join(targetDir, 'classpath.txt');
const assembledFile = join(targetDir, 'assembled.sha256');
const javaSource = join(nodeDir, 'src/main/java/cwl/opensearch/node/RealEngineNode.java');
const mainClass = 'cwl.opensearch.node.RealEngineNode';

/** The plugins loaded as bundles from target/home/plugins (see the pom for why only these). */
export const BUNDLED_PLUGINS = ['opensearch-job-scheduler'] as const;

export const DEFAULT_NODE = 'default';

export interface RunningNode {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
}

export interface StartOptions {
  /** One folder, one node: tests that stop the engine or need odd settings use their own. */
  readonly name?: string;
  /** Extra opensearch.yml settings (static ones such as http.max_content_length). */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
  /** Seconds to wait for the node to answer healthy. */
  readonly timeoutSeconds?: number;
  /** Progress lines (download, start); silent by default. */
  readonly log?: (line: string) => void;
  /** Keep the data folder of a previous node of this name (a restart) instead of starting empty. */
  readonly keepData?: boolean;
}

export const nodeFolder = (name: string) => join(targetDir, 'nodes', name);
const stateFile = (name: string) => join(nodeFolder(name), 'node.json');

/** True when `url` answers the root endpoint like an OpenSearch node. */
export async function answers(url: string, timeoutMs = 3_000): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return false;
    const body = (await response.json()) as { version?: { distribution?: string } };
    return body.version?.distribution === 'opensearch';
  } catch {
    return false;
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The node of that name started from this checkout, if it still runs and answers. */
export async function findRunningNode(name = DEFAULT_NODE): Promise<RunningNode | undefined> {
  const file = stateFile(name);
  if (!existsSync(file)) return undefined;
  const node = JSON.parse(readFileSync(file, 'utf8')) as RunningNode;
  if (alive(node.pid) && (await answers(node.url))) return node;
  return undefined;
}

const fingerprint = () =>
  createHash('sha256')
    .update(readFileSync(join(nodeDir, 'pom.xml')))
    .update(readFileSync(javaSource))
    .digest('hex');

const run = (command: string, args: readonly string[], what: string) => {
  const result = spawnSync(command, args, { cwd: nodeDir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) throw new Error(`${what}: cannot run ${command} (${result.error.message})`);
  if (result.status !== 0) throw new Error(`${what}: ${command} ${args.join(' ')} exited with ${result.status}`);
};

/**
 * Downloads (first use only) and lays out the node: Maven resolves the server, the modules and
 * the plugin zips into ~/.m2 and target/, javac compiles the main class. Skipped while the pom and
 * the Java source are unchanged since the last assembly.
 */
export function assemble(log: (line: string) => void = () => {}): void {
  const wanted = fingerprint();
  if (existsSync(assembledFile) && readFileSync(assembledFile, 'utf8') === wanted && existsSync(classpathFile)) return;
  log('assembling OpenSearch from Maven Central (the first run downloads about 50 MB into ~/.m2)');
  rmSync(homeDir, { recursive: true, force: true });
  run('mvn', ['-q', '-B', '-Dstyle.color=never', 'generate-resources'], 'assembling the OpenSearch node');
  const classpath = readFileSync(classpathFile, 'utf8').trim();
  mkdirSync(classesDir, { recursive: true });
  run('javac', ['-nowarn', '-cp', classpath, '-d', classesDir, javaSource], 'compiling the node main class');
  mkdirSync(join(homeDir, 'modules'), { recursive: true });
  writeFileSync(assembledFile, wanted);
}

const yamlLine = (key: string, value: string | number | boolean) => `${key}: ${JSON.stringify(value)}`;

function writeConfig(dir: string, settings: Readonly<Record<string, string | number | boolean>>) {
  const config = join(dir, 'config');
  mkdirSync(config, { recursive: true });
  const all: Record<string, string | number | boolean> = {
    'cluster.name': 'cwl-real-engine',
    'node.name': 'real-engine-node',
    'discovery.type': 'single-node',
    // Loopback only: these nodes have no security plugin.
    'network.host': '127.0.0.1',
    // A range, so nodes of several checkouts (or a test's own node) run side by side; the node
    // reports the port it bound in <dir>/http-port.
    'http.port': '9400-9499',
    'transport.port': '9500-9599',
    'path.data': join(dir, 'data'),
    'path.logs': join(dir, 'logs'),
    // Otherwise a nearly full disk makes every index read-only and the tests fail for no reason.
    'cluster.routing.allocation.disk.threshold_enabled': false,
    ...settings,
  };
  writeFileSync(join(config, 'opensearch.yml'), Object.entries(all).map(([k, v]) => yamlLine(k, v)).join('\n') + '\n');
  writeFileSync(join(config, 'log4j2.properties'), readFileSync(join(nodeDir, 'config/log4j2.properties')));
}

const tail = (file: string, lines = 40) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n') : '(no log)';

/**
 * Starts a fresh node (empty data folder) in the background and waits until it is healthy; a node
 * of the same name that still runs is reused as it is.
 */
export async function startNode(options: StartOptions = {}): Promise<RunningNode> {
  const name = options.name ?? DEFAULT_NODE;
  const log = options.log ?? (() => {});
  const running = await findRunningNode(name);
  if (running) return running;
  await stopNode(name); // a stale pid or a node that no longer answers

  assemble(log);
  const dir = nodeFolder(name);
  if (!options.keepData) rmSync(dir, { recursive: true, force: true });
  rmSync(join(dir, 'http-port'), { force: true });
  mkdirSync(join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'logs'), { recursive: true });
  mkdirSync(join(dir, 'modules'), { recursive: true });
  if (!existsSync(join(dir, 'plugins'))) symlinkSync(join(homeDir, 'plugins'), join(dir, 'plugins'));
  writeConfig(dir, options.settings ?? {});

  const logFile = join(dir, 'node.log');
  const out = openSync(logFile, 'a');
  const javaOptions = (process.env.OPENSEARCH_JAVA_OPTS ?? '-Xms512m -Xmx768m').split(/\s+/).filter(Boolean);
  const classpath = `${readFileSync(classpathFile, 'utf8').trim()}:${classesDir}`;
  log(`starting OpenSearch (${name}), log in ${logFile}`);
  const child = spawn('java', [...javaOptions, `-Djava.io.tmpdir=${join(dir, 'tmp')}`, '-cp', classpath, mainClass, dir], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  closeSync(out);
  const spawned = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid!));
    child.once('error', (error) => reject(new Error(`cannot start java: ${error.message}`)));
  });
  child.unref();

  const deadline = Date.now() + (options.timeoutSeconds ?? 240) * 1_000;
  const portFile = join(dir, 'http-port');
  while (!existsSync(portFile)) {
    if (!alive(spawned)) throw new Error(`OpenSearch (${name}) exited during start-up:\n${tail(logFile)}`);
    if (Date.now() > deadline) {
      process.kill(spawned, 'SIGKILL');
      throw new Error(`OpenSearch (${name}) did not start in time:\n${tail(logFile)}`);
    }
    await sleep(250);
  }
  const node: RunningNode = { name, url: `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`, pid: spawned, dir };
  writeFileSync(stateFile(name), JSON.stringify(node, null, 2));
  await waitForHealth(node.url, deadline);
  return node;
}

async function waitForHealth(url: string, deadline: number) {
  for (;;) {
    try {
      const response = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=10s`, {
        signal: AbortSignal.timeout(15_000),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`OpenSearch at ${url} did not become healthy in time`);
    await sleep(500);
  }
}

/**
 * Stops the node of that name if it runs: TERM (a clean shutdown), then KILL after 30 s; or
 * KILL at once (a crash, for fault tests). True when one was stopped.
 */
export async function stopNode(name = DEFAULT_NODE, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<boolean> {
  const file = stateFile(name);
  if (!existsSync(file)) return false;
  const { pid } = JSON.parse(readFileSync(file, 'utf8')) as RunningNode;
  let stopped = false;
  if (alive(pid)) {
    process.kill(pid, signal);
    const deadline = Date.now() + 30_000;
    while (alive(pid) && Date.now() < deadline) await sleep(200);
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    stopped = true;
  }
  rmSync(file, { force: true });
  return stopped;
}

/**
 * Stops a node and starts it again on the same data and the same port, as an operator's restart
 * would: clients built for its URL keep working once it is back.
 */
export async function restartNode(node: RunningNode, options: Omit<StartOptions, 'name' | 'keepData'> = {}): Promise<RunningNode> {
  await stopNode(node.name);
  const port = new URL(node.url).port;
  return startNode({ ...options, name: node.name, keepData: true, settings: { ...options.settings, 'http.port': port } });
}
