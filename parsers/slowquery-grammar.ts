/**
 * The grammar of one RDS / Aurora MySQL / MariaDB slow-log entry (one CloudWatch event),
 * written as anchored regexes with named groups: the readable specification of the
 * format (log-formats.md section 1.3). `slowquery-grammar-parser.ts` parses with these
 * regexes alone; the production scanner (`rds-mysql-slowquery.ts` and the
 * `slowquery-*.ts` readers) must give the same fields and values on every input, which
 * `test/parsers/grammar-differential.test.ts` checks.
 *
 * An entry is, line by line (`\n`, one `\r` before it dropped):
 *
 *   BLANK | BANNER ...        skipped before the entry (RDS rewrites the banner at each rotation)
 *   HEADER ...                every line starting with `#` (but ADMIN_COMMAND): TIME, USER_HOST,
 *                             EXPLAIN, or a KEY_VALUES line
 *   USE?  SET?                the body's two optional lines, in this order
 *   ADMIN_COMMAND | statement the statement is every remaining line, verbatim
 *
 * Adding a `# Key: value` header field: one row in SLOWLOG_HEADER_FIELDS below (its
 * key, document field and VALUE kind); a value of a new shape also needs its pattern
 * in VALUE. Both parsers read that table.
 */

/** Lines of an entry, tried on one line (without its line break). */
export const LINE = {
  /** Whitespace only (skipped before the entry). */
  blank: /^\s*$/,
  /** The server banner: `/rdsdbbin/mysql/bin/mysqld, Version: 8.0.28 (Source distribution). started with:`. */
  bannerStartedWith: /^.*, Version: .*started with:\s*$/s,
  /** `Tcp port: 3306  Unix socket: /tmp/mysql.sock` (MariaDB: `TCP Port`). */
  bannerPort: /^(?:Tcp port|TCP Port): /,
  /** `Time                 Id Command    Argument`: the words in any order between `Time` and `Argument`. */
  bannerColumns: /^Time(?=.*Id)(?=.*Command).*Argument\s*$/s,
  /** Any header line: `#` first, but not the administrator command (part of the body). */
  header: /^#(?! administrator command:)/,
  /** `# Time: <TIME>`; Percona 5.0 files glue the User@Host line to it: `# Time: … # User@Host: …`. */
  time: /^# Time:(?<time>.*?)(?: # User@Host:(?<userHost>.*))?$/s,
  /** `# User@Host: <USER_HOST>`. */
  userHost: /^# User@Host:(?<userHost>.*)$/s,
  /** MariaDB `log_slow_verbosity=explain` plan lines: skipped. */
  explain: /^# explain:/,
  /** Any other header line: `# <KEY_VALUES>`. */
  keyValues: /^#(?<pairs>.*)$/s,
  /** `use <database>;` (the name trimmed, one pair of backquotes dropped). */
  use: /^use (?<database>[^;]+);$/,
  /** `SET [last_insert_id=<n>,][insert_id=<n>,]timestamp=<epoch seconds>;` */
  set: /^SET (?:last_insert_id=(?<lastInsertId>\d{1,30}),)?(?:insert_id=(?<insertId>\d{1,30}),)?timestamp=(?<timestamp>\d{1,30});$/,
  /** `# administrator command: Quit;` (the command trimmed, one `;` dropped; empty: not a command). */
  adminCommand: /^# administrator command:(?<command>.*)$/s,
} as const;

/** The three ways a slow log writes time (`# Time:`, `Start:`, `End:`). */
export const TIME = {
  /** MySQL 5.7+ / Aurora 2+: `2019-03-24T14:01:47.811234Z`, or with an offset under `log_timestamps=SYSTEM`. */
  iso: /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})T(?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2})(?:\.(?<fraction>\d{1,9}))?(?:(?<utc>Z)|(?<sign>[+-])(?<offsetHours>\d{2}):(?<offsetMinutes>\d{2}))$/,
  /** MySQL <= 5.6, MariaDB: `240305  7:01:02` (YYMMDD, hour space-padded), read as UTC (RDS clocks are UTC). */
  short: /^(?<year>\d{2})(?<month>\d{2})(?<day>\d{2}) {1,2}(?<hour>\d{1,2}):(?<minute>\d{2}):(?<second>\d{2})(?:\.(?<fraction>\d{1,12}))?$/,
} as const;

/**
 * The text after `# User@Host:`: `priv_user[user] @ host [ip]`, then `  Id: n` on MySQL.
 * Every part is trimmed; `tail` must be empty or THREAD_ID.
 */
export const USER_HOST = /^(?<privUser>[^[]*)\[(?<loginUser>.*?)\] @(?<host>[^[]*)\[(?<address>[^\]]*)\](?<tail>.*)$/s;
/** What may follow the address brackets. */
export const THREAD_ID = /^\s*(?:Id:[ \t]*(?<threadId>\d{1,15}))?\s*$/;
/** An address in the brackets (a name there is taken as the host when the host part is empty). */
export const IP_ADDRESS =
  /^(?:(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)|(?=[0-9A-Fa-f:.]{1,45}$)[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*)$/;

/**
 * One `Key: value` pair of a header line (global: every pair of the line, words before
 * the first key ignored; `(?<![^ \t])` is "at the line start or after a blank"). Words are split by spaces and tabs; a word is a key when it is
 * a name followed by `:` (`Rows_examined:40` holds its value's first word), and the
 * value is every word up to the next key, joined by one space.
 */
export const KEY_VALUE =
  /(?<![^ \t])(?<key>[A-Za-z_][A-Za-z0-9_]*):(?<inline>[^ \t]*)(?<words>(?:[ \t]+(?![A-Za-z_][A-Za-z0-9_]*:)[^ \t]+)*)/g;

/** The shapes of header values, matched against the whole (joined) value. */
export const VALUE = {
  /**
   * Seconds; more than 12 digits before the dot are left out: MySQL writes
   * 18446744073709.551615 (2^64 - 1 microseconds) for a time that went negative.
   */
  seconds: /^(?<whole>\d+)(?:\.\d{1,12})?$/,
  /** Counters; one above 2^53 - 1 cannot be held exactly by a JSON number and is left out. */
  count: /^(?<count>\d{1,30})$/,
  flag: /^(?:(?<yes>yes)|no)$/i,
  /** `log_slow_extra` `Start:` / `End:`. */
  time: TIME.iso,
  /** Any text; empty is left out. */
  text: /^(?<text>.+)$/s,
} as const;

export type ValueKind = keyof typeof VALUE;

/** Where a header key's value goes: a `mysql.slowlog` field, or `mysql.thread_id` / the schema (database). */
export interface HeaderField {
  readonly field: string;
  readonly kind: ValueKind;
}

/** The `mysql.thread_id` slot (MariaDB `Thread_id:`; the User@Host `Id:` comes first). */
export const THREAD_ID_FIELD = '@thread_id';
/** The `Schema:` slot: the database when there is no `use` line. */
export const SCHEMA_FIELD = '@schema';

/**
 * THE table of known header keys (matched in any case: MariaDB writes `QC_hit`, Percona
 * `QC_Hit`). An unknown key is skipped; a known key whose value does not have its
 * kind's shape makes the entry a parse failure naming it. The first of a repeated key wins.
 */
export const SLOWLOG_HEADER_FIELDS: Readonly<Record<string, HeaderField>> = {
  // MySQL `# Query_time:` line, then the `log_slow_extra` fields of 8.0.14+.
  Query_time: { field: 'query_time_sec', kind: 'seconds' },
  Lock_time: { field: 'lock_time_sec', kind: 'seconds' },
  Rows_sent: { field: 'rows_sent', kind: 'count' },
  Rows_examined: { field: 'rows_examined', kind: 'count' },
  Thread_id: { field: THREAD_ID_FIELD, kind: 'count' },
  Errno: { field: 'errno', kind: 'count' },
  Killed: { field: 'killed', kind: 'count' },
  Bytes_received: { field: 'bytes_received', kind: 'count' },
  Bytes_sent: { field: 'bytes_sent', kind: 'count' },
  Read_first: { field: 'read_first', kind: 'count' },
  Read_last: { field: 'read_last', kind: 'count' },
  Read_key: { field: 'read_key', kind: 'count' },
  Read_next: { field: 'read_next', kind: 'count' },
  Read_prev: { field: 'read_prev', kind: 'count' },
  Read_rnd: { field: 'read_rnd', kind: 'count' },
  Read_rnd_next: { field: 'read_rnd_next', kind: 'count' },
  Sort_merge_passes: { field: 'sort_merge_passes', kind: 'count' },
  Sort_range_count: { field: 'sort_range_count', kind: 'count' },
  Sort_rows: { field: 'sort_rows', kind: 'count' },
  Sort_scan_count: { field: 'sort_scan_count', kind: 'count' },
  Created_tmp_disk_tables: { field: 'created_tmp_disk_tables', kind: 'count' },
  Created_tmp_tables: { field: 'created_tmp_tables', kind: 'count' },
  Count_hit_tmp_table_size: { field: 'count_hit_tmp_table_size', kind: 'count' },
  Start: { field: 'start_time', kind: 'time' },
  End: { field: 'end_time', kind: 'time' },
  // MariaDB `# Thread_id: … Schema: … QC_hit: …` and `# Rows_affected: … Bytes_sent: …`.
  Schema: { field: SCHEMA_FIELD, kind: 'text' },
  QC_hit: { field: 'query_cache_hit', kind: 'flag' },
  Rows_affected: { field: 'rows_affected', kind: 'count' },
  // MariaDB / Percona `log_slow_verbosity=query_plan` lines.
  Tmp_tables: { field: 'tmp_tables', kind: 'count' },
  Tmp_disk_tables: { field: 'tmp_disk_tables', kind: 'count' },
  Tmp_table_sizes: { field: 'tmp_table_sizes', kind: 'count' },
  Stored_routine: { field: 'stored_routine', kind: 'text' },
  Merge_passes: { field: 'merge_passes', kind: 'count' },
  Full_scan: { field: 'full_scan', kind: 'flag' },
  Full_join: { field: 'full_join', kind: 'flag' },
  Tmp_table: { field: 'tmp_table', kind: 'flag' },
  Tmp_table_on_disk: { field: 'tmp_table_on_disk', kind: 'flag' },
  Filesort: { field: 'filesort', kind: 'flag' },
  Filesort_on_disk: { field: 'filesort_on_disk', kind: 'flag' },
  Priority_queue: { field: 'priority_queue', kind: 'flag' },
};
