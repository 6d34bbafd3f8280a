import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { loadOpenSearchConfig } from '../pipeline/config';
import { createOpenSearchClient, type OpenSearchClient } from '../sinks/opensearch';

/**
 * Custom resource (Provider framework `onEvent`): creates the pipeline writer role in
 * OpenSearch fine-grained access control and maps IAM roles to it, signed as the
 * domain's master user. Delete leaves the mappings: the domain may be retained, and a
 * stale backend role grants nothing once its IAM role is gone.
 */

export interface RoleMappingRequest {
  readonly writerRole: string;
  readonly writerRoleArns: readonly string[];
  readonly adminRoleArns: readonly string[];
  readonly indexPatterns: readonly string[];
}

export interface MappingChange {
  readonly role: string;
  readonly added: readonly string[];
}

const SECURITY_API = '/_plugins/_security/api';
/** Built-in roles a person administering the pipeline needs. */
const ADMIN_ROLES = ['all_access', 'security_manager'] as const;

/** What the writer role may do: bulk-create documents and daily indices, like the built-in `logstash` role. */
export function writerRoleBody(indexPatterns: readonly string[]): Record<string, unknown> {
  return {
    description: 'cwl-opensearch pipeline: write documents and create daily indices',
    cluster_permissions: ['cluster_composite_ops', 'cluster_monitor'],
    index_permissions: [
      {
        index_patterns: [...indexPatterns],
        allowed_actions: ['crud', 'create_index', 'indices_monitor'],
      },
    ],
  };
}

/**
 * The body for PUT rolesmapping: the API replaces a mapping, so everything already
 * there (backend roles, users, hosts) is kept and `add` is appended.
 */
export function mergeMapping(existing: Record<string, unknown> | undefined, add: readonly string[]): {
  body: Record<string, unknown>;
  added: string[];
} {
  const list = (key: string): string[] => {
    const value = existing?.[key];
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  };
  const backendRoles = list('backend_roles');
  const added = [...new Set(add)].filter((arn) => !backendRoles.includes(arn));
  return {
    body: { backend_roles: [...backendRoles, ...added], users: list('users'), hosts: list('hosts') },
    added,
  };
}

/** Applies the role and the mappings; returns what was added. */
export async function applyRoleMapping(client: OpenSearchClient, request: RoleMappingRequest): Promise<MappingChange[]> {
  await client.transport.request({
    method: 'PUT',
    path: `${SECURITY_API}/roles/${encodeURIComponent(request.writerRole)}`,
    body: writerRoleBody(request.indexPatterns),
  });
  const wanted: [string, readonly string[]][] = [
    [request.writerRole, request.writerRoleArns],
    ...ADMIN_ROLES.map((role): [string, readonly string[]] => [role, request.adminRoleArns]),
  ];
  const changes: MappingChange[] = [];
  for (const [role, arns] of wanted) {
    if (arns.length === 0) continue;
    const path = `${SECURITY_API}/rolesmapping/${encodeURIComponent(role)}`;
    const current = await client.transport.request({ method: 'GET', path }, { ignore: [404] });
    const existing = current.statusCode === 404 ? undefined : ((current.body as Record<string, unknown>)[role] as Record<string, unknown> | undefined);
    const { body, added } = mergeMapping(existing, arns);
    if (added.length > 0) await client.transport.request({ method: 'PUT', path, body });
    changes.push({ role, added });
  }
  return changes;
}

/** Reads the custom resource properties (CloudFormation passes every value as a string or list). */
export function readRequest(properties: Record<string, unknown>): RoleMappingRequest {
  const list = (key: string): string[] => {
    const value = properties[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw new Error(`property ${key} must be a list of strings`);
    }
    return value;
  };
  const writerRole = properties.WriterRole;
  if (typeof writerRole !== 'string' || !/^[\w-]+$/.test(writerRole)) throw new Error('property WriterRole must be a role name');
  const indexPatterns = list('IndexPatterns');
  if (indexPatterns.length === 0) throw new Error('property IndexPatterns must not be empty');
  return { writerRole, writerRoleArns: list('WriterRoleArns'), adminRoleArns: list('AdminRoleArns'), indexPatterns };
}

let client: OpenSearchClient | undefined;

/** Provider framework entry point. */
export async function handler(event: CloudFormationCustomResourceEvent) {
  const physicalResourceId = 'PhysicalResourceId' in event ? event.PhysicalResourceId : `opensearch-role-mapping-${event.LogicalResourceId}`;
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalResourceId };
  const request = readRequest(event.ResourceProperties);
  client ??= createOpenSearchClient(loadOpenSearchConfig(process.env), { maxRetries: 5 });
  const changes = await applyRoleMapping(client, request);
  console.log(JSON.stringify({ message: 'role mappings applied', changes }));
  return {
    PhysicalResourceId: physicalResourceId,
    Data: { Added: changes.reduce((total, change) => total + change.added.length, 0) },
  };
}
