import type { Command } from 'commander';
import { CHECKPOINT_DIR } from '../../backfill/checkpoint-file';
import { createBackfillProgress } from '../../backfill/progress';
import { runCloudTrailBackfill, runCloudWatchBackfill, type BackfillIo } from '../../backfill/run';
import { nonEmpty } from '../options';
import { DEFAULT_TARGET, targetOption } from '../target';

interface CommonFlags {
  readonly since: string;
  readonly until?: string;
  readonly to: string;
  readonly restart?: boolean;
  readonly checkpointDir: string;
  readonly region?: string;
  readonly quiet?: boolean;
}

const TIME_HELP = 'an ISO 8601 time (2026-11-01T00:00:00Z) or an age: 30m, 12h, 7d, 2w';

function io(flags: CommonFlags): BackfillIo {
  // Documents on stdout keep stdout clean: the summary goes to stderr then.
  const toStdout = flags.to === 'stdout' || flags.to === '-';
  return {
    report: (text) => (toStdout ? process.stderr : process.stdout).write(`${text}\n`),
    progress: createBackfillProgress(flags.quiet !== true && process.stderr.isTTY === true),
  };
}

/** The options both history readers share: the range, the target, checkpoints, region, quiet. */
function addRangeOptions(command: Command): Command {
  return command
    .requiredOption('--since <time>', `start of the range: ${TIME_HELP}`)
    .option('--until <time>', `end of the range (default now): ${TIME_HELP}`)
    .option('--to <target>', 'file:<dir> (bulk NDJSON per index), stdout, or an OpenSearch URL (http:// or https://)', targetOption, DEFAULT_TARGET)
    .option('--restart', 'ignore an unfinished checkpoint and read the whole range again')
    .option('--checkpoint-dir <dir>', 'where checkpoints are kept', CHECKPOINT_DIR)
    .option('--region <region>', 'AWS region (default: AWS_REGION or the region of AWS_PROFILE)', nonEmpty('--region'))
    .option('-q, --quiet', 'no progress bar');
}

const logGroupName = nonEmpty('--log-group');

function collectLogGroups(value: string, previous: string[] = []): string[] {
  return [...previous, logGroupName(value)];
}

/** `backfill cloudwatch …` and `backfill cloudtrail …`: history into the same pipeline. */
export function registerBackfillCommand(program: Command): void {
  const backfill = program
    .command('backfill')
    .description('Read history from CloudWatch Logs (FilterLogEvents) or CloudTrail (LookupEvents) into the pipeline.');

  const cloudwatch = backfill
    .command('cloudwatch')
    .description(
      'Read log groups with FilterLogEvents over a time range and ship every event through the parsers into the target. ' +
        'Resumable: a checkpoint per log group and range is kept under --checkpoint-dir after every page; ' +
        're-running the same command continues an unfinished run. Safe to repeat: documents keep their event ids.',
    )
    .requiredOption('--log-group <name>', 'a log group name, or a pattern with * (/aws/lambda/*, /aws/rds/*/slowquery); repeatable', collectLogGroups)
    .option('--dry-run', 'list the log groups and count the events that would be read; write nothing');
  addRangeOptions(cloudwatch)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  cwl-opensearch backfill cloudwatch --log-group "/aws/rds/*/slowquery" --since 7d --dry-run\n' +
        '  cwl-opensearch backfill cloudwatch --log-group /aws/lambda/orders --log-group "/aws/lambda/billing-*" \\\n' +
        '      --since 2026-11-01T00:00:00Z --until 2026-11-08T00:00:00Z --to https://search-x.eu-west-1.es.amazonaws.com\n' +
        '\nAWS credentials and region come from the standard AWS configuration (AWS_PROFILE, AWS_REGION,\n' +
        'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS ...); OpenSearch auth from the OPENSEARCH_* variables.',
    )
    .action(async (flags: CommonFlags & { readonly logGroup: string[]; readonly dryRun?: boolean }) => {
      await runCloudWatchBackfill(
        {
          logGroup: flags.logGroup,
          since: flags.since,
          to: flags.to,
          checkpointDir: flags.checkpointDir,
          ...(flags.until !== undefined && { until: flags.until }),
          ...(flags.dryRun === true && { dryRun: true }),
          ...(flags.restart === true && { restart: true }),
          ...(flags.region !== undefined && { region: flags.region }),
        },
        process.env,
        io(flags),
      );
    });

  const cloudtrail = backfill
    .command('cloudtrail')
    .description(
      'Read Athena CloudTrail events with LookupEvents (event source athena.amazonaws.com, at most 2 calls a second, ' +
        'the last 90 days) and ship them through the Athena parser into the target; then, when the target is OpenSearch, ' +
        'run one enrichment sweep over the range so the documents get their query statistics.',
    )
    .option('--no-enrich', 'do not run the enrichment sweep afterwards')
    .option('--dry-run', 'count the Athena events LookupEvents returns over the range; write nothing');
  addRangeOptions(cloudtrail)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  cwl-opensearch backfill cloudtrail --since 7d --dry-run\n' +
        '  cwl-opensearch backfill cloudtrail --since 7d --to https://search-x.eu-west-1.es.amazonaws.com\n' +
        '  cwl-opensearch backfill cloudtrail --since 2026-11-20 --until 2026-11-21 --to file:./athena-history\n' +
        '\nThe enrichment uses ATHENA_PRICE_PER_TB_USD and INDEX_PREFIX like the enricher Lambda.',
    )
    .action(async (flags: CommonFlags & { readonly enrich: boolean; readonly dryRun?: boolean }) => {
      await runCloudTrailBackfill(
        {
          since: flags.since,
          ...(flags.dryRun === true && { dryRun: true }),
          to: flags.to,
          checkpointDir: flags.checkpointDir,
          enrich: flags.enrich,
          ...(flags.until !== undefined && { until: flags.until }),
          ...(flags.restart === true && { restart: true }),
          ...(flags.region !== undefined && { region: flags.region }),
        },
        process.env,
        io(flags),
      );
    });
}
