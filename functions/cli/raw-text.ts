import { createHash } from 'node:crypto';
import type { ParserId } from '../../parsers/types';
import type { LogBatch, LogEvent } from '../pipeline/types';

/**
 * Splits a raw log file into the messages CloudWatch Logs would have delivered: a slow
 * log into one entry per message, Lambda text into one platform line per message (a
 * REPORT keeps its XRAY line), anything else one line per message.
 */
export function splitRawText(text: string, parser: ParserId | (string & {})): string[] {
  const splitter = new MessageSplitter(parser);
  const messages: string[] = [];
  for (const line of text.split(/\r?\n/)) messages.push(...splitter.push(line));
  messages.push(...splitter.end());
  return messages;
}

// Lines the server writes when it (re)opens the log file: not part of any entry.
const SLOW_LOG_BANNER = [/^\S.*, Version: .*started with:$/, /^Tcp port: \d+/, /^Time\s+Id\s+Command\s+Argument/];

/**
 * The splitting of `splitRawText`, one line at a time, so `parse` can print each message as
 * soon as it is complete: at once for a one-line message, at the next entry for a slow-log
 * entry, at the next line for a Lambda REPORT (its XRAY line may follow).
 */
export class MessageSplitter {
  #current: string[] = [];
  #previous = '';

  constructor(private readonly parser: ParserId | (string & {})) {}

  /** Takes one line (without its line break); returns the messages it completed. */
  push(line: string): string[] {
    switch (this.parser) {
      case 'rds-mysql-slowquery':
        return this.#slowLog(line);
      case 'lambda':
        return this.#lambda(line);
      default:
        return line.trim() === '' ? [] : [line];
    }
  }

  /** The message still open at the end of input. */
  end(): string[] {
    return this.#flush();
  }

  /** An entry starts at `# Time:`, or at `# User@Host:` not directly after a `# Time:` line. */
  #slowLog(line: string): string[] {
    if (SLOW_LOG_BANNER.some((pattern) => pattern.test(line))) {
      this.#previous = '';
      return this.#flush();
    }
    const startsEntry = line.startsWith('# Time:') || (line.startsWith('# User@Host:') && !this.#previous.startsWith('# Time:'));
    const done = startsEntry ? this.#flush() : [];
    this.#current.push(line);
    this.#previous = line;
    return done;
  }

  #lambda(line: string): string[] {
    if (line.trim() === '') return [];
    if (line.startsWith('XRAY TraceId:') && this.#current.length > 0) {
      this.#current.push(line);
      return this.#flush();
    }
    const done = this.#flush();
    // Only a REPORT line waits: it is the one an XRAY line continues.
    if (line.startsWith('REPORT ')) this.#current.push(line);
    else done.push(line);
    return done;
  }

  #flush(): string[] {
    const lines = this.#current;
    this.#current = [];
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
    return lines.length > 0 ? [lines.join('\n')] : [];
  }
}

/**
 * Log events for raw messages of one log stream, with the times `streamTimes` gave them.
 * Their ids are derived from the log group, the log stream and the message (and its repeat
 * count), so replaying the same file twice never duplicates, and the same line from two
 * streams stays two events.
 */
export function toLogEvents(logGroup: string, logStream: string, messages: readonly string[], timestamps: readonly number[]): LogEvent[] {
  const idOf = rawEventIds(logGroup, logStream);
  return messages.map((message, position) => ({ id: idOf(message), timestamp: timestamps[position]!, message }));
}

/** The id deriver of one stream: call it with each message in order (a repeat gets a new id). */
export function rawEventIds(logGroup: string, logStream: string): (message: string) => string {
  const seen = new Map<string, number>();
  return (message) => {
    const repeat = seen.get(message) ?? 0;
    seen.set(message, repeat + 1);
    const digest = createHash('sha256').update(`${logGroup}\n${logStream}\n${repeat}\n${message}`).digest('hex');
    return `raw-${digest.slice(0, 40)}`;
  };
}

/** One `{"logGroup", "message"}` input line (the `parse` command's input, or NDJSON for `replay`). */
export interface MessageLine {
  readonly logGroup: string;
  readonly logStream: string;
  readonly message: string;
  /** Epoch ms given in the input; without one the line is dated by `streamTimes`. */
  readonly timestamp: number;
  /** An id given in the input wins over the derived one. */
  readonly id?: string;
}

/** Events per batch built from lines or raw files: keeps bulk requests and progress steps moderate. */
export const LINE_BATCH_SIZE = 1000;

/**
 * Groups message lines into batches per log group and stream, in order of first
 * appearance. Ids are derived per group, so repeated messages stay distinct events.
 */
export function batchMessageLines(lines: readonly MessageLine[], owner: string): LogBatch[] {
  const groups = new Map<string, MessageLine[]>();
  for (const line of lines) {
    const key = `${line.logGroup}\u0000${line.logStream}`;
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push(line);
  }
  const batches: LogBatch[] = [];
  for (const group of groups.values()) {
    const { logGroup, logStream } = group[0]!;
    const derived = toLogEvents(logGroup, logStream, group.map((line) => line.message), group.map((line) => line.timestamp));
    const events = group.map((line, position) => ({
      id: line.id ?? derived[position]!.id,
      timestamp: line.timestamp,
      message: line.message,
    }));
    for (let start = 0; start < events.length; start += LINE_BATCH_SIZE) {
      batches.push({
        messageType: 'DATA_MESSAGE',
        owner,
        logGroup,
        logStream,
        subscriptionFilters: [],
        logEvents: events.slice(start, start + LINE_BATCH_SIZE),
      });
    }
  }
  return batches;
}
