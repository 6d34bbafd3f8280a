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
import { isPlatformRecord, readPlatformRecord } from './lambda-json-record';
import { platformLineType, readPlatformLine } from './lambda-text-line';
import type { ParseContext, ParseResult } from './types';

/**
 * Lambda log groups: platform lines (text and JSON log format) become `aws.lambda.*`
 * metrics; the function's own lines are kept as `record_type: "log"`.
 */

/** Parses one CloudWatch message of a Lambda log group. */
export function parseLambdaPlatform(message: string, context: ParseContext): ParseResult {
  const line = readLine(message);
  const lambda: LambdaFields = {
    function_name: functionNameFromLogGroup(context.logGroup) ?? line.lambda.function_name,
    // The line's own version (START, platform.start) is the more direct witness.
    function_version: line.lambda.function_version ?? functionVersionFromLogStream(context.logStream),
  };
  const fields = { aws: { lambda: compact({ ...line.lambda, ...lambda }) } };
  if (!line.ok) return { ok: false, reason: line.reason, fields };

  const tags = [...(line.tags ?? [])];
  if (line.lambda.cold_start === true) tags.push(LAMBDA_TAGS.coldStart);
  return {
    ok: true,
    fields,
    ...(line.timestamp !== undefined && { timestamp: line.timestamp }),
    ...(tags.length > 0 && { tags }),
  };
}

function readLine(message: string): LambdaLineResult {
  const recordType = platformLineType(message);
  if (recordType !== undefined) return readPlatformLine(message, recordType);
  const json = parseJsonObject(message);
  if (json === undefined) return readAppTextLine(message);
  return isPlatformRecord(json) ? readPlatformRecord(json) : readAppJsonLine(json);
}
