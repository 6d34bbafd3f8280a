/**
 * RDS for MySQL / MariaDB and Aurora MySQL slow query log: one entry per CloudWatch
 * event (log-formats.md section 1). Line-based: every line is looked at once, with
 * `startsWith`/`indexOf` and short anchored regexes, so the time is linear in the
 * message length whatever it holds.
 */
import { readField, SCHEMA_SLOT, splitKeyValues, THREAD_ID_SLOT } from './slowquery-key-values';
import { statementType } from './slowquery-statement';
import { epochSecondsToIso, parseSlowLogTime } from './slowquery-time';
import { parseUserHost, type UserHost } from './slowquery-user-host';
import { fingerprintId, fingerprintSql } from './sql-fingerprint';
import type { Fields, ParseContext, ParseResult } from './types';

const TIME_PREFIX = '# Time:';
const USER_HOST_PREFIX = '# User@Host:';
const ADMIN_PREFIX = '# administrator command:';
const EXPLAIN_PREFIX = '# explain:';
// Percona 5.0-era files write both on one line: `# Time: 071218 11:48:27 # User@Host: …`.
const GLUED_USER_HOST = ' # User@Host:';

const USE_LINE = /^use (?<database>[^;]+);$/;
const SET_LINE =
  /^SET (?:last_insert_id=(?<lastInsertId>\d{1,30}),)?(?:insert_id=(?<insertId>\d{1,30}),)?timestamp=(?<timestamp>\d{1,30});$/;

const INSTANCE_GROUP = /^\/aws\/rds\/instance\/(?<id>[^/]+)\/slowquery$/;
const CLUSTER_GROUP = /^\/aws\/rds\/cluster\/(?<id>[^/]+)\/slowquery$/;

/** Tag for an entry whose headers were read but whose statement is missing or cut. */
export const TRUNCATED_TAG = 'truncated';

/** Parses one slow-log entry (one CloudWatch message) into `schema.md` fields; never throws. */
export function parseSlowQuery(message: string, context: ParseContext): ParseResult {
  const rds = rdsIds(context);
  const fail = (reason: string): ParseResult => ({ ok: false, reason, ...(rds && { fields: { aws: { rds } } }) });

  const lines = message.split('\n').map(withoutCarriageReturn);
  let index = 0;
  let sawBanner = false;
  while (index < lines.length && (lines[index]!.trim() === '' || isBannerLine(lines[index]!))) {
    sawBanner ||= lines[index]!.trim() !== '';
    index += 1;
  }
  if (index === lines.length) {
    return fail(`not a slow-log entry: ${sawBanner ? 'server banner lines only' : 'empty message'}`);
  }
  if (!lines[index]!.startsWith('#') || lines[index]!.startsWith(ADMIN_PREFIX)) {
    return fail(`not a slow-log entry: no header line before "${preview(lines[index]!)}"`);
  }

  const header = new HeaderReader();
  for (; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (!line.startsWith('#') || line.startsWith(ADMIN_PREFIX)) break;
    const error = header.read(line);
    if (error !== undefined) return fail(error);
  }
  if (!header.slowlog.has('query_time_sec')) return fail('not a slow-log entry: no # Query_time: header');

  const body = readBody(lines, index);
  if (body.error !== undefined) return fail(body.error);

  const slowlog: Record<string, unknown> = Object.fromEntries(header.slowlog);
  const database = body.database ?? header.schema;
  if (database !== undefined) slowlog['database'] = database;
  if (body.lastInsertId !== undefined) slowlog['last_insert_id'] = body.lastInsertId;
  if (body.insertId !== undefined) slowlog['insert_id'] = body.insertId;
  if (body.adminCommand !== undefined) slowlog['admin_command'] = body.adminCommand;
  if (body.query !== undefined) {
    slowlog['query'] = body.query;
    const type = statementType(body.query);
    if (type !== undefined) slowlog['statement_type'] = type;
    const fingerprint = fingerprintSql(body.query);
    if (fingerprint !== '') {
      slowlog['fingerprint'] = fingerprint;
      slowlog['fingerprint_id'] = fingerprintId(fingerprint);
    }
  }

  const userHost = header.userHost;
  const threadId = userHost?.threadId ?? header.threadId;
  if (userHost?.loginUser !== undefined) slowlog['login_user'] = userHost.loginUser;
  const fields: Fields = {
    ...(rds && { aws: { rds } }),
    ...(userHost?.privUser !== undefined && { user: { name: userHost.privUser } }),
  };
  const source = {
    ...(userHost?.ip !== undefined && { ip: userHost.ip }),
    ...(userHost?.host !== undefined && { domain: userHost.host }),
  };
  if (Object.keys(source).length > 0) fields['source'] = source;
  fields['mysql'] = { ...(threadId !== undefined && { thread_id: threadId }), slowlog };

  // No statement, or one without the `;` the server always appends: the entry was cut.
  const truncated =
    body.adminCommand === undefined && (body.query === undefined || !body.query.trimEnd().endsWith(';'));
  const timestamp = body.timestamp ?? header.time;
  return {
    ok: true,
    fields,
    ...(timestamp !== undefined && { timestamp }),
    ...(truncated && { tags: [TRUNCATED_TAG] }),
  };
}

/** Collects the header lines of one entry; the first value of a repeated key wins. */
class HeaderReader {
  readonly slowlog = new Map<string, unknown>();
  userHost: UserHost | undefined;
  time: string | undefined;
  threadId: number | undefined;
  schema: string | undefined;
  private sawTime = false;

  /** Reads one `#` line; returns why it is unreadable, or undefined. */
  read(line: string): string | undefined {
    if (line.startsWith(TIME_PREFIX)) return this.readTime(line.slice(TIME_PREFIX.length));
    if (line.startsWith(USER_HOST_PREFIX)) return this.readUserHost(line.slice(USER_HOST_PREFIX.length));
    // MariaDB `log_slow_verbosity=explain` frames its plan with bare `#` lines.
    if (line.startsWith(EXPLAIN_PREFIX)) return undefined;
    for (const pair of splitKeyValues(line.slice(1))) {
      const reading = readField(pair);
      if (reading.kind === 'error') return reading.reason;
      if (reading.kind === 'skip') continue;
      if (reading.field === THREAD_ID_SLOT) this.threadId ??= reading.value as number;
      else if (reading.field === SCHEMA_SLOT) this.schema ??= reading.value as string;
      else if (!this.slowlog.has(reading.field)) this.slowlog.set(reading.field, reading.value);
    }
    return undefined;
  }

  private readTime(text: string): string | undefined {
    const glued = text.indexOf(GLUED_USER_HOST);
    const value = (glued < 0 ? text : text.slice(0, glued)).trim();
    if (!this.sawTime) {
      this.sawTime = true;
      this.time = parseSlowLogTime(value);
      if (this.time === undefined) return `bad # Time: value "${preview(value)}"`;
    }
    return glued < 0 ? undefined : this.readUserHost(text.slice(glued + GLUED_USER_HOST.length));
  }

  private readUserHost(text: string): string | undefined {
    if (this.userHost !== undefined) return undefined;
    this.userHost = parseUserHost(text);
    return this.userHost === undefined ? `bad # User@Host: line "${preview(text.trim())}"` : undefined;
  }
}

interface Body {
  readonly database?: string;
  readonly lastInsertId?: number;
  readonly insertId?: number;
  readonly timestamp?: string;
  readonly query?: string;
  readonly adminCommand?: string;
  readonly error?: string;
}

/** `use db;`, `SET …timestamp=n;`, then the statement: every remaining line, verbatim. */
function readBody(lines: readonly string[], start: number): Body {
  let index = start;
  const use = index < lines.length ? USE_LINE.exec(lines[index]!)?.groups : undefined;
  if (use) index += 1;
  const set = index < lines.length ? SET_LINE.exec(lines[index]!)?.groups : undefined;
  if (set) index += 1;

  const timestamp = set && epochSecondsToIso(set['timestamp']!);
  if (set && timestamp === undefined) return { error: `bad SET timestamp value "${preview(set['timestamp']!)}"` };

  const first = lines[index];
  const adminCommand =
    first?.startsWith(ADMIN_PREFIX) === true ? first.slice(ADMIN_PREFIX.length).trim().replace(/;$/, '').trim() : '';
  const statement = adminCommand === '' ? trimNewlines(lines.slice(index).join('\n')) : '';
  return {
    ...(use && { database: unquoteIdentifier(use['database']!.trim()) }),
    ...optionalCount('lastInsertId', set?.['lastInsertId']),
    ...optionalCount('insertId', set?.['insertId']),
    ...(timestamp !== undefined && { timestamp }),
    ...(adminCommand !== '' && { adminCommand }),
    ...(statement.trim() !== '' && { query: statement }),
  };
}

function rdsIds(context: ParseContext): Record<string, string> | undefined {
  const instance = INSTANCE_GROUP.exec(context.logGroup)?.groups?.['id'];
  if (instance !== undefined) return { db_instance: instance };
  const cluster = CLUSTER_GROUP.exec(context.logGroup)?.groups?.['id'];
  if (cluster === undefined) return undefined;
  return context.logStream === '' ? { db_cluster: cluster } : { db_instance: context.logStream, db_cluster: cluster };
}

/** The header the server writes each time it (re)opens the file (at every RDS rotation). */
function isBannerLine(line: string): boolean {
  return (
    (line.includes(', Version: ') && line.trimEnd().endsWith('started with:')) ||
    line.startsWith('Tcp port: ') ||
    line.startsWith('TCP Port: ') ||
    // `Time                 Id Command    Argument` (MariaDB separates with tabs).
    (line.startsWith('Time') && line.includes('Id') && line.includes('Command') && line.trimEnd().endsWith('Argument'))
  );
}

function optionalCount<K extends string>(key: K, digits: string | undefined): { [P in K]?: number } {
  const value = digits === undefined ? undefined : Number(digits);
  return (value !== undefined && Number.isSafeInteger(value) ? { [key]: value } : {}) as { [P in K]?: number };
}

function unquoteIdentifier(name: string): string {
  return name.length > 1 && name.startsWith('`') && name.endsWith('`') ? name.slice(1, -1) : name;
}

function withoutCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function trimNewlines(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === '\n' || text[end - 1] === '\r')) end -= 1;
  return text.slice(0, end);
}

function preview(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
