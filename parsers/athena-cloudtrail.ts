import { detectAthenaClient } from './cloudtrail-client';
import { readUserIdentity } from './cloudtrail-identity';
import { isIpAddress } from './cloudtrail-ip';
import { addDefined, asObject, nonEmptyObject, readJsonMessage, text, type JsonObject } from './cloudtrail-json';
import { eventTimestamp } from './cloudtrail-time';
import type { Fields, ParseContext, ParseResult } from './types';

/**
 * CloudTrail trail log groups: one compact CloudTrail event per message, whatever the
 * service, read into the common CloudTrail fields of schema.md. Athena's own calls and
 * the calls Athena makes for a query (`invokedBy: athena.amazonaws.com`: Glue
 * `GetTable`/`GetPartitions`, Lake Formation `GetDataAccess`, ...) become `aws.athena`
 * documents, since they say which tables a query read and for whom; events of every other
 * service are handed to `generic` with the same fields, id, event time and region.
 */

/** Athena's `eventSource`, and the `userIdentity.invokedBy` of the calls it makes for a query. */
export const ATHENA_SERVICE = 'athena.amazonaws.com';
// CloudTrail writes these instead of the SQL / code it will not disclose.
const PLACEHOLDERS = new Set(['***OMITTED***', 'HIDDEN_FOR_SECURITY_REASONS']);

/** Parses one CloudTrail event (compact JSON) from a trail's log group. */
export function parseAthenaCloudTrail(message: string, _context?: ParseContext): ParseResult {
  const read = readEvent(message);
  if (!read.ok) return read;
  const { event, timestamp } = read;
  const result: Located = isAthenaEvent(event)
    ? { ok: true, fields: cloudTrailFields(event, true), timestamp }
    : { ok: true, belongsTo: 'generic', fields: cloudTrailFields(event, false), timestamp };
  const id = text(event.eventID);
  if (id !== undefined) result.id = id;
  const region = text(event.awsRegion);
  if (region !== undefined) result.region = region;
  return result;
}

/** A successful result being built; absent values are never written, not even as undefined. */
interface Located {
  ok: true;
  belongsTo?: 'generic';
  fields: Fields;
  timestamp: string;
  id?: string;
  region?: string;
}

type ReadEvent = { ok: true; event: JsonObject; timestamp: string } | { ok: false; reason: string };

function readEvent(message: string): ReadEvent {
  const json = readJsonMessage(message);
  if (!json.ok) return { ok: false, reason: `not a CloudTrail event: ${json.reason}` };
  const event = json.value;
  if (Array.isArray(event.Records)) {
    return { ok: false, reason: 'a {"Records":[…]} file, not one CloudTrail event: split it into single events first' };
  }
  if (text(event.eventSource) === undefined || text(event.eventName) === undefined) {
    return { ok: false, reason: 'not a CloudTrail event: eventSource or eventName missing' };
  }
  const eventTime = text(event.eventTime);
  const timestamp = eventTime === undefined ? undefined : eventTimestamp(eventTime);
  if (timestamp === undefined) return { ok: false, reason: 'CloudTrail event without a valid ISO eventTime' };
  return { ok: true, event, timestamp };
}

/** Athena's own calls, and the calls Athena made on the caller's behalf. */
function isAthenaEvent(event: JsonObject): boolean {
  return event.eventSource === ATHENA_SERVICE || asObject(event.userIdentity)?.invokedBy === ATHENA_SERVICE;
}

/**
 * The document fields of a CloudTrail event, built member by member: absent values are
 * never written. `aws.athena.*` only for the Athena dataset; `aws.athena.client` (who
 * called Athena) only on Athena's own calls.
 */
function cloudTrailFields(event: JsonObject, athena: boolean): Fields {
  const request = asObject(event.requestParameters);
  const response = asObject(event.responseElements);
  const { identity, userName, roles, person } = readUserIdentity(event.userIdentity);
  const errorCode = text(event.errorCode);
  const userAgent = text(event.userAgent);
  const sourceAddress = text(event.sourceIPAddress);

  const aws: Fields = {};
  if (athena) {
    const client = event.eventSource === ATHENA_SERVICE ? detectAthenaClient(userAgent, identity.invoked_by) : undefined;
    addDefined(aws, 'athena', athenaOf(event, request, response, client));
  }
  const userIdentity: Fields = { ...identity };
  addDefined(userIdentity, 'person', person);
  addDefined(aws, 'cloudtrail', cloudTrailOf(event, request, response, userIdentity, errorCode));
  const fields: Fields = { event: eventOf(event, errorCode), aws };
  if (userName !== undefined || roles !== undefined) {
    const user: Fields = {};
    addDefined(user, 'name', userName);
    addDefined(user, 'roles', roles);
    fields.user = user;
  }
  // Service callers log a host name (`glue.amazonaws.com`, `AWS Internal`) here; only a
  // real address may go to the `ip` field, or OpenSearch refuses the whole document.
  if (sourceAddress !== undefined) {
    fields.source = isIpAddress(sourceAddress) ? { ip: sourceAddress } : { domain: sourceAddress };
  }
  if (userAgent !== undefined) fields.user_agent = { original: userAgent };
  return fields;
}

/** `event.*`: the call, its service, its id and whether it failed. */
function eventOf(event: JsonObject, errorCode: string | undefined): Fields {
  // readEvent checked that eventName and eventSource are non-empty strings.
  const fields: Fields = { action: event.eventName, provider: event.eventSource };
  addDefined(fields, 'id', text(event.eventID));
  fields.outcome = errorCode === undefined ? 'success' : 'failure';
  return fields;
}

/** `aws.athena.*`, or undefined when the call names none of them. */
function athenaOf(
  event: JsonObject,
  request: JsonObject | undefined,
  response: JsonObject | undefined,
  client: string | undefined,
): Fields | undefined {
  const queryString = text(request?.queryString);
  const omitted = queryString !== undefined && PLACEHOLDERS.has(queryString);
  const context = asObject(request?.queryExecutionContext);
  const athena: Fields = {};
  addDefined(athena, 'client', client);
  addDefined(athena, 'query_execution_id', text(response?.queryExecutionId) ?? text(request?.queryExecutionId));
  addDefined(athena, 'query_execution_ids', executionIds(request?.queryExecutionIds));
  if (omitted) athena.query_omitted = true;
  else addDefined(athena, 'query', queryString);
  // CreateWorkGroup names the new work group `name`; every other call says `workGroup`.
  const createdWorkGroup = event.eventName === 'CreateWorkGroup' ? text(request?.name) : undefined;
  addDefined(athena, 'work_group', text(request?.workGroup) ?? createdWorkGroup);
  addDefined(athena, 'database', text(context?.database) ?? text(request?.database) ?? text(request?.databaseName));
  addDefined(athena, 'catalog', text(context?.catalog) ?? text(request?.catalogName));
  addDefined(athena, 'output_location', text(asObject(request?.resultConfiguration)?.outputLocation));
  return nonEmptyObject(athena);
}

/** `aws.cloudtrail.*`, or undefined when the event carries none of them. */
function cloudTrailOf(
  event: JsonObject,
  request: JsonObject | undefined,
  response: JsonObject | undefined,
  identity: Fields,
  errorCode: string | undefined,
): Fields | undefined {
  const cloudtrail: Fields = {};
  addDefined(cloudtrail, 'request_id', text(event.requestID));
  addDefined(cloudtrail, 'event_type', text(event.eventType));
  addDefined(cloudtrail, 'recipient_account_id', text(event.recipientAccountId));
  addDefined(cloudtrail, 'read_only', flag(event.readOnly));
  addDefined(cloudtrail, 'error_code', errorCode);
  addDefined(cloudtrail, 'error_message', text(event.errorMessage));
  addDefined(cloudtrail, 'user_identity', nonEmptyObject(identity));
  addDefined(cloudtrail, 'request_parameters', request);
  addDefined(cloudtrail, 'response_elements', response);
  return nonEmptyObject(cloudtrail);
}

/** The non-empty string members of `queryExecutionIds`, or undefined when there are none. */
function executionIds(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const ids: string[] = [];
  for (const member of value) if (typeof member === 'string' && member !== '') ids.push(member);
  return ids.length > 0 ? ids : undefined;
}

/** `readOnly` is a JSON boolean; some producers write it as a string. */
function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}
