import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countDocuments, deleteIndices, engineClient, engineUrl, uniquePrefix } from './support/engine';
import { invokeQuietly, loadShipperHandler, metricsOf, type Handler } from './support/lambda';

/**
 * The Lambda handler module, unchanged, shipping the bundled samples into the real node:
 * every event becomes exactly one document, and a redelivered batch stores nothing new
 * (the engine's own 409s on `create`, counted as duplicates).
 */

const SAMPLES = join(import.meta.dirname, '../fixtures/samples');
const DECODED = join(import.meta.dirname, '../fixtures/samples-decoded');
const sampleNames = readdirSync(SAMPLES).filter((name) => name.endsWith('.awslogs.json'));
const eventCount = (name: string) => {
  const decoded = JSON.parse(readFileSync(join(DECODED, name.replace('.awslogs.json', '.json')), 'utf8')) as {
    messageType: string;
    logEvents: unknown[];
  };
  return decoded.messageType === 'DATA_MESSAGE' ? decoded.logEvents.length : 0;
};

describe('shipper handler → real OpenSearch', () => {
  const prefix = uniquePrefix('ship');
  const client = engineClient();
  let handler: Handler;

  beforeAll(async () => {
    handler = await loadShipperHandler({ OPENSEARCH_ENDPOINT: engineUrl(), INDEX_PREFIX: prefix });
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await deleteIndices(client, prefix);
    await client.close();
  });

  it('stores one document per event of every bundled sample, with no rejection', async () => {
    let expected = 0;
    for (const name of sampleNames) {
      const event = JSON.parse(readFileSync(join(SAMPLES, name), 'utf8'));
      const { result, lines } = await invokeQuietly(handler, event);
      expect(result).toBeUndefined();
      const events = eventCount(name);
      expected += events;
      if (events > 0) {
        expect(metricsOf(lines), name).toMatchObject({ DocumentsReceived: events, DocumentsIndexed: events, DocumentsDeadLettered: 0 });
      }
    }
    expect(expected).toBeGreaterThan(20);
    expect(await countDocuments(client, `${prefix}-*`)).toBe(expected);
    expect(await countDocuments(client, `${prefix}-deadletter-*`)).toBe(0);
  });

  it('stores nothing new when every batch is delivered again: the 409s count as duplicates', async () => {
    const before = await countDocuments(client, `${prefix}-*`);
    for (const name of sampleNames) {
      const events = eventCount(name);
      const { lines } = await invokeQuietly(handler, JSON.parse(readFileSync(join(SAMPLES, name), 'utf8')));
      if (events > 0) expect(metricsOf(lines), name).toMatchObject({ DocumentsIndexed: 0, DocumentsDuplicate: events });
    }
    expect(await countDocuments(client, `${prefix}-*`)).toBe(before);
  });
});
