/**
 * RDS for MySQL / MariaDB and Aurora MySQL slow query log: one entry per CloudWatch
 * event (log-formats.md section 1). Line-based: one pass over the message with
 * `indexOf('\n')`, every line looked at once with `startsWith` and short anchored
 * regexes, so the time is linear in the message length whatever it holds. The shipper
 * parses hundreds of thousands of entries a second, so the common path avoids
 * splitting the message, per-call closures and intermediate objects.
 */
import { type HeaderKeys, type HeaderSlots, buildHeaderKeys, headerKeys, readKeyValues } from './slowquery-key-values';
import type { HeaderField } from './slowquery-grammar';
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
import { renderSlowQueryEntry } from './slowquery-render';
import { epochSecondsToIso, parseSlowLogTime } from './slowquery-time';
import { parseUserHost, type UserHost } from './slowquery-user-host';
import type { Fields, ParseContext, ParseResult } from './types';

const TIME_PREFIX = '# Time:';
const USER_HOST_PREFIX = '# User@Host:';
const ADMIN_PREFIX = '# administrator command:';
const EXPLAIN_PREFIX = '# explain:';
// Percona 5.0-era files write both on one line: `# Time: 071218 11:48:27 # User@Host: …`.
const GLUED_USER_HOST = ' # User@Host:';

// Tried only on lines that start with `use ` / `SET `.
const USE_LINE = /^use ([^;]+);$/;
const SET_LINE = /^SET (?:last_insert_id=(\d{1,30}),)?(?:insert_id=(\d{1,30}),)?timestamp=(\d{1,30});$/;


/** Parses one slow-log entry (one CloudWatch message) into `schema.md` fields; never throws. */
export function parseSlowQuery(message: string, context: ParseContext): ParseResult {
  return readSlowQuery(message, context, headerKeys());
}

/** The scanner over another table of header fields (the grammar's with more rows, say). */
export function createSlowQueryScanner(
  table: Readonly<Record<string, HeaderField>>,
): (message: string, context: ParseContext) => ParseResult {
  const keys = buildHeaderKeys(table);
  return (message, context) => readSlowQuery(message, context, keys);
}

function readSlowQuery(message: string, context: ParseContext, keys: HeaderKeys): ParseResult {
  const rds = rdsIds(context);
  const lines = new LineCursor(message);
  let sawBanner = false;
  for (; !lines.done; lines.next()) {
    const line = lines.text();
    const blank = line.trim() === '';
    if (!blank && !isBannerLine(line)) break;
    sawBanner ||= !blank;
  }
  if (lines.done) {
    return failure(`not a slow-log entry: ${sawBanner ? 'server banner lines only' : 'empty message'}`, rds);
  }
  if (!lines.isHeader()) {
    return failure(`not a slow-log entry: no header line before "${preview(lines.text())}"`, rds);
  }

  const header = new HeaderReader(keys);
  for (; !lines.done; lines.next()) {
    if (!lines.isHeader()) break;
    const error = header.read(lines);
    if (error !== undefined) return failure(error, rds);
  }
  const slowlog = header.slowlog;
  if (slowlog['query_time_sec'] === undefined) return failure('not a slow-log entry: no # Query_time: header', rds);

  const body = readBody(lines);
  if (body.error !== undefined) return failure(body.error, rds);

  const database = body.database ?? header.schema;
  if (database !== undefined) slowlog['database'] = database;
  if (body.lastInsertId !== undefined) slowlog['last_insert_id'] = body.lastInsertId;
  if (body.insertId !== undefined) slowlog['insert_id'] = body.insertId;
  if (body.adminCommand !== undefined) slowlog['admin_command'] = body.adminCommand;
  if (body.query !== undefined) addStatement(slowlog, body.query);

  const userHost = header.userHost;
  if (userHost?.loginUser !== undefined) slowlog['login_user'] = userHost.loginUser;
  const threadId = userHost?.threadId ?? header.threadId;
  const fields = documentFields(rds, userHost);
  fields['mysql'] = threadId === undefined ? { slowlog } : { thread_id: threadId, slowlog };

  // No statement, or one without the `;` the server always appends: the entry was cut.
  const truncated =
    body.adminCommand === undefined && (body.query === undefined || !body.query.trimEnd().endsWith(';'));
  const timestamp = body.timestamp ?? header.time;
  const result: { ok: true; fields: Fields; timestamp?: string; tags?: string[]; readFully?: true } = { ok: true, fields };
  if (timestamp !== undefined) result.timestamp = timestamp;
  if (truncated) result.tags = [TRUNCATED_TAG];
  // Only when asked (the pipeline would drop the message): the fields the document holds
  // write back to exactly the message, so it is read fully by construction.
  if (context.reportReadFully === true && renderSlowQueryEntry(fields, timestamp) === message) result.readFully = true;
  return result;
}

/**
 * Walks a message line by line without splitting it. A line is what `split('\n')`
 * would give, less one `\r` at its end (CRLF files): `text()` or `start`..`textEnd`.
 */
class LineCursor {
  start = 0;
  /** Where the line's `\n` (or the message end) is. */
  end = 0;
  textEnd = 0;

  constructor(readonly message: string) {
    this.moveTo(0);
  }

  /** True past the last line. */
  get done(): boolean {
    return this.start > this.message.length;
  }

  next(): void {
    this.moveTo(this.end + 1);
  }

  text(): string {
    return this.message.slice(this.start, this.textEnd);
  }

  /** The prefixes tested hold no `\r` or `\n`, so a match never reaches past `textEnd`. */
  startsWith(prefix: string): boolean {
    return this.message.startsWith(prefix, this.start);
  }

  /** A `#` line other than `# administrator command:` (which starts the statement). */
  isHeader(): boolean {
    // Stryker disable next-line ConditionalExpression: the a test only spares the startsWith, which implies it.
    return this.charAt(0) === HASH && !(this.charAt(2) === 0x61 /* a */ && this.startsWith(ADMIN_PREFIX));
  }

  /** The code of the line's character at `offset` (NaN past the message end). */
  charAt(offset: number): number {
    return this.message.charCodeAt(this.start + offset);
  }

  /** The remaining lines joined by `\n`, as `lines.slice(i).join('\n')` would give them. */
  rest(): string {
    // Stryker disable next-line ConditionalExpression: a shortcut; slicing past the end gives '' too.
    if (this.done) return '';
    const rest = this.message.slice(this.start);
    // Stryker disable next-line StringLiteral: speed only; the replace changes nothing without a CR.
    return rest.includes('\r') ? rest.replace(/\r\n/g, '\n') : rest;
  }

  private moveTo(start: number): void {
    this.start = start;
    // Stryker disable next-line ConditionalExpression: a shortcut; past the end the line bounds no longer matter.
    if (start > this.message.length) return;
    const newline = this.message.indexOf('\n', start);
    this.end = newline < 0 ? this.message.length : newline;
    this.textEnd = this.end > start && this.message.charCodeAt(this.end - 1) === CARRIAGE_RETURN ? this.end - 1 : this.end;
  }
}

const CARRIAGE_RETURN = 0x0d;
const HASH = 0x23;

/** Collects the header lines of one entry; the first value of a repeated key wins. */
class HeaderReader implements HeaderSlots {
  readonly slowlog: Record<string, unknown> = {};
  userHost: UserHost | undefined;
  time: string | undefined;
  threadId: number | undefined;
  schema: string | undefined;
  private sawTime = false;

  constructor(private readonly keys: HeaderKeys) {}

  /** Reads the `#` line under the cursor; returns why it is unreadable, or undefined. */
  read(lines: LineCursor): string | undefined {
    const { message, start, textEnd } = lines;
    // The third character tells the named headers apart without trying every prefix.
    switch (lines.charAt(2)) {
      case 0x54 /* T */:
        if (lines.startsWith(TIME_PREFIX)) return this.readTime(message.slice(start + TIME_PREFIX.length, textEnd));
        break;
      case 0x55 /* U */:
        if (lines.startsWith(USER_HOST_PREFIX)) {
          return this.readUserHost(message.slice(start + USER_HOST_PREFIX.length, textEnd));
        }
        break;
      case 0x65 /* e */:
        // MariaDB `log_slow_verbosity=explain` frames its plan with bare `#` lines.
        if (lines.startsWith(EXPLAIN_PREFIX)) return undefined;
        break;
    }
    return readKeyValues(message.slice(start + 1, textEnd), this, this.keys);
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
  database?: string;
  lastInsertId?: number;
  insertId?: number;
  timestamp?: string;
  query?: string;
  adminCommand?: string;
  error?: string;
}

/** `use db;`, `SET …timestamp=n;`, then the statement: every remaining line, verbatim. */
function readBody(lines: LineCursor): Body {
  const body: Body = {};
  const use = !lines.done && lines.startsWith('use ') ? USE_LINE.exec(lines.text()) : null;
  if (use) {
    body.database = unquoteIdentifier(use[1]!.trim());
    lines.next();
  }
  const set = !lines.done && lines.startsWith('SET ') ? SET_LINE.exec(lines.text()) : null;
  if (set) {
    body.timestamp = epochSecondsToIso(set[3]!);
    if (body.timestamp === undefined) return { error: `bad SET timestamp value "${preview(set[3]!)}"` };
    body.lastInsertId = optionalCount(set[1]);
    body.insertId = optionalCount(set[2]);
    lines.next();
  }

  const adminCommand =
    !lines.done && lines.startsWith(ADMIN_PREFIX)
      ? lines.text().slice(ADMIN_PREFIX.length).trim().replace(/;$/, '').trim()
      : '';
  if (adminCommand !== '') {
    body.adminCommand = adminCommand;
  } else {
    const statement = trimNewlines(lines.rest());
    if (statement.trim() !== '') body.query = statement;
  }
  return body;
}

/** The header the server writes each time it (re)opens the file (at every RDS rotation). */
function isBannerLine(line: string): boolean {
  return (
    // The cheap end test first: this runs on the first line of every entry.
    (line.trimEnd().endsWith('started with:') && line.includes(', Version: ')) ||
    line.startsWith('Tcp port: ') ||
    line.startsWith('TCP Port: ') ||
    // `Time                 Id Command    Argument` (MariaDB separates with tabs).
    (line.startsWith('Time') && line.includes('Id') && line.includes('Command') && line.trimEnd().endsWith('Argument'))
  );
}

