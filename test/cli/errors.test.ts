import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolatedEnv, runCli, startCli, tempDir } from '../helpers/cli';

// Errors that help: a mistake is named at once, in one line, with what to do about it.

/** A port on 127.0.0.1 that nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

describe('--to', () => {
  it.each([['./out'], ['stout'], ['file:'], ['localhost:9200']])('refuses %j as a usage error before reading anything', (to) => {
    const dir = tempDir();
    const result = runCli(['replay', 'test/fixtures/samples', '--to', to], { cwd: undefined, env: { ...process.env, AWS_REGION: 'eu-west-1' } });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: option '--to <target>' argument '.*' is invalid\. .*(use file:<dir>, stdout, or an OpenSearch URL|names no folder)/);
    expect(result.stdout).toBe('');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('is checked by backfill too, before any AWS call', () => {
    const home = tempDir();
    const result = runCli(['backfill', 'cloudwatch', '--log-group', '/aws/lambda/x', '--since', '1h', '--to', 'stout'], { env: isolatedEnv(home) });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: option '--to <target>' argument 'stout' is invalid/);
  });
});

describe('an unreachable cluster', () => {
  it('stops the run with one line on connection refused, nothing counted as sent', async () => {
    const port = await closedPort();
    const result = runCli(['replay', 'test/fixtures/samples', '--to', `http://127.0.0.1:${port}`]);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`cwl-opensearch: cannot reach OpenSearch at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}; nothing was read or sent\n`);
    expect(result.stdout).toBe('');
  });

  it('names a TLS failure (https to a plain HTTP port)', async () => {
    const server = createHttpServer((_request, response) => response.end('{}'));
    const port = await listen(server);
    try {
      const child = startCli(['replay', 'test/fixtures/samples', '--to', `https://127.0.0.1:${port}`]);
      const status = await child.exited;
      expect(status).toBe(2);
      expect(child.stderr()).toMatch(new RegExp(`^cwl-opensearch: cannot reach OpenSearch at https://127\\.0\\.0\\.1:${port}: TLS failed \\(.+\\).*\\n$`));
    } finally {
      server.close();
    }
  });

  it('goes on when the cluster answers, even with an error status: the writes report it, the counts stay true', async () => {
    let requests = 0;
    const server = createHttpServer((request, response) => {
      requests += 1;
      response.statusCode = request.method === 'HEAD' ? 403 : 500;
      response.end();
    });
    const port = await listen(server);
    try {
      const child = startCli(['replay', 'test/fixtures/samples/generic-app.awslogs.json', '--to', `http://127.0.0.1:${port}`], {
        ...process.env,
        AWS_REGION: 'eu-west-1',
        BULK_RETRY_MAX_ATTEMPTS: '1',
      });
      let stdout = '';
      child.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      expect(await child.exited).toBe(1);
      expect(requests).toBeGreaterThan(1);
      expect(child.stderr()).not.toMatch(/cannot reach/);
      // Every event of the file was read, though none could be stored.
      const events = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/samples-decoded/generic-app.json'), 'utf8')).logEvents.length;
      expect(stdout).toMatch(new RegExp(`^Replayed 1 file\\(s\\), \\d+ batch\\(es\\), ${events} log event\\(s\\)`));
      expect(stdout).toMatch(/Errors \(1\):\n {2}.*generic-app\.awslogs\.json: /);
    } finally {
      server.close();
    }
  });
});

describe('a closed pipe (| head -1)', () => {
  it('ends replay --to stdout quietly', async () => {
    const dir = tempDir();
    // Enough documents that writes continue after the reader has gone.
    const lines = Array.from({ length: 5000 }, (_, at) => `2026-11-21T10:00:00.000Z line ${at}`).join('\n');
    writeFileSync(join(dir, 'big.log'), lines);
    const run = startCli(['replay', join(dir, 'big.log'), '--log-group', '/ecs/app', '--to', 'stdout', '-q']);
    run.child.stdout.once('data', () => run.child.stdout.destroy());
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toBe('');
  });

  it('ends parse quietly', async () => {
    const run = startCli(['parse', '--log-group', '/ecs/app']);
    run.child.stdout.once('data', () => run.child.stdout.destroy());
    run.child.stdin.on('error', () => undefined);
    const line = '2026-11-21T10:00:00.000Z some line of text\n'.repeat(2000);
    for (let round = 0; round < 20 && run.child.exitCode === null; round += 1) {
      run.child.stdin.write(line);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    run.child.stdin.end();
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toBe('');
  });
});

describe('backfill errors', () => {
  it('names --region when no region is configured, without the SDK Node-version warning', () => {
    const home = tempDir();
    const result = runCli(['backfill', 'cloudwatch', '--log-group', '/aws/lambda/x', '--since', '1h', '--dry-run'], { env: isolatedEnv(home) });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^cwl-opensearch: .*Region is missing: give --region, or set AWS_REGION/);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning/);
  });

  it('names AWS_PROFILE when no credentials are found', () => {
    const home = tempDir();
    const result = runCli(['backfill', 'cloudtrail', '--since', '1h', '--dry-run'], { env: isolatedEnv(home, { AWS_REGION: 'eu-west-1' }) });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^cwl-opensearch: CredentialsProviderError: .*: set AWS_PROFILE/);
    expect(result.stderr).not.toMatch(/NodeVersionSupportWarning/);
  });

  it('refuses --since beyond the 90 days of CloudTrail up front', () => {
    const home = tempDir();
    const result = runCli(['backfill', 'cloudtrail', '--since', '120d'], { env: isolatedEnv(home) });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^cwl-opensearch: --since: .* is more than 90 days ago, .*LookupEvents keeps only the last 90 days/);
  });

  it.each([
    [['replay', 'test/fixtures/samples', '--owner', 'not an account'], /--owner <account>.*not an AWS account id \(12 digits/],
    [['backfill', 'cloudwatch', '--log-group', '', '--since', '1h'], /--log-group <name>.*needs a name/],
  ])('refuses %j as a usage error', (args, message) => {
    const home = tempDir();
    const result = runCli(args, { env: isolatedEnv(home) });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  it('says a negative OPENSEARCH_REQUEST_TIMEOUT_MS is below the minimum, not "not a whole number"', () => {
    const home = tempDir();
    const result = runCli(['replay', 'test/fixtures/samples', '--to', 'http://127.0.0.1:9'], { env: isolatedEnv(home, { OPENSEARCH_REQUEST_TIMEOUT_MS: '-5' }) });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('cwl-opensearch: OPENSEARCH_REQUEST_TIMEOUT_MS: -5 is below the minimum 100 (allowed: 100..900000)\n');
  });
});

describe('assets against a cluster that cannot be reached', () => {
  it('apply --dry-run names the cause in one line, lists nothing "to update", and stops', async () => {
    const port = await closedPort();
    const result = runCli(['assets', 'apply', '--dry-run', '--to', `http://127.0.0.1:${port}`], {
      env: { ...process.env, OPENSEARCH_AUTH: 'none', OPENSEARCH_ENDPOINT: '' },
    });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `cwl-opensearch: cannot reach OpenSearch at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}; nothing was compared or changed\n`,
    );
  });

  it('apply --dry-run with OpenSearch up but Dashboards down: saved objects failed with the cause, summary once', async () => {
    const dashboardsPort = await closedPort();
    const server = createHttpServer((request, response) => {
      // An empty cluster: every asset is absent.
      response.statusCode = request.method === 'HEAD' ? 200 : 404;
      response.setHeader('content-type', 'application/json');
      response.end(request.method === 'HEAD' ? undefined : '{}');
    });
    const port = await listen(server);
    try {
      const run = startCli(['assets', 'apply', '--dry-run', '--to', `http://127.0.0.1:${port}`], {
        ...process.env,
        OPENSEARCH_AUTH: 'none',
        OPENSEARCH_ENDPOINT: '',
        DASHBOARDS_URL: `http://127.0.0.1:${dashboardsPort}`,
      });
      let stdout = '';
      run.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      expect(await run.exited).toBe(1);
      expect(stdout).not.toMatch(/^to update +saved-object/m);
      expect(stdout).toMatch(new RegExp(`^failed +saved-object +\\S+ +\\(could not read the stored objects: .*ECONNREFUSED 127\\.0\\.0\\.1:${dashboardsPort}\\)$`, 'm'));
      expect(stdout.match(/checked \d+ assets/g)).toHaveLength(1);
      expect(run.stderr()).not.toMatch(/checked \d+ assets/);
    } finally {
      server.close();
    }
  });

  it('export names the cause', async () => {
    const port = await closedPort();
    const result = runCli(['assets', 'export', '--to', `http://127.0.0.1:${port}`], { env: { ...process.env, OPENSEARCH_AUTH: 'none', OPENSEARCH_ENDPOINT: '' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`^cwl-opensearch: .*_export: fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\n$`));
  });
});
