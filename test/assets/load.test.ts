import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAssetsConfig } from '../../functions/assets/config';
import { AssetDataError } from '../../functions/assets/errors';
import { ASSET_DATA_DIRS, hashAssetFiles, loadAssetBundle, renderPlaceholders, resolveAssetsDir } from '../../functions/assets/load';

const config = loadAssetsConfig({ OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200', INDEX_PREFIX: 'app' });
const DATA = join(import.meta.dirname, '../../dashboards');

describe('renderPlaceholders', () => {
  const values = { prefix: 'app', days: 30, ratio: 0.9 };
  it.each([
    ['a whole placeholder keeps the type', '${days}', 30],
    ['a number inside text becomes text', '${days}d', '30d'],
    ['several in one string', '${prefix}-lambda-${days}', 'app-lambda-30'],
    ['mustache is left alone', '{{ctx.monitor.name}} ${prefix}', '{{ctx.monitor.name}} app'],
    ['no placeholder', 'plain', 'plain'],
  ])('%s', (_name, input, output) => {
    expect(renderPlaceholders(input, values, 'f.json')).toEqual(output);
  });

  it('walks objects and arrays, not keys', () => {
    expect(renderPlaceholders({ '${prefix}': ['${prefix}-*', { n: '${ratio}' }], flag: true, n: 1 }, values, 'f.json')).toEqual({
      '${prefix}': ['app-*', { n: 0.9 }],
      flag: true,
      n: 1,
    });
  });

  it('refuses an unknown placeholder, naming the file', () => {
    expect(() => renderPlaceholders({ a: '${prefx}-x' }, values, 'ism/x.json')).toThrow(
      new AssetDataError('ism/x.json', 'unknown placeholder ${prefx} (known: prefix, days, ratio)'),
    );
  });
});

describe('loadAssetBundle', () => {
  it('names every asset from the prefix', () => {
    const bundle = loadAssetBundle(config);
    expect(bundle.componentTemplates.map((asset) => asset.name)).toEqual(['app-cloudtrail', 'app-envelope', 'app-settings']);
    expect(bundle.indexTemplates.every((asset) => asset.name.startsWith('app-'))).toBe(true);
    expect(bundle.savedObjects.every((object) => object.id.startsWith('app-'))).toBe(true);
    expect(bundle.savedObjects.filter((object) => object.type === 'index-pattern').map((object) => object.attributes.title)).toContain(
      'app-lambda-*',
    );
    expect(bundle.channel).toBeUndefined();
  });

  it('names the file and line of a broken NDJSON line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assets-'));
    for (const folder of ASSET_DATA_DIRS) cpSync(join(DATA, folder), join(dir, folder), { recursive: true });
    writeFileSync(join(dir, 'saved-objects', 'zz-broken.ndjson'), '{"type":"search","id":"a","attributes":{}}\n{not json\n');
    expect(() => loadAssetBundle(config, dir)).toThrow(/^saved-objects\/zz-broken\.ndjson:2: is not valid JSON/);
  });

  it('finds the data where ASSETS_DIR says, else beside the code', () => {
    expect(resolveAssetsDir({})).toBe(DATA);
    const dir = mkdtempSync(join(tmpdir(), 'assets-'));
    for (const folder of ASSET_DATA_DIRS) cpSync(join(DATA, folder), join(dir, 'dashboards', folder), { recursive: true });
    expect(resolveAssetsDir({ ASSETS_DIR: join(dir, 'dashboards') })).toBe(join(dir, 'dashboards'));
    expect(resolveAssetsDir({ ASSETS_DIR: join(dir, 'nowhere') })).toBe(DATA);
  });
});

describe('hashAssetFiles', () => {
  it('is stable for the same files and changes with any byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'assets-'));
    for (const folder of ASSET_DATA_DIRS) cpSync(join(DATA, folder), join(dir, folder), { recursive: true });
    const before = hashAssetFiles(dir);
    expect(before).toBe(hashAssetFiles(DATA));
    expect(before).toMatch(/^[0-9a-f]{32}$/);
    writeFileSync(join(dir, 'ism', 'lambda.json'), `${readFileSync(join(DATA, 'ism', 'lambda.json'), 'utf8')} `);
    expect(hashAssetFiles(dir)).not.toBe(before);
  });
});
