import { readFileSync } from 'node:fs';
import { compileUserParsers, UserParserError, type UserParser } from '../../parsers/user-parser';
import type { Env } from './config';
import { ConfigError } from './errors';

/** The variable naming the parsers file (the CLI's `--parsers` sets it too). */
export const PARSERS_FILE_VARIABLE = 'PARSERS_FILE';
/** The same document inline: how the CDK app ships the configured parsers to the functions. */
export const PARSERS_JSON_VARIABLE = 'PARSERS_JSON';

/**
 * Reads and compiles the user parsers of PARSERS_FILE (or PARSERS_JSON), once, at
 * start-up; none when both are unset. Any problem is a ConfigError naming the variable,
 * the file and the parser.
 */
export function loadUserParsers(env: Env): UserParser[] {
  const path = env[PARSERS_FILE_VARIABLE]?.trim();
  const inline = env[PARSERS_JSON_VARIABLE]?.trim();
  if (path && inline) {
    throw new ConfigError(PARSERS_JSON_VARIABLE, `is set beside ${PARSERS_FILE_VARIABLE}; give the parsers one way`);
  }
  if (inline) return compile(PARSERS_JSON_VARIABLE, 'the value', inline);
  if (path === undefined || path === '') return [];
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(PARSERS_FILE_VARIABLE, `cannot read "${path}": ${(error as Error).message}`);
  }
  return compile(PARSERS_FILE_VARIABLE, path, text);
}

function compile(variable: string, where: string, text: string): UserParser[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(variable, `${where === 'the value' ? where : `"${where}"`} is not JSON: ${(error as Error).message}`);
  }
  try {
    return compileUserParsers(document);
  } catch (error) {
    if (error instanceof UserParserError) throw new ConfigError(variable, `${where}: ${error.message}`);
    throw error;
  }
}
