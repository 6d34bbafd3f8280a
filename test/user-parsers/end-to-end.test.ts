/**
 * A user parser defined in a file, end to end: the CLI's `parse` and `replay` (with
 * `--parsers` and with PARSERS_FILE), and the Lambda handler into the fake OpenSearch.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { startFakeOpenSearch, type FakeOpenSearch } from '../helpers/fake-opensearch';
import { makeBatch, subscriptionEvent } from '../helpers/batches';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/cwl-opensearch.mjs');
const FIXTURES = join(ROOT, 'test/fixtures/user-parsers');
const PARSERS = join(FIXTURES, 'parsers.json');
const LINES = readFileSync(join(FIXTURES, 'billing-worker.log'), 'utf8').trimEnd().split('\n');
const ACCESS_LINE =
  '203.0.113.9 - - [06/Dec/2026:10:00:03 +0000] "GET /cart?id=7 HTTP/1.1" 404 153 "-" "Mozilla/5.0 (X11; Linux x86_64)"';

function run(args: string[], input?: string, env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    env: { ...process.env, AWS_REGION: 'eu-west-1', PARSERS_FILE: '', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const BILLING_DOCUMENT = {
  '@timestamp': '2026-12-06T10:00:01.250Z',
  event: { dataset: 'billing-worker' },
  'billing-worker': { time: '2026-12-06T10:00:01.250Z', level: 'INFO', amount: 12.5, currency: 'EUR', customer: 'cus-42', duration_ms: 118 },
};

describe('cwl-opensearch parse with a user parser', () => {
  it('--parsers: raw lines of a claimed log group become typed documents in <prefix>-<name>-<day>', () => {
    const result = run(['parse', '--parsers', PARSERS, '--log-group', '/ecs/billing-worker', '--meta'], `${LINES.join('\n')}\n`);
    expect(result.stderr).toBe('');
    const documents = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(documents).toHaveLength(3);
    expect(documents[0]).toMatchObject({ _index: 'cwl-billing-worker-2026.12.06', _source: BILLING_DOCUMENT });
    expect(documents[1]._source['billing-worker']).toMatchObject({ amount: 7, retried: true, duration_ms: 2310 });
    // The line that does not match is shipped, as a parse failure, to the parser's own index.
    expect(documents[2]._source).toMatchObject({
      message: 'worker heartbeat ok',
      tags: ['parse_failure'],
      error: { message: 'the message does not match the pattern of user parser "billing-worker"' },
      event: { dataset: 'billing-worker' },
    });
    expect(documents[2]._index).toMatch(/^cwl-billing-worker-\d{4}\.\d{2}\.\d{2}$/);
  });

  it('PARSERS_FILE does the same; a group no user parser names keeps its built-in route', () => {
    const input = [
      { logGroup: '/nginx/edge-1/access', message: ACCESS_LINE },
      { logGroup: '/aws/lambda/fn', message: 'END RequestId: 6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44' },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const result = run(['parse'], input, { PARSERS_FILE: PARSERS });
    expect(result.stderr).toBe('');
    const [access, lambda] = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(access).toMatchObject({
      event: { dataset: 'edge-access' },
      'edge-access': { client_ip: '203.0.113.9', status: 404, bytes: 153, method: 'GET', path: '/cart?id=7', time: '06/Dec/2026:10:00:03 +0000' },
    });
    expect(access['edge-access']).not.toHaveProperty('remote_user', '');
    expect(lambda).toMatchObject({ event: { dataset: 'aws.lambda' } });
  });

  it('a bad parsers file stops the command with an error naming the variable, the file and the parser', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cwl-parsers-'));
    const bad = join(dir, 'parsers.json');
    writeFileSync(bad, JSON.stringify({ parsers: [{ name: 'slow', logGroups: ['/x'], pattern: '(?<a>a)(?=b)' }] }));
    const result = run(['parse', '--parsers', bad], '{"logGroup":"/x","message":"ab"}\n');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`PARSERS_FILE: ${bad}: user parser "slow": the pattern uses a lookahead`);
  });
});

describe('cwl-opensearch replay with a user parser', () => {
  it('writes the documents to the parser index, the non-matching line included', () => {
    const out = mkdtempSync(join(tmpdir(), 'cwl-user-replay-'));
    const result = run(['replay', join(FIXTURES, 'billing-worker.log'), '--log-group', '/ecs/billing-worker', '--parsers', PARSERS, '--to', `file:${out}`, '-q']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/Indexed 3,/);
    const files = readdirSync(out).sort();
    expect(files).toContain('cwl-billing-worker-2026.12.06.ndjson');
    const lines = files.flatMap((file) => readFileSync(join(out, file), 'utf8').trimEnd().split('\n'));
    const sources = lines.filter((_, at) => at % 2 === 1).map((line) => JSON.parse(line));
    expect(sources.filter((source) => source.tags?.includes('parse_failure'))).toHaveLength(1);
    expect(sources.find((source) => source['billing-worker']?.customer === 'cus-42')).toMatchObject(BILLING_DOCUMENT);
  });
});

describe('the Lambda handler with PARSERS_FILE', () => {
  let fake: FakeOpenSearch;
  let handler: (event: unknown, context: Context) => Promise<unknown>;

  beforeAll(async () => {
    fake = await startFakeOpenSearch();
    vi.stubEnv('OPENSEARCH_ENDPOINT', fake.url);
    vi.stubEnv('OPENSEARCH_AUTH', 'none');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('PARSERS_FILE', PARSERS);
    vi.resetModules();
    ({ handler } = await import('../../functions/shipper/handler'));
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await fake.close();
  });

  it('indexes a subscription batch of a claimed group with the user parser', async () => {
    const context = { awsRequestId: 'r-1', getRemainingTimeInMillis: () => 20_000 } as unknown as Context;
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await handler(subscriptionEvent(makeBatch('/ecs/billing-worker', LINES)), context);
    } finally {
      write.mockRestore();
    }
    expect(fake.count('cwl-billing-worker-*')).toBe(3);
    const stored = fake.get('cwl-billing-worker-2026.12.06', makeBatch('/ecs/billing-worker', LINES).logEvents[0]!.id);
    expect(stored?.source).toMatchObject(BILLING_DOCUMENT);
  });
});

describe('loadPipelineConfig and PARSERS_FILE', () => {
  it('a missing file is a configuration error naming the variable', () => {
    expect(() => loadPipelineConfig({ PARSERS_FILE: '/nonexistent/parsers.json' })).toThrow(
      'PARSERS_FILE: cannot read "/nonexistent/parsers.json"',
    );
  });

  it('a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cwl-parsers-'));
    writeFileSync(join(dir, 'p.json'), '{"parsers": [');
    expect(() => loadPipelineConfig({ PARSERS_FILE: join(dir, 'p.json') })).toThrow(/^PARSERS_FILE: ".*p\.json" is not JSON/);
  });

  it('unset: no user parsers', () => {
    expect(loadPipelineConfig({}).userParsers).toEqual([]);
  });
});
