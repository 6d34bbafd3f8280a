import { createHash } from 'node:crypto';

/**
 * How "unchanged" is decided. The cluster answers a GET with what we PUT plus what it
 * adds itself (ids, timestamps, `schema_version`, default `retry` blocks, numbers and
 * booleans rendered as strings in settings), so a plain equality would call every asset
 * changed on every run.
 */

/**
 * True when every value in `desired` is present in `actual`. Objects may carry extra
 * keys; arrays must have the same length, element by element; scalars compare by their
 * string form (`"1"` equals `1`, `"false"` equals `false`), as OpenSearch echoes them.
 */
export function isSubset(desired: unknown, actual: unknown): boolean {
  return findDifference(desired, actual) === undefined;
}

/** The first path where `desired` is not a subset of `actual` (`""` for the root), or undefined. */
export function findDifference(desired: unknown, actual: unknown, path = ''): string | undefined {
  if (desired === null || desired === undefined) return actual === null || actual === undefined ? undefined : path;
  if (Array.isArray(desired)) {
    if (!Array.isArray(actual) || actual.length !== desired.length) return path;
    for (const [i, item] of desired.entries()) {
      const found = findDifference(item, actual[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof desired === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return path;
    const target = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(desired as Record<string, unknown>)) {
      const found = findDifference(value, target[key], path === '' ? key : `${path}.${key}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (actual === null || actual === undefined || typeof actual === 'object') return path;
  return String(desired) === String(actual) ? undefined : path;
}

/** Both ways subset: equal up to the scalar string form. */
export function isEquivalent(a: unknown, b: unknown): boolean {
  return isSubset(a, b) && isSubset(b, a);
}

/**
 * Index settings as flat `index.*` keys with string values: `{"index": {"number_of_shards": 1}}`,
 * `{"number_of_shards": "1"}` and `{"index.number_of_shards": 1}` all become
 * `{"index.number_of_shards": "1"}`.
 */
export function flattenSettings(settings: unknown): Record<string, string> {
  const flat: Record<string, string> = {};
  const walk = (value: unknown, path: string): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, path === '' ? key : `${path}.${key}`);
    } else if (path !== '') {
      flat[path.startsWith('index.') ? path : `index.${path}`] = Array.isArray(value) ? value.join(',') : String(value);
    }
  };
  walk(settings, '');
  return flat;
}

/** Canonical JSON: object keys sorted, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** A short stable hash of `value`'s canonical JSON. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
