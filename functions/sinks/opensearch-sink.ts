import type { IndexingConfig } from '../pipeline/config';
import { ClusterBlockedError, SinkError } from '../pipeline/errors';
import type { LogDocument } from '../pipeline/types';
import { splitRequest } from './bulk-body';
import type { BulkLimits } from './bulk-body';
import { ONE_REQUEST, encodeRequest } from './bulk-request';
import { classifyItem, classifyRequestFailure, readBulkItems, readError } from './bulk-response';
import type { ItemError } from './bulk-response';
import { TOO_LARGE, deadLetterDocument } from './deadletter';
import { OpenSearchErrors } from './opensearch';
import type { OpenSearchClient } from './opensearch';
import { DEFAULT_RETRY_POLICY, nextRetryDelay, sleep, validateRetryPolicy } from './retry';
import type { RetryPolicy } from './retry';
import { emptyOutcome } from '../pipeline/sink';
import type { Sink, SinkOutcome, WriteOptions } from '../pipeline/sink';

/**
 * The OpenSearch bulk sink: the one module of the sink that talks HTTP. It cuts, sends,
 * classifies, retries only what is retryable, splits on 413, dead-letters permanent
 * rejections, and fails loudly when documents remain unindexed.
 */

/** Keeps what classification needs (status, error type and reason) and drops the rest. */
export const BULK_FILTER_PATH = 'errors,items.*.status,items.*.error.type,items.*.error.reason';

/** A request is never given less time than this, even right at the deadline. */
export const MIN_REQUEST_TIMEOUT_MS = 1_000;

/** Reported before each retry round. */
export interface RetryEvent {
  /** Attempts made so far. */
  readonly attempt: number;
  readonly delayMs: number;
  /** Documents to be sent again. */
  readonly pending: number;
  /** The last retryable failure seen, e.g. `HTTP 429 rejected_execution_exception: ...`. */
  readonly reason: string;
}

export interface OpenSearchSinkOptions {
  readonly indexing: IndexingConfig;
  readonly now?: () => Date;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly retry?: Partial<RetryPolicy>;
  /** Bulk requests in flight at once. @default 1 */
  readonly concurrency?: number;
  /** Called before each retry round; the sink logs nothing itself. */
  readonly onRetry?: (event: RetryEvent) => void;
  /** Close the client in `close()` (the CLI); Lambda handlers share it across invocations. @default false */
  readonly ownsClient?: boolean;
}

type DocumentResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'retryable'; readonly reason: string }
  | { readonly kind: 'rejected'; readonly status: number; readonly error: ItemError };

interface Rejection {
  readonly document: LogDocument;
  readonly status: number;
  readonly error: ItemError;
}

interface IndexResult {
  readonly indexed: LogDocument[];
  readonly duplicates: LogDocument[];
  readonly rejected: Rejection[];
  /** Still retryable when attempts or the deadline ran out. */
  readonly unindexed: LogDocument[];
  retried: number;
  attempts: number;
  lastReason: string;
}

type RequestOptions = NonNullable<Parameters<OpenSearchClient['transport']['request']>[1]>;

/** Stops the whole write: the request cannot succeed by retrying now. */
class WriteStopped extends Error {
  /**
   * Documents of the stopped phase (main or dead-letter write) already stored or found
   * there before it stopped: they are not counted as unindexed.
   */
  settled = 0;

  constructor(
    message: string,
    readonly clusterBlocked: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Writes documents to OpenSearch with `_bulk` `create`, per the pipeline's failure rules. */
export class OpenSearchSink implements Sink {
  readonly #client: OpenSearchClient;
  readonly #indexing: IndexingConfig;
  readonly #limits: BulkLimits;
  readonly #policy: RetryPolicy;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #concurrency: number;
  readonly #onRetry: ((event: RetryEvent) => void) | undefined;
  readonly #ownsClient: boolean;
  /** The client gzips request bodies: the sink does it itself while it encodes them. */
  readonly #gzip: boolean;

  constructor(client: OpenSearchClient, options: OpenSearchSinkOptions) {
    const { indexing } = options;
    if (!(indexing.bulkMaxBytes > 0) || !(indexing.bulkMaxDocuments >= 1)) {
      throw new RangeError('indexing.bulkMaxBytes and indexing.bulkMaxDocuments must be positive');
    }
    this.#client = client;
    this.#indexing = indexing;
    this.#limits = { maxBytes: indexing.bulkMaxBytes, maxDocuments: indexing.bulkMaxDocuments };
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    validateRetryPolicy(this.#policy);
    this.#now = options.now ?? (() => new Date());
    this.#random = options.random ?? Math.random;
    this.#sleep = options.sleep ?? sleep;
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.#onRetry = options.onRetry;
    this.#ownsClient = options.ownsClient ?? false;
    this.#gzip = client.transport.compression === 'gzip';
  }

  /** Indexes `documents`; resolves when each is stored, already there, or dead-lettered. */
  async write(documents: readonly LogDocument[], options: WriteOptions = {}): Promise<SinkOutcome> {
    const outcome = emptyOutcome();
    // Stryker disable next-line ConditionalExpression: a shortcut; an empty write sends no request either way.
    if (documents.length === 0) return outcome;
    const { deadline } = options;
    let settled = 0;
    try {
      const main = await this.#indexAll(documents, deadline);
      outcome.indexed = main.indexed.length;
      outcome.duplicates = main.duplicates.length;
      outcome.retried = main.retried;
      for (const document of [...main.indexed, ...main.duplicates]) {
        outcome.byIndex[document.index] = (outcome.byIndex[document.index] ?? 0) + 1;
      }
      settled = outcome.indexed + outcome.duplicates;

      let lost: string | undefined;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a shortcut; no rejection writes no dead letter either way.
      if (main.rejected.length > 0) {
        const dead = await this.#deadLetter(main.rejected, deadline);
        outcome.deadLettered = dead.indexed.length + dead.duplicates.length;
        outcome.retried += dead.retried;
        settled += outcome.deadLettered;
        const count = dead.rejected.length + dead.unindexed.length;
        const [first] = dead.rejected;
        const reason = first ? `dead-letter write rejected: ${describe(first.status, first.error)}` : `dead-letter write: ${dead.lastReason}`;
        if (count > 0) lost = `${count} rejected documents could not be written to the dead-letter index: ${reason}`;
      }
      if (main.unindexed.length > 0) {
        throw new SinkError(
          `${main.unindexed.length} of ${documents.length} documents not indexed after ${main.attempts} attempts: ${main.lastReason}`,
          documents.length - settled,
        );
      }
      if (lost !== undefined) throw new SinkError(lost, documents.length - settled);
      return outcome;
    } catch (error) {
      if (!(error instanceof WriteStopped)) throw error;
      const unindexed = documents.length - settled - error.settled;
      throw error.clusterBlocked
        ? new ClusterBlockedError(error.message, unindexed, { cause: error.cause })
        : new SinkError(error.message, unindexed, { cause: error.cause });
    }
  }

  async close(): Promise<void> {
    if (this.#ownsClient) await this.#client.close();
  }

  async #deadLetter(rejected: readonly Rejection[], deadline: number | undefined): Promise<IndexResult> {
    const now = this.#now();
    const letters = rejected.map(({ document, status, error }) =>
      deadLetterDocument(document, status, error, this.#indexing.prefix, now),
    );
    return this.#indexAll(letters, deadline);
  }

  /** Rounds of sending: each round sends what is pending; only retryable documents go again. */
  async #indexAll(documents: readonly LogDocument[], deadline: number | undefined): Promise<IndexResult> {
    const result: IndexResult = {
      indexed: [],
      duplicates: [],
      rejected: [],
      unindexed: [],
      retried: 0,
      attempts: 0,
      // Stryker disable next-line StringLiteral: read only after a retryable result has set it.
      lastReason: '',
    };
    let pending = documents;
    for (;;) {
      let results: DocumentResult[];
      try {
        results = await this.#sendAll(pending, deadline);
      } catch (error) {
        // Stryker disable next-line ConditionalExpression: #sendAll throws nothing but WriteStopped (short of a bug).
        if (error instanceof WriteStopped) error.settled += result.indexed.length + result.duplicates.length;
        throw error;
      }
      const again: LogDocument[] = [];
      pending.forEach((document, position) => {
        const outcome = results[position];
        // Stryker disable next-line ConditionalExpression,StringLiteral: a guard against a bug; #sendAll gives one result per document.
        if (outcome === undefined) throw new Error('internal: a document has no result');
        switch (outcome.kind) {
          case 'done':
            result.indexed.push(document);
            break;
          case 'duplicate':
            result.duplicates.push(document);
            break;
          case 'rejected':
            result.rejected.push({ document, ...outcome });
            break;
          case 'retryable':
            again.push(document);
            result.lastReason = outcome.reason;
            break;
        }
      });
      result.attempts += 1;
      if (again.length === 0) return result;
      const attempts = result.attempts;
      const delayMs = nextRetryDelay(attempts, this.#policy, this.#now().getTime(), deadline, this.#random);
      if (delayMs === undefined) {
        result.unindexed.push(...again);
        return result;
      }
      result.retried += again.length;
      this.#onRetry?.({ attempt: attempts, delayMs, pending: again.length, reason: result.lastReason });
      await this.#sleep(delayMs);
      pending = again;
    }
  }

  /**
   * Sends `documents` cut into requests, `concurrency` at a time; results in document order.
   * Each request is encoded as it is cut, when a worker is free to send it, so only the
   * requests in flight are held encoded (one, by default).
   */
  async #sendAll(documents: readonly LogDocument[], deadline: number | undefined): Promise<DocumentResult[]> {
    // Stryker disable next-line ArrayDeclaration: every slot read is written first (a stopped request's stays a hole).
    const results: DocumentResult[][] = [];
    let cursor = 0;
    let requests = 0;
    // The first error stops every worker; requests already in flight still finish.
    const stops: unknown[] = [];
    // Cutting is sequential (a request starts where the previous one ended): one encoder at a time.
    let encoding: Promise<unknown> = Promise.resolve();
    // The pair of the document that did not fit the last request: the next one starts with it.
    let carried: string | undefined;
    const nextRequest = (): Promise<{ position: number; documents: LogDocument[]; body: Buffer } | undefined> => {
      const claimed = encoding.then(async () => {
        if (stops.length > 0 || cursor >= documents.length) return undefined;
        const start = cursor;
        const { end, body, next } = await encodeRequest(documents, start, this.#limits, this.#gzip, carried);
        cursor = end;
        carried = next;
        return { position: requests++, documents: documents.slice(start, end), body };
      });
      encoding = claimed.catch(() => undefined);
      return claimed;
    };
    const worker = async (): Promise<void> => {
      while (stops.length === 0) {
        try {
          const request = await nextRequest();
          if (request === undefined) return;
          results[request.position] = await this.#send(request.documents, deadline, request.body);
        } catch (error) {
          stops.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, documents.length) }, worker));
    const flat = results.flat();
    const [stopped] = stops;
    if (stopped instanceof WriteStopped) {
      for (const other of stops) if (other !== stopped && other instanceof WriteStopped) stopped.settled += other.settled;
      stopped.settled += countSettled(flat);
    }
    if (stops.length > 0) throw stopped;
    return flat;
  }

  /** One bulk request (encoded here unless given); a 413 splits it in halves, recursively. */
  async #send(documents: readonly LogDocument[], deadline: number | undefined, encoded?: Buffer): Promise<DocumentResult[]> {
    let body: unknown;
    try {
      const bulkBody = encoded ?? (await encodeRequest(documents, 0, ONE_REQUEST, this.#gzip)).body;
      const response = await this.#client.transport.request(
        { method: 'POST', path: '/_bulk', querystring: { filter_path: BULK_FILTER_PATH }, bulkBody },
        this.#requestOptions(deadline),
      );
      body = response.body;
    } catch (error) {
      return this.#failed(documents, error, deadline);
    }
    const items = readBulkItems(body, documents.length);
    if (typeof items === 'string') throw new WriteStopped(`unexpected bulk reply: ${items}`, false);
    let blocked: WriteStopped | undefined;
    const results = items.map((item): DocumentResult | undefined => {
      const error = item.error ?? { type: 'unknown', reason: '' };
      switch (classifyItem(item)) {
        case 'done':
          return { kind: 'done' };
        case 'duplicate':
          return { kind: 'duplicate' };
        case 'rejected':
          return { kind: 'rejected', status: item.status ?? 400, error };
        case 'retryable':
          return { kind: 'retryable', reason: describe(item.status, error) };
        case 'blocked':
          blocked ??= new WriteStopped(
            `the cluster refuses writes: ${describe(item.status, error)}`,
            error.type === 'cluster_block_exception',
          );
          return undefined;
      }
    });
    if (blocked !== undefined) {
      // The other items of the reply were applied: those stored are not unindexed.
      blocked.settled = countSettled(results);
      throw blocked;
    }
    // Only a blocked item maps to no result, and a blocked reply has thrown above.
    return results as DocumentResult[];
  }

  /** What a whole-request failure means for its documents. */
  async #failed(
    documents: readonly LogDocument[],
    error: unknown,
    deadline: number | undefined,
  ): Promise<DocumentResult[]> {
    const { ResponseError, TimeoutError, ConnectionError, NoLivingConnectionsError, DeserializationError } =
      OpenSearchErrors;
    if (error instanceof ResponseError) {
      const status = error.meta.statusCode ?? 0;
      const cause = readError(error.meta.body);
      switch (classifyRequestFailure(status, cause)) {
        case 'split': {
          if (documents.length === 1) return [{ kind: 'rejected', status: 413, error: TOO_LARGE }];
          const [first, second] = splitRequest(documents);
          const firstResults = await this.#send(first, deadline);
          try {
            return [...firstResults, ...(await this.#send(second, deadline))];
          } catch (stop) {
            if (stop instanceof WriteStopped) stop.settled += countSettled(firstResults);
            throw stop;
          }
        }
        case 'retry':
          return documents.map(() => ({ kind: 'retryable', reason: describe(status, cause) }));
        case 'blocked':
          throw new WriteStopped(`the cluster refuses writes: ${describe(status, cause)}`, true, { cause: error });
        case 'fatal':
          throw new WriteStopped(`bulk request failed: ${describe(status, cause)}`, false, { cause: error });
      }
    }
    // Lost replies are safe to retry: `create` with fixed ids turns a repeat into a 409.
    if (
      error instanceof TimeoutError ||
      error instanceof ConnectionError ||
      error instanceof NoLivingConnectionsError ||
      error instanceof DeserializationError
    ) {
      const reason = `${error.name}: ${error.message}`;
      return documents.map(() => ({ kind: 'retryable', reason }));
    }
    throw new WriteStopped(`bulk request failed: ${error instanceof Error ? error.message : String(error)}`, false, {
      cause: error,
    });
  }

  #requestOptions(deadline: number | undefined): RequestOptions {
    const options = {
      maxRetries: 0,
      ...this.#timeout(deadline),
      // The body is gzipped already: the transport must send it as it is (its JSDoc and
      // code take `compression: false` per request; its type lists only 'gzip').
      ...(this.#gzip && { compression: false, headers: { 'content-encoding': 'gzip' } }),
    };
    return options as RequestOptions;
  }

  #timeout(deadline: number | undefined): { requestTimeout?: number } {
    if (deadline === undefined) return {};
    const configured = Number(this.#client.transport.requestTimeout);
    const left = deadline - this.#now().getTime();
    const limit = Number.isFinite(configured) && configured > 0 ? Math.min(configured, left) : left;
    return { requestTimeout: Math.max(MIN_REQUEST_TIMEOUT_MS, limit) };
  }
}

/** Documents of `results` stored now or found already there. */
function countSettled(results: readonly (DocumentResult | undefined)[]): number {
  let settled = 0;
  for (const result of results) if (result?.kind === 'done' || result?.kind === 'duplicate') settled += 1;
  return settled;
}

function describe(status: number | undefined, error: ItemError | undefined): string {
  const head = status === undefined ? 'no status' : `HTTP ${status}`;
  return error === undefined ? head : `${head} ${error.type}: ${error.reason}`;
}
