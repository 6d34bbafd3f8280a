import { createRegistry, type Registry } from '../../parsers/registry';
import type { PipelineConfig } from '../pipeline/config';
import { PipelineError } from '../pipeline/errors';
import { processBatch } from '../pipeline/process';
import { createShipper } from '../shipper/shipper';
import { addBatch, addSummary, emptySummary, type InvocationSummary } from '../shipper/summary';
import type { Sink } from '../pipeline/sink';
import { stat } from 'node:fs/promises';
import { eventsInEvent, expandPaths, readReplayItems, type RawInputOptions } from './inputs';
import type { Progress } from './progress';

export interface ReplayOptions extends Omit<RawInputOptions, 'registry'> {
  readonly config: PipelineConfig;
  readonly sink: Sink;
  readonly progress: Progress;
  readonly region?: string;
}

export interface ReplayReport {
  readonly summary: InvocationSummary;
  readonly files: number;
  /** Log events read from the files, stored or not (a refused batch still counts here). */
  readonly eventsRead: number;
  /** Files or batches that could not be read or stored, with the reason. */
  readonly errors: string[];
}

/**
 * Replays files through the same code as the Lambda: subscription and Kinesis events go
 * through the shipper itself, everything else through `processBatch`.
 */
export async function replayFiles(paths: readonly string[], options: ReplayOptions): Promise<ReplayReport> {
  const registry: Registry = createRegistry(options.config.routes, options.config.userParsers);
  const deps = {
    registry,
    config: options.config,
    sink: options.sink,
    ...(options.region !== undefined && { region: options.region }),
  };
  const ship = createShipper(deps);
  const files = await expandPaths(paths);
  const summary = emptySummary();
  const errors: string[] = [];
  const sizes = await Promise.all(files.map(async (file) => (await stat(file)).size));
  let eventsRead = 0;

  // Progress counts bytes of the files, advanced batch by batch, so one big file moves the bar too.
  options.progress.start(sizes.reduce((sum, size) => sum + size, 0));
  for (const [position, file] of files.entries()) {
    const size = sizes[position]!;
    let advanced = 0;
    try {
      const items = await readReplayItems(file, { ...options, registry });
      for (const [at, item] of items.entries()) {
        let events: number;
        let produced: number;
        if (item.kind === 'event') {
          // Counted before shipping: events the sink then refuses were still read.
          events = eventsInEvent(item.event, options.config.maxDecompressedBytes);
          eventsRead += events;
          const { summary: shipped } = await ship(item.event);
          addSummary(summary, shipped);
          produced = documentsOf(shipped);
          errors.push(...shipped.recordErrors.map((reason) => `${file}: record ${reason}`));
        } else {
          events = item.batch.logEvents.length;
          // Counted before the write: a batch the sink refuses was still read.
          eventsRead += events;
          const outcome = await processBatch(item.batch, deps);
          addBatch(summary, outcome);
          produced = outcome.received;
        }
        const reached = Math.round((size * (at + 1)) / items.length);
        options.progress.advance(reached - advanced, events, produced);
        advanced = reached;
      }
    } catch (error) {
      // One unreadable file or refused batch must not stop the others: report it and go on.
      if (!(error instanceof Error)) throw error;
      const known = error instanceof PipelineError || error instanceof SyntaxError;
      const message = known ? error.message : `${error.name}: ${error.message}`;
      // Most input errors name their file already; say it once.
      errors.push(message.startsWith(`${file}: `) ? message : `${file}: ${message}`);
    }
    if (advanced < size) options.progress.advance(size - advanced, 0, 0);
  }
  options.progress.stop();
  await options.sink.close();
  return { summary, files: files.length, eventsRead, errors };
}

function documentsOf(summary: InvocationSummary): number {
  return Object.values(summary.byDataset).reduce((sum, counts) => sum + counts.documents, 0);
}

/** The end-of-run report: documents per index, parse failures, dead letters. */
export function formatReport(report: ReplayReport, target: string): string {
  const { summary } = report;
  const lines = [
    `Replayed ${report.files} file(s), ${summary.batches} batch(es), ${report.eventsRead} log event(s) -> ${target}`,
  ];
  const indices = Object.entries(summary.sink.byIndex).sort(([a], [b]) => a.localeCompare(b));
  if (indices.length > 0) {
    const width = Math.max(...indices.map(([index]) => index.length));
    lines.push('Documents per index:');
    for (const [index, count] of indices) lines.push(`  ${index.padEnd(width)}  ${count}`);
  }
  lines.push(
    `Indexed ${summary.sink.indexed}, already present ${summary.sink.duplicates}, retried ${summary.sink.retried}, dead letters ${summary.sink.deadLettered}`,
    `Parse failures ${summary.parseFailures}${formatDatasets(summary)}`,
  );
  if (summary.controlMessages > 0) lines.push(`Control messages skipped ${summary.controlMessages}`);
  if (summary.undecodableRecords > 0) lines.push(`Undecodable Kinesis records dead-lettered ${summary.undecodableRecords}`);
  if (report.errors.length > 0) {
    lines.push(`Errors (${report.errors.length}):`, ...report.errors.map((error) => `  ${error}`));
  }
  return lines.join('\n');
}

function formatDatasets(summary: InvocationSummary): string {
  const parts = Object.entries(summary.byDataset)
    .filter(([, counts]) => counts.parseFailures > 0)
    .map(([dataset, counts]) => `${dataset} ${counts.parseFailures}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
