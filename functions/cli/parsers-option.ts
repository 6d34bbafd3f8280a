import type { Env } from '../pipeline/config';
import { PARSERS_FILE_VARIABLE } from '../pipeline/user-parsers-file';

/** `--parsers <file>`: the user parsers file, as PARSERS_FILE gives it to the Lambda. */
export const PARSERS_OPTION = {
  flags: '--parsers <file>',
  description: 'user-defined parsers, a JSON file (docs/user-parsers.md); overrides PARSERS_FILE',
} as const;

/** The environment with `--parsers` in place of PARSERS_FILE when it was given. */
export function withParsersFile(env: Env, file: string | undefined): Env {
  return file === undefined ? env : { ...env, [PARSERS_FILE_VARIABLE]: file };
}
