import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './measure';

/** The shipper as CDK synthesizes it: its asset folder and its deployed environment variables. */
export interface DeployedShipper {
  readonly directory: string;
  readonly file: string;
  readonly bytes: number;
  readonly mapBytes: number;
  readonly runtime: string;
  readonly environment: Record<string, string>;
}

const SHIPPER_DESCRIPTION = 'Ships CloudWatch Logs subscription events to OpenSearch';

/** Runs `cdk synth` with the example configuration into `out` (the CDK app bundles with esbuild). */
export function synthesize(root: string, out: string): void {
  // cdk.json names no configuration (a deploy must choose one): the bench uses the example.
  const config = 'config=infra/config.example.json';
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '-c', config, '-o', out], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cdk synth failed: ${result.stderr.slice(-2000)}`);
}

/** Finds the shipper function in the synthesized template and its code asset. */
export function findShipper(out: string): DeployedShipper {
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { artifacts: Record<string, { type: string; properties?: { templateFile?: string } }> };
  const stack = Object.values(manifest.artifacts).find((artifact) => artifact.type === 'aws:cloudformation:stack');
  const template = JSON.parse(readFileSync(join(out, stack!.properties!.templateFile!), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: { Description?: string; Runtime?: string; Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } } }>;
  };
  const shipper = Object.values(template.Resources).find((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Description === SHIPPER_DESCRIPTION);
  if (shipper === undefined) throw new Error(`no function "${SHIPPER_DESCRIPTION}" in the synthesized template`);
  const directory = join(out, `asset.${shipper.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`);
  const file = join(directory, 'index.mjs');
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(shipper.Properties.Environment?.Variables ?? {})) {
    if (typeof value === 'string') environment[name] = value;
  }
  const map = `${file}.map`;
  return { directory, file, bytes: statSync(file).size, mapBytes: existsSync(map) ? statSync(map).size : 0, runtime: shipper.Properties.Runtime ?? '?', environment };
}

/**
 * Median milliseconds to import the asset in fresh processes, and the RSS after, with the
 * given environment (the deployed one, NODE_OPTIONS included); the endpoint is a local port.
 */
export function loadInFreshProcesses(node: string, file: string, environment: Record<string, string>, runs: number): { ms: number; cpuMs: number; rssMb: number } {
  // CPU time beside wall time: on a shared machine the wall clock also counts waiting for a core.
  const script = `const c=process.cpuUsage();const t=performance.now();await import(${JSON.stringify(file)});const ms=performance.now()-t;const u=process.cpuUsage(c);console.log(JSON.stringify({ms,cpuMs:(u.user+u.system)/1000,rss:process.memoryUsage.rss()}))`;
  const env = { PATH: process.env.PATH ?? '', ...environment, OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };
  const times: number[] = [];
  const cpu: number[] = [];
  const rss: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const child = spawnSync(node, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
    const line = child.stdout.trim().split('\n').at(-1) ?? '';
    if (child.status !== 0 || !line.startsWith('{')) throw new Error(`loading ${file} failed: ${child.stderr.slice(-1000)}`);
    const { ms, cpuMs, rss: bytes } = JSON.parse(line) as { ms: number; cpuMs: number; rss: number };
    times.push(ms);
    cpu.push(cpuMs);
    rss.push(bytes / 1048576);
  }
  return { ms: median(times), cpuMs: median(cpu), rssMb: median(rss) };
}
