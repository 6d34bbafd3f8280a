/**
 * The three ways a slow log writes time, normalised to ISO 8601 UTC with `Z`.
 * Every function returns undefined for a value it cannot read; none throws.
 *
 * Read and written by hand rather than with regexes, `Date.UTC` and `toISOString`: an
 * entry carries up to four times, and these took a fifth of the parser's time.
 */
import { CodeUnitReader, type CodeUnits } from './slowquery-code-units';

// The code units of a time given as a string (see slowquery-code-units.ts).
const TIME_UNITS = new CodeUnitReader();

// Year 9999-12-31T23:59:59Z: beyond it `toISOString` leaves the four-digit form.
const MAX_EPOCH_SECONDS = 253_402_300_799;
const NOT_A_TIME = -1;

/** `# Time:` value (ISO with `Z` or offset, or `YYMMDD H:MM:SS` read as UTC) -> ISO UTC with milliseconds. */
export function parseSlowLogTime(value: string): string | undefined {
  const iso = isoEpochSeconds(TIME_UNITS.read(value), 0, value.length);
  // In `Z` with three fraction digits or more (MySQL 5.7 and 8): the text up to the milliseconds.
  if (iso !== NOT_A_TIME && value.length >= 24 && value.endsWith('Z')) return `${value.slice(0, 23)}Z`;
  const seconds = iso === NOT_A_TIME ? shortEpochSeconds(value) : iso;
  if (seconds === NOT_A_TIME) return undefined;
  const fraction = fractionDigits(value);
  const milliseconds = fraction.length >= 3 ? fraction.slice(0, 3) : fraction.padEnd(3, '0');
  return `${utcDateAndClock(value, iso, seconds)}.${milliseconds}Z`;
}

/** `Start:` / `End:` of `log_slow_extra` -> ISO UTC keeping every fraction digit written. */
export function parseIsoTime(value: string): string | undefined {
  return parseIsoTimeAt(value, TIME_UNITS.read(value), 0, value.length);
}

/** `parseIsoTime(text.slice(start, end))`, read from `units`, the code units of `text`. */
export function parseIsoTimeAt(text: string, units: CodeUnits, start: number, end: number): string | undefined {
  const seconds = isoEpochSeconds(units, start, end);
  if (seconds === NOT_A_TIME) return undefined;
  // A valid value in `Z` is already in its normal form (the common MySQL 8 case).
  if (units[end - 1] === ZULU) return text.slice(start, end);
  const value = text.slice(start, end);
  const fraction = fractionDigits(value);
  return fraction === '' ? `${utcText(seconds)}Z` : `${utcText(seconds)}.${fraction}Z`;
}

/** `SET timestamp=<n>` (epoch seconds, decimal digits) -> ISO UTC with milliseconds. */
export function epochSecondsToIso(digits: string): string | undefined {
  // Entries next to each other are mostly of the same second.
  if (digits === lastEpochDigits) return lastEpochIso;
  if (digits.length > 15) return undefined;
  const seconds = Number(digits);
  const iso = seconds <= MAX_EPOCH_SECONDS ? `${utcText(seconds)}.000Z` : undefined;
  lastEpochDigits = digits;
  lastEpochIso = iso;
  return iso;
}

let lastEpochDigits: string | undefined;
let lastEpochIso: string | undefined;

/**
 * `^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$`
 * of the text whose code units are `units[start, end)` -> epoch seconds, or NOT_A_TIME.
 * Read from code units, not the string: a value cut from a header line is a slice of the
 * message, on which each `charCodeAt` cost ~5 ns (an entry has up to three such times).
 * Every read below is inside the value: the fixed ones by the length check, the rest bounded by `end`.
 */
function isoEpochSeconds(units: CodeUnits, start: number, end: number): number {
  if (end - start < 20) return NOT_A_TIME;
  const century = unitsDigitPair(units, start);
  const yearOfCentury = unitsDigitPair(units, start + 2);
  const month = unitsDigitPair(units, start + 5);
  const day = unitsDigitPair(units, start + 8);
  const hour = unitsDigitPair(units, start + 11);
  const minute = unitsDigitPair(units, start + 14);
  const second = unitsDigitPair(units, start + 17);
  if (
    (century | yearOfCentury | month | day | hour | minute | second) < 0 ||
    units[start + 4] !== MINUS ||
    units[start + 7] !== MINUS ||
    units[start + 10] !== 0x54 /* T */ ||
    units[start + 13] !== COLON ||
    units[start + 16] !== COLON
  ) {
    return NOT_A_TIME;
  }
  let zone = start + 19;
  if (units[zone] === DOT) {
    zone = unitsDigitsEnd(units, start + 20, end);
    if (zone === start + 20 || zone > start + 29) return NOT_A_TIME;
  }
  const offsetMinutes = zoneOffsetMinutes(units, zone, end);
  if (offsetMinutes === undefined) return NOT_A_TIME;
  return epochSeconds(century * 100 + yearOfCentury, month, day, hour, minute, second, offsetMinutes);
}

/** `Z` or `[+-]HH:MM` from `at` to `end` -> the offset in minutes; undefined otherwise. */
function zoneOffsetMinutes(units: CodeUnits, at: number, end: number): number | undefined {
  if (at >= end) return undefined;
  const sign = units[at];
  if (sign === ZULU) return at + 1 === end ? 0 : undefined;
  if ((sign !== PLUS && sign !== MINUS) || at + 6 !== end || units[at + 3] !== COLON) return undefined;
  const hours = unitsDigitPair(units, at + 1);
  const minutes = unitsDigitPair(units, at + 4);
  if ((hours | minutes) < 0) return undefined;
  return sign === MINUS ? -(hours * 60 + minutes) : hours * 60 + minutes;
}

// MySQL <= 5.6 and MariaDB: `%02d%02d%02d %2d:%02d:%02d`, so the hour is space-padded
// (`240305  7:01:02`). Percona with microsecond precision adds a fraction.
/** `^(\d{2})(\d{2})(\d{2}) {1,2}(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,12}))?$` -> epoch seconds, or NOT_A_TIME. */
function shortEpochSeconds(value: string): number {
  const yearOfCentury = digitPair(value, 0);
  const month = digitPair(value, 2);
  const day = digitPair(value, 4);
  if ((yearOfCentury | month | day) < 0) return NOT_A_TIME;
  let at = 6;
  while (at < 8 && value.charCodeAt(at) === SPACE) at += 1;
  const hourEnd = digitsEnd(value, at);
  if (at === 6 || hourEnd === at || hourEnd - at > 2) return NOT_A_TIME;
  // `HH:MM:SS` from `clock`; a one-digit hour is read with the blank before it.
  const clock = hourEnd - 2;
  const hour = hourEnd - at === 1 ? value.charCodeAt(at) - 0x30 : digitPair(value, clock);
  const minute = digitPair(value, clock + 3);
  const second = digitPair(value, clock + 6);
  if ((minute | second) < 0 || value.charCodeAt(clock + 2) !== COLON || value.charCodeAt(clock + 5) !== COLON) {
    return NOT_A_TIME;
  }
  if (clock + 8 < value.length) {
    const end = digitsEnd(value, clock + 9);
    if (value.charCodeAt(clock + 8) !== DOT || end !== value.length || end === clock + 9 || end - clock - 9 > 12) {
      return NOT_A_TIME;
    }
  }
  // The two-digit year is this century's: no slow log predates 2000 on RDS.
  return epochSeconds(2000 + yearOfCentury, month, day, hour, minute, second, 0);
}

/** Checks a date and clock and places them in time: epoch seconds, or NOT_A_TIME. */
function epochSeconds(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offsetMinutes: number,
): number {
  if (year < 1970 || hour > 23 || minute > 59 || second > 59) return NOT_A_TIME;
  // Not rolled over as Date.UTC would (31 February into March): such a date was not a real one.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NOT_A_TIME;
  const seconds = daysSinceEpoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  return seconds < 0 || seconds > MAX_EPOCH_SECONDS ? NOT_A_TIME : seconds;
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

/** The fraction digits after the `.` of a valid time value ('' when it has none). */
function fractionDigits(value: string): string {
  const dot = value.indexOf('.');
  return dot < 0 ? '' : value.slice(dot + 1, digitsEnd(value, dot + 1));
}

/** `YYYY-MM-DDTHH:MM:SS` of a valid value; `iso` is its ISO reading (NOT_A_TIME for the short form). */
function utcDateAndClock(value: string, iso: number, seconds: number): string {
  // In `Z` the date and clock as written are what `toISOString` would print.
  return iso !== NOT_A_TIME && value.endsWith('Z') ? value.slice(0, 19) : utcText(seconds);
}

/** `YYYY-MM-DDTHH:MM:SS` of epoch seconds, as `toISOString` writes it. */
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
  const hour = Math.floor(secondOfDay / 3600);
  const minute = Math.floor(secondOfDay / 60) % 60;
  const second = secondOfDay % 60;
  // One string from the nineteen characters (1970 <= year <= 9999 here): a template of
  // padded numbers made several strings and cost ~0.2 µs a call.
  return String.fromCharCode(
    tensOf(Math.floor(year / 100)), onesOf(Math.floor(year / 100)), tensOf(year % 100), onesOf(year % 100), MINUS,
    tensOf(month), onesOf(month), MINUS, tensOf(day), onesOf(day), 0x54 /* T */,
    tensOf(hour), onesOf(hour), COLON, tensOf(minute), onesOf(minute), COLON, tensOf(second), onesOf(second),
  );
}

/** The character of the tens digit of `value` (0-99). */
function tensOf(value: number): number {
  return 0x30 + Math.floor(value / 10);
}

/** The character of the ones digit of `value` (0-99). */
function onesOf(value: number): number {
  return 0x30 + (value % 10);
}

const SPACE = 0x20;
const ZULU = 0x5a;
const PLUS = 0x2b;
const MINUS = 0x2d;
const DOT = 0x2e;
const COLON = 0x3a;

/** The two digits at `at` as a number, or -1 when they are not two digits. */
function digitPair(value: string, at: number): number {
  const tens = value.charCodeAt(at) - 0x30;
  const ones = value.charCodeAt(at + 1) - 0x30;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/** `digitPair` over code units (the caller keeps `at + 1` inside the value). */
function unitsDigitPair(units: CodeUnits, at: number): number {
  const tens = units[at]! - 0x30;
  const ones = units[at + 1]! - 0x30;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

/** `digitsEnd` over code units, stopping at `end`. */
function unitsDigitsEnd(units: CodeUnits, at: number, end: number): number {
  let i = at;
  while (i < end && units[i]! >= 0x30 && units[i]! <= 0x39) i += 1;
  return i;
}

function digitsEnd(value: string, at: number): number {
  let end = at;
  for (let char = value.charCodeAt(end); char >= 0x30 && char <= 0x39; char = value.charCodeAt(end)) end += 1;
  return end;
}
