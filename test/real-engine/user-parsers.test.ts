import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyAssets } from '../../functions/assets/apply';
import { loadAssetsConfig } from '../../functions/assets/config';
import type { FieldSpec } from '../../functions/assets/index-pattern-fields';
import { loadAssetBundle } from '../../functions/assets/load';
import type { AssetBundle } from '../../functions/assets/types';
import { makeBatch, subscriptionEvent } from '../helpers/batches';
import { countDocuments, deleteIndices, engineClient, engineUrl, uniquePrefix } from './support/engine';
import { invokeQuietly, loadShipperHandler, metricsOf } from './support/lambda';

/**
 * A user parser from a parsers file, into the real node: `assets apply` creates its index
 * template from the declared types, the Lambda handler ships a batch of its log group,
 * and the engine maps and queries the captures as typed.
 */

const FIXTURES = join(import.meta.dirname, '../fixtures/user-parsers');
const PARSERS = join(FIXTURES, 'parsers.json');
const LINES = readFileSync(join(FIXTURES, 'billing-worker.log'), 'utf8').trimEnd().split('\n');

describe('user parser → real OpenSearch, with its template', () => {
  const prefix = uniquePrefix('user');
  const client = engineClient();
  const env = { OPENSEARCH_ENDPOINT: engineUrl(), INDEX_PREFIX: prefix, PARSERS_FILE: PARSERS, INDEX_REPLICAS: '0' };
  let bundle: AssetBundle;

  beforeAll(async () => {
    const config = loadAssetsConfig(env);
    bundle = loadAssetBundle(config);
    // Templates only: this node has no ISM, alerting or Dashboards.
    const report = await applyAssets(config, {
      bundle: { ...bundle, ismPolicies: [], monitors: [], savedObjects: [], indexTemplates: bundle.indexTemplates.filter((t) => t.file === 'PARSERS_FILE') },
    });
    expect(report.counts.failed).toBe(0);
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await deleteIndices(client, prefix);
    for (const name of ['billing-worker', 'edge-access']) {
      await client.transport.request({ method: 'DELETE', path: `/_index_template/${prefix}-${name}` }, { ignore: [404] });
    }
    for (const name of ['settings', 'envelope']) {
      await client.transport.request({ method: 'DELETE', path: `/_component_template/${prefix}-${name}` }, { ignore: [404] });
    }
    await client.close();
  });

  it('indexes every line, maps the captures as declared, and queries them by type', async () => {
    const handler = await loadShipperHandler(env);
    const { lines } = await invokeQuietly(handler, subscriptionEvent(makeBatch('/ecs/billing-worker', LINES)));
    expect(metricsOf(lines)).toMatchObject({ DocumentsReceived: 3, DocumentsIndexed: 3, ParseFailures: 1 });

    const index = `${prefix}-billing-worker-2026.12.06`;
    const { body: mapping } = await client.transport.request({ method: 'GET', path: `/${index}/_mapping` });
    const properties = (mapping as Record<string, { mappings: { properties: Record<string, { properties: Record<string, { type: string }> }> } }>)[index]!
      .mappings.properties['billing-worker']!.properties;
    expect(Object.fromEntries(Object.entries(properties).map(([name, field]) => [name, field.type]))).toEqual({
      time: 'date',
      level: 'keyword',
      amount: 'double',
      currency: 'keyword',
      customer: 'keyword',
      duration_ms: 'long',
      retried: 'boolean',
    });
    expect(await countDocuments(client, `${prefix}-billing-worker-*`)).toBe(3);
    expect(await countDocuments(client, `${prefix}-billing-worker-*`, { range: { 'billing-worker.amount': { gte: 10 } } })).toBe(1);
    expect(await countDocuments(client, `${prefix}-billing-worker-*`, { term: { 'billing-worker.retried': true } })).toBe(1);
    expect(await countDocuments(client, `${prefix}-billing-worker-*`, { term: { tags: 'parse_failure' } })).toBe(1);
  });

  it('the index pattern assets apply makes for it lists exactly the fields _field_caps finds on its real index', async () => {
    // Needs the index of the test above (shipped by the handler through the template).
    const pattern = bundle.savedObjects.find((object) => object.type === 'index-pattern' && object.attributes.title === `${prefix}-billing-worker-*`);
    expect(pattern).toBeDefined();
    const generated = (JSON.parse(String(pattern!.attributes.fields)) as FieldSpec[]).filter((field) => !field.name.startsWith('_'));
    const { body } = await client.transport.request({ method: 'GET', path: `/${prefix}-billing-worker-*/_field_caps`, querystring: { fields: '*' } });
    const caps = (body as { fields: Record<string, Record<string, { type: string; searchable: boolean; aggregatable: boolean }>> }).fields;
    // As Dashboards reads them (OSD read_field_caps_response): object fields and metadata fields are not listed.
    const found = Object.entries(caps)
      .filter(([name, byType]) => !name.startsWith('_') && !Object.keys(byType).every((type) => type === 'object' || type === 'nested'))
      .map(([name, byType]) => {
        const types = Object.keys(byType).sort();
        const first = byType[types[0]!]!;
        return `${name} ${types.join('|')} searchable=${first.searchable} aggregatable=${first.aggregatable}`;
      })
      .sort();
    const ours = generated
      .map((field) => `${field.name} ${[...field.esTypes].sort().join('|')} searchable=${field.searchable} aggregatable=${field.aggregatable}`)
      .sort();
    expect(ours).toEqual(found);
    expect(found).toContain('billing-worker.amount double searchable=true aggregatable=true');
  });
});
