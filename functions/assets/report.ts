import { ASSET_STATUSES, type ApplyReport, type AssetResult, type AssetStatus } from './types';

/** Builds the report from the per-asset results. */
export function buildReport(results: readonly AssetResult[], dryRun: boolean): ApplyReport {
  const counts = Object.fromEntries(ASSET_STATUSES.map((status) => [status, 0])) as Record<AssetStatus, number>;
  for (const result of results) counts[result.status] += 1;
  return { dryRun, results, counts };
}

/** One line: `applied 51 assets: 2 created, 1 updated, 48 unchanged, 0 failed`. */
export function summarizeReport(report: ApplyReport): string {
  const verb = report.dryRun ? 'checked' : 'applied';
  const parts = ASSET_STATUSES.map((status) => `${report.counts[status]} ${report.dryRun ? wouldBe(status) : status}`);
  return `${verb} ${report.results.length} assets: ${parts.join(', ')}`;
}

/** One line per asset, then the summary. */
export function formatReport(report: ApplyReport): string {
  const width = Math.max(...report.results.map((result) => result.kind.length), 0);
  const lines = report.results.map((result) => {
    const status = report.dryRun ? wouldBe(result.status) : result.status;
    const reason = result.reason === undefined ? '' : `  (${result.reason})`;
    return `${status.padEnd(16)} ${result.kind.padEnd(width)}  ${result.name}${reason}`;
  });
  return [...lines, summarizeReport(report)].join('\n');
}

function wouldBe(status: AssetStatus): string {
  return status === 'created' ? 'to create' : status === 'updated' ? 'to update' : status;
}
