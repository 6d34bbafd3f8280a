import type { OpenSearchClient } from '../sinks/opensearch';
import { callOpenSearch } from './opensearch-api';
import type { Json, NamedAsset } from './types';

/**
 * Checks made before anything is written (issue 10, item 10):
 * - the cluster's version: `flat_object` mappings need OpenSearch 2.7 or later, so on an
 *   older cluster (or an Elasticsearch-based domain) the templates that use it are refused
 *   with that reason instead of failing with a mapper error;
 * - the Dashboards tenant: the security plugin sends saved objects to another tenant when
 *   the one named does not exist, so a tenant the security API says is unknown stops the
 *   saved objects.
 */

/** Tenants the security plugin always has (OpenSearch security's built-in names). */
const BUILT_IN_TENANTS = new Set(['global', 'global_tenant', 'private', '__user__']);

export interface ClusterVersion {
  readonly distribution: string;
  readonly number: string;
}

/** `GET /` -> the distribution and version number (Elasticsearch answers without `distribution`). */
export async function readClusterVersion(client: OpenSearchClient): Promise<ClusterVersion | undefined> {
  const reply = await callOpenSearch(client, 'GET', '/');
  const version = ((reply.body ?? {}) as Json).version as Json | undefined;
  if (version === undefined || typeof version.number !== 'string') return undefined;
  return { distribution: typeof version.distribution === 'string' ? version.distribution : 'elasticsearch', number: version.number };
}

/** Why `template` cannot be applied on `version`, or undefined when it can. */
export function versionProblem(template: NamedAsset, version: ClusterVersion | undefined): string | undefined {
  if (version === undefined || !JSON.stringify(template.body).includes('"flat_object"')) return undefined;
  const [major = 0, minor = 0] = version.number.split('.').map(Number);
  const supported = version.distribution === 'opensearch' && (major > 2 || (major === 2 && minor >= 7));
  if (supported) return undefined;
  const running = version.distribution === 'opensearch' ? `OpenSearch ${version.number}` : `Elasticsearch ${version.number}`;
  return `not applied: flat_object mappings need OpenSearch 2.7 or later; the cluster runs ${running}`;
}

/**
 * Whether the security plugin knows `tenant`: false only when it answers that the tenant is
 * not found. Without the security plugin, or without the right to read tenants, the check
 * cannot be made and answers true.
 */
export async function tenantExists(client: OpenSearchClient, tenant: string): Promise<boolean> {
  if (BUILT_IN_TENANTS.has(tenant.toLowerCase())) return true;
  try {
    const reply = await callOpenSearch(client, 'GET', `/_plugins/_security/api/tenants/${encodeURIComponent(tenant)}`);
    return !(reply.status === 404 && ((reply.body ?? {}) as Json).status === 'NOT_FOUND');
  } catch {
    return true;
  }
}
