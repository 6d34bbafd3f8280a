/**
 * What the shipper's bundle evaluates at cold start. re2js (the linear-time engine of user
 * parsers) is bundled, but evaluated only when the configuration defines user parsers:
 * the handler is bundled here as the CDK app bundles it (esbuild, ESM, the `require`
 * banner), with re2js's module marked so that evaluating it sets a global, and loaded in
 * fresh processes with and without PARSERS_JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const MARK = '__cwlRe2jsEvaluated';
let directory: string;
let bundle: string;

beforeAll(async () => {
  // Inside the project, so that the bundle's external @aws-sdk/* imports resolve.
  mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
  directory = mkdtempSync(join(ROOT, 'node_modules/.cache/cold-start-'));
  bundle = join(directory, 'index.mjs');
  await build({
    entryPoints: [join(ROOT, 'functions/shipper/handler.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    banner: { js: "import { createRequire as __cwlCreateRequire } from 'node:module'; const require = __cwlCreateRequire(import.meta.url);" },
    logLevel: 'error',
    plugins: [
      {
        name: 'mark-re2js',
        setup(builder) {
          builder.onLoad({ filter: /[\\/]node_modules[\\/]re2js[\\/].*\.c?js$/ }, (args) => ({
            contents: `globalThis.${MARK} = true;\n${readFileSync(args.path, 'utf8')}`,
            loader: 'js',
          }));
        },
      },
    ],
  });
}, 60_000);

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Imports the bundle in a fresh process with `env` and says whether re2js was evaluated. */
function loadBundle(env: Record<string, string>): boolean {
  const script = `await import(${JSON.stringify(bundle)}); console.log(JSON.stringify({ evaluated: globalThis.${MARK} === true }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      POWERTOOLS_METRICS_NAMESPACE: 'test',
      ...env,
    },
  });
  const line = child.stdout.trim().split('\n').at(-1) ?? '';
  if (child.status !== 0 || !line.startsWith('{')) throw new Error(`loading the bundle failed: ${child.stderr.slice(-2000)}`);
  return (JSON.parse(line) as { evaluated: boolean }).evaluated;
}

describe('the shipper bundle at cold start', () => {
  it('does not evaluate re2js when no user parser is configured', () => {
    expect(loadBundle({})).toBe(false);
  });

  it('evaluates the bundled re2js when PARSERS_JSON defines parsers', () => {
    const parsers = readFileSync(join(ROOT, 'test/fixtures/user-parsers/parsers.json'), 'utf8');
    expect(loadBundle({ PARSERS_JSON: parsers })).toBe(true);
  });
});
