import type { IndexingConfig } from '../functions/pipeline/config';
import type { LogDocument } from '../functions/pipeline/types';
import { bulkBody, cutRequests, encodeDocuments } from '../functions/sinks/bulk-body';
import { emptyOutcome, type Sink, type SinkOutcome } from '../functions/pipeline/sink';

/**
 * The OpenSearch sink's CPU work without the network: documents are serialized, cut into
 * requests and turned into bulk bodies exactly as for a cluster, then dropped.
 */
export class EncodingSink implements Sink {
  bytes = 0;

  constructor(private readonly indexing: IndexingConfig) {}

  async write(documents: readonly LogDocument[]): Promise<SinkOutcome> {
    const limits = { maxBytes: this.indexing.bulkMaxBytes, maxDocuments: this.indexing.bulkMaxDocuments };
    for (const request of cutRequests(encodeDocuments(documents), limits)) this.bytes += bulkBody(request).length;
    const outcome = emptyOutcome();
    outcome.indexed = documents.length;
    return outcome;
  }

  async close(): Promise<void> {}
}
