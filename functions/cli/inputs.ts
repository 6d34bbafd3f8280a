import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Registry } from '../../parsers/registry';
import { decodeSubscriptionData, validateBatch } from '../pipeline/decode';
import { DecodeError, PipelineError } from '../pipeline/errors';
import type { LogBatch, LogEvent } from '../pipeline/types';
import { ownTimeReader, streamTimes } from './event-times';
import { LINE_BATCH_SIZE, batchMessageLines, splitRawText, toLogEvents, type MessageLine } from './raw-text';

/** One unit of replay work: an event for the real handler, or an already decoded batch. */
export type ReplayItem =
  | { readonly kind: 'event'; readonly source: string; readonly event: unknown; readonly events: number }
  | { readonly kind: 'batch'; readonly source: string; readonly batch: LogBatch };

export interface RawInputOptions {
  /**
   * Log group for raw text (and `{"message"}` lines without one); required for raw text.
   * Files that carry their own log group, and CloudTrail files, keep theirs.
   */
  readonly logGroup?: string;
  readonly logStream?: string;
  /** Epoch ms for raw lines of a stream in which no line writes a time (`--time`). */
  readonly time?: number;
  /** Account id for the `owner` of batches built from raw files. */
  readonly owner?: string;
  readonly registry: Registry;
}

const CLOUDTRAIL_LOG_GROUP = 'cloudtrail-files';
/** `owner` of batches built from files when no --owner is given: documents then carry no account id. */
const UNKNOWN_ACCOUNT = '';

/** Files named on the command line, with directories expanded (sorted, not recursive into dot-folders). */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) throw new PipelineError(`${path}: no such file or directory`);
    if (info.isDirectory()) {
      const names = (await readdir(path)).filter((name) => !name.startsWith('.')).sort();
      files.push(...(await expandPaths(names.map((name) => join(path, name)))));
    } else {
      files.push(path);
    }
  }
  return files;
}

/**
 * Reads a file and recognises what it holds: a CloudWatch Logs subscription event, a Kinesis
 * event, a decoded payload, CloudTrail JSON (one event, an array, or the S3 `{"Records":[…]}`
 * file), NDJSON of any of these, or raw log text (with `logGroup`). Gzipped files are fine.
 */
export async function readReplayItems(file: string, options: RawInputOptions): Promise<ReplayItem[]> {
  const bytes = await readFile(file);
  const text = decodeText(bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipFile(file, bytes) : bytes, file);
  const json = parseJson(text);
  if (json !== undefined) return fromJson(json, file, options);
  const lines = parseJsonLines(text);
  if (lines !== undefined) return fromJson(lines, file, options);
  return fromRawText(text, file, options);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
// NUL and the C0 controls other than tab, line feed, form feed, carriage return and escape
// (ANSI colours) never occur in log text; one of them means the file is not text.
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001a\u001c-\u001f]/;

/** The file's text, or a clear refusal: binary data must not be indexed as log lines. */
export function decodeText(bytes: Uint8Array, file: string): string {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new PipelineError(`${file}: binary data, not UTF-8 text (not a log file, JSON or gzip); nothing was read from it`);
  }
  const control = CONTROL.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).padStart(2, '0');
    throw new PipelineError(`${file}: binary data (control byte 0x${code} at character ${control.index}), not log text or JSON; nothing was read from it`);
  }
  return text;
}

/** The batches of a subscription or Kinesis event, decoded as the shipper decodes them. */
export function eventBatches(event: unknown, maxDecompressedBytes: number): LogBatch[] {
  const value = event as { awslogs?: { data?: unknown }; Records?: { kinesis?: { data?: unknown } }[] };
  if (typeof value.awslogs?.data === 'string') return [decodeSubscriptionData(value.awslogs.data, maxDecompressedBytes)];
  return (value.Records ?? []).map((record) => decodeSubscriptionData(String(record.kinesis?.data ?? ''), maxDecompressedBytes));
}

/** Log events of a subscription or Kinesis event (control messages hold none); 0 when it cannot be decoded. */
export function eventsInEvent(event: unknown, maxDecompressedBytes: number): number {
  let count = 0;
  const value = event as { awslogs?: unknown; Records?: unknown[] };
  const parts = value.awslogs !== undefined ? [event] : (value.Records ?? []).map((record) => ({ Records: [record] }));
  for (const part of parts) {
    try {
      for (const batch of eventBatches(part, maxDecompressedBytes)) {
        if (batch.messageType !== 'CONTROL_MESSAGE') count += batch.logEvents.length;
      }
    } catch {
      // An undecodable record is reported by the shipper itself.
    }
  }
  return count;
}

function gunzipFile(file: string, bytes: Buffer): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new DecodeError('gzip', `${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** The replay items of a parsed JSON value (one object, an array, or NDJSON's values). */
export function fromJson(value: unknown, source: string, options: RawInputOptions): ReplayItem[] {
  const values = Array.isArray(value) ? value : [value];
  const items: ReplayItem[] = [];
  const cloudTrail: Record<string, unknown>[] = [];
  const lines: UndatedLine[] = [];
  for (const [position, item] of values.entries()) {
    if (!isObject(item)) throw new DecodeError('shape', `${source}: expected JSON objects, found ${typeof item}`);
    if (isObject(item.awslogs)) {
      items.push({ kind: 'event', source, event: item, events: 0 });
    } else if (Array.isArray(item.Records) && item.Records.every((record) => isObject(record) && isObject(record.kinesis))) {
      items.push({ kind: 'event', source, event: item, events: 0 });
    } else if (Array.isArray(item.Records)) {
      cloudTrail.push(...item.Records.filter(isObject));
    } else if ('logEvents' in item) {
      items.push({ kind: 'batch', source, batch: validateBatch(item) });
    } else if (typeof item.eventSource === 'string' && typeof item.eventTime === 'string') {
      cloudTrail.push(item);
    } else if (typeof item.message === 'string') {
      lines.push(messageLine(item, position, source, options));
    } else {
      throw new DecodeError(
        'shape',
        `${source}: not a subscription event, Kinesis event, decoded payload, CloudTrail event or {"logGroup","message"} line (keys: ${Object.keys(item).slice(0, 6).join(', ')})`,
      );
    }
  }
  if (cloudTrail.length > 0) items.push(...cloudTrailBatches(cloudTrail, source, options));
  const dated = dateLines(lines, options.registry, options.time, source);
  for (const batch of batchMessageLines(dated, options.owner ?? UNKNOWN_ACCOUNT)) items.push({ kind: 'batch', source, batch });
  return items;
}

/** A `{"logGroup","message"}` line that may not have a time yet. */
export type UndatedLine = Omit<MessageLine, 'timestamp'> & { readonly timestamp?: number };

/** Dates lines without a `timestamp` by the rule of `streamTimes`, per log group and stream. */
function dateLines(lines: readonly UndatedLine[], registry: Registry, fallback: number | undefined, source: string): MessageLine[] {
  const streams = new Map<string, number[]>();
  for (const [position, line] of lines.entries()) {
    const key = `${line.logGroup}\u0000${line.logStream}`;
    let positions = streams.get(key);
    if (positions === undefined) streams.set(key, (positions = []));
    positions.push(position);
  }
  const times: (number | undefined)[] = lines.map((line) => line.timestamp);
  for (const positions of streams.values()) {
    const { logGroup, logStream } = lines[positions[0]!]!;
    const timeOf = ownTimeReader(registry, logGroup, logStream);
    const own = positions.map((position) => lines[position]!.timestamp ?? timeOf(lines[position]!.message));
    const dated = streamTimes(own, fallback);
    for (const [at, position] of positions.entries()) times[position] = dated[at];
  }
  return lines.map((line, position) => {
    const timestamp = times[position];
    if (timestamp === undefined) throw noTime(source, `log stream ${line.logGroup} ${line.logStream}`);
    return { ...line, timestamp };
  });
}

function noTime(source: string, where: string): PipelineError {
  return new PipelineError(
    `${source}: no line of ${where} has a time of its own to date the others by; give --time (an ISO 8601 time such as 2026-11-21T10:00:00Z)`,
  );
}

/** CloudTrail records as a trail's log group would deliver them: one compact JSON event per message. */
function cloudTrailBatches(records: Record<string, unknown>[], source: string, options: RawInputOptions): ReplayItem[] {
  // A CloudTrail file always goes to the CloudTrail parser: `--log-group` names raw text only.
  const logGroup = CLOUDTRAIL_LOG_GROUP;
  const logStream = options.logStream ?? 'replay';
  const messages = records.map((record) => JSON.stringify(record));
  const timestamps = records.map((record) => Date.parse(String(record.eventTime)) || 0);
  // eventID is the document id anyway (the parser says so); a record without one gets an
  // id derived from its content, so replaying the file from anywhere never duplicates it.
  const derived = toLogEvents(logGroup, logStream, messages, timestamps);
  const events: LogEvent[] = records.map((record, position) => ({
    id: typeof record.eventID === 'string' && record.eventID !== '' ? record.eventID : derived[position]!.id,
    timestamp: timestamps[position]!,
    message: messages[position]!,
  }));
  return chunk(events).map((logEvents) => ({
    kind: 'batch' as const,
    source,
    batch: makeBatch(logGroup, logStream, options.owner ?? accountOf(records[0]), logEvents),
  }));
}

/** Reads one `{"logGroup": …, "message": …}` line; `--log-group` fills a missing group. */
export function messageLine(
  item: Record<string, unknown>,
  position: number,
  source: string,
  options: Pick<RawInputOptions, 'logGroup' | 'logStream'>,
): UndatedLine {
  const logGroup = typeof item.logGroup === 'string' ? item.logGroup : options.logGroup;
  if (logGroup === undefined) {
    throw new PipelineError(`${source}: line ${position + 1} has no "logGroup" and no --log-group was given`);
  }
  if (typeof item.message !== 'string') throw new PipelineError(`${source}: line ${position + 1} needs a string "message"`);
  return {
    logGroup,
    logStream: typeof item.logStream === 'string' ? item.logStream : (options.logStream ?? 'replay'),
    message: item.message,
    ...(typeof item.timestamp === 'number' && Number.isFinite(item.timestamp) && { timestamp: item.timestamp }),
    ...(typeof item.id === 'string' && item.id !== '' && { id: item.id }),
  };
}

function fromRawText(text: string, source: string, options: RawInputOptions): ReplayItem[] {
  const { logGroup } = options;
  if (logGroup === undefined) {
    throw new PipelineError(`${source}: raw log text needs --log-group (it decides how the file is split and parsed)`);
  }
  const logStream = options.logStream ?? 'replay';
  const messages = splitRawText(text, options.registry.route(logGroup).id);
  const timeOf = ownTimeReader(options.registry, logGroup, logStream);
  const times = streamTimes(messages.map(timeOf), options.time);
  if (messages.length > 0 && times[0] === undefined) throw noTime(source, `the file`);
  const events = toLogEvents(logGroup, logStream, messages, times as number[]);
  return chunk(events).map((logEvents) => ({
    kind: 'batch' as const,
    source,
    batch: makeBatch(logGroup, logStream, options.owner ?? UNKNOWN_ACCOUNT, logEvents),
  }));
}

function makeBatch(logGroup: string, logStream: string, owner: string, logEvents: LogEvent[]): LogBatch {
  return { messageType: 'DATA_MESSAGE', owner, logGroup, logStream, subscriptionFilters: [], logEvents };
}

function chunk<T>(items: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += LINE_BATCH_SIZE) chunks.push(items.slice(start, start + LINE_BATCH_SIZE));
  return chunks;
}

function accountOf(record: Record<string, unknown> | undefined): string {
  const account = record?.recipientAccountId;
  return typeof account === 'string' ? account : UNKNOWN_ACCOUNT;
}

function parseJson(text: string): unknown {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** NDJSON, when every non-blank line is a JSON object. */
function parseJsonLines(text: string): unknown[] | undefined {
  const values: unknown[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (!line.trimStart().startsWith('{')) return undefined;
    try {
      values.push(JSON.parse(line));
    } catch {
      return undefined;
    }
  }
  return values.length > 0 ? values : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
