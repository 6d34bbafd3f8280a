import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { applyAssets } from '../../assets/apply';
import { APPLY_LOCK_DEFAULTS, type LockHolder } from '../../assets/apply-lock';
import { secondsOption } from '../options';
import { loadAssetsConfig } from '../../assets/config';
import { exportSavedObjects } from '../../assets/export';
import { formatReport, summarizeReport } from '../../assets/report';
import type { AssetsConfig } from '../../assets/config';
import type { Env } from '../../pipeline/config';
import { createOpenSearchClient } from '../../sinks/opensearch';
import { PARSERS_OPTION } from '../parsers-option';
import { assertReachable } from '../reachable';

interface ConnectionFlags {
  readonly to?: string;
  readonly dashboardsUrl?: string;
  readonly tenant?: string;
  readonly parsers?: string;
}

interface ApplyFlags extends ConnectionFlags {
  readonly dryRun?: boolean;
  readonly json?: boolean;
  /** Milliseconds (parsed from seconds). */
  readonly lockWait?: number;
}

interface ExportFlags extends ConnectionFlags {
  readonly out?: string;
  readonly all?: boolean;
}

/** `assets apply` and `assets export`: the index templates, ISM policies, monitors and saved objects of `dashboards/`. */
export function registerAssetsCommand(program: Command): void {
  const assets = program
    .command('assets')
    .description('Apply or export the OpenSearch assets kept in dashboards/ (templates, retention, monitors, saved objects).');

  withConnection(
    assets
      .command('apply')
      .description(
        'Create or update every asset, idempotently: each is read and compared first and written only when absent or ' +
          'different; a second run reports everything unchanged. Exit status 1 when an asset failed.',
      )
      .option('--dry-run', 'compare only and report what would be created or updated')
      .option('--json', 'print the report as JSON')
      .option(
        '--lock-wait <seconds>',
        `seconds to wait while another apply holds the apply lock before failing (0: fail at once; default ${APPLY_LOCK_DEFAULTS.waitMs / 1000})`,
        secondsOption,
      ),
  ).action(async (flags: ApplyFlags) => {
    const config = loadAssetsConfig(connectionEnv(flags));
    const waitMs = flags.lockWait ?? APPLY_LOCK_DEFAULTS.waitMs;
    await assertClusterReachable(config);
    let told = '';
    const onWait = (held: LockHolder): void => {
      // Once per holder: the wait is polled every few seconds.
      if (told === held.holder) return;
      told = held.holder;
      process.stderr.write(`cwl-opensearch: waiting for the apply lock held by ${held.holder} (expires at ${held.expiresAt} unless renewed)\n`);
    };
    const report = await applyAssets(config, { lock: { waitMs, onWait } }, { dryRun: flags.dryRun ?? false });
    process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    if (report.counts.failed > 0) {
      // The report on stdout ends with the summary; stderr only says that something failed
      // (stdout may be a file), without repeating the summary.
      const failed = report.counts.failed;
      process.stderr.write(`cwl-opensearch: ${failed} of ${report.results.length} asset(s) failed${flags.json ? `: ${summarizeReport(report)}` : ''}\n`);
      process.exitCode = 1;
    }
  });

  withConnection(
    assets
      .command('export')
      .description(
        'Write the current saved objects (index patterns, searches, visualizations, dashboards) as NDJSON, sorted, ' +
          'for review against dashboards/saved-objects/.',
      )
      .option('--out <file>', 'write to this file instead of stdout')
      .option('--all', 'every object of those types in the tenant, not only the ones dashboards/ defines'),
  ).action(async (flags: ExportFlags) => {
    const config = loadAssetsConfig(connectionEnv(flags));
    const result = await exportSavedObjects(config, {}, { all: flags.all ?? false });
    if (flags.out !== undefined) await writeFile(flags.out, result.ndjson);
    else process.stdout.write(result.ndjson);
    const where = flags.out === undefined ? '' : ` to ${flags.out}`;
    const missing = result.missing.length === 0 ? '' : `; not in the tenant: ${result.missing.join(', ')}`;
    process.stderr.write(`exported ${result.count} saved objects from ${config.dashboardsUrl}${where}${missing}\n`);
  });
}

/**
 * A cluster that cannot be reached at all stops the command with the cause in one line,
 * instead of one "failed" line per asset and a list of guesses.
 */
async function assertClusterReachable(config: AssetsConfig): Promise<void> {
  const client = createOpenSearchClient(config.openSearch);
  try {
    await assertReachable(client, config.openSearch.endpoint, 'nothing was compared or changed');
  } finally {
    await client.close();
  }
}

function withConnection(command: Command): Command {
  return command
    .option('--to <url>', 'OpenSearch endpoint (overrides OPENSEARCH_ENDPOINT); auth from the OPENSEARCH_* variables')
    .option('--dashboards-url <url>', 'OpenSearch Dashboards URL (overrides DASHBOARDS_URL; default <endpoint>/_dashboards)')
    .option('--tenant <name>', 'security tenant for saved objects (overrides DASHBOARDS_TENANT; default global)')
    .option(PARSERS_OPTION.flags, PARSERS_OPTION.description);
}

/** The environment with the command-line overrides applied, so one loader validates both. */
function connectionEnv(flags: ConnectionFlags): Env {
  return {
    ...process.env,
    ...(flags.to !== undefined && { OPENSEARCH_ENDPOINT: flags.to }),
    ...(flags.dashboardsUrl !== undefined && { DASHBOARDS_URL: flags.dashboardsUrl }),
    ...(flags.tenant !== undefined && { DASHBOARDS_TENANT: flags.tenant }),
    ...(flags.parsers !== undefined && { PARSERS_FILE: flags.parsers }),
  };
}
