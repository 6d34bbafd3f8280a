import type { Command } from 'commander';
import { parseTimeArgument } from '../../backfill/time';
import { loadPipelineConfig } from '../../pipeline/config';
import { accountOption, nonEmpty } from '../options';
import { PARSERS_OPTION, withParsersFile } from '../parsers-option';
import { createProgress } from '../progress';
import { assertReachable } from '../reachable';
import { formatReport, replayFiles } from '../run-replay';
import { DEFAULT_TARGET, createSinkFromTarget, targetOption } from '../target';

interface ReplayFlags {
  readonly to: string;
  readonly logGroup?: string;
  readonly logStream?: string;
  readonly owner?: string;
  readonly time?: string;
  readonly quiet?: boolean;
  readonly parsers?: string;
}

/** `replay <files…>`: files through the same pipeline as the Lambda, into a target. */
export function registerReplayCommand(program: Command): void {
  program
    .command('replay')
    .description(
      'Replay files through the shipper: CloudWatch Logs subscription events, Kinesis events, decoded payloads, ' +
        'CloudTrail JSON or S3 {"Records":[…]} files (gzipped or not), NDJSON of those, or raw log text with --log-group ' +
        '(a slow log is split into entries, Lambda text into platform lines). Directories are read file by file.',
    )
    .argument('<files...>', 'files or directories to replay')
    .option('--to <target>', 'file:<dir> (bulk NDJSON per index), stdout, or an OpenSearch URL (http:// or https://)', targetOption, DEFAULT_TARGET)
    .option('--log-group <name>', 'log group of raw text files (decides the parser); files that carry their own, and CloudTrail files, keep theirs', nonEmpty('--log-group'))
    .option('--log-stream <name>', 'log stream recorded for raw files (part of their ids)', nonEmpty('--log-stream'), 'replay')
    .option('--time <time>', 'time of raw lines in a file where no line writes one: an ISO 8601 time (2026-11-21T10:00:00Z)')
    .option('--owner <account>', 'account id (12 digits) recorded for raw files', accountOption)
    .option('-q, --quiet', 'no progress bar')
    .option(PARSERS_OPTION.flags, PARSERS_OPTION.description)
    .addHelpText(
      'after',
      '\nOpenSearch auth comes from OPENSEARCH_AUTH, OPENSEARCH_USERNAME, OPENSEARCH_PASSWORD and AWS_REGION;\n' +
        'index naming from INDEX_PREFIX and INDEX_NAMING (see docs/configuration.md).\n\n' +
        'Example:\n  cwl-opensearch replay test/fixtures/samples\n' +
        '  cwl-opensearch replay slow.log --log-group /aws/rds/instance/db-1/slowquery --to https://search-x.eu-west-1.es.amazonaws.com',
    )
    .action(async (files: string[], flags: ReplayFlags) => {
      const config = loadPipelineConfig(withParsersFile(process.env, flags.parsers));
      const time = flags.time === undefined ? undefined : parseTimeArgument(flags.time, Date.now(), '--time');
      const target = createSinkFromTarget(flags.to, process.env, config.indexing);
      if (target.client !== undefined) {
        await assertReachable(target.client, target.endpoint!).catch(async (error: unknown) => {
          // The client must still close, or its sockets keep the process alive.
          await target.sink.close();
          throw error;
        });
      }
      const report = await replayFiles(files, {
        config,
        sink: target.sink,
        progress: createProgress(!flags.quiet && process.stderr.isTTY === true),
        ...(flags.logGroup !== undefined && { logGroup: flags.logGroup }),
        ...(flags.logStream !== undefined && { logStream: flags.logStream }),
        ...(flags.owner !== undefined && { owner: flags.owner }),
        ...(time !== undefined && { time }),
        ...(process.env.AWS_REGION !== undefined && { region: process.env.AWS_REGION }),
      });
      const out = target.usesStdout ? process.stderr : process.stdout;
      out.write(`${formatReport(report, target.description)}\n`);
      if (report.errors.length > 0) process.exitCode = 1;
    });
}
