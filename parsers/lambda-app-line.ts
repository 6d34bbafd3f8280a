import { LAMBDA_TAGS, type LambdaFields, type LambdaLineResult } from './lambda-fields';
import { isTextAt, skipBlanks } from './lambda-text-scan';
import { toUtcIso } from './lambda-time';

/**
 * The function's own lines (`record_type: "log"`). They are never failures: a function
 * may print anything. What the runtime's logger adds is read when it is there.
 */

const TIMED_OUT = 'Task timed out after ';

/**
 * Reads a plain-text line the function (or its runtime's logger) wrote. Two shapes carry
 * a time and a request id, told apart by the first character:
 * Node.js and most runtimes: `<time>\t<requestId>\t<LEVEL>\t<text>` (the runtime's own
 * `Task timed out` line uses spaces and no level); Python's default handler:
 * `[<LEVEL>]\t<time>\t<requestId>\t<text>`. This is the commonest line of a Lambda log
 * group: the parts are checked in place, and only the values kept are sliced out.
 */
export function readAppTextLine(message: string): LambdaLineResult {
  const first = message.charCodeAt(0);
  if (first >= 0x30 && first <= 0x39) return readRuntimeLine(message);
  if (first === 0x5b) return readPythonLine(message);
  return plainLogLine();
}

/** `^<time>[ \t]+<requestId>(?:[ \t]+<LEVEL>(?=[ \t]|$))?` */
function readRuntimeLine(message: string): LambdaLineResult {
  const timeEnd = utcTimeEnd(message, 0);
  const idStart = timeEnd === -1 ? -1 : skipBlanks(message, timeEnd);
  if (idStart === timeEnd || !isRequestIdAt(message, idStart)) return plainLogLine();
  let rest = idStart + REQUEST_ID_LENGTH;
  const levelStart = skipBlanks(message, rest);
  const level = levelStart > rest ? levelAt(message, levelStart, isBlankOrEnd) : undefined;
  if (level !== undefined) rest = levelStart + level.length;
  const requestId = message.slice(idStart, idStart + REQUEST_ID_LENGTH);
  return appLine(message, message.slice(0, timeEnd), requestId, level, rest);
}

/** `^\[<LEVEL>\]\t<time>\t<requestId>(?=\t|$)` */
function readPythonLine(message: string): LambdaLineResult {
  const level = levelAt(message, 1, isClosingBracket);
  const timeStart = level === undefined ? -1 : level.length + 3;
  if (level === undefined || message.charCodeAt(timeStart - 1) !== 0x09) return plainLogLine();
  const timeEnd = utcTimeEnd(message, timeStart);
  const idStart = timeEnd + 1;
  const idEnd = idStart + REQUEST_ID_LENGTH;
  if (timeEnd === -1 || message.charCodeAt(timeEnd) !== 0x09) return plainLogLine();
  if (!isRequestIdAt(message, idStart) || !isTabOrEnd(message, idEnd)) return plainLogLine();
  return appLine(message, message.slice(timeStart, timeEnd), message.slice(idStart, idEnd), level, idEnd);
}

/** The fields of an app line whose time, request id and level were found; `rest` is where its text starts. */
function appLine(message: string, time: string, requestId: string, level: string | undefined, rest: number): LambdaLineResult {
  const lambda: LambdaFields = { record_type: 'log', request_id: requestId };
  // The level goes under `aws.lambda.log`, where the JSON log format keeps it too, so that
  // one field filters both formats.
  if (level !== undefined) lambda.log = { level };
  const textStart = skipBlanks(message, rest);
  const timedOut = message.charCodeAt(textStart) === 0x54 && isTextAt(message, TIMED_OUT, textStart);
  const tags = timedOut ? [LAMBDA_TAGS.timeout] : undefined;
  const timestamp = toUtcIso(time);
  if (timestamp === undefined) return tags === undefined ? { ok: true, lambda } : { ok: true, lambda, tags };
  return tags === undefined ? { ok: true, lambda, timestamp } : { ok: true, lambda, timestamp, tags };
}

/** A line with nothing to read but its text (a fresh object: the caller adds to it). */
function plainLogLine(): LambdaLineResult {
  return { ok: true, lambda: { record_type: 'log' } };
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
// Sticky, without groups: a test at a position, natively, with no match array. Shared
// RegExps are safe: parsing is synchronous, and lastIndex is set before each use.
const REQUEST_ID = /[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/y;
const UTC_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z/y;

/** `8-4-4-4-12` hexadecimal digits at `at`. */
function isRequestIdAt(message: string, at: number): boolean {
  REQUEST_ID.lastIndex = at;
  return at >= 0 && REQUEST_ID.test(message);
}

/** The end of `<time>(?:\.\d{1,9})?Z` at `at` (after the `Z`), or -1. */
function utcTimeEnd(message: string, at: number): number {
  UTC_TIME.lastIndex = at;
  return UTC_TIME.test(message) ? UTC_TIME.lastIndex : -1;
}

/** Whether the character at `index` may follow a level. */
type Terminator = (message: string, index: number) => boolean;

/**
 * The log level at `at` when `terminated` accepts the character after it. The first
 * character names the one candidate; `WARN` is tried before `WARNING`, as a RegExp
 * alternation would, and the terminator decides between them.
 */
function levelAt(message: string, at: number, terminated: Terminator): string | undefined {
  switch (message.charCodeAt(at)) {
    case 0x54: // T
      return levelIf(message, 'TRACE', at, terminated);
    case 0x44: // D
      return levelIf(message, 'DEBUG', at, terminated);
    case 0x49: // I
      return levelIf(message, 'INFO', at, terminated);
    case 0x57: // W
      return levelIf(message, 'WARN', at, terminated) ?? levelIf(message, 'WARNING', at, terminated);
    case 0x45: // E
      return levelIf(message, 'ERROR', at, terminated);
    case 0x46: // F
      return levelIf(message, 'FATAL', at, terminated);
    case 0x43: // C
      return levelIf(message, 'CRITICAL', at, terminated);
    default:
      return undefined;
  }
}

function levelIf(message: string, level: string, at: number, terminated: Terminator): string | undefined {
  return isTextAt(message, level, at) && terminated(message, at + level.length) ? level : undefined;
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
