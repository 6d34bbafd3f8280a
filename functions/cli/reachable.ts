import { PipelineError } from '../pipeline/errors';
import { OpenSearchErrors, type OpenSearchClient } from '../sinks/opensearch';

/**
 * One request before any file is read: a cluster that cannot be reached at all (connection
 * refused, unknown host, a TLS failure) stops the run with one line instead of every batch
 * being retried against it. Any HTTP answer, even 401/403/404, means the cluster is there;
 * the writes then report what it says.
 */
export async function assertReachable(client: OpenSearchClient, endpoint: string, consequence = 'nothing was read or sent'): Promise<void> {
  try {
    await client.transport.request({ method: 'HEAD', path: '/' }, { maxRetries: 0 });
  } catch (error) {
    if (error instanceof OpenSearchErrors.ConnectionError) {
      throw new PipelineError(`cannot reach OpenSearch at ${endpoint}: ${connectionCause(error)}; ${consequence}`, {
        cause: error,
      });
    }
    if (error instanceof OpenSearchErrors.ResponseError || error instanceof OpenSearchErrors.TimeoutError) return;
    throw error;
  }
}

/** The socket-level reason (`connect ECONNREFUSED 127.0.0.1:9`, `getaddrinfo ENOTFOUND x`, a TLS message). */
export function connectionCause(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  const inner = (cause instanceof Error && cause.message !== '' ? cause.message : error.message).replace(/\s+/g, ' ').trim();
  // OpenSearch's TLS errors carry OpenSSL's whole record: keep the reason a person can act on.
  const tls = /SSL routines:[^:]*:([^:]+)/.exec(inner);
  if (tls) return `TLS failed (${tls[1]}): is the URL's scheme right, and does the certificate match?`;
  return inner || error.name;
}
