/**
 * DROP_PARSED_MESSAGE: `message` leaves the documents whose parser read it fully (a compact
 * JSON object that writes back to exactly its text; a Lambda platform line or slow-log
 * entry that its fields write back to exactly), and only those; off by default.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGeneric } from '../../parsers/generic';
import { createRegistry } from '../../parsers/registry';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { ConfigError } from '../../functions/pipeline/errors';
import { buildDocuments } from '../../functions/pipeline/process';
import { documentPair } from '../../functions/sinks/bulk-body';
import type { LogBatch } from '../../functions/pipeline/types';
import { makeBatch } from '../helpers/batches';
import { environmentOf, synthesize } from '../infra/shapes';

const registry = createRegistry();
const COMPACT = '{"level":"info","msg":"cache lookup","ms":4}';
// One key per object: no key order that the stored _source could lose (parsers/json-key-order.ts).
const ONE_KEY = '{"log":{"msg":"cache lookup"}}';
const MESSAGES = [ONE_KEY, `${ONE_KEY}\n`, '{ "level": "info" }', '{"n":9007199254740993}', '{"a":1,"a":2}', 'plain text', 'not {"json"}', COMPACT];

/** Each message's document as the bulk body carries it, and whether it kept its message. */
function shipped(env: Record<string, string>) {
  const { documents } = buildDocuments(makeBatch('/ecs/app', MESSAGES), { registry, config: loadPipelineConfig(env) });
  return documents.map((document) => {
    const source = JSON.parse(documentPair(document).split('\n')[1]!) as Record<string, unknown>;
    return { source, kept: 'message' in source, object: 'message' in document.source };
  });
}

describe('DROP_PARSED_MESSAGE', () => {
  it('is off by default: every document keeps its message', () => {
    expect(loadPipelineConfig({}).indexing.dropParsedMessage).toBeUndefined();
    expect(shipped({}).map((document) => document.kept)).toEqual(MESSAGES.map(() => true));
  });

  it('drops the message of compact JSON objects with one key per object only, in the bulk body and the source object alike', () => {
    const documents = shipped({ DROP_PARSED_MESSAGE: 'true' });
    // `${ONE_KEY}\n` keeps its message: cloudwatch.json writes back no trailing newline. COMPACT
    // keeps it too: the engine stores its three keys in an order of its own.
    expect(documents.map((document) => document.kept)).toEqual([false, true, true, true, true, true, true, true]);
    expect(documents.map((document) => document.object)).toEqual([false, true, true, true, true, true, true, true]);
    // What the message said is still in the document.
    expect(documents[0]!.source).toMatchObject({ cloudwatch: { json: { log: { msg: 'cache lookup' } } } });
  });

  it.each([
    // Every platform line of this sample is in AWS's spelling; the function's own text lines are not read fully.
    ['lambda-text.json', (message: string) => /^(?:INIT_START|START|END|REPORT) /.test(message)],
    // The log_slow_extra entries (their End: gives # Time:); without it, # Time: has no field.
    ['rds-mysql-instance.json', (message: string) => message.includes(' Start: ')],
  ] as const)('drops the message of the %s sample where its fields write it back', (name, dropped) => {
    const batch = JSON.parse(readFileSync(new URL(`../fixtures/samples-decoded/${name}`, import.meta.url), 'utf8')) as LogBatch;
    for (const env of [{}, { DROP_PARSED_MESSAGE: 'true' }]) {
      const { documents } = buildDocuments(batch, { registry, config: loadPipelineConfig(env) });
      const kept = documents.map((document) => 'message' in (JSON.parse(documentPair(document).split('\n')[1]!) as object));
      expect(kept).toEqual(batch.logEvents.map(({ message }) => env.DROP_PARSED_MESSAGE !== 'true' || !dropped(message)));
    }
  });

  it.each(['  {"a":1}', '{"a":1}\n', '{"a":1}\r\n', '\t{"a":1} '])(
    'keeps a JSON object message with blanks around it (%j): the blanks are in no field',
    (message) => {
      const context = { logGroup: '/ecs/app', logStream: 's', timestamp: 0, reportReadFully: true };
      expect(parseGeneric(message, context)).not.toHaveProperty('readFully');
    },
  );

  it.each([
    ['/ecs/app', '{"zeta":1,"alpha":2}'],
    ['/ecs/app', '{"log":{"zeta":1,"alpha":2}}'],
    ['/aws/lambda/orders-api', '{"timestamp":"2026-11-22T08:00:01.000Z","level":"INFO","message":"order placed"}'],
  ])('keeps a JSON message in %s whose objects have two keys or more (%s): the stored _source does not keep key order', (logGroup, message) => {
    const { documents } = buildDocuments(makeBatch(logGroup, [message]), { registry, config: loadPipelineConfig({ DROP_PARSED_MESSAGE: 'true' }) });
    expect(JSON.parse(documentPair(documents[0]!).split('\n')[1]!)).toHaveProperty('message', message);
  });

  it('names the variable when its value is not a boolean', () => {
    expect(() => loadPipelineConfig({ DROP_PARSED_MESSAGE: 'sometimes' })).toThrow(ConfigError);
    expect(() => loadPipelineConfig({ DROP_PARSED_MESSAGE: 'sometimes' })).toThrow(/DROP_PARSED_MESSAGE/);
  });

  it('costs the parsers nothing unless asked: readFully is reported only when the context asks', () => {
    const context = { logGroup: '/ecs/app', logStream: 's', timestamp: 0 };
    expect(parseGeneric(ONE_KEY, context)).not.toHaveProperty('readFully');
    expect(parseGeneric(ONE_KEY, { ...context, reportReadFully: true })).toMatchObject({ readFully: true });
  });

  it('is set on the shipper from the CDK configuration (indexing.dropParsedMessage)', () => {
    const { template } = synthesize({
      opensearch: { mode: 'existing-domain', endpoint: 'https://search-logs-abc.eu-west-1.es.amazonaws.com', domainArn: 'arn:aws:es:eu-west-1:123456789012:domain/logs' },
      indexing: { dropParsedMessage: true },
      subscriptions: { logGroups: ['/ecs/app'] },
    });
    expect(environmentOf(template, /Ships CloudWatch Logs/)).toMatchObject({ DROP_PARSED_MESSAGE: 'true' });
  });
});
