import type { Writable } from 'node:stream';
import { bulkBody, encodeDocuments } from './bulk-body';
import { emptyOutcome, type Sink, type SinkOutcome } from '../pipeline/sink';
import type { LogDocument } from '../pipeline/types';

/** Writes documents as bulk NDJSON (action line + source line) to a stream, stdout by default. */
export class StdoutSink implements Sink {
  constructor(private readonly stream: Writable = process.stdout) {}

  async write(documents: readonly LogDocument[]): Promise<SinkOutcome> {
    const outcome = emptyOutcome();
    for (const document of documents) {
      outcome.indexed += 1;
      outcome.byIndex[document.index] = (outcome.byIndex[document.index] ?? 0) + 1;
    }
    if (documents.length > 0) await writeAll(this.stream, bulkBody(encodeDocuments(documents)));
    return outcome;
  }

  async close(): Promise<void> {}
}

function writeAll(stream: Writable, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(bytes, (error) => (error ? reject(error) : resolve()));
  });
}
