import type { OpenSearchClient } from '../sinks/opensearch';

/**
 * Where the poller got to, kept as one OpenSearch document (`<prefix>-pipeline-state`,
 * id `cloudtrail-poller-<region>`), so the poller needs no storage of its own.
 */
export interface PollerCheckpoint {
  /** End of the last window read completely (epoch ms). */
  readonly endTime: number;
  /** Events shipped inside the overlap window: id -> event time (epoch ms). */
  readonly seen: ReadonlyMap<string, number>;
}

/** Index of the pipeline's own state documents. */
export function stateIndex(prefix: string): string {
  return `${prefix}-pipeline-state`;
}

/** Document id of a region's poller checkpoint. */
export function checkpointId(region: string): string {
  return `cloudtrail-poller-${region}`;
}

/** The stored form of the `seen` memory: `"<event time ms>:<event id>"`, one keyword each. */
export function encodeSeen(seen: ReadonlyMap<string, number>): string[] {
  return [...seen].sort((a, b) => a[1] - b[1]).map(([id, time]) => `${time}:${id}`);
}

export function decodeSeen(values: unknown): Map<string, number> {
  const seen = new Map<string, number>();
  if (!Array.isArray(values)) return seen;
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const colon = value.indexOf(':');
    const time = Number(value.slice(0, colon));
    if (colon > 0 && Number.isFinite(time)) seen.set(value.slice(colon + 1), time);
  }
  return seen;
}

/** Reads the checkpoint; undefined on the first run (no index or no document). */
export async function readCheckpoint(
  client: OpenSearchClient,
  prefix: string,
  region: string,
): Promise<PollerCheckpoint | undefined> {
  const response = await client.get({ index: stateIndex(prefix), id: checkpointId(region) }, { ignore: [404] });
  const body = response.body as { found?: boolean; _source?: Record<string, unknown> };
  if (body.found !== true) return undefined;
  const state = body._source?.cloudtrail_poller as { end_time?: unknown; seen_events?: unknown } | undefined;
  const endTime = typeof state?.end_time === 'string' ? Date.parse(state.end_time) : Number.NaN;
  if (Number.isNaN(endTime)) return undefined;
  return { endTime, seen: decodeSeen(state?.seen_events) };
}

/** Writes (replaces) the checkpoint document. */
export async function writeCheckpoint(
  client: OpenSearchClient,
  prefix: string,
  region: string,
  checkpoint: PollerCheckpoint,
  now: Date,
): Promise<void> {
  await client.index({
    index: stateIndex(prefix),
    id: checkpointId(region),
    body: {
      '@timestamp': now.toISOString(),
      cloudtrail_poller: {
        region,
        end_time: new Date(checkpoint.endTime).toISOString(),
        seen_events: encodeSeen(checkpoint.seen),
        updated_at: now.toISOString(),
      },
    },
  });
}
