import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAssetBundle } from '../../functions/assets/load';
import type { Json, SavedObject } from '../../functions/assets/types';
import { applyTemplates, assetsConfigFor, deleteTemplates } from './support/assets';
import { deleteIndices, engineClient, refresh, uniquePrefix } from './support/engine';
import { kqlToQuery } from './support/kql';

/**
 * Issue 9, item 6: the query of every saved search, run by the real engine over indices made by
 * our templates, returns exactly the seeded documents it should (each search has documents just
 * past and just short of its threshold); and every field a visualization aggregates on, or a saved
 * search sorts on, is aggregatable in `_field_caps` over those real indices.
 */

const prefix = uniquePrefix('ss');
const config = assetsConfigFor(prefix); // ALERT_MEMORY_RATIO defaults to 0.9
const bundle = loadAssetBundle(config);
const objects = new Map(bundle.savedObjects.map((object) => [`${object.type}/${object.id}`, object]));
const DAY = '2026.11.22';
const at = (minute: number) => `2026-11-22T10:${String(minute).padStart(2, '0')}:00.000Z`;

/** Seeded documents per dataset slug, by id. */
const SEED: Record<string, Record<string, Json>> = {
  'rds-mysql-slowquery': {
    'rds-slow': { mysql: { slowlog: { query_time_sec: 2.5, rows_examined: 10 } } },
    'rds-fast': { mysql: { slowlog: { query_time_sec: 0.2, rows_examined: 10 } } },
    'rds-edge': { mysql: { slowlog: { query_time_sec: 1, rows_examined: 100_000 } } },
    'rds-scan': { mysql: { slowlog: { query_time_sec: 0.9, rows_examined: 250_000 } } },
    'rds-broken': { tags: ['parse_failure'], error: { message: 'no # Query_time line' } },
  },
  lambda: {
    'lam-timeout': { aws: { lambda: { record_type: 'platform.report', status: 'timeout', memory_used_ratio: 0.5 } } },
    'lam-error-type': { aws: { lambda: { record_type: 'REPORT', error_type: 'Runtime.ExitError' } } },
    'lam-timeout-tag': { tags: ['timeout'], message: '2026-11-22T10:00:03.000Z abc Task timed out after 3.00 seconds' },
    'lam-error-not-report': { aws: { lambda: { record_type: 'function', error_type: 'Runtime.ExitError' } } },
    'lam-ok': { message: 'REPORT RequestId: abc Duration: 1.00 ms', aws: { lambda: { status: 'success', memory_used_ratio: 0.5 } } },
    'lam-memory': { aws: { lambda: { memory_used_ratio: 0.95 } } },
    'lam-memory-edge': { aws: { lambda: { memory_used_ratio: 0.9 } } },
  },
  'athena-cloudtrail': {
    'ath-heavy': { event: { action: 'StartQueryExecution', outcome: 'success' }, aws: { athena: { data_scanned_bytes: 21_474_836_480 } } },
    'ath-edge': { event: { action: 'StartQueryExecution', outcome: 'success' }, aws: { athena: { data_scanned_bytes: 10_737_418_240 } } },
    'ath-throttled': { event: { action: 'GetQueryExecution' }, aws: { cloudtrail: { error_code: 'TooManyRequestsException' } } },
    'ath-throttled-2': { event: { action: 'GetQueryResults' }, aws: { cloudtrail: { error_code: 'ThrottlingException' } } },
    'ath-denied': { event: { action: 'GetQueryResults' }, aws: { cloudtrail: { error_code: 'AccessDenied' } } },
  },
  generic: {
    'gen-ok': { message: 'plain line' },
    'gen-broken': { tags: ['parse_failure'], error: { message: 'not JSON' } },
  },
  deadletter: {
    'dl-1': { tags: ['deadletter'], deadletter: { index: `${prefix}-lambda-${DAY}`, id: 'x', status: 400 }, error: { type: 'mapper_parsing_exception' } },
  },
};

/** What each saved search must return, exactly. */
const EXPECTED: Record<string, string[]> = {
  'ss-rds-slow-queries': ['rds-slow'],
  'ss-rds-full-scans': ['rds-scan'],
  'ss-athena-heavy-scans': ['ath-heavy'],
  'ss-athena-throttling': ['ath-throttled', 'ath-throttled-2'],
  'ss-athena-recent-queries': ['ath-heavy', 'ath-edge'],
  'ss-lambda-timeouts-errors': ['lam-timeout', 'lam-error-type', 'lam-timeout-tag'],
  'ss-lambda-memory-high': ['lam-memory'],
  'ss-parse-failures': ['rds-broken', 'gen-broken'],
  'ss-deadletters': ['dl-1'],
};

const DATASETS: Record<string, string> = {
  'rds-mysql-slowquery': 'rds.mysql.slowquery',
  lambda: 'aws.lambda',
  'athena-cloudtrail': 'aws.athena',
  generic: 'cloudwatch.generic',
  deadletter: 'deadletter',
};

const searchSource = (object: SavedObject) =>
  JSON.parse(String((object.attributes.kibanaSavedObjectMeta as Json).searchSourceJSON)) as {
    query: { query: string; language: string };
    filter: unknown[];
    indexRefName?: string;
  };

/** The index pattern's title an object reads, through its reference (or its saved search's). */
function patternOf(object: SavedObject): string {
  const reference =
    object.references.find((ref) => ref.type === 'index-pattern') ??
    object.references.filter((ref) => ref.type === 'search').map((ref) => objects.get(`search/${ref.id}`)!.references.find((r) => r.type === 'index-pattern')!)[0];
  if (reference === undefined) throw new Error(`${object.id}: no index pattern`);
  return String(objects.get(`index-pattern/${reference.id}`)!.attributes.title);
}

interface Agg {
  type: string;
  params: Json;
}

/** Every field an aggregation of a visualization reads (nested metrics included). */
function aggregatedFields(agg: Agg): string[] {
  const own = typeof agg.params.field === 'string' ? [agg.params.field] : [];
  const nested = [agg.params.customMetric, agg.params.orderAgg].filter((inner): inner is Agg => inner !== undefined && inner !== null);
  return [...own, ...nested.flatMap(aggregatedFields)];
}

describe('saved searches and visualizations on the real engine', () => {
  const client = engineClient();

  beforeAll(async () => {
    await applyTemplates(prefix);
    const lines = Object.entries(SEED).flatMap(([slug, documents]) =>
      Object.entries(documents).flatMap(([id, fields], i) => [
        JSON.stringify({ create: { _index: `${prefix}-${slug}-${DAY}`, _id: id } }),
        JSON.stringify({ '@timestamp': at(i), message: `seed ${id}`, ...fields, event: { dataset: DATASETS[slug], ...(fields.event as Json) } }),
      ]),
    );
    const { body } = await client.transport.request({ method: 'POST', path: '/_bulk', bulkBody: lines });
    expect((body as { errors: boolean }).errors).toBe(false);
    await refresh(client, `${prefix}-*`);
  });

  afterAll(async () => {
    await deleteIndices(client, prefix);
    await deleteTemplates(prefix);
    await client.close();
  });

  const searches = bundle.savedObjects.filter((object) => object.type === 'search');

  it('every saved search has seeded documents to find', () => {
    expect(searches.map((search) => search.id.replace(`${prefix}-`, '')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(searches.map((search) => [search.id.replace(`${prefix}-`, ''), search] as const))('%s returns exactly its documents', async (name, search) => {
    const source = searchSource(search);
    expect(source.filter).toEqual([]);
    const sort = (search.attributes.sort as [string, string][]).map(([field, order]) => ({ [field]: { order } }));
    const { body } = await client.search({
      index: patternOf(search),
      body: { size: 100, query: kqlToQuery(source.query.query), sort: sort as never },
    });
    expect(body.hits.hits.map((hit) => hit._id).sort()).toEqual([...EXPECTED[name]!].sort());
  });

  const aggregated = new Map<string, Set<string>>();
  const add = (pattern: string, field: string) => aggregated.set(pattern, (aggregated.get(pattern) ?? new Set()).add(field));
  for (const object of bundle.savedObjects) {
    if (object.type === 'visualization') {
      const visState = JSON.parse(String(object.attributes.visState)) as { aggs?: Agg[] };
      const pattern = objects.get(`index-pattern/${object.references.find((ref) => ref.type === 'index-pattern')?.id}`);
      // Scripted fields of the index pattern are computed by Dashboards from a script, not mapped.
      const scripted = new Set(
        (JSON.parse(String(pattern?.attributes.fields ?? '[]')) as { name: string; scripted?: boolean }[]).filter((f) => f.scripted).map((f) => f.name),
      );
      for (const field of (visState.aggs ?? []).flatMap(aggregatedFields)) if (!scripted.has(field)) add(patternOf(object), field);
    }
    if (object.type === 'search') for (const [field] of object.attributes.sort as [string, string][]) add(patternOf(object), field);
  }

  it.each([...aggregated.entries()].map(([pattern, fields]) => [pattern.replace(prefix, '<prefix>'), pattern, [...fields]] as const))(
    'over %s, every field a visualization aggregates or a search sorts on is aggregatable',
    async (_label, pattern, fields) => {
      const { body } = await client.transport.request({ method: 'GET', path: `/${pattern}/_field_caps`, querystring: { fields: fields.join(',') } });
      const caps = (body as { fields: Record<string, Record<string, { aggregatable: boolean }>> }).fields;
      const notAggregatable = fields.filter((field) => !Object.values(caps[field] ?? {}).some((cap) => cap.aggregatable));
      expect(notAggregatable).toEqual([]);
    },
  );
});
