import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash, findDifference, flattenSettings, isEquivalent, isSubset } from '../../functions/assets/compare';
import { savedObjectDifference } from '../../functions/assets/apply-saved-objects';
import { templateDifference } from '../../functions/assets/apply-opensearch';

describe('isSubset / findDifference', () => {
  it.each([
    [{ a: 1 }, { a: 1, b: 2 }, undefined],
    [{ a: 1 }, { a: '1' }, undefined],
    [{ a: false }, { a: 'false' }, undefined],
    [{ a: { b: [1, { c: 'x' }] } }, { a: { b: [1, { c: 'x', d: 0 }] } }, undefined],
    [{ a: 1 }, { a: 2 }, 'a'],
    [{ a: [1, 2] }, { a: [1] }, 'a'],
    [{ a: [1, { c: 'x' }] }, { a: [1, { c: 'y' }] }, 'a[1].c'],
    [{ a: { b: 1 } }, { a: 'x' }, 'a'],
    [{ a: 'x' }, { a: { b: 1 } }, 'a'],
    [{ a: null }, {}, undefined],
    [{ a: 1 }, {}, 'a'],
  ])('%j within %j -> %s', (desired, actual, difference) => {
    expect(findDifference(desired, actual)).toBe(difference);
    expect(isSubset(desired, actual)).toBe(difference === undefined);
  });

  it('isEquivalent needs both directions', () => {
    expect(isEquivalent({ a: 1 }, { a: '1' })).toBe(true);
    expect(isEquivalent({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });
});

describe('flattenSettings', () => {
  it.each([
    [{ index: { number_of_shards: 1, refresh_interval: '30s' } }],
    [{ number_of_shards: '1', refresh_interval: '30s' }],
    [{ 'index.number_of_shards': 1, index: { refresh_interval: '30s' } }],
  ])('%j', (settings) => {
    expect(flattenSettings(settings)).toEqual({ 'index.number_of_shards': '1', 'index.refresh_interval': '30s' });
  });
});

describe('contentHash', () => {
  it('ignores key order and sees every value', () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(contentHash({ b: 1, a: 2 })).toBe(contentHash({ a: 2, b: 1 }));
    expect(contentHash({ a: 2, b: 1 })).not.toBe(contentHash({ a: 2, b: 2 }));
    expect(contentHash({})).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('templateDifference', () => {
  const desired = {
    index_patterns: ['cwl-x-*'],
    template: { settings: { index: { number_of_shards: 1 } }, mappings: { dynamic: false, properties: { a: { type: 'keyword' } } } },
  };
  it('accepts the server echo: nested string settings, _doc wrapper, string booleans', () => {
    const echoed = {
      index_patterns: ['cwl-x-*'],
      template: {
        settings: { index: { number_of_shards: '1' } },
        mappings: { _doc: { dynamic: 'false', properties: { a: { type: 'keyword' } } } },
      },
    };
    expect(templateDifference(desired, echoed)).toBeUndefined();
  });
  it('sees a mapping field that is no longer in the file', () => {
    const stored = { ...desired, template: { ...desired.template, mappings: { dynamic: false, properties: { a: { type: 'keyword' }, b: { type: 'long' } } } } };
    expect(templateDifference(desired, stored)).toBe('template.mappings.properties.b is not in the file');
  });
  it('sees a changed setting', () => {
    expect(templateDifference(desired, { ...desired, template: { ...desired.template, settings: { index: { number_of_shards: '2' } } } })).toBe(
      'template.settings.index.number_of_shards differs',
    );
  });
});

describe('savedObjectDifference', () => {
  const desired = {
    type: 'visualization',
    id: 'v',
    attributes: { title: 'T', visState: '{"type":"line","params":{}}' },
    references: [
      { name: 'b', type: 'index-pattern', id: '2' },
      { name: 'a', type: 'index-pattern', id: '1' },
    ],
  };
  it('compares JSON strings parsed and references as a set, ignoring server additions', () => {
    const stored = {
      ...desired,
      attributes: { title: 'T', visState: '{ "params": {}, "type": "line", "aggs": [] }', version: 1 },
      references: [...desired.references].reverse(),
      migrationVersion: { visualization: '7.10.0' },
      updated_at: '2026-01-01T00:00:00Z',
    };
    expect(savedObjectDifference(desired, stored)).toBeUndefined();
  });
  it.each([
    [{ attributes: { title: 'Other', visState: desired.attributes.visState } }, 'attributes.title'],
    [{ attributes: { title: 'T', visState: '{"type":"area","params":{}}' } }, 'attributes.visState.type'],
    [{ references: desired.references.slice(0, 1) }, 'references'],
    [{ references: [{ name: 'a', type: 'index-pattern', id: '9' }, desired.references[0]] }, 'references[0].id'],
  ])('finds %j', (change, difference) => {
    expect(savedObjectDifference(desired, { ...desired, ...change })).toBe(difference);
  });
});
