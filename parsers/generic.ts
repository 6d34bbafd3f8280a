import type { ParseContext, ParseResult } from './types';

/**
 * Log groups no parser claims: the envelope alone, plus the fields of a JSON object
 * message under `cloudwatch.json`.
 */
export function parseGeneric(message: string, _context?: ParseContext): ParseResult {
  const json = parseJsonObject(message);
  return json === undefined ? { ok: true, fields: {} } : { ok: true, fields: { cloudwatch: { json } } };
}

/** The message as a JSON object, or undefined when it is not one (cheap first-byte check). */
export function parseJsonObject(message: string): Record<string, unknown> | undefined {
  const start = message.trimStart();
  if (!start.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(start);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
