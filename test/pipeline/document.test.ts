import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import type { ParseResult } from '../../parsers/types';
import { buildDocument, mergeFields } from '../../functions/pipeline/document';
import { eventId, makeBatch } from '../helpers/batches';

const registry = createRegistry();
const indexing = { prefix: 'cwl', naming: 'per-source', bulkMaxBytes: 5_000_000, bulkMaxDocuments: 1000 } as const;

function build(result: ParseResult, logGroup = '/ecs/app', region?: string) {
  const batch = makeBatch(logGroup, ['the message']);
  return buildDocument(batch.logEvents[0]!, result, {
    batch,
    entry: registry.route(logGroup),
    resolve: registry.get,
    indexing,
    ingested: '2026-11-22T12:00:00.000Z',
    ...(region !== undefined && { region }),
  });
}

describe('buildDocument', () => {
  it('builds the envelope from the batch and the event', () => {
    const document = build({ ok: true, fields: {} }, '/ecs/app', 'eu-west-1');
    // index, id and dataset are getters (read from the parse result on first use), not own fields.
    expect({ index: document.index, id: document.id, dataset: document.dataset, source: document.source }).toEqual({
      index: 'cwl-generic-2026.11.22',
      id: eventId('/ecs/app', 0),
      dataset: 'cloudwatch.generic',
      source: {
        '@timestamp': '2026-11-22T08:00:00.000Z',
        message: 'the message',
        event: { dataset: 'cloudwatch.generic', ingested: '2026-11-22T12:00:00.000Z' },
        aws: {
          cloudwatch: {
            log_group: '/ecs/app',
            log_stream: 'stream-1',
            event_id: eventId('/ecs/app', 0),
          },
        },
        cloud: { account: { id: '123456789012' }, region: 'eu-west-1' },
      },
    });
  });

  it('leaves the account out when the batch does not know it', () => {
    const batch = makeBatch('/ecs/app', ['x'], { owner: '' });
    const document = buildDocument(batch.logEvents[0]!, { ok: true, fields: {} }, {
      batch,
      entry: registry.route('/ecs/app'),
      resolve: registry.get,
      indexing,
      ingested: '2026-11-22T12:00:00.000Z',
    });
    expect(document.source).not.toHaveProperty('cloud');
  });

  it('takes the time, id, region and tags the parser read from the message', () => {
    const document = build(
      { ok: true, fields: { event: { action: 'StartQueryExecution' } }, timestamp: '2026-11-20T23:59:59Z', id: 'event-id-1', region: 'us-east-2', tags: ['cold_start'] },
      'aws-cloudtrail-logs-1-abc',
      'eu-west-1',
    );
    expect(document.index).toBe('cwl-athena-cloudtrail-2026.11.20');
    expect(document.id).toBe('event-id-1');
    expect(document.source).toMatchObject({
      '@timestamp': '2026-11-20T23:59:59Z',
      event: { dataset: 'aws.athena', action: 'StartQueryExecution' },
      cloud: { region: 'us-east-2' },
      tags: ['cold_start'],
    });
  });

  it('normalises an offset time to UTC and ignores one that is not a date', () => {
    expect(build({ ok: true, fields: {}, timestamp: '2026-11-22T01:00:00+02:00' }).source['@timestamp']).toBe('2026-11-21T23:00:00.000Z');
    const fallback = build({ ok: true, fields: {}, timestamp: 'margdl' });
    expect(fallback.source['@timestamp']).toBe('2026-11-22T08:00:00.000Z');
  });

  it.each(['0000-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00', '+010000-01-01T00:00:00.000Z', '-000001-12-31T23:00:00.000Z'])(
    'takes the CloudWatch time when a parser gives a time outside the years 0000-9999 in UTC (%s)',
    (timestamp) => {
      const document = build({ ok: true, fields: {}, timestamp });
      expect(document.source['@timestamp']).toBe('2026-11-22T08:00:00.000Z');
      expect(document.index).toBe('cwl-generic-2026.11.22');
    },
  );

  it('ships a parse failure with its reason and whatever was read', () => {
    const document = build({ ok: false, reason: 'no # Query_time line', fields: { aws: { rds: { db_instance: 'db-1' } } } }, '/aws/rds/instance/db-1/slowquery');
    expect(document.index).toBe('cwl-rds-mysql-slowquery-2026.11.22');
    expect(document.source).toMatchObject({
      tags: ['parse_failure'],
      error: { message: 'no # Query_time line' },
      message: 'the message',
      aws: { rds: { db_instance: 'db-1' } },
    });
  });

  it('sends a result that belongs to another dataset to that dataset and index', () => {
    const document = build({ ok: true, belongsTo: 'generic', fields: { cloudwatch: { json: { eventSource: 's3.amazonaws.com' } } } }, 'aws-cloudtrail-logs-1-abc');
    expect(document.dataset).toBe('cloudwatch.generic');
    expect(document.index).toBe('cwl-generic-2026.11.22');
    expect(document.source).toMatchObject({ event: { dataset: 'cloudwatch.generic' } });
  });

  it('never lets parsed fields overwrite the envelope', () => {
    const document = build({ ok: true, fields: { event: { dataset: 'spoofed' }, aws: { cloudwatch: { log_group: 'x' } } } });
    expect(document.source).toMatchObject({ event: { dataset: 'cloudwatch.generic' }, aws: { cloudwatch: { log_group: '/ecs/app' } } });
  });
});

describe('mergeFields', () => {
  it('merges nested objects and keeps existing leaves', () => {
    const target = { a: { b: 1 }, c: 1 };
    mergeFields(target, { a: { d: 2 }, c: 2, e: [1], f: undefined });
    expect(target).toEqual({ a: { b: 1, d: 2 }, c: 1, e: [1] });
  });
});
