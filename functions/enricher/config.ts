import { loadPipelineConfig, readInteger, readNumber, type Env } from '../pipeline/config';
import { DEFAULT_PRICE_PER_TB_USD } from './cost';

/** The enricher's settings; OpenSearch itself is read with `loadOpenSearchConfig`. */
export interface EnricherConfig {
  readonly prefix: string;
  /** How far back the sweep looks for unfinished queries. */
  readonly lookbackHours: number;
  readonly pricePerTbUsd: number;
  /** Documents per search page. */
  readonly pageSize: number;
  /** Documents handled per sweep at most (the rest wait for the next sweep). */
  readonly maxDocuments: number;
  /** How long an id Athena does not know is asked about again before it is given up. */
  readonly unavailableGraceMinutes: number;
}

export const ENRICHER_DEFAULTS = {
  lookbackHours: 24,
  pageSize: 500,
  maxDocuments: 5_000,
  unavailableGraceMinutes: 15,
} as const;

/** Reads `INDEX_PREFIX`, `ENRICH_*` and `ATHENA_PRICE_PER_TB_USD`; errors name the variable. */
export function loadEnricherConfig(env: Env): EnricherConfig {
  return {
    prefix: loadPipelineConfig(env).indexing.prefix,
    // Athena keeps query history for 45 days: looking further back finds nothing to ask.
    lookbackHours: readInteger(env, 'ENRICH_LOOKBACK_HOURS', ENRICHER_DEFAULTS.lookbackHours, 1, 45 * 24),
    pricePerTbUsd: readNumber(env, 'ATHENA_PRICE_PER_TB_USD', DEFAULT_PRICE_PER_TB_USD, 0, 1_000),
    pageSize: readInteger(env, 'ENRICH_PAGE_SIZE', ENRICHER_DEFAULTS.pageSize, 1, 10_000),
    maxDocuments: readInteger(env, 'ENRICH_MAX_DOCUMENTS', ENRICHER_DEFAULTS.maxDocuments, 1, 1_000_000),
    unavailableGraceMinutes: readInteger(
      env,
      'ENRICH_UNAVAILABLE_GRACE_MINUTES',
      ENRICHER_DEFAULTS.unavailableGraceMinutes,
      0,
      7 * 24 * 60,
    ),
  };
}
