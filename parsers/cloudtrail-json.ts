import { MAX_JSON_DEPTH, readJsonObject, type JsonObjectRead } from './generic';

/**
 * Reading CloudTrail JSON: the message as an object, and narrowing helpers for members
 * that may have any type or be null.
 */

export type JsonObject = Record<string, unknown>;

/** The value as a plain object, else undefined (null and arrays included). */
export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** A non-empty string, else undefined. */
export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Sets `target[key]` when the value is defined, so that absent values stay absent in the document. */
export function addDefined(target: JsonObject, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

/** The object, or undefined when it has no members. */
export function nonEmptyObject<T extends object>(value: T): T | undefined {
  return Object.keys(value).length > 0 ? value : undefined;
}

/**
 * `readJsonObject(message)`, the same answer for every message, cheaper on the common
 * one: an object that cannot nest deeper than the limit, told by a count of its brackets
 * found natively (`indexOf`), where the shared reader walks every character. Everything
 * else (leading blanks, many brackets, invalid JSON, not an object) goes to the shared
 * reader, so its checks and its wording stay the only ones. The Lambda parser reads its
 * JSON lines with it too; its natural home is `generic.ts`, outside this parser's files.
 */
export function readJsonMessage(message: string): JsonObjectRead {
  if (message.charCodeAt(0) !== 0x7b || hasMoreBracketsThan(message, MAX_JSON_DEPTH)) return readJsonObject(message);
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return readJsonObject(message);
  }
  return asObject(value) === undefined ? readJsonObject(message) : { ok: true, value: value as JsonObject };
}

/** True when `{` and `[` occur more than `limit` times in all; stops counting there. */
function hasMoreBracketsThan(text: string, limit: number): boolean {
  let count = 0;
  for (let index = text.indexOf('{'); index !== -1; index = text.indexOf('{', index + 1)) if (++count > limit) return true;
  for (let index = text.indexOf('['); index !== -1; index = text.indexOf('[', index + 1)) if (++count > limit) return true;
  return false;
}
