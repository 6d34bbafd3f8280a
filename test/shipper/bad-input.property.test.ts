import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { DecodeError } from '../../functions/pipeline/errors';
import { createShipper } from '../../functions/shipper/shipper';
import { MemorySink } from '../helpers/memory-sink';

const config = loadPipelineConfig({ MAX_DECOMPRESSED_BYTES: '65536' });

function shipper() {
  const sink = new MemorySink();
  return { sink, ship: createShipper({ registry: createRegistry(), config, sink }) };
}

/** Either every event became a document, or the invocation failed with a DecodeError: nothing in between. */
async function shipsOrNamesTheStep(data: string): Promise<void> {
  const { sink, ship } = shipper();
  try {
    const { summary } = await ship({ awslogs: { data } });
    expect(sink.documents().length).toBe(summary.received);
  } catch (error) {
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).message).toMatch(/^cannot decode batch \((base64|gzip|size|json|shape)\): /);
  }
}

describe('the shipper on arbitrary input', () => {
  it('never crashes on arbitrary data strings', async () => {
    await fc.assert(fc.asyncProperty(fc.string(), shipsOrNamesTheStep), { numRuns: 300 });
  });

  it('never crashes on arbitrary gzipped bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), (bytes) => shipsOrNamesTheStep(gzipSync(bytes).toString('base64'))),
      { numRuns: 300 },
    );
  });

  it('never crashes or drops on arbitrary JSON payloads and messages', async () => {
    const payload = fc.record({
      messageType: fc.constantFrom('DATA_MESSAGE', 'CONTROL_MESSAGE', 'OTHER'),
      owner: fc.oneof(fc.string(), fc.integer()),
      logGroup: fc.constantFrom('/aws/rds/instance/db/slowquery', '/aws/lambda/fn', 'aws-cloudtrail-logs-1-a', '/x', ''),
      logStream: fc.string(),
      logEvents: fc.array(
        fc.record({ id: fc.oneof(fc.stringMatching(/^\d{1,56}$/), fc.integer()), timestamp: fc.oneof(fc.integer(), fc.string()), message: fc.oneof(fc.string(), fc.json()) }),
        { maxLength: 5 },
      ),
    });
    await fc.assert(
      fc.asyncProperty(payload, (value) => shipsOrNamesTheStep(gzipSync(JSON.stringify(value)).toString('base64'))),
      { numRuns: 300 },
    );
  });
});
