/**
 * The three ways a slow log writes time, normalised to ISO 8601 UTC with `Z`.
 * Every function returns undefined for a value it cannot read; none throws.
 */

const ISO_TIME =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})T(?<hour>\d{2}):(?<minute>\d{2}):(?<second>\d{2})(?:\.(?<fraction>\d{1,9}))?(?<zone>Z|[+-]\d{2}:\d{2})$/;

// MySQL <= 5.6 and MariaDB: `%02d%02d%02d %2d:%02d:%02d`, so the hour is space-padded
// (`240305  7:01:02`). Percona with microsecond precision adds a fraction.
const SHORT_TIME =
  /^(?<year>\d{2})(?<month>\d{2})(?<day>\d{2}) {1,2}(?<hour>\d{1,2}):(?<minute>\d{2}):(?<second>\d{2})(?:\.(?<fraction>\d{1,12}))?$/;

// Year 9999-12-31T23:59:59Z: beyond it `toISOString` leaves the four-digit form.
const MAX_EPOCH_SECONDS = 253_402_300_799;

interface Instant {
  /** Whole seconds since the epoch, UTC. */
  readonly epochSeconds: number;
  /** The fraction digits as written (may be empty). */
  readonly fraction: string;
}

/** `# Time:` value (ISO with `Z` or offset, or `YYMMDD H:MM:SS` read as UTC) -> ISO UTC with milliseconds. */
export function parseSlowLogTime(value: string): string | undefined {
  const instant = readIso(value) ?? readShort(value);
  return instant && formatInstant(instant, 3);
}

/** `Start:` / `End:` of `log_slow_extra` -> ISO UTC keeping every fraction digit written. */
export function parseIsoTime(value: string): string | undefined {
  const instant = readIso(value);
  return instant && formatInstant(instant, instant.fraction.length);
}

/** `SET timestamp=<n>` (epoch seconds, decimal digits) -> ISO UTC with milliseconds. */
export function epochSecondsToIso(digits: string): string | undefined {
  if (digits.length > 15) return undefined;
  const seconds = Number(digits);
  return seconds <= MAX_EPOCH_SECONDS ? formatInstant({ epochSeconds: seconds, fraction: '' }, 3) : undefined;
}

function readIso(value: string): Instant | undefined {
  const groups = ISO_TIME.exec(value)?.groups;
  if (!groups) return undefined;
  const zone = groups['zone']!;
  const offsetMinutes =
    zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return toInstant(groups, Number(groups['year']), offsetMinutes);
}

function readShort(value: string): Instant | undefined {
  const groups = SHORT_TIME.exec(value)?.groups;
  // The two-digit year is this century's: no slow log predates 2000 on RDS.
  return groups ? toInstant(groups, 2000 + Number(groups['year']), 0) : undefined;
}

function toInstant(groups: Record<string, string | undefined>, year: number, offsetMinutes: number): Instant | undefined {
  const month = Number(groups['month']);
  const day = Number(groups['day']);
  const hour = Number(groups['hour']);
  const minute = Number(groups['minute']);
  const second = Number(groups['second']);
  if (year < 1970 || hour > 23 || minute > 59 || second > 59) return undefined;
  const localMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(localMs);
  // Date.UTC rolls 31 February over into March; a rolled date was not a real one.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  const epochSeconds = localMs / 1000 - offsetMinutes * 60;
  if (epochSeconds < 0 || epochSeconds > MAX_EPOCH_SECONDS) return undefined;
  return { epochSeconds, fraction: groups['fraction'] ?? '' };
}

function formatInstant(instant: Instant, digits: number): string {
  const whole = new Date(instant.epochSeconds * 1000).toISOString().slice(0, 19);
  const fraction = instant.fraction.slice(0, 9).padEnd(digits, '0').slice(0, digits);
  return fraction === '' ? `${whole}Z` : `${whole}.${fraction}Z`;
}
