import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { APPLY_LOCK_INDEX } from '../../functions/assets/apply-lock';
import { loadAssetsConfig } from '../../functions/assets/config';
import { loadAssetBundle } from '../../functions/assets/load';
import type { ApplyReport } from '../../functions/assets/types';
import { registerAssetsCommand } from '../../functions/cli/commands/assets';
import { startFakeOpenSearch, type FakeOpenSearch } from '../helpers/fake-opensearch';
import { addAssetRoutes, type FakeAssetsState } from '../helpers/fake-opensearch-assets';

let fake: FakeOpenSearch;
let state: FakeAssetsState;
let stdout: string[];
let stderr: string[];

beforeEach(async () => {
  fake = await startFakeOpenSearch();
  state = addAssetRoutes(fake);
  vi.stubEnv('OPENSEARCH_ENDPOINT', '');
  vi.stubEnv('OPENSEARCH_AUTH', 'none');
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
});

afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  process.exitCode = undefined;
  await fake.close();
});

async function cli(...args: string[]): Promise<void> {
  const program = new Command('cwl-opensearch').exitOverride();
  registerAssetsCommand(program);
  await program.parseAsync(['node', 'cwl-opensearch', ...args]);
}

const bundle = loadAssetBundle(loadAssetsConfig({ OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200' }));

describe('cwl-opensearch assets apply', () => {
  it('applies to --to and prints one line per asset and a summary; the second run is all unchanged', async () => {
    await cli('assets', 'apply', '--to', fake.url);
    const first = stdout.join('');
    expect(first).toMatch(/^created +index-template +cwl-lambda$/m);
    expect(first).toMatch(/applied \d+ assets: \d+ created, 0 updated, 0 unchanged, 0 failed\n$/);
    expect(process.exitCode).toBeUndefined();
    stdout.length = 0;
    await cli('assets', 'apply', '--to', fake.url);
    expect(stdout.join('')).toMatch(/applied (\d+) assets: 0 created, 0 updated, \1 unchanged, 0 failed\n$/);
  });

  it('--json prints the report; --dry-run changes nothing', async () => {
    await cli('assets', 'apply', '--to', fake.url, '--dry-run', '--json');
    const report = JSON.parse(stdout.join('')) as ApplyReport;
    expect(report.dryRun).toBe(true);
    expect(report.counts.created).toBe(report.results.length);
    expect(state.indexTemplates.size).toBe(0);
  });

  it('--tenant and --dashboards-url override the environment', async () => {
    addAssetRoutes(fake, { dashboardsPrefix: '/osd' });
    vi.stubEnv('DASHBOARDS_TENANT', 'ignored');
    await cli('assets', 'apply', '--to', fake.url, '--dashboards-url', `${fake.url}/osd`, '--tenant', 'ops');
    expect(fake.requests.filter((request) => request.path.startsWith('/osd/')).every((r) => r.headers.securitytenant === 'ops')).toBe(true);
  });

  it('exits with status 1 and a summary on stderr when an asset failed', async () => {
    fake.failRequests({ kind: 'status', status: 500 }, { method: 'PUT', path: /^\/_index_template\/cwl-generic$/ });
    await cli('assets', 'apply', '--to', fake.url);
    expect(process.exitCode).toBe(1);
    expect(stdout.join('')).toMatch(/^failed +index-template +cwl-generic +\(HTTP 500/m);
    expect(stderr.join('')).toMatch(/^cwl-opensearch: 1 of \d+ asset\(s\) failed\n$/);
  });

  it('--lock-wait: says whose apply it waits for, and fails naming it when the wait ends (issue 10, item 10)', async () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    fake.put(APPLY_LOCK_INDEX, 'cwl', { holder: 'ci@runner pid 42', token: 't', prefix: 'cwl', acquired_at: new Date().toISOString(), expires_at: expiresAt });
    await expect(cli('assets', 'apply', '--to', fake.url, '--lock-wait', '1')).rejects.toThrow(
      /^another assets apply is running for prefix "cwl" \(waited 1 s\): held by ci@runner pid 42 since .*, expires at /,
    );
    expect(stderr.join('')).toBe(`cwl-opensearch: waiting for the apply lock held by ci@runner pid 42 (expires at ${expiresAt} unless renewed)\n`);
    expect(stdout.join('')).toBe('');
    expect(state.monitors.size).toBe(0);
    await expect(cli('assets', 'apply', '--to', fake.url, '--lock-wait', 'soon')).rejects.toThrow(/"soon" is not a number of seconds from 0 to 3600/);
  });

  it('refuses a bad configuration naming the variable', async () => {
    await expect(cli('assets', 'apply')).rejects.toThrow(/^OPENSEARCH_ENDPOINT: is required/);
    await expect(cli('assets', 'apply', '--to', fake.url, '--tenant', 'a/b')).rejects.toThrow(/^DASHBOARDS_TENANT: /);
  });
});

describe('cwl-opensearch assets export', () => {
  it('writes the current saved objects, sorted, in the shape of dashboards/saved-objects', async () => {
    await cli('assets', 'apply', '--to', fake.url);
    const out = join(mkdtempSync(join(tmpdir(), 'cwl-export-')), 'objects.ndjson');
    stderr.length = 0;
    await cli('assets', 'export', '--to', fake.url, '--out', out);
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    const exported = lines.map((line) => JSON.parse(line) as { type: string; id: string; attributes: unknown; references: unknown });
    const keys = exported.map((object) => `${object.type}/${object.id}`);
    expect(keys).toEqual([...keys].sort());
    expect(keys.length).toBe(bundle.savedObjects.length);
    for (const object of bundle.savedObjects) {
      const found = exported.find((candidate) => candidate.id === object.id)!;
      expect({ type: found.type, id: found.id, attributes: found.attributes, references: found.references }).toEqual(object);
    }
    expect(stderr.join('')).toBe(`exported ${bundle.savedObjects.length} saved objects from ${fake.url}/_dashboards to ${out}\n`);
  });

  it('prints to stdout, names objects the tenant lacks, and --all keeps objects of others', async () => {
    const objects = new Map([['search/someone-else', { type: 'search', id: 'someone-else', attributes: { title: 'x' }, references: [] }]]);
    state.savedObjects.set('global', objects);
    await cli('assets', 'export', '--to', fake.url);
    expect(stdout.join('')).toBe('');
    expect(stderr.join('')).toContain('exported 0 saved objects');
    expect(stderr.join('')).toContain('not in the tenant: dashboard/cwl-db-athena-usage, ');
    stdout.length = 0;
    await cli('assets', 'export', '--to', fake.url, '--all');
    expect(stdout.join('')).toBe(`${JSON.stringify(objects.get('search/someone-else'))}\n`);
  });
});
