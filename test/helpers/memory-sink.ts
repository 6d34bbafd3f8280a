import { SinkError } from '../../functions/pipeline/errors';
import type { LogDocument } from '../../functions/pipeline/types';
import { emptyOutcome, type Sink, type SinkOutcome } from '../../functions/pipeline/sink';

/** A sink that keeps documents in memory with `create` semantics; can be told to fail. */
export class MemorySink implements Sink {
  readonly stored = new Map<string, LogDocument>();
  writes = 0;
  failNext = 0;

  async write(documents: readonly LogDocument[]): Promise<SinkOutcome> {
    this.writes += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new SinkError(`${documents.length} documents left unindexed (scripted)`, documents.length);
    }
    const outcome = emptyOutcome();
    for (const document of documents) {
      const key = `${document.index}/${document.id}`;
      outcome.byIndex[document.index] = (outcome.byIndex[document.index] ?? 0) + 1;
      if (this.stored.has(key)) {
        outcome.duplicates += 1;
      } else {
        this.stored.set(key, document);
        outcome.indexed += 1;
      }
    }
    return outcome;
  }

  async close(): Promise<void> {}

  documents(): LogDocument[] {
    return [...this.stored.values()];
  }
}
