import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '../pipeline/config';
import type { AlertsConfig, AssetsConfig } from './config';
import { AssetDataError } from './errors';
import { withTemplateFields } from './index-pattern-fields';
import type { AssetBundle, Json, NamedAsset, SavedObject } from './types';
import { userParserIndexPatterns } from './user-parser-index-patterns';
import { userParserPolicies } from './user-parser-policies';
import { userParserTemplates } from './user-parser-templates';

/**
 * Reads the data files of `dashboards/` and fills in `${name}` placeholders for one
 * configuration. A string that is exactly one placeholder takes the value's type (a
 * number stays a number); inside longer strings the value is written as text. `{{...}}`
 * (Alerting's mustache) is left alone.
 */

/** The folders a deployment must ship beside the code (the Lambda bundle copies them). */
export const ASSET_DATA_DIRS = ['ingest', 'templates', 'ism', 'saved-objects', 'monitors'] as const;

export type PlaceholderValues = Readonly<Record<string, string | number>>;

/** The values the data files may use, for `config`. */
export function placeholderValues(config: AssetsConfig): PlaceholderValues {
  return {
    prefix: config.prefix,
    replicas: config.replicas,
    shards: config.shards,
    retentionDays: config.retentionDays,
    deadletterRetentionDays: config.deadletterRetentionDays,
    channelId: channelId(config.prefix),
    scannedBytesPerUserHour: config.alerts.scannedBytesPerUserHour,
    slowQueriesPer5m: config.alerts.slowQueriesPer5m,
    memoryRatio: config.alerts.memoryRatio,
    memoryPercent: Math.round(config.alerts.memoryRatio * 10_000) / 100,
    alertMaxEventAgeMinutes: config.alerts.maxEventAgeMinutes,
    athenaMaxQueryAgeHours: config.alerts.athenaMaxQueryAgeHours,
  };
}

/** The notification channel's `config_id`. */
export function channelId(prefix: string): string {
  return `${prefix}-alerts`;
}

/**
 * Finds the folder holding `ingest/`, `templates/`, `ism/`, `saved-objects/` and `monitors/`:
 * `ASSETS_DIR`, else beside this module (an ESM bundle), else a `dashboards/` folder
 * beside it or two levels up (the source tree), the Lambda task root or a `dashboards/` folder in it (a
 * CommonJS bundle has no module URL), or `dashboards/` in the working directory.
 */
export function resolveAssetsDir(env: Env = process.env): string {
  const here = moduleDir();
  const candidates = [
    env.ASSETS_DIR,
    here,
    here === undefined ? undefined : join(here, 'dashboards'),
    // The source tree: this module sits in functions/assets/, the data in dashboards/.
    here === undefined ? undefined : join(here, '..', '..', 'dashboards'),
    env.LAMBDA_TASK_ROOT,
    env.LAMBDA_TASK_ROOT === undefined ? undefined : join(env.LAMBDA_TASK_ROOT, 'dashboards'),
    join(process.cwd(), 'dashboards'),
  ].filter((candidate): candidate is string => candidate !== undefined && candidate !== '');
  const found = candidates.find((candidate) => ASSET_DATA_DIRS.every((dir) => existsSync(join(candidate, dir))));
  if (found === undefined) {
    throw new AssetDataError(
      'dashboards/',
      `asset data (${ASSET_DATA_DIRS.join(', ')}) not found in ${candidates.join(', ')}; set ASSETS_DIR`,
    );
  }
  return found;
}

/**
 * A hash of every data file (names and bytes). The deployment passes it as a property of
 * the custom resource, so that changed files make CloudFormation send an Update.
 */
export function hashAssetFiles(dir: string = resolveAssetsDir()): string {
  const hash = createHash('sha256');
  const walk = (relativeDir: string): void => {
    const entries = readdirSync(join(dir, relativeDir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(relativeDir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(`${path}\0`).update(readFileSync(join(dir, path))).update('\0');
    }
  };
  for (const folder of ASSET_DATA_DIRS) walk(folder);
  return hash.digest('hex').slice(0, 32);
}

/** Loads every asset for `config` from `dir`. */
export function loadAssetBundle(config: AssetsConfig, dir: string = resolveAssetsDir()): AssetBundle {
  const values = placeholderValues(config);
  const read = (file: string): Json => readJsonFile(dir, file, values);
  const named = (folder: string, name: (stem: string, body: Json) => string): NamedAsset[] =>
    listFiles(dir, folder, '.json').map((file) => {
      const body = read(file);
      return { name: name(basename(file, '.json'), body), file, body };
    });

  const monitors = named('monitors', (stem, body) => {
    if (typeof body.name !== 'string') throw new AssetDataError(`monitors/${stem}.json`, 'has no "name"');
    return body.name;
  });
  const channel = buildChannel(config.prefix, config.alerts);
  const componentTemplates = named(join('templates', 'components'), (stem) => `${config.prefix}-${stem}`);
  const indexTemplates = [
    ...named('templates', (stem) => `${config.prefix}-${stem}`),
    ...userParserTemplates(config.prefix, config.userParsers),
  ];
  const savedObjects = [
    ...listFiles(dir, 'saved-objects', '.ndjson').flatMap((file) => readNdjsonFile(dir, file, values)),
    ...userParserIndexPatterns(config.prefix, config.userParsers),
  ];
  return {
    ingestPipelines: named('ingest', (stem) => `${config.prefix}-${stem}`),
    componentTemplates,
    indexTemplates,
    ismPolicies: [
      ...named('ism', (stem) => `${config.prefix}-${stem}-retention`),
      ...userParserPolicies(config.prefix, config.userParsers, config.retentionDays),
    ],
    ...(channel !== undefined && { channel }),
    monitors: channel === undefined ? monitors.map(withoutActions) : monitors,
    // Index patterns carry the templates' fields, so that panels work before their indices exist.
    savedObjects: withTemplateFields(savedObjects, indexTemplates, componentTemplates),
  };
}

/** The notification channel for `alerts`, or undefined when none is configured. */
export function buildChannel(prefix: string, alerts: AlertsConfig): NamedAsset | undefined {
  const id = channelId(prefix);
  let target: Json;
  switch (alerts.channel) {
    case 'none':
      return undefined;
    case 'slack':
      target = { slack: { url: alerts.webhookUrl } };
      break;
    case 'webhook':
      target = { webhook: { url: alerts.webhookUrl } };
      break;
    case 'sns':
      target = { sns: { topic_arn: alerts.snsTopicArn, ...(alerts.snsRoleArn !== undefined && { role_arn: alerts.snsRoleArn }) } };
      break;
  }
  return {
    name: id,
    file: '(ALERT_CHANNEL)',
    body: {
      config_id: id,
      config: {
        name: id,
        description: 'Alerts of the cwl-opensearch monitors (managed by cwl-opensearch assets apply)',
        config_type: alerts.channel,
        is_enabled: true,
        ...target,
      },
    },
  };
}

/** Replaces `${name}` placeholders in every string of `value`. */
export function renderPlaceholders(value: unknown, values: PlaceholderValues, file: string): unknown {
  if (typeof value === 'string') return renderString(value, values, file);
  if (Array.isArray(value)) return value.map((item) => renderPlaceholders(item, values, file));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, renderPlaceholders(inner, values, file)]),
    );
  }
  return value;
}

function renderString(text: string, values: PlaceholderValues, file: string): string | number {
  const lookup = (name: string): string | number => {
    const found = values[name];
    if (found === undefined) {
      throw new AssetDataError(file, `unknown placeholder \${${name}} (known: ${Object.keys(values).join(', ')})`);
    }
    return found;
  };
  const whole = /^\$\{(\w+)\}$/.exec(text);
  if (whole) return lookup(whole[1]!);
  return text.replace(/\$\{(\w+)\}/g, (_match, name: string) => String(lookup(name)));
}

/** A monitor without actions: it still runs and records alerts, it only notifies no one. */
function withoutActions(monitor: NamedAsset): NamedAsset {
  const triggers = Array.isArray(monitor.body.triggers) ? monitor.body.triggers : [];
  return {
    ...monitor,
    body: {
      ...monitor.body,
      triggers: triggers.map((trigger: Record<string, Record<string, unknown>>) =>
        Object.fromEntries(Object.entries(trigger).map(([type, inner]) => [type, { ...inner, actions: [] }])),
      ),
    },
  };
}

function listFiles(dir: string, folder: string, extension: string): string[] {
  const path = join(dir, folder);
  if (!existsSync(path)) throw new AssetDataError(relative(process.cwd(), path) || path, 'folder is missing');
  return readdirSync(path, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(extension))
    .map((entry) => join(folder, entry.name))
    .sort();
}

function readJsonFile(dir: string, file: string, values: PlaceholderValues): Json {
  const parsed = parseJson(readFileSync(join(dir, file), 'utf8'), file);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AssetDataError(file, 'is not a JSON object');
  }
  return renderPlaceholders(parsed, values, file) as Json;
}

function readNdjsonFile(dir: string, file: string, values: PlaceholderValues): SavedObject[] {
  return readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .map((line, index) => ({ line: line.trim(), where: `${file}:${index + 1}` }))
    .filter(({ line }) => line !== '')
    .map(({ line, where }) => {
      const object = renderPlaceholders(parseJson(line, where), values, where) as Partial<SavedObject>;
      if (typeof object.type !== 'string' || typeof object.id !== 'string' || typeof object.attributes !== 'object') {
        throw new AssetDataError(where, 'a saved object needs "type", "id" and "attributes"');
      }
      return { ...object, references: object.references ?? [] } as SavedObject;
    });
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AssetDataError(file, `is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function moduleDir(): string | undefined {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    // A CommonJS bundle has no import.meta.url; the other candidates still apply.
    return undefined;
  }
}
