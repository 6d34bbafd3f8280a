import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Registry } from '../../parsers/registry';
import { validateBatch } from '../pipeline/decode';
import { DecodeError, PipelineError } from '../pipeline/errors';
import type { LogBatch, LogEvent } from '../pipeline/types';
import { LINE_BATCH_SIZE, batchMessageLines, splitRawText, toLogEvents, type MessageLine } from './raw-text';

/** One unit of replay work: an event for the real handler, or an already decoded batch. */
export type ReplayItem =
  | { readonly kind: 'event'; readonly source: string; readonly event: unknown; readonly events: number }
  | { readonly kind: 'batch'; readonly source: string; readonly batch: LogBatch };

export interface RawInputOptions {
  /** Log group for raw files and CloudTrail files; required for raw text. */
  readonly logGroup?: string;
  readonly logStream?: string;
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
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipFile(file, bytes) : bytes).toString('utf8');
  const { mtimeMs } = await stat(file);
  const json = parseJson(text);
  if (json !== undefined) return fromJson(json, file, options, mtimeMs);
  const lines = parseJsonLines(text);
  if (lines !== undefined) return fromJson(lines, file, options, mtimeMs);
  return fromRawText(text, file, options, mtimeMs);
}

function gunzipFile(file: string, bytes: Buffer): Buffer {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new DecodeError('gzip', `${file}: ${(error as Error).message}`, { cause: error });
  }
}

function fromJson(value: unknown, source: string, options: RawInputOptions, mtimeMs: number): ReplayItem[] {
  const values = Array.isArray(value) ? value : [value];
  const items: ReplayItem[] = [];
  const cloudTrail: Record<string, unknown>[] = [];
  const lines: MessageLine[] = [];
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
      lines.push(messageLine(item, position, source, options, mtimeMs));
    } else {
      throw new DecodeError(
        'shape',
        `${source}: not a subscription event, Kinesis event, decoded payload, CloudTrail event or {"logGroup","message"} line (keys: ${Object.keys(item).slice(0, 6).join(', ')})`,
      );
    }
  }
  if (cloudTrail.length > 0) items.push(...cloudTrailBatches(cloudTrail, source, options));
  for (const batch of batchMessageLines(lines, options.owner ?? UNKNOWN_ACCOUNT)) items.push({ kind: 'batch', source, batch });
  return items;
}

/** CloudTrail records as a trail's log group would deliver them: one compact JSON event per message. */
function cloudTrailBatches(records: Record<string, unknown>[], source: string, options: RawInputOptions): ReplayItem[] {
  const logGroup = options.logGroup ?? CLOUDTRAIL_LOG_GROUP;
  const messages = records.map((record) => JSON.stringify(record));
  // eventID is the document id anyway (the parser says so); a record without one gets an
  // id derived from its content, so replaying the file from anywhere never duplicates it.
  const derived = toLogEvents(logGroup, messages, 0);
  const events: LogEvent[] = records.map((record, position) => ({
    id: typeof record.eventID === 'string' && record.eventID !== '' ? record.eventID : derived[position]!.id,
    timestamp: Date.parse(String(record.eventTime)) || 0,
    message: messages[position]!,
  }));
  return chunk(events).map((logEvents) => ({
    kind: 'batch' as const,
    source,
    batch: makeBatch(logGroup, options.logStream ?? 'replay', options.owner ?? accountOf(records[0]), logEvents),
  }));
}

/** Reads one `{"logGroup": …, "message": …}` line; `--log-group` fills a missing group. */
export function messageLine(
  item: Record<string, unknown>,
  position: number,
  source: string,
  options: Pick<RawInputOptions, 'logGroup' | 'logStream'>,
  fallbackTimestamp: number,
): MessageLine {
  const logGroup = typeof item.logGroup === 'string' ? item.logGroup : options.logGroup;
  if (logGroup === undefined) {
    throw new PipelineError(`${source}: line ${position + 1} has no "logGroup" and no --log-group was given`);
  }
  if (typeof item.message !== 'string') throw new PipelineError(`${source}: line ${position + 1} needs a string "message"`);
  return {
    logGroup,
    logStream: typeof item.logStream === 'string' ? item.logStream : (options.logStream ?? 'replay'),
    message: item.message,
    timestamp: typeof item.timestamp === 'number' && Number.isFinite(item.timestamp) ? item.timestamp : fallbackTimestamp,
    ...(typeof item.id === 'string' && item.id !== '' && { id: item.id }),
  };
}

function fromRawText(text: string, source: string, options: RawInputOptions, mtimeMs: number): ReplayItem[] {
  if (options.logGroup === undefined) {
    throw new PipelineError(`${source}: raw log text needs --log-group (it decides how the file is split and parsed)`);
  }
  const parser = options.registry.route(options.logGroup).id;
  const events = toLogEvents(options.logGroup, splitRawText(text, parser), mtimeMs);
  return chunk(events).map((logEvents) => ({
    kind: 'batch' as const,
    source,
    batch: makeBatch(options.logGroup!, options.logStream ?? 'replay', options.owner ?? UNKNOWN_ACCOUNT, logEvents),
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
