import { describe, expect, it } from 'vitest';
import { applyAssets } from '../../functions/assets/apply';
import { loadAssetsConfig } from '../../functions/assets/config';
import type { ApplyReport } from '../../functions/assets/types';
import { useFakeAssetsCluster } from '../helpers/fake-assets-cluster';
import { CLUSTER_INFO } from '../helpers/fake-opensearch';

/** Checks before writing (issue 10, item 10): the cluster's version and the Dashboards tenant. */

const cluster = useFakeAssetsCluster();

function run(extra: Record<string, string> = {}): Promise<ApplyReport> {
  return applyAssets(loadAssetsConfig(cluster.env(extra)));
}

describe('flat_object needs OpenSearch 2.7+', () => {
  it.each([
    [{ distribution: 'opensearch', number: '2.5.0' }, 'OpenSearch 2.5.0'],
    [{ number: '7.10.2' }, 'Elasticsearch 7.10.2'],
  ])('on %j the templates with flat_object are refused, saying why; the others are applied', async (version, running) => {
    cluster.fake.route('GET', /^\/$/, () => ({ body: { ...CLUSTER_INFO, version } }));
    const report = await run();
    const templates = report.results.filter((result) => result.kind === 'index-template');
    expect(Object.fromEntries(templates.map((result) => [result.name, result.status]))).toEqual({
      'cwl-athena-cloudtrail': 'failed',
      'cwl-deadletter': 'created',
      'cwl-generic': 'failed',
      'cwl-lambda': 'failed',
      'cwl-rds-mysql-slowquery': 'created',
    });
    expect(templates.find((result) => result.name === 'cwl-lambda')!.reason).toBe(
      `not applied: flat_object mappings need OpenSearch 2.7 or later; the cluster runs ${running}`,
    );
    // The CloudTrail fields (request_parameters, response_elements) are a component template.
    expect(report.results.find((result) => result.name === 'cwl-cloudtrail')).toMatchObject({ status: 'failed' });
    expect(templates.find((result) => result.name === 'cwl-athena-cloudtrail')!.reason).toContain('not applied: cwl-cloudtrail was not');
    expect(cluster.state.indexTemplates.has('cwl-lambda')).toBe(false);
  });

  it('on 2.7 and later everything is applied', async () => {
    cluster.fake.route('GET', /^\/$/, () => ({ body: { ...CLUSTER_INFO, version: { distribution: 'opensearch', number: '2.7.0' } } }));
    expect((await run()).counts.failed).toBe(0);
  });
});

describe('DASHBOARDS_TENANT is checked before importing', () => {
  it('an unknown tenant stops the saved objects instead of landing them in another tenant', async () => {
    cluster.fake.route('GET', /^\/_plugins\/_security\/api\/tenants\/([^/]+)$/, (_request, match) =>
      match[1] === 'analytics'
        ? { body: { analytics: { reserved: false, hidden: false, description: 'team', static: false } } }
        : { status: 404, body: { status: 'NOT_FOUND', message: `Resource '${match[1]}' not found.` } },
    );
    const report = await run({ DASHBOARDS_TENANT: 'analytcs' });
    const saved = report.results.filter((result) => result.kind === 'saved-object');
    expect(saved.length).toBeGreaterThan(0);
    expect(saved.every((result) => result.status === 'failed' && result.reason === 'tenant "analytcs" does not exist (DASHBOARDS_TENANT); nothing imported')).toBe(true);
    expect(cluster.state.imports).toHaveLength(0);

    const good = await run({ DASHBOARDS_TENANT: 'analytics' });
    expect(good.results.filter((result) => result.kind === 'saved-object').every((result) => result.status === 'created')).toBe(true);
    expect(cluster.state.imports.at(-1)?.tenant).toBe('analytics');
  });

  it('without the security plugin (no tenants API) the import goes ahead', async () => {
    const report = await run({ DASHBOARDS_TENANT: 'analytics' });
    expect(report.counts.failed).toBe(0);
  });
});
