import type { Writable } from 'node:stream';
import { bulkAction } from './file';
import { emptyOutcome, type Sink, type SinkOutcome } from './types';
import type { LogDocument } from '../pipeline/types';

/** Writes documents as bulk NDJSON (action line + source line) to a stream, stdout by default. */
export class StdoutSink implements Sink {
  constructor(private readonly stream: Writable = process.stdout) {}

  async write(documents: readonly LogDocument[]): Promise<SinkOutcome> {
    const outcome = emptyOutcome();
    const lines: string[] = [];
    for (const document of documents) {
      lines.push(bulkAction(document), JSON.stringify(document.source));
      outcome.indexed += 1;
      outcome.byIndex[document.index] = (outcome.byIndex[document.index] ?? 0) + 1;
    }
    if (lines.length > 0) await writeAll(this.stream, `${lines.join('\n')}\n`);
    return outcome;
  }

  async close(): Promise<void> {}
}

function writeAll(stream: Writable, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}
