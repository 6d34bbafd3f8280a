import { resolve } from 'node:path';
import type { Env, IndexingConfig } from '../pipeline/config';
import { ConfigError } from '../pipeline/errors';
import { FileSink } from '../sinks/file';
import { createOpenSearchSinkFromEnv } from '../sinks/sink-from-env';
import { StdoutSink } from '../sinks/stdout';
import type { Sink } from '../pipeline/sink';

export const DEFAULT_TARGET = 'file:./out';

export interface Target {
  readonly sink: Sink;
  /** Human description for the summary, e.g. `files in /x/out`. */
  readonly description: string;
  /** True when documents go to stdout, so the summary must go to stderr. */
  readonly usesStdout: boolean;
}

/**
 * `--to`: `file:<dir>` (the default, `file:./out`), `stdout`, or an OpenSearch URL (a bare
 * host means https://), with auth from the `OPENSEARCH_*` variables.
 */
export function createSinkFromTarget(to: string, env: Env, indexing: IndexingConfig): Target {
  if (to === 'stdout' || to === '-') {
    return { sink: new StdoutSink(), description: 'stdout', usesStdout: true };
  }
  if (to.startsWith('file:')) {
    const directory = resolve(to.slice('file:'.length) || '.');
    return { sink: new FileSink(directory), description: `bulk NDJSON files in ${directory}`, usesStdout: false };
  }
  // `word:` is a scheme unless a port follows (`localhost:9200` is a bare host).
  if (to.trim() === '' || (/^[a-z][a-z0-9+.-]*:(?!\d)/i.test(to) && !/^https?:\/\//i.test(to))) {
    throw new ConfigError('--to', `"${to}" is not a target: use file:<dir>, stdout, or an OpenSearch URL (http:// or https://)`);
  }
  // The CLI owns its client: closing it lets the process exit instead of idling on keep-alive sockets.
  const { sink, config } = createOpenSearchSinkFromEnv(env, indexing, { endpoint: to, endpointSource: '--to', ownsClient: true });
  return {
    sink,
    description: `OpenSearch at ${config.endpoint} (auth ${config.auth})`,
    usesStdout: false,
  };
}
