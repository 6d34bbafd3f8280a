import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { LogBatch, LogEvent } from '../../../functions/pipeline/types';
import { filesUnder, stringsOf } from '../../helpers/corpus-files';
import { splitEntries } from '../../helpers/slowlog-entries';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/**
 * The shared corpus of public samples: CORPUS_DIR, else shared/ beside the checkout (CI's fresh
 * clone) or one level further up (a git worktree under wt/).
 */
export const CORPUS_DIR =
  process.env.CORPUS_DIR ??
  [resolve(ROOT, '../shared/corpus'), resolve(ROOT, '../../shared/corpus')].find((dir) => existsSync(dir));

/** CloudWatch Logs refuses events over 256 KiB; a longer "message" cannot reach the handler. */
const MAX_EVENT_BYTES = 256 * 1024 - 26;

/** CloudTrail events (objects with an eventID) anywhere in a JSON document, as a trail writes them. */
function cloudTrailEventsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(cloudTrailEventsOf);
  if (value !== null && typeof value === 'object') {
    if ('eventID' in value && 'eventTime' in value) return [JSON.stringify(value)];
    return Object.values(value).flatMap(cloudTrailEventsOf);
  }
  return [];
}

/**
 * Every message the corpus holds for one source, the way the parsers' differential test reads
 * it: every string of a JSON file; text files as slow-log entries (or lines) and whole; for
 * CloudTrail also every event object as JSON. Many are not valid for their parser on purpose:
 * they must still become documents (tagged parse_failure) that the mappings accept.
 */
export function corpusMessages(folder: 'mysql-slowlog' | 'lambda-report' | 'athena-cloudtrail'): string[] {
  if (CORPUS_DIR === undefined) return [];
  const messages = filesUnder(join(CORPUS_DIR, folder)).flatMap((path) => {
    if (path.endsWith('.md')) return [];
    const text = readFileSync(path, 'utf8');
    if (path.endsWith('.json')) {
      const json = JSON.parse(text) as unknown;
      return folder === 'athena-cloudtrail' ? [...cloudTrailEventsOf(json), ...stringsOf(json)] : stringsOf(json);
    }
    return folder === 'mysql-slowlog' ? [...splitEntries(text), text] : [...text.split('\n'), text];
  });
  return messages.filter((message) => message.trim() !== '' && Buffer.byteLength(message) <= MAX_EVENT_BYTES);
}

/**
 * Subscription events carrying `messages` for one log group, cut like CloudWatch Logs cuts them
 * (at most 10,000 events and about 1 MB of payload per delivery). Event ids are unique per
 * (`seed`, position), so two calls with different seeds never collide.
 */
export function subscriptionEvents(logGroup: string, messages: readonly string[], seed: number): { awslogs: { data: string } }[] {
  const batches: LogEvent[][] = [[]];
  let bytes = 0;
  const start = Date.UTC(2026, 10, 22, 8, 0, 0);
  messages.forEach((message, position) => {
    const event: LogEvent = {
      id: `${String(seed).padStart(6, '0')}${String(position).padStart(50, '0')}`,
      timestamp: start + position * 1_000,
      message,
    };
    const size = Buffer.byteLength(JSON.stringify(event));
    const current = batches.at(-1)!;
    if (current.length > 0 && (bytes + size > 900_000 || current.length >= 10_000)) {
      batches.push([event]);
      bytes = size;
    } else {
      current.push(event);
      bytes += size;
    }
  });
  return batches
    .filter((events) => events.length > 0)
    .map((logEvents) => {
      const batch: LogBatch = {
        messageType: 'DATA_MESSAGE',
        owner: '123456789012',
        logGroup,
        logStream: 'corpus',
        subscriptionFilters: ['cwl-opensearch'],
        logEvents,
      };
      return { awslogs: { data: gzipSync(Buffer.from(JSON.stringify(batch))).toString('base64') } };
    });
}
