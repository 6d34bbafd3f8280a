// One side of `npm run bench:ab`: bundled once from each source tree compared (bench/ab.ts
// resolves these imports in that tree), so both sides run the same batch through their own code.
import { loadPipelineConfig } from '../functions/pipeline/config';
import { decodeSubscriptionData } from '../functions/pipeline/decode';
import { buildDocument } from '../functions/pipeline/document';
import { buildDocuments } from '../functions/pipeline/process';
import { createShipper } from '../functions/shipper/shipper';
import { documentPair } from '../functions/sinks/bulk-body';
import { encodeRequest } from '../functions/sinks/bulk-request';
import { createOpenSearchSinkFromEnv } from '../functions/sinks/sink-from-env';
import { createRegistry } from '../parsers/registry';
import { EncodingSink } from './encoding-sink';
import type { GeneratedBatch } from './generate';

/** What a round can run, each on one full batch. */
export const MODES = ['http', 'gzip', 'offline', 'encode', 'write', 'parse'] as const;
export type Mode = (typeof MODES)[number];

export function side(generated: GeneratedBatch, stubUrl: string): Record<Mode, () => Promise<unknown>> {
  const config = loadPipelineConfig({});
  const registry = createRegistry();
  const deps = { registry, config, region: 'eu-west-1' };
  const http = createShipper({ ...deps, sink: createOpenSearchSinkFromEnv({ OPENSEARCH_ENDPOINT: stubUrl }, config.indexing).sink });
  const offline = createShipper({ ...deps, sink: new EncodingSink(config.indexing) });
  const decoded = decodeSubscriptionData(generated.event.awslogs.data, config.maxDecompressedBytes);
  const entry = registry.route(decoded.logGroup);
  const context = { logGroup: decoded.logGroup, logStream: decoded.logStream, timestamp: 0 };
  // The writer alone, as bench:stages times it: documents given their results, described once.
  const documentContext = { batch: decoded, entry, resolve: registry.get, indexing: config.indexing, ingested: new Date().toISOString(), region: deps.region };
  const described = decoded.logEvents.map((event) => buildDocument(event, entry.parse(event.message, { ...context, timestamp: event.timestamp }), documentContext));
  return {
    // The shipper end to end: gzip, HTTP to the stub, its reply read (as `npm run bench`).
    http: () => http(generated.event),
    // Decoded, built, parsed, written and gzipped into bulk bodies as the sink does; not sent.
    gzip: async () => {
      const batch = decodeSubscriptionData(generated.event.awslogs.data, config.maxDecompressedBytes);
      const { documents } = buildDocuments(batch, deps);
      const limits = { maxBytes: config.indexing.bulkMaxBytes, maxDocuments: config.indexing.bulkMaxDocuments };
      for (let start = 0; start < documents.length; ) start = (await encodeRequest(documents, start, limits, true)).end;
    },
    // The shipper with bodies encoded, not gzipped, not sent.
    offline: () => offline(generated.event),
    // Documents built, parsed and written as NDJSON pairs (bench:stages' encode).
    encode: async () => buildDocuments(decoded, deps).documents.forEach(documentPair),
    write: async () => described.forEach(documentPair),
    parse: async () => decoded.logEvents.forEach((event) => entry.parse(event.message, context)),
  };
}
