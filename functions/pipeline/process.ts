import type { Registry } from '../../parsers/registry';
import type { ParseResult, ParserEntry } from '../../parsers/types';
import type { Sink, SinkOutcome } from '../pipeline/sink';
import type { PipelineConfig } from './config';
import type { DecodedBatch } from './decode';
import { TAGS, deferDocument, type DocumentContext, type EventDocument } from './document';
import type { LogBatch, LogDocument } from './types';

export interface PipelineDeps {
  readonly registry: Registry;
  readonly config: PipelineConfig;
  readonly sink: Sink;
  /** Clock for `event.ingested`; injectable for tests. */
  readonly now?: () => Date;
  /** Epoch ms after which the sink starts no retry. */
  readonly deadline?: number;
  /** The pipeline's region, for `cloud.region` when the message does not carry one. */
  readonly region?: string;
}

/** Per-dataset counts of one batch. */
export interface DatasetCounts {
  documents: number;
  parseFailures: number;
}

export interface BuiltDocuments {
  readonly documents: LogDocument[];
  readonly byDataset: Record<string, DatasetCounts>;
  readonly parseFailures: number;
  /** True for a CONTROL_MESSAGE, which carries nothing to index. */
  readonly skipped: boolean;
}

export interface BatchOutcome extends Omit<BuiltDocuments, 'documents'> {
  readonly received: number;
  readonly sink: SinkOutcome;
}

/**
 * Route and build documents for a batch (no I/O). Each event is parsed when its document
 * is first read (by the sink, as it encodes the request that holds it), not here: the
 * batch's parse results are never all held at once. The counts read the documents, so
 * read them after the sink has written them (reading them first parses every event once
 * more).
 */
export function buildDocuments(batch: DecodedBatch | LogBatch, deps: Omit<PipelineDeps, 'sink' | 'deadline'>): BuiltDocuments {
  if (batch.messageType === 'CONTROL_MESSAGE') {
    return { documents: [], byDataset: {}, parseFailures: 0, skipped: true };
  }
  const entry = deps.registry.route(batch.logGroup);
  const { logGroup, logStream } = batch;
  const reportReadFully = deps.config.indexing.dropParsedMessage === true;
  const context: DocumentContext = {
    batch,
    entry,
    resolve: deps.registry.get,
    indexing: deps.config.indexing,
    ingested: (deps.now?.() ?? new Date()).toISOString(),
    ...(deps.region !== undefined && { region: deps.region }),
    ...('invalidUtf8' in batch && batch.invalidUtf8 && { batchTags: [TAGS.invalidUtf8] }),
    parse: reportReadFully
      ? (event) => parseSafely(entry, event.message, { logGroup, logStream, timestamp: event.timestamp, reportReadFully })
      : (event) => parseSafely(entry, event.message, { logGroup, logStream, timestamp: event.timestamp }),
  };
  const documents = batch.logEvents.map((event) => deferDocument(event, context));
  let counts: { byDataset: Record<string, DatasetCounts>; parseFailures: number } | undefined;
  const count = () => (counts ??= countDocuments(documents));
  return {
    documents,
    get byDataset() {
      return count().byDataset;
    },
    get parseFailures() {
      return count().parseFailures;
    },
    skipped: false,
  };
}

function countDocuments(documents: readonly EventDocument[]): { byDataset: Record<string, DatasetCounts>; parseFailures: number } {
  const byDataset: Record<string, DatasetCounts> = {};
  let parseFailures = 0;
  for (const document of documents) {
    const counts = (byDataset[document.dataset] ??= { documents: 0, parseFailures: 0 });
    counts.documents += 1;
    if (document.parseFailed()) {
      counts.parseFailures += 1;
      parseFailures += 1;
    }
  }
  return { byDataset, parseFailures };
}

/** decode -> route -> parse -> document -> sink for one decoded batch. */
export async function processBatch(batch: DecodedBatch | LogBatch, deps: PipelineDeps): Promise<BatchOutcome> {
  const built = buildDocuments(batch, deps);
  const sink =
    built.documents.length === 0
      ? { indexed: 0, duplicates: 0, retried: 0, deadLettered: 0, byIndex: {} }
      : await deps.sink.write(built.documents, deps.deadline === undefined ? {} : { deadline: deps.deadline });
  // Read after the write: the sink has parsed every event by now (see buildDocuments).
  return { ...batchCounts(built, batch.logEvents.length), sink };
}

/**
 * The counts of a batch whose documents the sink has written: read them only then, or
 * every event is parsed once more (see buildDocuments).
 */
export function batchCounts(built: BuiltDocuments, received: number): Omit<BatchOutcome, 'sink'> {
  return { byDataset: built.byDataset, parseFailures: built.parseFailures, skipped: built.skipped, received };
}

/**
 * Parsers promise never to throw; this is the boundary that keeps that promise for the
 * batch even if one has a bug: the event is shipped as a parse failure, not lost.
 */
function parseSafely(entry: ParserEntry, message: string, context: Parameters<ParserEntry['parse']>[1]): ParseResult {
  try {
    return entry.parse(message, context);
  } catch (error) {
    return { ok: false, reason: `parser ${entry.id} failed: ${(error as Error).message}` };
  }
}
