import { isRegExpSpace, isTextAt } from './lambda-text-scan';

/**
 * Finding the known `Key:` names of a plain-text platform line, in one left-to-right pass.
 *
 * A key counts when it follows a separator: the start of the line, one whitespace
 * character (as the RegExp `\s` has it), or the two characters `\t`, `\n` or `\r` of a
 * double-escaped capture. Keys never overlap, and the leftmost one wins, exactly like a
 * global RegExp `(?:^|\s|\\[tnr])(<names>):` would find them. Rather than trying that
 * pattern at every character, the scan jumps from colon to colon (`indexOf`) and looks
 * back for a name ending there: a short line has few colons, and a long one costs a
 * native search plus a few comparisons per colon.
 */

/** The keys, in no particular order; `KEY_NAMES[key]` is a key's text. */
export const KEY_NAMES = [
  'Billed Restore Duration',
  'Billed Duration',
  'Restore Duration',
  'Init Duration',
  'Max Memory Used',
  'Memory Size',
  'Duration',
  'RequestId',
  'Runtime Version ARN',
  'Runtime Version',
  'Version',
  'Phase',
  'Status',
  'Error Type',
  'XRAY TraceId',
  'SegmentId',
  'Sampled',
] as const;

export type KeyName = (typeof KEY_NAMES)[number];

/**
 * Keys by the character before their colon, longest first. Several names can end at the
 * same colon (`Billed Duration:` and `Duration:`); the longer one starts further left,
 * so it is the leftmost match when its separator is there.
 */
const KEYS_BY_LAST_CHAR: (readonly number[] | undefined)[] = [];
for (const key of KEY_NAMES.keys()) {
  const name = KEY_NAMES[key]!;
  const last = name.charCodeAt(name.length - 1);
  const keys = [...(KEYS_BY_LAST_CHAR[last] ?? []), key];
  KEYS_BY_LAST_CHAR[last] = keys.sort((a, b) => KEY_NAMES[b]!.length - KEY_NAMES[a]!.length);
}
// Most candidates fail on their first character: that test reads plain number arrays.
const NAME_LENGTHS = KEY_NAMES.map((name) => name.length);
const FIRST_CHARS = KEY_NAMES.map((name) => name.charCodeAt(0));

/** Where the scan stands: the last key found, and where the next search starts. */
export interface KeyCursor {
  /** Index in `KEY_NAMES` of the key found by the last `findNextKey`. */
  key: number;
  /** Where that key's match starts (its separator), which ends the previous value. */
  start: number;
  /** Just after its colon: where its value starts and the next search begins. */
  end: number;
}

/** A cursor for `findNextKey`, before the first key. */
export function newKeyCursor(): KeyCursor {
  return { key: -1, start: 0, end: 0 };
}

/** Moves the cursor to the next key after `cursor.end`; false when there is none. */
export function findNextKey(message: string, cursor: KeyCursor): boolean {
  const from = cursor.end;
  for (let colon = message.indexOf(':', from); colon !== -1; colon = message.indexOf(':', colon + 1)) {
    const keys = KEYS_BY_LAST_CHAR[message.charCodeAt(colon - 1)];
    if (keys === undefined) continue;
    for (const key of keys) {
      const nameStart = colon - NAME_LENGTHS[key]!;
      if (nameStart < from || message.charCodeAt(nameStart) !== FIRST_CHARS[key]) continue;
      if (!isTextAt(message, KEY_NAMES[key]!, nameStart)) continue;
      const start = separatorStart(message, nameStart);
      if (start < from) continue;
      cursor.key = key;
      cursor.start = start;
      cursor.end = colon + 1;
      return true;
    }
  }
  return false;
}

/** Where the separator before a name starts, or -1 when there is none. */
function separatorStart(message: string, nameStart: number): number {
  if (nameStart === 0) return 0;
  const before = message.charCodeAt(nameStart - 1);
  if (isRegExpSpace(before)) return nameStart - 1;
  const escaped = (before === 0x74 || before === 0x6e || before === 0x72) && message.charCodeAt(nameStart - 2) === 0x5c;
  if (escaped) return nameStart - 2;
  return -1;
}
