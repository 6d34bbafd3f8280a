import { describe, expect, it } from 'vitest';
import { applyAssets } from '../../functions/assets/apply';
import { owningPolicy, ownershipAmong, planIndices } from '../../functions/assets/apply-ism-indices';
import { loadAssetsConfig } from '../../functions/assets/config';
import type { ApplyReport, NamedAsset } from '../../functions/assets/types';
import { useFakeAssetsCluster } from '../helpers/fake-assets-cluster';

/**
 * Retention reaches indices that already exist (issue 10, item 5): ISM's ism_template
 * only attaches a policy to indices created after it, and managed indices keep the policy
 * version they started with.
 */

const cluster = useFakeAssetsCluster();

function run(extra: Record<string, string> = {}, dryRun = false): Promise<ApplyReport> {
  return applyAssets(loadAssetsConfig(cluster.env(extra)), {}, { dryRun });
}

function indexResults(report: ApplyReport): string[] {
  return report.results.filter((result) => result.kind === 'ism-indices').map((result) => `${result.status} ${result.name}: ${result.reason}`);
}

describe('assets apply: ISM on existing indices', () => {
  it('attaches each policy to the existing matching indices that have none, and leaves other policies alone', async () => {
    // Written by the CLI or a backfill before the first apply.
    cluster.fake.put('cwl-lambda-2026.11.20', 'a', { message: 'x' });
    cluster.fake.put('cwl-lambda-2026.11.21', 'b', { message: 'x' });
    cluster.fake.put('cwl-rds-mysql-slowquery-2026.11.21', 'c', { message: 'x' });
    // Someone's own policy: not ours to change.
    cluster.fake.put('cwl-deadletter-2026.11.21', 'd', { message: 'x' });
    cluster.state.managedIndices.set('cwl-deadletter-2026.11.21', { policyId: 'keep-forever', policySeqNo: 3, policyPrimaryTerm: 1 });

    const dry = await run({}, true);
    expect(indexResults(dry)).toEqual([
      'updated cwl-lambda-retention (existing indices): attached to 2 existing indices without a policy',
      'updated cwl-rds-mysql-slowquery-retention (existing indices): attached to 1 existing index without a policy',
    ]);
    expect(cluster.state.managedIndices.size).toBe(1);

    const report = await run();
    expect(indexResults(report)).toEqual(indexResults(dry));
    expect(Object.fromEntries([...cluster.state.managedIndices].map(([index, entry]) => [index, entry.policyId]))).toEqual({
      'cwl-deadletter-2026.11.21': 'keep-forever',
      'cwl-lambda-2026.11.20': 'cwl-lambda-retention',
      'cwl-lambda-2026.11.21': 'cwl-lambda-retention',
      'cwl-rds-mysql-slowquery-2026.11.21': 'cwl-rds-mysql-slowquery-retention',
    });
    const adds = cluster.fake.requests.filter((request) => request.path.startsWith('/_plugins/_ism/add/'));
    expect(adds.map((request) => decodeURIComponent(request.path))).toEqual([
      '/_plugins/_ism/add/cwl-lambda-2026.11.20,cwl-lambda-2026.11.21',
      '/_plugins/_ism/add/cwl-rds-mysql-slowquery-2026.11.21',
    ]);
    expect(adds.map((request) => JSON.parse(request.body) as unknown)).toEqual([
      { policy_id: 'cwl-lambda-retention' },
      { policy_id: 'cwl-rds-mysql-slowquery-retention' },
    ]);

    // Attached once: the next run has nothing to do.
    expect(indexResults(await run())).toEqual([]);
  });

  it('moves indices on an older version of an edited policy to the current one (change_policy)', async () => {
    await run();
    cluster.fake.put('cwl-lambda-2026.11.21', 'a', { message: 'x' });
    cluster.fake.put('cwl-lambda-2026.11.22', 'b', { message: 'x' });
    const policy = cluster.state.ismPolicies.get('cwl-lambda-retention')!;
    // Both started on the current version.
    for (const index of ['cwl-lambda-2026.11.21', 'cwl-lambda-2026.11.22']) {
      cluster.state.managedIndices.set(index, { policyId: 'cwl-lambda-retention', policySeqNo: policy.seqNo, policyPrimaryTerm: 1 });
    }
    expect(indexResults(await run())).toEqual([]);

    // RETENTION_DAYS changes: the policy is edited, its indices must follow.
    const report = await run({ RETENTION_DAYS: '7' });
    expect(report.results.find((result) => result.name === 'cwl-lambda-retention')?.status).toBe('updated');
    expect(indexResults(report)).toContain(
      'updated cwl-lambda-retention (existing indices): moved 2 indices to the current policy version',
    );
    const change = cluster.fake.requests.find((request) => request.path.startsWith('/_plugins/_ism/change_policy/'))!;
    expect(decodeURIComponent(change.path)).toBe('/_plugins/_ism/change_policy/cwl-lambda-2026.11.21,cwl-lambda-2026.11.22');
    expect(JSON.parse(change.body)).toEqual({ policy_id: 'cwl-lambda-retention' });
    expect(cluster.state.managedIndices.get('cwl-lambda-2026.11.21')?.pendingPolicyId).toBe('cwl-lambda-retention');
  });

  it('reports a refused add as failed, with the reason, and applies the other policies', async () => {
    cluster.fake.put('cwl-generic-2026.11.21', 'a', { message: 'x' });
    cluster.fake.put('cwl-lambda-2026.11.21', 'b', { message: 'x' });
    cluster.fake.failRequests({ kind: 'status', status: 500, body: { error: { type: 'fake', reason: 'boom' }, status: 500 } }, {
      method: 'POST',
      path: /^\/_plugins\/_ism\/add\/cwl-generic/,
    });
    const report = await run();
    expect(indexResults(report)).toEqual([
      'failed cwl-generic-retention (existing indices): HTTP 500: fake: boom',
      'updated cwl-lambda-retention (existing indices): attached to 1 existing index without a policy',
    ]);
  });
});

describe('planIndices', () => {
  it('reads the explain answer: unmanaged, ours at another version, ours uninitialised, others', () => {
    const explain = {
      'cwl-lambda-1': { 'index.plugins.index_state_management.policy_id': null, 'index.opendistro.index_state_management.policy_id': null, enabled: null },
      'cwl-lambda-2': { 'index.plugins.index_state_management.policy_id': 'cwl-lambda-retention', policy_seq_no: 4, policy_primary_term: 1 },
      'cwl-lambda-3': { 'index.plugins.index_state_management.policy_id': 'cwl-lambda-retention', policy_seq_no: 9, policy_primary_term: 1 },
      'cwl-lambda-4': { 'index.plugins.index_state_management.policy_id': 'cwl-lambda-retention' },
      'cwl-lambda-5': { 'index.plugins.index_state_management.policy_id': 'other', policy_seq_no: 1, policy_primary_term: 1 },
      total_managed_indices: 4,
    };
    expect(planIndices(explain, 'cwl-lambda-retention', { seqNo: 9, primaryTerm: 1 })).toEqual({
      unmanaged: ['cwl-lambda-1'],
      outdated: ['cwl-lambda-2'],
      claimed: [],
    });
    // A dry run that would create the policy: nothing can be outdated yet.
    expect(planIndices(explain, 'cwl-lambda-retention', undefined)).toEqual({ unmanaged: ['cwl-lambda-1'], outdated: [], claimed: [] });
  });
});

describe('owningPolicy', () => {
  const policy = (name: string, ...templates: { index_patterns: unknown; priority?: number }[]): NamedAsset => ({
    name,
    file: `${name}.json`,
    body: { policy: { ism_template: templates } },
  });
  const policies = [
    policy('generic', { index_patterns: ['cwl-generic-*'], priority: 100 }),
    policy('generic-foo', { index_patterns: ['cwl-generic-foo-*'], priority: 110 }),
    policy('tie', { index_patterns: ['cwl-generic-*'], priority: 100 }),
    policy('dotted', { index_patterns: [7, 'cwl.a+b-*'] }),
  ];

  it('gives an index the matching ism_template of highest priority, the first one on a tie', () => {
    expect(owningPolicy(policies, 'cwl-generic-foo-2026.11.22')).toBe('generic-foo');
    expect(owningPolicy(policies, 'cwl-generic-2026.11.22')).toBe('generic');
    expect(owningPolicy(policies, 'cwl-lambda-2026.11.22')).toBeUndefined();
  });

  it('matches * as any run of characters and every other character literally', () => {
    expect(owningPolicy(policies, 'cwl.a+b-1')).toBe('dotted');
    expect(owningPolicy(policies, 'cwlXa+b-1')).toBeUndefined();
    expect(owningPolicy(policies, 'cwl.aab-1')).toBeUndefined();
  });

  it('answers the same through ownershipAmong, which also knows our policy names', () => {
    const ownership = ownershipAmong(policies);
    expect(ownership.ownerOf('cwl-generic-foo-1')).toBe('generic-foo');
    expect(ownership.ownerOf('cwl-generic-1')).toBe('generic');
    expect(ownership.isOurs('tie')).toBe(true);
    expect(ownership.isOurs('someone-else')).toBe(false);
  });
});
