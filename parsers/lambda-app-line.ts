import { LAMBDA_TAGS, toUtcIso, type LambdaFields, type LambdaLineResult } from './lambda-fields';

/**
 * The function's own lines (`record_type: "log"`). They are never failures: a function
 * may print anything. What the runtime's logger adds is read when it is there.
 */

const LEVEL = '(TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)';
const TIME = '(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?Z)';
const REQUEST_ID = '([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})';

// Node.js and most runtimes: `<time>\t<requestId>\t<LEVEL>\t<text>`; the runtime's own
// `Task timed out` line uses spaces and no level.
const RUNTIME_LINE = new RegExp(`^${TIME}[ \\t]+${REQUEST_ID}(?:[ \\t]+${LEVEL}(?=[ \\t]|$))?`);
// Python's default handler: `[<LEVEL>]\t<time>\t<requestId>\t<text>`.
const PYTHON_LINE = new RegExp(`^\\[${LEVEL}\\]\\t${TIME}\\t${REQUEST_ID}(?=\\t|$)`);

const TIMED_OUT = 'Task timed out after ';

/** Reads a plain-text line the function (or its runtime's logger) wrote. */
export function readAppTextLine(message: string): LambdaLineResult {
  const lambda: LambdaFields = { record_type: 'log' };
  let rest: number;
  let time: string | undefined;
  let level: string | undefined;

  const runtime = RUNTIME_LINE.exec(message);
  const python = runtime ? null : PYTHON_LINE.exec(message);
  if (runtime) {
    [, time, lambda.request_id, level] = runtime;
    rest = runtime[0].length;
  } else if (python) {
    [, level, time, lambda.request_id] = python;
    rest = python[0].length;
  } else {
    return { ok: true, lambda };
  }

  // The level goes under `aws.lambda.log`, where the JSON log format keeps it too, so that
  // one field filters both formats.
  if (level !== undefined) lambda.log = { level };
  while (message[rest] === ' ' || message[rest] === '\t') rest += 1;
  const tags = message.startsWith(TIMED_OUT, rest) ? [LAMBDA_TAGS.timeout] : undefined;
  const timestamp = toUtcIso(time);
  return { ok: true, lambda, ...(timestamp && { timestamp }), ...(tags && { tags }) };
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
