import { parseAthenaCloudTrail } from './athena-cloudtrail';
import { parseGeneric } from './generic';
import { parseLambdaPlatform } from './lambda-platform';
import { parseSlowQuery } from './rds-mysql-slowquery';
import { DATASETS, type ParserEntry, type ParserId } from './types';
import type { UserParser } from './user-parser';

/**
 * The ordered parser registry: the first entry whose patterns match the log group wins,
 * `generic` last. Parsers the user defines (a parsers file) are tried first, for the log
 * groups they name; then patterns given by the operator, so a custom log group can be
 * claimed by any parser; then the built-in names.
 */
export interface Registry {
  /** The parser for a log group (never undefined: `generic` takes the rest). */
  route(logGroup: string): ParserEntry;
  /** The entry for a parser id. */
  get(id: ParserId): ParserEntry;
  readonly entries: readonly ParserEntry[];
}

/** Log groups claimed with no configuration: the console's default names. */
export const BUILT_IN_PATTERNS = {
  'rds-mysql-slowquery': [/^\/aws\/rds\/(?:instance|cluster)\/[^/]+\/slowquery$/],
  lambda: [/^\/aws\/lambda\//],
  // Trail log groups: console default `aws-cloudtrail-logs-<acct>-<hex>`, the older
  // `CloudTrail/DefaultLogGroup`, and any name mentioning CloudTrail.
  'athena-cloudtrail': [/cloudtrail/i],
} as const satisfies Record<Exclude<ParserId, 'generic'>, readonly RegExp[]>;

const PARSE_FUNCTIONS = {
  'rds-mysql-slowquery': parseSlowQuery,
  lambda: parseLambdaPlatform,
  'athena-cloudtrail': parseAthenaCloudTrail,
  generic: parseGeneric,
} as const satisfies Record<ParserId, ParserEntry['parse']>;

const ORDER: readonly ParserId[] = ['rds-mysql-slowquery', 'lambda', 'athena-cloudtrail', 'generic'];

/** Builds the registry; `extraPatterns` are globs (`*` = any run of characters). */
export function createRegistry(
  extraPatterns: Partial<Record<Exclude<ParserId, 'generic'>, readonly string[]>> = {},
  userParsers: readonly UserParser[] = [],
): Registry {
  const userEntries = userParsers.map((parser): ParserEntry => {
    const globs = parser.definition.logGroups.map(globToRegExp);
    const { name } = parser.definition;
    return { id: name, dataset: name, matches: (logGroup) => globs.some((glob) => glob.test(logGroup)), parse: parser.parse };
  });
  const custom = ORDER.flatMap((id) =>
    id === 'generic' ? [] : (extraPatterns[id] ?? []).map((glob) => ({ id, pattern: globToRegExp(glob) })),
  );
  const builtIn = ORDER.map(
    (id): ParserEntry => ({
      id,
      dataset: DATASETS[id],
      matches: (logGroup) =>
        custom.some((rule) => rule.id === id && rule.pattern.test(logGroup)) || matchesBuiltIn(id, logGroup),
      parse: PARSE_FUNCTIONS[id],
    }),
  );
  const entries = [...userEntries, ...builtIn];
  const byId = new Map(builtIn.map((entry) => [entry.id, entry]));
  const get = (id: ParserId): ParserEntry => byId.get(id)!;
  // A Lambda sees few distinct log groups; remember each decision.
  const cache = new Map<string, ParserEntry>();

  return {
    entries,
    get,
    route(logGroup) {
      let entry = cache.get(logGroup);
      if (entry === undefined) {
        const claimed = custom.find((rule) => rule.pattern.test(logGroup));
        // Custom rules were just tried: the rest is the built-in names, in registry order.
        entry =
          userEntries.find((user) => user.matches(logGroup)) ??
          get(claimed?.id ?? ORDER.find((id) => matchesBuiltIn(id, logGroup))!);
        if (cache.size > 10_000) cache.clear();
        cache.set(logGroup, entry);
      }
      return entry;
    },
  };
}

/** True when a built-in console name claims the log group (`generic` claims everything). */
function matchesBuiltIn(id: ParserId, logGroup: string): boolean {
  return id === 'generic' || BUILT_IN_PATTERNS[id].some((pattern) => pattern.test(logGroup));
}

/** `"/aws/rds/*"` -> `/^\/aws\/rds\/.*$/`; every other character is literal. */
export function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`);
}
