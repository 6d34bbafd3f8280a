import { readJsonMessage } from './cloudtrail-json';
import { readAppJsonLine, readAppTextLine } from './lambda-app-line';
import {
  LAMBDA_TAGS,
  functionNameFromLogGroup,
  functionVersionFromLogStream,
  type LambdaFields,
  type LambdaLineResult,
} from './lambda-fields';
import { isPlatformRecord, readPlatformRecord } from './lambda-json-record';
import { platformLineType } from './lambda-line-type';
import { renderLambdaLine } from './lambda-render';
import { readPlatformLine } from './lambda-text-line';
import { isRegExpSpace } from './lambda-text-scan';
import type { ParseContext, ParseResult } from './types';

/**
 * Lambda log groups: platform lines (text and JSON log format) become `aws.lambda.*`
 * metrics; the function's own lines are kept as `record_type: "log"`.
 */

/** How plain-text platform lines are read: the production scanner, or the grammar's regexes. */
export interface TextLineReader {
  readonly lineType: (message: string) => string | undefined;
  readonly readLine: (message: string, recordType: string) => LambdaLineResult;
}

const SCANNER: TextLineReader = { lineType: platformLineType, readLine: readPlatformLine };

/** Parses one CloudWatch message of a Lambda log group. */
export function parseLambdaPlatform(message: string, context: ParseContext): ParseResult {
  return parseWith(SCANNER, message, context);
}

/** The Lambda parser with another reader of plain-text platform lines. */
export function createLambdaParser(text: TextLineReader): (message: string, context: ParseContext) => ParseResult {
  return (message, context) => parseWith(text, message, context);
}

function parseWith(text: TextLineReader, message: string, context: ParseContext): ParseResult {
  const line = readLine(message, context, text);
  const result = toResult(line, context);
  // The default path ends here: the check below runs only when the pipeline would drop messages.
  if (context.reportReadFully !== true || !result.ok) return result;
  return writesBack(line.lambda, result.timestamp, message) ? { ...result, readFully: true } : result;
}

/**
 * True when the fields the document holds (`aws.lambda`, after `withFunctionIds`, and the
 * time) write back to exactly the message: then it is read fully, by construction.
 */
function writesBack(lambda: LambdaFields, timestamp: string | undefined, message: string): boolean {
  return renderLambdaLine(lambda, timestamp) === message;
}

function readLine(message: string, context: ParseContext, text: TextLineReader): LambdaLineResult {
  const recordType = text.lineType(message);
  if (recordType !== undefined) return text.readLine(message, recordType);
  // Only a message that starts with `{`, maybe after blanks, can be a JSON object.
  const first = message.charCodeAt(0);
  const read = first === 0x7b || isRegExpSpace(first) ? readJsonMessage(message) : undefined;
  if (read === undefined || !read.ok) return readAppTextLine(message);
  return isPlatformRecord(read.value) ? readPlatformRecord(read.value, context) : readAppJsonLine(read.value);
}

function toResult(line: LambdaLineResult, context: ParseContext): ParseResult {
  const fields = { aws: { lambda: withFunctionIds(line.lambda, context) } };
  if (!line.ok) return { ok: false, reason: line.reason, fields };

  const tags = line.lambda.cold_start === true ? [...(line.tags ?? []), LAMBDA_TAGS.coldStart] : line.tags;
  if (line.timestamp === undefined) return tags === undefined ? { ok: true, fields } : { ok: true, fields, tags };
  const timestamp = line.timestamp;
  return tags === undefined ? { ok: true, fields, timestamp } : { ok: true, fields, timestamp, tags };
}

/**
 * Adds the function's name (the log group's says it best) and version (the line's own,
 * from START or platform.start, is the more direct witness) to the line's fields. They
 * take the places they would take in `{ ...line, function_name, function_version }`.
 */
function withFunctionIds(lambda: LambdaFields, context: ParseContext): LambdaFields {
  const name = functionNameFromLogGroup(context.logGroup) ?? lambda.function_name;
  const version = lambda.function_version ?? functionVersionFromLogStream(context.logStream);
  if (name !== undefined) lambda.function_name = name;
  if (version !== undefined) lambda.function_version = version;
  return lambda;
}
