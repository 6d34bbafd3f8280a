import { SinkError } from '../../functions/pipeline/errors';
import type { LogDocument } from '../../functions/pipeline/types';
import { emptyOutcome, type Sink, type SinkOutcome } from '../../functions/pipeline/sink';

/**
 * A sink that keeps documents in memory with `create` semantics; can be told to fail a
 * whole write (`failNext`) or, like a bulk reply with some items refused, to store all
 * but some documents and then fail (`failSomeNext`).
 */
export class MemorySink implements Sink {
  readonly stored = new Map<string, LogDocument>();
  writes = 0;
  failNext = 0;
  #failSome: ((document: LogDocument) => boolean) | undefined;

  /** The next write stores every document but those `refused` picks, then throws a SinkError counting them. */
  failSomeNext(refused: (document: LogDocument) => boolean): void {
    this.#failSome = refused;
  }

  async write(documents: readonly LogDocument[]): Promise<SinkOutcome> {
    this.writes += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new SinkError(`${documents.length} documents left unindexed (scripted)`, documents.length);
    }
    const refused = this.#failSome;
    this.#failSome = undefined;
    const kept = refused === undefined ? documents : documents.filter((document) => !refused(document));
    const outcome = emptyOutcome();
    for (const document of kept) {
      const key = `${document.index}/${document.id}`;
      outcome.byIndex[document.index] = (outcome.byIndex[document.index] ?? 0) + 1;
      if (this.stored.has(key)) {
        outcome.duplicates += 1;
      } else {
        this.stored.set(key, document);
        outcome.indexed += 1;
      }
    }
    const left = documents.length - kept.length;
    if (left > 0) throw new SinkError(`${left} of ${documents.length} documents left unindexed (scripted)`, left);
    return outcome;
  }

  async close(): Promise<void> {}

  documents(): LogDocument[] {
    return [...this.stored.values()];
  }
}
