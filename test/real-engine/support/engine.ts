import { randomUUID } from 'node:crypto';
import { Client } from '@opensearch-project/opensearch';

/** The node under test (the suite's global setup has checked that it answers). */
export const engineUrl = (): string => {
  const url = process.env.OPENSEARCH_URL;
  if (!url) throw new Error('OPENSEARCH_URL is not set: run the real-engine suite with `npm run test:opensearch`');
  return url;
};

/** A plain client for the test's own checks (the code under test builds its own). */
export const engineClient = (url = engineUrl()) => new Client({ node: url, requestTimeout: 60_000 });

/** A lower-case prefix no other test run uses, so runs never see each other's indices. */
export const uniquePrefix = (what: string) => `re${what}${randomUUID().slice(0, 6)}`;

type EngineClient = ReturnType<typeof engineClient>;

export async function refresh(client: EngineClient, pattern: string): Promise<void> {
  await client.transport.request({ method: 'POST', path: `/${pattern}/_refresh`, querystring: { ignore_unavailable: true } });
}

export async function countDocuments(client: EngineClient, pattern: string, query?: object): Promise<number> {
  await refresh(client, pattern);
  const { body } = await client.transport.request({
    method: 'POST',
    path: `/${pattern}/_count`,
    querystring: { ignore_unavailable: true, allow_no_indices: true },
    body: query ? { query } : {},
  });
  return (body as { count: number }).count;
}

/** Deletes every index under `prefix` (test clean-up). */
export async function deleteIndices(client: EngineClient, prefix: string): Promise<void> {
  await client.transport.request({ method: 'DELETE', path: `/${prefix}-*` }, { ignore: [404] });
}
