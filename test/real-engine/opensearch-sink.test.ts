import { afterAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { loadOpenSearchConfig } from '../../functions/pipeline/config';
import type { LogDocument } from '../../functions/pipeline/types';
import { createOpenSearchClient } from '../../functions/sinks/opensearch';
import { OpenSearchSink } from '../../functions/sinks/opensearch-sink';

/**
 * The sink against the real engine at OPENSEARCH_URL (the real-engine suite always has one;
 * auth as in the shipper: OPENSEARCH_AUTH, AWS_REGION, OPENSEARCH_USERNAME/PASSWORD). Writes to
 * throw-away `cwltest-<run>-*` indices and deletes them afterwards.
 */

const url = process.env.OPENSEARCH_URL!;

describe('OpenSearchSink against the real engine', () => {
  const prefix = `cwltest-${randomUUID().slice(0, 8)}`;
  const client = createOpenSearchClient(loadOpenSearchConfig(process.env, url), { maxRetries: 0 });
  const index = `${prefix}-generic-2026.11.22`;
  const sink = new OpenSearchSink(client, {
    indexing: { prefix, naming: 'per-source', bulkMaxBytes: 64 * 1024, bulkMaxDocuments: 50 },
    retry: { baseDelayMs: 200, maxDelayMs: 2_000, maxAttempts: 5 },
  });
  const doc = (id: string, extra: Record<string, unknown> = {}): LogDocument => ({
    index,
    id,
    dataset: 'cloudwatch.generic',
    source: { '@timestamp': '2026-11-22T10:00:00.000Z', message: `m ${id}`, event: { dataset: 'cloudwatch.generic' }, ...extra },
  });

  afterAll(async () => {
    await client.transport.request({ method: 'DELETE', path: `/${prefix}-*` }, { ignore: [404] });
    await client.close();
  });

  it('indexes, then counts a replay as duplicates', async () => {
    const docs = Array.from({ length: 120 }, (_, i) => doc(`id-${i}`, { n: i }));
    expect(await sink.write(docs)).toMatchObject({ indexed: 120, duplicates: 0, deadLettered: 0 });
    expect(await sink.write(docs)).toMatchObject({ indexed: 0, duplicates: 120, deadLettered: 0 });
    await client.transport.request({ method: 'POST', path: `/${prefix}-*/_refresh` });
    const { body } = await client.transport.request({ method: 'POST', path: `/${index}/_count`, body: {} });
    expect((body as { count: number }).count).toBe(120);
  });

  it('dead-letters a document that conflicts with the mapping', async () => {
    const outcome = await sink.write([doc('conflict', { n: { not: 'a number' } })]);
    expect(outcome).toMatchObject({ indexed: 0, deadLettered: 1 });
    // The dead letter is filed under the event's own day, like the document it stands for.
    const { body } = await client.transport.request({ method: 'GET', path: `/${prefix}-deadletter-2026.11.22/_doc/conflict` });
    expect(body).toMatchObject({
      found: true,
      _source: { deadletter: { index, id: 'conflict', status: 400 }, error: { type: 'mapper_parsing_exception' } },
    });
  });
});
