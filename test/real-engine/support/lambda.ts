import type { Context } from 'aws-lambda';
import { vi } from 'vitest';

export const lambdaContext = {
  functionName: 'shipper',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:shipper',
  memoryLimitInMB: '512',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/shipper',
  logStreamName: '2026/11/22/[$LATEST]abc',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

export type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * Imports a fresh copy of the shipper's Lambda module with `env` set, as a cold start would
 * (the module reads its configuration once, at import).
 */
export async function loadShipperHandler(env: Record<string, string>): Promise<Handler> {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'CwlOpenSearchRealEngine');
  vi.resetModules();
  const { handler } = await import('../../../functions/shipper/handler');
  return handler;
}

/** Runs the handler and returns what it returned plus the JSON lines it printed (logs, EMF). */
export async function invokeQuietly(handler: Handler, event: unknown): Promise<{ result: unknown; lines: Record<string, unknown>[] }> {
  const printed: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    const result = await handler(event, lambdaContext);
    const lines = printed
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    return { result, lines };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

/** The invocation's EMF line with the document counters. */
export const metricsOf = (lines: Record<string, unknown>[]) => lines.find((line) => 'DocumentsReceived' in line);
