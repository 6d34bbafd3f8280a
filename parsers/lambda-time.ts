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
  if (!ISO_TIME.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/**
 * `YYYY-MM-DDTHH:mm:ss.sssZ` naming a real instant (month 1-12, a day of that month,
 * hour < 24, minute and second < 60): exactly the strings `toISOString` returns for
 * years 0000-9999, so `new Date(Date.parse(value)).toISOString() === value` for them.
 */
export function isCanonicalUtcIso(value: string): boolean {
  if (
    value.length !== 24 ||
    value.charCodeAt(4) !== 0x2d ||
    value.charCodeAt(7) !== 0x2d ||
    value.charCodeAt(10) !== 0x54 ||
    value.charCodeAt(13) !== 0x3a ||
    value.charCodeAt(16) !== 0x3a ||
    value.charCodeAt(19) !== 0x2e ||
    value.charCodeAt(23) !== 0x5a
  ) {
    return false;
  }
  const year = digitsAt(value, 0, 4);
  const month = digitsAt(value, 5, 2);
  const day = digitsAt(value, 8, 2);
  return (
    year >= 0 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    isBelow(digitsAt(value, 11, 2), 24) &&
    isBelow(digitsAt(value, 14, 2), 60) &&
    isBelow(digitsAt(value, 17, 2), 60) &&
    digitsAt(value, 20, 3) >= 0
  );
}

/** The number written by `count` digits at `at`, or -1 when one of them is not a digit. */
function digitsAt(value: string, at: number, count: number): number {
  let number = 0;
  for (let index = at; index < at + count; index += 1) {
    const digit = value.charCodeAt(index) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    number = number * 10 + digit;
  }
  return number;
}

function isBelow(number: number, limit: number): boolean {
  return number >= 0 && number < limit;
}

/** Days of a month in the proleptic Gregorian calendar that Date uses. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
