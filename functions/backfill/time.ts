import { ConfigError } from '../pipeline/errors';

const UNIT_MS = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

const RELATIVE = /^(\d+)\s*([smhdw])$/i;
// A calendar date first, so that "12" or "7x" are never taken for a time by Date.parse.
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+)?(?:Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads `--since`/`--until`: `now`, a relative age (`30m`, `12h`, `7d`, `2w`, `90s`) counted
 * back from `now`, or an ISO 8601 time (a date alone is midnight UTC; no zone means UTC).
 * Returns epoch ms; `option` names the flag in the error.
 */
export function parseTimeArgument(value: string, now: number, option: string): number {
  const text = value.trim();
  if (text.toLowerCase() === 'now') return now;
  const relative = RELATIVE.exec(text);
  if (relative) {
    const unit = relative[2]!.toLowerCase() as keyof typeof UNIT_MS;
    return now - Number(relative[1]) * UNIT_MS[unit];
  }
  if (ISO_LIKE.test(text)) {
    const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text);
    const withZone = hasZone || !/[T ]/.test(text) ? text : `${text}Z`;
    const time = Date.parse(withZone.replace(' ', 'T'));
    if (!Number.isNaN(time)) return time;
  }
  throw new ConfigError(option, `"${value}" is not a time: use an ISO 8601 time (2026-11-01T00:00:00Z) or an age such as 30m, 12h, 7d`);
}

/** Resolves `--since` and `--until` (default now) and checks their order. */
export function parseTimeRange(since: string, until: string | undefined, now: number): { start: number; end: number } {
  const start = parseTimeArgument(since, now, '--since');
  const end = until === undefined ? now : parseTimeArgument(until, now, '--until');
  if (start >= end) {
    throw new ConfigError('--since', `${new Date(start).toISOString()} is not before --until ${new Date(end).toISOString()}`);
  }
  return { start, end };
}
