import { SingleBar, Presets } from 'cli-progress';

/** A progress bar on stderr for long runs; silent when stderr is not a terminal or `--quiet`. */
export interface Progress {
  start(total: number, unit: string): void;
  /** Adds `done` units of work and the documents they produced. */
  advance(done: number, documents: number): void;
  stop(): void;
}

export function createProgress(enabled = process.stderr.isTTY === true): Progress {
  if (!enabled) return { start() {}, advance() {}, stop() {} };
  const bar = new SingleBar(
    {
      format: '{bar} {percentage}% | {value}/{total} {unit} | {documents} documents | {rate} events/s | eta {eta_formatted}',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  let started = 0;
  let documents = 0;
  let events = 0;
  return {
    start(total, unit) {
      started = Date.now();
      bar.start(total, 0, { unit, documents: 0, rate: 0 });
    },
    advance(done, produced) {
      documents += produced;
      events += done;
      const seconds = Math.max((Date.now() - started) / 1000, 0.001);
      bar.increment(done, { documents, rate: Math.round(events / seconds) });
    },
    stop() {
      bar.stop();
    },
  };
}
