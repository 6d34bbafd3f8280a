import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLING_CONTEXT_KEY } from '../../infra/constructs/pipeline-function';

/**
 * `infra/bin/app.ts` run the way the CDK CLI runs it (cdk.json: `npx tsx infra/bin/app.ts`,
 * context and output directory in CDK_CONTEXT_JSON and CDK_OUTDIR), code stubbed.
 */
const run = promisify(execFile);
const dirs: string[] = [];

async function synth(context: Record<string, unknown>): Promise<{ outdir: string; code: number; stderr: string }> {
  const outdir = mkdtempSync(join(tmpdir(), 'cwl-cdk-entry-'));
  dirs.push(outdir);
  try {
    const { stderr } = await run(join('node_modules', '.bin', 'tsx'), ['infra/bin/app.ts'], {
      env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ [BUNDLING_CONTEXT_KEY]: 'stub', ...context }) },
      timeout: 120_000,
    });
    return { outdir, code: 0, stderr };
  } catch (error) {
    const failed = error as { code?: number; stderr?: string };
    return { outdir, code: failed.code ?? -1, stderr: failed.stderr ?? '' };
  }
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('infra/bin/app.ts', () => {
  it('synthesizes the example configuration passed with -c config (as CI does)', async () => {
    const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { app: string };
    expect(cdkJson.app).toBe('npx tsx infra/bin/app.ts');
    const { outdir, code, stderr } = await synth({ config: 'infra/config.example.json' });
    expect(code, stderr).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'CwlOpenSearch.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).some((resource) => resource.Type === 'Custom::LogSubscriptions')).toBe(true);
  });

  it('fails at once, saying what to pass, when no configuration is named (cdk.json names none)', async () => {
    const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context?: Record<string, unknown> };
    expect(cdkJson.context?.config).toBeUndefined();
    const { outdir, code, stderr } = await synth({});
    expect(code).toBe(1);
    expect(stderr).toContain('config: is required; run "npx cdk synth -c config=path/to/config.json"');
    expect(existsSync(join(outdir, 'CwlOpenSearch.template.json'))).toBe(false);
  });

  it('stops with a message naming the field, not a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cwl-config-'));
    dirs.push(dir);
    const path = join(dir, 'config.json');
    writeFileSync(path, JSON.stringify({ opensearch: { mode: 'existing-domain', endpoint: 'https://x.example.com' }, subscriptions: { prefixes: ['/aws/lambda/'] } }));
    const { outdir, code, stderr } = await synth({ config: path });
    expect(code).toBe(1);
    expect(stderr).toContain('opensearch.domainArn: is required');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(outdir, 'CwlOpenSearch.template.json'))).toBe(false);
  });
});
