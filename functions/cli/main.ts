import { Command, CommanderError } from 'commander';
import { PipelineError } from '../pipeline/errors';
import { registerAssetsCommand } from './commands/assets';
import { registerBackfillCommand } from './commands/backfill';
import { registerParseCommand } from './commands/parse';
import { registerReplayCommand } from './commands/replay';

/** The `cwl-opensearch` program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('cwl-opensearch')
    .description('CloudWatch Logs to OpenSearch: replay files, parse messages, backfill history, apply dashboards and alerts.')
    .showHelpAfterError()
    .exitOverride();
  registerReplayCommand(program);
  registerParseCommand(program);
  registerAssetsCommand(program);
  registerBackfillCommand(program);
  return program;
}

/** Runs the command line; errors a person must fix are printed as one clear line, not a stack. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    if (error instanceof PipelineError) {
      process.stderr.write(`cwl-opensearch: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    // Anything else (credentials, network, a bug) still gets one readable line; the stack on demand.
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`cwl-opensearch: ${detail}\n`);
    if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    else process.stderr.write('(set DEBUG=1 to see where it came from)\n');
    process.exitCode = 1;
  }
}
