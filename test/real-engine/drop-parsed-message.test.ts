import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LambdaFields } from '../../parsers/lambda-fields';
import { renderLambdaLine } from '../../parsers/lambda-render';
import { renderSlowQueryEntry } from '../../parsers/slowquery-render';
import type { Fields } from '../../parsers/types';
import { applyTemplates, deleteTemplates } from './support/assets';
import { subscriptionEvents } from './support/corpus';
import { deleteIndices, engineClient, engineUrl, refresh, uniquePrefix } from './support/engine';
import { invokeQuietly, loadShipperHandler, metricsOf, type Handler } from './support/lambda';
import { lambdaMessages, slowQueryMessages } from '../helpers/read-fully-messages';

/**
 * DROP_PARSED_MESSAGE against the stored `_source`: a message left out of its document must
 * be written back exactly from what the engine returns, not only from the bulk body we
 * sent (the templates' final pipeline makes the engine write `_source` again).
 */

const ID = '8f5e2a1b-3c4d-4e5f-9a0b-1c2d3e4f5a6b';
/** Per case: the messages, and how many of the first are left out (the rest keep their message). */
const CASES: {
  readonly name: string;
  readonly logGroup: string;
  readonly messages: readonly string[];
  readonly dropped: number;
  readonly render: (source: Fields) => string | undefined;
}[] = [
  {
    name: 'generic: compact JSON objects (cloudwatch.json)',
    logGroup: '/ecs/drop-check',
    // Objects of two keys or more keep their message: the engine writes their keys back in an order of its own.
    messages: ['{"log":{"msg":"cache lookup"}}', '{"a":[{"b":1},{"c":2}]}', '{"zeta":1,"alpha":2,"level":"info","msg":"cache lookup","ms":4}', '{"b":{"y":2,"x":3}}'],
    dropped: 2,
    render: (source) => JSON.stringify((source['cloudwatch'] as Fields | undefined)?.['json']),
  },
  {
    name: "lambda: platform lines and the function's JSON lines",
    logGroup: '/aws/lambda/drop-check',
    messages: [
      `START RequestId: ${ID} Version: $LATEST\n`,
      `END RequestId: ${ID}\n`,
      `REPORT RequestId: ${ID}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t\n`,
      `{"time":"2026-11-22T08:00:00.000Z","type":"platform.start","record":{"requestId":"${ID}","version":"$LATEST"}}`,
      `{"error":{"message":"order failed"}}`,
      `{"timestamp":"2026-11-22T08:00:01.000Z","level":"INFO","requestId":"${ID}","message":"order placed","zeta":1,"alpha":2}`,
    ],
    dropped: 5,
    render: (source) =>
      renderLambdaLine(((source['aws'] as Fields | undefined)?.['lambda'] ?? {}) as LambdaFields, source['@timestamp'] as string | undefined),
  },
  {
    name: 'rds-mysql-slowquery: an entry in write_slow format',
    logGroup: '/aws/rds/instance/drop-check/slowquery',
    messages: [
      '# User@Host: app[app] @ web-1 [10.0.3.18]  Id:   815\n# Query_time: 1.004512  Lock_time: 0.000050 Rows_sent: 0  Rows_examined: 1\nuse shop;\nSET timestamp=1763719206;\nSELECT * FROM orders WHERE id = 42;',
    ],
    dropped: 1,
    render: (source) => renderSlowQueryEntry(source, source['@timestamp'] as string | undefined),
  },
];

describe('DROP_PARSED_MESSAGE: dropped messages are written back from the stored _source (real engine)', () => {
  const prefix = uniquePrefix('drop');
  const client = engineClient();
  let handler: Handler;

  beforeAll(async () => {
    await applyTemplates(prefix);
    handler = await loadShipperHandler({ OPENSEARCH_ENDPOINT: engineUrl(), INDEX_PREFIX: prefix, DROP_PARSED_MESSAGE: 'true' });
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await deleteIndices(client, prefix);
    await deleteTemplates(prefix);
    await client.close();
  });

  /** Ships `messages` as one log group's events; returns the stored _source of each, in order. */
  async function shipAndRead(logGroup: string, messages: readonly string[], seed: number): Promise<Fields[]> {
    const events = subscriptionEvents(logGroup, messages, seed);
    for (const event of events) {
      const { lines } = await invokeQuietly(handler, event);
      expect(metricsOf(lines)).toMatchObject({ DocumentsDeadLettered: 0 });
    }
    await refresh(client, `${prefix}-*`);
    const { body } = await client.transport.request({
      method: 'POST',
      path: `/${prefix}-*/_search`,
      body: { size: 10_000, query: { term: { 'aws.cloudwatch.log_group': logGroup } } },
    });
    const hits = (body as { hits: { hits: { _source: Fields }[] } }).hits.hits;
    const byId = new Map(hits.map((hit) => [((hit._source['aws'] as Fields)['cloudwatch'] as Fields)['event_id'] as string, hit._source]));
    return messages.map((message, position) => {
      const source = byId.get(`${String(seed).padStart(6, '0')}${String(position).padStart(50, '0')}`);
      expect(source, JSON.stringify(message)).toBeDefined();
      return source!;
    });
  }

  it.each(CASES.map((testCase, seed) => ({ ...testCase, seed: 900 + seed })))('$name', async ({ logGroup, messages, dropped: droppedCount, render, seed }) => {
    const sources = await shipAndRead(logGroup, messages, seed);
    const dropped = messages.flatMap((message, position) => ('message' in sources[position]! ? [] : [{ message, rendered: render(sources[position]!) }]));
    expect(dropped.map(({ message }) => message)).toEqual(messages.slice(0, droppedCount));
    for (const { message, rendered } of dropped) expect(rendered, JSON.stringify(message)).toBe(message);
  });

  // The messages test/parsers/read-fully.test.ts checks on the bulk body: here on what the engine stores.
  it.each([
    ['lambda', lambdaMessages, CASES[1]!.render],
    ['rds-mysql-slowquery', slowQueryMessages, CASES[2]!.render],
  ] as const)('%s: every message of the corpus and samples left out is written back from the stored _source', async (_name, sets, render) => {
    let droppedTotal = 0;
    for (const [index, set] of sets().entries()) {
      // A log group per set: the Lambda parser reads the function's version from the stream, the same for a whole batch.
      const logGroup = set.logGroup.replace(/^(\/aws\/lambda\/[^/]+|\/aws\/rds\/instance\/[^/]+)/, `$1-${index}`);
      const sources = await shipAndRead(logGroup, set.messages, 950 + index);
      set.messages.forEach((message, position) => {
        if ('message' in sources[position]!) return;
        droppedTotal += 1;
        expect(render(sources[position]!), JSON.stringify(message)).toBe(message);
      });
    }
    // The bundled samples alone hold some (the shared corpus, when present, many more).
    expect(droppedTotal).toBeGreaterThan(0);
  });
});
