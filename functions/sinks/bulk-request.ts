import { once } from 'node:events';
import { constants, createGzip, type ZlibOptions } from 'node:zlib';
import type { LogDocument } from '../pipeline/types';
import { documentPair, type BulkLimits } from './bulk-body';

/**
 * Encodes one bulk request at a time, as it is cut: each document's NDJSON pair is written
 * into 64 KiB chunks, and with compression each chunk goes into a gzip stream while the
 * next is written (zlib compresses on libuv's thread pool). Only the request being built
 * is held in memory, never the whole batch encoded.
 */

/** gzip level of request bodies: the fastest; see docs/performance.md for the trade. */
export const BULK_GZIP_LEVEL = constants.Z_BEST_SPEED;

const CHUNK_BYTES = 64 * 1024;
/** How far the writer may run ahead of the compressor before it waits. */
const GZIP_BACKLOG_BYTES = 1024 * 1024;

export interface EncodedRequest {
  /** Position after the last document of the request. */
  readonly end: number;
  /** The body as sent: NDJSON, gzipped when asked. */
  readonly body: Buffer;
  /** Uncompressed NDJSON bytes. */
  readonly bytes: number;
  /**
   * The NDJSON pair of `documents[end]` when it was encoded and found not to fit: the next
   * request starts with it (passed back as `first`), so no document is encoded twice (a
   * deferred document parses its event each time it is encoded).
   */
  readonly next?: string;
}

/** No cut: every document given goes into the one request (the halves of a split request). */
export const ONE_REQUEST: BulkLimits = { maxBytes: Number.POSITIVE_INFINITY, maxDocuments: Number.POSITIVE_INFINITY };

/**
 * Encodes the request that starts at `documents[start]`: documents in order until the
 * next would take the body past `limits.maxBytes` or the count past `limits.maxDocuments`.
 * A document larger than `maxBytes` on its own goes alone in its own request. `first` is
 * the `next` of the previous request, when that one ended where this one starts.
 */
export async function encodeRequest(
  documents: readonly LogDocument[],
  start: number,
  limits: BulkLimits,
  gzip: boolean,
  first?: string,
): Promise<EncodedRequest> {
  const output = gzip ? new GzipOutput() : new PlainOutput();
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  let bytes = 0;
  let end = start;
  let next: string | undefined;
  const flush = async (): Promise<void> => {
    if (used > 0) await output.write(chunk.subarray(0, used));
    chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    used = 0;
  };
  for (; end < documents.length && end - start < limits.maxDocuments; end += 1) {
    const pair = end === start && first !== undefined ? first : documentPair(documents[end]!);
    // A UTF-16 code unit takes at most 3 UTF-8 bytes: count exactly only near a limit.
    let size = pair.length * 3 <= CHUNK_BYTES - used && bytes + pair.length * 3 <= limits.maxBytes ? -1 : Buffer.byteLength(pair);
    if (end > start && bytes + size > limits.maxBytes) {
      next = pair;
      break;
    }
    if (size === -1 || size <= CHUNK_BYTES - used) {
      size = chunk.write(pair, used);
      used += size;
    } else {
      await flush();
      if (size <= CHUNK_BYTES) used = chunk.write(pair, 0);
      else await output.write(Buffer.from(pair, 'utf8'));
    }
    bytes += size;
  }
  if (used > 0) await output.write(chunk.subarray(0, used));
  return { end, body: await output.end(), bytes, ...(next !== undefined && { next }) };
}

interface Output {
  write(bytes: Buffer): Promise<void>;
  end(): Promise<Buffer>;
}

class PlainOutput implements Output {
  readonly #chunks: Buffer[] = [];

  async write(bytes: Buffer): Promise<void> {
    this.#chunks.push(bytes);
  }

  async end(): Promise<Buffer> {
    return this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
  }
}

class GzipOutput implements Output {
  // zlib streams take Transform options too (not in @types/node's ZlibOptions).
  readonly #gzip = createGzip({ level: BULK_GZIP_LEVEL, chunkSize: CHUNK_BYTES, writableHighWaterMark: GZIP_BACKLOG_BYTES } as ZlibOptions);
  readonly #compressed: Buffer[] = [];
  readonly #done: Promise<unknown>;

  constructor() {
    this.#gzip.on('data', (bytes: Buffer) => this.#compressed.push(bytes));
    this.#done = once(this.#gzip, 'end');
    // Awaited in end(); until then a zlib error must not count as an unhandled rejection.
    this.#done.catch(() => undefined);
  }

  async write(bytes: Buffer): Promise<void> {
    if (!this.#gzip.write(bytes)) await once(this.#gzip, 'drain');
    // Lets zlib's completion run, so the pool compresses this chunk while the next is written.
    else await new Promise(setImmediate);
  }

  async end(): Promise<Buffer> {
    this.#gzip.end();
    await this.#done;
    return Buffer.concat(this.#compressed);
  }
}
