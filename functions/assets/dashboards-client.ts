import { createHash } from 'node:crypto';
import aws4 from 'aws4';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { AssetsConfig } from './config';
import { DashboardsError } from './errors';
import { withCause } from './opensearch-api';

/**
 * HTTP to OpenSearch Dashboards (`/api/saved_objects/...`), which the OpenSearch client
 * cannot reach when Dashboards runs on its own host. Requests carry `osd-xsrf` (required
 * on every non-GET call) and `securitytenant`, and are signed with SigV4 (service `es`)
 * or basic auth like the cluster calls.
 */

/** The part of `fetch` this module uses; tests and callers may pass their own. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: Buffer | string; signal?: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

export interface DashboardsRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the Dashboards base URL, e.g. `/api/saved_objects/_import`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  readonly contentType?: string;
}

export interface DashboardsResponse {
  readonly status: number;
  readonly text: string;
}

export interface DashboardsClient {
  readonly baseUrl: string;
  /** Sends one request; resolves for any HTTP status (callers decide), rejects on network errors. */
  request(request: DashboardsRequest): Promise<DashboardsResponse>;
}

export interface DashboardsClientDeps {
  readonly fetch?: FetchLike;
  /** SigV4 credentials; defaults to the standard AWS provider chain. */
  readonly credentials?: AwsCredentialIdentityProvider;
}

/** Builds the client for `config` (auth, region and timeout come from the OpenSearch settings). */
export function createDashboardsClient(config: AssetsConfig, deps: DashboardsClientDeps = {}): DashboardsClient {
  const send: FetchLike = deps.fetch ?? ((url, init) => fetch(url, init));
  const { auth, region, username, password, requestTimeoutMs } = config.openSearch;
  let credentials = deps.credentials;

  return {
    baseUrl: config.dashboardsUrl,
    async request(request) {
      const url = new URL(`${config.dashboardsUrl}${request.path}`);
      for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);
      const body = request.body === undefined ? undefined : Buffer.from(request.body);
      const headers: Record<string, string> = {
        accept: 'application/json',
        'osd-xsrf': 'true',
        securitytenant: config.tenant,
        ...(request.contentType !== undefined && { 'content-type': request.contentType }),
      };
      if (auth === 'basic') {
        headers.authorization = `Basic ${Buffer.from(`${username ?? ''}:${password ?? ''}`).toString('base64')}`;
      } else if (auth === 'sigv4' || auth === 'sigv4-aoss') {
        credentials ??= defaultProvider();
        const identity = await credentials();
        // The payload hash is sent as well, as the OpenSearch client does.
        headers['x-amz-content-sha256'] = createHash('sha256')
          .update(body ?? '')
          .digest('hex');
        const signed = aws4.sign(
          {
            host: url.host,
            method: request.method,
            path: `${url.pathname}${url.search}`,
            headers,
            ...(body !== undefined && { body }),
            service: auth === 'sigv4-aoss' ? 'aoss' : 'es',
            region: region ?? '',
          },
          {
            accessKeyId: identity.accessKeyId,
            secretAccessKey: identity.secretAccessKey,
            ...(identity.sessionToken !== undefined && { sessionToken: identity.sessionToken }),
          },
        );
        Object.assign(headers, signed.headers as Record<string, string>);
      }
      let response: Awaited<ReturnType<FetchLike>>;
      try {
        response = await send(url.toString(), {
          method: request.method,
          headers,
          ...(body !== undefined && { body }),
          signal: AbortSignal.timeout(requestTimeoutMs),
        });
      } catch (error) {
        throw new DashboardsError(
          `${request.method} ${url.origin}${url.pathname}: ${withCause(error as Error)}`,
          undefined,
          { cause: error },
        );
      }
      return { status: response.status, text: await response.text() };
    },
  };
}

/** Sends a JSON request and parses the JSON reply; a non-2xx status is a `DashboardsError`. */
export async function requestJson(client: DashboardsClient, request: DashboardsRequest): Promise<unknown> {
  const response = await client.request(request);
  if (response.status < 200 || response.status > 299) {
    throw new DashboardsError(
      `${request.method} ${request.path}: HTTP ${response.status}: ${response.text.slice(0, 300)}`,
      response.status,
    );
  }
  try {
    return JSON.parse(response.text) as unknown;
  } catch (error) {
    throw new DashboardsError(
      `${request.method} ${request.path}: the reply is not JSON: ${response.text.slice(0, 200)}`,
      response.status,
      { cause: error },
    );
  }
}
