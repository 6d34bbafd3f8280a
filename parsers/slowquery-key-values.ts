/**
 * `# Key: value  Key: value` header lines (MySQL `Query_time` line and its
 * `log_slow_extra` fields, MariaDB and Percona extra lines) -> typed fields.
 */
import { CodeUnitReader, type CodeUnits, copyCodeUnits } from './slowquery-code-units';
import { SCHEMA_FIELD, SLOWLOG_HEADER_FIELDS, THREAD_ID_FIELD, type HeaderField } from './slowquery-grammar';
import { parseIsoTimeAt } from './slowquery-time';

// Before the tables built below at load time.
const ZERO = 0x30;
const DOT = 0x2e;
const COLON = 0x3a;

/** How a header value is read, and the `mysql.slowlog` field it lands in. */
const KINDS = {
  seconds: 'seconds',
  count: 'count',
  flag: 'flag',
  text: 'text',
  time: 'time',
} as const;
type Kind = (typeof KINDS)[keyof typeof KINDS];

type FieldValue = string | number | boolean;

/**
 * Writes a value into `mysql.slowlog` by property name unless the field is there (the
 * first of a repeated key wins). A computed `slowlog[field] = …` makes V8 turn an
 * object of more than a dozen fields into a dictionary, slower to fill and to
 * serialise; a write by name keeps it a fast object.
 */
type Store = (slowlog: Record<string, unknown>, value: FieldValue) => void;

/** Target of a header key: a `mysql.slowlog` field (and its store), or one of the special slots. */
interface FieldSpec {
  readonly kind: Kind;
  readonly field: string;
  readonly store?: Store;
}

/** Special slots that do not live under `mysql.slowlog`. */
export const THREAD_ID_SLOT = THREAD_ID_FIELD;
export const SCHEMA_SLOT = SCHEMA_FIELD;

/**
 * Stores by property name for the fields of the grammar's table (see `Store`). A field
 * added to the table without one here is stored by a computed write: right, if slower.
 */
// Stryker disable next-line ObjectLiteral: speed only; without them the computed store writes the same values.
const NAMED_STORES: Readonly<Record<string, Store>> = {
  query_time_sec: (s, v) => { s.query_time_sec ??= v; },
  lock_time_sec: (s, v) => { s.lock_time_sec ??= v; },
  rows_sent: (s, v) => { s.rows_sent ??= v; },
  rows_examined: (s, v) => { s.rows_examined ??= v; },
  rows_affected: (s, v) => { s.rows_affected ??= v; },
  bytes_sent: (s, v) => { s.bytes_sent ??= v; },
  bytes_received: (s, v) => { s.bytes_received ??= v; },
  errno: (s, v) => { s.errno ??= v; },
  killed: (s, v) => { s.killed ??= v; },
  read_first: (s, v) => { s.read_first ??= v; },
  read_last: (s, v) => { s.read_last ??= v; },
  read_key: (s, v) => { s.read_key ??= v; },
  read_next: (s, v) => { s.read_next ??= v; },
  read_prev: (s, v) => { s.read_prev ??= v; },
  read_rnd: (s, v) => { s.read_rnd ??= v; },
  read_rnd_next: (s, v) => { s.read_rnd_next ??= v; },
  sort_merge_passes: (s, v) => { s.sort_merge_passes ??= v; },
  sort_range_count: (s, v) => { s.sort_range_count ??= v; },
  sort_rows: (s, v) => { s.sort_rows ??= v; },
  sort_scan_count: (s, v) => { s.sort_scan_count ??= v; },
  created_tmp_tables: (s, v) => { s.created_tmp_tables ??= v; },
  created_tmp_disk_tables: (s, v) => { s.created_tmp_disk_tables ??= v; },
  count_hit_tmp_table_size: (s, v) => { s.count_hit_tmp_table_size ??= v; },
  tmp_tables: (s, v) => { s.tmp_tables ??= v; },
  tmp_disk_tables: (s, v) => { s.tmp_disk_tables ??= v; },
  tmp_table_sizes: (s, v) => { s.tmp_table_sizes ??= v; },
  merge_passes: (s, v) => { s.merge_passes ??= v; },
  start_time: (s, v) => { s.start_time ??= v; },
  end_time: (s, v) => { s.end_time ??= v; },
  query_cache_hit: (s, v) => { s.query_cache_hit ??= v; },
  full_scan: (s, v) => { s.full_scan ??= v; },
  full_join: (s, v) => { s.full_join ??= v; },
  tmp_table: (s, v) => { s.tmp_table ??= v; },
  tmp_table_on_disk: (s, v) => { s.tmp_table_on_disk ??= v; },
  filesort: (s, v) => { s.filesort ??= v; },
  filesort_on_disk: (s, v) => { s.filesort_on_disk ??= v; },
  priority_queue: (s, v) => { s.priority_queue ??= v; },
  stored_routine: (s, v) => { s.stored_routine ??= v; },
};

function storeOf(field: string): Store | undefined {
  if (field === THREAD_ID_SLOT || field === SCHEMA_SLOT) return undefined;
  return NAMED_STORES[field] ?? ((slowlog, value) => { slowlog[field] ??= value; });
}

const BLANKS = /[ \t]+/;

// The header line being scanned, as code units (see slowquery-code-units.ts).
const LINE_UNITS = new CodeUnitReader();

/**
 * The known keys as a trie walked while the scanner reads a key: reading a key is
 * looking it up. (A Map lookup needs a cut, lower-cased copy of each of the thirty keys
 * of a MySQL 8 line, and took more time than the rest of the line.)
 *
 * Key-name characters are trie symbols: letters 1-26 (either case), digits 27-36, `_`
 * 37; every other character is 0. `next[state * SYMBOLS + symbol]` is the state after
 * one more character (DEAD when no known key goes on so; DEAD leads only to DEAD), and
 * `specs[state]` the spec of the key that ends there. Small rows keep the table
 * (324 states, 24 KB) in the processor's first-level cache; rows of 128 characters
 * (one per ASCII code) missed it on every character.
 */
const SYMBOLS = 38;
const KEY_SYMBOLS = new Uint8Array(0x80);
for (let i = 0; i < 26; i += 1) KEY_SYMBOLS[0x41 + i] = KEY_SYMBOLS[0x61 + i] = 1 + i;
for (let i = 0; i < 10; i += 1) KEY_SYMBOLS[0x30 + i] = 27 + i;
KEY_SYMBOLS[0x5f] = 37;
const DEAD = 0;
const ROOT = 1;

/** The known keys of a header table, as a map (by lower-cased key) and as the trie above. */
export interface HeaderKeys {
  readonly byName: ReadonlyMap<string, FieldSpec>;
  readonly next: Uint16Array;
  readonly specs: readonly (FieldSpec | undefined)[];
}

/** Builds the key lookup of a table of header fields (the grammar's, or one with more rows). */
export function buildHeaderKeys(table: Readonly<Record<string, HeaderField>>): HeaderKeys {
  const byName = new Map<string, FieldSpec>();
  for (const [key, { field, kind }] of Object.entries(table)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`header key "${key}" is not a name`);
    const store = storeOf(field);
    // Stryker disable next-line ConditionalExpression: a spec with `store: undefined` reads as one without.
    byName.set(key.toLowerCase(), store === undefined ? { kind, field } : { kind, field, store });
  }
  const next: number[] = new Array<number>(2 * SYMBOLS).fill(DEAD);
  const specs: (FieldSpec | undefined)[] = [undefined, undefined];
  for (const [key, spec] of byName) {
    let state = ROOT;
    for (let i = 0; i < key.length; i += 1) {
      const slot = state * SYMBOLS + KEY_SYMBOLS[key.charCodeAt(i)]!;
      if (next[slot] === DEAD) {
        next[slot] = specs.length;
        specs.push(undefined);
        // Stryker disable next-line EqualityOperator: one more DEAD per row only pads the table; rows start at state * SYMBOLS.
        for (let symbol = 0; symbol < SYMBOLS; symbol += 1) next.push(DEAD);
      }
      state = next[slot]!;
    }
    specs[state] = spec;
  }
  return { byName, next: Uint16Array.from(next), specs };
}

let grammarKeys: HeaderKeys | undefined;

/**
 * The keys of the grammar's table: what production reads. Built on first use, so that a
 * table that cannot be read fails the parse that needs it, not every import.
 */
export function headerKeys(): HeaderKeys {
  return (grammarKeys ??= buildHeaderKeys(SLOWLOG_HEADER_FIELDS));
}

/** One `Key: value` pair as written; the value's words joined by one space. */
export type KeyValue = readonly [key: string, value: string];

/** Splits the text after `#` into pairs; words before the first key are ignored. */
export function splitKeyValues(text: string): KeyValue[] {
  const pairs: KeyValue[] = [];
  const scanner = new PairScanner(text, LINE_UNITS.read(text), headerKeys());
  while (scanner.next()) pairs.push([text.slice(scanner.keyStart, scanner.keyEnd), scanner.value()]);
  return pairs;
}

/** What reading a pair produced: a field value, nothing to keep, or an error text. */
export type FieldReading =
  | { readonly kind: 'field'; readonly field: string; readonly value: FieldValue }
  | { readonly kind: 'skip' }
  | { readonly kind: 'error'; readonly reason: string };

const SKIP: FieldReading = { kind: 'skip' };

/**
 * Reads one pair: unknown keys and empty text values are skipped; a known key whose
 * value has the wrong shape is an error (the format changed under us, so say so).
 */
export function readField([key, value]: KeyValue, keys: HeaderKeys = headerKeys()): FieldReading {
  const spec = keys.byName.get(key.toLowerCase());
  if (spec === undefined) return SKIP;
  const reading = readValue(spec.kind, value, copyCodeUnits(value), 0, value.length);
  if (reading === BAD) return { kind: 'error', reason: badValue(key, value) };
  return reading === undefined ? SKIP : { kind: 'field', field: spec.field, value: reading };
}

/** Where `readKeyValues` puts what it reads. */
export interface HeaderSlots {
  /** `mysql.slowlog` fields in the order first read. */
  readonly slowlog: Record<string, unknown>;
  threadId: number | undefined;
  schema: string | undefined;
}

/**
 * Reads the pairs of `text` (a header line after its `#`) into `slots`, as `readField`
 * reads each of `splitKeyValues`, the first value of a repeated key winning; returns why
 * a known key's value is unreadable, or undefined. Works on positions so that a typical
 * 30-pair line costs no array and few strings.
 */
export function readKeyValues(text: string, slots: HeaderSlots, keys: HeaderKeys = headerKeys()): string | undefined {
  const units = LINE_UNITS.read(text);
  const scanner = new PairScanner(text, units, keys);
  while (scanner.next()) {
    const spec = scanner.keySpec;
    if (spec === undefined) continue;
    // Several words are one value only for text fields; join them as splitKeyValues does.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only; one word joined is the same text.
    const joined = scanner.words > 1 ? scanner.value() : undefined;
    const reading =
      joined === undefined
        ? readValue(spec.kind, text, units, scanner.valueStart, scanner.valueEnd)
        : readValue(spec.kind, joined, copyCodeUnits(joined), 0, joined.length);
    if (reading === BAD) return badValue(text.slice(scanner.keyStart, scanner.keyEnd), joined ?? scanner.value());
    if (reading === undefined) continue;
    if (spec.store !== undefined) spec.store(slots.slowlog, reading);
    else if (spec.field === THREAD_ID_SLOT) slots.threadId ??= reading as number;
    else slots.schema ??= reading as string;
  }
  return undefined;
}

function badValue(key: string, value: string): string {
  return `bad ${key} value "${value.slice(0, 40)}"`;
}

/** A value of the wrong shape for its key. */
const BAD = Symbol('bad value');
type Reading = FieldValue | typeof BAD | undefined;

/**
 * Reads `text` from `start` to `end` as a value of `kind`: the value, undefined for
 * one to leave out, or BAD. Hand-written checks with the meaning of these patterns:
 * seconds `^\d{1,12}(?:\.\d{1,12})?$`, count `^\d{1,30}$`, flag `yes|no` in any case.
 * Seconds with more integer digits are left out: MySQL writes 18446744073709.551615
 * (2^64 - 1 microseconds) for a time that went negative, which is no duration.
 */
function readValue(kind: Kind, text: string, units: CodeUnits, start: number, end: number): Reading {
  switch (kind) {
    case KINDS.seconds: {
      const shape = secondsShape(units, start, end);
      if (shape === SECONDS.ok) return readSeconds(text, units, start, end);
      return shape === SECONDS.overflow ? undefined : BAD;
    }
    case KINDS.count:
      return readCount(text, units, start, end);
    case KINDS.flag:
      if (equalsIgnoringCase(units, start, end, 'yes')) return true;
      return equalsIgnoringCase(units, start, end, 'no') ? false : BAD;
    case KINDS.time:
      return parseIsoTimeAt(text, units, start, end) ?? BAD;
    case KINDS.text:
      return start === end ? undefined : text.slice(start, end);
  }
}

const SECONDS = { ok: 'ok', overflow: 'overflow', bad: 'bad' } as const;
type SecondsShape = (typeof SECONDS)[keyof typeof SECONDS];

/** `\d+(?:\.\d{1,12})?`: ok with 1-12 integer digits, overflow with more; otherwise bad. */
function secondsShape(units: CodeUnits, start: number, end: number): SecondsShape {
  const whole = digitsEnd(units, start, end);
  if (whole === start) return SECONDS.bad;
  if (whole !== end) {
    if (units[whole] !== DOT) return SECONDS.bad;
    const fraction = digitsEnd(units, whole + 1, end);
    if (fraction !== end || fraction === whole + 1 || fraction - whole - 1 > 12) return SECONDS.bad;
  }
  return whole - start > 12 ? SECONDS.overflow : SECONDS.ok;
}

/**
 * A checked seconds value as `Number` reads it. Up to 15 digits the value is read as
 * digits / 10^fraction digits: both are exact doubles, so the one division is rounded as
 * `Number` rounds (Clinger's fast path), without its string-to-number call.
 */
function readSeconds(text: string, units: CodeUnits, start: number, end: number): number {
  let digits = 0;
  let count = 0;
  let fractionDigits = 0;
  for (let i = start; i < end; i += 1) {
    const char = units[i]!;
    if (char === DOT) {
      fractionDigits = end - i - 1;
    } else {
      digits = digits * 10 + (char - ZERO);
      count += 1;
    }
  }
  // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only; Number reads the same value.
  return count <= 15 ? digits / POWERS_OF_TEN[fractionDigits]! : Number(text.slice(start, end));
}

// 10^0 .. 10^12 (a seconds value has at most 12 fraction digits); all exact doubles.
const POWERS_OF_TEN: readonly number[] = Array.from({ length: 13 }, (_, power) => 10 ** power);

function readCount(text: string, units: CodeUnits, start: number, end: number): Reading {
  const length = end - start;
  if (length === 0 || length > 30) return BAD;
  let number = 0;
  for (let i = start; i < end; i += 1) {
    const digit = units[i]! - ZERO;
    if (digit < 0 || digit > 9) return BAD;
    number = number * 10 + digit;
  }
  // Up to 15 digits the sum is exact; longer ones go through Number and the safety check.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only; Number reads the same value.
  if (length <= 15) return number;
  const exact = Number(text.slice(start, end));
  // A counter past 2^53 cannot be carried exactly by a JSON number: leave it out.
  return Number.isSafeInteger(exact) ? exact : undefined;
}

function digitsEnd(units: CodeUnits, start: number, end: number): number {
  let i = start;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: reading past the end gives undefined (units are exactly the text's length), which stops the loop as the bound does.
  while (i < end && isDigit(units[i]!)) i += 1;
  return i;
}

/**
 * `text[start, end).toLowerCase() === lower` for `lower` made of lower-case ASCII letters,
 * without the copy. Setting bit 0x20 maps onto a lower-case letter only that letter and
 * its upper-case form, so it is exact here; the only other characters that lower-case
 * to ASCII letters are U+212A (to k) and U+0130 (to i), neither in `yes` or `no`.
 */
function equalsIgnoringCase(units: CodeUnits, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i += 1) {
    if ((units[start + i]! | 0x20) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Walks the pairs of a header line: tokens split on blanks (space, tab); a token whose
 * text before its first `:` is a key name starts a pair (`Rows_examined:40` holds its
 * value), every other token is one more word of the current value.
 */
class PairScanner {
  keyStart = 0;
  /** Where the key's `:` is. */
  keyEnd = 0;
  /** The spec of the key, as `keys.byName.get(key.toLowerCase())`: found on the way. */
  keySpec: FieldSpec | undefined;
  /** From the first word of the value to the end of its last (equal when empty). */
  valueStart = 0;
  valueEnd = 0;
  words = 0;
  private position: number;
  /** The key token read ahead, or -1 after the last pair. */
  // Stryker disable next-line UnaryOperator: the constructor's readAhead sets it before any read.
  private aheadStart = -1;
  private aheadColon = 0;
  private aheadSpec: FieldSpec | undefined;
  private aheadEnd = 0;

  private readonly end: number;

  constructor(
    private readonly text: string,
    private readonly units: CodeUnits,
    private readonly keys: HeaderKeys,
  ) {
    this.end = text.length;
    this.position = 0;
    // Stryker disable next-line BooleanLiteral: words before the first key are dropped by next() either way.
    this.readAhead(false);
  }

  /** Moves to the next pair; false when there is none. */
  next(): boolean {
    if (this.aheadStart < 0) return false;
    this.keyStart = this.aheadStart;
    this.keyEnd = this.aheadColon;
    this.keySpec = this.aheadSpec;
    this.valueStart = this.aheadColon + 1;
    this.valueEnd = this.aheadEnd;
    this.words = this.valueStart < this.valueEnd ? 1 : 0;
    this.readAhead(true);
    return true;
  }

  /** The value's words joined by one space. */
  value(): string {
    const span = this.text.slice(this.valueStart, this.valueEnd);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only; one word holds no blank to join.
    return this.words > 1 ? span.split(BLANKS).join(' ') : span;
  }

  /** Reads tokens up to the next key token; the others are words of the value when `collect`. */
  private readAhead(collect: boolean): void {
    const { units, end } = this;
    let i = this.position;
    for (;;) {
      // Stryker disable next-line ConditionalExpression,EqualityOperator: reading past the end gives undefined (units are exactly the text's length), which stops the loop as the bound does.
      while (i < end && isBlank(units[i]!)) i += 1;
      if (i === end) {
        this.aheadStart = -1;
        return;
      }
      const start = i;
      const colon = this.readKey(start);
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: speed only; the scan to the next blank ends at the same place from the key's start.
      if (colon >= 0) i = colon + 1;
      while (i < end && !isBlank(units[i]!)) i += 1;
      // Stryker disable next-line EqualityOperator: a key has at least one character, so its colon is never at 0.
      if (colon >= 0) {
        this.aheadStart = start;
        this.aheadColon = colon;
        this.aheadEnd = i;
        this.position = i;
        return;
      }
      // Stryker disable next-line ConditionalExpression: only the constructor does not collect, and next() drops what it would.
      if (collect) {
        if (this.words === 0) this.valueStart = start;
        this.valueEnd = i;
        this.words += 1;
      }
    }
  }

  /** Where the `:` ending a key name (`[A-Za-z_][A-Za-z0-9_]*`) at `start` is, or -1; looks the name up. */
  private readKey(start: number): number {
    const { units, end } = this;
    const trie = this.keys.next;
    const first = units[start]!;
    if ((KEY_SYMBOLS[first] ?? 0) === 0 || isDigit(first)) return -1;
    let state = ROOT;
    let i = start;
    // Stryker disable next-line EqualityOperator: reading past the end gives undefined (units are exactly the text's length), which stops the loop as the bound does.
    for (; i < end; i += 1) {
      const char = units[i]!;
      const symbol = char < 0x80 ? KEY_SYMBOLS[char]! : 0;
      if (symbol === 0) break;
      state = trie[state * SYMBOLS + symbol]!;
    }
    // Stryker disable next-line ConditionalExpression: reading past the end gives undefined (units are exactly the text's length), which stops the loop as the bound does.
    if (i === end || units[i] !== COLON) return -1;
    this.aheadSpec = this.keys.specs[state];
    return i;
  }
}


function isBlank(char: number): boolean {
  return char === 0x20 || char === 0x09;
}

function isDigit(char: number): boolean {
  return char >= ZERO && char <= 0x39;
}
