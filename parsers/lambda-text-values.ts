/**
 * Reading the values of a plain-text platform line in place, by index, so that a REPORT
 * costs no substring per number. The accepted numbers are those of the patterns
 * `^(\d{1,15}(?:\.\d{1,12})?) ?ms(?![A-Za-z])` and `^(\d{1,15}) ?MB(?![A-Za-z])` applied
 * to the value text, which starts at `from` (after its leading spaces) and ends before
 * `end` (see `valueEnd`). Digits, `.`, ` ?ms` and a letter after them are never where a
 * value stops, so these need not find the value's end first: anything they read before
 * `end` is inside the value.
 */

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12] as const;
// 10^15 < 2^53: up to 15 digits, the digits read as one integer are exact in a double.
const EXACT_DIGITS = 15;
const MAX_INTEGER_DIGITS = 15;
const MAX_FRACTION_DIGITS = 12;

/**
 * `12.34 ms` -> 12.34; NaN when the value is not a duration in ms. The digits are
 * gathered as one integer while they are checked; with at most 15 of them, that integer
 * and the power of ten are exact, so one division gives the correctly rounded double,
 * as `Number()` of the text does. Longer numbers go to `Number()`.
 */
export function readMilliseconds(message: string, from: number, end: number): number {
  let index = from;
  let digits = 0;
  // Up to one digit past a limit: enough to refuse the number, and no more.
  while (index - from <= MAX_INTEGER_DIGITS) {
    const digit = digitAt(message, index, end);
    if (digit < 0) break;
    digits = digits * 10 + digit;
    index += 1;
  }
  const integerDigits = index - from;
  if (integerDigits === 0 || integerDigits > MAX_INTEGER_DIGITS) return Number.NaN;
  let fractionDigits = 0;
  if (index < end && message.charCodeAt(index) === 0x2e) {
    const fractionStart = index + 1;
    index = fractionStart;
    while (index - fractionStart <= MAX_FRACTION_DIGITS) {
      const digit = digitAt(message, index, end);
      if (digit < 0) break;
      digits = digits * 10 + digit;
      index += 1;
    }
    fractionDigits = index - fractionStart;
    if (fractionDigits === 0 || fractionDigits > MAX_FRACTION_DIGITS) return Number.NaN;
  }
  if (!hasUnit(message, index, end, 0x6d, 0x73)) return Number.NaN;
  if (integerDigits + fractionDigits > EXACT_DIGITS) return Number(message.slice(from, index));
  return fractionDigits === 0 ? digits : digits / POWERS_OF_TEN[fractionDigits]!;
}

/** `512 MB` -> 512; NaN when the value is not a size in MB. */
export function readMegabytes(message: string, from: number, end: number): number {
  let index = from;
  let digits = 0;
  while (index - from <= MAX_INTEGER_DIGITS) {
    const digit = digitAt(message, index, end);
    if (digit < 0) break;
    digits = digits * 10 + digit;
    index += 1;
  }
  if (index === from || index - from > MAX_INTEGER_DIGITS) return Number.NaN;
  return hasUnit(message, index, end, 0x4d, 0x42) ? digits : Number.NaN;
}

/** The digit at `index` before `end`, or -1. */
function digitAt(message: string, index: number, end: number): number {
  const digit = message.charCodeAt(index) - 0x30;
  return index < end && digit >= 0 && digit <= 9 ? digit : -1;
}

/**
 * The end of the first token of the value at `from`: the first `\s` character, or where
 * the value ends (`valueEnd`) when that comes first. Request and trace ids make up most
 * of a REPORT line, and a sticky RegExp scans them natively, faster than a `charCodeAt`
 * loop. It never runs past `end`, which is either the end of the message or the
 * separator of the next key, where the token stops anyway.
 */
export function tokenEnd(message: string, from: number, end: number): number {
  // A shared RegExp is safe: parsing is synchronous, and lastIndex is set before each use.
  TOKEN.lastIndex = from;
  TOKEN.test(message);
  return Math.min(TOKEN.lastIndex, end);
}

// Anything but `\s` and the escapes `\t`, `\n`, `\r`; each repetition of the group
// takes one backslash, so the match is found in one pass.
const TOKEN = /[^\s\\]*(?:\\(?![tnr])[^\s\\]*)*/y;

/**
 * The end of the value that starts at `from`: a value runs to the next key (`end`), a
 * tab, a line break, or one of the two-character escapes `\t`, `\n`, `\r`; trailing
 * spaces are not part of it.
 */
export function valueEnd(message: string, from: number, end: number): number {
  let to = from;
  while (to < end) {
    const code = message.charCodeAt(to);
    if (code === 0x09 || code === 0x0a || code === 0x0d) break;
    if (code === 0x5c && isEscapedBreak(message.charCodeAt(to + 1))) break;
    to += 1;
  }
  while (to > from && message.charCodeAt(to - 1) === 0x20) to -= 1;
  return to;
}

/** `t`, `n` or `r`: after a backslash, the escape of a tab or a line break. */
function isEscapedBreak(code: number): boolean {
  return code === 0x74 || code === 0x6e || code === 0x72;
}

/** ` ?<unit>(?![A-Za-z])` at `at`, inside the value. */
function hasUnit(message: string, at: number, end: number, first: number, second: number): boolean {
  let index = at;
  if (message.charCodeAt(index) === 0x20) index += 1;
  if (index + 2 > end || message.charCodeAt(index) !== first || message.charCodeAt(index + 1) !== second) return false;
  return index + 2 === end || !isAsciiLetter(message.charCodeAt(index + 2));
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}
