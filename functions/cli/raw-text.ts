import { createHash } from 'node:crypto';
import type { ParserId } from '../../parsers/types';
import type { LogBatch, LogEvent } from '../pipeline/types';

/**
 * Splits a raw log file into the messages CloudWatch Logs would have delivered: a slow
 * log into one entry per message, Lambda text into one platform line per message (with
 * its XRAY continuation), anything else one line per message.
 */
export function splitRawText(text: string, parser: ParserId | (string & {})): string[] {
  const lines = text.split(/\r?\n/);
  switch (parser) {
    case 'rds-mysql-slowquery':
      return splitSlowLog(lines);
    case 'lambda':
      return joinContinuations(lines, (line) => line.startsWith('XRAY TraceId:'));
    default:
      return lines.filter((line) => line.trim() !== '');
  }
}

// Lines the server writes when it (re)opens the log file: not part of any entry.
const SLOW_LOG_BANNER = [/^\S.*, Version: .*started with:$/, /^Tcp port: \d+/, /^Time\s+Id\s+Command\s+Argument/];

/** An entry starts at `# Time:`, or at `# User@Host:` not directly after a `# Time:` line. */
function splitSlowLog(lines: readonly string[]): string[] {
  const entries: string[] = [];
  let current: string[] = [];
  let previous = '';
  const flush = (): void => {
    while (current.length > 0 && current[current.length - 1]!.trim() === '') current.pop();
    if (current.length > 0) entries.push(current.join('\n'));
    current = [];
  };
  for (const line of lines) {
    if (SLOW_LOG_BANNER.some((pattern) => pattern.test(line))) {
      flush();
      previous = '';
      continue;
    }
    const startsEntry = line.startsWith('# Time:') || (line.startsWith('# User@Host:') && !previous.startsWith('# Time:'));
    if (startsEntry) flush();
    current.push(line);
    previous = line;
  }
  flush();
  return entries;
}

function joinContinuations(lines: readonly string[], isContinuation: (line: string) => boolean): string[] {
  const messages: string[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    if (isContinuation(line) && messages.length > 0) {
      messages[messages.length - 1] += `\n${line}`;
    } else {
      messages.push(line);
    }
  }
  return messages;
}

/**
 * Log events for raw messages. Their ids are derived from the log group and the message
 * (and its repeat count), so replaying the same file twice never duplicates.
 */
export function toLogEvents(logGroup: string, messages: readonly string[], timestamp: number): LogEvent[] {
  const seen = new Map<string, number>();
  return messages.map((message) => {
    const repeat = seen.get(message) ?? 0;
    seen.set(message, repeat + 1);
    const digest = createHash('sha256').update(`${logGroup}\n${repeat}\n${message}`).digest('hex');
    return { id: `raw-${digest.slice(0, 40)}`, timestamp, message };
  });
}

/** One `{"logGroup", "message"}` input line (the `parse` command's input, or NDJSON for `replay`). */
export interface MessageLine {
  readonly logGroup: string;
  readonly logStream: string;
  readonly message: string;
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
    const derived = toLogEvents(logGroup, group.map((line) => line.message), 0);
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
