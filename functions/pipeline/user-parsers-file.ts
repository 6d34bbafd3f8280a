import { readFileSync } from 'node:fs';
import { compileUserParsers, UserParserError, type UserParser } from '../../parsers/user-parser';
import type { Env } from './config';
import { ConfigError } from './errors';

/** The variable naming the parsers file (the CLI's `--parsers` sets it too). */
export const PARSERS_FILE_VARIABLE = 'PARSERS_FILE';

/**
 * Reads and compiles the user parsers named by PARSERS_FILE, once, at start-up; none when
 * it is unset. Any problem is a ConfigError naming the variable, the file and the parser.
 */
export function loadUserParsers(env: Env): UserParser[] {
  const path = env[PARSERS_FILE_VARIABLE]?.trim();
  if (path === undefined || path === '') return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(PARSERS_FILE_VARIABLE, `cannot read "${path}": ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(PARSERS_FILE_VARIABLE, `"${path}" is not JSON: ${(error as Error).message}`);
  }
  try {
    return compileUserParsers(document);
  } catch (error) {
    if (error instanceof UserParserError) throw new ConfigError(PARSERS_FILE_VARIABLE, `${path}: ${error.message}`);
    throw error;
  }
}
