import { detectAthenaClient } from './cloudtrail-client';
import { readUserIdentity } from './cloudtrail-identity';
import { isIpAddress } from './cloudtrail-ip';
import { asObject, compact, nonEmptyObject, text, type JsonObject } from './cloudtrail-json';
import { readJsonObject } from './generic';
import type { Fields, ParseContext, ParseResult } from './types';

/**
 * CloudTrail trail log groups: one compact CloudTrail event per message. Athena API calls
 * become `aws.athena` documents; events of every other service are handed to `generic`
 * (same document id, event time and region), since a trail carries them all.
 */

const ATHENA_SOURCE = 'athena.amazonaws.com';
// CloudTrail writes these instead of the SQL / code it will not disclose.
const PLACEHOLDERS = new Set(['***OMITTED***', 'HIDDEN_FOR_SECURITY_REASONS']);
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Parses one CloudTrail event (compact JSON) from a trail's log group. */
export function parseAthenaCloudTrail(message: string, _context?: ParseContext): ParseResult {
  const read = readEvent(message);
  if (!read.ok) return read;
  const { event, timestamp } = read;
  const id = text(event.eventID);
  const region = text(event.awsRegion);
  const located = { timestamp, ...(id && { id }), ...(region && { region }) };

  if (event.eventSource !== ATHENA_SOURCE) {
    return { ok: true, belongsTo: 'generic', fields: { cloudwatch: { json: event } }, ...located };
  }
  return { ok: true, fields: athenaFields(event), ...located };
}

type ReadEvent = { ok: true; event: JsonObject; timestamp: string } | { ok: false; reason: string };

function readEvent(message: string): ReadEvent {
  const json = readJsonObject(message);
  if (!json.ok) return { ok: false, reason: `not a CloudTrail event: ${json.reason}` };
  const event = json.value;
  if (Array.isArray(event.Records)) {
    return { ok: false, reason: 'a {"Records":[…]} file, not one CloudTrail event: split it into single events first' };
  }
  if (text(event.eventSource) === undefined || text(event.eventName) === undefined) {
    return { ok: false, reason: 'not a CloudTrail event: eventSource or eventName missing' };
  }
  const eventTime = text(event.eventTime);
  const time = eventTime !== undefined && EVENT_TIME.test(eventTime) ? Date.parse(eventTime) : Number.NaN;
  if (Number.isNaN(time)) return { ok: false, reason: 'CloudTrail event without a valid ISO eventTime' };
  return { ok: true, event, timestamp: new Date(time).toISOString() };
}

function athenaFields(event: JsonObject): Fields {
  const request = asObject(event.requestParameters);
  const response = asObject(event.responseElements);
  const { identity, userName } = readUserIdentity(event.userIdentity);
  const errorCode = text(event.errorCode);
  const userAgent = text(event.userAgent);
  const sourceAddress = text(event.sourceIPAddress);

  const queryString = text(request?.queryString);
  const omitted = queryString !== undefined && PLACEHOLDERS.has(queryString);
  const context = asObject(request?.queryExecutionContext);
  const ids = Array.isArray(request?.queryExecutionIds)
    ? request.queryExecutionIds.filter((member): member is string => typeof member === 'string' && member !== '')
    : undefined;

  const athena = compact({
    client: detectAthenaClient(userAgent, identity.invoked_by),
    query_execution_id: text(response?.queryExecutionId) ?? text(request?.queryExecutionId),
    query_execution_ids: ids !== undefined && ids.length > 0 ? ids : undefined,
    query: omitted ? undefined : queryString,
    query_omitted: omitted ? true : undefined,
    // CreateWorkGroup names the new work group `name`; every other call says `workGroup`.
    work_group: text(request?.workGroup) ?? (event.eventName === 'CreateWorkGroup' ? text(request?.name) : undefined),
    database: text(context?.database) ?? text(request?.database) ?? text(request?.databaseName),
    catalog: text(context?.catalog) ?? text(request?.catalogName),
    output_location: text(asObject(request?.resultConfiguration)?.outputLocation),
  });

  const cloudtrail = compact({
    request_id: text(event.requestID),
    event_type: text(event.eventType),
    recipient_account_id: text(event.recipientAccountId),
    read_only: flag(event.readOnly),
    error_code: errorCode,
    error_message: text(event.errorMessage),
    user_identity: nonEmptyObject(compact(identity)),
    request_parameters: request,
    response_elements: response,
  });

  const isAddress = sourceAddress !== undefined && isIpAddress(sourceAddress);
  return compact({
    event: compact({
      action: text(event.eventName),
      provider: text(event.eventSource),
      id: text(event.eventID),
      outcome: errorCode === undefined ? 'success' : 'failure',
    }),
    aws: compact({ athena: nonEmptyObject(athena), cloudtrail: nonEmptyObject(cloudtrail) }),
    user: userName === undefined ? undefined : { name: userName },
    // Service callers log a host name (`glue.amazonaws.com`, `AWS Internal`) here; only a
    // real address may go to the `ip` field, or OpenSearch refuses the whole document.
    source: sourceAddress === undefined ? undefined : isAddress ? { ip: sourceAddress } : { domain: sourceAddress },
    user_agent: userAgent === undefined ? undefined : { original: userAgent },
  });
}

/** `readOnly` is a JSON boolean; some producers write it as a string. */
function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}
