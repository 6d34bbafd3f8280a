import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadBulkTuning, loadOpenSearchConfig, loadPipelineConfig } from '../../functions/pipeline/config';
import { ConfigError } from '../../functions/pipeline/errors';

function configError(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadOpenSearchConfig', () => {
  it.each([
    ['search-logs-abc.eu-west-1.es.amazonaws.com', {}, { endpoint: 'https://search-logs-abc.eu-west-1.es.amazonaws.com', auth: 'sigv4', region: 'eu-west-1' }],
    ['https://abc123.us-east-1.aoss.amazonaws.com', {}, { auth: 'sigv4-aoss', region: 'us-east-1' }],
    // The host's region signs, even when the caller runs elsewhere (cross-region domain).
    ['https://vpc-x.eu-west-1.es.amazonaws.com', { AWS_REGION: 'eu-central-1' }, { region: 'eu-west-1' }],
    ['https://logs.example.com', { OPENSEARCH_AUTH: 'sigv4', AWS_REGION: 'eu-central-1' }, { region: 'eu-central-1' }],
    ['https://logs.example.com', { OPENSEARCH_AUTH: 'sigv4', AWS_REGION: 'eu-central-1', OPENSEARCH_REGION: 'ap-south-1' }, { region: 'ap-south-1' }],
    ['http://127.0.0.1:9200/', {}, { endpoint: 'http://127.0.0.1:9200', auth: 'none', compression: true, requestTimeoutMs: 30_000 }],
    ['https://os.internal', { OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: 'u', OPENSEARCH_PASSWORD: 'p' }, { auth: 'basic', username: 'u', password: 'p' }],
    ['http://localhost:9200', { OPENSEARCH_COMPRESSION: 'false', OPENSEARCH_REQUEST_TIMEOUT_MS: '5000' }, { compression: false, requestTimeoutMs: 5000 }],
  ])('%s with %j', (endpoint, env, expected) => {
    expect(loadOpenSearchConfig({ ...env, OPENSEARCH_ENDPOINT: endpoint })).toMatchObject(expected);
  });

  it('names the flag when the endpoint came from --to', () => {
    const error = configError(() => loadOpenSearchConfig({}, 's3://bucket', '--to'));
    expect(error.message).toBe('--to: "s3://bucket" must use http or https, not s3:');
  });

  it.each([
    [{}, 'OPENSEARCH_ENDPOINT', /is required/],
    [{ OPENSEARCH_ENDPOINT: 'ftp://x' }, 'OPENSEARCH_ENDPOINT', /http or https/],
    [{ OPENSEARCH_ENDPOINT: 'http://x:9200?a=1' }, 'OPENSEARCH_ENDPOINT', /query/],
    [{ OPENSEARCH_ENDPOINT: 'http://x', OPENSEARCH_AUTH: 'kerberos' }, 'OPENSEARCH_AUTH', /not one of sigv4, sigv4-aoss, basic, none/],
    [{ OPENSEARCH_ENDPOINT: 'http://x', OPENSEARCH_AUTH: 'sigv4' }, 'AWS_REGION', /is required to sign/],
    [{ OPENSEARCH_ENDPOINT: 'http://x', OPENSEARCH_AUTH: 'basic' }, 'OPENSEARCH_USERNAME', /required/],
    [{ OPENSEARCH_ENDPOINT: 'http://x', OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: 'u' }, 'OPENSEARCH_PASSWORD', /required/],
    [{ OPENSEARCH_ENDPOINT: 'http://x', OPENSEARCH_COMPRESSION: 'maybe' }, 'OPENSEARCH_COMPRESSION', /not a boolean/],
    [{ OPENSEARCH_ENDPOINT: 'http://x', OPENSEARCH_REQUEST_TIMEOUT_MS: '1e3' }, 'OPENSEARCH_REQUEST_TIMEOUT_MS', /whole number/],
  ])('rejects %j naming %s', (env, variable, message) => {
    const error = configError(() => loadOpenSearchConfig(env));
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^${variable}: `));
    expect(error.message).toMatch(message);
  });
});

describe('loadPipelineConfig', () => {
  it('has working defaults', () => {
    expect(loadPipelineConfig({})).toEqual({
      indexing: { prefix: 'cwl', naming: 'per-source', bulkMaxBytes: DEFAULTS.bulkMaxBytes, bulkMaxDocuments: DEFAULTS.bulkMaxDocuments },
      routes: {},
      userParsers: [],
      maxDecompressedBytes: DEFAULTS.maxDecompressedBytes,
    });
  });

  it('reads every setting', () => {
    const config = loadPipelineConfig({
      INDEX_PREFIX: 'logs_prod',
      INDEX_NAMING: 'per-log-group',
      BULK_MAX_BYTES: '1048576',
      BULK_MAX_DOCUMENTS: '500',
      MAX_DECOMPRESSED_BYTES: '2048',
      ROUTE_ATHENA_CLOUDTRAIL: 'org-trail, /custom/trail-*',
      ROUTE_LAMBDA: ' ',
    });
    expect(config).toEqual({
      indexing: { prefix: 'logs_prod', naming: 'per-log-group', bulkMaxBytes: 1048576, bulkMaxDocuments: 500 },
      routes: { 'athena-cloudtrail': ['org-trail', '/custom/trail-*'] },
      userParsers: [],
      maxDecompressedBytes: 2048,
    });
  });

  it.each([
    [{ INDEX_PREFIX: 'Logs' }, 'INDEX_PREFIX'],
    [{ INDEX_PREFIX: '-x' }, 'INDEX_PREFIX'],
    [{ INDEX_PREFIX: 'a:b' }, 'INDEX_PREFIX'],
    [{ INDEX_NAMING: 'hourly' }, 'INDEX_NAMING'],
    [{ BULK_MAX_BYTES: '10' }, 'BULK_MAX_BYTES'],
    [{ BULK_MAX_DOCUMENTS: '0' }, 'BULK_MAX_DOCUMENTS'],
    [{ MAX_DECOMPRESSED_BYTES: 'lots' }, 'MAX_DECOMPRESSED_BYTES'],
  ])('rejects %j naming %s', (env, variable) => {
    expect(configError(() => loadPipelineConfig(env)).variable).toBe(variable);
  });
});

describe('loadBulkTuning', () => {
  it('defaults to the sink policy and reads overrides', () => {
    expect(loadBulkTuning({})).toEqual({ retry: { baseDelayMs: 100, maxDelayMs: 5000, maxAttempts: 8 }, concurrency: 1 });
    expect(loadBulkTuning({ BULK_RETRY_BASE_DELAY_MS: '50', BULK_RETRY_MAX_DELAY_MS: '800', BULK_RETRY_MAX_ATTEMPTS: '3', BULK_CONCURRENCY: '4' })).toEqual({
      retry: { baseDelayMs: 50, maxDelayMs: 800, maxAttempts: 3 },
      concurrency: 4,
    });
  });

  it.each([
    [{ BULK_CONCURRENCY: '0' }, 'BULK_CONCURRENCY'],
    [{ BULK_RETRY_MAX_ATTEMPTS: 'x' }, 'BULK_RETRY_MAX_ATTEMPTS'],
    [{ BULK_RETRY_BASE_DELAY_MS: '500', BULK_RETRY_MAX_DELAY_MS: '100' }, 'BULK_RETRY_MAX_DELAY_MS'],
  ])('rejects %j naming %s', (env, variable) => {
    expect(configError(() => loadBulkTuning(env)).variable).toBe(variable);
  });
});
