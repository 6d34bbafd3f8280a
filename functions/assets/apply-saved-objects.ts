import { randomUUID } from 'node:crypto';
import { findDifference } from './compare';
import { requestJson, type DashboardsClient } from './dashboards-client';
import { DashboardsError } from './errors';
import type { AssetResult, Json, SavedObject } from './types';

/**
 * Saved objects: read the stored versions with `_bulk_get`, compare, and import only the
 * new or changed ones with `_import?overwrite=true` (fixed ids, so an import never makes
 * a copy). Unchanged objects are not sent at all.
 */

/** Attributes that hold JSON as a string; they are compared parsed, since Dashboards may re-serialize them. */
export const JSON_STRING_ATTRIBUTES = [
  'visState',
  'uiStateJSON',
  'searchSourceJSON',
  'panelsJSON',
  'optionsJSON',
  'fieldFormatMap',
  'fields',
] as const;

/** `<type>/<id>`, how the report names a saved object. */
export function savedObjectKey(object: { type: string; id: string }): string {
  return `${object.type}/${object.id}`;
}

/** Compares, imports what differs, and reports every object. */
export async function applySavedObjects(
  client: DashboardsClient,
  objects: readonly SavedObject[],
  dryRun: boolean,
): Promise<AssetResult[]> {
  if (objects.length === 0) return [];
  const plan = new Map<string, { object: SavedObject; status: 'created' | 'updated' | 'unchanged' | 'failed'; reason?: string }>();
  try {
    const stored = await bulkGet(client, objects);
    for (const object of objects) {
      const found = stored.get(savedObjectKey(object));
      const difference = found === undefined ? undefined : savedObjectDifference(object, found);
      plan.set(
        savedObjectKey(object),
        found === undefined
          ? { object, status: 'created' }
          : difference === undefined
            ? { object, status: 'unchanged' }
            : { object, status: 'updated', reason: `${difference} differs` },
      );
    }
  } catch (error) {
    if (dryRun) {
      // A dry run only compares: what could not be read is not known to need an update.
      const reason = `could not read the stored objects: ${(error as Error).message}`;
      for (const object of objects) plan.set(savedObjectKey(object), { object, status: 'failed', reason });
    } else {
      // Without a comparison every object is imported; overwrite keeps that idempotent.
      const reason = `could not compare (${(error as Error).message}); imported with overwrite`;
      for (const object of objects) plan.set(savedObjectKey(object), { object, status: 'updated', reason });
    }
  }

  const changed = [...plan.values()].filter((entry) => entry.status === 'created' || entry.status === 'updated').map((entry) => entry.object);
  const failures = new Map<string, string>();
  if (changed.length > 0 && !dryRun) {
    try {
      for (const [key, reason] of await importObjects(client, changed)) failures.set(key, reason);
    } catch (error) {
      for (const object of changed) failures.set(savedObjectKey(object), (error as Error).message);
    }
  }
  return [...plan.entries()].map(([key, entry]): AssetResult => {
    const failed = failures.get(key);
    if (failed !== undefined) return { kind: 'saved-object', name: key, status: 'failed', reason: failed };
    return {
      kind: 'saved-object',
      name: key,
      status: entry.status,
      ...(entry.reason !== undefined && { reason: entry.reason }),
    };
  });
}

/**
 * Where a stored object differs from ours, or undefined: our attributes must be present
 * (JSON strings compared parsed) and the references must be the same set.
 */
export function savedObjectDifference(desired: SavedObject, stored: Json): string | undefined {
  const attributes = findDifference(parseJsonStrings(desired.attributes), parseJsonStrings(stored.attributes), 'attributes');
  if (attributes !== undefined) return attributes;
  const ours = sortReferences(desired.references);
  const theirs = sortReferences(Array.isArray(stored.references) ? (stored.references as SavedObject['references']) : []);
  if (ours.length !== theirs.length) return 'references';
  return findDifference(ours, theirs, 'references');
}

function sortReferences(references: SavedObject['references']): { name: string; type: string; id: string }[] {
  return references
    .map(({ name, type, id }) => ({ name, type, id }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function parseJsonStrings(value: unknown, key = ''): unknown {
  if (typeof value === 'string' && (JSON_STRING_ATTRIBUTES as readonly string[]).includes(key)) {
    try {
      return parseJsonStrings(JSON.parse(value) as unknown);
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map((item) => parseJsonStrings(item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([inner, item]) => [inner, parseJsonStrings(item, inner)]));
  }
  return value;
}

async function bulkGet(client: DashboardsClient, objects: readonly SavedObject[]): Promise<Map<string, Json>> {
  const reply = (await requestJson(client, {
    method: 'POST',
    path: '/api/saved_objects/_bulk_get',
    body: JSON.stringify(objects.map(({ type, id }) => ({ type, id }))),
    contentType: 'application/json',
  })) as { saved_objects?: Json[] };
  const found = new Map<string, Json>();
  for (const stored of reply.saved_objects ?? []) {
    if (stored.error !== undefined || typeof stored.id !== 'string' || typeof stored.type !== 'string') continue;
    found.set(savedObjectKey({ type: stored.type, id: stored.id }), stored);
  }
  return found;
}

/** Imports `objects` as one NDJSON file; resolves with the objects the server refused and why. */
async function importObjects(client: DashboardsClient, objects: readonly SavedObject[]): Promise<Map<string, string>> {
  const boundary = `----cwl-opensearch-${randomUUID()}`;
  const ndjson = objects.map((object) => JSON.stringify(object)).join('\n');
  const body = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cwl-opensearch.ndjson"\r\n` +
      `Content-Type: application/ndjson\r\n\r\n${ndjson}\r\n--${boundary}--\r\n`,
  );
  const reply = (await requestJson(client, {
    method: 'POST',
    path: '/api/saved_objects/_import',
    query: { overwrite: 'true' },
    body,
    contentType: `multipart/form-data; boundary=${boundary}`,
  })) as { success?: boolean; successCount?: number; errors?: ImportError[] };
  const failures = new Map<string, string>();
  for (const error of reply.errors ?? []) {
    failures.set(savedObjectKey({ type: error.type ?? '?', id: error.id ?? '?' }), describeImportError(error));
  }
  // The reply is 200 even when nothing was imported; a refusal without details still fails all.
  if (reply.success !== true && failures.size === 0) {
    throw new DashboardsError(`import refused: ${JSON.stringify(reply).slice(0, 300)}`);
  }
  return failures;
}

interface ImportError {
  readonly id?: string;
  readonly type?: string;
  readonly title?: string;
  readonly error?: { type?: string; references?: { type: string; id: string }[]; message?: string };
}

function describeImportError(error: ImportError): string {
  const kind = error.error?.type ?? 'unknown';
  const references = error.error?.references?.map((reference) => `${reference.type}/${reference.id}`).join(', ');
  const detail = references ? ` (${references})` : error.error?.message ? ` (${error.error.message})` : '';
  return `import: ${kind}${detail}`;
}
