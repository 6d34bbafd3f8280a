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
    expect(readBulkItems({ errors: true, items: [{ create: {} }] }, 1)).toEqual([{ status: undefined }]);
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
  ])('reads %j', (body, expected) => {
    expect(readError(body)).toEqual(expected);
  });
});
