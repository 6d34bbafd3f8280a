import { createHash } from 'node:crypto';
import aws4 from 'aws4';
import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from './fake-opensearch';
import { sigV4Problem } from './sigv4';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/** A request as the fake records it, signed by aws4 at `date` (what a client sent then). */
function signedAt(date: Date): RecordedRequest {
  const rawBody = Buffer.from('{"create":{}}\n{"a":1}\n');
  const amzDate = date.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const headers: Record<string, string> = {
    host: 'search-x.eu-west-1.es.amazonaws.com',
    'content-type': 'application/x-ndjson',
    'content-length': String(rawBody.length),
    'x-amz-date': amzDate,
    'x-amz-content-sha256': createHash('sha256').update(rawBody).digest('hex'),
  };
  const signed = aws4.sign(
    { method: 'POST', host: headers.host, path: '/_bulk', headers: { ...headers }, body: rawBody, service: 'es', region: 'eu-west-1' },
    CREDENTIALS,
  );
  return {
    method: 'POST',
    path: '/_bulk',
    query: {},
    url: '/_bulk',
    headers: { ...headers, authorization: String(signed.headers?.Authorization) },
    rawBody,
    body: rawBody.toString('utf8'),
  };
}

describe('sigV4Problem (the fake\'s signature check)', () => {
  it('verifies a request signed in the past against its own x-amz-date, not the clock', () => {
    // Signing and checking in different seconds (a loaded machine) must not matter.
    expect(sigV4Problem(signedAt(new Date('2026-01-15T10:20:30Z')), CREDENTIALS)).toBeUndefined();
  });

  it('still refuses a wrong secret', () => {
    const problem = sigV4Problem(signedAt(new Date('2026-01-15T10:20:30Z')), { ...CREDENTIALS, secretAccessKey: 'other' });
    expect(problem).toMatch(/^signature differs/);
  });
});
