/**
 * Parsers that users define with a regex (a parsers file, see docs/user-parsers.md):
 * validated once at start-up, then run on the linear-time engine of `linear-regex.ts`.
 * A definition error throws `UserParserError` naming the parser; a message that does not
 * match, or a capture that does not read as its declared type, is a parse failure.
 */
import { isIpAddress } from './cloudtrail-ip';
import { compileLinear } from './linear-regex';
import { DATASETS, PARSER_IDS, type ParseContext, type ParseResult } from './types';

/** The types a capture can be declared as, and the OpenSearch field type of each. */
export const CAPTURE_TYPES = {
  keyword: 'keyword',
  text: 'text',
  integer: 'long',
  number: 'double',
  boolean: 'boolean',
  ip: 'ip',
  date: 'date',
} as const;
export type CaptureType = keyof typeof CAPTURE_TYPES;

/** One parser as the file declares it. */
export interface UserParserDefinition {
  readonly name: string;
  /** Log-group globs (`*` = any run of characters) this parser claims, before the built-in routes. */
  readonly logGroups: readonly string[];
  /** An RE2 pattern with named captures `(?<name>…)` (or `(?P<name>…)`); searched anywhere in the message. */
  readonly pattern: string;
  /** Capture -> type; captures not listed are `keyword`. */
  readonly types: Readonly<Record<string, CaptureType>>;
  /** The capture that gives the event time (read as a date). */
  readonly timeCapture?: string;
}

/** A checked, compiled user parser. */
export interface UserParser {
  readonly definition: UserParserDefinition;
  /** Every named capture of the pattern with the type its values get (undeclared: keyword; the time capture: date). */
  readonly captures: Readonly<Record<string, CaptureType>>;
  readonly parse: (message: string, context: ParseContext) => ParseResult;
}

/** A parsers file that cannot be used; `parser` is the offending parser's name, when there is one. */
export class UserParserError extends Error {
  constructor(
    readonly parser: string | undefined,
    detail: string,
  ) {
    super(parser === undefined ? detail : `user parser "${parser}": ${detail}`);
    this.name = 'UserParserError';
  }
}

const DEFINITION_KEYS = ['name', 'logGroups', 'pattern', 'types', 'timeCapture'] as const;
// Lower case, digits, `-` and `_`, starting with a letter: a valid part of an index name
// (`<prefix>-<name>-yyyy.MM.dd`) and a plain top-level field name.
const NAME = /^[a-z][a-z0-9_-]{0,62}$/;
// Top-level fields of every document, and the built-in parsers' roots: a user parser's
// fields go under its name, which must not land on one of these.
const RESERVED_NAMES = new Set<string>([
  ...PARSER_IDS,
  ...Object.values(DATASETS).map((dataset) => dataset.split('.')[0]!),
  'deadletter', 'aws', 'cloud', 'event', 'error', 'message', 'tags', 'user', 'source', 'mysql', 'cloudwatch', 'user_agent',
]);

/** Reads and compiles a parsers document `{"parsers": [...]}`; throws UserParserError on the first problem. */
export function compileUserParsers(document: unknown): UserParser[] {
  if (!isObject(document) || !Array.isArray(document['parsers'])) {
    throw new UserParserError(undefined, 'the file must hold an object {"parsers": [ ... ]}');
  }
  const seen = new Set<string>();
  return document['parsers'].map((raw, position) => {
    const definition = readDefinition(raw, position);
    if (seen.has(definition.name)) throw new UserParserError(definition.name, 'the name is used twice');
    seen.add(definition.name);
    return compileUserParser(definition);
  });
}

/** Compiles one checked definition. */
export function compileUserParser(definition: UserParserDefinition): UserParser {
  const { name, pattern, types, timeCapture } = definition;
  const construct = unsupportedConstruct(pattern);
  if (construct !== undefined) {
    throw new UserParserError(
      name,
      `the pattern uses ${construct}, which the linear-time engine (RE2) cannot run; rewrite it without`,
    );
  }
  let compiled: ReturnType<typeof compileLinear>;
  try {
    compiled = compileLinear(pattern);
  } catch (error) {
    throw new UserParserError(name, `the pattern does not compile: ${(error as Error).message}`);
  }
  const captures = new Set(compiled.captureNames);
  for (const capture of Object.keys(types)) {
    if (!captures.has(capture)) throw new UserParserError(name, `"types" names capture "${capture}", which the pattern does not have`);
  }
  if (timeCapture !== undefined) {
    if (!captures.has(timeCapture)) throw new UserParserError(name, `"timeCapture" is "${timeCapture}", which the pattern does not capture`);
    if (types[timeCapture] !== undefined && types[timeCapture] !== 'date') {
      throw new UserParserError(name, `"timeCapture" "${timeCapture}" is declared ${types[timeCapture]}; it must be a date`);
    }
  }
  const typeOf = (capture: string): CaptureType => types[capture] ?? (capture === timeCapture ? 'date' : 'keyword');

  return {
    definition,
    captures: Object.fromEntries(compiled.captureNames.map((capture) => [capture, typeOf(capture)])),
    parse(message) {
      const found = compiled.search(message);
      if (found === undefined) return { ok: false, reason: `the message does not match the pattern of user parser "${name}"` };
      const values: Record<string, unknown> = {};
      let timestamp: string | undefined;
      for (const capture of compiled.captureNames) {
        const text = found[capture];
        // A capture that took no part in the match, or matched nothing, is left out.
        if (text === undefined || text === '') continue;
        const value = readCapture(typeOf(capture), text);
        if (value === undefined) {
          return { ok: false, reason: `capture "${capture}" of user parser "${name}" is not ${ARTICLES[typeOf(capture)]}: "${clip(text)}"` };
        }
        values[capture] = value;
        if (capture === timeCapture) timestamp = value as string;
      }
      const fields = { [name]: values };
      return timestamp === undefined ? { ok: true, fields } : { ok: true, fields, timestamp };
    },
  };
}

function readDefinition(raw: unknown, position: number): UserParserDefinition {
  const label = isObject(raw) && typeof raw['name'] === 'string' ? raw['name'] : undefined;
  const fail = (detail: string): never => {
    throw new UserParserError(label, label === undefined ? `parsers[${position}]: ${detail}` : detail);
  };
  if (!isObject(raw)) return fail('must be an object');
  const unknown = Object.keys(raw).filter((key) => !(DEFINITION_KEYS as readonly string[]).includes(key));
  if (unknown.length > 0) fail(`unknown key ${unknown.map((key) => `"${key}"`).join(', ')} (known: ${DEFINITION_KEYS.join(', ')})`);
  const { name, logGroups, pattern, types = {}, timeCapture } = raw;
  if (typeof name !== 'string' || !NAME.test(name)) {
    fail(`"name" must be 1-63 characters of a-z, 0-9, "-" or "_", starting with a letter (it becomes part of index names), got ${JSON.stringify(name)}`);
  }
  if (RESERVED_NAMES.has(name as string)) fail(`the name "${name}" is taken by a built-in parser or a document field`);
  if (!Array.isArray(logGroups) || logGroups.length === 0 || !logGroups.every((glob) => typeof glob === 'string' && glob.trim() !== '')) {
    fail('"logGroups" must be a non-empty list of log-group names or globs ("/ecs/billing-*")');
  }
  if (typeof pattern !== 'string' || pattern === '') fail('"pattern" must be a non-empty string');
  if (!isObject(types)) fail('"types" must be an object of capture -> type');
  for (const [capture, type] of Object.entries(types as Record<string, unknown>)) {
    if (typeof type !== 'string' || !(type in CAPTURE_TYPES)) {
      fail(`capture "${capture}" has unknown type ${JSON.stringify(type)} (known: ${Object.keys(CAPTURE_TYPES).join(', ')})`);
    }
  }
  if (timeCapture !== undefined && typeof timeCapture !== 'string') fail('"timeCapture" must be the name of a capture');
  return {
    name: name as string,
    logGroups: (logGroups as string[]).map((glob) => glob.trim()),
    pattern: pattern as string,
    types: types as Record<string, CaptureType>,
    ...(timeCapture !== undefined && { timeCapture: timeCapture as string }),
  };
}

/**
 * The first construct of `pattern` that needs a backtracking engine, named for the error
 * message; undefined when there is none. RE2 refuses these too, with terser messages.
 */
export function unsupportedConstruct(pattern: string): string | undefined {
  let inClass = false;
  for (let at = 0; at < pattern.length; at += 1) {
    const char = pattern[at];
    if (char === '\\') {
      const next = pattern[at + 1] ?? '';
      if (!inClass && /[1-9]/.test(next)) return `a backreference (\`\\${next}\`)`;
      if (!inClass && next === 'k' && pattern[at + 2] === '<') return 'a named backreference (`\\k<…>`)';
      at += 1;
    } else if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') {
      inClass = true;
      // `[]…]` and `[^]…]`: a `]` first in the class is a literal.
      if (pattern[at + 1] === '^') at += 1;
      if (pattern[at + 1] === ']') at += 1;
    } else if (char === '(' && pattern[at + 1] === '?') {
      const head = pattern.slice(at, at + 4);
      if (head.startsWith('(?=')) return 'a lookahead (`(?=…)`)';
      if (head.startsWith('(?!')) return 'a negative lookahead (`(?!…)`)';
      if (head === '(?<=') return 'a lookbehind (`(?<=…)`)';
      if (head === '(?<!') return 'a negative lookbehind (`(?<!…)`)';
    }
  }
  return undefined;
}

const ARTICLES: Record<CaptureType, string> = {
  keyword: 'a keyword',
  text: 'a text',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true/false, yes/no, 1/0)',
  ip: 'an IPv4 or IPv6 address',
  date: 'a date (ISO 8601, "YYYY-MM-DD HH:MM:SS", or epoch seconds or milliseconds)',
};

const INTEGER = /^[+-]?\d{1,16}$/;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const EPOCH = /^\d{10}(?:\d{3})?$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))?)?$/;
const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A capture's text as its declared type, or undefined when it does not read as one. */
export function readCapture(type: CaptureType, text: string): unknown {
  switch (type) {
    case 'keyword':
    case 'text':
      return text;
    case 'integer': {
      const value = INTEGER.test(text) ? Number(text) : Number.NaN;
      return Number.isSafeInteger(value) ? value : undefined;
    }
    case 'number': {
      const value = NUMBER.test(text) ? Number(text) : Number.NaN;
      return Number.isFinite(value) ? value : undefined;
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower === 'true' || lower === 'yes' || lower === '1') return true;
      return lower === 'false' || lower === 'no' || lower === '0' ? false : undefined;
    }
    case 'ip':
      return isIpAddress(text) ? text : undefined;
    case 'date':
      return readDate(text);
  }
}

/** ISO 8601 (a time without a zone is UTC), `YYYY-MM-DD HH:MM:SS`, or epoch seconds / milliseconds -> ISO UTC. */
function readDate(text: string): string | undefined {
  let ms: number;
  if (EPOCH.test(text)) {
    ms = text.length === 10 ? Number(text) * 1000 : Number(text);
  } else {
    const parts = DATE_TIME.exec(text);
    if (parts === null) return undefined;
    const [year, month, day, hour = 0, minute = 0, second = 0] = parts.slice(1, 7).map((part) => (part === undefined ? undefined : Number(part)));
    const fraction = Number(`0.${parts[7] ?? '0'}`);
    const offset = parts[9] === undefined ? 0 : (parts[9] === '-' ? -1 : 1) * (Number(parts[10]) * 60 + Number(parts[11]));
    // Checked by hand: Date.UTC would roll 31 February over into March, and 24:00 into the next day.
    if (month! < 1 || month! > 12 || day! < 1 || day! > new Date(utcTime(year!, month!, 0)).getUTCDate()) return undefined;
    if (hour > 23 || minute > 59 || second > 59) return undefined;
    ms = utcTime(year!, month! - 1, day!, hour, minute, second) + Math.floor(fraction * 1000) - offset * 60_000;
  }
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_TIME_MS ? new Date(ms).toISOString() : undefined;
}

/** `Date.UTC` without its reading of the years 0-99 as 1900-1999 (`0070-01-01` is not 1970). */
function utcTime(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
