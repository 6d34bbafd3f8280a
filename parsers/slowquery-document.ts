/**
 * The parts of a slow-log document that do not depend on how the entry was read: ids
 * from the log group, the statement's derived fields, the result shapes. Shared by the
 * scanner (`rds-mysql-slowquery.ts`) and the grammar parser (`slowquery-grammar-parser.ts`).
 */
import { statementType } from './slowquery-statement';
import type { UserHost } from './slowquery-user-host';
import { fingerprintId, fingerprintSql } from './sql-fingerprint';
import type { Fields, ParseContext, ParseResult } from './types';

const INSTANCE_GROUP_PREFIX = '/aws/rds/instance/';
const CLUSTER_GROUP_PREFIX = '/aws/rds/cluster/';
const GROUP_SUFFIX = '/slowquery';

/** Tag for an entry whose headers were read but whose statement is missing or cut. */
export const TRUNCATED_TAG = 'truncated';

export function failure(reason: string, rds: Record<string, string> | undefined): ParseResult {
  return rds === undefined ? { ok: false, reason } : { ok: false, reason, fields: { aws: { rds } } };
}

export function addStatement(slowlog: Record<string, unknown>, query: string): void {
  slowlog['query'] = query;
  const type = statementType(query);
  if (type !== undefined) slowlog['statement_type'] = type;
  const fingerprint = fingerprintSql(query);
  if (fingerprint !== '') {
    slowlog['fingerprint'] = fingerprint;
    slowlog['fingerprint_id'] = fingerprintId(fingerprint);
  }
}

/** `aws.rds`, `user` and `source`, each only when the entry or the log group tells it. */
export function documentFields(rds: Record<string, string> | undefined, userHost: UserHost | undefined): Fields {
  const fields: Fields = {};
  if (rds !== undefined) fields['aws'] = { rds };
  if (userHost === undefined) return fields;
  if (userHost.privUser !== undefined) fields['user'] = { name: userHost.privUser };
  if (userHost.ip !== undefined || userHost.host !== undefined) {
    const source: Fields = {};
    if (userHost.ip !== undefined) source['ip'] = userHost.ip;
    if (userHost.host !== undefined) source['domain'] = userHost.host;
    fields['source'] = source;
  }
  return fields;
}

/** `aws.rds` ids from `/aws/rds/instance/<id>/slowquery` or `/aws/rds/cluster/<id>/slowquery`. */
export function rdsIds(context: ParseContext): Record<string, string> | undefined {
  const ids = groupIds(context.logGroup);
  if (ids.instance !== undefined) return { db_instance: ids.instance };
  if (ids.cluster === undefined) return undefined;
  return context.logStream === '' ? { db_cluster: ids.cluster } : { db_instance: context.logStream, db_cluster: ids.cluster };
}

// Every event of a batch has the same log group: its ids are worked out once per group.
let lastGroup: string | undefined;
let lastGroupIds: { readonly instance?: string; readonly cluster?: string } = {};

function groupIds(logGroup: string): { readonly instance?: string; readonly cluster?: string } {
  if (logGroup !== lastGroup) {
    const instance = groupId(logGroup, INSTANCE_GROUP_PREFIX);
    const cluster = instance === undefined ? groupId(logGroup, CLUSTER_GROUP_PREFIX) : undefined;
    lastGroupIds = instance !== undefined ? { instance } : cluster !== undefined ? { cluster } : {};
    lastGroup = logGroup;
  }
  return lastGroupIds;
}

/** The non-empty id, holding no `/`, between `prefix` and `/slowquery`; undefined when the group is shaped otherwise. */
function groupId(logGroup: string, prefix: string): string | undefined {
  const idEnd = logGroup.length - GROUP_SUFFIX.length;
  if (idEnd <= prefix.length || !logGroup.startsWith(prefix) || !logGroup.endsWith(GROUP_SUFFIX)) return undefined;
  const id = logGroup.slice(prefix.length, idEnd);
  return id.includes('/') ? undefined : id;
}

export function optionalCount(digits: string | undefined): number | undefined {
  const value = digits === undefined ? undefined : Number(digits);
  return value !== undefined && Number.isSafeInteger(value) ? value : undefined;
}

export function unquoteIdentifier(name: string): string {
  return name.length > 1 && name.startsWith('`') && name.endsWith('`') ? name.slice(1, -1) : name;
}

export function trimNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) end -= 1;
  return text.slice(0, end);
}

export function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
