import { InvalidArgumentError } from 'commander';

/** Option values checked when the command line is read: a mistake is a usage error before any work. */

const ACCOUNT_ID = /^\d{12}$/;

/** `--owner`: an AWS account id, 12 digits. */
export function accountOption(value: string): string {
  if (!ACCOUNT_ID.test(value)) throw new InvalidArgumentError(`"${value}" is not an AWS account id (12 digits, such as 123456789012).`);
  return value;
}

/** A value that must not be empty or blank (`--log-group ""` would name no log group). */
export function nonEmpty(option: string): (value: string) => string {
  return (value) => {
    if (value.trim() === '') throw new InvalidArgumentError(`${option} needs a name, not an empty value.`);
    return value;
  };
}

/** `--lock-wait`: seconds from 0 to 3600, as milliseconds. */
export function secondsOption(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
    throw new InvalidArgumentError(`"${value}" is not a number of seconds from 0 to 3600.`);
  }
  return seconds * 1000;
}
