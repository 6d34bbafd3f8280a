import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAssets } from '../../functions/assets/apply';
import { owningPolicy } from '../../functions/assets/apply-ism-indices';
import { loadAssetBundle } from '../../functions/assets/load';
import { assetsConfigFor, deleteTemplates } from './support/assets';
import { deleteIndices, engineClient, uniquePrefix } from './support/engine';
import { loadedPlugins, sayWhySkipped } from './support/plugins';

/**
 * Issue 9, item 4: every ISM policy is accepted and `_plugins/_ism/explain` shows it on new daily
 * indices. Needs the ISM plugin, which the suite's node cannot have (not on Maven Central): here
 * the checks skip, saying so; with OPENSEARCH_URL pointing at a node that has ISM they run. They
 * have not been run by the authors of this suite for that reason. `generic-foo` is a user parser:
 * the built-in `generic-*` pattern matches its indices too, and its own policy must win.
 */

const SLUGS = ['rds-mysql-slowquery', 'lambda', 'athena-cloudtrail', 'generic', 'deadletter', 'generic-foo'] as const;
const USER_PARSERS = JSON.stringify({ parsers: [{ name: 'generic-foo', logGroups: ['/app/foo'], pattern: '^(?<code>\\d+)' }] });
const plugins = await loadedPlugins();
sayWhySkipped('retention (ISM explain on new daily indices)', 'ISM (opensearch-index-management)', plugins.ism);

describe.skipIf(!plugins.ism)('retention on the real engine (needs ISM)', () => {
  const prefix = uniquePrefix('ism');
  const config = assetsConfigFor(prefix, { PARSERS_JSON: USER_PARSERS });
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
    await client.transport.request({ method: 'DELETE', path: `/_index_template/${prefix}-generic-foo` }, { ignore: [404] });
    await client.close();
  });

  it.each(SLUGS)('a new %s daily index is managed by its policy', async (slug) => {
    const index = `${prefix}-${slug}-2026.11.22`;
    await client.index({ index, id: 'first', body: { '@timestamp': '2026-11-22T10:00:00.000Z', message: 'm' }, op_type: 'create' });
    // ISM picks the matching ism_template of highest priority.
    const owner = owningPolicy(bundle.ismPolicies, index);
    const wanted = bundle.ismPolicies.find((policy) => policy.name === owner);
    if (slug === 'generic-foo') expect(owner).toBe(`${prefix}-generic-foo-retention`);
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
