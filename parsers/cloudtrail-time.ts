// The test for a time already in toISOString form is the one the Lambda parser uses.
import { isCanonicalUtcIso, isoOfParsedTime } from './lambda-time';

/**
 * CloudTrail `eventTime` -> ISO 8601 UTC with milliseconds, the form `toISOString`
 * gives; undefined when it is not an ISO time with a zone.
 */

const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** The event time as `toISOString` would write it, or undefined. */
export function eventTimestamp(eventTime: string): string | undefined {
  // CloudTrail writes whole seconds (`2026-11-22T10:00:00Z`). When that names a real
  // instant, its ISO form is the same text with `.000`: no Date round trip is needed.
  const withMilliseconds =
    eventTime.length === 20 && eventTime.charCodeAt(19) === 0x5a ? `${eventTime.slice(0, 19)}.000Z` : eventTime;
  if (isCanonicalUtcIso(withMilliseconds)) return withMilliseconds;
  return EVENT_TIME.test(eventTime) ? isoOfParsedTime(Date.parse(eventTime)) : undefined;
}
