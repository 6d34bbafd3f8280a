/**
 * The default path pays nothing for readFully: unless the context asks (only with
 * DROP_PARSED_MESSAGE=true), the Lambda and slow-query parsers never call their
 * renderers. Counted with spies around the real renderers, not timed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { buildDocuments } from '../../functions/pipeline/process';
import { documentPair } from '../../functions/sinks/bulk-body';
import { renderLambdaLine } from '../../parsers/lambda-render';
import { createRegistry } from '../../parsers/registry';
import { renderSlowQueryEntry } from '../../parsers/slowquery-render';
import { makeBatch } from '../helpers/batches';
import { lambdaMessages, slowQueryMessages, type SourceMessages } from '../helpers/read-fully-messages';

vi.mock('../../parsers/lambda-render', async (original) => {
  const actual = await original<typeof import('../../parsers/lambda-render')>();
  return { ...actual, renderLambdaLine: vi.fn(actual.renderLambdaLine) };
});
vi.mock('../../parsers/slowquery-render', async (original) => {
  const actual = await original<typeof import('../../parsers/slowquery-render')>();
  return { ...actual, renderSlowQueryEntry: vi.fn(actual.renderSlowQueryEntry) };
});

const registry = createRegistry();
const renderers = [vi.mocked(renderLambdaLine), vi.mocked(renderSlowQueryEntry)];

/** Ships every message of the sets through the pipeline and the bulk encoder; returns how many. */
function shipAll(sets: readonly SourceMessages[], env: Record<string, string>): number {
  let shipped = 0;
  for (const set of sets) {
    const { documents } = buildDocuments(makeBatch(set.logGroup, set.messages, { logStream: set.logStream }), { registry, config: loadPipelineConfig(env) });
    for (const document of documents) documentPair(document);
    shipped += documents.length;
  }
  return shipped;
}

describe('readFully on the default path', () => {
  afterEach(() => renderers.forEach((renderer) => renderer.mockClear()));
  const sets = () => [...lambdaMessages(), ...slowQueryMessages()];

  it('without DROP_PARSED_MESSAGE, no renderer is called for any message', () => {
    expect(shipAll(sets(), {})).toBeGreaterThan(500);
    expect(renderers.map((renderer) => renderer.mock.calls.length)).toEqual([0, 0]);
  });

  it('with DROP_PARSED_MESSAGE=false, none either', () => {
    shipAll(sets(), { DROP_PARSED_MESSAGE: 'false' });
    expect(renderers.map((renderer) => renderer.mock.calls.length)).toEqual([0, 0]);
  });

  it('with DROP_PARSED_MESSAGE=true, each renderer runs at most once per message it parsed', () => {
    const lambda = lambdaMessages().reduce((count, set) => count + set.messages.length, 0);
    const slowQuery = slowQueryMessages().reduce((count, set) => count + set.messages.length, 0);
    shipAll(sets(), { DROP_PARSED_MESSAGE: 'true' });
    const [lambdaCalls, slowQueryCalls] = renderers.map((renderer) => renderer.mock.calls.length);
    expect(lambdaCalls).toBeGreaterThan(0);
    expect(lambdaCalls).toBeLessThanOrEqual(lambda);
    expect(slowQueryCalls).toBeGreaterThan(0);
    expect(slowQueryCalls).toBeLessThanOrEqual(slowQuery);
  });
});
