/**
 * Query fingerprints in the manner of pt-query-digest: the statement with every
 * literal replaced by `?`, so that queries of the same shape group together.
 *
 * One left-to-right scan. The only look-ahead is the literal-list check after
 * `IN`/`VALUES`; the text it reads holds no other `IN`/`VALUES`, so no character is
 * read more than twice and the time stays linear on any input.
 */

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
  const out: string[] = [];
  let pendingBlank = false;
  let previous = TOKEN.start as Token;
  let previousWord = '';
  const emit = (text: string, kind: Token, word = ''): void => {
    if (pendingBlank && out.length > 0) out.push(' ');
    pendingBlank = false;
    out.push(text);
    previous = kind;
    previousWord = word;
  };

  const length = sql.length;
  let i = 0;
  while (i < length) {
    const char = sql.charCodeAt(i);
    const skipped = skipBlankOrComment(sql, i);
    if (skipped > i) {
      pendingBlank = true;
      i = skipped;
    } else if (char === QUOTE || char === DOUBLE_QUOTE) {
      i = skipString(sql, i);
      emit('?', TOKEN.value);
    } else if (char === BACKTICK) {
      const end = skipString(sql, i);
      emit(sql.slice(i, end), TOKEN.word, '`');
      i = end;
    } else if (char === QUESTION) {
      emit('?', TOKEN.value);
      i += 1;
    } else if (isDigit(char) || (char === DOT && isDigit(sql.charCodeAt(i + 1)) && previous !== TOKEN.word)) {
      const end = skipNumber(sql, i);
      if (end > i && !isWordChar(sql.charCodeAt(end))) {
        emit('?', TOKEN.value);
        i = end;
      } else {
        // `12foo`, `123_bar`: MySQL allows identifiers that begin with digits.
        const wordEnd = skipWord(sql, i);
        emit(sql.slice(i, wordEnd), TOKEN.word, sql.slice(i, wordEnd).toLowerCase());
        i = wordEnd;
      }
    } else if ((char === MINUS || char === PLUS) && isSignContext(previous, previousWord) && startsNumber(sql, i + 1)) {
      const end = skipNumber(sql, i + 1);
      if (end > i + 1 && !isWordChar(sql.charCodeAt(end))) {
        emit('?', TOKEN.value);
        i = end;
      } else {
        emit(sql[i]!, TOKEN.operator);
        i += 1;
      }
    } else if (isWordChar(char)) {
      const end = skipWord(sql, i);
      const word = sql.slice(i, end).toLowerCase();
      const listEnd = word === 'in' || word === 'values' || word === 'value' ? skipLiteralList(sql, end, word !== 'in') : -1;
      if (listEnd > 0) {
        emit(`${word}(?+)`, TOKEN.close);
        i = listEnd;
      } else if (STRING_PREFIX.test(word) && (sql.charCodeAt(end) === QUOTE || sql.charCodeAt(end) === DOUBLE_QUOTE)) {
        i = skipString(sql, end);
        emit('?', TOKEN.value);
      } else {
        emit(sql.slice(i, end), TOKEN.word, word);
        i = end;
      }
    } else {
      emit(sql[i]!, char === OPEN ? TOKEN.open : char === CLOSE ? TOKEN.close : TOKEN.operator);
      i += 1;
    }
  }
  return dropTrailingSemicolons(out.join('').toLowerCase());
}

/** A short stable id of a fingerprint: FNV-1a 64-bit of its UTF-8 bytes, 16 hex digits. */
export function fingerprintId(fingerprint: string): string {
  // 64-bit arithmetic in two 32-bit halves; every intermediate stays below 2^53.
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  const mix = (byte: number): void => {
    low = (low ^ byte) >>> 0;
    // x * 0x100000001b3 = x * 0x1b3 + (x << 40)
    const lowProduct = low * 0x1b3;
    const carry = Math.floor(lowProduct / 0x1_0000_0000);
    high = (high * 0x1b3 + carry + (low & 0xffffff) * 0x100) >>> 0;
    low = lowProduct >>> 0;
  };
  for (let i = 0; i < fingerprint.length; i += 1) {
    let code = fingerprint.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdfff) {
      const next = fingerprint.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        code = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
        i += 1;
      } else {
        code = 0xfffd; // a lone surrogate, as TextEncoder writes it
      }
    }
    if (code < 0x80) {
      mix(code);
    } else if (code < 0x800) {
      mix(0xc0 | (code >> 6));
      mix(0x80 | (code & 0x3f));
    } else if (code < 0x10000) {
      mix(0xe0 | (code >> 12));
      mix(0x80 | ((code >> 6) & 0x3f));
      mix(0x80 | (code & 0x3f));
    } else {
      mix(0xf0 | (code >> 18));
      mix(0x80 | ((code >> 12) & 0x3f));
      mix(0x80 | ((code >> 6) & 0x3f));
      mix(0x80 | (code & 0x3f));
    }
  }
  return high.toString(16).padStart(8, '0') + low.toString(16).padStart(8, '0');
}

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

function isBlank(char: number): boolean {
  return char === 0x20 || char === 0x09 || char === 0x0a || char === 0x0d || char === 0x0b || char === 0x0c;
}

function isSignContext(previous: Token, previousWord: string): boolean {
  return (
    previous === TOKEN.start ||
    previous === TOKEN.open ||
    previous === TOKEN.operator ||
    (previous === TOKEN.word && SIGN_CONTEXT_WORDS.has(previousWord))
  );
}

function startsNumber(sql: string, i: number): boolean {
  const char = sql.charCodeAt(i);
  return isDigit(char) || (char === DOT && isDigit(sql.charCodeAt(i + 1)));
}

/** End of the blank run or comment at `i`, or `i` when there is none. */
function skipBlankOrComment(sql: string, i: number): number {
  const char = sql.charCodeAt(i);
  if (isBlank(char)) {
    let end = i + 1;
    while (end < sql.length && isBlank(sql.charCodeAt(end))) end += 1;
    return end;
  }
  if (char === 0x2f /* / */ && sql.charCodeAt(i + 1) === 0x2a /* * */) {
    const close = sql.indexOf('*/', i + 2);
    return close < 0 ? sql.length : close + 2;
  }
  // MySQL reads `--` as a comment only when a blank (or the end) follows it.
  const dashComment = char === MINUS && sql.charCodeAt(i + 1) === MINUS && (i + 2 === sql.length || isBlank(sql.charCodeAt(i + 2)));
  if (char === 0x23 /* # */ || dashComment) {
    const newline = sql.indexOf('\n', i);
    return newline < 0 ? sql.length : newline + 1;
  }
  return i;
}

function skipBlanksAndComments(sql: string, i: number): number {
  let position = i;
  for (let next = skipBlankOrComment(sql, position); next > position; next = skipBlankOrComment(sql, position)) {
    position = next;
  }
  return position;
}

/** End of the quoted text at `i` (`''`, `""`, ` `` ` doubling and backslash escapes); unterminated runs to the end. */
function skipString(sql: string, i: number): number {
  const quote = sql.charCodeAt(i);
  let position = i + 1;
  while (position < sql.length) {
    const char = sql.charCodeAt(position);
    if (char === BACKSLASH && quote !== BACKTICK) {
      position += 2;
    } else if (char === quote) {
      if (sql.charCodeAt(position + 1) !== quote) return position + 1;
      position += 2;
    } else {
      position += 1;
    }
  }
  return sql.length;
}

function skipWord(sql: string, i: number): number {
  let end = i;
  while (end < sql.length && isWordChar(sql.charCodeAt(end))) end += 1;
  return end;
}

/** End of the number literal at `i` (decimal, exponent, `0x…`, `0b…`), or `i` when none. */
function skipNumber(sql: string, i: number): number {
  if (sql.charCodeAt(i) === 0x30 && (sql[i + 1] === 'x' || sql[i + 1] === 'X') && isHexDigit(sql.charCodeAt(i + 2))) {
    let end = i + 2;
    while (isHexDigit(sql.charCodeAt(end))) end += 1;
    return end;
  }
  if (sql.charCodeAt(i) === 0x30 && (sql[i + 1] === 'b' || sql[i + 1] === 'B') && /[01]/.test(sql[i + 2] ?? '')) {
    let end = i + 2;
    while (sql[end] === '0' || sql[end] === '1') end += 1;
    return end;
  }
  let end = i;
  while (isDigit(sql.charCodeAt(end))) end += 1;
  if (sql.charCodeAt(end) === DOT) {
    end += 1;
    while (isDigit(sql.charCodeAt(end))) end += 1;
  }
  if (end === i || (end === i + 1 && sql.charCodeAt(i) === DOT)) return i;
  const e = sql.charCodeAt(end);
  if (e === 0x65 || e === 0x45) {
    let exponent = end + 1;
    const sign = sql.charCodeAt(exponent);
    if (sign === PLUS || sign === MINUS) exponent += 1;
    if (isDigit(sql.charCodeAt(exponent))) {
      end = exponent;
      while (isDigit(sql.charCodeAt(end))) end += 1;
    }
  }
  return end;
}

/**
 * After `IN` / `VALUES` at `i`: the end of a parenthesised list holding only literals
 * (nested tuples allowed) — for `VALUES`, of every such list in a comma-separated run —
 * or -1 when what follows is anything else (a subquery, an expression).
 */
function skipLiteralList(sql: string, i: number, several: boolean): number {
  const open = skipBlanksAndComments(sql, i);
  let end = skipLiteralGroup(sql, open);
  if (end < 0 || !several) return end;
  for (;;) {
    const comma = skipBlanksAndComments(sql, end);
    if (sql.charCodeAt(comma) !== COMMA) return end;
    const next = skipLiteralGroup(sql, skipBlanksAndComments(sql, comma + 1));
    if (next < 0) return end;
    end = next;
  }
}

function skipLiteralGroup(sql: string, i: number): number {
  if (sql.charCodeAt(i) !== OPEN) return -1;
  let depth = 0;
  let literals = 0;
  let position = i;
  while (position < sql.length) {
    const char = sql.charCodeAt(position);
    const skipped = skipBlankOrComment(sql, position);
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
      position = skipString(sql, position);
      literals += 1;
    } else if (char === QUESTION) {
      position += 1;
      literals += 1;
    } else {
      const start = char === MINUS || char === PLUS ? position + 1 : position;
      const numberEnd = startsNumber(sql, start) ? skipNumber(sql, start) : start;
      if (numberEnd > start && !isWordChar(sql.charCodeAt(numberEnd))) {
        position = numberEnd;
        literals += 1;
        continue;
      }
      const wordEnd = skipWord(sql, position);
      const word = sql.slice(position, wordEnd).toLowerCase();
      if (LITERAL_WORDS.has(word)) {
        position = wordEnd;
        literals += 1;
      } else if (STRING_PREFIX.test(word) && (sql.charCodeAt(wordEnd) === QUOTE || sql.charCodeAt(wordEnd) === DOUBLE_QUOTE)) {
        position = skipString(sql, wordEnd);
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
