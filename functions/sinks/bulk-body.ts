import type { LogDocument } from '../pipeline/types';

/**
 * The bulk request encoder: documents become `create` NDJSON pairs, serialized once, and
 * are cut into requests by uncompressed bytes and by count. Pure, no I/O.
 */

/** A document with its NDJSON pair (action line + source line, each ending `\n`). */
export interface EncodedDocument {
  readonly document: LogDocument;
  /** Reused as-is by every retry and split: the document is serialized only once. */
  readonly bytes: Buffer;
}

export interface BulkLimits {
  /** A request is cut before its uncompressed body would exceed this. */
  readonly maxBytes: number;
  /** A request holds at most this many documents. */
  readonly maxDocuments: number;
}

/** Encodes one document as `{"create":{"_index","_id"}}\n<source>\n`. */
export function encodeDocument(document: LogDocument): EncodedDocument {
  return { document, bytes: Buffer.from(documentPair(document), 'utf8') };
}

/**
 * The NDJSON pair of one document as text: the same bytes as
 * `JSON.stringify({ create: { _index, _id } })`, `\n`, `JSON.stringify(source)`, `\n`.
 * JSON.stringify escapes every newline inside strings, so each pair is exactly two lines.
 */
export function documentPair(document: LogDocument): string {
  const source = document.sourceJson !== undefined ? document.sourceJson() : JSON.stringify(document.source);
  return `${actionHead(document.index)}${JSON.stringify(document.id)}}}\n${source}\n`;
}

// Consecutive documents mostly share their index: its part of the action line is reused.
let lastIndex: string | undefined;
let lastHead = '';

/** `{"create":{"_index":"<index>","_id":` */
function actionHead(index: string): string {
  if (index !== lastIndex) {
    lastHead = `{"create":{"_index":${JSON.stringify(index)},"_id":`;
    lastIndex = index;
  }
  return lastHead;
}

/** Encodes documents in order. */
export function encodeDocuments(documents: readonly LogDocument[]): EncodedDocument[] {
  return documents.map(encodeDocument);
}

/**
 * Cuts encoded documents into requests, in order, each within `limits`. A document larger
 * than `maxBytes` on its own goes alone in its own request.
 */
export function cutRequests(documents: readonly EncodedDocument[], limits: BulkLimits): EncodedDocument[][] {
  const requests: EncodedDocument[][] = [];
  let current: EncodedDocument[] = [];
  let bytes = 0;
  for (const document of documents) {
    const size = document.bytes.length;
    if (current.length > 0 && (bytes + size > limits.maxBytes || current.length >= limits.maxDocuments)) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(document);
    bytes += size;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

/** The NDJSON body of one request: the documents' bytes, concatenated. */
export function bulkBody(documents: readonly EncodedDocument[]): Buffer {
  return Buffer.concat(documents.map((document) => document.bytes));
}

/** Splits a request in two halves (for a 413); a single document cannot be split. */
export function splitRequest<Document>(documents: readonly Document[]): [Document[], Document[]] {
  const middle = Math.ceil(documents.length / 2);
  return [documents.slice(0, middle), documents.slice(middle)];
}
