/**
 * Event times of Lambda lines, normalised to ISO 8601 UTC with `Z` (the form
 * `toISOString` gives), so that the document's `@timestamp` reads the same for every
 * runtime's spelling.
 */

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** An ISO 8601 time with a zone, as ISO UTC with `Z`; undefined for anything else. */
export function toUtcIso(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // Runtimes write times already in that form: returned as they are, which spares a
  // Date.parse and a new string per line.
  if (isCanonicalUtcIso(value)) return value;
  return ISO_TIME.test(value) ? isoOfParsedTime(Date.parse(value)) : undefined;
}

// 0000-01-01T00:00:00.000Z and 10000-01-01T00:00:00.000Z. Outside them `toISOString`
// writes a signed six-digit year (`-000001-12-31T23:00:00.000Z` for
// `0000-01-01T00:00:00+01:00`), which is no four-digit ISO time: the document's
// @timestamp and its daily index name would be garbage.
const YEAR_0 = -62_167_219_200_000;
const YEAR_10000 = 253_402_300_800_000;

/** `Date.parse`'s result as `toISOString` text, or undefined for NaN and times outside the years 0000-9999. */
export function isoOfParsedTime(time: number): string | undefined {
  return time >= YEAR_0 && time < YEAR_10000 ? new Date(time).toISOString() : undefined;
}

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` naming a real instant (month 1-12, a day of that month,
 * hour < 24, minute and second < 60): exactly the strings `toISOString` returns for
 * years 0000-9999, so `new Date(Date.parse(value)).toISOString() === value` for them.
 */
export function isCanonicalUtcIso(value: string): boolean {
  if (!CANONICAL_UTC_ISO.test(value)) return false;
  const day = twoDigits(value, 8);
  return day <= 28 || day <= daysInMonth(twoDigits(value, 0) * 100 + twoDigits(value, 2), twoDigits(value, 5));
}

// Ranges in the pattern; only days 29-31 need the calendar.
const CANONICAL_UTC_ISO = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

function twoDigits(value: string, at: number): number {
  return (value.charCodeAt(at) - 0x30) * 10 + (value.charCodeAt(at + 1) - 0x30);
}

/** Days of a month in the proleptic Gregorian calendar that Date uses. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
