import type { OpenSearchClient } from '../sinks/opensearch';
import { changedFields } from './enrichment-fields';
import type { PendingDocument } from './find-pending';

/** What to set on one document. */
export interface DocumentPatch {
  /** Desired `aws.athena.*` values; only those that differ from the stored ones are written. */
  readonly athena: Record<string, unknown>;
  /** Tags to add (kept with the document's existing tags). */
  readonly addTags?: readonly string[];
}

/** A partial update ready to send: `doc` for `_update`, or nothing when the document already holds it. */
export interface PlannedUpdate {
  readonly document: PendingDocument;
  readonly doc: Record<string, unknown>;
}

export interface UpdateOutcome {
  updated: number;
  /** The document is gone (deleted by retention between search and update). */
  missing: number;
  readonly failed: { readonly document: PendingDocument; readonly error: unknown }[];
}

/**
 * Plans the partial update of one document, or undefined when nothing would change: a
 * second sweep over the same answers writes nothing, not even `enriched_at`.
 */
export function planUpdate(document: PendingDocument, patch: DocumentPatch, enrichedAt: string): PlannedUpdate | undefined {
  const changed = changedFields(patch.athena, document.athena);
  const newTags = (patch.addTags ?? []).filter((tag) => !document.tags.includes(tag));
  if (Object.keys(changed).length === 0 && newTags.length === 0) return undefined;
  const doc: Record<string, unknown> = { aws: { athena: { ...changed, enriched_at: enrichedAt } } };
  if (newTags.length > 0) doc.tags = [...document.tags, ...newTags];
  return { document, doc };
}

/**
 * Sends partial updates (`_update` with `doc`) to each document's own index and id, a few
 * at a time. The document is merged in place: never a second document per query.
 */
export async function applyUpdates(
  client: OpenSearchClient,
  updates: readonly PlannedUpdate[],
  concurrency = 8,
): Promise<UpdateOutcome> {
  const outcome: UpdateOutcome = { updated: 0, missing: 0, failed: [] };
  let next = 0;
  async function worker(): Promise<void> {
    for (let position = next++; position < updates.length; position = next++) {
      const { document, doc } = updates[position]!;
      try {
        await client.update({ index: document.index, id: document.id, retry_on_conflict: 3, body: { doc } });
        outcome.updated += 1;
      } catch (error) {
        if (statusOf(error) === 404) outcome.missing += 1;
        else outcome.failed.push({ document, error });
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, updates.length)) }, worker));
  return outcome;
}

function statusOf(error: unknown): number | undefined {
  const meta = (error as { meta?: { statusCode?: unknown } } | null)?.meta;
  return typeof meta?.statusCode === 'number' ? meta.statusCode : undefined;
}
