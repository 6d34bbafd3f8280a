import { ConfigError } from '../pipeline/errors';
import {
  loadOpenSearchConfig,
  loadPipelineConfig,
  readChoice,
  readInteger,
  readNumber,
  type Env,
  type OpenSearchConfig,
} from '../pipeline/config';
import type { UserParser } from '../../parsers/user-parser';

/**
 * Configuration of `assets apply` / `assets export` and of the deploy-time custom
 * resource, read from the environment. Every error names the variable to fix.
 */

export const ALERT_CHANNELS = ['none', 'slack', 'sns', 'webhook'] as const;
export type AlertChannel = (typeof ALERT_CHANNELS)[number];

export interface AlertsConfig {
  /** Where monitor actions go; `none` creates the monitors without actions. */
  readonly channel: AlertChannel;
  /** Slack incoming-webhook or generic webhook URL (`slack`, `webhook`). */
  readonly webhookUrl?: string;
  readonly snsTopicArn?: string;
  /** Role OpenSearch assumes to publish to the topic (must trust `es.amazonaws.com`). */
  readonly snsRoleArn?: string;
  /** Bytes one user may scan with Athena in an hour before the hourly monitor reports them. */
  readonly scannedBytesPerUserHour: number;
  /** Slow-log entries one DB instance may write in 5 minutes before the monitor fires. */
  readonly slowQueriesPer5m: number;
  /** `aws.lambda.memory_used_ratio` above which an invocation counts as close to its memory limit. */
  readonly memoryRatio: number;
  /**
   * Events older than this (by `@timestamp`) when written never raise an alert: they are
   * backfills or replays of the past. RDS and Lambda monitors.
   */
  readonly maxEventAgeMinutes: number;
  /** The same for the Athena report, by the query's start: a query may run for hours before it is enriched. */
  readonly athenaMaxQueryAgeHours: number;
}

export interface AssetsConfig {
  readonly openSearch: OpenSearchConfig;
  /** OpenSearch Dashboards base URL without a trailing slash. */
  readonly dashboardsUrl: string;
  /** Security tenant the saved objects go to (`securitytenant` header). */
  readonly tenant: string;
  readonly prefix: string;
  readonly replicas: number;
  /** `number_of_shards` of new daily indices. */
  readonly shards: number;
  readonly retentionDays: number;
  readonly deadletterRetentionDays: number;
  readonly alerts: AlertsConfig;
  /** Parsers of PARSERS_FILE: each gets an index template from its declared capture types. */
  readonly userParsers: readonly UserParser[];
}

export const ASSETS_DEFAULTS = {
  tenant: 'global',
  replicas: 1,
  shards: 1,
  retentionDays: 30,
  deadletterRetentionDays: 90,
  alertChannel: 'none',
  /** 100 GiB. */
  scannedBytesPerUserHour: 107_374_182_400,
  slowQueriesPer5m: 10,
  memoryRatio: 0.9,
  maxEventAgeMinutes: 60,
  athenaMaxQueryAgeHours: 6,
} as const;

const MAX_RETENTION_DAYS = 3650;

/** Reads and validates the assets configuration from `env`. */
export function loadAssetsConfig(env: Env): AssetsConfig {
  const openSearch = loadOpenSearchConfig(env);
  if (openSearch.auth === 'sigv4-aoss') {
    throw new ConfigError(
      'OPENSEARCH_AUTH',
      'assets need an OpenSearch domain: serverless collections (aoss) have no ISM, alerting or saved-object import',
    );
  }
  const dashboardsUrl = readUrl(env, 'DASHBOARDS_URL', true) ?? `${openSearch.endpoint}/_dashboards`;
  const tenant = (env.DASHBOARDS_TENANT ?? '').trim() || ASSETS_DEFAULTS.tenant;
  if (!/^[\w .-]{1,100}$/.test(tenant)) {
    throw new ConfigError('DASHBOARDS_TENANT', `"${tenant}" is not a tenant name (letters, digits, space, "_", "-", ".")`);
  }
  // The pipeline owns the prefix rule and the parsers file; reading them through its loader keeps one definition.
  const pipeline = loadPipelineConfig(env);
  return {
    openSearch,
    dashboardsUrl,
    tenant,
    prefix: pipeline.indexing.prefix,
    userParsers: pipeline.userParsers,
    replicas: readInteger(env, 'INDEX_REPLICAS', ASSETS_DEFAULTS.replicas, 0, 15),
    // OpenSearch allows up to 1024 shards per index; a daily log index rarely needs more than a few.
    shards: readInteger(env, 'INDEX_SHARDS', ASSETS_DEFAULTS.shards, 1, 1024),
    retentionDays: readInteger(env, 'RETENTION_DAYS', ASSETS_DEFAULTS.retentionDays, 1, MAX_RETENTION_DAYS),
    deadletterRetentionDays: readInteger(
      env,
      'DEADLETTER_RETENTION_DAYS',
      ASSETS_DEFAULTS.deadletterRetentionDays,
      1,
      MAX_RETENTION_DAYS,
    ),
    alerts: loadAlertsConfig(env),
  };
}

function loadAlertsConfig(env: Env): AlertsConfig {
  const channel = readChoice(env, 'ALERT_CHANNEL', ALERT_CHANNELS, ASSETS_DEFAULTS.alertChannel);
  const thresholds = {
    scannedBytesPerUserHour: readInteger(
      env,
      'ALERT_SCANNED_BYTES_PER_USER_HOUR',
      ASSETS_DEFAULTS.scannedBytesPerUserHour,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    slowQueriesPer5m: readInteger(env, 'ALERT_SLOW_QUERIES_PER_5M', ASSETS_DEFAULTS.slowQueriesPer5m, 1, 10_000_000),
    memoryRatio: readNumber(env, 'ALERT_MEMORY_RATIO', ASSETS_DEFAULTS.memoryRatio, 0.01, 1),
    maxEventAgeMinutes: readInteger(env, 'ALERT_MAX_EVENT_AGE_MINUTES', ASSETS_DEFAULTS.maxEventAgeMinutes, 6, 7 * 24 * 60),
    athenaMaxQueryAgeHours: readInteger(
      env,
      'ALERT_ATHENA_MAX_QUERY_AGE_HOURS',
      ASSETS_DEFAULTS.athenaMaxQueryAgeHours,
      2,
      7 * 24,
    ),
  };
  switch (channel) {
    case 'none':
      return { channel, ...thresholds };
    case 'slack':
    case 'webhook': {
      const webhookUrl = readUrl(env, 'ALERT_WEBHOOK_URL');
      if (webhookUrl === undefined) {
        throw new ConfigError('ALERT_WEBHOOK_URL', `is required when ALERT_CHANNEL=${channel}`);
      }
      return { channel, webhookUrl, ...thresholds };
    }
    case 'sns': {
      const snsTopicArn = readArn(env, 'ALERT_SNS_TOPIC_ARN', /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/);
      if (snsTopicArn === undefined) throw new ConfigError('ALERT_SNS_TOPIC_ARN', 'is required when ALERT_CHANNEL=sns');
      const snsRoleArn = readArn(env, 'ALERT_SNS_ROLE_ARN', /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/);
      return { channel, snsTopicArn, ...(snsRoleArn !== undefined && { snsRoleArn }), ...thresholds };
    }
  }
}

/** A URL setting; `base` URLs lose their trailing slashes (paths are appended to them). */
function readUrl(env: Env, variable: string, base = false): string | undefined {
  const value = env[variable]?.trim();
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(variable, `"${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(variable, `"${value}" must use http or https, not ${url.protocol}`);
  }
  return base ? url.toString().replace(/\/+$/, '') : value;
}

function readArn(env: Env, variable: string, pattern: RegExp): string | undefined {
  const value = env[variable]?.trim();
  if (value === undefined || value === '') return undefined;
  if (!pattern.test(value)) throw new ConfigError(variable, `"${value}" is not a valid ARN for this setting`);
  return value;
}
