/**
 * `# Key: value  Key: value` header lines (MySQL `Query_time` line and its
 * `log_slow_extra` fields, MariaDB and Percona extra lines) -> typed fields.
 */
import { parseIsoTime } from './slowquery-time';

/** How a header value is read, and the `mysql.slowlog` field it lands in. */
const KINDS = {
  seconds: 'seconds',
  count: 'count',
  flag: 'flag',
  text: 'text',
  time: 'time',
} as const;
type Kind = (typeof KINDS)[keyof typeof KINDS];

/** Target of a header key: a `mysql.slowlog` field, or one of the special slots. */
interface FieldSpec {
  readonly kind: Kind;
  readonly field: string;
}

const count = (field: string): FieldSpec => ({ kind: KINDS.count, field });
const flag = (field: string): FieldSpec => ({ kind: KINDS.flag, field });

/** Special slots that do not live under `mysql.slowlog`. */
export const THREAD_ID_SLOT = '@thread_id';
export const SCHEMA_SLOT = '@schema';

// Keyed by the lower-cased header key: MariaDB writes `QC_hit`, Percona `QC_Hit`.
const FIELD_SPECS: ReadonlyMap<string, FieldSpec> = new Map<string, FieldSpec>([
  ['query_time', { kind: KINDS.seconds, field: 'query_time_sec' }],
  ['lock_time', { kind: KINDS.seconds, field: 'lock_time_sec' }],
  ['rows_sent', count('rows_sent')],
  ['rows_examined', count('rows_examined')],
  ['rows_affected', count('rows_affected')],
  ['bytes_sent', count('bytes_sent')],
  ['bytes_received', count('bytes_received')],
  ['errno', count('errno')],
  ['killed', count('killed')],
  ['read_first', count('read_first')],
  ['read_last', count('read_last')],
  ['read_key', count('read_key')],
  ['read_next', count('read_next')],
  ['read_prev', count('read_prev')],
  ['read_rnd', count('read_rnd')],
  ['read_rnd_next', count('read_rnd_next')],
  ['sort_merge_passes', count('sort_merge_passes')],
  ['sort_range_count', count('sort_range_count')],
  ['sort_rows', count('sort_rows')],
  ['sort_scan_count', count('sort_scan_count')],
  ['created_tmp_tables', count('created_tmp_tables')],
  ['created_tmp_disk_tables', count('created_tmp_disk_tables')],
  ['count_hit_tmp_table_size', count('count_hit_tmp_table_size')],
  ['tmp_tables', count('tmp_tables')],
  ['tmp_disk_tables', count('tmp_disk_tables')],
  ['tmp_table_sizes', count('tmp_table_sizes')],
  ['merge_passes', count('merge_passes')],
  ['start', { kind: KINDS.time, field: 'start_time' }],
  ['end', { kind: KINDS.time, field: 'end_time' }],
  ['qc_hit', flag('query_cache_hit')],
  ['full_scan', flag('full_scan')],
  ['full_join', flag('full_join')],
  ['tmp_table', flag('tmp_table')],
  ['tmp_table_on_disk', flag('tmp_table_on_disk')],
  ['filesort', flag('filesort')],
  ['filesort_on_disk', flag('filesort_on_disk')],
  ['priority_queue', flag('priority_queue')],
  ['stored_routine', { kind: KINDS.text, field: 'stored_routine' }],
  ['thread_id', count(THREAD_ID_SLOT)],
  ['schema', { kind: KINDS.text, field: SCHEMA_SLOT }],
]);

const KEY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECONDS = /^\d{1,12}(?:\.\d{1,12})?$/;
const COUNT = /^\d{1,30}$/;
const BLANKS = /[ \t]+/;

/** One `Key: value` pair as written; the value's words joined by one space. */
export type KeyValue = readonly [key: string, value: string];

/** Splits the text after `#` into pairs; words before the first key are ignored. */
export function splitKeyValues(text: string): KeyValue[] {
  const pairs: KeyValue[] = [];
  let key: string | undefined;
  let words: string[] = [];
  for (const token of text.split(BLANKS)) {
    if (token === '') continue;
    const colon = token.indexOf(':');
    const name = colon > 0 ? token.slice(0, colon) : '';
    if (name !== '' && KEY_NAME.test(name)) {
      if (key !== undefined) pairs.push([key, words.join(' ')]);
      key = name;
      // `Rows_examined:40` (no blank after the colon) occurs in the wild.
      const inline = token.slice(colon + 1);
      words = inline === '' ? [] : [inline];
    } else if (key !== undefined) {
      words.push(token);
    }
  }
  if (key !== undefined) pairs.push([key, words.join(' ')]);
  return pairs;
}

/** What reading a pair produced: a field value, nothing to keep, or an error text. */
export type FieldReading =
  | { readonly kind: 'field'; readonly field: string; readonly value: string | number | boolean }
  | { readonly kind: 'skip' }
  | { readonly kind: 'error'; readonly reason: string };

const SKIP: FieldReading = { kind: 'skip' };

/**
 * Reads one pair: unknown keys and empty text values are skipped; a known key whose
 * value has the wrong shape is an error (the format changed under us, so say so).
 */
export function readField([key, value]: KeyValue): FieldReading {
  const spec = FIELD_SPECS.get(key.toLowerCase());
  if (spec === undefined) return SKIP;
  const bad = (): FieldReading => ({ kind: 'error', reason: `bad ${key} value "${value.slice(0, 40)}"` });
  switch (spec.kind) {
    case KINDS.seconds:
      return SECONDS.test(value) ? { kind: 'field', field: spec.field, value: Number(value) } : bad();
    case KINDS.count: {
      if (!COUNT.test(value)) return bad();
      const number = Number(value);
      // A counter past 2^53 cannot be carried exactly by a JSON number: leave it out.
      return Number.isSafeInteger(number) ? { kind: 'field', field: spec.field, value: number } : SKIP;
    }
    case KINDS.flag: {
      const lower = value.toLowerCase();
      return lower === 'yes' || lower === 'no' ? { kind: 'field', field: spec.field, value: lower === 'yes' } : bad();
    }
    case KINDS.time: {
      const iso = parseIsoTime(value);
      return iso === undefined ? bad() : { kind: 'field', field: spec.field, value: iso };
    }
    case KINDS.text:
      return value === '' ? SKIP : { kind: 'field', field: spec.field, value };
  }
}
