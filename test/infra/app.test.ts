import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../infra/bin/app';
import { loadConfig } from '../../infra/config';
import type { PipelineStack } from '../../infra/stacks/pipeline-stack';

/**
 * The app exactly as `npx cdk synth` builds it from the example configuration, with the
 * real esbuild bundles (the other infra tests stub the code). Slow: one synthesis.
 */
let outdir: string;
let stack: PipelineStack;
let template: Template;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'cwl-cdk-'));
  const app = new App({ outdir });
  stack = createApp(app, loadConfig('infra/config.example.json'));
  app.synth();
  template = Template.fromStack(stack);
}, 240_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

afterEach(() => {
  vi.unstubAllEnvs();
});

/** The bundle directory of the function whose description matches. */
function bundleOf(description: RegExp): string {
  const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((resource) =>
    description.test(String(resource.Properties.Description ?? '')),
  );
  if (!fn) throw new Error(`no function matching ${description}`);
  return assetDirectory(fn);
}

/** Where the synthesis put a function's code: `asset.<hash>` for S3 key `<hash>.zip`. */
function assetDirectory(fn: { [key: string]: any }): string {
  const key: unknown = fn.Properties?.Code?.S3Key;
  if (typeof key !== 'string') throw new Error('the function has no asset code');
  return join(outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

describe('the app from the example configuration', () => {
  it('bundles every function with esbuild into an ESM handler', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) => fn.Properties.Runtime === 'nodejs24.x');
    const ours = functions.filter((fn) => fn.Properties.Handler === 'index.handler');
    // shipper, subscriber, redrive, poller, enricher, assets
    expect(ours).toHaveLength(6);
    for (const fn of ours) {
      const dir = assetDirectory(fn);
      expect(existsSync(join(dir, 'index.mjs')), dir).toBe(true);
    }
  });

  it('ships the dashboards data beside the assets function', () => {
    const files = readdirSync(join(bundleOf(/applies index templates/), 'dashboards'));
    expect(files.sort()).toEqual(['ingest', 'ism', 'monitors', 'saved-objects', 'templates']);
  });

  it('produces bundles that load in Node (the require shim works) and export handler', async () => {
    vi.stubEnv('OPENSEARCH_ENDPOINT', 'https://search-logs-abc.eu-west-1.es.amazonaws.com');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('DLQ_URL', 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    for (const description of [/Ships CloudWatch Logs/, /Subscribes matching/, /Replays failed/]) {
      const module = (await import(pathToFileURL(join(bundleOf(description), 'index.mjs')).href)) as { handler?: unknown };
      expect(typeof module.handler, String(description)).toBe('function');
    }
  });
});
