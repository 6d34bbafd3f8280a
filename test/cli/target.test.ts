import { describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { ConfigError } from '../../functions/pipeline/errors';
import { createSinkFromTarget } from '../../functions/cli/target';

const { indexing } = loadPipelineConfig({});

describe('createSinkFromTarget', () => {
  it.each([
    ['stdout', 'stdout'],
    ['file:./out', 'bulk NDJSON files in'],
    ['http://127.0.0.1:9200', 'OpenSearch at http://127.0.0.1:9200 (auth none)'],
    ['https://search-logs-x.eu-west-1.es.amazonaws.com', 'OpenSearch at https://search-logs-x.eu-west-1.es.amazonaws.com (auth sigv4)'],
  ])('%s -> %s', async (to, description) => {
    const target = createSinkFromTarget(to, {}, indexing);
    expect(target.description).toContain(description);
    await target.sink.close();
  });

  it.each([['s3://bucket/x'], ['fil:./out'], [''], ['./out'], ['stout'], ['localhost:9200'], ['search-x.eu-west-1.es.amazonaws.com']])(
    'refuses %j naming --to',
    (to) => {
      expect(() => createSinkFromTarget(to, {}, indexing)).toThrow(ConfigError);
      expect(() => createSinkFromTarget(to, {}, indexing)).toThrow(/^--to: .* use file:<dir>, stdout, or an OpenSearch URL/);
    },
  );

  it('suggests the URL a bare host name probably meant', () => {
    expect(() => createSinkFromTarget('localhost:9200', {}, indexing)).toThrow(/did you mean https:\/\/localhost:9200\?/);
  });

  it.each([['file:'], ['file:  ']])('refuses %j: a file target names its folder', (to) => {
    expect(() => createSinkFromTarget(to, {}, indexing)).toThrow(/^--to: .* names no folder/);
  });
});
