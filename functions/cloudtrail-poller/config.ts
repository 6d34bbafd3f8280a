import { loadPipelineConfig, readInteger, readNumber, type Env } from '../pipeline/config';
import { ConfigError } from '../pipeline/errors';
import { LOOKUP_CALLS_PER_SECOND } from './lookup-events';

export interface PollerConfig {
  readonly prefix: string;
  readonly region: string;
  /** First run: how far back to read. */
  readonly lookbackMinutes: number;
  /** Each run re-reads this much before the last checkpoint, for events CloudTrail makes visible late. */
  readonly overlapMinutes: number;
  /** Windows longer than this are read in slices, with a checkpoint after each. */
  readonly sliceMinutes: number;
  /** LookupEvents calls per second (the account-wide limit is 2). */
  readonly callsPerSecond: number;
  /** Most event ids remembered for the overlap; beyond it, the oldest are forgotten (re-sends are 409s). */
  readonly maxSeen: number;
}

export const POLLER_DEFAULTS = {
  lookbackMinutes: 60,
  overlapMinutes: 20,
  sliceMinutes: 30,
  maxSeen: 50_000,
} as const;

/** Reads `AWS_REGION`, `INDEX_PREFIX` and the `CLOUDTRAIL_*` variables; errors name the variable. */
export function loadPollerConfig(env: Env): PollerConfig {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region === undefined || region === '') {
    throw new ConfigError('AWS_REGION', 'is required: LookupEvents reads one region, and the checkpoint is kept per region');
  }
  return {
    prefix: loadPipelineConfig(env).indexing.prefix,
    region,
    lookbackMinutes: readInteger(env, 'CLOUDTRAIL_LOOKBACK_MINUTES', POLLER_DEFAULTS.lookbackMinutes, 1, 90 * 24 * 60),
    overlapMinutes: readInteger(env, 'CLOUDTRAIL_OVERLAP_MINUTES', POLLER_DEFAULTS.overlapMinutes, 0, 24 * 60),
    sliceMinutes: readInteger(env, 'CLOUDTRAIL_SLICE_MINUTES', POLLER_DEFAULTS.sliceMinutes, 1, 24 * 60),
    callsPerSecond: readNumber(env, 'CLOUDTRAIL_LOOKUP_CALLS_PER_SECOND', LOOKUP_CALLS_PER_SECOND, 0.1, LOOKUP_CALLS_PER_SECOND),
    maxSeen: POLLER_DEFAULTS.maxSeen,
  };
}
