import type { Registry } from '../../parsers/registry';
import type { PipelineConfig } from '../pipeline/config';
import { PipelineError } from '../pipeline/errors';
import { buildDocuments } from '../pipeline/process';
import type { LogBatch, LogDocument } from '../pipeline/types';
import { ownTimeReader } from './event-times';
import { eventBatches, fromJson, messageLine } from './inputs';
import { MessageSplitter, rawEventIds } from './raw-text';

export interface ParseStreamOptions {
  readonly registry: Registry;
  readonly config: PipelineConfig;
  readonly region?: string;
  /** Raw messages of this log group; without it every line is JSON. */
  readonly logGroup?: string;
  readonly logStream: string;
  /** Time for lines before the first dated line of their stream (`--time`); else the current time. */
  readonly time?: number;
  readonly now?: () => number;
  /** Receives each document as soon as its input line is read. */
  readonly emit: (document: LogDocument) => void;
  /** Receives `stdin line N: reason` for a line that cannot be read; the others go on. */
  readonly fail: (message: string) => void;
}

/** What one stream has seen: the last time written in it, and its id deriver. */
interface StreamState {
  readonly timeOf: (message: string) => number | undefined;
  readonly idOf: (message: string) => string;
  last?: number;
}

/**
 * `parse` as a stream filter: lines go in one at a time and documents come out in input
 * order as soon as their message is complete. A bad line is reported with its number and
 * the rest go on. A JSON document spread over several lines (a pretty-printed CloudTrail
 * file) is recognised by its first line, read whole, and parsed like `replay` reads it.
 */
export function createParseStream(options: ParseStreamOptions) {
  const now = options.now ?? Date.now;
  const streams = new Map<string, StreamState>();
  const splitter = options.logGroup === undefined ? undefined : new MessageSplitter(options.registry.route(options.logGroup).id);
  let lineNumber = 0;
  let failures = 0;
  /** Lines of a multi-line JSON document, from the line that opened it. */
  let document: { readonly firstLine: number; readonly lines: string[] } | undefined;
  let sawJson = false;

  const stream = (logGroup: string, logStream: string): StreamState => {
    const key = `${logGroup}\u0000${logStream}`;
    let state = streams.get(key);
    if (state === undefined) {
      streams.set(key, (state = { timeOf: ownTimeReader(options.registry, logGroup, logStream), idOf: rawEventIds(logGroup, logStream) }));
    }
    return state;
  };

  /** One message, dated by the stream rule: its own time, else the last one written before it. */
  const message = (logGroup: string, logStream: string, text: string, given: { timestamp?: number; id?: string } = {}): void => {
    const state = stream(logGroup, logStream);
    const own = given.timestamp ?? state.timeOf(text);
    if (own !== undefined) state.last = own;
    const timestamp = own ?? state.last ?? options.time ?? now();
    const id = state.idOf(text);
    emitBatch(batchOf(logGroup, logStream, [{ id: given.id ?? id, timestamp, message: text }]));
  };

  const emitBatch = (batch: LogBatch): void => {
    const { documents } = buildDocuments(batch, {
      registry: options.registry,
      config: options.config,
      ...(options.region !== undefined && { region: options.region }),
    });
    for (const built of documents) options.emit(built);
  };

  const fail = (at: number, error: unknown): void => {
    failures += 1;
    if (!(error instanceof Error)) throw error;
    options.fail(`stdin line ${at}: ${error.message.replace(/^stdin: (line \d+ )?/, '')}`);
  };

  const jsonValue = (value: unknown, at: number): void => {
    if (isMessageLine(value)) {
      const line = messageLine(value, at - 1, 'stdin', { logStream: options.logStream });
      message(line.logGroup, line.logStream, line.message, {
        ...(line.timestamp !== undefined && { timestamp: line.timestamp }),
        ...(line.id !== undefined && { id: line.id }),
      });
      return;
    }
    const items = fromJson(value, 'stdin', { registry: options.registry, logStream: options.logStream, ...(options.time !== undefined && { time: options.time }) });
    for (const item of items) {
      if (item.kind === 'batch') emitBatch(item.batch);
      else for (const batch of eventBatches(item.event, options.config.maxDecompressedBytes)) emitBatch(batch);
    }
  };

  const jsonLine = (line: string, at: number): void => {
    const text = line.trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // The first line of a pretty-printed document opens a bracket it does not close.
      if (!sawJson && (text.startsWith('{') || text.startsWith('['))) {
        document = { firstLine: at, lines: [line] };
        return;
      }
      throw new PipelineError(
        options.logGroup === undefined ? 'not JSON; give raw messages with --log-group' : 'not JSON',
      );
    }
    sawJson = true;
    if (typeof value !== 'object' || value === null) throw new PipelineError('not a JSON object with "logGroup" and "message"');
    jsonValue(value, at);
  };

  return {
    /** One input line, without its line break. */
    line(line: string): void {
      lineNumber += 1;
      const at = lineNumber;
      if (document !== undefined) {
        document.lines.push(line);
        return;
      }
      try {
        if (splitter !== undefined) {
          for (const text of splitter.push(line)) message(options.logGroup!, options.logStream, text);
        } else {
          jsonLine(line, at);
        }
      } catch (error) {
        fail(at, error);
      }
    },
    /** End of input: completes an open message or document; returns how many lines failed. */
    end(): number {
      try {
        if (splitter !== undefined) for (const text of splitter.end()) message(options.logGroup!, options.logStream, text);
      } catch (error) {
        fail(lineNumber, error);
      }
      if (document !== undefined) {
        const { firstLine, lines } = document;
        document = undefined;
        let value: unknown;
        try {
          value = JSON.parse(lines.join('\n'));
        } catch {
          // Not one document after all: a bad first line of JSON lines. Read them one by one.
          sawJson = true;
          fail(firstLine, new PipelineError('not JSON, nor the start of a JSON document'));
          for (const [offset, line] of lines.slice(1).entries()) {
            try {
              jsonLine(line, firstLine + 1 + offset);
            } catch (error) {
              fail(firstLine + 1 + offset, error);
            }
          }
          return failures;
        }
        try {
          jsonValue(value, firstLine);
        } catch (error) {
          fail(firstLine, error);
        }
      }
      return failures;
    },
  };
}

function isMessageLine(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as Record<string, unknown>).message === 'string' &&
    !('logEvents' in value) &&
    !('awslogs' in value) &&
    !('Records' in value) &&
    typeof (value as Record<string, unknown>).eventSource !== 'string'
  );
}

function batchOf(logGroup: string, logStream: string, logEvents: LogBatch['logEvents']): LogBatch {
  return { messageType: 'DATA_MESSAGE', owner: '', logGroup, logStream, subscriptionFilters: [], logEvents };
}
