import { SingleBar } from 'cli-progress';

/**
 * Progress of a history read. The number of events ahead is unknown (neither
 * FilterLogEvents nor LookupEvents says), so the bar shows how much of the time range
 * is covered, with events, documents and the event rate beside it.
 */
export interface BackfillProgress {
  /** A new stretch of work (a log group, or the CloudTrail range). */
  begin(label: string, range: { start: number; end: number }): void;
  /** Adds a page's counts; `reached` is the latest event time read (or the window end). */
  advance(events: number, documents: number, reached: number | undefined): void;
  stop(): void;
}

/** A bar on stderr when it is a terminal; silent otherwise or with `--quiet`. */
export function createBackfillProgress(enabled = process.stderr.isTTY === true, clock: () => number = Date.now): BackfillProgress {
  if (!enabled) return { begin() {}, advance() {}, stop() {} };
  const bar = new SingleBar({
    format: '{label} {bar} {percentage}% of range | {events} events | {documents} documents | {rate} events/s',
    stream: process.stderr,
    hideCursor: true,
    barsize: 24,
  });
  let running = false;
  let range = { start: 0, end: 1 };
  let events = 0;
  let documents = 0;
  let started = clock();
  const payload = (label?: string) => ({
    ...(label !== undefined && { label }),
    events,
    documents,
    rate: Math.round(events / Math.max((clock() - started) / 1000, 0.001)),
  });
  return {
    begin(label, next) {
      range = next;
      if (running) bar.stop();
      started = clock();
      events = 0;
      documents = 0;
      bar.start(1000, 0, payload(label));
      running = true;
    },
    advance(moreEvents, moreDocuments, reached) {
      events += moreEvents;
      documents += moreDocuments;
      const span = Math.max(1, range.end - range.start);
      const done = reached === undefined ? undefined : Math.round(((reached - range.start) / span) * 1000);
      bar.update(done === undefined ? bar.getProgress() * 1000 : Math.min(1000, Math.max(0, done)), payload());
    },
    stop() {
      if (running) bar.stop();
      running = false;
    },
  };
}
