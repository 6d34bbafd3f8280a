import { createHash } from 'node:crypto';
import aws4 from 'aws4';
import type { RecordedRequest } from './fake-opensearch';

/**
 * Re-checks a SigV4 signature the fake OpenSearch received: the payload hash against the
 * wire bytes, then the signature by signing the same request again with aws4.
 */

export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The parts of an `AWS4-HMAC-SHA256` authorization header. */
export interface SigV4Header {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

/** Parses an authorization header; undefined when it is not SigV4. */
export function parseSigV4(header: string | undefined): SigV4Header | undefined {
  const match = AUTHORIZATION.exec(header ?? '');
  if (!match) return undefined;
  const [, accessKeyId = '', date = '', region = '', service = '', signed = '', signature = ''] = match;
  return { accessKeyId, date, region, service, signedHeaders: signed.split(';'), signature };
}

/** Returns why the request's signature is wrong, or undefined when it verifies. */
export function sigV4Problem(request: RecordedRequest, credentials: StaticCredentials): string | undefined {
  const parsed = parseSigV4(String(request.headers.authorization ?? ''));
  if (parsed === undefined) return `authorization is not SigV4: ${String(request.headers.authorization)}`;
  const payloadHash = createHash('sha256').update(request.rawBody).digest('hex');
  if (request.headers['x-amz-content-sha256'] !== payloadHash) return 'x-amz-content-sha256 does not match the body on the wire';
  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return `signed header ${name} is missing`;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new aws4.RequestSigner(
    {
      method: request.method,
      host: headers.host,
      path: request.url,
      headers,
      body: request.rawBody,
      service: parsed.service,
      region: parsed.region,
      doNotModifyHeaders: true,
    },
    credentials,
  );
  // With doNotModifyHeaders aws4 would sign at the current second, not the request's own
  // x-amz-date: the check would then fail whenever a second passed since the client signed.
  signer.datetime = headers['x-amz-date'];
  const resigned = signer.sign();
  const expected = String(resigned.headers?.Authorization ?? '');
  return expected === request.headers.authorization ? undefined : `signature differs: expected ${expected}`;
}
