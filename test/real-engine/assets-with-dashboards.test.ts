import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAssets } from '../../functions/assets/apply';
import { loadAssetsConfig } from '../../functions/assets/config';
import { createDashboardsClient } from '../../functions/assets/dashboards-client';
import { loadAssetBundle } from '../../functions/assets/load';
import { callOpenSearch } from '../../functions/assets/opensearch-api';
import type { Json } from '../../functions/assets/types';
import { createOpenSearchClient } from '../../functions/sinks/opensearch';
import { SLUGS } from '../assets/mapping';
import { applyTemplates, deleteTemplates } from './support/assets';
import { engineUrl } from './support/engine';

/**
 * The hand-written documents of each dataset go into fresh daily indices made by the real
 * templates (always, on the suite's node). Applying everything, saved objects included, twice
 * (the second run must change nothing: the real servers' normalization is what the comparison
 * has to survive) needs OpenSearch Dashboards, which does not run here: that case runs only when
 * OPENSEARCH_DASHBOARDS_URL is set, against a node with the ISM, Alerting and Notifications
 * plugins. Everything is created under a throwaway prefix and removed.
 */

const url = engineUrl();
const dashboardsUrl = process.env.OPENSEARCH_DASHBOARDS_URL;
if (!dashboardsUrl) {
  console.warn('real-engine: applying saved objects skipped: OpenSearch Dashboards does not run here (set OPENSEARCH_DASHBOARDS_URL to include it)');
}

const prefix = `cwlit${Date.now().toString(36)}`;
const FIXTURES = join(import.meta.dirname, '../fixtures/dashboards/documents');

describe('the sample documents on the real engine', () => {
  const config = loadAssetsConfig({ ...process.env, OPENSEARCH_ENDPOINT: url, INDEX_PREFIX: prefix, INDEX_REPLICAS: '0' });
  const client = createOpenSearchClient(config.openSearch, { compression: false });

  beforeAll(async () => {
    await applyTemplates(prefix);
  });

  afterAll(async () => {
    await callOpenSearch(client, 'DELETE', `/${prefix}-*`);
    await deleteTemplates(prefix);
    await client.close();
  });

  it.each(SLUGS)('a new %s index takes the template and accepts the sample documents', async (slug) => {
    const index = `${prefix}-${slug}-2026.11.22`;
    const documents = JSON.parse(readFileSync(join(FIXTURES, `${slug}.json`), 'utf8')) as Json[];
    const lines = documents.flatMap((document, i) => [JSON.stringify({ create: { _index: index, _id: `doc-${i}` } }), JSON.stringify(document)]);
    const reply = await client.transport.request({ method: 'POST', path: '/_bulk', querystring: { refresh: 'true' }, bulkBody: lines });
    const items = (reply.body as { items: Record<string, { status: number; error?: unknown }>[] }).items;
    expect(items.map((item) => Object.values(item)[0]!.error).filter(Boolean)).toEqual([]);
    const mapping = await callOpenSearch(client, 'GET', `/${index}/_mapping`);
    expect((mapping.body as Record<string, { mappings: Json }>)[index]!.mappings.dynamic).toBe('false');
  });
});

describe.skipIf(!dashboardsUrl)('every asset on a real OpenSearch and Dashboards (OPENSEARCH_DASHBOARDS_URL)', () => {
  const allPrefix = `${prefix}all`;
  const config = dashboardsUrl
    ? loadAssetsConfig({ ...process.env, OPENSEARCH_ENDPOINT: url, DASHBOARDS_URL: dashboardsUrl, INDEX_PREFIX: allPrefix, INDEX_REPLICAS: '0' })
    : undefined!;
  const client = dashboardsUrl ? createOpenSearchClient(config.openSearch, { compression: false }) : undefined!;
  const bundle = dashboardsUrl ? loadAssetBundle(config) : undefined!;

  afterAll(async () => {
    const dashboards = createDashboardsClient(config);
    for (const object of bundle.savedObjects) {
      await dashboards.request({ method: 'DELETE', path: `/api/saved_objects/${object.type}/${encodeURIComponent(object.id)}` });
    }
    const found = await callOpenSearch(client, 'POST', '/_plugins/_alerting/monitors/_search', {
      body: { size: 50, query: { prefix: { 'monitor.name.keyword': `${allPrefix}-` } } },
    });
    for (const hit of ((found.body as Json).hits as { hits?: Json[] } | undefined)?.hits ?? []) {
      await callOpenSearch(client, 'DELETE', `/_plugins/_alerting/monitors/${String(hit._id)}`);
    }
    for (const policy of bundle.ismPolicies) await callOpenSearch(client, 'DELETE', `/_plugins/_ism/policies/${policy.name}`);
    await deleteTemplates(allPrefix);
    await client.close();
  });

  it('creates every asset, then a second run changes nothing', async () => {
    const first = await applyAssets(config);
    expect(first.results.filter((result) => result.status === 'failed')).toEqual([]);
    const second = await applyAssets(config);
    expect(second.results.filter((result) => result.status !== 'unchanged')).toEqual([]);
  });
});
