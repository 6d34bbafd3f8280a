import { setTimeout as delay } from 'node:timers/promises';

/**
 * Backoff for AWS API calls (Athena, CloudTrail, CloudWatch Logs). The SDK's own retry
 * gives up after 3 attempts within a second or two; the history readers and the enricher
 * must outlast longer throttling, so they wrap each call in this loop as well.
 */

/** Error codes the AWS APIs use for throttling (names of the modeled exceptions, or `Code`). */
export const THROTTLING_CODES: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);

/** Server-side errors worth another try. */
export const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'InternalServerException',
  'InternalFailure',
  'InternalServiceError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'OperationAbortedException',
]);

export interface BackoffOptions {
  /** Total tries, the first included. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Epoch ms: no wait is started that would end after it (the invocation's remaining time). */
  readonly deadline?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** In [0, 1); full jitter multiplies the capped exponential delay by it. */
  readonly random?: () => number;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export const BACKOFF_DEFAULTS = {
  maxAttempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
} as const;

interface AwsErrorShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  $retryable?: { throttling?: boolean };
  $metadata?: { httpStatusCode?: number };
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const shape = error as AwsErrorShape;
  for (const candidate of [shape.name, shape.Code, shape.code]) {
    if (typeof candidate === 'string' && candidate !== 'Error') return candidate;
  }
  return undefined;
}

/** True for an AWS throttling error (by code, by the SDK's marker, or HTTP 429). */
export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const shape = error as AwsErrorShape;
  const code = errorCode(error);
  return (
    (code !== undefined && THROTTLING_CODES.has(code)) ||
    shape.$retryable?.throttling === true ||
    shape.$metadata?.httpStatusCode === 429
  );
}

/** True for throttling or a server-side failure (5xx, modeled internal errors). */
export function isRetryableAwsError(error: unknown): boolean {
  if (isThrottlingError(error)) return true;
  const code = errorCode(error);
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  const status = (error as AwsErrorShape | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

/** The wait before retry number `attempt` (1-based): full jitter over a capped exponential. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseDelayMs ?? BACKOFF_DEFAULTS.baseDelayMs;
  const cap = options.maxDelayMs ?? BACKOFF_DEFAULTS.maxDelayMs;
  const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
  return Math.round(ceiling * (options.random ?? Math.random)());
}

/**
 * Runs `call`, retrying throttling and transient server errors with exponential backoff
 * and full jitter. Other errors, the last failure, or a wait that would pass the deadline
 * are thrown as they are.
 */
export async function withBackoff<T>(call: () => Promise<T>, options: BackoffOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? BACKOFF_DEFAULTS.maxAttempts;
  const sleep = options.sleep ?? ((ms: number) => delay(ms).then(() => undefined));
  const now = options.now ?? Date.now;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isRetryableAwsError(error) || attempt >= maxAttempts) throw error;
      const wait = backoffDelay(attempt, options);
      if (options.deadline !== undefined && now() + wait > options.deadline) throw error;
      options.onRetry?.(error, attempt, wait);
      await sleep(wait);
    }
  }
}
