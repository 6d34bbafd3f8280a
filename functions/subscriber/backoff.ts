/** Options for `withBackoff`; `sleep` and `random` are injectable so tests take no time. */
export interface BackoffOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly retryable: (error: unknown) => boolean;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Called before each wait, for logging. */
  readonly onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `operation`, retrying retryable errors with exponential backoff and full jitter. */
export async function withBackoff<T>(operation: () => Promise<T>, options: BackoffOptions): Promise<T> {
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= options.attempts || !options.retryable(error)) throw error;
      const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
      const waitMs = Math.round(random() * ceiling);
      options.onRetry?.(error, attempt, waitMs);
      await sleep(waitMs);
    }
  }
}
