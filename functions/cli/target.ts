import { resolve } from 'node:path';
import { loadBulkTuning, loadOpenSearchConfig, type Env, type IndexingConfig } from '../pipeline/config';
import { ConfigError } from '../pipeline/errors';
import { FileSink } from '../sinks/file';
import { createOpenSearchClient } from '../sinks/opensearch';
import { OpenSearchSink } from '../sinks/opensearch-sink';
import { StdoutSink } from '../sinks/stdout';
import type { Sink } from '../sinks/types';

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
  if (to.trim() === '') throw new ConfigError('--to', 'is empty (use file:<dir>, stdout, or an OpenSearch URL)');
  const config = loadOpenSearchConfig(env, to);
  return {
    // The CLI owns its client: closing it lets the process exit instead of idling on keep-alive sockets.
    sink: new OpenSearchSink(createOpenSearchClient(config), { indexing, ...loadBulkTuning(env), ownsClient: true }),
    description: `OpenSearch at ${config.endpoint} (auth ${config.auth})`,
    usesStdout: false,
  };
}
