import { createHash } from 'node:crypto';
import type { ParserId } from '../../parsers/types';
import type { LogEvent } from '../pipeline/types';

/**
 * Splits a raw log file into the messages CloudWatch Logs would have delivered: a slow
 * log into one entry per message, Lambda text into one platform line per message (with
 * its XRAY continuation), anything else one line per message.
 */
export function splitRawText(text: string, parser: ParserId): string[] {
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
