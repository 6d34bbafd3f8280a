import { applyAssets } from '../../../functions/assets/apply';
import { loadAssetsConfig, type AssetsConfig } from '../../../functions/assets/config';
import { loadAssetBundle } from '../../../functions/assets/load';
import type { ApplyReport } from '../../../functions/assets/types';
import { engineUrl } from './engine';

/** The assets configuration for one test prefix on the node under test (no replicas: one node). */
export function assetsConfigFor(prefix: string, extra: Record<string, string> = {}): AssetsConfig {
  return loadAssetsConfig({ OPENSEARCH_ENDPOINT: engineUrl(), INDEX_PREFIX: prefix, INDEX_REPLICAS: '0', ...extra });
}

/**
 * Applies only the component and index templates of dashboards/ for `prefix`, through the real
 * `applyAssets` (what `assets apply` runs), so that daily indices created afterwards get the
 * project's mappings.
 */
export async function applyTemplates(prefix: string): Promise<ApplyReport> {
  const config = assetsConfigFor(prefix);
  const bundle = loadAssetBundle(config);
  const report = await applyAssets(config, {
    bundle: {
      // The settings name the final pipeline: an index cannot be created without it.
      ingestPipelines: bundle.ingestPipelines,
      componentTemplates: bundle.componentTemplates,
      indexTemplates: bundle.indexTemplates,
      ismPolicies: [],
      monitors: [],
      savedObjects: [],
    },
  });
  const failed = report.results.filter((result) => result.status === 'failed');
  if (failed.length > 0) throw new Error(`templates for ${prefix} failed: ${JSON.stringify(failed)}`);
  return report;
}

/** Removes the templates `applyTemplates(prefix)` made. */
export async function deleteTemplates(prefix: string): Promise<void> {
  const config = assetsConfigFor(prefix);
  const bundle = loadAssetBundle(config);
  const call = (path: string) => fetch(`${engineUrl()}${path}`, { method: 'DELETE' });
  for (const template of bundle.indexTemplates) await call(`/_index_template/${template.name}`);
  for (const template of bundle.componentTemplates) await call(`/_component_template/${template.name}`);
  for (const pipeline of bundle.ingestPipelines) await call(`/_ingest/pipeline/${pipeline.name}`);
}
