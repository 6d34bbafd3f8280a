import type { IndexingConfig } from '../functions/pipeline/config';
import type { LogDocument } from '../functions/pipeline/types';
import { encodeRequest } from '../functions/sinks/bulk-request';
import { emptyOutcome, type Sink, type SinkOutcome } from '../functions/pipeline/sink';

/**
 * The OpenSearch sink's encoding without the network or gzip: documents are cut into
 * requests and encoded into bulk bodies exactly as for a cluster, then dropped.
 */
export class EncodingSink implements Sink {
  bytes = 0;

  constructor(private readonly indexing: IndexingConfig) {}

  async write(documents: readonly LogDocument[]): Promise<SinkOutcome> {
    const limits = { maxBytes: this.indexing.bulkMaxBytes, maxDocuments: this.indexing.bulkMaxDocuments };
    for (let start = 0; start < documents.length; ) {
      const request = await encodeRequest(documents, start, limits, false);
      this.bytes += request.bytes;
      start = request.end;
    }
    const outcome = emptyOutcome();
    outcome.indexed = documents.length;
    return outcome;
  }

  async close(): Promise<void> {}
}
