import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SOURCES, generateBatch, type Source } from '../../bench/generate';
import { applyTemplates, deleteTemplates } from './support/assets';
import { CORPUS_DIR, corpusMessages, subscriptionEvents } from './support/corpus';
import { countDocuments, deleteIndices, engineClient, engineUrl, uniquePrefix } from './support/engine';
import { invokeQuietly, loadShipperHandler, metricsOf, type Handler } from './support/lambda';

/**
 * Issue 9, item 2: the project's templates accept every document the parsers produce. The shared
 * corpus (valid and deliberately broken samples), the bundled samples and a generated full batch
 * per dataset go through the Lambda handler module into indices made by the real templates:
 * zero rejections, one document per event, and every field of schema.md in `_field_caps` with
 * its documented type.
 */

const FIXTURES = join(import.meta.dirname, '../fixtures');
const schema = JSON.parse(readFileSync(join(FIXTURES, 'dashboards/schema-fields.json'), 'utf8')) as Record<string, Record<string, string>>;

const LOG_GROUPS: Record<Source, string> = {
  'rds-mysql-slowquery': '/aws/rds/instance/corpus-db/slowquery',
  lambda: '/aws/lambda/corpus-fn',
  'athena-cloudtrail': 'aws-cloudtrail-logs-123456789012-corpus',
  generic: '/ecs/corpus',
};

interface FieldCaps {
  fields: Record<string, Record<string, { type: string; searchable: boolean; aggregatable: boolean }>>;
}

describe('mappings accept everything the pipeline produces (real engine)', () => {
  const prefix = uniquePrefix('map');
  const client = engineClient();
  let handler: Handler;
  /** Documents the handler reported indexed: the count the indices must hold at the end. */
  let indexed = 0;
  let received = 0;

  /** Ships one event; returns how many of its log events were duplicates of stored documents. */
  async function ship(event: unknown, what: string): Promise<number> {
    const { result, lines } = await invokeQuietly(handler, event);
    expect(result, what).toBeUndefined();
    const metrics = metricsOf(lines) as Record<string, number> | undefined;
    expect(metrics, what).toMatchObject({ DocumentsDeadLettered: 0 });
    const duplicates = metrics?.DocumentsDuplicate ?? 0;
    expect((metrics?.DocumentsIndexed ?? 0) + duplicates, what).toBe(metrics?.DocumentsReceived);
    indexed += metrics?.DocumentsIndexed ?? 0;
    received += metrics?.DocumentsReceived ?? 0;
    return duplicates;
  }

  beforeAll(async () => {
    await applyTemplates(prefix);
    handler = await loadShipperHandler({ OPENSEARCH_ENDPOINT: engineUrl(), INDEX_PREFIX: prefix });
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await deleteIndices(client, prefix);
    await deleteTemplates(prefix);
    await client.close();
  });

  if (CORPUS_DIR === undefined) console.warn('mappings: ../shared/corpus is absent (set CORPUS_DIR); the corpus cases are skipped');
  it.skipIf(CORPUS_DIR === undefined).each([
    ['rds-mysql-slowquery', 'mysql-slowlog'],
    ['lambda', 'lambda-report'],
    ['athena-cloudtrail', 'athena-cloudtrail'],
  ] as const)('the shared corpus for %s: every message stored, none rejected', async (source, folder) => {
    const messages = corpusMessages(folder);
    expect(messages.length).toBeGreaterThan(10);
    const before = received;
    let duplicates = 0;
    for (const [i, event] of subscriptionEvents(LOG_GROUPS[source], messages, SOURCES.indexOf(source) + 1).entries()) {
      duplicates += await ship(event, `${folder} batch ${i}`);
    }
    expect(received - before).toBe(messages.length);
    // A CloudTrail event's _id is its eventID: the corpus holds some events twice (as an object
    // and inside a CloudWatch message), and the second copy is rightly a duplicate. Ids of
    // every other source are the (unique) CloudWatch event ids.
    if (source !== 'athena-cloudtrail') expect(duplicates).toBe(0);
  });

  it('the bundled samples: every event stored, none rejected', async () => {
    const samples = join(FIXTURES, 'samples');
    for (const name of readdirSync(samples)) expect(await ship(JSON.parse(readFileSync(join(samples, name), 'utf8')), name)).toBe(0);
  });

  it.each(SOURCES)('a generated full batch (about 1 MB) of %s: every event stored, none rejected', async (source) => {
    const generated = generateBatch(source, { maxBytes: 1_000_000 }, 9);
    expect(await ship(generated.event, generated.label)).toBe(0);
  });

  it('one document per event shipped, and nothing in the dead-letter index', async () => {
    expect(indexed).toBeGreaterThan(1_000);
    expect(await countDocuments(client, `${prefix}-*,-${prefix}-deadletter-*`)).toBe(indexed);
    expect(await countDocuments(client, `${prefix}-deadletter-*`)).toBe(0);
  });

  it.each(SOURCES)('every schema.md field of %s is in _field_caps with its documented type', async (source) => {
    const { body } = await client.transport.request({
      method: 'GET',
      path: `/${prefix}-${source}-*/_field_caps`,
      querystring: { fields: '*' },
    });
    const caps = (body as FieldCaps).fields;
    const expected = { ...schema.envelope, ...schema[source] };
    const wrong: string[] = [];
    for (const [field, type] of Object.entries(expected)) {
      const found = Object.keys(caps[field] ?? {}).join('|') || 'absent';
      const ok =
        type === 'text+keyword'
          ? found === 'text' && Object.keys(caps[`${field}.keyword`] ?? {}).join() === 'keyword'
          : type === 'text (not indexed)'
            ? found === 'text' && caps[field]!.text!.searchable === false
            : found === type;
      if (!ok) wrong.push(`${field}: schema.md says ${type}, the engine has ${found}`);
    }
    expect(wrong).toEqual([]);
  });
});
