import { gzipSync } from 'node:zlib';
import type { LogBatch, LogEvent } from '../../functions/pipeline/types';

/** A DATA_MESSAGE batch for tests. */
export function makeBatch(logGroup: string, messages: readonly string[], overrides: Partial<LogBatch> = {}): LogBatch {
  const events: LogEvent[] = messages.map((message, position) => ({
    id: eventId(logGroup, position),
    timestamp: Date.UTC(2026, 10, 22, 8, 0, position),
    message,
  }));
  return {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup,
    logStream: 'stream-1',
    subscriptionFilters: ['cwl-opensearch'],
    logEvents: events,
    ...overrides,
  };
}

/** A 56-digit CloudWatch-like event id, distinct per log group and position. */
export function eventId(logGroup: string, position: number): string {
  let hash = 0;
  for (const char of logGroup) hash = (hash * 31 + char.charCodeAt(0)) % 10_000;
  return `359502551533614182713433913852864423405201835416${String(hash).padStart(4, '0')}${String(position).padStart(4, '0')}`;
}

/** `awslogs.data` for a payload: base64 of gzip of JSON (or of the raw string given). */
export function encodePayload(payload: unknown): string {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return gzipSync(Buffer.from(text)).toString('base64');
}

/** A CloudWatch Logs subscription event as Lambda receives it. */
export function subscriptionEvent(payload: unknown): { awslogs: { data: string } } {
  return { awslogs: { data: encodePayload(payload) } };
}
