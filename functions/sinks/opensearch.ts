import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { OpenSearchConfig } from '../pipeline/config';

/**
 * The one place that builds an OpenSearch client. Every caller (the bulk sink, the
 * enricher, `functions/assets/apply.ts`) gets its client here, so auth and transport settings
 * are the same everywhere.
 */
export type { Client as OpenSearchClient } from '@opensearch-project/opensearch';
export { errors as OpenSearchErrors } from '@opensearch-project/opensearch';

export interface ClientOptions {
  /**
   * Transport-level retries (connection errors, 502/503/504; never 429). The bulk sink
   * keeps this at 0 and retries per item itself, with backoff.
   */
  readonly maxRetries?: number;
  /** Overrides gzip of request bodies (the Dashboards import is sent uncompressed). */
  readonly compression?: boolean;
  /** Credentials for SigV4; defaults to the standard AWS provider chain. */
  readonly credentials?: AwsCredentialIdentityProvider;
}

let sharedCredentials: AwsCredentialIdentityProvider | undefined;

/** Builds a client for `config`: SigV4 (`es` or `aoss`), basic auth, or none. */
export function createOpenSearchClient(config: OpenSearchConfig, options: ClientOptions = {}): Client {
  const compression = options.compression ?? config.compression;
  const base = {
    node: config.endpoint,
    requestTimeout: config.requestTimeoutMs,
    maxRetries: options.maxRetries ?? 0,
    ...(compression && { compression: 'gzip' as const }),
  };
  switch (config.auth) {
    case 'sigv4':
    case 'sigv4-aoss': {
      // Module scope: one provider per container, so credentials are cached across invocations.
      const provider = options.credentials ?? (sharedCredentials ??= defaultProvider());
      return new Client({
        ...AwsSigv4Signer({
          region: config.region ?? '',
          service: config.auth === 'sigv4-aoss' ? 'aoss' : 'es',
          getCredentials: (): Promise<AwsCredentialIdentity> => provider(),
        }),
        ...base,
      });
    }
    case 'basic':
      return new Client({ ...base, auth: { username: config.username ?? '', password: config.password ?? '' } });
    case 'none':
      return new Client(base);
  }
}
