import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyAssets } from '../../functions/assets/apply';
import { loadAssetsConfig } from '../../functions/assets/config';
import { createDashboardsClient } from '../../functions/assets/dashboards-client';
import { loadAssetBundle } from '../../functions/assets/load';
import { callOpenSearch } from '../../functions/assets/opensearch-api';
import type { Json } from '../../functions/assets/types';
import { createOpenSearchClient } from '../../functions/sinks/opensearch';
import { SLUGS } from './mapping';

/**
 * Applies everything to a real cluster and Dashboards, then again (which must change
 * nothing: the real servers' normalization is what the comparison has to survive), and
 * indexes the hand-written documents into fresh daily indices. Runs only when
 * OPENSEARCH_URL and OPENSEARCH_DASHBOARDS_URL are set; auth comes from the usual
 * OPENSEARCH_* variables. Everything is created under a throwaway prefix and removed.
 */

const url = process.env.OPENSEARCH_URL;
const dashboardsUrl = process.env.OPENSEARCH_DASHBOARDS_URL;
const enabled = Boolean(url && dashboardsUrl);
if (!enabled) {
  console.warn('integration test skipped: set OPENSEARCH_URL and OPENSEARCH_DASHBOARDS_URL to apply the assets to a real cluster');
}

const prefix = `cwlit${Date.now().toString(36)}`;
const FIXTURES = join(import.meta.dirname, '../fixtures/dashboards/documents');

describe.skipIf(!enabled)('assets on a real OpenSearch and Dashboards', () => {
  // Built only when enabled: without the URLs the configuration cannot load.
  const config = enabled
    ? loadAssetsConfig({ ...process.env, OPENSEARCH_ENDPOINT: url, DASHBOARDS_URL: dashboardsUrl, INDEX_PREFIX: prefix, INDEX_REPLICAS: '0' })
    : undefined!;
  const client = enabled ? createOpenSearchClient(config.openSearch, { compression: false }) : undefined!;
  const bundle = enabled ? loadAssetBundle(config) : undefined!;

  afterAll(async () => {
    const dashboards = createDashboardsClient(config);
    for (const object of bundle.savedObjects) {
      await dashboards.request({ method: 'DELETE', path: `/api/saved_objects/${object.type}/${encodeURIComponent(object.id)}` });
    }
    const found = await callOpenSearch(client, 'POST', '/_plugins/_alerting/monitors/_search', {
      body: { size: 50, query: { prefix: { 'monitor.name.keyword': `${prefix}-` } } },
    });
    for (const hit of ((found.body as Json).hits as { hits?: Json[] } | undefined)?.hits ?? []) {
      await callOpenSearch(client, 'DELETE', `/_plugins/_alerting/monitors/${String(hit._id)}`);
    }
    await callOpenSearch(client, 'DELETE', `/${prefix}-*`);
    for (const policy of bundle.ismPolicies) await callOpenSearch(client, 'DELETE', `/_plugins/_ism/policies/${policy.name}`);
    for (const template of bundle.indexTemplates) await callOpenSearch(client, 'DELETE', `/_index_template/${template.name}`);
    for (const template of bundle.componentTemplates) await callOpenSearch(client, 'DELETE', `/_component_template/${template.name}`);
    await client.close();
  });

  it('creates every asset, then a second run changes nothing', async () => {
    const first = await applyAssets(config);
    expect(first.results.filter((result) => result.status === 'failed')).toEqual([]);
    const second = await applyAssets(config);
    expect(second.results.filter((result) => result.status !== 'unchanged')).toEqual([]);
  });

  it.each(SLUGS)('a new %s index takes the template and accepts the sample documents', async (slug) => {
    const index = `${prefix}-${slug}-2026.11.22`;
    const documents = JSON.parse(readFileSync(join(FIXTURES, `${slug}.json`), 'utf8')) as Json[];
    const lines = documents.flatMap((document, i) => [JSON.stringify({ create: { _index: index, _id: `doc-${i}` } }), JSON.stringify(document)]);
    const reply = await client.transport.request({ method: 'POST', path: '/_bulk', querystring: { refresh: 'true' }, bulkBody: lines });
    const items = (reply.body as { items: Record<string, { status: number; error?: unknown }>[] }).items;
    expect(items.map((item) => Object.values(item)[0]!.error).filter(Boolean)).toEqual([]);
    const mapping = await callOpenSearch(client, 'GET', `/${index}/_mapping`);
    expect(((mapping.body as Record<string, { mappings: Json }>)[index]!.mappings.dynamic)).toBe('false');
  });
});
