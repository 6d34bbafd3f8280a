import { ConfigError } from '../pipeline/errors';

/** Upper bound of `maxMessages` in one run. */
export const MAX_MESSAGES_LIMIT = 100_000;

/** `maxMessages` from the event, else the default; anything else in the event is ignored. */
export function readMaxMessages(event: unknown, fallback: number): number {
  const value = (event as { maxMessages?: unknown } | null)?.maxMessages;
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_MESSAGES_LIMIT) {
    throw new ConfigError('maxMessages', `must be a whole number from 1 to ${MAX_MESSAGES_LIMIT}, got ${JSON.stringify(value)}`);
  }
  return value;
}
