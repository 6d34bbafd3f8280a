import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM_ERRORS, REQUEST_FAULTS, startFakeOpenSearch } from '../helpers/fake-opensearch';
import type { FakeOpenSearch } from '../helpers/fake-opensearch';
import { seededRandom } from '../helpers/seeded-random';
import { clientFor, deadLetterIndexOf, documents, sinkFor } from './support';

const COUNT = 20_000;
const MAX_DOCUMENTS = 500;

let fake: FakeOpenSearch;
beforeAll(async () => {
  fake = await startFakeOpenSearch();
});
afterAll(async () => {
  await fake.close();
});

describe('OpenSearchSink bounded load', () => {
  it(`indexes ${COUNT} documents through random item faults and request faults, each exactly once`, async () => {
    const docs = documents(COUNT, 'load');
    const random = seededRandom(20261122);
    const rejected = new Set(docs.filter(() => random() < 0.005).map((doc) => doc.id));
    expect(rejected.size).toBeGreaterThan(0);

    fake.failItems((item) => rejected.has(item.id) && !item.index.startsWith('cwl-deadletter'), ITEM_ERRORS.mapperParsing);
    fake.failItems(() => random() < 0.05, ITEM_ERRORS.rejectedExecution);
    fake.failItems(() => random() < 0.01, ITEM_ERRORS.unavailable);
    fake
      .failRequests(REQUEST_FAULTS.tooLarge())
      .failRequests(REQUEST_FAULTS.unavailable())
      .failRequests(REQUEST_FAULTS.drop(true));

    const { sink } = sinkFor(clientFor(fake), {
      concurrency: 4,
      indexing: { bulkMaxDocuments: MAX_DOCUMENTS },
      retry: { baseDelayMs: 1, maxDelayMs: 4, maxAttempts: 15 },
      random,
    });
    const outcome = await sink.write(docs);

    expect(outcome.deadLettered).toBe(rejected.size);
    expect(outcome.indexed + outcome.duplicates).toBe(COUNT - rejected.size);
    // Only the batch whose reply was dropped after it was applied comes back as 409s.
    expect(outcome.duplicates).toBeLessThanOrEqual(MAX_DOCUMENTS);
    expect(outcome.retried).toBeGreaterThan(0);
    expect(fake.count('cwl-generic-*')).toBe(COUNT - rejected.size);
    expect(fake.count('cwl-deadletter-*')).toBe(rejected.size);
    for (const doc of docs) {
      if (rejected.has(doc.id)) {
        expect(fake.get(doc.index, doc.id)).toBeUndefined();
        expect(fake.get(deadLetterIndexOf(doc), doc.id)).toBeDefined();
      } else {
        expect(fake.get(doc.index, doc.id)?.source).toEqual(doc.source);
      }
    }

    fake.clearFaults();
    fake.failItems((item) => rejected.has(item.id) && !item.index.startsWith('cwl-deadletter'), ITEM_ERRORS.mapperParsing);
    const replay = await sink.write(docs);
    expect(replay).toMatchObject({ indexed: 0, duplicates: COUNT - rejected.size, deadLettered: rejected.size });
    expect(fake.count()).toBe(COUNT);
  });
});
