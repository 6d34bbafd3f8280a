import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gunzipSync } from 'node:zlib';
import { BULK_FILTER_PATH } from '../../functions/sinks/opensearch-sink';
import { SinkError } from '../../functions/pipeline/errors';
import { basicHeader, parseNdjson, startFakeOpenSearch } from '../helpers/fake-opensearch';
import type { FakeOpenSearch, RecordedRequest } from '../helpers/fake-opensearch';
import { parseSigV4, sigV4Problem } from '../helpers/sigv4';
import { CREDENTIALS, clientFor, documents, sinkFor } from './support';

let fake: FakeOpenSearch;
beforeEach(async () => {
  fake = await startFakeOpenSearch();
});
afterEach(async () => {
  await fake.close();
});

function actions(request: RecordedRequest): Record<string, { _index: string; _id: string }>[] {
  return parseNdjson(request.body).filter((_, i) => i % 2 === 0) as Record<string, { _index: string; _id: string }>[];
}

describe('OpenSearchSink writes', () => {
  it('stores every document once with create and counts them per index', async () => {
    const docs = documents(7);
    const { sink } = sinkFor(clientFor(fake));
    const outcome = await sink.write(docs);
    expect(outcome).toEqual({
      indexed: 7,
      duplicates: 0,
      retried: 0,
      deadLettered: 0,
      byIndex: { 'cwl-generic-2026.11.21': 4, 'cwl-generic-2026.11.22': 3 },
    });
    for (const doc of docs) expect(fake.get(doc.index, doc.id)?.source).toEqual(doc.source);
    const [request] = fake.bulkRequests();
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/x-ndjson');
    expect(actions(request!).map((action) => Object.keys(action))).toEqual(docs.map(() => ['create']));
  });

  it('counts a replay of the same documents as duplicates and changes nothing', async () => {
    const docs = documents(5);
    const { sink } = sinkFor(clientFor(fake));
    await sink.write(docs);
    const before = JSON.stringify([...fake.indices]);
    const again = await sink.write(docs);
    expect(again).toMatchObject({ indexed: 0, duplicates: 5, retried: 0, deadLettered: 0 });
    expect(again.byIndex).toEqual({ 'cwl-generic-2026.11.21': 3, 'cwl-generic-2026.11.22': 2 });
    expect(JSON.stringify([...fake.indices])).toBe(before);
  });

  it('asks for a filtered reply and still classifies from it', async () => {
    const { sink } = sinkFor(clientFor(fake));
    await sink.write(documents(2));
    const again = await sink.write(documents(3));
    expect(again).toMatchObject({ indexed: 1, duplicates: 2 });
    for (const request of fake.bulkRequests()) expect(request.query.filter_path).toBe(BULK_FILTER_PATH);
  });

  it.each([
    ['count', { bulkMaxDocuments: 3 }, [3, 3, 3, 1]],
    ['bytes', { bulkMaxBytes: 900 }, undefined],
  ])('cuts requests by %s', async (_name, indexing, sizes) => {
    const docs = documents(10);
    const { sink } = sinkFor(clientFor(fake, { compression: false }), { indexing });
    expect((await sink.write(docs)).indexed).toBe(10);
    const requests = fake.bulkRequests();
    const counts = requests.map((request) => actions(request).length);
    if (sizes !== undefined) expect(counts).toEqual(sizes);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(10);
    expect(requests.length).toBeGreaterThan(1);
    for (const request of requests) {
      if (actions(request).length > 1 && 'bulkMaxBytes' in indexing) {
        expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(indexing.bulkMaxBytes);
      }
    }
    expect(requests.flatMap((request) => actions(request).map((action) => action.create?._id))).toEqual(docs.map((doc) => doc.id));
  });

  it('encodes each document once when cutting by bytes, the one that did not fit included', async () => {
    // sourceJson() is what a deferred document parses its event for: count the calls.
    const encoded = new Map<string, number>();
    const docs = documents(10).map((doc) => ({
      ...doc,
      sourceJson: () => {
        encoded.set(doc.id, (encoded.get(doc.id) ?? 0) + 1);
        return JSON.stringify(doc.source);
      },
    }));
    const { sink } = sinkFor(clientFor(fake, { compression: false }), { indexing: { bulkMaxBytes: 900 } });
    expect((await sink.write(docs)).indexed).toBe(10);
    expect(fake.bulkRequests().length).toBeGreaterThan(1);
    expect(docs.map((doc) => encoded.get(doc.id))).toEqual(docs.map(() => 1));
  });

  it('sends nothing for no documents', async () => {
    const { sink } = sinkFor(clientFor(fake));
    expect(await sink.write([])).toMatchObject({ indexed: 0, duplicates: 0 });
    expect(fake.requests).toHaveLength(0);
  });

  it('sends several requests at once when concurrency allows, still storing each document once', async () => {
    const docs = documents(40);
    const { sink } = sinkFor(clientFor(fake), { concurrency: 4, indexing: { bulkMaxDocuments: 5 } });
    expect(await sink.write(docs)).toMatchObject({ indexed: 40 });
    expect(fake.bulkRequests()).toHaveLength(8);
    expect(fake.count('cwl-generic-*')).toBe(40);
  });

  it('leaves a shared client open on close and closes an owned one', async () => {
    const shared = clientFor(fake);
    await sinkFor(shared).sink.close();
    await expect(shared.transport.request({ method: 'GET', path: '/' })).resolves.toMatchObject({ statusCode: 200 });
    const owned = clientFor(fake);
    await sinkFor(owned, { ownsClient: true }).sink.close();
    await expect(owned.transport.request({ method: 'GET', path: '/' })).rejects.toThrow();
  });
});

describe('OpenSearchSink transport', () => {
  it('gzips the body (content-encoding) and the wire bytes gunzip to valid NDJSON', async () => {
    const docs = documents(3);
    const { sink } = sinkFor(clientFor(fake, { compression: true }));
    await sink.write(docs);
    const [request] = fake.bulkRequests();
    expect(request?.headers['content-encoding']).toBe('gzip');
    const text = gunzipSync(request!.rawBody).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(parseNdjson(text)).toHaveLength(6);
    expect(request?.headers['content-length']).toBe(String(request?.rawBody.length));
  });

  it('sends plain NDJSON when compression is off', async () => {
    const { sink } = sinkFor(clientFor(fake, { compression: false }));
    await sink.write(documents(2));
    const [request] = fake.bulkRequests();
    expect(request?.headers['content-encoding']).toBeUndefined();
    expect(request?.rawBody.toString('utf8')).toBe(request?.body);
  });

  it.each([
    ['sigv4', 'es'],
    ['sigv4-aoss', 'aoss'],
  ] as const)('signs with SigV4 (%s): headers present and the signature re-verifies', async (auth, service) => {
    const { sink } = sinkFor(clientFor(fake, { auth }));
    await sink.write(documents(2));
    const [request] = fake.bulkRequests();
    expect(request).toBeDefined();
    const header = parseSigV4(String(request!.headers.authorization));
    expect(header).toMatchObject({ accessKeyId: CREDENTIALS.accessKeyId, region: 'eu-west-1', service });
    expect(header?.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-content-sha256']));
    expect(request!.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request!.headers['x-amz-security-token']).toBe(CREDENTIALS.sessionToken);
    expect(sigV4Problem(request!, CREDENTIALS)).toBeUndefined();
    // The checker can fail: a different secret or a changed body must not verify.
    expect(sigV4Problem(request!, { ...CREDENTIALS, secretAccessKey: 'other' })).toMatch(/signature differs/);
    expect(sigV4Problem({ ...request!, rawBody: Buffer.from('x') }, CREDENTIALS)).toMatch(/x-amz-content-sha256/);
  });

  it('sends basic auth', async () => {
    const secured = await startFakeOpenSearch({ basicAuth: { username: 'admin', password: 'secret' } });
    try {
      const { sink } = sinkFor(clientFor(secured, { auth: 'basic' }));
      expect(await sink.write(documents(2))).toMatchObject({ indexed: 2 });
      expect(secured.bulkRequests()[0]?.headers.authorization).toBe(basicHeader('admin', 'secret'));
    } finally {
      await secured.close();
    }
  });

  it('fails with a SinkError naming 401 for wrong basic auth, without retrying', async () => {
    const secured = await startFakeOpenSearch({ basicAuth: { username: 'admin', password: 'secret' } });
    try {
      const { sink, sleeps } = sinkFor(clientFor(secured, { auth: 'basic', password: 'wrong' }));
      const error = await sink.write(documents(2)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SinkError);
      expect((error as SinkError).message).toMatch(/HTTP 401/);
      expect((error as SinkError).unindexed).toBe(2);
      expect(sleeps).toEqual([]);
      expect(secured.count()).toBe(0);
    } finally {
      await secured.close();
    }
  });
});
