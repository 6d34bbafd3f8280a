import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClusterBlockedError, SinkError } from '../../functions/pipeline/errors';
import type { LogDocument } from '../../functions/pipeline/types';
import type { SinkOutcome } from '../../functions/pipeline/sink';
import { ITEM_ERRORS, REQUEST_FAULTS, parseNdjson, startFakeOpenSearch } from '../helpers/fake-opensearch';
import type { FakeOpenSearch } from '../helpers/fake-opensearch';
import { clientFor, deadLetterIndexOf, documents, sinkFor } from './support';
import type { ClientSettings } from './support';

/**
 * Every fault ends with each document stored exactly once or dead-lettered, or with the
 * write rejecting; a replay once the transient fault is gone then stores the rest, with
 * no duplicates.
 */

let fake: FakeOpenSearch;
beforeEach(async () => {
  fake = await startFakeOpenSearch();
});
afterEach(async () => {
  await fake.close();
});

const ids = (...numbers: number[]): string[] => numbers.map((n) => `e${n}`);

interface Expected {
  readonly resolves?: Omit<SinkOutcome, 'byIndex'>;
  readonly rejects?: { readonly error: typeof SinkError; readonly message: RegExp; readonly unindexed: number };
  /** Backoff sleeps taken (retry rounds). */
  readonly sleeps: number;
}

interface Scenario {
  readonly name: string;
  readonly client?: ClientSettings;
  readonly indexing?: { readonly bulkMaxDocuments: number };
  /** Documents already stored before the write (with other content: must not be overwritten). */
  readonly existing?: readonly string[];
  /** Faults that are a property of the document (a mapping error): they stay for the replay. */
  readonly permanent?: (fake: FakeOpenSearch) => void;
  /** Faults that go away: cleared before the replay. */
  readonly transient?: (fake: FakeOpenSearch) => void;
  /** Ids that end in the dead-letter index. */
  readonly deadLettered?: readonly string[];
  readonly expected: Expected;
}

/** A mapping error of the target index (the dead letter of the same id is another index). */
const mapperOn =
  (...which: number[]) =>
  (f: FakeOpenSearch): void => {
    const chosen = new Set(ids(...which));
    f.failItems((item) => chosen.has(item.id) && item.index.startsWith('cwl-generic'), ITEM_ERRORS.mapperParsing);
  };

const SCENARIOS: Scenario[] = [
  {
    name: 'item 429 rejected_execution_exception, twice for 5 documents',
    transient: (f) => void f.failItems(ids(1, 3, 5, 7, 9), ITEM_ERRORS.rejectedExecution, 2),
    expected: { resolves: { indexed: 20, duplicates: 0, retried: 10, deadLettered: 0 }, sleeps: 2 },
  },
  {
    name: 'item 503, once for every document',
    transient: (f) => void f.failItems(() => true, ITEM_ERRORS.unavailable, 1),
    expected: { resolves: { indexed: 20, duplicates: 0, retried: 20, deadLettered: 0 }, sleeps: 1 },
  },
  {
    name: 'item 400 mapper_parsing_exception for 3 documents',
    permanent: mapperOn(2, 4, 6),
    deadLettered: ids(2, 4, 6),
    expected: { resolves: { indexed: 17, duplicates: 0, retried: 0, deadLettered: 3 }, sleeps: 0 },
  },
  {
    name: 'item 400 strict_dynamic_mapping_exception by predicate',
    permanent: (f) => void f.failItems((item) => /9$/.test(item.id) && !item.index.includes('deadletter'), ITEM_ERRORS.strictMapping),
    deadLettered: ids(9, 19),
    expected: { resolves: { indexed: 18, duplicates: 0, retried: 0, deadLettered: 2 }, sleeps: 0 },
  },
  {
    name: 'item 409: documents already stored',
    existing: ids(0, 1, 2, 3, 4),
    expected: { resolves: { indexed: 15, duplicates: 5, retried: 0, deadLettered: 0 }, sleeps: 0 },
  },
  {
    name: 'mixed: 409, 429 once, 503 once, 400',
    existing: ids(0, 1),
    transient: (f) => {
      f.failItems(ids(2, 3), ITEM_ERRORS.rejectedExecution, 1);
      f.failItems(ids(4), ITEM_ERRORS.unavailable, 1);
    },
    permanent: mapperOn(5),
    deadLettered: ids(5),
    expected: { resolves: { indexed: 17, duplicates: 2, retried: 3, deadLettered: 1 }, sleeps: 1 },
  },
  {
    name: 'whole-request 413 once: split in halves',
    transient: (f) => void f.failRequests(REQUEST_FAULTS.tooLarge()),
    expected: { resolves: { indexed: 20, duplicates: 0, retried: 0, deadLettered: 0 }, sleeps: 0 },
  },
  {
    name: 'whole-request 413 without a body (a self-managed node) once: split in halves',
    transient: (f) => void f.failRequests(REQUEST_FAULTS.tooLargeSelfManaged()),
    expected: { resolves: { indexed: 20, duplicates: 0, retried: 0, deadLettered: 0 }, sleeps: 0 },
  },
  {
    name: 'whole-request 429 from a proxy, in plain text',
    transient: (f) => void f.failRequests(REQUEST_FAULTS.tooManyRequestsText()),
    expected: { resolves: { indexed: 20, duplicates: 0, retried: 20, deadLettered: 0 }, sleeps: 1 },
  },
  {
    name: 'whole-request 502 and 504 from a proxy, in HTML',
    transient: (f) => void f.failRequests(REQUEST_FAULTS.gatewayHtml(502)).failRequests(REQUEST_FAULTS.gatewayHtml(504)),
    expected: { resolves: { indexed: 20, duplicates: 0, retried: 40, deadLettered: 0 }, sleeps: 2 },
  },
  {
    name: 'whole-request 429 twice',
    transient: (f) => void f.failRequests(REQUEST_FAULTS.tooManyRequests(), { times: 2 }),
    expected: { resolves: { indexed: 20, duplicates: 0, retried: 40, deadLettered: 0 }, sleeps: 2 },
  },
  {
    name: 'whole-request 503 once',
    transient: (f) => void f.failRequests(REQUEST_FAULTS.unavailable()),
    expected: { resolves: { indexed: 20, duplicates: 0, retried: 20, deadLettered: 0 }, sleeps: 1 },
  },
  {
    name: 'slow reply past the request timeout (the cluster indexed the batch)',
    client: { requestTimeoutMs: 200 },
    transient: (f) => void f.failRequests(REQUEST_FAULTS.slow(1_000, true)),
    expected: { resolves: { indexed: 0, duplicates: 20, retried: 20, deadLettered: 0 }, sleeps: 1 },
  },
  {
    name: 'slow reply past the request timeout (nothing indexed yet)',
    client: { requestTimeoutMs: 200 },
    transient: (f) => void f.failRequests(REQUEST_FAULTS.slow(1_000, false)),
    expected: { resolves: { indexed: 20, duplicates: 0, retried: 20, deadLettered: 0 }, sleeps: 1 },
  },
  {
    name: 'dropped connection before the batch is applied',
    transient: (f) => void f.failRequests(REQUEST_FAULTS.drop(false)),
    expected: { resolves: { indexed: 20, duplicates: 0, retried: 20, deadLettered: 0 }, sleeps: 1 },
  },
  {
    name: 'dropped connection after the batch is applied',
    transient: (f) => void f.failRequests(REQUEST_FAULTS.drop(true)),
    expected: { resolves: { indexed: 0, duplicates: 20, retried: 20, deadLettered: 0 }, sleeps: 1 },
  },
  {
    // The other 19 items of the reply were stored: only the blocked one is unindexed.
    name: 'item cluster_block_exception (flood stage): fail fast',
    transient: (f) => void f.failItems(ids(3), ITEM_ERRORS.clusterBlock),
    expected: { rejects: { error: ClusterBlockedError, message: /flood-stage watermark/, unindexed: 1 }, sleeps: 0 },
  },
  {
    // Requests of 5: the first two stored, the third 4 of 5, the fourth never sent.
    name: 'item cluster_block_exception in the third of four requests',
    indexing: { bulkMaxDocuments: 5 },
    transient: (f) => void f.failItems(ids(12), ITEM_ERRORS.clusterBlock),
    expected: { rejects: { error: ClusterBlockedError, message: /flood-stage watermark/, unindexed: 6 }, sleeps: 0 },
  },
  {
    // Round 1 finds 2 stored, stores 17 and retries e3; round 2 meets the block.
    name: 'item cluster_block_exception on a retry round',
    existing: ids(0, 1),
    transient: (f) => {
      f.failItems(ids(3), ITEM_ERRORS.rejectedExecution, 1);
      f.failItems(ids(3), ITEM_ERRORS.clusterBlock);
    },
    expected: { rejects: { error: ClusterBlockedError, message: /flood-stage watermark/, unindexed: 1 }, sleeps: 1 },
  },
  {
    // 18 stored, e1's dead letter stored, e2's blocked: one document is nowhere.
    name: 'cluster_block_exception while writing dead letters',
    permanent: mapperOn(1, 2),
    transient: (f) => void f.failItems((item) => item.id === 'e2' && item.index.startsWith('cwl-deadletter'), ITEM_ERRORS.clusterBlock),
    deadLettered: ids(1, 2),
    expected: { rejects: { error: ClusterBlockedError, message: /flood-stage watermark/, unindexed: 1 }, sleeps: 0 },
  },
  {
    name: 'a 200 reply without items: stop, nothing counted as stored',
    transient: (f) => void f.failRequests({ kind: 'status', status: 200, body: { took: 1, errors: true } }),
    expected: { rejects: { error: SinkError, message: /^unexpected bulk reply: bulk reply has no items/, unindexed: 20 }, sleeps: 0 },
  },
  {
    name: 'whole-request cluster_block_exception: fail fast',
    transient: (f) => void f.failRequests(REQUEST_FAULTS.clusterBlock(), { times: 100 }),
    expected: { rejects: { error: ClusterBlockedError, message: /HTTP 403 cluster_block_exception/, unindexed: 20 }, sleeps: 0 },
  },
  {
    name: 'item 403 security_exception: fail fast, not a cluster block',
    transient: (f) =>
      void f.failItems(ids(0), { status: 403, type: 'security_exception', reason: 'no permissions for [indices:data/write/bulk[s]]' }),
    // The 19 other items of the reply were stored.
    expected: { rejects: { error: SinkError, message: /security_exception/, unindexed: 1 }, sleeps: 0 },
  },
  {
    name: 'item 429 that never clears: attempts run out',
    transient: (f) => void f.failItems(ids(0), ITEM_ERRORS.rejectedExecution),
    expected: { rejects: { error: SinkError, message: /^1 of 20 documents not indexed after 6 attempts: HTTP 429 rejected_execution_exception/, unindexed: 1 }, sleeps: 5 },
  },
  {
    // 2 already stored, 17 stored, e2 never: only e2 is unindexed.
    name: 'item 429 that never clears, beside documents already stored',
    existing: ids(0, 1),
    transient: (f) => void f.failItems(ids(2), ITEM_ERRORS.rejectedExecution),
    expected: { rejects: { error: SinkError, message: /^1 of 20 documents not indexed after 6 attempts/, unindexed: 1 }, sleeps: 5 },
  },
  {
    // 18 stored, e1 dead-lettered, e2 never: the dead letter is not unindexed.
    name: 'item 429 that never clears, beside a dead-lettered document',
    permanent: mapperOn(1),
    transient: (f) => void f.failItems(ids(2), ITEM_ERRORS.rejectedExecution),
    deadLettered: ids(1),
    expected: { rejects: { error: SinkError, message: /^1 of 20 documents not indexed after 6 attempts/, unindexed: 1 }, sleeps: 5 },
  },
  {
    name: 'the dead-letter write meets 429 once: retried and counted',
    permanent: mapperOn(1),
    transient: (f) => void f.failItems((item) => item.index.startsWith('cwl-deadletter'), ITEM_ERRORS.rejectedExecution, 1),
    deadLettered: ids(1),
    expected: { resolves: { indexed: 19, duplicates: 0, retried: 1, deadLettered: 1 }, sleeps: 1 },
  },
  {
    name: 'whole-request 400: a person must fix it',
    transient: (f) =>
      void f.failRequests({ kind: 'status', status: 400, body: { error: { type: 'illegal_argument_exception', reason: 'bad' }, status: 400 } }),
    expected: { rejects: { error: SinkError, message: /HTTP 400 illegal_argument_exception: bad/, unindexed: 20 }, sleeps: 0 },
  },
  {
    // A dead letter that cannot be written must fail the invocation, never count as success.
    name: 'the dead-letter write keeps meeting 429 until attempts run out',
    permanent: mapperOn(1),
    transient: (f) => void f.failItems((item) => item.index.startsWith('cwl-deadletter'), ITEM_ERRORS.rejectedExecution),
    deadLettered: ids(1),
    expected: {
      rejects: {
        error: SinkError,
        message: /^1 rejected documents could not be written to the dead-letter index: dead-letter write: HTTP 429 rejected_execution_exception/,
        unindexed: 1,
      },
      sleeps: 5,
    },
  },
  {
    name: 'the dead-letter write itself is rejected',
    permanent: mapperOn(1),
    transient: (f) => void f.failItems((item) => item.index.startsWith('cwl-deadletter'), ITEM_ERRORS.strictMapping),
    deadLettered: ids(1),
    expected: {
      rejects: {
        error: SinkError,
        message: /^1 rejected documents could not be written to the dead-letter index: dead-letter write rejected: HTTP 400 strict_dynamic_mapping_exception: mapping set to strict/,
        unindexed: 1,
      },
      sleeps: 0,
    },
  },
];

/** Each document is in its target index exactly once with its own source, or dead-lettered. */
function expectAccounted(docs: readonly LogDocument[], scenario: Scenario): void {
  const dead = new Set(scenario.deadLettered ?? []);
  const existing = new Set(scenario.existing ?? []);
  for (const doc of docs) {
    if (dead.has(doc.id)) {
      expect(fake.get(doc.index, doc.id), doc.id).toBeUndefined();
      const letter = fake.get(deadLetterIndexOf(doc), doc.id)?.source as { deadletter: Record<string, unknown>; error: { type: string } };
      expect(letter?.deadletter, doc.id).toMatchObject({ index: doc.index, id: doc.id, status: 400, document: JSON.stringify(doc.source) });
    } else {
      expect(fake.get(doc.index, doc.id)?.source, doc.id).toEqual(existing.has(doc.id) ? { old: true } : doc.source);
      expect(fake.get(deadLetterIndexOf(doc), doc.id), doc.id).toBeUndefined();
    }
  }
  expect(fake.count('cwl-generic-*')).toBe(docs.length - dead.size);
  expect(fake.count('cwl-deadletter-*')).toBe(dead.size);
}

/** The sink never writes anything but `create` with an explicit id. */
function expectOnlyCreates(): void {
  for (const request of fake.bulkRequests()) {
    const lines = parseNdjson(request.body);
    lines.forEach((line, i) => {
      if (i % 2 === 1) return;
      expect(Object.keys(line as object)).toEqual(['create']);
      expect((line as { create: { _id?: unknown } }).create._id).toEqual(expect.any(String));
    });
  }
}

describe('OpenSearchSink under faults', () => {
  it.each(SCENARIOS)('$name', async (scenario) => {
    const docs = documents(20);
    for (const id of scenario.existing ?? []) {
      const doc = docs.find((d) => d.id === id)!;
      fake.put(doc.index, doc.id, { old: true });
    }
    scenario.permanent?.(fake);
    scenario.transient?.(fake);
    const { sink, sleeps } = sinkFor(clientFor(fake, scenario.client), scenario.indexing && { indexing: scenario.indexing });

    const { resolves, rejects } = scenario.expected;
    if (resolves) {
      const outcome = await sink.write(docs);
      expect(outcome).toMatchObject(resolves);
      expect(outcome.indexed + outcome.duplicates + outcome.deadLettered).toBe(docs.length);
      expectAccounted(docs, scenario);
    } else if (rejects) {
      const error = await sink.write(docs).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(rejects.error);
      if (rejects.error === SinkError) expect(error).not.toBeInstanceOf(ClusterBlockedError);
      expect((error as SinkError).message).toMatch(rejects.message);
      expect((error as SinkError).unindexed).toBe(rejects.unindexed);
    }
    expect(sleeps).toHaveLength(scenario.expected.sleeps);

    // The fault clears (mapping errors stay: they belong to the document); replay the same batch.
    fake.clearFaults();
    scenario.permanent?.(fake);
    const replay = await sinkFor(clientFor(fake, scenario.client)).sink.write(docs);
    expect(replay.indexed + replay.duplicates + replay.deadLettered).toBe(docs.length);
    expect(replay.deadLettered).toBe(scenario.deadLettered?.length ?? 0);
    expectAccounted(docs, scenario);
    expectOnlyCreates();
  });
});

describe('OpenSearchSink 413 handling', () => {
  it('splits until requests fit a payload limit, sending every document once', async () => {
    const limited = await startFakeOpenSearch({ maxBodyBytes: 3_000 });
    try {
      const docs = documents(40);
      const { sink, sleeps } = sinkFor(clientFor(limited, { compression: false }));
      expect(await sink.write(docs)).toMatchObject({ indexed: 40, retried: 0, deadLettered: 0 });
      expect(sleeps).toEqual([]);
      const accepted = limited.bulkRequests().filter((request) => request.rawBody.length <= 3_000);
      expect(accepted.reduce((sum, request) => sum + parseNdjson(request.body).length / 2, 0)).toBe(40);
      expect(limited.bulkRequests().length).toBeGreaterThan(accepted.length);
      expect(limited.count()).toBe(40);
    } finally {
      await limited.close();
    }
  });

  it('dead-letters a single document that is still too large, truncated and tagged', async () => {
    const limited = await startFakeOpenSearch({ maxBodyBytes: 200_000 });
    try {
      const docs = [...documents(3), ...documents(1, 'big', { message: 'x'.repeat(300_000) })];
      const { sink } = sinkFor(clientFor(limited, { compression: false }));
      expect(await sink.write(docs)).toMatchObject({ indexed: 3, deadLettered: 1 });
      const letter = limited.get('cwl-deadletter-2026.11.21', 'big0')?.source;
      expect(letter).toMatchObject({
        tags: ['deadletter', 'truncated'],
        error: { type: 'request_too_large', reason: 'request too large' },
        deadletter: { id: 'big0', index: 'cwl-generic-2026.11.21', status: 413 },
      });
      expect(limited.get('cwl-generic-2026.11.21', 'big0')).toBeUndefined();
    } finally {
      await limited.close();
    }
  });
});

describe('OpenSearchSink on a self-managed node', () => {
  it('splits gzipped requests whose decompressed size is above http.max_content_length', async () => {
    const node = await startFakeOpenSearch({ maxContentLength: 3_000 });
    try {
      const docs = documents(40);
      const { sink, sleeps } = sinkFor(clientFor(node, { compression: true }));
      expect(await sink.write(docs)).toMatchObject({ indexed: 40, retried: 0, deadLettered: 0 });
      expect(sleeps).toEqual([]);
      // Every first request is small on the wire and still refused: the limit counts decompressed bytes.
      const [first] = node.bulkRequests();
      expect(first!.rawBody.length).toBeLessThan(3_000);
      expect(Buffer.byteLength(first!.body)).toBeGreaterThan(3_000);
      expect(node.count()).toBe(40);
    } finally {
      await node.close();
    }
  });

  it('dead-letters an item 404 for a missing index (auto-creation off) when the dead-letter index exists', async () => {
    const node = await startFakeOpenSearch({ autoCreateIndex: false });
    try {
      const docs = documents(4);
      node.put('cwl-generic-2026.11.21', 'seed', {});
      node.put('cwl-deadletter-2026.11.22', 'seed', {});
      const { sink } = sinkFor(clientFor(node));
      expect(await sink.write(docs)).toMatchObject({ indexed: 2, deadLettered: 2 });
      const letter = node.get('cwl-deadletter-2026.11.22', 'e1')?.source;
      expect(letter).toMatchObject({ deadletter: { status: 404, index: 'cwl-generic-2026.11.22' }, error: { type: 'index_not_found_exception' } });
    } finally {
      await node.close();
    }
  });

  it('fails the write when neither the index nor the dead-letter index exists', async () => {
    const node = await startFakeOpenSearch({ autoCreateIndex: false });
    try {
      const { sink } = sinkFor(clientFor(node));
      const error = await sink.write(documents(2)).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SinkError);
      expect((error as SinkError).message).toMatch(/^2 rejected documents could not be written to the dead-letter index: dead-letter write rejected: HTTP 404 index_not_found_exception/);
      expect((error as SinkError).unindexed).toBe(2);
    } finally {
      await node.close();
    }
  });
});

describe('OpenSearchSink dead letters', () => {
  it('writes the shared dead-letter shape with the item error', async () => {
    const docs = documents(2);
    mapperOn(1)(fake);
    const { sink } = sinkFor(clientFor(fake));
    await sink.write(docs);
    const original = docs[1]!;
    expect(fake.get(deadLetterIndexOf(docs[1]!), 'e1')?.source).toEqual({
      '@timestamp': '2026-11-22T10:00:00.000Z',
      event: { dataset: 'deadletter', ingested: '2026-11-22T08:00:00.000Z' },
      tags: ['deadletter'],
      message: 'message e1',
      aws: { cloudwatch: { log_group: '/app/x', log_stream: 's', event_id: 'e1' } },
      deadletter: { index: original.index, id: 'e1', dataset: 'cloudwatch.generic', status: 400, document: JSON.stringify(original.source) },
      error: { type: 'mapper_parsing_exception', reason: expect.stringContaining('failed to parse field') },
    });
  });

  it('counts a scripted 409 as a duplicate, never retried or dead-lettered', async () => {
    fake.failItems(ids(0), ITEM_ERRORS.conflict);
    const { sink, sleeps } = sinkFor(clientFor(fake));
    expect(await sink.write(documents(3))).toMatchObject({ indexed: 2, duplicates: 1, retried: 0, deadLettered: 0 });
    expect(sleeps).toEqual([]);
  });
});

describe('OpenSearchSink deadline', () => {
  it('never starts a retry whose delay would cross the deadline', async () => {
    let clock = Date.parse('2026-11-22T08:00:00.000Z');
    const start = clock;
    const deadline = start + 100;
    const slept: number[] = [];
    fake.failItems(() => true, ITEM_ERRORS.rejectedExecution);
    const { sink } = sinkFor(clientFor(fake), {
      now: () => new Date(clock),
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
      random: () => 0.5,
      retry: { baseDelayMs: 10, maxDelayMs: 100, maxAttempts: 50 },
    });
    const error = await sink.write(documents(4), { deadline }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).unindexed).toBe(4);
    // Delays 5, 10, 20, 40 fit (ending at +75); the next (50) would end at +125 > +100.
    expect(slept).toEqual([5, 10, 20, 40]);
    expect(clock).toBeLessThanOrEqual(deadline);
    expect(fake.bulkRequests()).toHaveLength(5);
    expect((error as SinkError).message).toMatch(/after 5 attempts/);

    fake.clearFaults();
    expect(await sinkFor(clientFor(fake)).sink.write(documents(4))).toMatchObject({ indexed: 4 });
  });

  it('makes one attempt even when the deadline has already passed', async () => {
    const { sink, sleeps } = sinkFor(clientFor(fake));
    fake.failItems(ids(0), ITEM_ERRORS.rejectedExecution);
    const error = await sink.write(documents(2), { deadline: 0 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).unindexed).toBe(1);
    expect(sleeps).toEqual([]);
    expect(fake.count()).toBe(1);
  });

  it('reports each retry round to onRetry', async () => {
    const events: unknown[] = [];
    fake.failItems(ids(1), ITEM_ERRORS.rejectedExecution, 2);
    const { sink } = sinkFor(clientFor(fake), { onRetry: (event) => events.push(event) });
    await sink.write(documents(3));
    expect(events).toEqual([
      { attempt: 1, delayMs: 5, pending: 1, reason: expect.stringMatching(/^HTTP 429 rejected_execution_exception/) },
      { attempt: 2, delayMs: 10, pending: 1, reason: expect.stringMatching(/^HTTP 429/) },
    ]);
  });
});
