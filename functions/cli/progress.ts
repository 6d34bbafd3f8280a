import { SingleBar, Presets } from 'cli-progress';

/** A progress bar on stderr for long runs; silent when stderr is not a terminal or `--quiet`. */
export interface Progress {
  /** `totalBytes`: the size of every input file together. */
  start(totalBytes: number): void;
  /** Adds `bytes` of input read, the log `events` they held and the `documents` they produced. */
  advance(bytes: number, events: number, documents: number): void;
  stop(): void;
}

/** Bytes as a person reads them: 512 B, 3.4 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'] as const;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function createProgress(enabled = process.stderr.isTTY === true, stream: NodeJS.WritableStream = process.stderr): Progress {
  if (!enabled) return { start() {}, advance() {}, stop() {} };
  const bar = new SingleBar(
    {
      format: '{bar} {percentage}% | {read} of {size} | {events} events, {documents} documents | {rate} events/s | eta {eta_formatted}',
      stream,
      hideCursor: true,
      etaBuffer: 50,
      // Redraw even when the terminal check fails (a test's stream); the caller decides `enabled`.
      noTTYOutput: true,
    },
    Presets.shades_classic,
  );
  let started = 0;
  let bytes = 0;
  let documents = 0;
  let events = 0;
  let size = '';
  return {
    start(totalBytes) {
      started = Date.now();
      size = formatBytes(totalBytes);
      bar.start(totalBytes, 0, { read: formatBytes(0), size, events: 0, documents: 0, rate: 0 });
    },
    advance(read, moreEvents, produced) {
      bytes += read;
      events += moreEvents;
      documents += produced;
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      bar.increment(read, { read: formatBytes(bytes), size, events, documents, rate: Math.round(events / seconds) });
    },
    stop() {
      bar.stop();
    },
  };
}
