import type { SweepSummary } from '../enricher/sweep';
import type { LogGroupResult } from './cloudwatch';
import type { CloudTrailBackfillResult } from './cloudtrail';
import type { LogGroupInfo } from './log-groups';
import type { ShipCounts } from './ship-counts';

/** The end-of-run summary of `backfill cloudwatch`. */
export function formatCloudWatchReport(
  results: readonly LogGroupResult[],
  options: { readonly elapsedMs: number; readonly target: string; readonly dryRun: boolean; readonly groups: readonly LogGroupInfo[] },
): string {
  const lines: string[] = [];
  const bytes = new Map(options.groups.map((group) => [group.name, group.storedBytes]));
  for (const result of results) {
    const stored = bytes.get(result.logGroup);
    const range = `${iso(result.range.start)} .. ${iso(result.range.end)}`;
    const resumed = result.resumed ? ' (resumed)' : '';
    lines.push(
      options.dryRun
        ? `${result.logGroup}: ${result.events} events would be read in ${range}${stored === undefined ? '' : ` (${formatBytes(stored)} stored in the group)`}`
        : `${result.logGroup}${resumed}: ${describeCounts(result)}`,
    );
  }
  const total = results.reduce((sum, result) => sum + result.events, 0);
  const seconds = Math.max(options.elapsedMs / 1000, 0.001);
  if (options.dryRun) {
    lines.push(`dry run: ${results.length} log group(s), ${total} events would be read; nothing was written`);
  } else {
    const documents = results.reduce((sum, result) => sum + result.documents, 0);
    lines.push(
      `${results.length} log group(s), ${total} events, ${documents} documents to ${options.target} in ${seconds.toFixed(1)} s (${Math.round(total / seconds)} events/s)`,
    );
  }
  return lines.join('\n');
}

/** The end-of-run summary of `backfill cloudtrail`. */
export function formatCloudTrailReport(
  result: CloudTrailBackfillResult,
  options: {
    readonly elapsedMs: number;
    readonly target: string;
    readonly region: string;
    readonly enrichment?: SweepSummary | string;
    readonly dryRun?: boolean;
  },
): string {
  const seconds = Math.max(options.elapsedMs / 1000, 0.001);
  const lines = [
    `CloudTrail LookupEvents (athena.amazonaws.com, ${options.region}) ${iso(result.range.start)} .. ${iso(result.range.end)}${result.resumed ? ' (resumed)' : ''}`,
    `  ${describeCounts(result)}`,
  ];
  if (result.clamped) lines.push('  --since reached past the 90 days LookupEvents keeps: read from 90 days ago');
  const enrichment = options.enrichment;
  if (typeof enrichment === 'string') lines.push(`  enrichment: ${enrichment}`);
  else if (enrichment !== undefined) {
    lines.push(
      `  enrichment: ${enrichment.pending} pending queries, ${enrichment.completed} completed, ${enrichment.running} still running, ` +
        `${enrichment.unavailable} unknown to Athena, ${enrichment.deferred} deferred, ${enrichment.updated} documents updated`,
    );
  }
  if (options.dryRun === true) lines.push(`dry run: ${result.events - result.skipped} events would be read; nothing was written`);
  else lines.push(`${result.events} events to ${options.target} in ${seconds.toFixed(1)} s (${Math.round(result.events / seconds)} events/s)`);
  return lines.join('\n');
}

function describeCounts(counts: ShipCounts): string {
  const parts = [
    `${counts.events} events`,
    `${counts.documents} documents`,
    `${counts.sink.indexed} new`,
    `${counts.sink.duplicates} already there`,
  ];
  if (counts.skipped > 0) parts.push(`${counts.skipped} read twice and skipped`);
  if (counts.parseFailures > 0) parts.push(`${counts.parseFailures} parse failures`);
  if (counts.sink.deadLettered > 0) parts.push(`${counts.sink.deadLettered} dead-lettered`);
  return parts.join(', ');
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
