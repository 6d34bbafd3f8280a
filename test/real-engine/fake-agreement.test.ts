import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_ERRORS, REQUEST_FAULTS, startFakeOpenSearch } from '../helpers/fake-opensearch';
import { addAssetRoutes } from '../helpers/fake-opensearch-assets';
import { startNode, stopNode } from './node/opensearch-node';
import type { RunningNode } from './node/opensearch-node';

/**
 * The fake OpenSearch (test/helpers/fake-opensearch.ts) answers as the real engine does,
 * for each behaviour a node can produce: the replies below come from a real node and
 * are compared with what the fake's scripted faults claim. (Proxy 429/5xx replies without
 * JSON and Amazon OpenSearch Service's `{"Message": …}` 413 come from what stands in front
 * of a cluster, not from a node: they cannot be checked here.)
 */

const url = process.env.OPENSEARCH_URL!;
const prefix = `cwlagree-${randomUUID().slice(0, 8)}`;

interface Reply {
  readonly status: number;
  readonly text: string;
}

async function post(base: string, path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...headers },
    body,
  });
  return { status: response.status, text: await response.text() };
}

async function put(base: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${base}${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status, await response.text()).toBe(200);
}

const ndjson = (...lines: unknown[]): string => lines.map((line) => `${JSON.stringify(line)}\n`).join('');

/** The error of a bulk reply's only item. */
function itemOf(reply: Reply): { status: number; error: Record<string, unknown> } {
  const { items } = JSON.parse(reply.text) as { items: Record<string, { status: number; error: Record<string, unknown> }>[] };
  return Object.values(items[0]!)[0]!;
}

describe('the fake agrees with the real engine (default node)', () => {
  afterAll(async () => {
    await fetch(`${url}/${prefix}-*`, { method: 'DELETE' });
  });

  it('nests caused_by in a mapping error, with the type the fake uses', async () => {
    await put(url, `/${prefix}-typed`, { mappings: { properties: { duration_ms: { type: 'double' } } } });
    const reply = await post(url, '/_bulk', ndjson({ create: { _index: `${prefix}-typed`, _id: 'x' } }, { duration_ms: 'abc' }));
    const item = itemOf(reply);
    expect(item.status).toBe(ITEM_ERRORS.mapperParsing.status);
    expect(item.error.type).toBe(ITEM_ERRORS.mapperParsing.type);
    expect(item.error.caused_by).toMatchObject(ITEM_ERRORS.mapperParsing.causedBy);
  });

  it('answers an item 404 index_not_found_exception for a missing index when auto-creation is off', async () => {
    // Files of this suite run one after another (vitest.real-engine.config.ts): turned off
    // for this test alone, then back to the default.
    await put(url, '/_cluster/settings', { persistent: { 'action.auto_create_index': false } });
    try {
      const index = `${prefix}-missing-1`;
      const item = itemOf(await post(url, '/_bulk', ndjson({ create: { _index: index, _id: '1' } }, { n: 1 })));
      expect(item.status).toBe(ITEM_ERRORS.indexNotFound.status);
      expect(item.error).toMatchObject({ type: ITEM_ERRORS.indexNotFound.type, reason: ITEM_ERRORS.indexNotFound.reason.replace('cwl-x', index), index });
    } finally {
      await put(url, '/_cluster/settings', { persistent: { 'action.auto_create_index': null } });
    }
  });
});

describe('the fake agrees with the real engine (templates)', () => {
  /** Status and error type of each PUT, then the templates deleted. */
  async function putTemplates(base: string, templates: readonly [string, unknown][]): Promise<string[]> {
    const answers: string[] = [];
    for (const [name, body] of templates) {
      const response = await fetch(`${base}/_index_template/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const reply = (await response.json()) as { error?: { type?: string } };
      answers.push(`${name} ${response.status}${reply.error?.type === undefined ? '' : ` ${reply.error.type}`}`);
    }
    for (const [name] of templates) await fetch(`${base}/_index_template/${name}`, { method: 'DELETE' });
    return answers;
  }

  it('refuses an index template whose patterns overlap another one\'s at the same priority, by intersection, not equality', async () => {
    // A user parser named generic-foo beside the built-in generic: at one priority the engine refuses the second.
    const templates: [string, unknown][] = [
      [`${prefix}-t-generic`, { index_patterns: [`${prefix}-generic-*`], priority: 7 }],
      [`${prefix}-t-generic-foo`, { index_patterns: [`${prefix}-generic-foo-*`], priority: 7 }],
      [`${prefix}-t-other`, { index_patterns: [`${prefix}-other-*`], priority: 7 }],
      [`${prefix}-t-generic-foo-higher`, { index_patterns: [`${prefix}-generic-foo-*`], priority: 8 }],
    ];
    const engine = await putTemplates(url, templates);
    expect(engine).toEqual([
      `${prefix}-t-generic 200`,
      `${prefix}-t-generic-foo 400 illegal_argument_exception`,
      `${prefix}-t-other 200`,
      `${prefix}-t-generic-foo-higher 200`,
    ]);
    const fake = await startFakeOpenSearch();
    try {
      addAssetRoutes(fake);
      expect(await putTemplates(fake.url, templates)).toEqual(engine);
    } finally {
      await fake.close();
    }
  });
});

describe('the fake agrees with the real engine (a node with small limits)', () => {
  const NAME = 'fake-agreement';
  let node: RunningNode;

  beforeAll(async () => {
    node = await startNode({
      name: NAME,
      // 4 KB per request at the HTTP layer; indexing pressure refuses more than 1 KB in flight.
      settings: { 'http.max_content_length': '4kb', 'indexing_pressure.memory.limit': '1kb' },
    });
  });
  afterAll(async () => {
    await stopNode(NAME);
  });

  it('answers 413 with no body above http.max_content_length, counting decompressed bytes', async () => {
    const body = ndjson({ create: { _index: `${prefix}-big`, _id: '1' } }, { text: 'x'.repeat(8_000) });
    const wire = gzipSync(body);
    expect(wire.length).toBeLessThan(4_096);
    const reply = await post(node.url, '/_bulk', wire, { 'content-encoding': 'gzip' });
    const fake = REQUEST_FAULTS.tooLargeSelfManaged();
    expect(fake.kind === 'status' && { status: fake.status, text: fake.body }).toEqual({ status: reply.status, text: reply.text });
  });

  it('refuses a bulk above the indexing-pressure limit as a whole-request 429 rejected_execution_exception', async () => {
    const body = ndjson(...Array.from({ length: 6 }, (_, i) => [{ create: { _index: `${prefix}-pressure`, _id: String(i) } }, { text: 'y'.repeat(300) }]).flat());
    expect(Buffer.byteLength(body)).toBeGreaterThan(1_024);
    expect(Buffer.byteLength(body)).toBeLessThan(4_096);
    const reply = await post(node.url, '/_bulk', body);
    expect(reply.status).toBe(429);
    const { error } = JSON.parse(reply.text) as { error: { type: string; reason: string } };
    const fake = REQUEST_FAULTS.tooManyRequests();
    const fakeError = (fake.kind === 'status' ? fake.body : undefined) as { error: { type: string; reason: string } };
    expect(error.type).toBe(fakeError.error.type);
    // The item-level rejection (a full write queue) is the same exception class, so the same type name.
    expect(error.type).toBe(ITEM_ERRORS.rejectedExecution.type);
    expect(error.reason).toMatch(/^rejected execution of coordinating operation \[/);
    expect(fakeError.error.reason).toMatch(/^rejected execution of coordinating operation \[/);
  });
});
