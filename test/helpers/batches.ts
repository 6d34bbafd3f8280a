import { gzipSync } from 'node:zlib';
import type { LogBatch, LogEvent } from '../../functions/pipeline/types';

/** A DATA_MESSAGE batch for tests. */
export function makeBatch(logGroup: string, messages: readonly string[], overrides: Partial<LogBatch> = {}): LogBatch {
  const events: LogEvent[] = messages.map((message, position) => ({
    id: `3595025515336141827134339138528644234052018354163371${String(position).padStart(4, '0')}`,
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

/** `awslogs.data` for a payload: base64 of gzip of JSON (or of the raw string given). */
export function encodePayload(payload: unknown): string {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return gzipSync(Buffer.from(text)).toString('base64');
}

/** A CloudWatch Logs subscription event as Lambda receives it. */
export function subscriptionEvent(payload: unknown): { awslogs: { data: string } } {
  return { awslogs: { data: encodePayload(payload) } };
}
