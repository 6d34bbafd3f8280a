import { AthenaClient } from '@aws-sdk/client-athena';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { createRegistry } from '../../parsers/registry';
import { assertReachable } from '../cli/reachable';
import { createSinkFromTarget, type Target } from '../cli/target';
import { assertLookupRouting, LOOKUP_CALLS_PER_SECOND, LOOKUP_HISTORY_MS } from '../cloudtrail-poller/lookup-events';
import { ConfigError } from '../pipeline/errors';
import { loadEnricherConfig } from '../enricher/config';
import { runSweep, type SweepSummary } from '../enricher/sweep';
import { loadOpenSearchConfig, loadPipelineConfig, type Env } from '../pipeline/config';
import { createOpenSearchClient } from '../sinks/opensearch';
import { CHECKPOINT_DIR } from './checkpoint-file';
import { backfillCloudTrail } from './cloudtrail';
import { backfillLogGroup, type LogGroupResult } from './cloudwatch';
import { resolveLogGroups } from './log-groups';
import type { BackfillProgress } from './progress';
import { createRateLimiter, type RateLimiter } from '../aws/rate-limiter';
import { formatCloudTrailReport, formatCloudWatchReport } from './report';
import type { BackoffOptions } from '../aws/backoff';
import { parseTimeRange } from './time';

/** What the backfill commands print to and measure with; tests pass their own. */
export interface BackfillIo {
  /** The summary (stderr when documents go to stdout). */
  readonly report: (text: string) => void;
  readonly progress: BackfillProgress;
  readonly clock?: () => number;
  readonly backoff?: BackoffOptions;
}

interface CommonFlags {
  readonly since: string;
  readonly until?: string;
  readonly to: string;
  readonly restart?: boolean;
  readonly checkpointDir?: string;
  readonly region?: string;
}

export interface CloudWatchFlags extends CommonFlags {
  readonly logGroup: readonly string[];
  readonly dryRun?: boolean;
}

export interface CloudTrailFlags extends CommonFlags {
  /** Run the enrichment sweep over the range afterwards (OpenSearch targets only). @default true */
  readonly enrich?: boolean;
  /** Count the events LookupEvents returns over the range; write nothing. */
  readonly dryRun?: boolean;
}

/** Clients the commands use; built from the standard AWS configuration unless given. */
export interface BackfillClients {
  readonly logs?: CloudWatchLogsClient;
  readonly cloudtrail?: CloudTrailClient;
  readonly athena?: AthenaClient;
  /** LookupEvents pacing; by default 2 calls a second. */
  readonly limiter?: RateLimiter;
}

/** `backfill cloudwatch`: resolves the log groups, then reads each one's range. */
export async function runCloudWatchBackfill(
  flags: CloudWatchFlags,
  env: Env,
  io: BackfillIo,
  clients: BackfillClients = {},
): Promise<LogGroupResult[]> {
  const clock = io.clock ?? Date.now;
  const started = clock();
  const range = parseTimeRange(flags.since, flags.until, started);
  const config = loadPipelineConfig(env);
  const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const logs = clients.logs ?? new CloudWatchLogsClient(flags.region === undefined ? {} : { region: flags.region });
  const target = flags.dryRun === true ? undefined : createSinkFromTarget(flags.to, env, config.indexing);
  if (target?.client !== undefined) await reachableOrClose(target);
  const groups = await resolveLogGroups(logs, flags.logGroup, io.backoff).catch(async (error: unknown) => {
    await target?.sink.close();
    throw error;
  });
  const results: LogGroupResult[] = [];
  try {
    for (const group of groups) {
      io.progress.begin(group.name, range);
      results.push(
        await backfillLogGroup(group, range, {
          logs,
          registry: createRegistry(config.routes, config.userParsers),
          config,
          // A dry run builds nothing; the sink is never called.
          sink: target?.sink ?? { write: () => Promise.reject(new Error('dry run')), close: async () => undefined },
          since: flags.since,
          ...(flags.until !== undefined && { until: flags.until }),
          checkpointDir: flags.checkpointDir ?? CHECKPOINT_DIR,
          ...(flags.restart === true && { restart: true }),
          ...(flags.dryRun === true && { dryRun: true }),
          ...(region !== undefined && { region }),
          ...(io.backoff !== undefined && { backoff: io.backoff }),
          clock,
          onPage: (page, reached) => io.progress.advance(page.events, page.documents, reached),
        }),
      );
    }
  } finally {
    io.progress.stop();
    await target?.sink.close();
  }
  io.report(
    formatCloudWatchReport(results, {
      elapsedMs: clock() - started,
      target: target?.description ?? 'nowhere (dry run)',
      dryRun: flags.dryRun === true,
      groups,
    }),
  );
  return results;
}

/** `backfill cloudtrail`: LookupEvents over the range, then (into OpenSearch) an enrichment sweep. */
export async function runCloudTrailBackfill(
  flags: CloudTrailFlags,
  env: Env,
  io: BackfillIo,
  clients: BackfillClients = {},
): Promise<{ readonly enrichment?: SweepSummary }> {
  const clock = io.clock ?? Date.now;
  const started = clock();
  const range = parseTimeRange(flags.since, flags.until, started);
  if (range.start < started - LOOKUP_HISTORY_MS) {
    throw new ConfigError(
      '--since',
      `${new Date(range.start).toISOString()} is more than 90 days ago, and CloudTrail LookupEvents keeps only the last 90 days: ` +
        'use --since 90d or later (older events are in the trail\'s S3 files: replay those)',
    );
  }
  const config = loadPipelineConfig(env);
  const registry = createRegistry(config.routes, config.userParsers);
  assertLookupRouting(registry);
  const regionConfig = flags.region === undefined ? {} : { region: flags.region };
  const cloudtrail = clients.cloudtrail ?? new CloudTrailClient(regionConfig);
  const region = await cloudtrail.config.region();
  const dryRun = flags.dryRun === true;
  const target = dryRun ? undefined : createSinkFromTarget(flags.to, env, config.indexing);
  if (target?.client !== undefined) await reachableOrClose(target);
  let result;
  try {
    io.progress.begin('CloudTrail', range);
    result = await backfillCloudTrail(range, {
      cloudtrail,
      limiter: clients.limiter ?? createRateLimiter(LOOKUP_CALLS_PER_SECOND),
      registry,
      config,
      // A dry run builds nothing; the sink is never called.
      sink: target?.sink ?? { write: () => Promise.reject(new Error('dry run')), close: async () => undefined },
      ...(dryRun && { dryRun }),
      region,
      since: flags.since,
      ...(flags.until !== undefined && { until: flags.until }),
      checkpointDir: flags.checkpointDir ?? CHECKPOINT_DIR,
      ...(flags.restart === true && { restart: true }),
      ...(io.backoff !== undefined && { backoff: io.backoff }),
      clock,
      onPage: (page, window) => io.progress.advance(page.events, page.documents, window.end),
    });
  } finally {
    io.progress.stop();
    await target?.sink.close();
  }

  let enrichment: SweepSummary | string | undefined;
  if (dryRun) enrichment = 'skipped (dry run)';
  else if (flags.enrich === false) enrichment = 'skipped (--no-enrich)';
  else if (!isOpenSearchTarget(flags.to)) enrichment = 'skipped: only documents in OpenSearch can be enriched';
  else {
    const opensearch = createOpenSearchClient(loadOpenSearchConfig(env, flags.to), { maxRetries: 2 });
    enrichment = await runSweep({
      opensearch,
      athena: clients.athena ?? new AthenaClient(regionConfig),
      // No cap: the whole backfilled range is swept once.
      config: { ...loadEnricherConfig(env), maxDocuments: Number.MAX_SAFE_INTEGER },
      since: new Date(result.range.start),
      now: () => new Date(clock()),
      ...(io.backoff !== undefined && { backoff: io.backoff }),
    });
  }
  io.report(
    formatCloudTrailReport(result, { elapsedMs: clock() - started, target: target?.description ?? 'nowhere (dry run)', region, enrichment, dryRun }),
  );
  return typeof enrichment === 'object' ? { enrichment } : {};
}

/** A target that cannot be reached stops the run before anything is read; its client is closed. */
async function reachableOrClose(target: Target): Promise<void> {
  await assertReachable(target.client!, target.endpoint!).catch(async (error: unknown) => {
    await target.sink.close();
    throw error;
  });
}

function isOpenSearchTarget(to: string): boolean {
  return to !== 'stdout' && to !== '-' && !to.startsWith('file:');
}
