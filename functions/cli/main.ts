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

/**
 * A reader that goes away (`| head -1`) ends the run quietly, as Unix tools do: there is no
 * one left to print documents or a summary for.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/**
 * The AWS SDK warns on every run under Node < 22 that SDK releases after January 2027 will
 * need Node 22. The versions this project pins run on Node 20, so the warning says nothing
 * about this run; the CLI turns it off with the SDK's own switch unless the user set it.
 */
export function silenceSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** What a person can do about an AWS SDK error that names no option. */
export function awsHint(error: Error): string | undefined {
  if (/Region is missing/i.test(error.message)) {
    return 'give --region, or set AWS_REGION (or a region in the profile AWS_PROFILE names)';
  }
  if (error.name === 'CredentialsProviderError' || /Could not load credentials/i.test(error.message)) {
    return 'set AWS_PROFILE to a configured profile (aws configure / aws sso login), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  }
  if (/expired|ExpiredToken/i.test(error.name) || /token.*expired|expired.*token/i.test(error.message)) {
    return 'the credentials have expired: refresh them (aws sso login --profile <AWS_PROFILE>)';
  }
  return undefined;
}

/** Runs the command line; errors a person must fix are printed as one clear line, not a stack. */
export async function main(argv: readonly string[]): Promise<void> {
  exitQuietlyOnClosedPipe();
  silenceSdkNodeVersionWarning();
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
    const hint = error instanceof Error ? awsHint(error) : undefined;
    process.stderr.write(`cwl-opensearch: ${detail}${hint === undefined ? '' : `: ${hint}`}\n`);
    if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    else process.stderr.write('(set DEBUG=1 to see where it came from)\n');
    process.exitCode = 1;
  }
}
