import { describe, expect, it, vi } from 'vitest';
import { createRegistry, type Registry } from '../../parsers/registry';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { buildDocuments, processBatch } from '../../functions/pipeline/process';
import { documentPair } from '../../functions/sinks/bulk-body';
import { makeBatch } from '../helpers/batches';
import { MemorySink } from '../helpers/memory-sink';

const config = loadPipelineConfig({});

describe('processBatch', () => {
  it('routes by log group, builds one document per event and counts by dataset', async () => {
    const sink = new MemorySink();
    const outcome = await processBatch(makeBatch('/aws/lambda/fn', ['END RequestId: 6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44\n', 'hello']), {
      registry: createRegistry(),
      config,
      sink,
      now: () => new Date('2026-11-22T12:00:00Z'),
    });
    expect(outcome).toMatchObject({ received: 2, skipped: false, byDataset: { 'aws.lambda': { documents: 2 } }, sink: { indexed: 2 } });
    expect(sink.documents().map((document) => document.source.event)).toEqual([
      { dataset: 'aws.lambda', ingested: '2026-11-22T12:00:00.000Z' },
      { dataset: 'aws.lambda', ingested: '2026-11-22T12:00:00.000Z' },
    ]);
  });

  it('does not call the sink for an empty batch', async () => {
    const sink = new MemorySink();
    const outcome = await processBatch(makeBatch('/g', []), { registry: createRegistry(), config, sink });
    expect(outcome.received).toBe(0);
    expect(sink.writes).toBe(0);
  });

  it('turns a parser that throws into parse failures instead of losing the batch', () => {
    const real = createRegistry();
    const broken = { ...real.get('generic'), parse: () => { throw new Error('boom'); } };
    const registry: Registry = { entries: [broken], get: () => broken, route: () => broken };
    const built = buildDocuments(makeBatch('/g', ['a', 'b']), { registry, config });
    expect(built.parseFailures).toBe(2);
    expect(built.documents[0]!.source).toMatchObject({ tags: ['parse_failure'], error: { message: 'parser generic failed: boom' }, message: 'a' });
  });

  it('tags every document of a batch that was not valid UTF-8', () => {
    const built = buildDocuments({ ...makeBatch('/g', ['a']), invalidUtf8: true }, { registry: createRegistry(), config });
    expect(built.documents[0]!.source.tags).toEqual(['invalid_utf8']);
  });

  it('ships a 1 MB message whole', async () => {
    const sink = new MemorySink();
    const message = `{"big":"${'x'.repeat(1024 * 1024)}"}`;
    await processBatch(makeBatch('/ecs/app', [message]), { registry: createRegistry(), config, sink });
    expect(sink.documents()[0]!.source.message).toBe(message);
  });

  it('parses each event when its document is first encoded, and keeps no parse result for later', async () => {
    const real = createRegistry().get('generic');
    const parse = vi.fn(real.parse);
    const spied = { ...real, parse };
    const registry: Registry = { entries: [spied], get: () => spied, route: () => spied };
    const sink = new MemorySink();
    const pairs: string[] = [];
    // A sink that encodes like the bulk sink and counts the parses made meanwhile.
    const counting = {
      write: async (documents: readonly import('../../functions/pipeline/types').LogDocument[]) => {
        expect(parse).toHaveBeenCalledTimes(0);
        pairs.push(...documents.map(documentPair));
        expect(parse).toHaveBeenCalledTimes(3);
        // Encoding again (a retry, a 413 split) parses again: the results were not kept.
        expect(documents.map(documentPair)).toEqual(pairs);
        expect(parse).toHaveBeenCalledTimes(6);
        return sink.write(documents);
      },
      close: async () => undefined,
    };
    const outcome = await processBatch(makeBatch('/g', ['{"a":1}', 'plain', '{"b":"x"}']), { registry, config, sink: counting });
    // The counts read what the documents noted on their first parse.
    expect(parse).toHaveBeenCalledTimes(6);
    expect(outcome).toMatchObject({ received: 3, parseFailures: 0, byDataset: { 'cloudwatch.generic': { documents: 3 } }, sink: { indexed: 3 } });
  });

  it('parses an event once when encoded, also when its fields merge into the envelope (the object path)', () => {
    const real = createRegistry().get('generic');
    // Fields under aws.cloudwatch merge into the envelope: the JSON writer leaves them to JSON.stringify.
    const parse = vi.fn(() => ({ ok: true as const, fields: { aws: { cloudwatch: { extra: 'x' } } } }));
    const merging = { ...real, parse };
    const registry: Registry = { entries: [merging], get: () => merging, route: () => merging };
    const built = buildDocuments(makeBatch('/g', ['a', 'b']), { registry, config });
    const pairs = built.documents.map(documentPair);
    expect(parse).toHaveBeenCalledTimes(2);
    expect(JSON.parse(pairs[0]!.split('\n')[1]!).aws.cloudwatch).toMatchObject({ log_group: '/g', extra: 'x' });
  });
});
