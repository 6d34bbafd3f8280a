import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/cwl-opensearch.mjs');

/** A fresh folder for one test's files and output. */
export function tempDir(prefix = 'cwl-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * An environment with no AWS configuration at all: no credentials or region from the host,
 * no instance metadata look-up (it would leave the machine), so AWS errors come at once.
 */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bin as a user would, to the end. */
export function runCli(args: readonly string[], options: { input?: string; env?: Record<string, string>; cwd?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input,
    encoding: 'utf8',
    env: options.env ?? { ...process.env, AWS_REGION: 'eu-west-1' },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the bin with pipes, for tests that talk to it while it runs. */
export function startCli(args: readonly string[], env: Record<string, string> = { ...process.env, AWS_REGION: 'eu-west-1' }) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}
