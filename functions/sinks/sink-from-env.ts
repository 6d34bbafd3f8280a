import { loadBulkTuning, loadOpenSearchConfig, type Env, type IndexingConfig, type OpenSearchConfig } from '../pipeline/config';
import { createOpenSearchClient, type OpenSearchClient } from './opensearch';
import { OpenSearchSink, type OpenSearchSinkOptions } from './opensearch-sink';

export interface SinkFromEnvOptions extends Pick<OpenSearchSinkOptions, 'onRetry' | 'ownsClient'> {
  /** Overrides OPENSEARCH_ENDPOINT (the CLI's `--to`), named `endpointSource` in errors. */
  readonly endpoint?: string;
  readonly endpointSource?: string;
}

export interface SinkFromEnv {
  readonly sink: OpenSearchSink;
  /** The same client, for callers that also search or update (the poller's checkpoint). */
  readonly client: OpenSearchClient;
  readonly config: OpenSearchConfig;
}

/**
 * The OpenSearch sink as every entry point builds it: the connection from the
 * OPENSEARCH_* variables, retries and concurrency from the BULK_* ones.
 */
export function createOpenSearchSinkFromEnv(env: Env, indexing: IndexingConfig, options: SinkFromEnvOptions = {}): SinkFromEnv {
  const config = loadOpenSearchConfig(env, options.endpoint ?? env.OPENSEARCH_ENDPOINT, options.endpointSource);
  const client = createOpenSearchClient(config);
  const sink = new OpenSearchSink(client, {
    indexing,
    ...loadBulkTuning(env),
    ...(options.onRetry !== undefined && { onRetry: options.onRetry }),
    ...(options.ownsClient !== undefined && { ownsClient: options.ownsClient }),
  });
  return { sink, client, config };
}
