import type { Registry } from '../../parsers/registry';

/**
 * The time of a raw line comes from the stream, never from the file's metadata, so the same
 * line replayed from a copy, a touched file or another machine gets the same time and index:
 *
 * 1. a line that writes its own time (the parser reads it: a slow log's `# Time:`, a Lambda
 *    app line's timestamp, a JSON `timestamp`) keeps it;
 * 2. a line without one (a Lambda START/END/REPORT line, a plain text line) takes the nearest
 *    time written before it in the same stream, or, when none comes before, the first after it;
 * 3. only when no line of the stream has a time does `fallback` (the `--time` option) apply;
 *    without it the result has `undefined` and the caller refuses the input.
 */
export function streamTimes(own: readonly (number | undefined)[], fallback?: number): (number | undefined)[] {
  const times: (number | undefined)[] = [];
  let previous: number | undefined;
  for (const time of own) {
    if (time !== undefined) previous = time;
    times.push(previous);
  }
  // Lines before the stream's first written time take that first time.
  const first = own.find((time) => time !== undefined) ?? fallback;
  return times.map((time) => time ?? first);
}

// An ISO 8601 time with its zone at the very start of a line: `2026-11-21T10:00:00.123Z app started`.
const LEADING_TIME = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2}))(?=[\s\]]|$)/;

/**
 * Reads the time a message writes itself: the one its parser reads, or else an ISO 8601
 * time with a zone at the start of the line (most application logs begin so).
 */
export function ownTimeReader(registry: Registry, logGroup: string, logStream: string): (message: string) => number | undefined {
  const parser = registry.route(logGroup);
  return (message) => {
    const result = parser.parse(message, { logGroup, logStream, timestamp: 0 });
    const written = result.ok && result.timestamp !== undefined ? result.timestamp : LEADING_TIME.exec(message)?.[1]?.replace(' ', 'T').replace(',', '.');
    if (written === undefined) return undefined;
    const time = Date.parse(written);
    return Number.isNaN(time) ? undefined : time;
  };
}
