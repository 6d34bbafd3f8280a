/**
 * The three ways a slow log writes time, normalised to ISO 8601 UTC with `Z`.
 * Every function returns undefined for a value it cannot read; none throws.
 *
 * Read and written by hand rather than with regexes, `Date.UTC` and `toISOString`: an
 * entry carries up to four times, and these took a fifth of the parser's time.
 */

// Year 9999-12-31T23:59:59Z: beyond it `toISOString` leaves the four-digit form.
const MAX_EPOCH_SECONDS = 253_402_300_799;

interface Instant {
  /** Whole seconds since the epoch, UTC. */
  readonly epochSeconds: number;
  /** The fraction digits as written (may be empty). */
  readonly fraction: string;
  /** The text read, when it is in UTC: its first 19 characters are then `YYYY-MM-DDTHH:MM:SS`. */
  readonly utcSource?: string;
}

/** `# Time:` value (ISO with `Z` or offset, or `YYMMDD H:MM:SS` read as UTC) -> ISO UTC with milliseconds. */
export function parseSlowLogTime(value: string): string | undefined {
  const instant = readIso(value) ?? readShort(value);
  return instant && formatInstant(instant, 3);
}

/** `Start:` / `End:` of `log_slow_extra` -> ISO UTC keeping every fraction digit written. */
export function parseIsoTime(value: string): string | undefined {
  const instant = readIso(value);
  if (instant === undefined) return undefined;
  // A valid value in `Z` is already in its normal form (the common MySQL 8 case).
  return value.endsWith('Z') ? value : formatInstant(instant, instant.fraction.length);
}

/** `SET timestamp=<n>` (epoch seconds, decimal digits) -> ISO UTC with milliseconds. */
export function epochSecondsToIso(digits: string): string | undefined {
  if (digits.length > 15) return undefined;
  const seconds = Number(digits);
  return seconds <= MAX_EPOCH_SECONDS ? formatInstant({ epochSeconds: seconds, fraction: '' }, 3) : undefined;
}

/** `^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$` */
function readIso(value: string): Instant | undefined {
  if (
    value.length < 20 ||
    !areDigits(value, 0, 4) ||
    value.charCodeAt(4) !== MINUS ||
    !areDigits(value, 5, 2) ||
    value.charCodeAt(7) !== MINUS ||
    !areDigits(value, 8, 2) ||
    value.charCodeAt(10) !== 0x54 /* T */ ||
    !isClock(value, 11)
  ) {
    return undefined;
  }
  let zone = 19;
  let fraction = '';
  if (value.charCodeAt(zone) === DOT) {
    const end = digitsEnd(value, zone + 1);
    if (end === zone + 1 || end - zone - 1 > 9) return undefined;
    fraction = value.slice(zone + 1, end);
    zone = end;
  }
  const offsetMinutes = readZone(value, zone);
  if (offsetMinutes === undefined) return undefined;
  const year = twoDigits(value, 0) * 100 + twoDigits(value, 2);
  const instant = toInstant(value, year, twoDigits(value, 5), twoDigits(value, 8), 11, fraction, offsetMinutes);
  if (instant === undefined || offsetMinutes !== 0) return instant;
  return { epochSeconds: instant.epochSeconds, fraction, utcSource: value };
}

/** `Z` or `[+-]HH:MM` ending `value` at `at` -> the offset in minutes; undefined otherwise. */
function readZone(value: string, at: number): number | undefined {
  const sign = value.charCodeAt(at);
  if (sign === 0x5a /* Z */) return at + 1 === value.length ? 0 : undefined;
  if ((sign !== PLUS && sign !== MINUS) || at + 6 !== value.length) return undefined;
  if (!areDigits(value, at + 1, 2) || value.charCodeAt(at + 3) !== COLON || !areDigits(value, at + 4, 2)) return undefined;
  const minutes = twoDigits(value, at + 1) * 60 + twoDigits(value, at + 4);
  return sign === MINUS ? -minutes : minutes;
}

// MySQL <= 5.6 and MariaDB: `%02d%02d%02d %2d:%02d:%02d`, so the hour is space-padded
// (`240305  7:01:02`). Percona with microsecond precision adds a fraction.
/** `^(\d{2})(\d{2})(\d{2}) {1,2}(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,12}))?$` */
function readShort(value: string): Instant | undefined {
  if (!areDigits(value, 0, 6)) return undefined;
  let at = 6;
  while (at < 8 && value.charCodeAt(at) === SPACE) at += 1;
  if (at === 6) return undefined;
  // The clock is read as `HH:MM:SS` at `clock`: a one-digit hour is read with the blank before it.
  const hourEnd = digitsEnd(value, at);
  if (hourEnd === at || hourEnd - at > 2) return undefined;
  const clock = hourEnd - 2;
  if (!isClock(value, clock, true)) return undefined;
  let fraction = '';
  if (clock + 8 < value.length) {
    const end = digitsEnd(value, clock + 9);
    if (value.charCodeAt(clock + 8) !== DOT || end !== value.length || end === clock + 9 || end - clock - 9 > 12) {
      return undefined;
    }
    fraction = value.slice(clock + 9);
  }
  // The two-digit year is this century's: no slow log predates 2000 on RDS.
  return toInstant(value, 2000 + twoDigits(value, 0), twoDigits(value, 2), twoDigits(value, 4), clock, fraction, 0);
}

/** `HH:MM:SS` at `at` (the first hour digit may be a blank when `paddedHour`). */
function isClock(value: string, at: number, paddedHour = false): boolean {
  return (
    (isDigit(value.charCodeAt(at)) || (paddedHour && value.charCodeAt(at) === SPACE)) &&
    isDigit(value.charCodeAt(at + 1)) &&
    value.charCodeAt(at + 2) === COLON &&
    areDigits(value, at + 3, 2) &&
    value.charCodeAt(at + 5) === COLON &&
    areDigits(value, at + 6, 2)
  );
}

/** Checks the date and clock (the clock's `HH:MM:SS` at `clock`) and places them in time. */
function toInstant(
  value: string,
  year: number,
  month: number,
  day: number,
  clock: number,
  fraction: string,
  offsetMinutes: number,
): Instant | undefined {
  const hour = twoDigits(value, clock);
  const minute = twoDigits(value, clock + 3);
  const second = twoDigits(value, clock + 6);
  if (year < 1970 || hour > 23 || minute > 59 || second > 59) return undefined;
  // Not rolled over as Date.UTC would (31 February into March): such a date was not a real one.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const epochSeconds = daysSinceEpoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  if (epochSeconds < 0 || epochSeconds > MAX_EPOCH_SECONDS) return undefined;
  return { epochSeconds, fraction };
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** Days from 1970-01-01 to a valid date (H. Hinnant's `days_from_civil`), as `Date.UTC(…) / 86_400_000`. */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const marchYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(marchYear / 400);
  const yearOfEra = marchYear - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

function formatInstant(instant: Instant, digits: number): string {
  // In UTC the date and clock as written are what `toISOString` would print.
  const whole = instant.utcSource === undefined ? utcText(instant.epochSeconds) : instant.utcSource.slice(0, 19);
  const fraction = instant.fraction.slice(0, 9).padEnd(digits, '0').slice(0, digits);
  return fraction === '' ? `${whole}Z` : `${whole}.${fraction}Z`;
}

/** `YYYY-MM-DDTHH:MM:SS` of whole epoch seconds, as `toISOString` writes it. */
function utcText(epochSeconds: number): string {
  if (!Number.isInteger(epochSeconds) || epochSeconds < 0) {
    return new Date(epochSeconds * 1000).toISOString().slice(0, 19);
  }
  const days = Math.floor(epochSeconds / 86_400);
  const secondOfDay = epochSeconds - days * 86_400;
  // Civil date from days since 1970-01-01 (H. Hinnant's `civil_from_days`, years >= 0).
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return (
    `${year}-${pad2(month)}-${pad2(day)}T` +
    `${pad2(Math.floor(secondOfDay / 3600))}:${pad2(Math.floor(secondOfDay / 60) % 60)}:${pad2(secondOfDay % 60)}`
  );
}

function pad2(value: number): string {
  return value < 10 ? `0${value}` : `${value}`;
}

const SPACE = 0x20;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const COLON = 0x3a;

function isDigit(char: number): boolean {
  return char >= 0x30 && char <= 0x39;
}

function areDigits(value: string, at: number, count: number): boolean {
  for (let i = at; i < at + count; i += 1) if (!isDigit(value.charCodeAt(i))) return false;
  return true;
}

function digitsEnd(value: string, at: number): number {
  let end = at;
  while (isDigit(value.charCodeAt(end))) end += 1;
  return end;
}

/** Two characters at `at` as a number; a blank first one (a padded hour) counts as 0. */
function twoDigits(value: string, at: number): number {
  const tens = value.charCodeAt(at);
  return (tens === SPACE ? 0 : (tens - 0x30) * 10) + value.charCodeAt(at + 1) - 0x30;
}
