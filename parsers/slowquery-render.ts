import type { Fields } from './types';

/**
 * Writes a slow-log entry back from its document fields (`user`, `source`, `mysql`) and
 * `@timestamp`, the way MySQL's `File_query_log::write_slow` prints it:
 *
 * ```
 * # Time: <End: of log_slow_extra>                       (only with log_slow_extra)
 * # User@Host: <priv_user>[<user>] @ <host> [<ip>]  Id: <thread id, %5u>
 * # Query_time: %.6f  Lock_time: %.6f Rows_sent: %lu  Rows_examined: %lu[ <log_slow_extra fields>]
 * use <db>;                                               (when the entry has one)
 * SET [last_insert_id=n,][insert_id=n,]timestamp=<@timestamp in seconds>;
 * <statement>  or  # administrator command: <command>;
 * ```
 *
 * The parser claims `readFully` only when this gives back exactly the message, so that
 * the message can be rebuilt from the document alone. An entry whose `# Time:` has no
 * field (without log_slow_extra the time is kept only as the SET timestamp), MariaDB's
 * and Percona's extra header lines, a trailing newline: none of them are written here,
 * so such entries keep their message. It reads nothing but its arguments; that is what
 * makes the equality a proof. Returns undefined when a needed field is missing.
 */
export function renderSlowQueryEntry(fields: Fields, timestamp: string | undefined): string | undefined {
  const mysql = objectAt(fields, 'mysql');
  const slowlog = objectAt(mysql, 'slowlog');
  const seconds = timestamp === undefined ? undefined : wholeSeconds(timestamp);
  if (slowlog === undefined || seconds === undefined) return undefined;
  const queryTime = slowlog['query_time_sec'];
  const lockTime = slowlog['lock_time_sec'];
  const rowsSent = slowlog['rows_sent'];
  const rowsExamined = slowlog['rows_examined'];
  if (typeof queryTime !== 'number' || typeof lockTime !== 'number' || !isCount(rowsSent) || !isCount(rowsExamined)) {
    return undefined;
  }
  const threadId = mysql?.['thread_id'];
  const extra = slowExtra(slowlog, threadId);
  if (extra === null) return undefined;

  const user = objectAt(fields, 'user');
  const source = objectAt(fields, 'source');
  let entry = extra === undefined ? '' : `# Time: ${String(slowlog['end_time'])}\n`;
  entry += `# User@Host: ${textOr(user?.['name'])}[${textOr(slowlog['login_user'])}] @ ${textOr(source?.['domain'])} [${textOr(source?.['ip'])}]`;
  if (threadId !== undefined) {
    if (!isCount(threadId)) return undefined;
    entry += `  Id: ${String(threadId).padStart(5)}`;
  }
  entry += `\n# Query_time: ${queryTime.toFixed(6)}  Lock_time: ${lockTime.toFixed(6)} Rows_sent: ${rowsSent}  Rows_examined: ${rowsExamined}`;
  entry += `${extra ?? ''}\n`;

  const database = slowlog['database'];
  if (database !== undefined) entry += `use ${String(database)};\n`;
  entry += 'SET ';
  if (slowlog['last_insert_id'] !== undefined) entry += `last_insert_id=${String(slowlog['last_insert_id'])},`;
  if (slowlog['insert_id'] !== undefined) entry += `insert_id=${String(slowlog['insert_id'])},`;
  entry += `timestamp=${seconds};\n`;

  const admin = slowlog['admin_command'];
  const query = slowlog['query'];
  if (admin !== undefined) return query === undefined ? `${entry}# administrator command: ${String(admin)};` : undefined;
  return typeof query === 'string' ? entry + query : undefined;
}

/** The `log_slow_extra` fields of MySQL 8 in their order, each ` Name: value`. */
const EXTRA_FIELDS = [
  ['Errno', 'errno'],
  ['Killed', 'killed'],
  ['Bytes_received', 'bytes_received'],
  ['Bytes_sent', 'bytes_sent'],
  ['Read_first', 'read_first'],
  ['Read_last', 'read_last'],
  ['Read_key', 'read_key'],
  ['Read_next', 'read_next'],
  ['Read_prev', 'read_prev'],
  ['Read_rnd', 'read_rnd'],
  ['Read_rnd_next', 'read_rnd_next'],
  ['Sort_merge_passes', 'sort_merge_passes'],
  ['Sort_range_count', 'sort_range_count'],
  ['Sort_rows', 'sort_rows'],
  ['Sort_scan_count', 'sort_scan_count'],
  ['Created_tmp_disk_tables', 'created_tmp_disk_tables'],
  ['Created_tmp_tables', 'created_tmp_tables'],
] as const;

/**
 * The `log_slow_extra` part of the `# Query_time:` line: undefined when the entry has
 * none (no `end_time`), null when it has some but not all of its fields. MySQL 8.0.28
 * and later add `Count_hit_tmp_table_size: n ` (with a blank of its own) before `Start:`.
 */
function slowExtra(slowlog: Fields, threadId: unknown): string | undefined | null {
  const start = slowlog['start_time'];
  const end = slowlog['end_time'];
  if (end === undefined && start === undefined) return undefined;
  if (typeof start !== 'string' || typeof end !== 'string' || !isCount(threadId)) return null;
  let extra = ` Thread_id: ${threadId}`;
  for (const [name, field] of EXTRA_FIELDS) {
    const value = slowlog[field];
    if (!isCount(value)) return null;
    extra += ` ${name}: ${value}`;
  }
  const hits = slowlog['count_hit_tmp_table_size'];
  if (hits !== undefined) {
    if (!isCount(hits)) return null;
    extra += ` Count_hit_tmp_table_size: ${hits} `;
  }
  return `${extra} Start: ${start} End: ${end}`;
}

function objectAt(fields: Fields | undefined, key: string): Fields | undefined {
  const value = fields?.[key];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** An absent name is written as nothing, as the server writes an empty one. */
function textOr(value: unknown): string {
  return value === undefined ? '' : String(value);
}

/** `2021-01-22T18:04:41.000Z` -> 1611338681; undefined for a time with a fraction of a second. */
function wholeSeconds(timestamp: string): number | undefined {
  const time = Date.parse(timestamp);
  return Number.isNaN(time) || time % 1000 !== 0 ? undefined : time / 1000;
}
