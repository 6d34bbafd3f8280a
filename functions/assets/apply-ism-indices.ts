import type { OpenSearchClient } from '../sinks/opensearch';
import { callOpenSearch, describeError, type DocumentVersion } from './opensearch-api';
import type { AssetResult, Json, NamedAsset } from './types';

/**
 * Retention for indices that already exist. ISM's `ism_template` attaches a policy only to
 * indices created after it (IM `ManagedIndexCoordinator`), and a managed index keeps the
 * policy version it started with. So, after each policy is applied, its indices are read
 * with `GET _plugins/_ism/explain/<pattern>` and:
 * - an index with no policy gets ours (`POST _plugins/_ism/add/<indices>`): indices written
 *   by the CLI or a backfill before the first apply, or before assets were enabled;
 * - an index on an older version of our policy is moved to the current one
 *   (`POST _plugins/_ism/change_policy/<indices>`; ISM switches at the next safe state).
 * Indices managed by another policy are left alone, except one of ours that ISM would not
 * pick for them: with several of our policies matching an index (`<prefix>-generic-*` and a
 * user parser's `<prefix>-generic-foo-*`), the index belongs to the one whose `ism_template`
 * has the highest priority, as ISM decides for a new index. The others skip it, and an index
 * one of them holds (attached before the winner existed) is moved to the winner.
 */

/** Index names per request, so that the URL stays short. */
const NAMES_PER_CALL = 50;

const POLICY_ID_KEYS = ['index.plugins.index_state_management.policy_id', 'index.opendistro.index_state_management.policy_id', 'policy_id'];

export interface IndexPlan {
  /** Matching indices without any policy. */
  readonly unmanaged: string[];
  /** Indices on our policy at another version than `current`. */
  readonly outdated: string[];
  /** Indices on another of our policies, which this one wins (its `ism_template` priority is higher). */
  readonly claimed: string[];
}

/**
 * Which of our policies each index belongs to (the name of the policy ISM would pick), and
 * whether a policy id is one of ours. Without it every matching index is the policy's own.
 */
export interface PolicyOwnership {
  readonly ownerOf: (index: string) => string | undefined;
  readonly isOurs: (policyId: string) => boolean;
}

/** Sorts the explain answer of one pattern into indices to attach and indices to move. */
export function planIndices(
  explain: unknown,
  policyId: string,
  current: DocumentVersion | undefined,
  ownership?: PolicyOwnership,
): IndexPlan {
  const plan: IndexPlan = { unmanaged: [], outdated: [], claimed: [] };
  if (explain === null || typeof explain !== 'object') return plan;
  for (const [index, raw] of Object.entries(explain as Json)) {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) continue; // total_managed_indices
    // A more specific policy of ours matches it: that policy's pass attaches or moves it.
    if ((ownership?.ownerOf(index) ?? policyId) !== policyId) continue;
    const entry = raw as Json;
    const found = POLICY_ID_KEYS.map((key) => entry[key]).find((value): value is string => typeof value === 'string' && value !== '');
    if (found === undefined) {
      plan.unmanaged.push(index);
      continue;
    }
    if (found !== policyId) {
      if (ownership?.isOurs(found) === true) plan.claimed.push(index);
      continue;
    }
    if (current === undefined) continue;
    // Not initialized yet (no metadata): the job loads the current policy when it starts.
    if (entry.policy_seq_no === undefined || entry.policy_seq_no === null) continue;
    if (Number(entry.policy_seq_no) !== current.seqNo || Number(entry.policy_primary_term) !== current.primaryTerm) {
      plan.outdated.push(index);
    }
  }
  plan.unmanaged.sort();
  plan.outdated.sort();
  plan.claimed.sort();
  return plan;
}

/** The policy ISM gives `index` among `policies`: the matching `ism_template` of highest priority. */
export function owningPolicy(policies: readonly NamedAsset[], index: string): string | undefined {
  return ownerAmong(compileTemplates(policies), index);
}

/** The ownership among `policies` (all of ours that this apply writes). */
export function ownershipAmong(policies: readonly NamedAsset[]): PolicyOwnership {
  // Read and compiled once: every policy's pass asks about every index it finds.
  const templates = compileTemplates(policies);
  const names = new Set(policies.map((policy) => policy.name));
  return { ownerOf: (index) => ownerAmong(templates, index), isOurs: (policyId) => names.has(policyId) };
}

/** One `ism_template` of a policy, its index patterns as regular expressions. */
interface CompiledTemplate {
  readonly policy: string;
  readonly priority: number;
  readonly patterns: readonly RegExp[];
}

function compileTemplates(policies: readonly NamedAsset[]): CompiledTemplate[] {
  return policies.flatMap((policy) =>
    ismTemplates(policy.body).map((template) => ({
      policy: policy.name,
      priority: typeof template.priority === 'number' ? template.priority : 0,
      patterns: stringPatterns(template).map(globRegExp),
    })),
  );
}

/** The first matching template of highest priority wins, as ISM picks for a new index. */
function ownerAmong(templates: readonly CompiledTemplate[], index: string): string | undefined {
  let best: CompiledTemplate | undefined;
  for (const template of templates) {
    if ((best === undefined || template.priority > best.priority) && template.patterns.some((pattern) => pattern.test(index))) {
      best = template;
    }
  }
  return best?.policy;
}

/** An index pattern of ISM (`*` = any run of characters) as an anchored regular expression. */
function globRegExp(pattern: string): RegExp {
  const parts = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

/**
 * Attaches `policy` to the existing indices of its `ism_template` patterns that have none,
 * and moves those on an older version of it to the current one. `current` is the policy's
 * stored version after it was applied (undefined in a dry run that would create it).
 * Answers undefined when there was nothing to do, so that the report lists only work done.
 */
export async function applyIsmIndices(
  client: OpenSearchClient,
  policy: NamedAsset,
  current: DocumentVersion | undefined,
  dryRun: boolean,
  ownership?: PolicyOwnership,
): Promise<AssetResult | undefined> {
  const name = `${policy.name} (existing indices)`;
  try {
    const plan: IndexPlan = { unmanaged: [], outdated: [], claimed: [] };
    for (const pattern of templatePatterns(policy.body)) {
      const reply = await callOpenSearch(client, 'GET', `/_plugins/_ism/explain/${encodeURIComponent(pattern)}`);
      if (reply.status === 404) continue;
      const found = planIndices(reply.body, policy.name, current, ownership);
      plan.unmanaged.push(...found.unmanaged);
      plan.outdated.push(...found.outdated);
      plan.claimed.push(...found.claimed);
    }
    if (plan.unmanaged.length === 0 && plan.outdated.length === 0 && plan.claimed.length === 0) return undefined;
    const failures: string[] = [];
    if (!dryRun) {
      failures.push(...(await send(client, 'add', plan.unmanaged, policy.name)));
      failures.push(...(await send(client, 'change_policy', [...plan.outdated, ...plan.claimed], policy.name)));
    }
    const done = [
      plan.unmanaged.length > 0 ? `attached to ${plan.unmanaged.length} existing ${plural(plan.unmanaged.length)} without a policy` : '',
      plan.outdated.length > 0 ? `moved ${plan.outdated.length} ${plural(plan.outdated.length)} to the current policy version` : '',
      plan.claimed.length > 0
        ? `moved ${plan.claimed.length} ${plural(plan.claimed.length)} from a less specific cwl-opensearch policy to this one`
        : '',
    ].filter(Boolean);
    if (failures.length > 0) {
      return { kind: 'ism-indices', name, status: 'failed', reason: `${done.join('; ')}; refused: ${failures.join('; ')}` };
    }
    return { kind: 'ism-indices', name, status: 'updated', reason: done.join('; ') };
  } catch (error) {
    return { kind: 'ism-indices', name, status: 'failed', reason: describeError(error) };
  }
}

function plural(count: number): string {
  return count === 1 ? 'index' : 'indices';
}

/** The index patterns of the policy's `ism_template` entries. */
export function templatePatterns(body: Json): string[] {
  return ismTemplates(body).flatMap(stringPatterns);
}

interface IsmTemplate {
  readonly index_patterns?: unknown;
  readonly priority?: unknown;
}

/** A policy body's `ism_template` entries (none when it has none). */
function ismTemplates(body: Json): readonly IsmTemplate[] {
  return ((body.policy as Json | undefined)?.ism_template ?? []) as IsmTemplate[];
}

/** A template's `index_patterns` that are strings. */
function stringPatterns(template: IsmTemplate): string[] {
  return Array.isArray(template.index_patterns) ? template.index_patterns.filter((p): p is string => typeof p === 'string') : [];
}

/** `add` or `change_policy` for `indices`, in chunks; answers the refusals as `<index>: <reason>`. */
async function send(client: OpenSearchClient, api: 'add' | 'change_policy', indices: string[], policyId: string): Promise<string[]> {
  const failures: string[] = [];
  for (let start = 0; start < indices.length; start += NAMES_PER_CALL) {
    const chunk = indices.slice(start, start + NAMES_PER_CALL);
    const reply = await callOpenSearch(client, 'POST', `/_plugins/_ism/${api}/${chunk.map(encodeURIComponent).join(',')}`, {
      body: { policy_id: policyId },
    });
    const failed = ((reply.body as Json | undefined)?.failed_indices ?? []) as { index_name?: string; reason?: string }[];
    for (const item of failed) failures.push(`${item.index_name ?? '?'}: ${item.reason ?? 'refused'}`);
  }
  return failures;
}
