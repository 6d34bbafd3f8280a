/**
 * Query fingerprints in the manner of pt-query-digest: the statement with every
 * literal replaced by `?`, so that queries of the same shape group together.
 *
 * One left-to-right scan. The only look-ahead is the literal-list check after
 * `IN`/`VALUES`; the text it reads holds no other `IN`/`VALUES`, so no character is
 * read more than twice and the time stays linear on any input.
 */

import { CodeUnitReader, type CodeUnits } from './slowquery-code-units';

// The statement's code units, read by the scan below instead of `charCodeAt`: a statement
// is a slice of its message, on which `charCodeAt` is slow (see slowquery-code-units.ts).
const SQL_UNITS = new CodeUnitReader();

// Words after which `-5` / `+5` is a signed literal rather than a subtraction.
const SIGN_CONTEXT_WORDS: ReadonlySet<string> = new Set([
  'and', 'between', 'by', 'case', 'div', 'else', 'having', 'if', 'in', 'interval', 'is', 'like',
  'limit', 'mod', 'not', 'offset', 'on', 'or', 'return', 'select', 'set', 'then', 'value',
  'values', 'when', 'where', 'xor',
]);
const LITERAL_WORDS: ReadonlySet<string> = new Set(['null', 'true', 'false']);
// `x'0A'`, `b'01'`, `n'text'` and charset introducers such as `_utf8mb4'text'`.
const STRING_PREFIX = /^(?:[xbn]|_[a-z0-9]+)$/;

/** What the last emitted token was, to tell a sign from a minus. */
const TOKEN = {
  start: 0,
  word: 1,
  value: 2,
  open: 3,
  close: 4,
  operator: 5,
} as const;
type Token = (typeof TOKEN)[keyof typeof TOKEN];

/** The fingerprint of `sql`: literals, numbers and `IN`/`VALUES` lists -> `?`, comments dropped, blanks folded, lower case. */
export function fingerprintSql(sql: string): string {
  const units = SQL_UNITS.read(sql);
  // ASCII (read as bytes: see slowquery-code-units.ts) is written as bytes, lower-cased on
  // the way; any other text as a string, lower-cased at the end (which may change lengths).
  const out: FingerprintWriter | AsciiFingerprintWriter =
    units instanceof Uint8Array ? new AsciiFingerprintWriter(sql, units) : new FingerprintWriter(sql);
  const length = sql.length;
  let i = 0;
  while (i < length) {
    const char = units[i]!;
    const skipped = skipBlankOrComment(sql, units, i);
    if (skipped > i) {
      out.blank();
      i = skipped;
    } else if (char === QUOTE || char === DOUBLE_QUOTE) {
      i = skipString(sql, units, i);
      out.emit('?', TOKEN.value);
    } else if (char === BACKTICK) {
      const end = skipString(sql, units, i);
      out.quotedName(i, end);
      i = end;
    } else if (char === QUESTION) {
      out.emit('?', TOKEN.value);
      i += 1;
    } else if (isDigit(char) || (char === DOT && isDigit(units[i + 1]!) && out.previous !== TOKEN.word)) {
      const end = skipNumber(sql, units, i);
      if (end > i && !isWordChar(units[end]!)) {
        out.emit('?', TOKEN.value);
        i = end;
      } else {
        // `12foo`, `123_bar`: MySQL allows identifiers that begin with digits. (`.5e` makes
        // an empty word here, which only turns the `.` into an operator next time round.)
        const wordEnd = skipWord(units, i);
        out.word(i, wordEnd);
        i = wordEnd;
      }
    } else if ((char === MINUS || char === PLUS) && startsNumber(units, i + 1) && out.isSignContext()) {
      const end = skipNumber(sql, units, i + 1);
      if (end > i + 1 && !isWordChar(units[end]!)) {
        out.emit('?', TOKEN.value);
        i = end;
      } else {
        out.emit(sql[i]!, TOKEN.operator);
        i += 1;
      }
    } else if (isWordChar(char)) {
      const end = skipWord(units, i);
      const listWord = literalListWord(units, i, end);
      const listEnd = listWord === undefined ? -1 : skipLiteralList(sql, units, end, listWord !== 'in');
      if (listEnd > 0) {
        out.emit(`${listWord}(?+)`, TOKEN.close);
        i = listEnd;
      } else if (isQuote(units[end]!) && STRING_PREFIX.test(sql.slice(i, end).toLowerCase())) {
        i = skipString(sql, units, end);
        out.emit('?', TOKEN.value);
      } else {
        out.word(i, end);
        i = end;
      }
    } else {
      out.emit(sql[i]!, char === OPEN ? TOKEN.open : char === CLOSE ? TOKEN.close : TOKEN.operator);
      i += 1;
    }
  }
  return out.finish();
}

/**
 * The fingerprint as it is written, and what the last token was. Words are remembered
 * by position and lower-cased only when a sign after them needs it: that check is rare,
 * and cutting and lower-casing every word was much of the fingerprint's time.
 */
/** What both writers know of the tokens written so far, to tell a sign from an operator. */
abstract class TokenHistory {
  previous: Token = TOKEN.start;
  /** Where the last word is in the statement; -1 for a backquoted name. */
  protected wordStart = -1;
  protected wordEnd = -1;

  constructor(protected readonly sql: string) {}

  /** True when a `-` / `+` here is a sign rather than a subtraction or an addition. */
  isSignContext(): boolean {
    const previous = this.previous;
    if (previous === TOKEN.start || previous === TOKEN.open || previous === TOKEN.operator) return true;
    return (
      previous === TOKEN.word &&
      this.wordStart >= 0 &&
      SIGN_CONTEXT_WORDS.has(this.sql.slice(this.wordStart, this.wordEnd).toLowerCase())
    );
  }
}

class FingerprintWriter extends TokenHistory {
  text = '';
  private pendingBlank = false;
  private emitted = false;

  /** The fingerprint: lower case, without leading blanks and trailing `;` and blanks. */
  finish(): string {
    return dropTrailingSemicolons(this.text.toLowerCase());
  }

  blank(): void {
    this.pendingBlank = true;
  }

  emit(piece: string, kind: Token): void {
    if (this.pendingBlank && this.emitted) this.text += ' ';
    this.pendingBlank = false;
    this.emitted = true;
    this.text += piece;
    this.previous = kind;
  }

  word(start: number, end: number): void {
    this.emit(this.sql.slice(start, end), TOKEN.word);
    this.wordStart = start;
    this.wordEnd = end;
  }

  quotedName(start: number, end: number): void {
    this.emit(this.sql.slice(start, end), TOKEN.word);
    this.wordStart = -1;
  }
}

/**
 * `FingerprintWriter` for an ASCII statement, writing bytes lower-cased as they are
 * copied: for ASCII, `toLowerCase` of the whole changes only A-Z, letter by letter, so
 * lower-casing each piece gives the same text. Building the text piece by piece and
 * lower-casing it at the end was about a third of the fingerprint's time.
 *
 * The buffer holds 2 * length + 16 bytes, which no fingerprint reaches: every token
 * writes at most the characters it read, but a list (`in(?+)` for `IN(1)`, 5 read) one
 * more, and a blank is written only for a run of at least one blank or comment read.
 */
class AsciiFingerprintWriter extends TokenHistory {
  private readonly bytes: Uint8Array;
  private length = 0;
  private pendingBlank = false;

  constructor(
    sql: string,
    private readonly units: Uint8Array,
  ) {
    super(sql);
    this.bytes = fingerprintBytes(2 * units.length + 16);
  }

  finish(): string {
    const { bytes } = this;
    // dropTrailingSemicolons, on the bytes.
    let end = this.length;
    while (end > 0 && (bytes[end - 1] === SEMICOLON || bytes[end - 1] === SPACE)) end -= 1;
    let start = 0;
    while (start < end && bytes[start] === SPACE) start += 1;
    return ASCII_DECODER.decode(bytes.subarray(start, end));
  }

  blank(): void {
    this.pendingBlank = true;
  }

  emit(piece: string, kind: Token): void {
    this.startPiece();
    const { bytes } = this;
    for (let i = 0; i < piece.length; i += 1) bytes[this.length + i] = lowerAscii(piece.charCodeAt(i));
    this.length += piece.length;
    this.previous = kind;
  }

  word(start: number, end: number): void {
    this.copy(start, end);
    this.previous = TOKEN.word;
    this.wordStart = start;
    this.wordEnd = end;
  }

  quotedName(start: number, end: number): void {
    this.copy(start, end);
    this.previous = TOKEN.word;
    this.wordStart = -1;
  }

  /** A pending blank, unless nothing was written yet (the string writer's `emitted`). */
  private startPiece(): void {
    if (this.pendingBlank && this.previous !== TOKEN.start) this.bytes[this.length++] = SPACE;
    this.pendingBlank = false;
  }

  private copy(start: number, end: number): void {
    this.startPiece();
    const { bytes, units } = this;
    let at = this.length;
    for (let i = start; i < end; i += 1) bytes[at++] = lowerAscii(units[i]!);
    this.length = at;
  }
}

function lowerAscii(char: number): number {
  return char >= 0x41 && char <= 0x5a ? char + 0x20 : char;
}

const SPACE = 0x20;
const SEMICOLON = 0x3b;
// ASCII bytes decode to the same characters in UTF-8.
const ASCII_DECODER = new TextDecoder();
// The bytes written by AsciiFingerprintWriter, reused by every call (parsers are
// synchronous); a statement over 64 K characters gets a buffer of its own.
const MAX_REUSED_FINGERPRINT = 128 * 1024 + 16;
let fingerprintScratch = new Uint8Array(1024);

function fingerprintBytes(size: number): Uint8Array {
  if (size <= fingerprintScratch.length) return fingerprintScratch;
  if (size > MAX_REUSED_FINGERPRINT) return new Uint8Array(size);
  fingerprintScratch = new Uint8Array(Math.max(size, Math.min(2 * fingerprintScratch.length, MAX_REUSED_FINGERPRINT)));
  return fingerprintScratch;
}

/** `in`, `values` or `value` when `sql[start, end)` is that word in any case, else undefined. */
function literalListWord(units: CodeUnits, start: number, end: number): 'in' | 'values' | 'value' | undefined {
  // Comparing ASCII letters only is exact: no other character lower-cases to these letters.
  switch (end - start) {
    case 2:
      return equalsIgnoringCase(units, start, 'in') ? 'in' : undefined;
    case 5:
      return equalsIgnoringCase(units, start, 'value') ? 'value' : undefined;
    case 6:
      return equalsIgnoringCase(units, start, 'values') ? 'values' : undefined;
    default:
      return undefined;
  }
}

function equalsIgnoringCase(units: CodeUnits, start: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i += 1) {
    if (lowerAscii(units[start + i]!) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

// Fingerprints recur (that is what they are for), so their ids are kept: at most 2048
// of up to 512 characters (about 1-2 MB at worst); the map is emptied when full.
const KNOWN_IDS = new Map<string, string>();
const MAX_KNOWN_IDS = 2048;
const MAX_KNOWN_LENGTH = 512;

// The UTF-8 bytes of the fingerprint being hashed, reused by every call (parsers are
// synchronous); a longer fingerprint is encoded into a buffer of its own instead.
const ENCODER = new TextEncoder();
const MAX_REUSED_BYTES = 64 * 1024;
let utf8Scratch = new Uint8Array(1024);

/** A short stable id of a fingerprint: FNV-1a 64-bit of its UTF-8 bytes, 16 hex digits. */
export function fingerprintId(fingerprint: string): string {
  const known = KNOWN_IDS.get(fingerprint);
  if (known !== undefined) return known;
  const id = fnv1a64(fingerprint);
  if (fingerprint.length <= MAX_KNOWN_LENGTH) {
    if (KNOWN_IDS.size >= MAX_KNOWN_IDS) KNOWN_IDS.clear();
    KNOWN_IDS.set(fingerprint, id);
  }
  return id;
}

/** FNV-1a 64-bit of the UTF-8 bytes of `text`, 16 hex digits. */
function fnv1a64(text: string): string {
  // At most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units; a lone one: U+FFFD).
  const size = text.length * 3;
  if (size > MAX_REUSED_BYTES) return fnv1a64Bytes(ENCODER.encode(text));
  if (utf8Scratch.length < size) utf8Scratch = new Uint8Array(size);
  return fnv1a64Bytes(utf8Scratch.subarray(0, ENCODER.encodeInto(text, utf8Scratch).written));
}

function fnv1a64Bytes(bytes: Uint8Array): string {
  const written = bytes.length;
  // 64-bit arithmetic in four 16-bit limbs (h3 h2 h1 h0): int32 operations only.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  for (let i = 0; i < written; i += 1) {
    h0 ^= bytes[i]!;
    // h * 0x100000001b3 = h * 0x1b3 + (h << 40); each limb product stays below 2^26.
    const t0 = h0 * 0x1b3;
    let t1 = h1 * 0x1b3;
    let t2 = h2 * 0x1b3 + (h0 << 8);
    let t3 = h3 * 0x1b3 + (h1 << 8);
    t1 += t0 >>> 16;
    t2 += t1 >>> 16;
    t3 += t2 >>> 16;
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  // One string from the sixteen digits: `toString(16)` and `padStart` cost ~0.5 µs here.
  return String.fromCharCode(
    HEX_DIGITS[h3 >>> 12]!, HEX_DIGITS[(h3 >>> 8) & 15]!, HEX_DIGITS[(h3 >>> 4) & 15]!, HEX_DIGITS[h3 & 15]!,
    HEX_DIGITS[h2 >>> 12]!, HEX_DIGITS[(h2 >>> 8) & 15]!, HEX_DIGITS[(h2 >>> 4) & 15]!, HEX_DIGITS[h2 & 15]!,
    HEX_DIGITS[h1 >>> 12]!, HEX_DIGITS[(h1 >>> 8) & 15]!, HEX_DIGITS[(h1 >>> 4) & 15]!, HEX_DIGITS[h1 & 15]!,
    HEX_DIGITS[h0 >>> 12]!, HEX_DIGITS[(h0 >>> 8) & 15]!, HEX_DIGITS[(h0 >>> 4) & 15]!, HEX_DIGITS[h0 & 15]!,
  );
}

/** Character codes of the lower-case hexadecimal digits. */
const HEX_DIGITS: readonly number[] = Array.from('0123456789abcdef', (digit) => digit.charCodeAt(0));

const QUOTE = 0x27;
const DOUBLE_QUOTE = 0x22;
const BACKTICK = 0x60;
const BACKSLASH = 0x5c;
const QUESTION = 0x3f;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;
const OPEN = 0x28;
const CLOSE = 0x29;
const COMMA = 0x2c;

function isDigit(char: number): boolean {
  return char >= 0x30 && char <= 0x39;
}

function isHexDigit(char: number): boolean {
  return isDigit(char) || (char >= 0x41 && char <= 0x46) || (char >= 0x61 && char <= 0x66);
}

function isWordChar(char: number): boolean {
  return (
    isDigit(char) ||
    (char >= 0x41 && char <= 0x5a) ||
    (char >= 0x61 && char <= 0x7a) ||
    char === 0x5f ||
    char === 0x24 ||
    char >= 0x80
  );
}

function isQuote(char: number): boolean {
  return char === QUOTE || char === DOUBLE_QUOTE;
}

function isBlank(char: number): boolean {
  return char === 0x20 || char === 0x09 || char === 0x0a || char === 0x0d || char === 0x0b || char === 0x0c;
}

function startsNumber(units: CodeUnits, i: number): boolean {
  const char = units[i]!;
  return isDigit(char) || (char === DOT && isDigit(units[i + 1]!));
}

/** End of the blank run or comment at `i`, or `i` when there is none. */
function skipBlankOrComment(sql: string, units: CodeUnits, i: number): number {
  const char = units[i]!;
  if (isBlank(char)) {
    let end = i + 1;
    while (end < sql.length && isBlank(units[end]!)) end += 1;
    return end;
  }
  if (char === 0x2f /* / */ && units[i + 1]! === 0x2a /* * */) {
    const close = sql.indexOf('*/', i + 2);
    return close < 0 ? sql.length : close + 2;
  }
  // MySQL reads `--` as a comment only when a blank (or the end) follows it.
  const dashComment = char === MINUS && units[i + 1]! === MINUS && (i + 2 === sql.length || isBlank(units[i + 2]!));
  if (char === 0x23 /* # */ || dashComment) {
    const newline = sql.indexOf('\n', i);
    return newline < 0 ? sql.length : newline + 1;
  }
  return i;
}

function skipBlanksAndComments(sql: string, units: CodeUnits, i: number): number {
  let position = i;
  for (let next = skipBlankOrComment(sql, units, position); next > position; next = skipBlankOrComment(sql, units, position)) {
    position = next;
  }
  return position;
}

/** End of the quoted text at `i` (`''`, `""`, ` `` ` doubling and backslash escapes); unterminated runs to the end. */
function skipString(sql: string, units: CodeUnits, i: number): number {
  const quote = units[i]!;
  let position = i + 1;
  while (position < sql.length) {
    const char = units[position]!;
    if (char === BACKSLASH && quote !== BACKTICK) {
      position += 2;
    } else if (char === quote) {
      if (units[position + 1]! !== quote) return position + 1;
      position += 2;
    } else {
      position += 1;
    }
  }
  return sql.length;
}

function skipWord(units: CodeUnits, i: number): number {
  let end = i;
  while (end < units.length && isWordChar(units[end]!)) end += 1;
  return end;
}

/** End of the number literal at `i` (decimal, exponent, `0x…`, `0b…`), or `i` when none. */
function skipNumber(sql: string, units: CodeUnits, i: number): number {
  if (units[i]! === 0x30 && (sql[i + 1] === 'x' || sql[i + 1] === 'X') && isHexDigit(units[i + 2]!)) {
    let end = i + 2;
    while (isHexDigit(units[end]!)) end += 1;
    return end;
  }
  if (units[i]! === 0x30 && (sql[i + 1] === 'b' || sql[i + 1] === 'B') && /[01]/.test(sql[i + 2] ?? '')) {
    let end = i + 2;
    while (sql[end] === '0' || sql[end] === '1') end += 1;
    return end;
  }
  let end = i;
  while (isDigit(units[end]!)) end += 1;
  if (units[end]! === DOT) {
    end += 1;
    while (isDigit(units[end]!)) end += 1;
  }
  if (end === i || (end === i + 1 && units[i]! === DOT)) return i;
  const e = units[end]!;
  if (e === 0x65 || e === 0x45) {
    let exponent = end + 1;
    const sign = units[exponent]!;
    if (sign === PLUS || sign === MINUS) exponent += 1;
    if (isDigit(units[exponent]!)) {
      end = exponent;
      while (isDigit(units[end]!)) end += 1;
    }
  }
  return end;
}

/**
 * After `IN` / `VALUES` at `i`: the end of a parenthesised list holding only literals
 * (nested tuples allowed) — for `VALUES`, of every such list in a comma-separated run —
 * or -1 when what follows is anything else (a subquery, an expression).
 */
function skipLiteralList(sql: string, units: CodeUnits, i: number, several: boolean): number {
  const open = skipBlanksAndComments(sql, units, i);
  let end = skipLiteralGroup(sql, units, open);
  if (end < 0 || !several) return end;
  for (;;) {
    const comma = skipBlanksAndComments(sql, units, end);
    if (units[comma]! !== COMMA) return end;
    const next = skipLiteralGroup(sql, units, skipBlanksAndComments(sql, units, comma + 1));
    if (next < 0) return end;
    end = next;
  }
}

function skipLiteralGroup(sql: string, units: CodeUnits, i: number): number {
  if (units[i]! !== OPEN) return -1;
  let depth = 0;
  let literals = 0;
  let position = i;
  while (position < sql.length) {
    const char = units[position]!;
    const skipped = skipBlankOrComment(sql, units, position);
    if (skipped > position) {
      position = skipped;
    } else if (char === OPEN) {
      depth += 1;
      position += 1;
    } else if (char === CLOSE) {
      depth -= 1;
      position += 1;
      if (depth === 0) return literals > 0 ? position : -1;
    } else if (char === COMMA) {
      position += 1;
    } else if (char === QUOTE || char === DOUBLE_QUOTE) {
      position = skipString(sql, units, position);
      literals += 1;
    } else if (char === QUESTION) {
      position += 1;
      literals += 1;
    } else {
      const start = char === MINUS || char === PLUS ? position + 1 : position;
      const numberEnd = startsNumber(units, start) ? skipNumber(sql, units, start) : start;
      if (numberEnd > start && !isWordChar(units[numberEnd]!)) {
        position = numberEnd;
        literals += 1;
        continue;
      }
      const wordEnd = skipWord(units, position);
      const word = sql.slice(position, wordEnd).toLowerCase();
      if (LITERAL_WORDS.has(word)) {
        position = wordEnd;
        literals += 1;
      } else if (STRING_PREFIX.test(word) && (units[wordEnd]! === QUOTE || units[wordEnd]! === DOUBLE_QUOTE)) {
        position = skipString(sql, units, wordEnd);
        literals += 1;
      } else {
        return -1;
      }
    }
  }
  return -1;
}

function dropTrailingSemicolons(text: string): string {
  let end = text.length;
  while (end > 0 && (text[end - 1] === ';' || text[end - 1] === ' ')) end -= 1;
  let start = 0;
  while (start < end && text[start] === ' ') start += 1;
  return text.slice(start, end);
}
