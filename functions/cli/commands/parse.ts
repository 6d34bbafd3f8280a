import type { Command } from 'commander';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createRegistry } from '../../../parsers/registry';
import { parseTimeArgument } from '../../backfill/time';
import { loadPipelineConfig } from '../../pipeline/config';
import type { LogDocument } from '../../pipeline/types';
import { createParseStream } from '../parse-stream';
import { PARSERS_OPTION, withParsersFile } from '../parsers-option';

interface ParseFlags {
  readonly logGroup?: string;
  readonly logStream: string;
  readonly time?: string;
  readonly meta?: boolean;
  readonly parsers?: string;
}

/** `parse`: a stream filter, messages on stdin -> one document per line on stdout, exactly as it would be indexed. */
export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description(
      'Parse messages from stdin and print each resulting document as one JSON line, exactly as it would be indexed, ' +
        'in input order and as soon as each line is read (works behind tail -f). ' +
        'Input: lines of {"logGroup": …, "message": …} (optional logStream, timestamp, id), anything replay reads as JSON ' +
        '(CloudTrail events or files, pretty-printed too, decoded payloads, subscription events), or raw messages with ' +
        '--log-group (a slow log is split into entries, Lambda text into platform lines, anything else one message per line). ' +
        'A line that cannot be read is reported on stderr with its number; the others go on (exit status 1 at the end).',
    )
    .option('--log-group <name>', 'log group for raw input (decides the parser)')
    .option('--log-stream <name>', 'log stream for raw input', 'stdin')
    .option('--time <time>', 'time of lines before the first line that writes one (default: now): an ISO 8601 time')
    .option('--meta', 'print {"_index", "_id", "_source"} instead of the source alone')
    .option(PARSERS_OPTION.flags, PARSERS_OPTION.description)
    .addHelpText(
      'after',
      `\nExample:\n  echo '{"logGroup":"/aws/lambda/fn","message":"END RequestId: 6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44"}' | cwl-opensearch parse`,
    )
    .action(async (flags: ParseFlags) => {
      const config = loadPipelineConfig(withParsersFile(process.env, flags.parsers));
      const time = flags.time === undefined ? undefined : parseTimeArgument(flags.time, Date.now(), '--time');
      const region = process.env.AWS_REGION;
      let pending = false;
      const parse = createParseStream({
        registry: createRegistry(config.routes, config.userParsers),
        config,
        logStream: flags.logStream,
        ...(region !== undefined && { region }),
        ...(flags.logGroup !== undefined && { logGroup: flags.logGroup }),
        ...(time !== undefined && { time }),
        emit: (document: LogDocument) => {
          const line = JSON.stringify(flags.meta ? { _index: document.index, _id: document.id, _source: document.source } : document.source);
          if (!process.stdout.write(`${line}\n`)) pending = true;
        },
        fail: (message) => process.stderr.write(`cwl-opensearch: ${message}\n`),
      });
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of lines) {
        parse.line(line);
        // Backpressure: a slow reader of stdout slows the reading of stdin, not the memory.
        if (pending) {
          pending = false;
          await once(process.stdout, 'drain');
        }
      }
      if (parse.end() > 0) process.exitCode = 1;
    });
}
