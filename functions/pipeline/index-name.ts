import type { IndexNaming } from './config';

/**
 * Index names: `<prefix>-<slug>-<yyyy.MM.dd>` from the document's `@timestamp` in UTC,
 * or `<prefix>-<slug>-<log group slug>-<yyyy.MM.dd>` in per-log-group mode. Always a
 * valid OpenSearch name: lower case, no forbidden characters, under 255 bytes.
 */
const MAX_INDEX_BYTES = 255;
const DATE_SUFFIX_LENGTH = '-yyyy.MM.dd'.length;

export interface IndexNameInput {
  readonly prefix: string;
  readonly slug: string;
  /** ISO 8601 time of the document (`@timestamp`). */
  readonly timestamp: string;
  readonly naming: IndexNaming;
  readonly logGroup: string;
}

/** The daily index for a document. */
export function indexName(input: IndexNameInput): string {
  const day = utcDay(input.timestamp);
  if (input.naming === 'per-source') return `${input.prefix}-${input.slug}-${day}`;
  const head = `${input.prefix}-${input.slug}-`;
  const room = MAX_INDEX_BYTES - head.length - DATE_SUFFIX_LENGTH;
  return `${head}${logGroupSlug(input.logGroup, room)}-${day}`;
}

/** `2026-11-22T10:00:00.000Z` -> `2026.11.22` (UTC, whatever the offset in the input). */
export function utcDay(timestamp: string): string {
  // Fast path: the pipeline's own timestamps are already UTC ISO strings.
  if (timestamp.length >= 20 && timestamp.endsWith('Z') && timestamp[4] === '-' && timestamp[10] === 'T') {
    return `${timestamp.slice(0, 4)}.${timestamp.slice(5, 7)}.${timestamp.slice(8, 10)}`;
  }
  const iso = new Date(timestamp).toISOString();
  return `${iso.slice(0, 4)}.${iso.slice(5, 7)}.${iso.slice(8, 10)}`;
}

const slugCache = new Map<string, string>();

/**
 * `/aws/lambda/My-Fn` -> `aws-lambda-my-fn`: lower case, `/` -> `-`, leading `-` dropped,
 * characters OpenSearch forbids (`\ * ? " < > | , # :` and spaces) -> `_`, cut to `maxBytes`.
 */
export function logGroupSlug(logGroup: string, maxBytes = 200): string {
  const key = `${maxBytes}\u0000${logGroup}`;
  let slug = slugCache.get(key);
  if (slug === undefined) {
    slug = logGroup
      .toLowerCase()
      .replace(/\//g, '-')
      .replace(/[\\*?"<>|,#:\s]/g, '_')
      .replace(/^[-_+.]+/, '');
    slug = cutToBytes(slug === '' ? 'unnamed' : slug, maxBytes).replace(/-+$/, '');
    if (slugCache.size > 10_000) slugCache.clear();
    slugCache.set(key, slug);
  }
  return slug;
}

function cutToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let cut = text.slice(0, maxBytes);
  while (Buffer.byteLength(cut) > maxBytes) cut = cut.slice(0, -1);
  return cut;
}
