import { LAMBDA_TAGS, type LambdaFields, type LambdaLineResult } from './lambda-fields';
import { toUtcIso } from './lambda-time';

/**
 * The function's own lines (`record_type: "log"`). They are never failures: a function
 * may print anything. What the runtime's logger adds is read when it is there.
 */

// The runtimes' log levels, in the order a RegExp alternation would try them (`WARN`
// before `WARNING`: a level must be followed by its terminator, so order only decides
// which is tried first, never which matches).
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'WARNING', 'ERROR', 'FATAL', 'CRITICAL'] as const;
const TIMED_OUT = 'Task timed out after ';

/**
 * Reads a plain-text line the function (or its runtime's logger) wrote. Two shapes carry
 * a time and a request id, told apart by the first character:
 * Node.js and most runtimes: `<time>\t<requestId>\t<LEVEL>\t<text>` (the runtime's own
 * `Task timed out` line uses spaces and no level); Python's default handler:
 * `[<LEVEL>]\t<time>\t<requestId>\t<text>`. Read by hand, not by RegExp: this is the
 * commonest line of a Lambda log group.
 */
export function readAppTextLine(message: string): LambdaLineResult {
  const first = message.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) return readRuntimeLine(message);
  if (first === 0x5b) return readPythonLine(message);
  return { ok: true, lambda: { record_type: 'log' } };
}

/** `^<time>[ \t]+<requestId>(?:[ \t]+<LEVEL>(?=[ \t]|$))?` */
function readRuntimeLine(message: string): LambdaLineResult {
  const timeEnd = utcTimeEnd(message, 0);
  const idStart = timeEnd === -1 ? -1 : skipBlanks(message, timeEnd);
  if (idStart === timeEnd || !isRequestIdAt(message, idStart)) return { ok: true, lambda: { record_type: 'log' } };
  let rest = idStart + REQUEST_ID_LENGTH;
  const levelStart = skipBlanks(message, rest);
  const level = levelStart > rest ? levelAt(message, levelStart, isBlankOrEnd) : undefined;
  if (level !== undefined) rest = levelStart + level.length;
  return appLine(message, message.slice(0, timeEnd), message.slice(idStart, idStart + REQUEST_ID_LENGTH), level, rest);
}

/** `^\[<LEVEL>\]\t<time>\t<requestId>(?=\t|$)` */
function readPythonLine(message: string): LambdaLineResult {
  const level = levelAt(message, 1, isClosingBracket);
  const timeStart = level === undefined ? -1 : level.length + 3;
  if (level === undefined || message.charCodeAt(timeStart - 1) !== 0x09) return { ok: true, lambda: { record_type: 'log' } };
  const timeEnd = utcTimeEnd(message, timeStart);
  const idStart = timeEnd + 1;
  const idEnd = idStart + REQUEST_ID_LENGTH;
  if (timeEnd === -1 || message.charCodeAt(timeEnd) !== 0x09 || !isRequestIdAt(message, idStart) || !isTabOrEnd(message, idEnd)) {
    return { ok: true, lambda: { record_type: 'log' } };
  }
  return appLine(message, message.slice(timeStart, timeEnd), message.slice(idStart, idEnd), level, idEnd);
}

function appLine(message: string, time: string, requestId: string, level: string | undefined, rest: number): LambdaLineResult {
  const lambda: LambdaFields = { record_type: 'log', request_id: requestId };
  // The level goes under `aws.lambda.log`, where the JSON log format keeps it too, so that
  // one field filters both formats.
  if (level !== undefined) lambda.log = { level };
  const textStart = skipBlanks(message, rest);
  const tags = message.startsWith(TIMED_OUT, textStart) ? [LAMBDA_TAGS.timeout] : undefined;
  const timestamp = toUtcIso(time);
  if (timestamp === undefined) return tags === undefined ? { ok: true, lambda } : { ok: true, lambda, tags };
  return tags === undefined ? { ok: true, lambda, timestamp } : { ok: true, lambda, timestamp, tags };
}
/** Reads a JSON line the function wrote (no platform `type`): kept whole under `aws.lambda.log`. */
export function readAppJsonLine(json: Record<string, unknown>): LambdaLineResult {
  const lambda: LambdaFields = { record_type: 'log', log: json };
  // `requestId`: Lambda's JSON log format; `function_request_id`: Powertools' logger.
  const requestId = json.requestId ?? json.function_request_id;
  if (typeof requestId === 'string' && requestId !== '') lambda.request_id = requestId;
  const timestamp = toUtcIso(json.timestamp);
  return timestamp === undefined ? { ok: true, lambda } : { ok: true, lambda, timestamp };
}

const REQUEST_ID_LENGTH = 36;

/** `8-4-4-4-12` hexadecimal digits at `at`. */
function isRequestIdAt(message: string, at: number): boolean {
  if (at < 0 || at + REQUEST_ID_LENGTH > message.length) return false;
  for (let index = 0; index < REQUEST_ID_LENGTH; index += 1) {
    const code = message.charCodeAt(at + index);
    const isDash = index === 8 || index === 13 || index === 18 || index === 23;
    if (isDash ? code !== 0x2d : !isHexDigit(code)) return false;
  }
  return true;
}

// `\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}`, a `0` standing for a digit.
const TIME_SHAPE = '0000-00-00T00:00:00';

/** The end of `<time>(?:\.\d{1,9})?Z` at `at` (after the `Z`), or -1. */
function utcTimeEnd(message: string, at: number): number {
  if (at + TIME_SHAPE.length >= message.length) return -1;
  for (let index = 0; index < TIME_SHAPE.length; index += 1) {
    const code = message.charCodeAt(at + index);
    const expected = TIME_SHAPE.charCodeAt(index);
    if (expected === 0x30 ? !isDigit(code) : code !== expected) return -1;
  }
  let end = at + TIME_SHAPE.length;
  if (message.charCodeAt(end) === 0x2e) {
    // Counting a tenth digit is enough to refuse the time.
    let digits = 0;
    while (digits < 10 && isDigit(message.charCodeAt(end + 1 + digits))) digits += 1;
    if (digits < 1 || digits > 9) return -1;
    end += 1 + digits;
  }
  return message.charCodeAt(end) === 0x5a ? end + 1 : -1;
}

/** The level at `at` that `terminated` accepts the character after, if any. */
function levelAt(message: string, at: number, terminated: (message: string, index: number) => boolean): string | undefined {
  for (const level of LEVELS) if (message.startsWith(level, at) && terminated(message, at + level.length)) return level;
  return undefined;
}

function isBlankOrEnd(message: string, index: number): boolean {
  const code = message.charCodeAt(index);
  return code === 0x20 || code === 0x09 || index >= message.length;
}

function isTabOrEnd(message: string, index: number): boolean {
  return index >= message.length || message.charCodeAt(index) === 0x09;
}

function isClosingBracket(message: string, index: number): boolean {
  return message.charCodeAt(index) === 0x5d;
}

function skipBlanks(message: string, at: number): number {
  let next = at;
  for (let code = message.charCodeAt(next); code === 0x20 || code === 0x09; code = message.charCodeAt(next)) next += 1;
  return next;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}
