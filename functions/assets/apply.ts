import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { createOpenSearchClient, type OpenSearchClient } from '../sinks/opensearch';
import {
  applyChannel,
  applyComponentTemplate,
  applyIndexTemplate,
  applyIsmPolicy,
  applyMonitor,
} from './apply-opensearch';
import { applySavedObjects } from './apply-saved-objects';
import type { AssetsConfig } from './config';
import { createDashboardsClient, type FetchLike } from './dashboards-client';
import { loadAssetBundle } from './load';
import { buildReport } from './report';
import type { ApplyReport, AssetBundle, AssetResult } from './types';

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
 * Order: component templates, index templates, ISM policies, notification channel,
 * monitors, saved objects. One failed asset does not stop the others.
 */
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
    for (const asset of bundle.componentTemplates) record(await applyComponentTemplate(client, asset, dryRun));
    for (const asset of bundle.indexTemplates) record(await applyIndexTemplate(client, asset, dryRun));
    for (const asset of bundle.ismPolicies) record(await applyIsmPolicy(client, asset, dryRun));
    if (bundle.channel !== undefined) record(await applyChannel(client, bundle.channel, dryRun));
    for (const asset of bundle.monitors) record(await applyMonitor(client, asset, dryRun));
    for (const result of await applySavedObjects(dashboards, bundle.savedObjects, dryRun)) record(result);
  } finally {
    if (deps.client === undefined) await client.close();
  }
  return buildReport(results, dryRun);
}
