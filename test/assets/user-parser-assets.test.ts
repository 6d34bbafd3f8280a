import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyAssets } from '../../functions/assets/apply';
import { loadAssetsConfig } from '../../functions/assets/config';
import type { FieldSpec } from '../../functions/assets/index-pattern-fields';
import { loadAssetBundle } from '../../functions/assets/load';
import type { ApplyReport, Json } from '../../functions/assets/types';
import { CAPTURE_TYPES } from '../../parsers/user-parser';
import { useFakeAssetsCluster } from '../helpers/fake-assets-cluster';
import { patternsOverlap } from '../helpers/fake-opensearch-assets';

/**
 * A user parser's indices expire and have an index pattern: `assets apply` creates a
 * retention policy (`<prefix>-<name>-retention`) and an index pattern (`<prefix>-<name>-*`)
 * per parser, beside its index template.
 */

const FIXTURE = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/user-parsers/parsers.json'), 'utf8')) as { parsers: Json[] };
/** Its indices (`cwl-generic-foo-*`) are matched by the built-in `cwl-generic-*` policy's pattern too. */
const GENERIC_FOO = { name: 'generic-foo', logGroups: ['/app/foo'], pattern: '^(?<code>\\d+) (?<rest>.*)$', types: { code: 'integer' } };
const PARSERS_JSON = JSON.stringify({ parsers: [...FIXTURE.parsers, GENERIC_FOO] });

type Policy = { default_state: string; states: Json[]; ism_template: { index_patterns: string[]; priority: number }[]; description: string };

describe('the bundle: a policy and an index pattern per user parser', () => {
  const config = loadAssetsConfig({ OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200', PARSERS_JSON, RETENTION_DAYS: '12' });
  const bundle = loadAssetBundle(config);
  const policy = (name: string): Policy => bundle.ismPolicies.find((asset) => asset.name === name)!.body.policy as Policy;

  it('a retention policy on <prefix>-<name>-*, shaped like the generic one, with RETENTION_DAYS and the template priority', () => {
    expect(bundle.ismPolicies.map((asset) => asset.name)).toEqual([
      ...['athena-cloudtrail', 'deadletter', 'generic', 'lambda', 'rds-mysql-slowquery'].map((slug) => `cwl-${slug}-retention`),
      'cwl-billing-worker-retention',
      'cwl-edge-access-retention',
      'cwl-generic-foo-retention',
    ]);
    const generic = policy('cwl-generic-retention');
    for (const [name, priority] of [['billing-worker', 314], ['edge-access', 311], ['generic-foo', 311]] as const) {
      const own = policy(`cwl-${name}-retention`);
      expect(own.default_state).toBe(generic.default_state);
      expect(own.states).toEqual(generic.states);
      expect(JSON.stringify(own.states)).toContain('"min_index_age":"12d"');
      expect(own.ism_template).toEqual([{ index_patterns: [`cwl-${name}-*`], priority }]);
      // The same priority as the parser's index template.
      expect(bundle.indexTemplates.find((template) => template.name === `cwl-${name}`)?.body.priority).toBe(priority);
      expect(own.description).toContain(`cwl-${name}-* indices 12 days after`);
    }
    // Above every built-in policy whose pattern also matches its indices.
    expect(generic.ism_template[0]!.priority).toBeLessThan(policy('cwl-generic-foo-retention').ism_template[0]!.priority);
  });

  it('an index pattern per parser whose fields hold every capture with its mapped type, and the envelope', () => {
    const byName = (title: string): Map<string, FieldSpec> => {
      const pattern = bundle.savedObjects.find((object) => object.type === 'index-pattern' && object.attributes.title === title);
      expect(pattern, title).toBeDefined();
      expect(pattern!.attributes.timeFieldName).toBe('@timestamp');
      return new Map((JSON.parse(String(pattern!.attributes.fields)) as FieldSpec[]).map((field) => [field.name, field]));
    };
    const billing = byName('cwl-billing-worker-*');
    expect(bundle.savedObjects.find((object) => object.attributes.title === 'cwl-billing-worker-*')?.id).toBe('cwl-ip-user-billing-worker');
    const summary = (field: FieldSpec | undefined): string => (field === undefined ? 'absent' : `${field.esTypes.join('|')} ${field.type} agg=${field.aggregatable}`);
    expect(Object.fromEntries(['time', 'level', 'amount', 'currency', 'customer', 'duration_ms', 'retried'].map((capture) => [capture, summary(billing.get(`billing-worker.${capture}`))]))).toEqual({
      time: 'date date agg=true',
      level: 'keyword string agg=true',
      amount: 'double number agg=true',
      currency: 'keyword string agg=true',
      customer: 'keyword string agg=true',
      duration_ms: 'long number agg=true',
      retried: 'boolean boolean agg=true',
    });
    expect(summary(billing.get('@timestamp'))).toBe('date date agg=true');
    expect(billing.has('aws.cloudwatch.log_group')).toBe(true);
    expect(billing.has('_id')).toBe(true);
    // Every capture of every parser, with the OpenSearch type its declared type maps to.
    for (const parser of config.userParsers) {
      const fields = byName(`cwl-${parser.definition.name}-*`);
      for (const [capture, type] of Object.entries(parser.captures)) {
        expect(fields.get(`${parser.definition.name}.${capture}`)?.esTypes, `${parser.definition.name}.${capture}`).toEqual([CAPTURE_TYPES[type]]);
      }
      // Nothing of another parser's.
      expect([...fields.keys()].filter((name) => config.userParsers.some((other) => other !== parser && name.startsWith(`${other.definition.name}.`)))).toEqual([]);
    }
    expect(summary(byName('cwl-edge-access-*').get('edge-access.user_agent'))).toBe('text string agg=false');
    expect(summary(byName('cwl-edge-access-*').get('edge-access.client_ip'))).toBe('ip ip agg=true');
  });

  it('none of these without a parsers file', () => {
    const builtIn = loadAssetBundle(loadAssetsConfig({ OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200' }));
    expect(builtIn.ismPolicies).toHaveLength(5);
    expect(builtIn.savedObjects.filter((object) => object.id.startsWith('cwl-ip-user-'))).toEqual([]);
  });
});

describe('assets apply with user parsers (fake OpenSearch and Dashboards)', () => {
  const cluster = useFakeAssetsCluster();

  const run = (extra: Record<string, string> = {}): Promise<ApplyReport> =>
    applyAssets(loadAssetsConfig(cluster.env({ PARSERS_JSON, ...extra })));
  const notUnchanged = (report: ApplyReport): string[] =>
    report.results.filter((result) => result.status !== 'unchanged').map((result) => `${result.status} ${result.name}${result.reason ? `: ${result.reason}` : ''}`);
  const policyOf = (): Record<string, string> =>
    Object.fromEntries([...cluster.state.managedIndices].map(([index, entry]) => [index, entry.pendingPolicyId ?? entry.policyId]));

  it('creates each policy and index pattern, attaches existing indices to the most specific policy, then reports everything unchanged', async () => {
    // Written before the first apply (CLI, backfill): no policy yet.
    cluster.fake.put('cwl-generic-2026.12.01', 'a', { message: 'x' });
    cluster.fake.put('cwl-generic-foo-2026.12.01', 'b', { message: 'x' });
    cluster.fake.put('cwl-billing-worker-2026.12.01', 'c', { message: 'x' });

    const first = await run();
    expect(first.counts.failed).toBe(0);
    for (const name of ['billing-worker', 'edge-access', 'generic-foo']) {
      expect(first.results.find((result) => result.name === `cwl-${name}-retention`)?.status).toBe('created');
      expect(first.results.find((result) => result.name === `index-pattern/cwl-ip-user-${name}`)?.status).toBe('created');
    }
    const stored = (cluster.state.ismPolicies.get('cwl-generic-foo-retention')?.body.policy ?? {}) as Policy;
    expect(stored.ism_template).toEqual([{ index_patterns: ['cwl-generic-foo-*'], priority: 311 }]);
    expect(first.results.filter((result) => result.kind === 'ism-indices').map((result) => `${result.name}: ${result.reason}`)).toEqual([
      'cwl-generic-retention (existing indices): attached to 1 existing index without a policy',
      'cwl-billing-worker-retention (existing indices): attached to 1 existing index without a policy',
      'cwl-generic-foo-retention (existing indices): attached to 1 existing index without a policy',
    ]);
    expect(policyOf()).toEqual({
      'cwl-generic-2026.12.01': 'cwl-generic-retention',
      'cwl-generic-foo-2026.12.01': 'cwl-generic-foo-retention',
      'cwl-billing-worker-2026.12.01': 'cwl-billing-worker-retention',
    });
    const pattern = cluster.state.savedObjects.get('global')?.get('index-pattern/cwl-ip-user-generic-foo');
    expect((pattern?.attributes as Json | undefined)?.title).toBe('cwl-generic-foo-*');
    const fields = JSON.parse(String((pattern?.attributes as Json).fields)) as FieldSpec[];
    expect(fields.find((field) => field.name === 'generic-foo.code')?.esTypes).toEqual(['long']);

    expect(notUnchanged(await run())).toEqual([]);
  });

  it('the same policy at the built-ins\' priority (100) would be refused: its pattern overlaps cwl-generic-*', async () => {
    // Why the priority matters: the engine refuses overlapping ism_templates of equal priority.
    expect(patternsOverlap(['cwl-generic-*'], ['cwl-generic-foo-*'])).toBe(true);
    expect(patternsOverlap(['cwl-billing-worker-*'], ['cwl-edge-access-*'])).toBe(false);
    const config = loadAssetsConfig(cluster.env({ PARSERS_JSON }));
    const bundle = loadAssetBundle(config);
    const lowered = bundle.ismPolicies.map((asset) =>
      asset.name === 'cwl-generic-foo-retention'
        ? { ...asset, body: { policy: { ...(asset.body.policy as Json), ism_template: [{ index_patterns: ['cwl-generic-foo-*'], priority: 100 }] } } }
        : asset,
    );
    const report = await applyAssets(config, { bundle: { ...bundle, ismPolicies: lowered, monitors: [], savedObjects: [] } });
    expect(report.results.filter((result) => result.status === 'failed').map((result) => `${result.name}: ${result.reason}`)).toEqual([
      expect.stringMatching(/^cwl-generic-foo-retention: HTTP 400: .*overlaps policy \[cwl-generic-retention\] at the same priority/),
    ]);
  });

  it('moves an index that the generic policy took before the parser had its own; leaves a foreign policy alone', async () => {
    cluster.fake.put('cwl-generic-foo-2026.11.30', 'a', { message: 'x' });
    cluster.fake.put('cwl-generic-foo-2026.12.01', 'b', { message: 'x' });
    // Attached by ISM's ism_template of cwl-generic-retention while no more specific policy existed.
    await run({ PARSERS_JSON: JSON.stringify({ parsers: FIXTURE.parsers }) });
    cluster.state.managedIndices.set('cwl-generic-foo-2026.11.30', { policyId: 'cwl-generic-retention', policySeqNo: 1, policyPrimaryTerm: 1 });
    cluster.state.managedIndices.set('cwl-generic-foo-2026.12.01', { policyId: 'keep-forever', policySeqNo: 1, policyPrimaryTerm: 1 });

    const report = await run();
    expect(report.results.find((result) => result.name === 'cwl-generic-foo-retention (existing indices)')).toEqual({
      kind: 'ism-indices',
      name: 'cwl-generic-foo-retention (existing indices)',
      status: 'updated',
      reason: 'moved 1 index from a less specific cwl-opensearch policy to this one',
    });
    const change = cluster.fake.requests.filter((request) => request.path.startsWith('/_plugins/_ism/change_policy/'));
    expect(change.map((request) => `${decodeURIComponent(request.path)} ${request.body}`)).toEqual([
      '/_plugins/_ism/change_policy/cwl-generic-foo-2026.11.30 {"policy_id":"cwl-generic-foo-retention"}',
    ]);
    expect(policyOf()).toMatchObject({ 'cwl-generic-foo-2026.11.30': 'cwl-generic-foo-retention', 'cwl-generic-foo-2026.12.01': 'keep-forever' });
  });

  it('follows RETENTION_DAYS: the user policies are updated and their indices moved to the new version', async () => {
    cluster.fake.put('cwl-billing-worker-2026.12.01', 'a', { message: 'x' });
    await run();
    const policy = cluster.state.ismPolicies.get('cwl-billing-worker-retention')!;
    cluster.state.managedIndices.set('cwl-billing-worker-2026.12.01', { policyId: 'cwl-billing-worker-retention', policySeqNo: policy.seqNo, policyPrimaryTerm: 1 });
    expect(notUnchanged(await run())).toEqual([]);

    const report = await run({ RETENTION_DAYS: '7' });
    expect(report.results.find((result) => result.name === 'cwl-billing-worker-retention')?.status).toBe('updated');
    expect(JSON.stringify(cluster.state.ismPolicies.get('cwl-billing-worker-retention')!.body)).toContain('"min_index_age":"7d"');
    expect(report.results.find((result) => result.name === 'cwl-billing-worker-retention (existing indices)')?.reason).toBe(
      'moved 1 index to the current policy version',
    );
  });
});
