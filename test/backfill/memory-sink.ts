import type { LogDocument } from '../../functions/pipeline/types';
import { emptyOutcome, type Sink, type SinkOutcome } from '../../functions/pipeline/sink';

/** A sink that keeps documents in memory with `create` semantics, and can be made to fail. */
export class MemorySink implements Sink {
  readonly documents = new Map<string, LogDocument>();
  writes = 0;
  /** The write number (1-based) that throws, like a cluster that stays unavailable. */
  failOnWrite?: number;

  async write(documents: readonly LogDocument[]): Promise<SinkOutcome> {
    this.writes += 1;
    if (this.writes === this.failOnWrite) throw new Error('OpenSearch unavailable (simulated)');
    const outcome = emptyOutcome();
    for (const document of documents) {
      const key = `${document.index}/${document.id}`;
      outcome.byIndex[document.index] = (outcome.byIndex[document.index] ?? 0) + 1;
      if (this.documents.has(key)) outcome.duplicates += 1;
      else {
        this.documents.set(key, document);
        outcome.indexed += 1;
      }
    }
    return outcome;
  }

  async close(): Promise<void> {}

  ids(): string[] {
    return [...this.documents.values()].map((document) => document.id).sort();
  }
}
