/** The assets `dashboards/` holds, after placeholders are filled in for one configuration. */

export type Json = { [key: string]: unknown };

/** One asset applied by name: a template, an ISM policy, a notification channel, a monitor. */
export interface NamedAsset {
  readonly name: string;
  /** The data file it came from, for error messages. */
  readonly file: string;
  readonly body: Json;
}

/** One line of a saved-objects NDJSON file. */
export interface SavedObject {
  readonly type: string;
  readonly id: string;
  readonly attributes: Json;
  readonly references: readonly SavedObjectReference[];
  readonly migrationVersion?: Json;
}

export interface SavedObjectReference {
  readonly name: string;
  readonly type: string;
  readonly id: string;
}

export interface AssetBundle {
  /** Ingest pipelines the templates name (`index.final_pipeline`): applied first. */
  readonly ingestPipelines: readonly NamedAsset[];
  readonly componentTemplates: readonly NamedAsset[];
  readonly indexTemplates: readonly NamedAsset[];
  readonly ismPolicies: readonly NamedAsset[];
  /** The notification channel monitors send to; absent when `ALERT_CHANNEL=none`. */
  readonly channel?: NamedAsset;
  readonly monitors: readonly NamedAsset[];
  readonly savedObjects: readonly SavedObject[];
}

export const ASSET_KINDS = [
  'ingest-pipeline',
  'component-template',
  'index-template',
  'ism-policy',
  'ism-indices',
  'notification-channel',
  'monitor',
  'saved-object',
  /** Only reported when the apply lock was lost while applying. */
  'apply-lock',
] as const;
export type AssetKind = (typeof ASSET_KINDS)[number];

export const ASSET_STATUSES = ['created', 'updated', 'unchanged', 'failed'] as const;
export type AssetStatus = (typeof ASSET_STATUSES)[number];

export interface AssetResult {
  readonly kind: AssetKind;
  /** Template/policy/channel/monitor name, or `<type>/<id>` for a saved object. */
  readonly name: string;
  readonly status: AssetStatus;
  /** Why (what differed, what the server said). */
  readonly reason?: string;
}

export interface ApplyReport {
  /** Nothing was written: statuses say what a real run would do. */
  readonly dryRun: boolean;
  readonly results: readonly AssetResult[];
  readonly counts: Readonly<Record<AssetStatus, number>>;
}
