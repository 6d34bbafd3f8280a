import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';

/**
 * A small fake OpenSearch for tests, on 127.0.0.1 with a random port. It speaks the real
 * `_bulk` protocol (NDJSON, create/index/update/delete, gzip bodies), keeps documents per
 * index, answers a few document and search APIs, records every request, and can be
 * scripted with request-level and item-level faults. Other helpers add endpoints with
 * `fake.route(...)`. It never ships.
 */

/** One request as the fake received it. */
export interface RecordedRequest {
  readonly method: string;
  /** Decoded path without the query string, e.g. `/cwl-lambda-*\/_search`. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** The request target exactly as sent (path and query, still encoded), what SigV4 signs. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The bytes on the wire (gzipped when `content-encoding: gzip`), what SigV4 signs. */
  readonly rawBody: Buffer;
  /** The body after content decoding, as UTF-8 text. */
  readonly body: string;
}

/** What a route handler answers. `body` is sent as JSON unless it is a string or Buffer. */
export interface FakeReply {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type RouteHandler = (
  request: RecordedRequest,
  match: RegExpExecArray,
  fake: FakeOpenSearch,
) => FakeReply | Promise<FakeReply>;

/** A stored document. */
export interface StoredDocument {
  readonly source: Record<string, unknown>;
  readonly version: number;
  readonly seqNo: number;
}

/** The error object inside a failed bulk item or an error reply. */
export interface FakeError {
  readonly type: string;
  readonly reason: string;
}

/** A bulk item as a fault predicate sees it. */
export interface BulkItemInfo {
  readonly action: BulkAction;
  readonly index: string;
  readonly id: string;
  /** The source line (create/index) or the update body. */
  readonly source: Record<string, unknown> | undefined;
}

export const BULK_ACTIONS = ['create', 'index', 'update', 'delete'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** Request-level faults, consumed from a queue in order. */
export type RequestFault =
  /**
   * Answer with this status and body instead of handling the request. A string body is
   * sent as is (an empty one is no body), with `headers` (e.g. a proxy's text/html).
   */
  | { readonly kind: 'status'; readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  /**
   * Reply late. `apply: true` (default) handles the request at once and only delays the
   * reply, like a cluster that indexed the batch but answered after the client gave up.
   */
  | { readonly kind: 'delay'; readonly ms: number; readonly apply?: boolean }
  /** Destroy the socket without a reply; `apply: true` handles the request first. */
  | { readonly kind: 'drop'; readonly apply?: boolean };

/** An item-level error the fake puts in a bulk reply. */
export interface ItemError extends FakeError {
  readonly status: number;
  /** The underlying error, as OpenSearch nests it (`filter_path` of the sink drops it). */
  readonly causedBy?: FakeError;
}

/**
 * Realistic item errors (OpenSearch 2.x wording and type names; checked on a real node by
 * test/real-engine/fake-agreement.test.ts where a node can produce them).
 */
export const ITEM_ERRORS = {
  /** A shard's write queue is full (OpenSearch names the type without Elasticsearch's `es_`). */
  rejectedExecution: {
    status: 429,
    type: 'rejected_execution_exception',
    reason:
      'rejected execution of primary operation [shard_detail=[cwl-x][0][node]] on OpenSearchThreadPoolExecutor[name = node/write, queue capacity = 10000, active threads = 2, queued tasks = 10000]',
  },
  mapperParsing: {
    status: 400,
    type: 'mapper_parsing_exception',
    reason: "failed to parse field [duration_ms] of type [double] in document with id 'x'. Preview of field's value: 'abc'",
    causedBy: { type: 'number_format_exception', reason: 'For input string: "abc"' },
  },
  /** A create into an index that does not exist when automatic index creation is off. */
  indexNotFound: {
    status: 404,
    type: 'index_not_found_exception',
    reason: 'no such index [cwl-x]',
  },
  strictMapping: {
    status: 400,
    type: 'strict_dynamic_mapping_exception',
    reason: 'mapping set to strict, dynamic introduction of [unexpected] within [_doc] is not allowed',
  },
  conflict: {
    status: 409,
    type: 'version_conflict_engine_exception',
    reason: '[x]: version conflict, document already exists (current version [1])',
  },
  unavailable: {
    status: 503,
    type: 'unavailable_shards_exception',
    reason: '[cwl-x][0] primary shard is not active Timeout: [1m], request: [BulkShardRequest [[cwl-x][0]] containing [1] requests]',
  },
  clusterBlock: {
    status: 429,
    type: 'cluster_block_exception',
    reason:
      'index [cwl-x] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];',
  },
  /** `index.blocks.write: true` on the index: per item, with HTTP 200 (seen on a real 2.19 node). */
  indexWriteBlock: {
    status: 403,
    type: 'cluster_block_exception',
    reason: 'index [cwl-x] blocked by: [FORBIDDEN/8/index write (api)];',
  },
} as const satisfies Record<string, ItemError>;

/** Realistic request-level faults. */
export const REQUEST_FAULTS = {
  /** What Amazon OpenSearch Service's front end answers above the payload quota. */
  tooLarge: (): RequestFault => ({
    kind: 'status',
    status: 413,
    body: { Message: 'Request size exceeded 10485760 bytes' },
  }),
  /** What a self-managed node answers above `http.max_content_length`: no body at all. */
  tooLargeSelfManaged: (): RequestFault => ({ kind: 'status', status: 413, body: '' }),
  /** Indexing pressure: the node refuses the whole bulk request before any shard sees it. */
  tooManyRequests: (): RequestFault => ({
    kind: 'status',
    status: 429,
    body: errorBody(429, {
      type: 'rejected_execution_exception',
      reason:
        'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=5242880, max_coordinating_and_primary_bytes=53687091]',
    }),
  }),
  /** A proxy or load balancer in front of the cluster: 429 with a text body. */
  tooManyRequestsText: (): RequestFault => ({
    kind: 'status',
    status: 429,
    body: 'Too Many Requests',
    headers: { 'content-type': 'text/plain' },
  }),
  /** A proxy or load balancer in front of the cluster: 502/503/504 with an HTML page. */
  gatewayHtml: (status: 502 | 503 | 504 = 502): RequestFault => ({
    kind: 'status',
    status,
    body: `<html><body><h1>${status} Bad Gateway</h1></body></html>`,
    headers: { 'content-type': 'text/html' },
  }),
  unavailable: (): RequestFault => ({
    kind: 'status',
    status: 503,
    body: errorBody(503, {
      type: 'cluster_manager_not_discovered_exception',
      reason: 'no cluster-manager node found',
    }),
  }),
  /**
   * A cluster-wide block (`cluster.blocks.read_only`) refuses the whole `_bulk` request, as a real
   * 2.19 node does; an index-level write block is an item error instead (ITEM_ERRORS.indexWriteBlock).
   */
  clusterBlock: (): RequestFault => ({
    kind: 'status',
    status: 403,
    body: errorBody(403, { type: 'cluster_block_exception', reason: 'blocked by: [FORBIDDEN/6/cluster read-only (api)];' }),
  }),
  slow: (ms: number, apply = true): RequestFault => ({ kind: 'delay', ms, apply }),
  drop: (apply = false): RequestFault => ({ kind: 'drop', apply }),
} as const;

export interface FakeOpenSearchOptions {
  /** Basic auth the fake demands (401 otherwise). */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  /**
   * Answer 413 `{"Message": …}` to requests whose wire (compressed) body is larger, as
   * Amazon OpenSearch Service's front end does.
   */
  readonly maxBodyBytes?: number;
  /**
   * The engine's own `http.max_content_length`: counts the body after gzip decoding and answers
   * 413 with an empty body (content-length 0), as a real 2.19 node does.
   */
  readonly maxContentLength?: number;
  /** `action.auto_create_index`: false makes a write into a missing index an item 404. @default true */
  readonly autoCreateIndex?: boolean;
}

interface QueuedFault {
  readonly fault: RequestFault;
  remaining: number;
  readonly method: string | undefined;
  readonly path: RegExp | undefined;
}

interface ItemFaultRule {
  readonly when: (item: BulkItemInfo) => boolean;
  readonly error: ItemError;
  /** Hits left per document id (Infinity = always). */
  readonly times: number;
  readonly hits: Map<string, number>;
}

interface Route {
  readonly method: string;
  readonly path: RegExp;
  readonly handler: RouteHandler;
}

/** Starts a fake OpenSearch on 127.0.0.1 with a free port. */
export async function startFakeOpenSearch(options: FakeOpenSearchOptions = {}): Promise<FakeOpenSearch> {
  const fake = new FakeOpenSearch(options);
  await fake.listen();
  return fake;
}

export class FakeOpenSearch {
  /** Every request received, in arrival order. */
  readonly requests: RecordedRequest[] = [];
  /** Documents per index. */
  readonly indices = new Map<string, Map<string, StoredDocument>>();

  #server: Server;
  #sockets = new Set<Socket>();
  #timers = new Set<NodeJS.Timeout>();
  #faults: QueuedFault[] = [];
  #itemFaults: ItemFaultRule[] = [];
  #routes: Route[] = [];
  #seqNo = 0;
  #url = '';

  constructor(readonly options: FakeOpenSearchOptions = {}) {
    this.#server = createServer((req, res) => {
      this.#onRequest(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, { status: 500, body: errorBody(500, { type: 'fake_error', reason: String(error) }) });
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return this.#url;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const { port } = this.#server.address() as AddressInfo;
    this.#url = `http://127.0.0.1:${port}`;
  }

  /** Stops the server, dropping open connections and pending slow replies. */
  async close(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Adds an endpoint; added routes are tried in order before the built-in ones. */
  route(method: string, path: RegExp, handler: RouteHandler): this {
    this.#routes.push({ method: method.toUpperCase(), path, handler });
    return this;
  }

  /** Queues a request-level fault for the next `times` requests matching `method`/`path`. */
  failRequests(fault: RequestFault, match: { times?: number; method?: string; path?: RegExp } = {}): this {
    this.#faults.push({
      fault,
      remaining: match.times ?? 1,
      method: match.method?.toUpperCase(),
      path: match.path,
    });
    return this;
  }

  /**
   * Fails bulk items chosen by id list or predicate with `error`, at most `times` times
   * per document id (default: every time).
   */
  failItems(
    which: readonly string[] | ((item: BulkItemInfo) => boolean),
    error: ItemError,
    times = Number.POSITIVE_INFINITY,
  ): this {
    const when = typeof which === 'function' ? which : idIn(new Set(which));
    this.#itemFaults.push({ when, error, times, hits: new Map() });
    return this;
  }

  /** Removes every queued request fault and item fault. */
  clearFaults(): this {
    this.#faults = [];
    this.#itemFaults = [];
    return this;
  }

  /** Forgets documents, requests and faults (routes stay). */
  reset(): this {
    this.indices.clear();
    this.requests.length = 0;
    return this.clearFaults();
  }

  /** Requests whose path ends in `_bulk`. */
  bulkRequests(): RecordedRequest[] {
    return this.requests.filter((request) => /(^|\/)_bulk$/.test(request.path));
  }

  /** The stored document, if any. */
  get(index: string, id: string): StoredDocument | undefined {
    return this.indices.get(index)?.get(id);
  }

  /** Stores (or replaces) a document directly, bypassing faults. */
  put(index: string, id: string, source: Record<string, unknown>): StoredDocument {
    const docs = this.#index(index);
    const stored = { source, version: (docs.get(id)?.version ?? 0) + 1, seqNo: this.#seqNo++ };
    docs.set(id, stored);
    return stored;
  }

  /** Number of documents in indices matching `pattern` (comma list, `*` wildcards; default all). */
  count(pattern = '*'): number {
    let total = 0;
    for (const name of this.resolveIndices(pattern)) total += this.indices.get(name)?.size ?? 0;
    return total;
  }

  /** Existing index names matching `pattern` (comma list, `*` wildcards), sorted. */
  resolveIndices(pattern: string): string[] {
    const names = [...this.indices.keys()].sort();
    const regexps = pattern
      .split(',')
      .filter((part) => part !== '')
      .map((part) => (part === '_all' ? /^.*$/ : globToRegExp(part)));
    return names.filter((name) => regexps.some((regexp) => regexp.test(name)));
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let request: RecordedRequest;
    try {
      request = await readRequest(req);
    } catch (error) {
      send(res, { status: 400, body: errorBody(400, { type: 'parse_exception', reason: String(error) }) });
      return;
    }
    this.requests.push(request);

    const auth = this.options.basicAuth;
    if (auth && request.headers.authorization !== basicHeader(auth.username, auth.password)) {
      send(res, {
        status: 401,
        body: 'Unauthorized',
        headers: { 'www-authenticate': 'Basic realm="OpenSearch Security"', 'content-type': 'text/plain' },
      });
      return;
    }
    if (this.options.maxBodyBytes !== undefined && request.rawBody.length > this.options.maxBodyBytes) {
      send(res, { status: 413, body: { Message: `Request size exceeded ${this.options.maxBodyBytes} bytes` } });
      return;
    }
    if (this.options.maxContentLength !== undefined && Buffer.byteLength(request.body) > this.options.maxContentLength) {
      res.writeHead(413, { 'content-length': '0' }).end();
      return;
    }

    const fault = this.#takeFault(request);
    if (fault?.kind === 'status') {
      const body = fault.body ?? errorBody(fault.status, { type: 'fake_fault', reason: 'scripted' });
      send(res, { status: fault.status, body, ...(fault.headers && { headers: fault.headers }) });
      return;
    }
    if (fault?.kind === 'drop') {
      if (fault.apply) await this.#handle(request);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay' && fault.apply === false) await this.#sleep(fault.ms);
    const reply = await this.#handle(request);
    if (fault?.kind === 'delay' && fault.apply !== false) await this.#sleep(fault.ms);
    if (res.destroyed || res.writableEnded) return;
    const filter = request.query.filter_path;
    const status = reply.status ?? 200;
    if (filter !== undefined && status < 300 && isPlainObject(reply.body)) {
      send(res, { ...reply, body: filterPath(reply.body, filter) }, request.method === 'HEAD');
    } else {
      send(res, reply, request.method === 'HEAD');
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }

  #takeFault(request: RecordedRequest): RequestFault | undefined {
    const index = this.#faults.findIndex(
      (queued) =>
        (queued.method === undefined || queued.method === request.method) &&
        (queued.path === undefined || queued.path.test(request.path)),
    );
    const queued = this.#faults[index];
    if (queued === undefined) return undefined;
    queued.remaining -= 1;
    if (queued.remaining <= 0) this.#faults.splice(index, 1);
    return queued.fault;
  }

  async #handle(request: RecordedRequest): Promise<FakeReply> {
    for (const route of this.#routes) {
      if (route.method !== '*' && route.method !== request.method) continue;
      route.path.lastIndex = 0;
      const match = route.path.exec(request.path);
      if (match) return route.handler(request, match, this);
    }
    try {
      return this.#builtIn(request);
    } catch (error) {
      if (error instanceof FakeHttpError) return { status: error.status, body: errorBody(error.status, error) };
      throw error;
    }
  }

  #builtIn(request: RecordedRequest): FakeReply {
    const { method, path } = request;
    const segments = path.split('/').filter((segment) => segment !== '');
    const [first, second, third] = segments;
    const isRead = method === 'GET' || method === 'POST';

    if (segments.length === 0 && (method === 'GET' || method === 'HEAD')) return { body: CLUSTER_INFO };
    if (first === '_refresh' || second === '_refresh') {
      return { body: { _shards: { total: 1, successful: 1, failed: 0 } } };
    }
    if ((first === '_bulk' || second === '_bulk') && (method === 'POST' || method === 'PUT')) {
      return this.#bulk(request.body, first === '_bulk' ? undefined : first);
    }
    if (first !== undefined && second === '_search' && isRead) return { body: this.#search(first, request.body) };
    if (first === '_search' && isRead) return { body: this.#search('*', request.body) };
    if (first !== undefined && second === '_count' && isRead) return { body: this.#count(first, request.body) };
    if (first !== undefined && second === '_doc' && third !== undefined && (method === 'GET' || method === 'HEAD')) {
      return this.#getDoc(first, third);
    }
    if (first !== undefined && second === '_update' && third !== undefined && method === 'POST') {
      const result = this.#applyUpdate(first, third, parseJson(request.body));
      return { status: result.status, body: result.body };
    }
    if (first !== undefined && (second === '_doc' || second === '_create') && (method === 'PUT' || method === 'POST')) {
      const action = second === '_create' || request.query.op_type === 'create' ? 'create' : 'index';
      const id = third ?? `fake-${this.#seqNo}`;
      const source = parseJson(request.body);
      const conflict = this.#seqNoConflict(first, id, request.query);
      const result = conflict ?? this.#applyWrite(action, first, id, source);
      return { status: result.status, body: documentReply(result) };
    }
    if (first !== undefined && second === '_doc' && third !== undefined && method === 'DELETE') {
      const conflict = this.#seqNoConflict(first, third, request.query);
      const result = conflict ?? this.#applyDelete(first, third);
      return { status: result.status, body: documentReply(result) };
    }
    if (first !== undefined && segments.length === 1 && method === 'HEAD') {
      return { status: this.indices.has(first) ? 200 : 404 };
    }
    if (first !== undefined && segments.length === 1 && method === 'PUT') {
      const invalid = invalidIndexName(first);
      if (invalid !== undefined) throw new FakeHttpError(400, 'invalid_index_name_exception', `Invalid index name [${first}], ${invalid}`);
      if (this.indices.has(first)) {
        throw new FakeHttpError(400, 'resource_already_exists_exception', `index [${first}/${indexUuid(first)}] already exists`);
      }
      this.#index(first);
      return { body: { acknowledged: true, shards_acknowledged: true, index: first } };
    }
    if (first !== undefined && segments.length === 1 && method === 'DELETE') {
      const names = this.resolveIndices(first);
      if (names.length === 0) throw indexNotFound(first);
      for (const name of names) this.indices.delete(name);
      return { body: { acknowledged: true } };
    }
    return {
      status: 400,
      body: errorBody(400, {
        type: 'illegal_argument_exception',
        reason: `fake-opensearch: no handler for [${method} ${path}] (add one with fake.route)`,
      }),
    };
  }

  #index(name: string): Map<string, StoredDocument> {
    let docs = this.indices.get(name);
    if (docs === undefined) {
      docs = new Map();
      this.indices.set(name, docs);
    }
    return docs;
  }

  #bulk(body: string, defaultIndex: string | undefined): FakeReply {
    if (body === '') throw new FakeHttpError(400, 'action_request_validation_exception', 'Validation Failed: 1: no requests added;');
    if (!body.endsWith('\n')) {
      throw new FakeHttpError(400, 'illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]');
    }
    const lines = body.slice(0, -1).split('\n');
    const items: Record<string, unknown>[] = [];
    for (let line = 0; line < lines.length; ) {
      const actionLine = parseLine(lines, line);
      const keys = Object.keys(actionLine);
      const action = keys[0] as BulkAction;
      if (keys.length !== 1 || !BULK_ACTIONS.includes(action)) {
        throw new FakeHttpError(400, 'illegal_argument_exception', `Malformed action/metadata line [${line + 1}], expected one of [create, delete, index, update] but found [${keys.join(',')}]`);
      }
      const meta = (actionLine[action] ?? {}) as Record<string, unknown>;
      line += 1;
      let source: Record<string, unknown> | undefined;
      if (action !== 'delete') {
        if (line >= lines.length) throw new FakeHttpError(400, 'illegal_argument_exception', `The bulk request must be terminated by a newline [\\n]`);
        source = parseLine(lines, line);
        line += 1;
      }
      const index = typeof meta._index === 'string' ? meta._index : defaultIndex;
      if (index === undefined) {
        throw new FakeHttpError(400, 'action_request_validation_exception', 'Validation Failed: 1: index is missing;');
      }
      const id = typeof meta._id === 'string' ? meta._id : action === 'index' || action === 'create' ? `fake-${this.#seqNo}` : undefined;
      if (id === undefined) throw new FakeHttpError(400, 'action_request_validation_exception', 'Validation Failed: 1: id is missing;');
      items.push({ [action]: this.#bulkItem({ action, index, id, source }) });
    }
    const errors = items.some((item) => 'error' in (Object.values(item)[0] as object));
    return { body: { took: 1, errors, items } };
  }

  #bulkItem(item: BulkItemInfo): Record<string, unknown> {
    const fault = this.#itemFault(item);
    if (fault !== undefined) {
      return { _index: item.index, _id: item.id, status: fault.status, error: itemErrorBody(item, fault) };
    }
    let result: { status: number; body: Record<string, unknown> };
    if (item.action === 'update') result = this.#applyUpdate(item.index, item.id, item.source ?? {});
    else if (item.action === 'delete') result = this.#applyDelete(item.index, item.id);
    else result = this.#applyWrite(item.action, item.index, item.id, item.source ?? {});
    return { ...result.body, status: result.status };
  }

  #itemFault(item: BulkItemInfo): ItemError | undefined {
    for (const rule of this.#itemFaults) {
      const hits = rule.hits.get(item.id) ?? 0;
      if (hits >= rule.times || !rule.when(item)) continue;
      rule.hits.set(item.id, hits + 1);
      return rule.error;
    }
    return undefined;
  }

  #applyWrite(
    action: 'create' | 'index',
    index: string,
    id: string,
    source: Record<string, unknown>,
  ): { status: number; body: Record<string, unknown> } {
    if (this.options.autoCreateIndex === false && !this.indices.has(index)) {
      const missing = ITEM_ERRORS.indexNotFound;
      return {
        status: missing.status,
        body: { _index: index, _id: id, error: { type: missing.type, reason: missing.reason.replace('cwl-x', index), index } },
      };
    }
    const invalid = invalidIndexName(index);
    if (invalid !== undefined) {
      return {
        status: 400,
        body: { _index: index, _id: id, error: { type: 'invalid_index_name_exception', reason: `Invalid index name [${index}], ${invalid}`, index } },
      };
    }
    const existing = this.get(index, id);
    if (existing !== undefined && action === 'create') {
      return versionConflict(index, id, `[${id}]: version conflict, document already exists (current version [${existing.version}])`);
    }
    const stored = this.put(index, id, source);
    return {
      status: existing === undefined ? 201 : 200,
      body: writeResult(index, id, stored, existing === undefined ? 'created' : 'updated'),
    };
  }

  /**
   * `if_seq_no`/`if_primary_term` on a single-document write or delete: the engine's 409 when
   * the stored document is not that version (or is absent). Primary terms are always 1 here.
   */
  #seqNoConflict(index: string, id: string, query: Readonly<Record<string, string>>): { status: number; body: Record<string, unknown> } | undefined {
    if (query.if_seq_no === undefined && query.if_primary_term === undefined) return undefined;
    const seqNo = Number(query.if_seq_no);
    const primaryTerm = Number(query.if_primary_term);
    const existing = this.get(index, id);
    if (existing !== undefined && existing.seqNo === seqNo && primaryTerm === 1) return undefined;
    const current = existing === undefined ? 'but no document was found' : `current document has seqNo [${existing.seqNo}] and primary term [1]`;
    return versionConflict(index, id, `[${id}]: version conflict, required seqNo [${query.if_seq_no}], primary term [${query.if_primary_term}]. ${current}`);
  }

  #applyUpdate(index: string, id: string, body: Record<string, unknown>): { status: number; body: Record<string, unknown> } {
    const existing = this.get(index, id);
    const doc = body.doc as Record<string, unknown> | undefined;
    if (existing === undefined) {
      const upsert = body.doc_as_upsert === true ? doc : (body.upsert as Record<string, unknown> | undefined);
      if (upsert === undefined) {
        return {
          status: 404,
          body: { _index: index, _id: id, error: { type: 'document_missing_exception', reason: `[${id}]: document missing`, index, shard: '0' } },
        };
      }
      return { status: 201, body: writeResult(index, id, this.put(index, id, upsert), 'created') };
    }
    if (doc === undefined) {
      return { status: 400, body: { _index: index, _id: id, error: { type: 'action_request_validation_exception', reason: 'Validation Failed: 1: script or doc is missing;' } } };
    }
    const merged = deepMerge(existing.source, doc);
    if (JSON.stringify(merged) === JSON.stringify(existing.source)) {
      return { status: 200, body: writeResult(index, id, existing, 'noop') };
    }
    return { status: 200, body: writeResult(index, id, this.put(index, id, merged), 'updated') };
  }

  #applyDelete(index: string, id: string): { status: number; body: Record<string, unknown> } {
    const existing = this.get(index, id);
    if (existing === undefined) {
      return { status: 404, body: { _index: index, _id: id, result: 'not_found', _version: 1 } };
    }
    this.indices.get(index)?.delete(id);
    return { status: 200, body: writeResult(index, id, existing, 'deleted') };
  }

  #getDoc(index: string, id: string): FakeReply {
    if (!this.indices.has(index)) return { status: 404, body: errorBody(404, indexNotFound(index)) };
    const stored = this.get(index, id);
    if (stored === undefined) return { status: 404, body: { _index: index, _id: id, found: false } };
    return {
      body: { _index: index, _id: id, _version: stored.version, _seq_no: stored.seqNo, _primary_term: 1, found: true, _source: stored.source },
    };
  }

  #matching(pattern: string, query: unknown): { index: string; id: string; source: Record<string, unknown> }[] {
    const names = this.resolveIndices(pattern);
    const concrete = pattern.split(',').filter((part) => !part.includes('*') && part !== '_all');
    const missing = concrete.find((name) => !this.indices.has(name));
    if (missing !== undefined) throw indexNotFound(missing);
    const hits: { index: string; id: string; source: Record<string, unknown> }[] = [];
    for (const index of names) {
      for (const [id, stored] of this.indices.get(index) ?? []) {
        if (matchesQuery(stored.source, query ?? { match_all: {} })) hits.push({ index, id, source: stored.source });
      }
    }
    return hits;
  }

  #search(pattern: string, text: string): Record<string, unknown> {
    const body = text === '' ? {} : parseJson(text);
    if (body.aggs !== undefined || body.aggregations !== undefined) {
      throw new FakeHttpError(400, 'parsing_exception', 'fake-opensearch: aggregations are not supported (add a route)');
    }
    let hits = this.#matching(pattern, body.query).map((hit) => ({ ...hit, key: undefined as unknown }));
    const sort = readSort(body.sort);
    if (sort !== undefined) {
      for (const hit of hits) hit.key = sortKey(getPath(hit.source, sort.field));
      const direction = sort.order === 'desc' ? -1 : 1;
      hits.sort((a, b) => compareKeys(a.key, b.key, direction) || compareKeys(a.id, b.id, 1));
      const after = Array.isArray(body.search_after) ? (body.search_after[0] as unknown) : undefined;
      if (after !== undefined) hits = hits.filter((hit) => compareKeys(hit.key, sortKey(after), direction) > 0);
    }
    const from = typeof body.from === 'number' ? body.from : 0;
    const size = typeof body.size === 'number' ? body.size : 10;
    const total = hits.length;
    return {
      took: 1,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: {
        total: { value: total, relation: 'eq' },
        max_score: sort === undefined && total > 0 ? 1 : null,
        hits: hits.slice(from, from + size).map((hit) => ({
          _index: hit.index,
          _id: hit.id,
          _score: sort === undefined ? 1 : null,
          _source: hit.source,
          ...(sort !== undefined && { sort: [hit.key ?? null] }),
        })),
      },
    };
  }

  #count(pattern: string, text: string): Record<string, unknown> {
    const body = text === '' ? {} : parseJson(text);
    return { count: this.#matching(pattern, body.query).length, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } };
  }
}

export const CLUSTER_INFO = {
  name: 'fake-node',
  cluster_name: 'fake-opensearch',
  cluster_uuid: 'fake-uuid',
  version: {
    distribution: 'opensearch',
    number: '2.17.0',
    build_type: 'tar',
    lucene_version: '9.11.1',
    minimum_wire_compatibility_version: '7.10.0',
    minimum_index_compatibility_version: '7.0.0',
  },
  tagline: 'The OpenSearch Project: https://opensearch.org/',
} as const;

/** An error reply in OpenSearch's shape. */
export function errorBody(status: number, error: FakeError): Record<string, unknown> {
  const cause = { type: error.type, reason: error.reason };
  return { error: { root_cause: [cause], ...cause }, status };
}

/** `Basic <base64 user:password>`. */
export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

/** Splits an NDJSON body into parsed lines; throws on a missing final newline or bad JSON. */
export function parseNdjson(body: string): unknown[] {
  if (body !== '' && !body.endsWith('\n')) throw new Error('NDJSON body does not end with a newline');
  return body === '' ? [] : body.slice(0, -1).split('\n').map((line) => JSON.parse(line) as unknown);
}

class FakeHttpError extends Error implements FakeError {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly reason: string,
  ) {
    super(`${type}: ${reason}`);
  }
}

/** The engine's 409 for a single-document write that lost to the stored version, with `reason` as it words it. */
function versionConflict(index: string, id: string, reason: string): { status: number; body: Record<string, unknown> } {
  return {
    status: 409,
    body: {
      _index: index,
      _id: id,
      error: { type: 'version_conflict_engine_exception', reason, index, shard: '0', index_uuid: indexUuid(index) },
    },
  };
}

/** A stable stand-in for the engine's per-index uuid (22 url-safe base64 characters). */
function indexUuid(index: string): string {
  return createHash('sha256').update(index).digest('base64url').slice(0, 22);
}

function indexNotFound(index: string): FakeHttpError {
  return new FakeHttpError(404, 'index_not_found_exception', `no such index [${index}]`);
}

async function readRequest(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const rawBody = Buffer.concat(chunks);
  const encoding = String(req.headers['content-encoding'] ?? '').toLowerCase();
  const decoded = encoding === 'gzip' ? gunzipSync(rawBody) : rawBody;
  const url = new URL(req.url ?? '/', 'http://fake');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: decodeURIComponent(url.pathname),
    query: Object.fromEntries(url.searchParams),
    url: req.url ?? '/',
    headers: req.headers,
    rawBody,
    body: decoded.toString('utf8'),
  };
}

function send(res: ServerResponse, reply: FakeReply, head = false): void {
  const status = reply.status ?? 200;
  const body = reply.body;
  const payload =
    body === undefined ? '' : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=UTF-8',
    ...reply.headers,
    'content-length': String(Buffer.byteLength(payload)),
  };
  res.writeHead(status, headers);
  res.end(head ? undefined : payload);
}

function parseLine(lines: readonly string[], at: number): Record<string, unknown> {
  try {
    const value = JSON.parse(lines[at] ?? '') as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below with the line number, as OpenSearch does
  }
  throw new FakeHttpError(400, 'parse_exception', `fake-opensearch: line [${at + 1}] of the bulk body is not a JSON object`);
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new FakeHttpError(400, 'parse_exception', 'request body is required to be a JSON object');
}

function itemErrorBody(item: BulkItemInfo, fault: ItemError): Record<string, unknown> {
  const reason = fault.reason.replaceAll('[x]', `[${item.id}]`).replaceAll('cwl-x', item.index);
  const body: Record<string, unknown> = { type: fault.type, reason, index: item.index };
  if (fault.causedBy !== undefined) body.caused_by = { type: fault.causedBy.type, reason: fault.causedBy.reason };
  return body;
}

/**
 * A single-document API's reply: the write result as it is, or for an error the engine's
 * request-level shape (`{error: {root_cause: [...], type, reason, index, shard, index_uuid}, status}`),
 * not the bulk item's (checked against the real node in test/real-engine/apply-lock.test.ts).
 */
function documentReply(result: { status: number; body: Record<string, unknown> }): Record<string, unknown> {
  const error = result.body.error as Record<string, unknown> | undefined;
  if (error === undefined) return result.body;
  return { error: { root_cause: [{ ...error }], ...error }, status: result.status };
}

function writeResult(index: string, id: string, stored: StoredDocument, result: string): Record<string, unknown> {
  return {
    _index: index,
    _id: id,
    _version: stored.version,
    result,
    _shards: { total: 2, successful: 1, failed: 0 },
    _seq_no: stored.seqNo,
    _primary_term: 1,
  };
}

function idIn(ids: ReadonlySet<string>): (item: BulkItemInfo) => boolean {
  return (item) => ids.has(item.id);
}

function invalidIndexName(name: string): string | undefined {
  if (name !== name.toLowerCase()) return 'must be lowercase';
  if (/^[_\-+]/.test(name)) return "must not start with '_', '-', or '+'";
  if (/[\\/*?"<>| ,#:]/.test(name)) return 'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]';
  if (name === '.' || name === '..') return "must not be '.' or '..'";
  if (Buffer.byteLength(name) > 255) return 'index name is too long';
  return undefined;
}

/**
 * Applies `filter_path` (comma list of dotted paths, `*` matching one key) as OpenSearch
 * does: arrays do not consume a path segment and empty objects disappear.
 */
export function filterPath(body: Record<string, unknown>, spec: string): Record<string, unknown> {
  const paths = spec
    .split(',')
    .filter((path) => path !== '')
    .map((path) => path.split('.'));
  return (filterValue(body, paths) as Record<string, unknown> | undefined) ?? {};
}

function filterValue(value: unknown, paths: readonly (readonly string[])[]): unknown {
  if (Array.isArray(value)) {
    const kept = value.map((element) => filterValue(element, paths)).filter((element) => element !== undefined);
    return kept.length === 0 ? undefined : kept;
  }
  if (!isPlainObject(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const rests = paths.filter((path) => path[0] !== undefined && globToRegExp(path[0]).test(key)).map((path) => path.slice(1));
    if (rests.length === 0) continue;
    const kept = rests.some((rest) => rest.length === 0) ? child : filterValue(child, rests);
    if (kept !== undefined) out[key] = kept;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function deepMerge(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Reads a field by dotted path through nested objects; `.keyword` subfields read the field itself. */
function getPath(source: Record<string, unknown>, field: string): unknown {
  let value: unknown = source;
  for (const part of field.replace(/\.keyword$/, '').split('.')) {
    if (!isPlainObject(value)) return undefined;
    value = value[part];
  }
  return value;
}

function valuesOf(source: Record<string, unknown>, field: string): unknown[] {
  const value = getPath(source, field);
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T|$)/;

function sortKey(value: unknown): unknown {
  return typeof value === 'string' && ISO_DATE.test(value) ? Date.parse(value) : value;
}

function compareKeys(a: unknown, b: unknown, direction: number): number {
  if (a === b) return 0;
  // Missing values sort last in either direction, as in OpenSearch.
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  const result = typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1;
  return result * direction;
}

function readSort(sort: unknown): { field: string; order: 'asc' | 'desc' } | undefined {
  const first = Array.isArray(sort) ? (sort[0] as unknown) : sort;
  if (first === undefined) return undefined;
  if (typeof first === 'string') return { field: first, order: 'asc' };
  if (!isPlainObject(first)) return undefined;
  const [field, spec] = Object.entries(first)[0] ?? [];
  if (field === undefined) return undefined;
  const order = typeof spec === 'string' ? spec : isPlainObject(spec) ? spec.order : undefined;
  return { field, order: order === 'desc' ? 'desc' : 'asc' };
}

function equalsTerm(value: unknown, term: unknown): boolean {
  return value === term || (typeof value !== 'object' && String(value) === String(term));
}

function compareRange(value: unknown, bound: unknown): number {
  if (typeof value === 'number' && typeof bound === 'number') return value - bound;
  const left = typeof value === 'number' ? value : Date.parse(String(value));
  const right = typeof bound === 'number' ? bound : Date.parse(String(bound));
  if (Number.isNaN(left) || Number.isNaN(right)) return String(value) < String(bound) ? -1 : String(value) > String(bound) ? 1 : 0;
  return left - right;
}

function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The query subset: match_all, term, terms, range, exists, match, bool (must/filter/should/must_not). */
function matchesQuery(source: Record<string, unknown>, query: unknown): boolean {
  if (!isPlainObject(query)) throw new FakeHttpError(400, 'parsing_exception', 'query must be an object');
  const [kind, spec] = Object.entries(query)[0] ?? ['match_all', {}];
  switch (kind) {
    case 'match_all':
      return true;
    case 'match_none':
      return false;
    case 'term': {
      const [field, raw] = Object.entries(spec as Record<string, unknown>)[0] ?? [];
      if (field === undefined) return false;
      const term = isPlainObject(raw) ? raw.value : raw;
      return valuesOf(source, field).some((value) => equalsTerm(value, term));
    }
    case 'terms': {
      const [field, terms] = Object.entries(spec as Record<string, unknown>)[0] ?? [];
      if (field === undefined || !Array.isArray(terms)) return false;
      return valuesOf(source, field).some((value) => terms.some((term) => equalsTerm(value, term)));
    }
    case 'match': {
      const [field, raw] = Object.entries(spec as Record<string, unknown>)[0] ?? [];
      if (field === undefined) return false;
      const words = String(isPlainObject(raw) ? raw.query : raw).toLowerCase().split(/\W+/).filter(Boolean);
      return valuesOf(source, field).some((value) => {
        const tokens = new Set(String(value).toLowerCase().split(/\W+/));
        return words.some((word) => tokens.has(word));
      });
    }
    case 'exists':
      return valuesOf(source, String((spec as Record<string, unknown>).field)).length > 0;
    case 'range': {
      const [field, bounds] = Object.entries(spec as Record<string, Record<string, unknown>>)[0] ?? [];
      if (field === undefined || bounds === undefined) return false;
      return valuesOf(source, field).some(
        (value) =>
          (bounds.gte === undefined || compareRange(value, bounds.gte) >= 0) &&
          (bounds.gt === undefined || compareRange(value, bounds.gt) > 0) &&
          (bounds.lte === undefined || compareRange(value, bounds.lte) <= 0) &&
          (bounds.lt === undefined || compareRange(value, bounds.lt) < 0),
      );
    }
    case 'bool': {
      const bool = spec as Record<string, unknown>;
      const must = [...asList(bool.must), ...asList(bool.filter)];
      const should = asList(bool.should);
      if (!must.every((clause) => matchesQuery(source, clause))) return false;
      if (asList(bool.must_not).some((clause) => matchesQuery(source, clause))) return false;
      const minimum = typeof bool.minimum_should_match === 'number' ? bool.minimum_should_match : must.length === 0 && should.length > 0 ? 1 : 0;
      return should.filter((clause) => matchesQuery(source, clause)).length >= minimum;
    }
    default:
      throw new FakeHttpError(400, 'parsing_exception', `fake-opensearch: unknown query [${kind}] (add a route)`);
  }
}
