import type { Command } from 'commander';
import { text } from 'node:stream/consumers';
import { createRegistry } from '../../../parsers/registry';
import { loadPipelineConfig } from '../../pipeline/config';
import { PipelineError } from '../../pipeline/errors';
import { buildDocuments } from '../../pipeline/process';
import type { LogBatch } from '../../pipeline/types';
import { messageLine } from '../inputs';
import { PARSERS_OPTION, withParsersFile } from '../parsers-option';
import { batchMessageLines, splitRawText, toLogEvents } from '../raw-text';

interface ParseFlags {
  readonly logGroup?: string;
  readonly logStream: string;
  readonly meta?: boolean;
  readonly parsers?: string;
}

/** `parse`: messages on stdin -> one document per line on stdout, exactly as it would be indexed. */
export function registerParseCommand(program: Command): void {
  program
    .command('parse')
    .description(
      'Parse messages from stdin and print each resulting document as one JSON line, exactly as it would be indexed. ' +
        'Input: lines of {"logGroup": …, "message": …} (optional logStream, timestamp, id), or raw messages with ' +
        '--log-group (a slow log is split into entries, Lambda text into platform lines, anything else one message per line).',
    )
    .option('--log-group <name>', 'log group for raw input (decides the parser)')
    .option('--log-stream <name>', 'log stream for raw input', 'stdin')
    .option('--meta', 'print {"_index", "_id", "_source"} instead of the source alone')
    .option(PARSERS_OPTION.flags, PARSERS_OPTION.description)
    .addHelpText(
      'after',
      `\nExample:\n  echo '{"logGroup":"/aws/lambda/fn","message":"END RequestId: 6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44"}' | cwl-opensearch parse`,
    )
    .action(async (flags: ParseFlags) => {
      const config = loadPipelineConfig(withParsersFile(process.env, flags.parsers));
      const registry = createRegistry(config.routes, config.userParsers);
      const input = await text(process.stdin);
      const batches = flags.logGroup !== undefined ? rawBatches(input, flags, registry) : jsonBatches(input, flags.logStream);
      const region = process.env.AWS_REGION;
      const lines: string[] = [];
      for (const batch of batches) {
        const { documents } = buildDocuments(batch, { registry, config, ...(region !== undefined && { region }) });
        for (const document of documents) {
          lines.push(
            JSON.stringify(flags.meta ? { _index: document.index, _id: document.id, _source: document.source } : document.source),
          );
        }
      }
      if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    });
}

function rawBatches(input: string, flags: ParseFlags, registry: ReturnType<typeof createRegistry>): LogBatch[] {
  const logGroup = flags.logGroup!;
  const messages = splitRawText(input, registry.route(logGroup).id);
  return [batchOf(logGroup, flags.logStream, toLogEvents(logGroup, messages, Date.now()))];
}

function jsonBatches(input: string, defaultStream: string): LogBatch[] {
  const now = Date.now();
  const lines = input
    .split(/\r?\n/)
    .map((line, position) => ({ line: line.trim(), position }))
    .filter(({ line }) => line !== '')
    .map(({ line, position }) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new PipelineError(`stdin line ${position + 1} is not JSON; give raw messages with --log-group`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new PipelineError(`stdin line ${position + 1} is not a JSON object with "logGroup" and "message"`);
      }
      return messageLine(value as Record<string, unknown>, position, 'stdin', { logStream: defaultStream }, now);
    });
  return batchMessageLines(lines, '');
}

function batchOf(logGroup: string, logStream: string, logEvents: LogBatch['logEvents']): LogBatch {
  return { messageType: 'DATA_MESSAGE', owner: '', logGroup, logStream, subscriptionFilters: [], logEvents };
}
