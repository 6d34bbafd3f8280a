import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAssets } from '../../functions/assets/apply';
import { loadAssetBundle } from '../../functions/assets/load';
import { assetsConfigFor, deleteTemplates } from './support/assets';
import { deleteIndices, engineClient, uniquePrefix } from './support/engine';
import { loadedPlugins, sayWhySkipped } from './support/plugins';

/**
 * Issue 9, item 4: every ISM policy is accepted and `_plugins/_ism/explain` shows it on new daily
 * indices. Needs the ISM plugin, which the suite's node cannot have (not on Maven Central): here
 * the checks skip, saying so; with OPENSEARCH_URL pointing at a node that has ISM they run. They
 * have not been run by the authors of this suite for that reason.
 */

const SLUGS = ['rds-mysql-slowquery', 'lambda', 'athena-cloudtrail', 'generic', 'deadletter'] as const;
const plugins = await loadedPlugins();
sayWhySkipped('retention (ISM explain on new daily indices)', 'ISM (opensearch-index-management)', plugins.ism);

describe.skipIf(!plugins.ism)('retention on the real engine (needs ISM)', () => {
  const prefix = uniquePrefix('ism');
  const config = assetsConfigFor(prefix);
  const bundle = loadAssetBundle(config);
  const client = engineClient();

  beforeAll(async () => {
    const report = await applyAssets(config, { bundle: { ...bundle, channel: undefined, monitors: [], savedObjects: [] } });
    expect(report.results.filter((result) => result.status === 'failed')).toEqual([]);
  });

  afterAll(async () => {
    await deleteIndices(client, prefix);
    for (const policy of bundle.ismPolicies) await client.transport.request({ method: 'DELETE', path: `/_plugins/_ism/policies/${policy.name}` }, { ignore: [404] });
    await deleteTemplates(prefix);
    await client.close();
  });

  it.each(SLUGS)('a new %s daily index is managed by its policy', async (slug) => {
    const index = `${prefix}-${slug}-2026.11.22`;
    await client.index({ index, id: 'first', body: { '@timestamp': '2026-11-22T10:00:00.000Z', message: 'm' }, op_type: 'create' });
    const wanted = bundle.ismPolicies.find((policy) =>
      ((policy.body.policy as { ism_template?: { index_patterns: string[] }[] }).ism_template ?? []).some((template) =>
        template.index_patterns.some((pattern) => new RegExp(`^${pattern.replaceAll('*', '.*')}$`).test(index)),
      ),
    );
    expect(wanted, `no policy's ism_template matches ${index}`).toBeDefined();
    let policy: unknown;
    for (let tries = 0; tries < 60 && policy !== wanted!.name; tries += 1) {
      const { body } = await client.transport.request({ method: 'GET', path: `/_plugins/_ism/explain/${index}` });
      const entry = (body as Record<string, Record<string, unknown>>)[index];
      policy = entry?.['index.plugins.index_state_management.policy_id'] ?? entry?.policy_id;
      if (policy !== wanted!.name) await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    expect(policy).toBe(wanted!.name);
  });
});
