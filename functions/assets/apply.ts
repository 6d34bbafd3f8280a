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
} from './apply-opensearch';
import { applyIsmIndices, ownershipAmong } from './apply-ism-indices';
import { acquireApplyLock, APPLY_LOCK_INDEX, type ApplyLock, type ApplyLockOptions } from './apply-lock';
import { applySavedObjects } from './apply-saved-objects';
import type { AssetsConfig } from './config';
import { createDashboardsClient, type FetchLike } from './dashboards-client';
import { loadAssetBundle } from './load';
import { readClusterVersion, tenantExists, versionProblem, type ClusterVersion } from './preflight';
import { buildReport } from './report';
import { waitForDomain, type DomainWaitOptions } from './wait-for-domain';
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
  /** The apply lock: holder name, how long to wait for it, and its timings (defaults in `APPLY_LOCK_DEFAULTS`). */
  readonly lock?: Omit<ApplyLockOptions, 'id'>;
}

export interface ApplyOptions {
  /** Read and compare only; the report says what a real run would change. */
  readonly dryRun?: boolean;
  /** Wait (bounded) for the cluster to answer before the first request (a domain just created). */
  readonly waitForDomain?: DomainWaitOptions;
}

/**
 * Creates or updates every asset, idempotently: each one is read and compared first and
 * written only when absent or different, so a second run reports everything unchanged.
 * Order: ingest pipelines, component templates, index templates, ISM policies (each
 * followed by its existing indices), notification channel, monitors, saved objects. One failed asset does not stop the others.
 * A real run holds the apply lock of its prefix throughout (see apply-lock.ts): a second apply
 * waits for it, then fails with `AssetsLockedError` naming the holder. A dry run writes nothing and takes no lock.
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
  let lock: ApplyLock | undefined;
  try {
    if (options.waitForDomain !== undefined) await waitForDomain(client, options.waitForDomain);
    if (!dryRun) lock = await acquireApplyLock(client, { ...deps.lock, id: config.prefix });
    // flat_object needs OpenSearch 2.7+: the templates using it are refused on older clusters.
    let version: ClusterVersion | undefined;
    try {
      version = await readClusterVersion(client);
    } catch {
      version = undefined; // unreachable: each asset reports the error itself
    }
    // Templates name the pipeline (index.final_pipeline): an index cannot be created before it
    // exists, so a template naming a pipeline that failed is not written (the stored one stays).
    const missingPipelines = new Set<string>();
    for (const asset of bundle.ingestPipelines) {
      const result = await applyIngestPipeline(client, asset, dryRun);
      if (result.status === 'failed') missingPipelines.add(asset.name);
      record(result);
    }
    const refusedComponents = new Map<string, string>();
    for (const asset of bundle.componentTemplates) {
      const pipeline = finalPipelineOf(asset);
      const problem =
        pipeline !== undefined && missingPipelines.has(pipeline)
          ? `not applied: its final pipeline ${pipeline} failed`
          : versionProblem(asset, version);
      if (problem !== undefined) {
        refusedComponents.set(asset.name, problem);
        record({ kind: 'component-template', name: asset.name, status: 'failed', reason: problem });
      } else record(await applyComponentTemplate(client, asset, dryRun));
    }
    for (const asset of bundle.indexTemplates) {
      const component = ((asset.body.composed_of ?? []) as string[]).find((name) => refusedComponents.has(name));
      const problem =
        versionProblem(asset, version) ??
        (component === undefined ? undefined : `not applied: ${component} was not (${refusedComponents.get(component)})`);
      if (problem !== undefined) record({ kind: 'index-template', name: asset.name, status: 'failed', reason: problem });
      else record(await applyIndexTemplate(client, asset, dryRun));
    }
    // Where several of our policies match an index (built-in `generic-*`, user parser `generic-foo-*`), it is the most specific one's.
    const ownership = ownershipAmong(bundle.ismPolicies);
    for (const asset of bundle.ismPolicies) {
      const { result, version: policyVersion } = await applyIsmPolicy(client, asset, dryRun);
      record(result);
      // Existing indices: attach the policy where there is none, move old versions to this one.
      const indices = result.status === 'failed' ? undefined : await applyIsmIndices(client, asset, policyVersion, dryRun, ownership);
      if (indices !== undefined) record(indices);
    }
    if (bundle.channel !== undefined) record(await applyChannel(client, bundle.channel, dryRun));
    for (const asset of bundle.monitors) record(await applyMonitor(client, asset, dryRun));
    if (bundle.savedObjects.length > 0 && !(await tenantExists(client, config.tenant))) {
      // The security plugin would put them in another tenant and answer success.
      for (const object of bundle.savedObjects) {
        record({
          kind: 'saved-object',
          name: `${object.type}/${object.id}`,
          status: 'failed',
          reason: `tenant "${config.tenant}" does not exist (DASHBOARDS_TENANT); nothing imported`,
        });
      }
    } else for (const result of await applySavedObjects(dashboards, bundle.savedObjects, dryRun)) record(result);
    const takenBy = lock?.lost();
    if (takenBy !== undefined) {
      record({
        kind: 'apply-lock',
        name: `${APPLY_LOCK_INDEX}/${config.prefix}`,
        status: 'failed',
        reason: `taken over by ${takenBy.holder} while this apply ran (it could not renew the lock in time): run assets apply again`,
      });
    }
  } finally {
    await lock?.release();
    if (deps.client === undefined) await client.close();
  }
  return buildReport(results, dryRun);
}

/** `index.final_pipeline` of a template's settings, nested or flat. */
function finalPipelineOf(asset: NamedAsset): string | undefined {
  const settings = ((asset.body.template as Json | undefined)?.settings ?? {}) as Json;
  const index = (settings.index ?? {}) as Json;
  const value = index.final_pipeline ?? settings['index.final_pipeline'] ?? settings.final_pipeline;
  return typeof value === 'string' ? value : undefined;
}
