import { describe, expect, it } from 'vitest';
import { indexName, logGroupSlug, utcDay } from '../../functions/pipeline/index-name';

const FORBIDDEN = /[\\/*?"<>|,#:\sA-Z]/;

describe('indexName', () => {
  it.each([
    ['cwl', 'rds-mysql-slowquery', '2026-11-22T10:00:00.000Z', 'cwl-rds-mysql-slowquery-2026.11.22'],
    ['logs', 'lambda', '2026-01-01T00:00:00Z', 'logs-lambda-2026.01.01'],
    // An offset time belongs to the UTC day it falls on, not to its local day.
    ['cwl', 'generic', '2026-11-22T01:30:00+05:00', 'cwl-generic-2026.11.21'],
    ['cwl', 'athena-cloudtrail', '2026-12-31T23:59:59.999Z', 'cwl-athena-cloudtrail-2026.12.31'],
  ])('per source: %s %s %s -> %s', (prefix, slug, timestamp, expected) => {
    expect(indexName({ prefix, slug, timestamp, naming: 'per-source', logGroup: '/ignored' })).toBe(expected);
  });

  it.each([
    ['/aws/lambda/Orders-API', 'cwl-lambda-aws-lambda-orders-api-2026.11.22'],
    ['/aws/rds/instance/db-1/slowquery', 'cwl-lambda-aws-rds-instance-db-1-slowquery-2026.11.22'],
    ['aws-cloudtrail-logs-123456789012-5f3a9c1d', 'cwl-lambda-aws-cloudtrail-logs-123456789012-5f3a9c1d-2026.11.22'],
    ['my#group:with,odd*chars', 'cwl-lambda-my_group_with_odd_chars-2026.11.22'],
    ['//leading', 'cwl-lambda-leading-2026.11.22'],
  ])('per log group: %s -> %s', (logGroup, expected) => {
    expect(indexName({ prefix: 'cwl', slug: 'lambda', timestamp: '2026-11-22T10:00:00Z', naming: 'per-log-group', logGroup })).toBe(expected);
  });

  it('keeps a name from a 512-character log group under 255 bytes and valid', () => {
    const logGroup = `/aws/lambda/${'a'.repeat(500)}`;
    const name = indexName({ prefix: 'cwl', slug: 'rds-mysql-slowquery', timestamp: '2026-11-22T00:00:00Z', naming: 'per-log-group', logGroup });
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    expect(name).toMatch(/-2026\.11\.22$/);
    expect(name).not.toMatch(FORBIDDEN);
    expect(name).not.toMatch(/^[-_+]/);
  });
});

describe('logGroupSlug', () => {
  it.each([
    ['/aws/lambda/fn', 'aws-lambda-fn'],
    ['UPPER/Case', 'upper-case'],
    ['a b', 'a_b'],
    ['/', 'unnamed'],
  ])('%s -> %s', (logGroup, expected) => {
    expect(logGroupSlug(logGroup)).toBe(expected);
  });
});

describe('utcDay', () => {
  it('reads the UTC date of non-UTC input', () => {
    expect(utcDay('2026-11-22T23:30:00-02:00')).toBe('2026.11.23');
  });
});
