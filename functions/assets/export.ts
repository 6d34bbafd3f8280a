import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { savedObjectKey } from './apply-saved-objects';
import type { AssetsConfig } from './config';
import { createDashboardsClient, type FetchLike } from './dashboards-client';
import { DashboardsError } from './errors';
import { loadAssetBundle } from './load';
import type { AssetBundle, Json } from './types';

/** The saved-object types the assets use, and the ones `export` reads. */
export const EXPORTED_TYPES = ['index-pattern', 'search', 'visualization', 'dashboard'] as const;

export interface ExportDeps {
  readonly fetch?: FetchLike;
  readonly credentials?: AwsCredentialIdentityProvider;
  readonly bundle?: AssetBundle;
}

export interface ExportOptions {
  /** Every object of the exported types in the tenant, not only the ones `dashboards/` defines. */
  readonly all?: boolean;
}

export interface ExportResult {
  /** One object per line, sorted by type and id so that two exports diff cleanly. */
  readonly ndjson: string;
  readonly count: number;
  /** Objects `dashboards/` defines that the tenant does not have (`<type>/<id>`). */
  readonly missing: readonly string[];
}

/**
 * Reads the current saved objects with the Dashboards `_export` API, for review against
 * `dashboards/saved-objects/` (the files use the same NDJSON shape).
 */
export async function exportSavedObjects(
  config: AssetsConfig,
  deps: ExportDeps = {},
  options: ExportOptions = {},
): Promise<ExportResult> {
  const client = createDashboardsClient(config, {
    ...(deps.fetch !== undefined && { fetch: deps.fetch }),
    ...(deps.credentials !== undefined && { credentials: deps.credentials }),
  });
  const response = await client.request({
    method: 'POST',
    path: '/api/saved_objects/_export',
    body: JSON.stringify({ type: EXPORTED_TYPES, includeReferencesDeep: false, excludeExportDetails: true }),
    contentType: 'application/json',
  });
  if (response.status < 200 || response.status > 299) {
    throw new DashboardsError(
      `POST /api/saved_objects/_export: HTTP ${response.status}: ${response.text.slice(0, 300)}`,
      response.status,
    );
  }
  const exported = response.text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Json)
    // The export-details trailer (`exportedCount`) is not an object to keep.
    .filter((object) => typeof object.type === 'string' && typeof object.id === 'string');

  const ours = (deps.bundle ?? loadAssetBundle(config)).savedObjects;
  const wanted = new Set(ours.map(savedObjectKey));
  const keyOf = (object: Json): string => savedObjectKey(object as { type: string; id: string });
  const kept = options.all ? exported : exported.filter((object) => wanted.has(keyOf(object)));
  const present = new Set(exported.map(keyOf));
  kept.sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  return {
    ndjson: kept.map((object) => `${JSON.stringify(object)}\n`).join(''),
    count: kept.length,
    missing: [...wanted].filter((key) => !present.has(key)).sort(),
  };
}
