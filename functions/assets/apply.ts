import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { createOpenSearchClient, type OpenSearchClient } from '../sinks/opensearch';
import {
  applyChannel,
  applyComponentTemplate,
  applyIndexTemplate,
  applyIngestPipeline,
  applyIsmPolicy,
  applyMonitor,
  type StoredPolicyVersion,
} from './apply-opensearch';
import { applyIsmIndices } from './apply-ism-indices';
import { applySavedObjects } from './apply-saved-objects';
import type { AssetsConfig } from './config';
import { createDashboardsClient, type FetchLike } from './dashboards-client';
import { loadAssetBundle } from './load';
import { buildReport } from './report';
import type { ApplyReport, AssetBundle, AssetResult, Json, NamedAsset } from './types';

export interface ApplyDeps {
  /** OpenSearch client; default: `createOpenSearchClient` for `config.openSearch`. */
  readonly client?: OpenSearchClient;
  /** HTTP for the Dashboards API; default: global `fetch`. */
  readonly fetch?: FetchLike;
  /** SigV4 credentials for both; default: the standard AWS provider chain. */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** The assets; default: the data files of `dashboards/`. */
  readonly bundle?: AssetBundle;
  /** Called with each result as soon as it is known (progress output). */
  readonly onResult?: (result: AssetResult) => void;
}

export interface ApplyOptions {
  /** Read and compare only; the report says what a real run would change. */
  readonly dryRun?: boolean;
}

/**
 * Creates or updates every asset, idempotently: each one is read and compared first and
 * written only when absent or different, so a second run reports everything unchanged.
 * Order: ingest pipelines, component templates, index templates, ISM policies (each
 * followed by its existing indices), notification channel, monitors, saved objects. One failed asset does not stop the others.
 */
/** `index.final_pipeline` of a template's settings, nested or flat. */
function finalPipelineOf(asset: NamedAsset): string | undefined {
  const settings = ((asset.body.template as Json | undefined)?.settings ?? {}) as Json;
  const index = (settings.index ?? {}) as Json;
  const value = index.final_pipeline ?? settings['index.final_pipeline'] ?? settings.final_pipeline;
  return typeof value === 'string' ? value : undefined;
}

export async function applyAssets(
  config: AssetsConfig,
  deps: ApplyDeps = {},
  options: ApplyOptions = {},
): Promise<ApplyReport> {
  const dryRun = options.dryRun ?? false;
  const bundle = deps.bundle ?? loadAssetBundle(config);
  const signed = config.openSearch.auth === 'sigv4' || config.openSearch.auth === 'sigv4-aoss';
  const credentials = deps.credentials ?? (signed ? defaultProvider() : undefined);
  const client =
    deps.client ??
    createOpenSearchClient(config.openSearch, {
      // Small bodies; transport retries only cover connection errors and 502/503/504.
      maxRetries: 2,
      compression: false,
      ...(credentials !== undefined && { credentials }),
    });
  const dashboards = createDashboardsClient(config, {
    ...(deps.fetch !== undefined && { fetch: deps.fetch }),
    ...(credentials !== undefined && { credentials }),
  });

  const results: AssetResult[] = [];
  const record = (result: AssetResult): void => {
    results.push(result);
    deps.onResult?.(result);
  };
  try {
    // Templates name the pipeline (index.final_pipeline): an index cannot be created before it
    // exists, so a template naming a pipeline that failed is not written (the stored one stays).
    const missingPipelines = new Set<string>();
    for (const asset of bundle.ingestPipelines) {
      const result = await applyIngestPipeline(client, asset, dryRun);
      if (result.status === 'failed') missingPipelines.add(asset.name);
      record(result);
    }
    for (const asset of bundle.componentTemplates) {
      const pipeline = finalPipelineOf(asset);
      if (pipeline !== undefined && missingPipelines.has(pipeline)) {
        record({ kind: 'component-template', name: asset.name, status: 'failed', reason: `not applied: its final pipeline ${pipeline} failed` });
      } else record(await applyComponentTemplate(client, asset, dryRun));
    }
    for (const asset of bundle.indexTemplates) record(await applyIndexTemplate(client, asset, dryRun));
    for (const asset of bundle.ismPolicies) {
      let version: StoredPolicyVersion | undefined;
      const result = await applyIsmPolicy(client, asset, dryRun, (stored) => {
        version = stored;
      });
      record(result);
      // Existing indices: attach the policy where there is none, move old versions to this one.
      const indices = result.status === 'failed' ? undefined : await applyIsmIndices(client, asset, version, dryRun);
      if (indices !== undefined) record(indices);
    }
    if (bundle.channel !== undefined) record(await applyChannel(client, bundle.channel, dryRun));
    for (const asset of bundle.monitors) record(await applyMonitor(client, asset, dryRun));
    for (const result of await applySavedObjects(dashboards, bundle.savedObjects, dryRun)) record(result);
  } finally {
    if (deps.client === undefined) await client.close();
  }
  return buildReport(results, dryRun);
}
