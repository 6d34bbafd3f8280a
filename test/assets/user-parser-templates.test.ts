import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAssetsConfig } from '../../functions/assets/config';
import { loadAssetBundle } from '../../functions/assets/load';

const PARSERS = join(import.meta.dirname, '../fixtures/user-parsers/parsers.json');
const ENV = { OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200', PARSERS_FILE: PARSERS };

describe('index templates of user parsers (assets apply)', () => {
  const templates = loadAssetBundle(loadAssetsConfig(ENV)).indexTemplates;

  it('one per parser, on <prefix>-<name>-*, above the built-in templates, captures typed as declared', () => {
    const billing = templates.find((template) => template.name === 'cwl-billing-worker');
    expect(billing?.body).toMatchObject({
      index_patterns: ['cwl-billing-worker-*'],
      composed_of: ['cwl-settings', 'cwl-envelope'],
      priority: 314,
      template: {
        mappings: {
          dynamic: false,
          properties: {
            'billing-worker': {
              properties: {
                time: { type: 'date' },
                level: { type: 'keyword', ignore_above: 1024 },
                amount: { type: 'double' },
                currency: { type: 'keyword', ignore_above: 1024 },
                customer: { type: 'keyword', ignore_above: 1024 },
                duration_ms: { type: 'long' },
                retried: { type: 'boolean' },
              },
            },
          },
        },
      },
    });
    const access = templates.find((template) => template.name === 'cwl-edge-access');
    expect(access?.body).toMatchObject({
      index_patterns: ['cwl-edge-access-*'],
      template: { mappings: { properties: { 'edge-access': { properties: { client_ip: { type: 'ip' }, user_agent: { type: 'text' }, status: { type: 'long' } } } } } },
    });
  });

  it('none without PARSERS_FILE; the built-in templates are there either way', () => {
    const builtIn = loadAssetBundle(loadAssetsConfig({ OPENSEARCH_ENDPOINT: ENV.OPENSEARCH_ENDPOINT })).indexTemplates.map((t) => t.name);
    expect(builtIn).not.toContain('cwl-billing-worker');
    expect(templates.map((t) => t.name)).toEqual([...builtIn, 'cwl-billing-worker', 'cwl-edge-access']);
  });
});
