import { parseJsonObject } from './generic';
import { readAppJsonLine, readAppTextLine } from './lambda-app-line';
import {
  LAMBDA_TAGS,
  compact,
  functionNameFromLogGroup,
  functionVersionFromLogStream,
  type LambdaFields,
  type LambdaLineResult,
} from './lambda-fields';
import { isRegExpSpace } from './lambda-text-keys';
import { isPlatformRecord, readPlatformRecord } from './lambda-json-record';
import { platformLineType, readPlatformLine } from './lambda-text-line';
import type { ParseContext, ParseResult } from './types';

/**
 * Lambda log groups: platform lines (text and JSON log format) become `aws.lambda.*`
 * metrics; the function's own lines are kept as `record_type: "log"`.
 */

/** Parses one CloudWatch message of a Lambda log group. */
export function parseLambdaPlatform(message: string, context: ParseContext): ParseResult {
  const recordType = platformLineType(message);
  if (recordType !== undefined) return toResult(readPlatformLine(message, recordType), context, false);
  // Only a message that starts with `{`, maybe after blanks, can be a JSON object.
  const first = message.charCodeAt(0);
  const json = first === 0x7b || isRegExpSpace(first) ? parseJsonObject(message) : undefined;
  if (json === undefined) return toResult(readAppTextLine(message), context, false);
  // A platform record reads every member it knows, present or not: its gaps are dropped here.
  return isPlatformRecord(json) ? toResult(readPlatformRecord(json), context, true) : toResult(readAppJsonLine(json), context, false);
}

function toResult(line: LambdaLineResult, context: ParseContext, hasGaps: boolean): ParseResult {
  const lambda = withFunctionIds(line.lambda, context);
  const fields = { aws: { lambda: hasGaps ? compact(lambda) : lambda } };
  if (!line.ok) return { ok: false, reason: line.reason, fields };

  const tags = lambda.cold_start === true ? [...(line.tags ?? []), LAMBDA_TAGS.coldStart] : line.tags;
  if (line.timestamp === undefined) return tags === undefined ? { ok: true, fields } : { ok: true, fields, tags };
  return tags === undefined ? { ok: true, fields, timestamp: line.timestamp } : { ok: true, fields, timestamp: line.timestamp, tags };
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
