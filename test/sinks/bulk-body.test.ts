import { describe, expect, it } from 'vitest';
import { bulkBody, cutRequests, encodeDocument, encodeDocuments, splitRequest } from '../../functions/sinks/bulk-body';
import type { LogDocument } from '../../functions/pipeline/types';
import { parseNdjson } from '../helpers/fake-opensearch';

function doc(id: string, message = 'm', index = 'cwl-generic-2024.05.01'): LogDocument {
  return { index, id, dataset: 'cloudwatch.generic', source: { message, event: { dataset: 'cloudwatch.generic' } } };
}

describe('encodeDocument', () => {
  it('writes a create action line and the source line, each ending in a newline', () => {
    const encoded = encodeDocument(doc('42', 'hello'));
    expect(encoded.bytes.toString('utf8')).toBe(
      '{"create":{"_index":"cwl-generic-2024.05.01","_id":"42"}}\n' +
        '{"message":"hello","event":{"dataset":"cloudwatch.generic"}}\n',
    );
  });

  it.each([
    ['newlines', 'line 1\nline 2\r\nline 3'],
    ['unicode line separators', 'a\u2028b\u2029c'],
    ['quotes and backslashes', 'say "hi" \\ bye'],
    ['multi-byte text', 'züge 🚀 日本'],
  ])('keeps a message with %s on one NDJSON line', (_name, message) => {
    const text = encodeDocument(doc('1', message)).bytes.toString('utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(parseNdjson(text)).toEqual([{ create: { _index: 'cwl-generic-2024.05.01', _id: '1' } }, doc('1', message).source]);
  });

  it('counts bytes, not characters', () => {
    const ascii = encodeDocument(doc('1', 'aaaa')).bytes.length;
    const wide = encodeDocument(doc('1', 'éééé')).bytes.length;
    expect(wide - ascii).toBe(4);
  });
});

describe('cutRequests', () => {
  // Every document below encodes to the same size, so limits can be stated in documents.
  const documents = encodeDocuments(Array.from({ length: 10 }, (_, i) => doc(String(i).padStart(2, '0'))));
  const size = documents[0]?.bytes.length ?? 0;

  it.each([
    ['count only', 1e9, 3, [3, 3, 3, 1]],
    ['count equal to total', 1e9, 10, [10]],
    ['bytes exactly fitting 4', size * 4, 1000, [4, 4, 2]],
    ['bytes one short of 4', size * 4 - 1, 1000, [3, 3, 3, 1]],
    ['bytes and count, count first', size * 5, 2, [2, 2, 2, 2, 2]],
    ['bytes and count, bytes first', size * 2, 5, [2, 2, 2, 2, 2]],
    ['limit below one document', 10, 1000, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]],
  ])('cuts by %s', (_name, maxBytes, maxDocuments, sizes) => {
    const requests = cutRequests(documents, { maxBytes, maxDocuments });
    expect(requests.map((request) => request.length)).toEqual(sizes);
    expect(requests.flat()).toEqual(documents);
    for (const request of requests) {
      if (request.length > 1) expect(bulkBody(request).length).toBeLessThanOrEqual(maxBytes);
    }
  });

  it('puts a document larger than the byte limit alone in its own request', () => {
    const small = encodeDocuments([doc('a'), doc('b')]);
    const big = encodeDocument(doc('big', 'x'.repeat(500)));
    const requests = cutRequests([small[0]!, big, small[1]!], { maxBytes: 200, maxDocuments: 100 });
    expect(requests.map((request) => request.map((item) => item.document.id))).toEqual([['a'], ['big'], ['b']]);
  });

  it('returns no requests for no documents', () => {
    expect(cutRequests([], { maxBytes: 100, maxDocuments: 10 })).toEqual([]);
  });
});

describe('bulkBody', () => {
  it('is valid NDJSON with two lines per document and reuses the encoded bytes', () => {
    const documents = encodeDocuments([doc('1'), doc('2', 'two'), doc('3')]);
    const body = bulkBody(documents).toString('utf8');
    const lines = parseNdjson(body);
    expect(lines).toHaveLength(6);
    expect(lines.filter((_, i) => i % 2 === 0).map((line) => (line as { create: { _id: string } }).create._id)).toEqual(['1', '2', '3']);
    expect(bulkBody(documents).equals(Buffer.concat(documents.map((document) => document.bytes)))).toBe(true);
  });
});

describe('splitRequest', () => {
  it.each([
    [2, [1, 1]],
    [5, [3, 2]],
    [1, [1, 0]],
  ])('splits %i documents into halves %j', (count, sizes) => {
    const documents = encodeDocuments(Array.from({ length: count }, (_, i) => doc(String(i))));
    const [first, second] = splitRequest(documents);
    expect([first.length, second.length]).toEqual(sizes);
    expect([...first, ...second]).toEqual(documents);
  });
});
