import { describe, expect, it } from 'vitest';
import { ClusterBlockedError, SinkError } from '../../functions/pipeline/errors';
import { OpenSearchErrors } from '../../functions/sinks/opensearch';
import type { OpenSearchClient } from '../../functions/sinks/opensearch';
import { MIN_REQUEST_TIMEOUT_MS, OpenSearchSink } from '../../functions/sinks/opensearch-sink';
import { INDEXING, NOW, documents, sinkFor } from './support';

/**
 * The sink against a scripted transport (no HTTP): request options, errors that are
 * neither network nor HTTP, concurrency, and the defaults of its clock, sleep and random.
 */

interface Call {
  readonly documents: number;
  /** The NDJSON sent. */
  readonly body: string;
  readonly options: Record<string, unknown>;
}

type Reply = (call: Call) => unknown | Promise<unknown>;

/** A client whose `transport.request` answers with `reply` (all stored by default) and records each call. */
function scriptedClient(reply: Reply = (call) => allCreated(call.documents), requestTimeout: unknown = 5_000) {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const client = {
    transport: {
      requestTimeout,
      async request(params: { bulkBody: Buffer }, options: Record<string, unknown>) {
        const body = params.bulkBody.toString('utf8');
        const call = { documents: body.split('\n').filter(Boolean).length / 2, body, options };
        calls.push(call);
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          // Yield to the event loop so that concurrent requests really overlap.
          await new Promise((resolve) => setImmediate(resolve));
          return { body: await reply(call) };
        } finally {
          inFlight -= 1;
        }
      },
    },
    close: async () => {},
  };
  return { client: client as unknown as OpenSearchClient, calls, maxInFlight: () => maxInFlight };
}

const allCreated = (count: number) => ({ errors: false, items: Array.from({ length: count }, () => ({ create: { status: 201 } })) });

async function rejection(promise: Promise<unknown>): Promise<SinkError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SinkError);
  return error as SinkError;
}

describe('OpenSearchSink request timeout', () => {
  const at = (ms: number) => NOW.getTime() + ms;

  it.each([
    ['no deadline: the client default', 5_000, undefined, undefined],
    ['a far deadline: the configured timeout', 5_000, at(60_000), 5_000],
    ['a near deadline: the time left', 5_000, at(2_500), 2_500],
    ['a deadline closer than the floor: the floor', 5_000, at(200), MIN_REQUEST_TIMEOUT_MS],
    ['a passed deadline: the floor', 5_000, at(-10_000), MIN_REQUEST_TIMEOUT_MS],
    ['no configured timeout: the time left', 0, at(7_000), 7_000],
    ['a timeout that is not a number: the time left', 'soon', at(7_000), 7_000],
  ])('%s', async (_name, configured, deadline, expected) => {
    const { client, calls } = scriptedClient(undefined, configured);
    const { sink } = sinkFor(client);
    await sink.write(documents(2), deadline === undefined ? {} : { deadline });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.options).toStrictEqual(expected === undefined ? { maxRetries: 0 } : { maxRetries: 0, requestTimeout: expected });
  });
});

describe('OpenSearchSink errors that are neither network nor HTTP', () => {
  it.each([
    ['a serialization error', () => new OpenSearchErrors.SerializationError('cannot serialize', {}), /bulk request failed: cannot serialize/],
    ['a programming error', () => new TypeError('x is not a function'), /bulk request failed: x is not a function/],
    ['a thrown string', () => 'plain text', /bulk request failed: plain text/],
  ])('stops at %s without retrying, every document unindexed', async (_name, make, message) => {
    const thrown = make();
    const { client, calls } = scriptedClient(() => {
      throw thrown;
    });
    const { sink, sleeps } = sinkFor(client);
    const error = await rejection(sink.write(documents(3)));
    expect(error).not.toBeInstanceOf(ClusterBlockedError);
    expect(error.message).toMatch(message);
    expect(error.unindexed).toBe(3);
    expect(error.cause).toBe(thrown);
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it.each([
    ['TimeoutError', () => new OpenSearchErrors.TimeoutError('Request timed out', {} as never)],
    ['ConnectionError', () => new OpenSearchErrors.ConnectionError('connect ECONNREFUSED', {} as never)],
    ['NoLivingConnectionsError', () => new OpenSearchErrors.NoLivingConnectionsError('no node', {} as never)],
    ['DeserializationError', () => new OpenSearchErrors.DeserializationError('Unexpected end of JSON input', '{"err')],
  ])('retries the whole request after a %s (a lost reply is safe to resend)', async (name, make) => {
    let failures = 1;
    const { client, calls } = scriptedClient((call) => {
      if (failures-- > 0) throw make();
      return allCreated(call.documents);
    });
    const reasons: string[] = [];
    const { sink, sleeps } = sinkFor(client, { onRetry: (event) => reasons.push(event.reason) });
    expect(await sink.write(documents(3))).toMatchObject({ indexed: 3, retried: 3 });
    expect(calls).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    expect(reasons).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
  });
});

describe('OpenSearchSink malformed bulk replies', () => {
  it.each([
    ['no body', () => undefined, /bulk reply is not a JSON object/],
    ['an empty object', () => ({}), /bulk reply has no items/],
    ['errors without items', () => ({ errors: true }), /bulk reply has no items/],
    ['too few items', () => ({ errors: false, items: [{ create: { status: 201 } }] }), /bulk reply has 1 items for 3 documents/],
  ])('stops at %s: nothing is known stored, nothing is retried', async (_name, body, message) => {
    const { client, calls } = scriptedClient(body);
    const { sink, sleeps } = sinkFor(client);
    const error = await rejection(sink.write(documents(3)));
    expect(error).not.toBeInstanceOf(ClusterBlockedError);
    expect(error.message).toMatch(/^unexpected bulk reply: /);
    expect(error.message).toMatch(message);
    expect(error.unindexed).toBe(3);
    expect(calls).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });
});

describe('OpenSearchSink concurrency', () => {
  it.each([
    ['the default', undefined, 1],
    ['4', 4, 4],
    ['2.7, rounded down', 2.7, 2],
    ['0, raised to 1', 0, 1],
    ['more than there are requests', 50, 8],
  ])('keeps at most %s requests in flight', async (_name, concurrency, expected) => {
    const { client, calls, maxInFlight } = scriptedClient();
    const { sink } = sinkFor(client, { indexing: { bulkMaxDocuments: 5 }, ...(concurrency !== undefined && { concurrency }) });
    expect(await sink.write(documents(40))).toMatchObject({ indexed: 40 });
    expect(calls).toHaveLength(8);
    expect(maxInFlight()).toBe(expected);
  });

  it('stops sending new requests after a request stops the write, and counts what the others stored', async () => {
    const { client, calls } = scriptedClient((call) => {
      // The second request meets a read-only block; the others are stored.
      if (calls.indexOf(call) === 1) return blockedReply(call.documents);
      return allCreated(call.documents);
    });
    const { sink } = sinkFor(client, { concurrency: 2, indexing: { bulkMaxDocuments: 5 } });
    const error = await rejection(sink.write(documents(40)));
    expect(error).toBeInstanceOf(ClusterBlockedError);
    // Requests 1 and 2 go together; request 1 is answered first and its worker sends
    // request 3 before request 2's reply stops the write. Stored: 5 + 4 of 5 + 5.
    expect(calls).toHaveLength(3);
    expect(error.unindexed).toBe(40 - 14);
  });
});

/** A reply whose first item meets a read-only cluster block and the rest are stored. */
function blockedReply(count: number) {
  return {
    errors: true,
    items: Array.from({ length: count }, (_, i) =>
      i === 0
        ? { create: { status: 403, error: { type: 'cluster_block_exception', reason: 'blocked by: [FORBIDDEN/8/index write (api)];' } } }
        : { create: { status: 201 } },
    ),
  };
}

describe('OpenSearchSink defaults', () => {
  it('refuses limits that cannot cut a request', () => {
    const { client } = scriptedClient();
    expect(() => new OpenSearchSink(client, { indexing: { ...INDEXING, bulkMaxBytes: 0 } })).toThrow(RangeError);
    expect(() => new OpenSearchSink(client, { indexing: { ...INDEXING, bulkMaxDocuments: 0 } })).toThrow(RangeError);
    expect(() => new OpenSearchSink(client, { indexing: { ...INDEXING, bulkMaxBytes: Number.NaN } })).toThrow(/positive/);
    expect(() => new OpenSearchSink(client, { indexing: { ...INDEXING, bulkMaxDocuments: 1 } })).not.toThrow();
  });

  it('uses the real clock, sleep and random when none is given', async () => {
    let failures = 1;
    const { client, calls } = scriptedClient((call) => {
      if (failures-- > 0) return { errors: true, items: Array.from({ length: call.documents }, () => ({ create: { status: 429 } })) };
      return allCreated(call.documents);
    });
    const delays: number[] = [];
    const sink = new OpenSearchSink(client, {
      indexing: INDEXING,
      // A 1 ms ceiling keeps the real sleep short.
      retry: { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 3 },
      onRetry: (event) => delays.push(event.delayMs),
    });
    // The real clock: a deadline 3 s from now leaves at most 3 s for the request.
    const deadline = Date.now() + 3_000;
    expect(await sink.write(documents(2), { deadline })).toMatchObject({ indexed: 2, retried: 2 });
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(0);
    expect(delays[0]).toBeLessThanOrEqual(1);
    const timeout = calls[0]!.options.requestTimeout as number;
    expect(timeout).toBeGreaterThan(MIN_REQUEST_TIMEOUT_MS);
    expect(timeout).toBeLessThanOrEqual(3_000);
  });
});

/** A reply with the given item statuses (and errors for the ones that are not 2xx). */
function reply(...items: { status?: number; error?: { type: string; reason: string } }[]) {
  return { errors: true, items: items.map((item) => ({ create: item })) };
}

const BLOCK = { status: 403, error: { type: 'cluster_block_exception', reason: 'blocked by: [FORBIDDEN/8/index write (api)];' } };
const CREATED = { status: 201 };
const EXISTS = { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'document already exists' } };

function responseError(statusCode: number, body?: unknown) {
  return new OpenSearchErrors.ResponseError({ statusCode, body, headers: {}, meta: {} as never, warnings: null });
}

describe('OpenSearchSink unindexed count when a write stops', () => {
  it('does not count the documents a stopped reply found already stored', async () => {
    const { client } = scriptedClient(() => reply(EXISTS, EXISTS, CREATED, BLOCK, CREATED));
    const error = await rejection(sinkFor(client).sink.write(documents(5)));
    expect(error).toBeInstanceOf(ClusterBlockedError);
    expect(error.unindexed).toBe(1);
  });

  it('adds up what two stopped requests in flight together stored', async () => {
    const { client, calls } = scriptedClient(() => reply(CREATED, CREATED, BLOCK, CREATED, EXISTS));
    const { sink } = sinkFor(client, { concurrency: 2, indexing: { bulkMaxDocuments: 5 } });
    const error = await rejection(sink.write(documents(40)));
    expect(calls).toHaveLength(2);
    expect(error.unindexed).toBe(40 - 8);
  });

  it('counts the first half of a split request when the second half meets a block', async () => {
    const { client, calls } = scriptedClient((call) => {
      if (calls.indexOf(call) === 0) throw responseError(413, { Message: 'Request size exceeded 10485760 bytes' });
      if (calls.indexOf(call) === 1) return reply(...Array.from({ length: call.documents }, () => CREATED));
      return reply(BLOCK, ...Array.from({ length: call.documents - 1 }, () => CREATED));
    });
    const error = await rejection(sinkFor(client).sink.write(documents(10)));
    expect(calls.map((call) => call.documents)).toEqual([10, 5, 5]);
    expect(error.unindexed).toBe(1);
  });

  it.each([
    ['a cluster block', 403, { error: { type: 'cluster_block_exception', reason: 'blocked' }, status: 403 }, ClusterBlockedError],
    ['a bad request', 400, { error: { type: 'illegal_argument_exception', reason: 'bad' }, status: 400 }, SinkError],
  ])('keeps the HTTP error of %s as the cause', async (_name, status, body, type) => {
    const thrown = responseError(status, body);
    const { client } = scriptedClient(() => {
      throw thrown;
    });
    const error = await rejection(sinkFor(client).sink.write(documents(2)));
    expect(error).toBeInstanceOf(type);
    expect(error.cause).toBe(thrown);
    expect(error.unindexed).toBe(2);
  });
});

describe('OpenSearchSink reasons and dead letters from sparse replies', () => {
  it.each([
    ['an item 503 without error', () => reply({ status: 503 }), 'HTTP 503 unknown: '],
    ['an item without status', () => reply({}), 'no status unknown: '],
    ['an item 429 with its error', () => reply({ status: 429, error: { type: 'rejected_execution_exception', reason: 'queue full' } }), 'HTTP 429 rejected_execution_exception: queue full'],
    ['a whole-request 503 without a body', () => {
      throw responseError(503);
    }, 'HTTP 503'],
    ['a whole-request 429 with a text body', () => {
      throw responseError(429, '429 Too Many Requests');
    }, 'HTTP 429 error: 429 Too Many Requests'],
  ])('names %s in the retry reason', async (_name, first, expected) => {
    let failures = 1;
    const { client } = scriptedClient((call) => (failures-- > 0 ? first() : allCreated(call.documents)));
    const reasons: string[] = [];
    const { sink } = sinkFor(client, { onRetry: (event) => reasons.push(event.reason) });
    expect(await sink.write(documents(1))).toMatchObject({ indexed: 1, retried: 1 });
    expect(reasons).toEqual([expected]);
  });

  it.each([
    ['its status and error', { status: 404, error: { type: 'index_not_found_exception', reason: 'no such index [x]' } }, 404, { type: 'index_not_found_exception', reason: 'no such index [x]' }],
    ['an unknown error when the reply has none', { status: 400 }, 400, { type: 'unknown', reason: '' }],
  ])('dead-letters a rejected item with %s', async (_name, item, status, error) => {
    const { client, calls } = scriptedClient((call) => (calls.indexOf(call) === 0 ? reply(item) : allCreated(call.documents)));
    expect(await sinkFor(client).sink.write(documents(1))).toMatchObject({ deadLettered: 1 });
    const letter = JSON.parse(calls[1]!.body.split('\n')[1]!) as { deadletter: { status: number }; error: unknown };
    expect(letter.deadletter.status).toBe(status);
    expect(letter.error).toEqual(error);
  });
});
