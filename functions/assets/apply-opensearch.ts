import type { OpenSearchClient } from '../sinks/opensearch';
import { contentHash, findDifference, flattenSettings } from './compare';
import { callOpenSearch, describeError, documentVersion, type DocumentVersion } from './opensearch-api';
import type { AssetKind, AssetResult, Json, NamedAsset } from './types';

/**
 * Applies the cluster-side assets one by one: GET, compare, then PUT/POST only what
 * differs. Every function answers with a result and never throws, so one broken asset
 * does not stop the others.
 */

/** Marker stored in each monitor's `ui_metadata`, whose content the server keeps verbatim. */
export const MONITOR_MARKER = 'cwl_opensearch';

type Outcome = Omit<AssetResult, 'kind' | 'name'>;

async function guarded(kind: AssetKind, asset: NamedAsset, run: () => Promise<Outcome>): Promise<AssetResult> {
  try {
    return { kind, name: asset.name, ...(await run()) };
  } catch (error) {
    return { kind, name: asset.name, status: 'failed', reason: describeError(error) };
  }
}

/** `PUT _component_template/<name>` when absent or different. */
export function applyComponentTemplate(
  client: OpenSearchClient,
  asset: NamedAsset,
  dryRun: boolean,
): Promise<AssetResult> {
  return applyTemplate(client, asset, dryRun, 'component-template', '_component_template', (body) =>
    firstOf(body, 'component_templates', 'component_template'),
  );
}

/** `PUT _index_template/<name>` when absent or different. */
export function applyIndexTemplate(client: OpenSearchClient, asset: NamedAsset, dryRun: boolean): Promise<AssetResult> {
  return applyTemplate(client, asset, dryRun, 'index-template', '_index_template', (body) =>
    firstOf(body, 'index_templates', 'index_template'),
  );
}

async function applyTemplate(
  client: OpenSearchClient,
  asset: NamedAsset,
  dryRun: boolean,
  kind: AssetKind,
  api: string,
  extract: (body: unknown) => unknown,
): Promise<AssetResult> {
  return guarded(kind, asset, async () => {
    const path = `/${api}/${encodeURIComponent(asset.name)}`;
    const current = await callOpenSearch(client, 'GET', path);
    const existing = current.status === 404 ? undefined : extract(current.body);
    let reason: string | undefined;
    if (existing !== undefined) {
      reason = templateDifference(asset.body, existing);
      if (reason === undefined) return { status: 'unchanged' };
    }
    if (!dryRun) await callOpenSearch(client, 'PUT', path, { body: asset.body });
    return existing === undefined ? { status: 'created' } : { status: 'updated', reason };
  });
}

/**
 * Where a stored template differs from ours, or undefined. Settings are compared flat
 * (the server nests them and renders values as strings); mappings must match both ways,
 * so a field removed from our file is also a change.
 */
export function templateDifference(desired: Json, actual: unknown): string | undefined {
  const want = normalizeTemplate(desired);
  const have = normalizeTemplate(actual);
  const missing = findDifference(want, have);
  if (missing !== undefined) return `${missing || 'template'} differs`;
  const wantMappings = (want.template as Json | undefined)?.mappings;
  const haveMappings = (have.template as Json | undefined)?.mappings;
  const extra = findDifference(haveMappings ?? {}, wantMappings ?? {}, 'template.mappings');
  return extra === undefined ? undefined : `${extra} is not in the file`;
}

function normalizeTemplate(value: unknown): Json {
  if (value === null || typeof value !== 'object') return {};
  const template = value as Json;
  const inner = (template.template ?? {}) as Json;
  let mappings = inner.mappings as Json | undefined;
  // Some versions answer with the mapping wrapped in its old type name.
  if (mappings !== undefined && Object.keys(mappings).length === 1 && typeof mappings._doc === 'object') {
    mappings = mappings._doc as Json;
  }
  return {
    ...template,
    template: {
      ...inner,
      ...(inner.settings !== undefined && { settings: flattenSettings(inner.settings) }),
      ...(mappings !== undefined && { mappings }),
    },
  };
}

function firstOf(body: unknown, list: string, field: string): unknown {
  const items = (body as Json | undefined)?.[list];
  return Array.isArray(items) ? (items[0] as Json | undefined)?.[field] : undefined;
}

/**
 * ISM policy: GET, then PUT (guarded by `if_seq_no`/`if_primary_term` when it exists).
 * Answers the result and the policy's version after the call (none in a dry run that would
 * create or change it, nor when it failed), for moving existing indices to it.
 */
export async function applyIsmPolicy(
  client: OpenSearchClient,
  asset: NamedAsset,
  dryRun: boolean,
): Promise<{ readonly result: AssetResult; readonly version: DocumentVersion | undefined }> {
  let version: DocumentVersion | undefined;
  const result = await guarded('ism-policy', asset, async () => {
    const path = `/_plugins/_ism/policies/${encodeURIComponent(asset.name)}`;
    const current = await callOpenSearch(client, 'GET', path);
    if (current.status === 404) {
      if (!dryRun) version = documentVersion((await callOpenSearch(client, 'PUT', path, { body: asset.body })).body);
      return { status: 'created' };
    }
    const stored = current.body as { policy?: unknown; _seq_no?: number; _primary_term?: number };
    const difference = findDifference(asset.body.policy, stored.policy, 'policy');
    if (difference === undefined) {
      version = documentVersion(stored);
      return { status: 'unchanged' };
    }
    if (!dryRun) {
      const put = await callOpenSearch(client, 'PUT', path, {
        body: asset.body,
        querystring: { if_seq_no: String(stored._seq_no ?? 0), if_primary_term: String(stored._primary_term ?? 1) },
      });
      version = documentVersion(put.body);
    }
    return { status: 'updated', reason: `${difference || 'policy'} differs` };
  });
  return { result, version };
}

/** Ingest pipeline (`PUT _ingest/pipeline/<name>`) when absent or different. */
export async function applyIngestPipeline(client: OpenSearchClient, asset: NamedAsset, dryRun: boolean): Promise<AssetResult> {
  return guarded('ingest-pipeline', asset, async () => {
    const path = `/_ingest/pipeline/${encodeURIComponent(asset.name)}`;
    const current = await callOpenSearch(client, 'GET', path);
    const stored = current.status === 404 ? undefined : (current.body as Json | undefined)?.[asset.name];
    if (stored !== undefined) {
      // Both ways: a processor removed from the file is a change too.
      const difference = findDifference(asset.body, stored) ?? findDifference(stored, asset.body);
      if (difference === undefined) return { status: 'unchanged' };
      if (!dryRun) await callOpenSearch(client, 'PUT', path, { body: asset.body });
      return { status: 'updated', reason: `${difference || 'pipeline'} differs` };
    }
    if (!dryRun) await callOpenSearch(client, 'PUT', path, { body: asset.body });
    return { status: 'created' };
  });
}

/** Notification channel (`config_id` fixed): GET, then POST (new) or PUT (changed). */
export async function applyChannel(client: OpenSearchClient, asset: NamedAsset, dryRun: boolean): Promise<AssetResult> {
  return guarded('notification-channel', asset, async () => {
    const path = `/_plugins/_notifications/configs/${encodeURIComponent(asset.name)}`;
    const current = await callOpenSearch(client, 'GET', path);
    const stored = firstOf(current.body, 'config_list', 'config');
    if (current.status === 404 || stored === undefined) {
      if (!dryRun) await callOpenSearch(client, 'POST', '/_plugins/_notifications/configs', { body: asset.body });
      return { status: 'created' };
    }
    const difference = findDifference(asset.body.config, stored, 'config');
    if (difference === undefined) return { status: 'unchanged' };
    if (!dryRun) await callOpenSearch(client, 'PUT', path, { body: { config: asset.body.config } });
    return { status: 'updated', reason: `${difference || 'config'} differs` };
  });
}

/** The monitor as sent: our body plus a content hash in `ui_metadata`. */
export function monitorBody(asset: NamedAsset): Json {
  return {
    ...asset.body,
    ui_metadata: { [MONITOR_MARKER]: { hash: contentHash(asset.body), managed_by: 'cwl-opensearch assets apply' } },
  };
}

/**
 * Monitor, found by name (`_search` on `monitor.name.keyword`). The server rewrites the
 * query DSL it stores (`gte` becomes `from` + `include_lower`, `boost` appears), so the
 * content is compared through the hash kept in `ui_metadata`; `enabled` and `schedule` are
 * also checked so that a monitor switched off by hand is switched back on.
 */
export async function applyMonitor(client: OpenSearchClient, asset: NamedAsset, dryRun: boolean): Promise<AssetResult> {
  return guarded('monitor', asset, async () => {
    const body = monitorBody(asset);
    const ids = await findMonitorIds(client, asset.name);
    if (ids.length === 0) {
      if (dryRun) return { status: 'created' };
      const created = await callOpenSearch(client, 'POST', '/_plugins/_alerting/monitors', { body, querystring: { refresh: 'true' } });
      // The apply lock keeps two applies of this version apart; an apply that takes no lock
      // (an older version, a script) can still create the same name at the same time. Look again.
      const after = await findMonitorIds(client, asset.name);
      if (after.length <= 1) return { status: 'created' };
      const own = String((created.body as Json | undefined)?._id ?? '');
      return {
        status: 'failed',
        reason:
          `created ${own || 'a monitor'}, but ${after.length} monitors are now named so (${after.join(', ')}): ` +
          'another apply created one at the same time; delete all but one',
      };
    }
    const [id] = ids as [string];
    const duplicates = ids.length > 1 ? `; ${ids.length} monitors are named so, kept ${id}: delete the others` : '';
    const current = await callOpenSearch(client, 'GET', `/_plugins/_alerting/monitors/${encodeURIComponent(id)}`);
    const stored = current.body as { monitor?: Json; _seq_no?: number; _primary_term?: number };
    const monitor = stored.monitor ?? {};
    const marker = (monitor.ui_metadata as Json | undefined)?.[MONITOR_MARKER] as Json | undefined;
    const expected = (body.ui_metadata as Json)[MONITOR_MARKER] as Json;
    const basics = { name: body.name, enabled: body.enabled, monitor_type: body.monitor_type, schedule: body.schedule };
    const difference =
      current.status === 404
        ? 'monitor vanished'
        : marker?.hash !== expected.hash
          ? 'content differs'
          : findDifference(basics, monitor);
    if (difference === undefined) return { status: 'unchanged', ...(duplicates && { reason: duplicates.slice(2) }) };
    if (!dryRun) {
      await callOpenSearch(client, 'PUT', `/_plugins/_alerting/monitors/${encodeURIComponent(id)}`, {
        body,
        querystring: {
          ...(stored._seq_no !== undefined && { if_seq_no: String(stored._seq_no) }),
          ...(stored._primary_term !== undefined && { if_primary_term: String(stored._primary_term) }),
          refresh: 'true',
        },
      });
    }
    return { status: 'updated', reason: `${difference || 'monitor'} differs${duplicates}` };
  });
}

async function findMonitorIds(client: OpenSearchClient, name: string): Promise<string[]> {
  const reply = await callOpenSearch(client, 'POST', '/_plugins/_alerting/monitors/_search', {
    body: { size: 20, query: { term: { 'monitor.name.keyword': name } } },
  });
  // No monitor was ever created: the alerting config index does not exist yet.
  if (reply.status === 404) return [];
  const hits = ((reply.body as Json | undefined)?.hits as Json | undefined)?.hits;
  if (!Array.isArray(hits)) return [];
  return hits
    .filter((hit: Json) => {
      const source = (hit._source ?? {}) as Json;
      const named = (source.monitor as Json | undefined)?.name ?? source.name;
      return named === name;
    })
    .map((hit: Json) => String(hit._id))
    .sort();
}
