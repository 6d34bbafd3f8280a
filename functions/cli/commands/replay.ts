import type { Command } from 'commander';
import { loadPipelineConfig } from '../../pipeline/config';
import { PARSERS_OPTION, withParsersFile } from '../parsers-option';
import { createProgress } from '../progress';
import { formatReport, replayFiles } from '../run-replay';
import { DEFAULT_TARGET, createSinkFromTarget } from '../target';

interface ReplayFlags {
  readonly to: string;
  readonly logGroup?: string;
  readonly logStream?: string;
  readonly owner?: string;
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
    .option('--to <target>', 'file:<dir> (bulk NDJSON per index), stdout, or an OpenSearch URL', DEFAULT_TARGET)
    .option('--log-group <name>', 'log group of raw files (decides the parser), or of CloudTrail files')
    .option('--log-stream <name>', 'log stream recorded for raw files', 'replay')
    .option('--owner <account>', 'account id recorded for raw files')
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
      const target = createSinkFromTarget(flags.to, process.env, config.indexing);
      const report = await replayFiles(files, {
        config,
        sink: target.sink,
        progress: createProgress(!flags.quiet && process.stderr.isTTY === true),
        ...(flags.logGroup !== undefined && { logGroup: flags.logGroup }),
        ...(flags.logStream !== undefined && { logStream: flags.logStream }),
        ...(flags.owner !== undefined && { owner: flags.owner }),
        ...(process.env.AWS_REGION !== undefined && { region: process.env.AWS_REGION }),
      });
      const out = target.usesStdout ? process.stderr : process.stdout;
      out.write(`${formatReport(report, target.description)}\n`);
      if (report.errors.length > 0) process.exitCode = 1;
    });
}
