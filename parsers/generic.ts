import { hasNoKeyOrder } from './json-key-order';
import type { ParseContext, ParseResult } from './types';

/**
 * Log groups no parser claims: the envelope alone, plus the fields of a JSON object
 * message under `cloudwatch.json`. Such a message is read fully when `cloudwatch.json`
 * writes back to exactly its text (compact JSON without duplicate keys or digits beyond
 * a double's precision) and none of its objects has a key order to lose (json-key-order.ts),
 * which is checked only when the context asks.
 */
export function parseGeneric(message: string, context?: ParseContext): ParseResult {
  const json = parseJsonObject(message);
  if (json === undefined) return { ok: true, fields: {} };
  const fields = { cloudwatch: { json } };
  // The whole message, blanks included: a trimmed comparison would drop blanks no field holds.
  // And no object of two keys or more: the stored _source does not keep their order.
  const readFully = context?.reportReadFully === true && JSON.stringify(json) === message && hasNoKeyOrder(json);
  return readFully ? { ok: true, fields, readFully: true } : { ok: true, fields };
}

/**
 * Deepest nesting kept as an object. `JSON.parse` accepts any depth, but `JSON.stringify`
 * (the bulk encoder) overflows the stack on a few thousand levels, which would turn one
 * hostile log line into a batch that fails forever.
 */
export const MAX_JSON_DEPTH = 64;

export type JsonObjectRead =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

/** The message as a JSON object (cheap first-byte check), or why it is not one. */
export function readJsonObject(message: string): JsonObjectRead {
  const start = message.trimStart();
  if (!start.startsWith('{')) return { ok: false, reason: 'the message is not a JSON object' };
  let value: unknown;
  try {
    value = JSON.parse(start);
  } catch (error) {
    return { ok: false, reason: `invalid JSON (${(error as Error).message})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'the message is not a JSON object' };
  }
  if (mayBeDeeperThan(start, MAX_JSON_DEPTH) && isDeeperThan(value, MAX_JSON_DEPTH)) {
    return { ok: false, reason: `JSON nested deeper than ${MAX_JSON_DEPTH} levels` };
  }
  return { ok: true, value: value as Record<string, unknown> };
}

/** The message as a JSON object, or undefined when it is not one. */
export function parseJsonObject(message: string): Record<string, unknown> | undefined {
  const read = readJsonObject(message);
  return read.ok ? read.value : undefined;
}

/** Fewer opening brackets than the limit cannot nest that deep; most messages stop here. */
function mayBeDeeperThan(text: string, limit: number): boolean {
  let brackets = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if ((code === 0x7b || code === 0x5b) && ++brackets > limit) return true;
  }
  return false;
}

/** Iterative, so that checking the depth cannot overflow the stack either. */
function isDeeperThan(root: object, limit: number): boolean {
  const pending: [object, number][] = [[root, 1]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [value, depth] = next;
    if (depth > limit) return true;
    for (const member of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof member === 'object' && member !== null) pending.push([member, depth + 1]);
    }
  }
  return false;
}
