import { describe, expect, it } from 'vitest';
import { TOO_LARGE, TOO_LARGE_KEEP_CHARS, deadLetterDocument, deadLetterIndex } from '../../functions/sinks/deadletter';
import type { LogDocument } from '../../functions/pipeline/types';

const now = new Date('2026-11-22T23:59:59.500Z');
const cloudwatch = { log_group: '/aws/lambda/f', log_stream: 's', event_id: '3' };
const original: LogDocument = {
  index: 'cwl-lambda-2026.11.21',
  id: '3',
  dataset: 'aws.lambda',
  source: { '@timestamp': '2026-11-21T10:00:00.000Z', message: 'REPORT x', event: { dataset: 'aws.lambda' }, aws: { cloudwatch }, lambda: { duration_ms: 'abc' } },
};

describe('deadLetterIndex', () => {
  it.each([
    ['cwl', '2026-11-22T23:59:59.500Z', 'cwl-deadletter-2026.11.22'],
    ['logs', '2024-01-05T00:00:00.000Z', 'logs-deadletter-2024.01.05'],
  ])('%s at %s -> %s', (prefix, at, expected) => {
    expect(deadLetterIndex(prefix, new Date(at))).toBe(expected);
  });
});

describe('deadLetterDocument', () => {
  it('has the shared dead-letter shape', () => {
    const error = { type: 'mapper_parsing_exception', reason: 'failed to parse field [lambda.duration_ms]' };
    expect(deadLetterDocument(original, 400, error, 'cwl', now)).toEqual({
      index: 'cwl-deadletter-2026.11.21',
      id: '3',
      dataset: 'deadletter',
      source: {
        '@timestamp': original.source['@timestamp'],
        event: { dataset: 'deadletter', ingested: '2026-11-22T23:59:59.500Z' },
        tags: ['deadletter'],
        message: 'REPORT x',
        aws: { cloudwatch },
        deadletter: { index: 'cwl-lambda-2026.11.21', id: '3', dataset: 'aws.lambda', status: 400, document: JSON.stringify(original.source) },
        error,
      },
    });
  });

  it('lands in the same index when the same document is refused again on a later day', () => {
    const error = { type: 'mapper_parsing_exception', reason: 'x' };
    const today = deadLetterDocument(original, 400, error, 'cwl', now);
    const nextWeek = deadLetterDocument(original, 400, error, 'cwl', new Date('2026-11-29T03:00:00Z'));
    expect([nextWeek.index, nextWeek.id]).toEqual([today.index, today.id]);
    expect(nextWeek.source.event).toEqual({ dataset: 'deadletter', ingested: '2026-11-29T03:00:00.000Z' });
  });

  it('uses the time of refusal when the original has no readable @timestamp', () => {
    const bare: LogDocument = { index: 'i', id: '1', dataset: 'd', source: { '@timestamp': 'not a time' } };
    expect(deadLetterDocument(bare, 400, { type: 't', reason: 'r' }, 'cwl', now).index).toBe('cwl-deadletter-2026.11.22');
  });

  it('leaves out message and aws when the original has none', () => {
    const bare: LogDocument = { index: 'i', id: '1', dataset: 'd', source: { a: 1 } };
    const source = deadLetterDocument(bare, 400, { type: 't', reason: 'r' }, 'cwl', now).source;
    expect(source).not.toHaveProperty('message');
    expect(source).not.toHaveProperty('aws');
    expect(JSON.parse((source.deadletter as { document: string }).document)).toEqual({ a: 1 });
  });

  it('truncates message and document of a too-large document and tags it', () => {
    const huge: LogDocument = { ...original, source: { ...original.source, message: 'x'.repeat(TOO_LARGE_KEEP_CHARS * 2) } };
    const source = deadLetterDocument(huge, 413, TOO_LARGE, 'cwl', now).source;
    expect((source.message as string).length).toBe(TOO_LARGE_KEEP_CHARS);
    expect((source.deadletter as { document: string }).document.length).toBe(TOO_LARGE_KEEP_CHARS);
    expect(source.tags).toEqual(['deadletter', 'truncated']);
    expect(source.error).toEqual({ type: 'request_too_large', reason: 'request too large' });
  });

  it('does not truncate a long document rejected for another reason', () => {
    const long: LogDocument = { ...original, source: { ...original.source, message: 'x'.repeat(TOO_LARGE_KEEP_CHARS * 2) } };
    const source = deadLetterDocument(long, 400, { type: 't', reason: 'r' }, 'cwl', now).source;
    expect((source.message as string).length).toBe(TOO_LARGE_KEEP_CHARS * 2);
    expect(source.tags).toEqual(['deadletter']);
  });
});
