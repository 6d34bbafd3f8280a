/**
 * What a dead-letter message holds. The shipper's on-failure destination writes Lambda's
 * invocation record (`{version, requestContext, requestPayload, responseContext,
 * responsePayload}`, the original event in `requestPayload`); a function dead-letter queue
 * holds the event itself. Lambda leaves `requestPayload` out when the record would exceed
 * the destination's size limit, and Kinesis failure records carry only shard and sequence
 * numbers: neither can be replayed from the message.
 */
export type ExtractedPayload =
  | { readonly ok: true; readonly data: string; readonly condition?: string }
  | { readonly ok: false; readonly reason: string };

/** Finds the CloudWatch Logs `awslogs.data` to replay in a message body. */
export function extractSubscriptionData(body: string | undefined): ExtractedPayload {
  if (body === undefined || body === '') return { ok: false, reason: 'the message has no body' };
  const parsed = parseJsonObject(body, 'body');
  if (!parsed.ok) return parsed;
  const { value } = parsed;
  if ('KinesisBatchInfo' in value) {
    return {
      ok: false,
      reason: 'a Kinesis batch-failure record (shard and sequence numbers only): re-read the records from the stream',
    };
  }
  const condition = isObject(value.requestContext) && typeof value.requestContext.condition === 'string' ? value.requestContext.condition : undefined;
  let event: unknown = value;
  if ('requestPayload' in value || 'requestContext' in value) {
    if (!('requestPayload' in value)) {
      return { ok: false, reason: 'the invocation record carries no requestPayload (Lambda drops it when the record exceeds the destination size limit)' };
    }
    event = typeof value.requestPayload === 'string' ? parseLoose(value.requestPayload) : value.requestPayload;
  }
  const data = isObject(event) && isObject(event.awslogs) ? event.awslogs.data : undefined;
  if (typeof data !== 'string') {
    return { ok: false, reason: 'no awslogs.data in the event: not a CloudWatch Logs subscription event' };
  }
  return { ok: true, data, ...(condition !== undefined && { condition }) };
}

function parseLoose(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `text` as a JSON object, or why it is not one (`what` names it: the body, the object). */
export function parseJsonObject(
  text: string,
  what: string,
): { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `the ${what} is not JSON (${(error as Error).message})` };
  }
  return isObject(value) ? { ok: true, value } : { ok: false, reason: `the ${what} is not a JSON object` };
}

/** A JSON object (not null, not an array): the shape both dead-letter readers look into. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
