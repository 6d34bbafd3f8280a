import { ConfigError } from '../pipeline/errors';
import { readList, ROUTE_VARIABLES, type Env, type RoutePatterns } from '../pipeline/config';
import { PARSER_IDS, type ParserId } from '../../parsers/types';
import { DEFAULT_FILTER_PATTERNS, FILTER_PATTERN_VARIABLES, MAX_FILTER_PATTERN_LENGTH } from './filter-patterns';

/** What the subscriber subscribes, and to where. Read from the environment or custom resource properties. */
export interface SubscriberSettings {
  /** The shipper function or the Kinesis stream. */
  readonly destinationArn: string;
  /** The role CloudWatch Logs assumes for a Kinesis destination. */
  readonly roleArn?: string;
  /** `Random` spreads a Kinesis destination's records over its shards (not by log stream). */
  readonly distribution?: 'Random';
  /** Our filter's name: a filter with this name AND our destination is ours to update or remove. */
  readonly filterName: string;
  readonly logGroups: readonly string[];
  readonly prefixes: readonly string[];
  readonly exclude: ReadonlySet<string>;
  readonly filterPatterns: Readonly<Record<ParserId, string>>;
  /** The shipper's routes, so a group gets the pattern of the parser that will read it. */
  readonly routes: RoutePatterns;
}

/** Reads and checks the settings; a `ConfigError` names the variable at fault. */
export function readSubscriberSettings(env: Env): SubscriberSettings {
  const destinationArn = env.DESTINATION_ARN?.trim();
  if (!destinationArn) throw new ConfigError('DESTINATION_ARN', 'is required (the shipper function or Kinesis stream ARN)');
  if (!/^arn:aws[\w-]*:(lambda|kinesis|firehose|logs):/.test(destinationArn)) {
    throw new ConfigError('DESTINATION_ARN', `"${destinationArn}" is not a Lambda, Kinesis, Firehose or Logs destination ARN`);
  }
  const roleArn = env.DESTINATION_ROLE_ARN?.trim() || undefined;
  if (roleArn === undefined && /^arn:aws[\w-]*:(kinesis|firehose):/.test(destinationArn)) {
    throw new ConfigError('DESTINATION_ROLE_ARN', 'is required for a Kinesis or Firehose destination');
  }
  const filterName = env.FILTER_NAME?.trim() || 'cwl-opensearch';
  if (filterName.length > 512 || /[:*]/.test(filterName)) {
    throw new ConfigError('FILTER_NAME', `"${filterName}" must be at most 512 characters without ":" or "*"`);
  }
  const filterPatterns = Object.fromEntries(
    PARSER_IDS.map((id) => {
      const variable = FILTER_PATTERN_VARIABLES[id];
      const pattern = env[variable] ?? DEFAULT_FILTER_PATTERNS[id];
      if (pattern.length > MAX_FILTER_PATTERN_LENGTH) {
        throw new ConfigError(variable, `is ${pattern.length} characters; CloudWatch Logs accepts ${MAX_FILTER_PATTERN_LENGTH}`);
      }
      return [id, pattern.trim()];
    }),
  ) as Record<ParserId, string>;
  const routes: Record<string, readonly string[]> = {};
  for (const [parser, variable] of Object.entries(ROUTE_VARIABLES)) {
    const patterns = readList(env, variable);
    if (patterns.length > 0) routes[parser] = patterns;
  }
  return {
    destinationArn,
    ...(roleArn !== undefined && { roleArn }),
    // Only a Kinesis stream spreads records by `distribution`; by log stream, one busy group heats one shard.
    ...(/^arn:aws[\w-]*:kinesis:/.test(destinationArn) && { distribution: 'Random' as const }),
    filterName,
    logGroups: readList(env, 'SUBSCRIBE_LOG_GROUPS'),
    prefixes: readList(env, 'SUBSCRIBE_PREFIXES'),
    exclude: new Set(readList(env, 'SUBSCRIBE_EXCLUDE')),
    filterPatterns,
    routes,
  };
}

/** True when the settings ask for this log group (and do not exclude it). */
export function isWanted(settings: SubscriberSettings, logGroupName: string): boolean {
  if (settings.exclude.has(logGroupName)) return false;
  return settings.logGroups.includes(logGroupName) || settings.prefixes.some((prefix) => logGroupName.startsWith(prefix));
}
