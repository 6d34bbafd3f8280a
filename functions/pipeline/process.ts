import type { Registry } from '../../parsers/registry';
import type { ParseResult, ParserEntry } from '../../parsers/types';
import type { Sink, SinkOutcome } from '../pipeline/sink';
import type { PipelineConfig } from './config';
import type { DecodedBatch } from './decode';
import { TAGS, buildDocument } from './document';
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

/** Route, parse and build documents for a batch (no I/O). */
export function buildDocuments(batch: DecodedBatch | LogBatch, deps: Omit<PipelineDeps, 'sink' | 'deadline'>): BuiltDocuments {
  if (batch.messageType === 'CONTROL_MESSAGE') {
    return { documents: [], byDataset: {}, parseFailures: 0, skipped: true };
  }
  const entry = deps.registry.route(batch.logGroup);
  const context = {
    batch,
    entry,
    resolve: deps.registry.get,
    indexing: deps.config.indexing,
    ingested: (deps.now?.() ?? new Date()).toISOString(),
    ...(deps.region !== undefined && { region: deps.region }),
    ...('invalidUtf8' in batch && batch.invalidUtf8 && { batchTags: [TAGS.invalidUtf8] }),
  };
  const dropParsedMessage = deps.config.indexing.dropParsedMessage === true;
  const documents: LogDocument[] = [];
  const byDataset: Record<string, DatasetCounts> = {};
  let parseFailures = 0;
  for (const event of batch.logEvents) {
    const result = parseSafely(entry, event.message, {
      logGroup: batch.logGroup,
      logStream: batch.logStream,
      timestamp: event.timestamp,
      ...(dropParsedMessage && { reportReadFully: true }),
    });
    const document = buildDocument(event, result, context);
    documents.push(document);
    const counts = (byDataset[document.dataset] ??= { documents: 0, parseFailures: 0 });
    counts.documents += 1;
    if (!result.ok) {
      counts.parseFailures += 1;
      parseFailures += 1;
    }
  }
  return { documents, byDataset, parseFailures, skipped: false };
}

/** decode -> route -> parse -> document -> sink for one decoded batch. */
export async function processBatch(batch: DecodedBatch | LogBatch, deps: PipelineDeps): Promise<BatchOutcome> {
  const built = buildDocuments(batch, deps);
  const sink =
    built.documents.length === 0
      ? { indexed: 0, duplicates: 0, retried: 0, deadLettered: 0, byIndex: {} }
      : await deps.sink.write(built.documents, deps.deadline === undefined ? {} : { deadline: deps.deadline });
  const { documents: _documents, ...counts } = built;
  return { ...counts, received: batch.logEvents.length, sink };
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
