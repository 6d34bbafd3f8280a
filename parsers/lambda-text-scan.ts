/** Character tests shared by the readers of plain-text Lambda lines. */

/**
 * `message.startsWith(text, at)` for `at >= 0`. Slicing and comparing is the cheapest
 * form here: V8 copies a short slice and compares it natively, where `startsWith` and a
 * `charCodeAt` loop both measured slower on REPORT lines.
 */
export function isTextAt(message: string, text: string, at: number): boolean {
  return message.slice(at, at + text.length) === text;
}

/** The same characters as the RegExp class `\s`. */
export function isRegExpSpace(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/** The index of the first character at or after `at` that is neither a space nor a tab. */
export function skipBlanks(message: string, at: number): number {
  let next = at;
  for (let code = message.charCodeAt(next); code === 0x20 || code === 0x09; code = message.charCodeAt(next)) next += 1;
  return next;
}
