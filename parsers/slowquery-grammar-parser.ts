/**
 * The slow-log parser written from the grammar alone (`slowquery-grammar.ts`): every
 * line is recognised and cut by its regex, every value read from named groups. It is
 * the executable specification the production scanner is tested against, and the
 * parser a reader can follow without learning the scanner.
 */
import {
  IP_ADDRESS,
  KEY_VALUE,
  LINE,
  SCHEMA_FIELD,
  SLOWLOG_HEADER_FIELDS,
  THREAD_ID,
  THREAD_ID_FIELD,
  TIME,
  USER_HOST,
  VALUE,
  type HeaderField,
  type ValueKind,
} from './slowquery-grammar';
import {
  TRUNCATED_TAG,
  addStatement,
  documentFields,
  failure,
  optionalCount,
  preview,
  rdsIds,
  trimNewlines,
  unquoteIdentifier,
} from './slowquery-document';
import type { UserHost } from './slowquery-user-host';
import type { Fields, ParseContext, ParseResult } from './types';

type Parse = (message: string, context: ParseContext) => ParseResult;

/** A parser from the grammar and a table of header fields (by default the grammar's own). */
export function createSlowQueryGrammarParser(table: Readonly<Record<string, HeaderField>> = SLOWLOG_HEADER_FIELDS): Parse {
  const byName = new Map(Object.entries(table).map(([key, field]) => [key.toLowerCase(), field]));
  return (message, context) => parseEntry(message, context, byName);
}

/** The grammar parser over the grammar's own table. */
export const parseSlowQueryByGrammar: Parse = createSlowQueryGrammarParser();

interface Header {
  readonly slowlog: Record<string, unknown>;
  userHost?: UserHost;
  time?: string;
  sawTime: boolean;
  threadId?: number;
  schema?: string;
}

function parseEntry(message: string, context: ParseContext, fields: ReadonlyMap<string, HeaderField>): ParseResult {
  const rds = rdsIds(context);
  const lines = message.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  let at = 0;
  let sawBanner = false;
  for (; at < lines.length; at += 1) {
    const blank = LINE.blank.test(lines[at]!);
    if (!blank && !isBanner(lines[at]!)) break;
    sawBanner ||= !blank;
  }
  if (at === lines.length) return failure(`not a slow-log entry: ${sawBanner ? 'server banner lines only' : 'empty message'}`, rds);
  if (!LINE.header.test(lines[at]!)) return failure(`not a slow-log entry: no header line before "${preview(lines[at]!)}"`, rds);

  const header: Header = { slowlog: {}, sawTime: false };
  for (; at < lines.length && LINE.header.test(lines[at]!); at += 1) {
    const error = readHeaderLine(lines[at]!, header, fields);
    if (error !== undefined) return failure(error, rds);
  }
  const slowlog = header.slowlog;
  if (slowlog['query_time_sec'] === undefined) return failure('not a slow-log entry: no # Query_time: header', rds);

  // The body: `use`, `SET`, then the administrator command or the statement.
  let database: string | undefined;
  const use = at < lines.length ? LINE.use.exec(lines[at]!) : null;
  if (use) {
    database = unquoteIdentifier(use.groups!['database']!.trim());
    at += 1;
  }
  let timestamp: string | undefined;
  let lastInsertId: number | undefined;
  let insertId: number | undefined;
  const set = at < lines.length ? LINE.set.exec(lines[at]!) : null;
  if (set) {
    const { timestamp: seconds, lastInsertId: last, insertId: insert } = set.groups!;
    timestamp = epochSecondsText(seconds!);
    if (timestamp === undefined) return failure(`bad SET timestamp value "${preview(seconds!)}"`, rds);
    lastInsertId = optionalCount(last);
    insertId = optionalCount(insert);
    at += 1;
  }
  const admin = at < lines.length ? LINE.adminCommand.exec(lines[at]!) : null;
  const adminCommand = admin ? admin.groups!['command']!.trim().replace(/;$/, '').trim() : '';
  const statement = adminCommand === '' ? trimNewlines(lines.slice(at).join('\n')) : '';
  const query = statement.trim() === '' ? undefined : statement;

  database ??= header.schema;
  if (database !== undefined) slowlog['database'] = database;
  if (lastInsertId !== undefined) slowlog['last_insert_id'] = lastInsertId;
  if (insertId !== undefined) slowlog['insert_id'] = insertId;
  if (adminCommand !== '') slowlog['admin_command'] = adminCommand;
  if (query !== undefined) addStatement(slowlog, query);
  const userHost = header.userHost;
  if (userHost?.loginUser !== undefined) slowlog['login_user'] = userHost.loginUser;
  const threadId = userHost?.threadId ?? header.threadId;
  const document = documentFields(rds, userHost);
  document['mysql'] = threadId === undefined ? { slowlog } : { thread_id: threadId, slowlog };

  const result: { ok: true; fields: Fields; timestamp?: string; tags?: string[] } = { ok: true, fields: document };
  const time = timestamp ?? header.time;
  if (time !== undefined) result.timestamp = time;
  // No statement, or one without the `;` the server always appends: the entry was cut.
  if (adminCommand === '' && (query === undefined || !query.trimEnd().endsWith(';'))) result.tags = [TRUNCATED_TAG];
  return result;
}

function isBanner(line: string): boolean {
  return LINE.bannerStartedWith.test(line) || LINE.bannerPort.test(line) || LINE.bannerColumns.test(line);
}

/** Reads one header line into `header`; returns why it is unreadable, or undefined. */
function readHeaderLine(line: string, header: Header, fields: ReadonlyMap<string, HeaderField>): string | undefined {
  const time = LINE.time.exec(line);
  if (time) {
    const { time: text, userHost } = time.groups!;
    if (!header.sawTime) {
      header.sawTime = true;
      const value = text!.trim();
      header.time = slowLogTime(value);
      if (header.time === undefined) return `bad # Time: value "${preview(value)}"`;
    }
    return userHost === undefined ? undefined : readUserHost(userHost, header);
  }
  const userHost = LINE.userHost.exec(line);
  if (userHost) return readUserHost(userHost.groups!['userHost']!, header);
  if (LINE.explain.test(line)) return undefined;
  return readPairs(LINE.keyValues.exec(line)!.groups!['pairs']!, header, fields);
}

function readUserHost(text: string, header: Header): string | undefined {
  // The first User@Host line of an entry counts; a repeated one is not read.
  if (header.userHost !== undefined) return undefined;
  const match = USER_HOST.exec(text);
  const tail = match ? THREAD_ID.exec(match.groups!['tail']!) : null;
  if (!match || !tail) return `bad # User@Host: line "${preview(text.trim())}"`;
  const { privUser, loginUser, host, address } = match.groups!;
  const hostName = host!.trim();
  const bracketed = address!.trim();
  const ip = IP_ADDRESS.test(bracketed) ? bracketed : undefined;
  const domain = hostName !== '' ? hostName : ip === undefined && bracketed !== '' ? bracketed : undefined;
  const userHost: { -readonly [K in keyof UserHost]: UserHost[K] } = {};
  if (privUser!.trim() !== '') userHost.privUser = privUser!.trim();
  if (loginUser!.trim() !== '') userHost.loginUser = loginUser!.trim();
  if (domain !== undefined) userHost.host = domain;
  if (ip !== undefined) userHost.ip = ip;
  const threadId = tail.groups!['threadId'];
  if (threadId !== undefined) userHost.threadId = Number(threadId);
  header.userHost = userHost;
  return undefined;
}

/** The `Key: value` pairs of a header line, known keys read by the table; the first of a repeated key wins. */
function readPairs(text: string, header: Header, fields: ReadonlyMap<string, HeaderField>): string | undefined {
  for (const pair of text.matchAll(KEY_VALUE)) {
    const { key, inline, words } = pair.groups!;
    const spec = fields.get(key!.toLowerCase());
    if (spec === undefined) continue;
    const value = [inline!, ...words!.split(/[ \t]+/)].filter((word) => word !== '').join(' ');
    const reading = readValue(spec.kind, value);
    if (reading === BAD) return `bad ${key} value "${value.slice(0, 40)}"`;
    if (reading === undefined) continue;
    if (spec.field === THREAD_ID_FIELD) header.threadId ??= reading as number;
    else if (spec.field === SCHEMA_FIELD) header.schema ??= reading as string;
    else header.slowlog[spec.field] ??= reading;
  }
  return undefined;
}

const BAD = Symbol('bad value');

function readValue(kind: ValueKind, value: string): string | number | boolean | undefined | typeof BAD {
  const match = VALUE[kind].exec(value);
  switch (kind) {
    case 'seconds':
      if (!match) return BAD;
      return match.groups!['whole']!.length > 12 ? undefined : Number(value);
    case 'count': {
      if (!match) return BAD;
      const count = Number(value);
      return Number.isSafeInteger(count) ? count : undefined;
    }
    case 'flag':
      return match ? match.groups!['yes'] !== undefined : BAD;
    case 'time':
      return isoTime(value) ?? BAD;
    case 'text':
      return match ? value : undefined;
  }
}

// 9999-12-31T23:59:59Z: the last time `toISOString` writes with four year digits.
const MAX_EPOCH_SECONDS = 253_402_300_799;

/** Epoch seconds of a checked date and clock (no 31 February), or undefined. */
function epochSeconds(groups: Record<string, string | undefined>, year: number, offsetMinutes: number): number | undefined {
  const [month, day, hour, minute, second] = ['month', 'day', 'hour', 'minute', 'second'].map((name) => Number(groups[name]));
  if (year < 1970 || hour! > 23 || minute! > 59 || second! > 59 || month! < 1 || month! > 12 || day! < 1) return undefined;
  const date = new Date(Date.UTC(year, month! - 1, day!));
  if (date.getUTCDate() !== day) return undefined;
  const seconds = Date.UTC(year, month! - 1, day!, hour!, minute!, second!) / 1000 - offsetMinutes * 60;
  return seconds < 0 || seconds > MAX_EPOCH_SECONDS ? undefined : seconds;
}

function isoEpochSeconds(value: string): { seconds: number; fraction: string; utc: boolean } | undefined {
  const groups = TIME.iso.exec(value)?.groups;
  if (groups === undefined) return undefined;
  const { sign, offsetHours, offsetMinutes } = groups;
  const offset = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes));
  const seconds = epochSeconds(groups, Number(groups['year']), offset);
  return seconds === undefined ? undefined : { seconds, fraction: groups['fraction'] ?? '', utc: groups['utc'] !== undefined };
}

/** `# Time:` value -> ISO UTC with milliseconds. */
function slowLogTime(value: string): string | undefined {
  let read = isoEpochSeconds(value);
  if (read === undefined) {
    const groups = TIME.short.exec(value)?.groups;
    // The two-digit year is this century's: no slow log predates 2000 on RDS.
    const seconds = groups === undefined ? undefined : epochSeconds(groups, 2000 + Number(groups['year']), 0);
    if (seconds === undefined) return undefined;
    read = { seconds, fraction: groups!['fraction'] ?? '', utc: true };
  }
  return `${isoSeconds(read.seconds)}.${read.fraction.slice(0, 3).padEnd(3, '0')}Z`;
}

/** `Start:` / `End:` -> ISO UTC keeping every fraction digit written. */
function isoTime(value: string): string | undefined {
  const read = isoEpochSeconds(value);
  if (read === undefined) return undefined;
  if (read.utc) return value;
  return `${isoSeconds(read.seconds)}${read.fraction === '' ? '' : `.${read.fraction}`}Z`;
}

/** `SET timestamp=` digits -> ISO UTC with milliseconds. */
function epochSecondsText(digits: string): string | undefined {
  const seconds = Number(digits);
  return digits.length > 15 || seconds > MAX_EPOCH_SECONDS ? undefined : `${isoSeconds(seconds)}.000Z`;
}

/** `YYYY-MM-DDTHH:MM:SS` of epoch seconds. */
function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}
