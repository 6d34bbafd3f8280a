import { describe, expect, it } from 'vitest';
import { classifyItem, classifyRequestFailure, readBulkItems, readError } from '../../functions/sinks/bulk-response';
import type { BulkItem, ItemOutcome, RequestFailure } from '../../functions/sinks/bulk-response';

const error = (type: string, reason = 'r') => ({ type, reason });

describe('classifyItem', () => {
  it.each<[string, BulkItem, ItemOutcome]>([
    ['201 created', { status: 201 }, 'done'],
    ['200 updated', { status: 200 }, 'done'],
    ['409 on create', { status: 409, error: error('version_conflict_engine_exception') }, 'duplicate'],
    ['409 without error body (filtered reply)', { status: 409 }, 'duplicate'],
    ['429 rejected execution', { status: 429, error: error('es_rejected_execution_exception') }, 'retryable'],
    ['429 circuit breaker', { status: 429, error: error('circuit_breaking_exception') }, 'retryable'],
    ['429 without error body', { status: 429 }, 'retryable'],
    ['500', { status: 500, error: error('exception') }, 'retryable'],
    ['503 unavailable shards', { status: 503, error: error('unavailable_shards_exception') }, 'retryable'],
    ['408', { status: 408 }, 'retryable'],
    ['no status', { status: undefined }, 'retryable'],
    ['429 flood-stage block', { status: 429, error: error('cluster_block_exception', 'index [x] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];') }, 'blocked'],
    ['403 read-only block', { status: 403, error: error('cluster_block_exception', 'blocked by: [FORBIDDEN/8/index write (api)];') }, 'blocked'],
    ['403 no permission', { status: 403, error: error('security_exception', 'no permissions for [indices:data/write/bulk[s]]') }, 'blocked'],
    ['400 mapper parsing', { status: 400, error: error('mapper_parsing_exception') }, 'rejected'],
    ['400 strict mapping', { status: 400, error: error('strict_dynamic_mapping_exception') }, 'rejected'],
    ['400 illegal argument', { status: 400, error: error('illegal_argument_exception') }, 'rejected'],
    ['400 invalid index name', { status: 400, error: error('invalid_index_name_exception') }, 'rejected'],
    ['404 index not found', { status: 404, error: error('index_not_found_exception') }, 'rejected'],
    // OpenSearch's own name for a full write queue, and the older Elasticsearch one.
    ['429 rejected_execution_exception', { status: 429, error: error('rejected_execution_exception') }, 'retryable'],
    // The retryable types decide over a status that alone would mean a permanent rejection.
    ['400 es_rejected_execution_exception', { status: 400, error: error('es_rejected_execution_exception') }, 'retryable'],
    ['400 rejected_execution_exception', { status: 400, error: error('rejected_execution_exception') }, 'retryable'],
    ['400 circuit_breaking_exception', { status: 400, error: error('circuit_breaking_exception') }, 'retryable'],
    ['no status, version conflict', { status: undefined, error: error('version_conflict_engine_exception') }, 'duplicate'],
    ['no status, cluster block', { status: undefined, error: error('cluster_block_exception') }, 'blocked'],
    ['no status, mapping error', { status: undefined, error: error('mapper_parsing_exception') }, 'retryable'],
    ['2xx with an error object', { status: 201, error: error('exception') }, 'retryable'],
    ['299', { status: 299 }, 'done'],
    ['100 continue', { status: 100 }, 'retryable'],
    ['199', { status: 199 }, 'retryable'],
    ['300', { status: 300 }, 'retryable'],
    ['301 redirect', { status: 301 }, 'retryable'],
    ['399', { status: 399 }, 'retryable'],
    ['499', { status: 499, error: error('exception') }, 'rejected'],
    ['500 without error', { status: 500 }, 'retryable'],
    ['0', { status: 0 }, 'retryable'],
  ])('%s -> %s', (_name, item, expected) => {
    expect(classifyItem(item)).toBe(expected);
  });
});

describe('classifyRequestFailure', () => {
  it.each<[number, ReturnType<typeof error> | undefined, RequestFailure]>([
    [413, undefined, 'split'],
    [413, error('error', 'Request size exceeded 10485760 bytes'), 'split'],
    [429, error('es_rejected_execution_exception'), 'retry'],
    [429, undefined, 'retry'],
    [500, undefined, 'retry'],
    [502, undefined, 'retry'],
    [503, error('cluster_manager_not_discovered_exception'), 'retry'],
    [504, undefined, 'retry'],
    [408, undefined, 'retry'],
    [403, error('cluster_block_exception'), 'blocked'],
    [429, error('cluster_block_exception'), 'blocked'],
    [400, error('illegal_argument_exception'), 'fatal'],
    [401, undefined, 'fatal'],
    [403, error('security_exception'), 'fatal'],
    [404, error('index_not_found_exception'), 'fatal'],
    [429, error('rejected_execution_exception'), 'retry'],
    [499, undefined, 'fatal'],
    [599, undefined, 'retry'],
    [301, undefined, 'fatal'],
    [413, error('cluster_block_exception'), 'blocked'],
  ])('HTTP %i %j -> %s', (status, cause, expected) => {
    expect(classifyRequestFailure(status, cause)).toBe(expected);
  });
});

describe('readBulkItems', () => {
  it('unwraps the action key and keeps request order', () => {
    const body = {
      errors: true,
      items: [
        { create: { status: 201 } },
        { create: { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'exists' } } },
        { index: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad' } } },
      ],
    };
    expect(readBulkItems(body, 3)).toEqual([
      { status: 201 },
      { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'exists' } },
      { status: 400, error: { type: 'mapper_parsing_exception', reason: 'bad' } },
    ]);
  });

  it('treats a reply with errors:false and no items (filtered away) as all done', () => {
    expect(readBulkItems({ errors: false }, 2)).toEqual([{ status: 200 }, { status: 200 }]);
  });

  it.each([
    ['a count mismatch', { errors: false, items: [{ create: { status: 201 } }] }, 2, /1 items for 2/],
    ['no items with errors', { errors: true }, 1, /no items/],
    ['not an object', 'oops', 1, /not a JSON object/],
  ])('reports %s', (_name, body, expected, message) => {
    expect(readBulkItems(body, expected)).toMatch(message);
  });

  it('marks an item without a status as such', () => {
    expect(readBulkItems({ errors: true, items: [{ create: {} }] }, 1)).toStrictEqual([{ status: undefined }]);
  });

  it('reads malformed items as items without a status, never throwing', () => {
    const items = [null, {}, { create: null }, { create: 'created' }, [201], { create: { status: '201' } }];
    expect(readBulkItems({ errors: true, items }, items.length)).toStrictEqual(items.map(() => ({ status: undefined })));
  });

  it('keeps the error of an item and leaves the key out when there is none', () => {
    expect(readBulkItems({ errors: true, items: [{ create: { status: 400, error: 'bad' } }, { create: { status: 201, error: 7 } }] }, 2)).toStrictEqual([
      { status: 400, error: { type: 'error', reason: 'bad' } },
      { status: 201 },
    ]);
  });

  it.each([
    ['a null body', null],
    ['an array body', []],
    ['an empty body', ''],
    ['no body', undefined],
  ])('reports %s as not a JSON object', (_name, body) => {
    expect(readBulkItems(body, 1)).toBe('bulk reply is not a JSON object');
  });

  it('reports an empty object and items that are not a list as having no items', () => {
    expect(readBulkItems({}, 1)).toBe('bulk reply has no items');
    expect(readBulkItems({ errors: true, items: { 0: { create: { status: 201 } } } }, 1)).toBe('bulk reply has no items');
  });
});

describe('readError', () => {
  it.each([
    [{ error: { root_cause: [], type: 't', reason: 'r' }, status: 400 }, { type: 't', reason: 'r' }],
    [{ type: 't', reason: 'r' }, { type: 't', reason: 'r' }],
    [{ Message: 'Request size exceeded 10485760 bytes' }, { type: 'error', reason: 'Request size exceeded 10485760 bytes' }],
    [{ message: 'Forbidden' }, { type: 'error', reason: 'Forbidden' }],
    ['<html>413</html>', { type: 'error', reason: '<html>413</html>' }],
    [undefined, undefined],
    [{}, undefined],
    [null, undefined],
    [['t'], undefined],
    [{ type: 't' }, { type: 't', reason: '' }],
    [{ type: 't', reason: 5 }, { type: 't', reason: '' }],
    [{ type: 5, reason: 'r' }, undefined],
    [{ error: 'no handler found for uri [/_bulkk]', status: 400 }, { type: 'error', reason: 'no handler found for uri [/_bulkk]' }],
    [{ error: { message: 'inner' } }, { type: 'error', reason: 'inner' }],
    [{ Message: 'upper', message: 'lower' }, { type: 'error', reason: 'upper' }],
    [{ message: 5 }, undefined],
    // OpenSearch's error with its cause: the outer type and reason are what classify it.
    [
      { error: { root_cause: [{ type: 'a', reason: 'ra' }], type: 'b', reason: 'rb', caused_by: { type: 'c', reason: 'rc' } }, status: 400 },
      { type: 'b', reason: 'rb' },
    ],
  ])('reads %j', (body, expected) => {
    expect(readError(body)).toEqual(expected);
  });
});
