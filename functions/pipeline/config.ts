import { ConfigError } from './errors';
import type { ParserId } from '../../parsers/types';
import type { UserParser } from '../../parsers/user-parser';
import { loadUserParsers } from './user-parsers-file';

/**
 * Configuration from environment variables, validated once at start-up. Every error
 * names the variable to fix.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export const AUTH_MODES = ['sigv4', 'sigv4-aoss', 'basic', 'none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const INDEX_NAMINGS = ['per-source', 'per-log-group'] as const;
export type IndexNaming = (typeof INDEX_NAMINGS)[number];

export interface OpenSearchConfig {
  /** Base URL without a trailing slash, e.g. `https://search-x.eu-west-1.es.amazonaws.com`. */
  readonly endpoint: string;
  readonly auth: AuthMode;
  /** Signing region; required for SigV4. */
  readonly region?: string;
  readonly username?: string;
  readonly password?: string;
  /** Gzip request bodies. */
  readonly compression: boolean;
  readonly requestTimeoutMs: number;
}

export interface IndexingConfig {
  readonly prefix: string;
  readonly naming: IndexNaming;
  /** A bulk request is cut when its uncompressed NDJSON would exceed this. */
  readonly bulkMaxBytes: number;
  /** A bulk request is cut after this many documents. */
  readonly bulkMaxDocuments: number;
  /**
   * Leave `message` out of documents whose parser read it fully (its fields hold it all).
   * @default false
   */
  readonly dropParsedMessage?: boolean;
}

/** Extra log-group patterns per parser, tried before the built-in ones. */
export type RoutePatterns = Partial<Record<Exclude<ParserId, 'generic'>, readonly string[]>>;

export interface PipelineConfig {
  readonly indexing: IndexingConfig;
  readonly routes: RoutePatterns;
  /** Parsers defined in PARSERS_FILE, tried before the built-in routes for their log groups. */
  readonly userParsers: readonly UserParser[];
  /** Cap on the decompressed size of one batch (gzip bomb guard). */
  readonly maxDecompressedBytes: number;
}

export const DEFAULTS = {
  indexPrefix: 'cwl',
  indexNaming: 'per-source',
  bulkMaxBytes: 5 * 1024 * 1024,
  bulkMaxDocuments: 1000,
  maxDecompressedBytes: 32 * 1024 * 1024,
  requestTimeoutMs: 30_000,
} as const;

/** How the bulk sink retries and how many requests it keeps in flight. */
export interface BulkTuning {
  readonly retry: { readonly baseDelayMs: number; readonly maxDelayMs: number; readonly maxAttempts: number };
  readonly concurrency: number;
}

/** Reads BULK_RETRY_BASE_DELAY_MS, BULK_RETRY_MAX_DELAY_MS, BULK_RETRY_MAX_ATTEMPTS and BULK_CONCURRENCY. */
export function loadBulkTuning(env: Env): BulkTuning {
  const baseDelayMs = readInteger(env, 'BULK_RETRY_BASE_DELAY_MS', 100, 1, 60_000);
  const maxDelayMs = readInteger(env, 'BULK_RETRY_MAX_DELAY_MS', 5_000, 1, 300_000);
  if (maxDelayMs < baseDelayMs) {
    throw new ConfigError('BULK_RETRY_MAX_DELAY_MS', `${maxDelayMs} is below BULK_RETRY_BASE_DELAY_MS (${baseDelayMs})`);
  }
  return {
    retry: { baseDelayMs, maxDelayMs, maxAttempts: readInteger(env, 'BULK_RETRY_MAX_ATTEMPTS', 8, 1, 100) },
    concurrency: readInteger(env, 'BULK_CONCURRENCY', 1, 1, 32),
  };
}

/** Environment variables naming extra log-group patterns (comma-separated globs, `*` wildcard). */
export const ROUTE_VARIABLES = {
  'rds-mysql-slowquery': 'ROUTE_RDS_MYSQL_SLOWQUERY',
  lambda: 'ROUTE_LAMBDA',
  'athena-cloudtrail': 'ROUTE_ATHENA_CLOUDTRAIL',
} as const satisfies Record<keyof RoutePatterns, string>;

/** Reads the settings every entry point shares: index naming, bulk limits, routes, caps. */
export function loadPipelineConfig(env: Env): PipelineConfig {
  const routes: Record<string, readonly string[]> = {};
  for (const [parser, variable] of Object.entries(ROUTE_VARIABLES)) {
    const patterns = readList(env, variable);
    if (patterns.length > 0) routes[parser] = patterns;
  }
  return {
    indexing: {
      prefix: readIndexPrefix(env),
      naming: readChoice(env, 'INDEX_NAMING', INDEX_NAMINGS, DEFAULTS.indexNaming),
      bulkMaxBytes: readInteger(env, 'BULK_MAX_BYTES', DEFAULTS.bulkMaxBytes, 1024, 100 * 1024 * 1024),
      bulkMaxDocuments: readInteger(env, 'BULK_MAX_DOCUMENTS', DEFAULTS.bulkMaxDocuments, 1, 100_000),
      // Present only when on, so the default configuration keeps its shape.
      ...(readBoolean(env, 'DROP_PARSED_MESSAGE', false) && { dropParsedMessage: true }),
    },
    routes,
    userParsers: loadUserParsers(env),
    maxDecompressedBytes: readInteger(
      env,
      'MAX_DECOMPRESSED_BYTES',
      DEFAULTS.maxDecompressedBytes,
      1024,
      1024 * 1024 * 1024,
    ),
  };
}

/**
 * Reads the OpenSearch connection. `endpoint` overrides `OPENSEARCH_ENDPOINT` (the CLI's
 * `--to`). A bare host means `https://`.
 */
export function loadOpenSearchConfig(
  env: Env,
  endpoint = env.OPENSEARCH_ENDPOINT,
  variable = 'OPENSEARCH_ENDPOINT',
): OpenSearchConfig {
  if (endpoint === undefined || endpoint.trim() === '') {
    throw new ConfigError(variable, 'is required (an OpenSearch URL, or a bare host meaning https://)');
  }
  const url = parseEndpoint(variable, endpoint.trim());
  const host = url.hostname.toLowerCase();
  const isAws = host.endsWith('.amazonaws.com');
  const defaultAuth: AuthMode = !isAws ? 'none' : host.endsWith('.aoss.amazonaws.com') ? 'sigv4-aoss' : 'sigv4';
  const auth = readChoice(env, 'OPENSEARCH_AUTH', AUTH_MODES, defaultAuth);

  let region: string | undefined;
  if (auth === 'sigv4' || auth === 'sigv4-aoss') {
    // The domain's own region signs: a host name that states one wins over AWS_REGION (which
    // Lambda always sets to its own region, so a cross-region domain would get 403s).
    region = env.OPENSEARCH_REGION || regionFromHost(host) || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
    if (region === undefined) {
      throw new ConfigError('AWS_REGION', `is required to sign requests (OPENSEARCH_AUTH=${auth}); or set OPENSEARCH_REGION`);
    }
  }
  let username: string | undefined;
  let password: string | undefined;
  if (auth === 'basic') {
    username = env.OPENSEARCH_USERNAME;
    password = env.OPENSEARCH_PASSWORD;
    if (!username) throw new ConfigError('OPENSEARCH_USERNAME', 'is required when OPENSEARCH_AUTH=basic');
    if (password === undefined) throw new ConfigError('OPENSEARCH_PASSWORD', 'is required when OPENSEARCH_AUTH=basic');
  }
  return {
    endpoint: url.toString().replace(/\/+$/, ''),
    auth,
    ...(region !== undefined && { region }),
    ...(username !== undefined && { username, password }),
    compression: readBoolean(env, 'OPENSEARCH_COMPRESSION', true),
    requestTimeoutMs: readInteger(env, 'OPENSEARCH_REQUEST_TIMEOUT_MS', DEFAULTS.requestTimeoutMs, 100, 900_000),
  };
}

function parseEndpoint(variable: string, value: string): URL {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConfigError(variable, `"${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(variable, `"${value}" must use http or https, not ${url.protocol}`);
  }
  if (url.search || url.hash) throw new ConfigError(variable, `"${value}" must not carry a query or fragment`);
  return url;
}

/** `search-x.eu-west-1.es.amazonaws.com`, `abc.us-east-1.aoss.amazonaws.com` -> the region. */
function regionFromHost(host: string): string | undefined {
  return /\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.(?:es|aoss)\.amazonaws\.com$/.exec(host)?.[1];
}

function readIndexPrefix(env: Env): string {
  const value = env.INDEX_PREFIX ?? DEFAULTS.indexPrefix;
  // The prefix starts every index name: it must itself be a valid, lower-case name start.
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(value)) {
    throw new ConfigError(
      'INDEX_PREFIX',
      `"${value}" must be 1-64 characters of a-z, 0-9, "_" or "-", starting with a letter or digit`,
    );
  }
  return value;
}

/** Reads a comma-separated list, blanks dropped. */
export function readList(env: Env, variable: string): string[] {
  return (env[variable] ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function readChoice<const T extends readonly string[]>(
  env: Env,
  variable: string,
  choices: T,
  fallback: T[number],
): T[number] {
  const value = env[variable];
  if (value === undefined || value === '') return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new ConfigError(variable, `"${value}" is not one of ${choices.join(', ')}`);
  }
  return value as T[number];
}

export function readInteger(env: Env, variable: string, fallback: number, min: number, max: number): number {
  const value = env[variable];
  if (value === undefined || value === '') return fallback;
  // A signed whole number is read as one, so `-5` is reported as out of range, not as "not a number".
  if (!/^[-+]?\d+$/.test(value.trim())) throw new ConfigError(variable, `"${value}" is not a whole number`);
  const number = Number(value);
  if (number < min) throw new ConfigError(variable, `${number} is below the minimum ${min} (allowed: ${min}..${max})`);
  if (number > max) throw new ConfigError(variable, `${number} is above the maximum ${max} (allowed: ${min}..${max})`);
  return number;
}

export function readNumber(env: Env, variable: string, fallback: number, min: number, max: number): number {
  const value = env[variable];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new ConfigError(variable, `"${value}" is not a number`);
  if (number < min || number > max) throw new ConfigError(variable, `${number} is outside ${min}..${max}`);
  return number;
}

export function readBoolean(env: Env, variable: string, fallback: boolean): boolean {
  const value = env[variable]?.trim().toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(variable, `"${env[variable]}" is not a boolean (true or false)`);
}
