import { isTextAt, skipBlanks } from './lambda-text-scan';

/**
 * Which plain-text platform line a message is, from its first word and the key after it
 * (`REPORT RequestId:`, `INIT_START Runtime Version:`, `EXTENSION\tName:`). The
 * first character names the one candidate, so the function's own lines cost one test.
 */

/** The record type of a plain-text platform line, or undefined for anything else. */
export function platformLineType(message: string): string | undefined {
  switch (message.charCodeAt(0)) {
    case 0x52: // R
      if (isTextAt(message, 'REPORT', 0)) return followedByRequestId(message, 6) ? 'REPORT' : undefined;
      if (isTextAt(message, 'RESTORE_START', 0)) return followedByNamedKey(message, 13) ? 'RESTORE_START' : undefined;
      if (isTextAt(message, 'RESTORE_REPORT', 0)) return followedByNamedKey(message, 14) ? 'RESTORE_REPORT' : undefined;
      return undefined;
    case 0x53: // S
      return isTextAt(message, 'START', 0) && followedByRequestId(message, 5) ? 'START' : undefined;
    case 0x45: // E
      if (isTextAt(message, 'END', 0)) return followedByRequestId(message, 3) ? 'END' : undefined;
      return isTextAt(message, 'EXTENSION', 0) && followedByName(message, 9) ? 'EXTENSION' : undefined;
    case 0x49: // I
      if (isTextAt(message, 'INIT_START', 0)) return followedByNamedKey(message, 10) ? 'INIT_START' : undefined;
      if (isTextAt(message, 'INIT_REPORT', 0)) return followedByNamedKey(message, 11) ? 'INIT_REPORT' : undefined;
      return undefined;
    case 0x4c: // L
      return isTextAt(message, 'LOGS', 0) && followedByName(message, 4) ? 'LOGS' : undefined;
    case 0x54: // T
      return isTextAt(message, 'TELEMETRY', 0) && followedByName(message, 9) ? 'TELEMETRY' : undefined;
    default:
      return undefined;
  }
}

/** `[ \t]+RequestId:` at `at`. */
function followedByRequestId(message: string, at: number): boolean {
  const next = skipBlanks(message, at);
  return next > at && isTextAt(message, 'RequestId:', next);
}

/** `[ \t]+[A-Z][A-Za-z ]{0,40}:` at `at` (`INIT_START Runtime Version:`). */
function followedByNamedKey(message: string, at: number): boolean {
  const next = skipBlanks(message, at);
  if (next === at || !isUpperCase(message.charCodeAt(next))) return false;
  const limit = Math.min(message.length, next + 42);
  for (let index = next + 1; index < limit; index += 1) {
    const code = message.charCodeAt(index);
    if (code === 0x3a) return true;
    if (code !== 0x20 && !isUpperCase(code) && !(code >= 0x61 && code <= 0x7a)) return false;
  }
  return false;
}

/** `\t+Name:` at `at` (extension registrations). */
function followedByName(message: string, at: number): boolean {
  let next = at;
  while (message.charCodeAt(next) === 0x09) next += 1;
  return next > at && isTextAt(message, 'Name:', next);
}

function isUpperCase(code: number): boolean {
  return code >= 0x41 && code <= 0x5a;
}
