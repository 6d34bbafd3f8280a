import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import {
  FakeOpenSearch,
  ITEM_ERRORS,
  REQUEST_FAULTS,
  basicHeader,
  filterPath,
  startFakeOpenSearch,
} from '../helpers/fake-opensearch';

// The fake is the ground truth of every sink test, so its own protocol is checked here
// with plain fetch (no client) against the documented OpenSearch reply shapes.

let fake: FakeOpenSearch;

beforeEach(async () => {
  fake = await startFakeOpenSearch();
});
afterEach(async () => {
  await fake.close();
});

async function call(
  method: string,
  path: string,
  body?: string | Buffer | object,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const payload = body === undefined || typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const response = await fetch(`${fake.url}${path}`, { method, headers, body: payload });
  const text = await response.text();
  return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

function ndjson(...lines: object[]): string {
  return lines.map((line) => `${JSON.stringify(line)}\n`).join('');
}

describe('fake-opensearch _bulk', () => {
  it('creates documents and answers 409 version_conflict_engine_exception for an existing id', async () => {
    const body = ndjson({ create: { _index: 'a', _id: '1' } }, { n: 1 }, { create: { _index: 'a', _id: '1' } }, { n: 2 });
    const { status, json } = await call('POST', '/_bulk', body, { 'content-type': 'application/x-ndjson' });
    expect(status).toBe(200);
    expect(json).toMatchObject({
      errors: true,
      items: [
        { create: { _index: 'a', _id: '1', status: 201, result: 'created' } },
        { create: { _index: 'a', _id: '1', status: 409, error: { type: 'version_conflict_engine_exception' } } },
      ],
    });
    // As the real engine answers (test/real-engine): the error names the index, shard and index uuid.
    const conflict = (json as { items: { create: { error: Record<string, unknown> } }[] }).items[1]!.create.error;
    expect(Object.keys(conflict).sort()).toEqual(['index', 'index_uuid', 'reason', 'shard', 'type']);
    expect(fake.get('a', '1')?.source).toEqual({ n: 1 });
  });

  it('accepts gzip bodies and records both wire and decoded bytes', async () => {
    const body = ndjson({ index: { _index: 'b', _id: 'x' } }, { v: 'é' });
    const { json } = await call('POST', '/_bulk', gzipSync(body), { 'content-encoding': 'gzip' });
    expect(json).toMatchObject({ errors: false, items: [{ index: { status: 201 } }] });
    const recorded = fake.requests[0];
    expect(recorded?.body).toBe(body);
    expect(recorded?.rawBody.equals(gzipSync(body))).toBe(true);
    expect(fake.get('b', 'x')?.source).toEqual({ v: 'é' });
  });

  it('applies update with doc (deep merge) and doc_as_upsert, and 404 without upsert', async () => {
    fake.put('c', '1', { a: { x: 1 }, keep: true });
    const body = ndjson(
      { update: { _index: 'c', _id: '1' } },
      { doc: { a: { y: 2 } } },
      { update: { _index: 'c', _id: '2' } },
      { doc: { z: 1 }, doc_as_upsert: true },
      { update: { _index: 'c', _id: '3' } },
      { doc: { z: 1 } },
    );
    const { json } = await call('POST', '/_bulk', body);
    expect(json).toMatchObject({
      items: [
        { update: { status: 200, result: 'updated' } },
        { update: { status: 201, result: 'created' } },
        { update: { status: 404, error: { type: 'document_missing_exception' } } },
      ],
    });
    expect(fake.get('c', '1')?.source).toEqual({ a: { x: 1, y: 2 }, keep: true });
    expect(fake.get('c', '2')?.source).toEqual({ z: 1 });
  });

  it.each([
    ['no final newline', '{"create":{"_index":"a","_id":"1"}}\n{"n":1}', 'illegal_argument_exception'],
    ['a line that is not JSON', '{"create":{"_index":"a","_id":"1"}}\nnot json\n', 'parse_exception'],
    ['an unknown action', '{"upsert":{"_index":"a","_id":"1"}}\n{}\n', 'illegal_argument_exception'],
  ])('rejects a body with %s (whole request 400)', async (_name, body, type) => {
    const { status, json } = await call('POST', '/_bulk', body);
    expect(status).toBe(400);
    expect(json).toMatchObject({ status: 400, error: { type } });
    expect(fake.count()).toBe(0);
  });

  it('rejects invalid index names per item (400 invalid_index_name_exception)', async () => {
    const { json } = await call('POST', '/_bulk', ndjson({ create: { _index: 'Upper', _id: '1' } }, {}));
    expect(json).toMatchObject({ items: [{ create: { status: 400, error: { type: 'invalid_index_name_exception' } } }] });
  });

  it('uses the index from the path when the action line has none', async () => {
    await call('POST', '/d/_bulk', ndjson({ create: { _id: '1' } }, { n: 1 }));
    expect(fake.get('d', '1')).toBeDefined();
  });

  it('applies filter_path to the reply', async () => {
    const { json } = await call(
      'POST',
      '/_bulk?filter_path=errors,items.*.status,items.*.error.type',
      ndjson({ create: { _index: 'a', _id: '1' } }, {}, { create: { _index: 'a', _id: '1' } }, {}),
    );
    expect(json).toEqual({
      errors: true,
      items: [{ create: { status: 201 } }, { create: { status: 409, error: { type: 'version_conflict_engine_exception' } } }],
    });
  });
});

describe('fake-opensearch faults', () => {
  it('fails items by id for a limited number of times per id', async () => {
    fake.failItems(['1'], ITEM_ERRORS.rejectedExecution, 1);
    const body = ndjson({ create: { _index: 'a', _id: '1' } }, {}, { create: { _index: 'a', _id: '2' } }, {});
    const first = await call('POST', '/_bulk', body);
    expect(first.json).toMatchObject({
      errors: true,
      items: [{ create: { status: 429, error: { type: 'rejected_execution_exception' } } }, { create: { status: 201 } }],
    });
    const second = await call('POST', '/_bulk', ndjson({ create: { _index: 'a', _id: '1' } }, {}));
    expect(second.json).toMatchObject({ errors: false, items: [{ create: { status: 201 } }] });
  });

  it('fails items by predicate', async () => {
    fake.failItems((item) => item.source?.bad === true, ITEM_ERRORS.mapperParsing);
    const { json } = await call('POST', '/_bulk', ndjson({ create: { _index: 'a', _id: '1' } }, { bad: true }, { create: { _index: 'a', _id: '2' } }, {}));
    expect(json).toMatchObject({ items: [{ create: { status: 400, error: { type: 'mapper_parsing_exception' } } }, { create: { status: 201 } }] });
    expect(fake.get('a', '1')).toBeUndefined();
  });

  it('answers queued request faults in order, then normally', async () => {
    fake.failRequests(REQUEST_FAULTS.tooLarge()).failRequests(REQUEST_FAULTS.unavailable());
    const body = ndjson({ create: { _index: 'a', _id: '1' } }, {});
    expect((await call('POST', '/_bulk', body)).status).toBe(413);
    expect(await call('POST', '/_bulk', body)).toMatchObject({ status: 503, json: { error: { type: 'cluster_manager_not_discovered_exception' } } });
    expect((await call('POST', '/_bulk', body)).status).toBe(200);
    expect(fake.count()).toBe(1);
  });

  it('drops the connection, optionally after applying the request', async () => {
    fake.failRequests(REQUEST_FAULTS.drop(true));
    await expect(call('POST', '/_bulk', ndjson({ create: { _index: 'a', _id: '1' } }, {}))).rejects.toThrow();
    expect(fake.get('a', '1')).toBeDefined();
  });

  it('answers 413 above maxBodyBytes', async () => {
    const small = await startFakeOpenSearch({ maxBodyBytes: 10 });
    try {
      const response = await fetch(`${small.url}/_bulk`, { method: 'POST', body: ndjson({ create: { _index: 'a', _id: '1' } }, {}) });
      expect(response.status).toBe(413);
    } finally {
      await small.close();
    }
  });

  // Checked against a real OpenSearch 2.19 node (test/real-engine): the engine's own
  // http.max_content_length counts the decompressed body and answers 413 with no body at all.
  it('answers a bodiless 413 above maxContentLength, counting the decompressed body as the engine does', async () => {
    const body = ndjson({ create: { _index: 'a', _id: '1' } }, { m: 'x'.repeat(200) });
    const small = await startFakeOpenSearch({ maxContentLength: 100 });
    try {
      const response = await fetch(`${small.url}/_bulk`, { method: 'POST', headers: { 'content-encoding': 'gzip' }, body: gzipSync(body) });
      expect(gzipSync(body).length).toBeLessThan(100);
      expect(response.status).toBe(413);
      expect(response.headers.get('content-length')).toBe('0');
      expect(await response.text()).toBe('');
    } finally {
      await small.close();
    }
  });

  it('answers an item 404 index_not_found_exception for a missing index when auto-creation is off', async () => {
    const strict = await startFakeOpenSearch({ autoCreateIndex: false });
    try {
      strict.put('there', 'seed', {});
      const body = ndjson({ create: { _index: 'missing', _id: '1' } }, {}, { create: { _index: 'there', _id: '2' } }, {});
      const response = await fetch(`${strict.url}/_bulk`, { method: 'POST', body });
      expect(await response.json()).toMatchObject({
        errors: true,
        items: [
          { create: { status: 404, error: { type: 'index_not_found_exception', reason: 'no such index [missing]', index: 'missing' } } },
          { create: { status: 201 } },
        ],
      });
      expect(strict.indices.has('missing')).toBe(false);
    } finally {
      await strict.close();
    }
  });

  it('nests caused_by in an item error, as OpenSearch does', async () => {
    fake.failItems(['1'], ITEM_ERRORS.mapperParsing);
    const { json } = await call('POST', '/_bulk', ndjson({ create: { _index: 'a', _id: '1' } }, {}));
    expect(json).toMatchObject({
      items: [{ create: { status: 400, error: { type: 'mapper_parsing_exception', caused_by: { type: 'number_format_exception', reason: 'For input string: "abc"' } } } }],
    });
  });

  it.each([
    ['a proxy 429 in plain text', REQUEST_FAULTS.tooManyRequestsText(), 429, 'text/plain', 'Too Many Requests'],
    ['a proxy 502 in HTML', REQUEST_FAULTS.gatewayHtml(502), 502, 'text/html', '<html><body><h1>502 Bad Gateway</h1></body></html>'],
    ['a self-managed 413 without a body', REQUEST_FAULTS.tooLargeSelfManaged(), 413, 'application/json; charset=UTF-8', ''],
  ])('answers %s', async (_name, fault, status, type, text) => {
    fake.failRequests(fault);
    const response = await fetch(`${fake.url}/_bulk`, { method: 'POST', body: ndjson({ create: { _index: 'a', _id: '1' } }, {}) });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe(type);
    expect(await response.text()).toBe(text);
  });

  it('answers a request-level cluster block as a cluster-wide read-only block does (403, FORBIDDEN/6)', async () => {
    fake.failRequests(REQUEST_FAULTS.clusterBlock());
    const { status, json } = await call('POST', '/_bulk', ndjson({ create: { _index: 'a', _id: '1' } }, {}));
    expect(status).toBe(403);
    expect(json).toMatchObject({ status: 403, error: { type: 'cluster_block_exception', reason: 'blocked by: [FORBIDDEN/6/cluster read-only (api)];' } });
  });

  it('fails an item with an index write block as the engine does (item 403, FORBIDDEN/8, HTTP 200)', async () => {
    fake.failItems(() => true, ITEM_ERRORS.indexWriteBlock);
    const { status, json } = await call('POST', '/_bulk', ndjson({ create: { _index: 'a', _id: '1' } }, {}));
    expect(status).toBe(200);
    expect(json).toMatchObject({
      errors: true,
      items: [{ create: { status: 403, error: { type: 'cluster_block_exception', reason: expect.stringContaining('FORBIDDEN/8/index write (api)') } } }],
    });
  });

  it('demands basic auth when configured', async () => {
    const secured = await startFakeOpenSearch({ basicAuth: { username: 'u', password: 'p' } });
    try {
      expect((await fetch(`${secured.url}/`)).status).toBe(401);
      expect((await fetch(`${secured.url}/`, { headers: { authorization: basicHeader('u', 'p') } })).status).toBe(200);
    } finally {
      await secured.close();
    }
  });
});

describe('fake-opensearch documents and search', () => {
  beforeEach(() => {
    fake.put('logs-2024.01.01', '1', { '@timestamp': '2024-01-01T10:00:00Z', event: { dataset: 'a' }, n: 5, tags: ['x'] });
    fake.put('logs-2024.01.02', '2', { '@timestamp': '2024-01-02T10:00:00Z', event: { dataset: 'b' }, n: 15 });
    fake.put('logs-2024.01.02', '3', { '@timestamp': '2024-01-02T12:00:00Z', event: { dataset: 'a' } });
    fake.put('other', '4', { n: 1 });
  });

  it('answers cluster info, GET and HEAD of documents', async () => {
    expect(await call('GET', '/')).toMatchObject({ status: 200, json: { version: { distribution: 'opensearch' } } });
    expect(await call('GET', '/logs-2024.01.01/_doc/1')).toMatchObject({ status: 200, json: { found: true, _source: { n: 5 } } });
    expect(await call('GET', '/logs-2024.01.01/_doc/9')).toMatchObject({ status: 404, json: { found: false } });
    expect((await call('HEAD', '/logs-2024.01.01/_doc/1')).status).toBe(200);
    expect((await call('HEAD', '/nope/_doc/1')).status).toBe(404);
  });

  it('partially updates with _update', async () => {
    const { status } = await call('POST', '/other/_update/4', { doc: { m: 2 } });
    expect(status).toBe(200);
    expect(fake.get('other', '4')?.source).toEqual({ n: 1, m: 2 });
  });

  it.each([
    ['match_all', { match_all: {} }, ['1', '2', '3']],
    ['term on a nested field', { term: { 'event.dataset': 'a' } }, ['1', '3']],
    ['term on .keyword', { term: { 'event.dataset.keyword': { value: 'b' } } }, ['2']],
    ['terms', { terms: { 'event.dataset': ['b', 'z'] } }, ['2']],
    ['term in an array', { term: { tags: 'x' } }, ['1']],
    ['range on numbers', { range: { n: { gt: 5 } } }, ['2']],
    ['range on dates', { range: { '@timestamp': { gte: '2024-01-02T00:00:00Z', lt: '2024-01-02T11:00:00Z' } } }, ['2']],
    ['exists', { exists: { field: 'n' } }, ['1', '2']],
    ['bool must/must_not', { bool: { filter: [{ term: { 'event.dataset': 'a' } }], must_not: [{ exists: { field: 'n' } }] } }, ['3']],
    ['bool should', { bool: { should: [{ term: { n: 5 } }, { term: { n: 15 } }] } }, ['1', '2']],
  ])('searches an index pattern with %s', async (_name, query, ids) => {
    const { json } = await call('POST', '/logs-*/_search', { query, size: 100, sort: [{ '@timestamp': { order: 'asc' } }] });
    const hits = (json as { hits: { hits: { _id: string }[]; total: { value: number } } }).hits;
    expect(hits.hits.map((hit) => hit._id)).toEqual(ids);
    expect(hits.total.value).toBe(ids.length);
    const counted = await call('POST', '/logs-*/_count', { query });
    expect(counted.json).toMatchObject({ count: ids.length });
  });

  it('sorts descending, limits size and pages with search_after', async () => {
    const first = await call('POST', '/logs-*,other/_search', { size: 2, sort: [{ n: 'desc' }] });
    const hits = (first.json as { hits: { hits: { _id: string; sort: unknown[] }[] } }).hits.hits;
    expect(hits.map((hit) => hit._id)).toEqual(['2', '1']);
    const next = await call('POST', '/logs-*,other/_search', { size: 2, sort: [{ n: 'desc' }], search_after: hits[1]?.sort });
    expect((next.json as { hits: { hits: { _id: string }[] } }).hits.hits.map((hit) => hit._id)).toEqual(['4', '3']);
  });

  it('answers 404 for a missing concrete index and 400 for an unknown query', async () => {
    expect((await call('POST', '/missing/_search', {})).status).toBe(404);
    expect((await call('POST', '/logs-*/_search', { query: { fuzzy: { a: 'b' } } })).status).toBe(400);
    expect((await call('POST', '/_refresh')).status).toBe(200);
  });
});

describe('fake-opensearch route API', () => {
  it('lets helpers add endpoints that win over built-ins', async () => {
    fake.route('PUT', /^\/_index_template\/([^/]+)$/, (request, match) => ({
      body: { acknowledged: true, name: match[1], received: JSON.parse(request.body) as unknown },
    }));
    const { json } = await call('PUT', '/_index_template/t1', { index_patterns: ['x-*'] });
    expect(json).toEqual({ acknowledged: true, name: 't1', received: { index_patterns: ['x-*'] } });
  });
});

describe('filterPath', () => {
  it.each([
    [{ a: 1, b: { c: 2, d: 3 } }, 'b.c', { b: { c: 2 } }],
    [{ items: [{ create: { _id: '1', status: 201, result: 'created' } }] }, 'items.*.status', { items: [{ create: { status: 201 } }] }],
    [{ a: 1 }, 'zzz', {}],
  ])('filters %j by %s', (body, spec, expected) => {
    expect(filterPath(body, spec)).toEqual(expected);
  });
});
