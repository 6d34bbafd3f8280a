import { InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import type { Env, IndexingConfig } from '../pipeline/config';
import { ConfigError } from '../pipeline/errors';
import { FileSink } from '../sinks/file';
import { createOpenSearchSinkFromEnv } from '../sinks/sink-from-env';
import { StdoutSink } from '../sinks/stdout';
import type { OpenSearchClient } from '../sinks/opensearch';
import type { Sink } from '../pipeline/sink';

export const DEFAULT_TARGET = 'file:./out';

/** What `--to` names, checked before anything is read or sent. */
export type TargetSpec =
  | { readonly kind: 'file'; readonly directory: string }
  | { readonly kind: 'stdout' }
  | { readonly kind: 'opensearch'; readonly url: string };

export interface Target {
  readonly sink: Sink;
  /** Human description for the summary, e.g. `files in /x/out`. */
  readonly description: string;
  /** True when documents go to stdout, so the summary must go to stderr. */
  readonly usesStdout: boolean;
  /** The cluster's client when the target is OpenSearch, so the run can check it is reachable first. */
  readonly client?: OpenSearchClient;
  readonly endpoint?: string;
}

const USAGE = 'use file:<dir>, stdout, or an OpenSearch URL starting with http:// or https://';

/**
 * `--to`: `file:<dir>`, `stdout` (or `-`), or an `http(s)://` URL. Anything else is refused
 * here: a typo such as `stout` or `./out` must not become a DNS look-up of a host by that name.
 */
export function parseTarget(to: string): TargetSpec {
  if (to === 'stdout' || to === '-') return { kind: 'stdout' };
  if (to.startsWith('file:')) {
    const directory = to.slice('file:'.length);
    if (directory.trim() === '') throw new ConfigError('--to', `"${to}" names no folder: write file:<dir>, for example file:./out`);
    return { kind: 'file', directory: resolve(directory) };
  }
  if (/^https?:\/\//i.test(to)) {
    let url: URL;
    try {
      url = new URL(to);
    } catch {
      throw new ConfigError('--to', `"${to}" is not a valid URL: ${USAGE}`);
    }
    if (url.hostname === '') throw new ConfigError('--to', `"${to}" names no host: ${USAGE}`);
    return { kind: 'opensearch', url: to };
  }
  const hint = /^[\w-]+(\.[\w-]+)+(:\d+)?(\/.*)?$/.test(to) || /^[\w-]+:\d+$/.test(to) ? ` (did you mean https://${to}?)` : '';
  throw new ConfigError('--to', `"${to}" is not a target: ${USAGE}${hint}`);
}

/** `parseTarget` as a commander option parser: a bad `--to` is a usage error before the command runs. */
export function targetOption(to: string): string {
  try {
    parseTarget(to);
    return to;
  } catch (error) {
    if (error instanceof ConfigError) throw new InvalidArgumentError(error.message.replace(/^--to: /, ''));
    throw error;
  }
}

/** Builds the sink `--to` names; OpenSearch auth comes from the `OPENSEARCH_*` variables. */
export function createSinkFromTarget(to: string, env: Env, indexing: IndexingConfig): Target {
  const spec = parseTarget(to);
  switch (spec.kind) {
    case 'stdout':
      return { sink: new StdoutSink(), description: 'stdout', usesStdout: true };
    case 'file':
      return { sink: new FileSink(spec.directory), description: `bulk NDJSON files in ${spec.directory}`, usesStdout: false };
    case 'opensearch': {
      // The CLI owns its client: closing it lets the process exit instead of idling on keep-alive sockets.
      const { sink, client, config } = createOpenSearchSinkFromEnv(env, indexing, {
        endpoint: spec.url,
        endpointSource: '--to',
        ownsClient: true,
      });
      return {
        sink,
        client,
        endpoint: config.endpoint,
        description: `OpenSearch at ${config.endpoint} (auth ${config.auth})`,
        usesStdout: false,
      };
    }
  }
}
