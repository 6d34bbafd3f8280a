import type { OpenSearchClient } from '../sinks/opensearch';

/** Thin helpers over `client.transport.request` for the plugin APIs the typed client lacks. */

export interface ApiReply {
  readonly status: number;
  readonly body: unknown;
}

/** Sends one request; a 404 is returned (it means "absent"), other errors throw. */
export async function callOpenSearch(
  client: OpenSearchClient,
  method: string,
  path: string,
  options: { body?: unknown; querystring?: Record<string, string> } = {},
): Promise<ApiReply> {
  const response = await client.transport.request(
    {
      method,
      path,
      ...(options.body !== undefined && { body: options.body as Record<string, unknown> }),
      ...(options.querystring !== undefined && { querystring: options.querystring }),
    },
    { ignore: [404] },
  );
  return { status: response.statusCode ?? 200, body: response.body };
}

/** A stored document's version (`_seq_no`, `_primary_term`), for `if_seq_no`/`if_primary_term` writes. */
export interface DocumentVersion {
  readonly seqNo: number;
  readonly primaryTerm: number;
}

/** The version a GET or PUT answered with, if it gave one. */
export function documentVersion(body: unknown): DocumentVersion | undefined {
  const { _seq_no: seqNo, _primary_term: primaryTerm } = (body ?? {}) as { _seq_no?: unknown; _primary_term?: unknown };
  return typeof seqNo === 'number' && typeof primaryTerm === 'number' ? { seqNo, primaryTerm } : undefined;
}

/** The HTTP status of a failed call, when the server answered (none for a connection error). */
export function errorStatus(error: unknown): number | undefined {
  const status = (error as { meta?: { statusCode?: unknown } } | null | undefined)?.meta?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/** A one-line reason for a failed call: status, error type and reason when the server gave them. */
export function describeError(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'meta' in error) {
    const meta = (error as { meta?: { statusCode?: number; body?: unknown } }).meta;
    const status = meta?.statusCode;
    const detail = errorDetail(meta?.body);
    // A connection that never got a reply has no status (null): its message says why.
    if (typeof status === 'number') return `HTTP ${status}${detail === '' ? '' : `: ${detail}`}`;
  }
  return error instanceof Error ? withCause(error) : String(error);
}

/** An error's message with its cause's (`fetch failed: connect ECONNREFUSED 127.0.0.1:9`). */
export function withCause(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  const inner = cause instanceof Error && cause.message !== '' && !error.message.includes(cause.message) ? `: ${cause.message}` : '';
  return `${error.message || error.name}${inner}`;
}

function errorDetail(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 300);
  if (body === null || typeof body !== 'object') return '';
  const error = (body as { error?: unknown }).error;
  if (typeof error === 'string') return error.slice(0, 300);
  if (error !== null && typeof error === 'object') {
    const { type, reason } = error as { type?: unknown; reason?: unknown };
    return [type, reason].filter((part) => typeof part === 'string' && part !== '').join(': ').slice(0, 300);
  }
  const message = (body as { message?: unknown; Message?: unknown }).message ?? (body as { Message?: unknown }).Message;
  return typeof message === 'string' ? message.slice(0, 300) : JSON.stringify(body).slice(0, 300);
}
