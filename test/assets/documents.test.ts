import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAssetsConfig } from '../../functions/assets/config';
import { loadAssetBundle } from '../../functions/assets/load';
import type { Json } from '../../functions/assets/types';
import { enrichmentFields } from '../../functions/enricher/enrichment-fields';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { buildDocuments } from '../../functions/pipeline/process';
import type { LogBatch, LogDocument } from '../../functions/pipeline/types';
import { deadLetterDocument } from '../../functions/sinks/deadletter';
import { createRegistry } from '../../parsers/registry';
import { CORPUS_ROOT, missing, nonEmpty } from '../helpers/required-cases';
import {
  SLUGS,
  describeSpec,
  documentProblems,
  effectiveFields,
  leafPaths,
  type FieldMap,
  type Slug,
} from './mapping';

const FIXTURES = join(import.meta.dirname, '../fixtures/dashboards');
const SAMPLES = join(import.meta.dirname, '../fixtures/samples-decoded');

const config = loadAssetsConfig({ OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200' });
const bundle = loadAssetBundle(config);
const schema = JSON.parse(readFileSync(join(FIXTURES, 'schema-fields.json'), 'utf8')) as Record<string, Record<string, string>>;
const fieldsOf = Object.fromEntries(SLUGS.map((slug) => [slug, effectiveFields(bundle, slug)])) as Record<Slug, FieldMap>;

function handWritten(slug: Slug): Json[] {
  return JSON.parse(readFileSync(join(FIXTURES, 'documents', `${slug}.json`), 'utf8')) as Json[];
}

/** `cwl-lambda-2026.11.22` and `cwl-lambda-aws-lambda-x-2026.11.22` -> `lambda`. */
function slugOfIndex(index: string): Slug {
  const slug = SLUGS.find((candidate) => index.startsWith(`${config.prefix}-${candidate}-`));
  if (slug === undefined) throw new Error(`index ${index} matches no template`);
  return slug;
}

describe('index templates against schema.md', () => {
  it.each(SLUGS)('%s maps exactly the envelope and dataset fields of schema.md, with their types', (slug) => {
    const expected = { ...schema.envelope, ...schema[slug] };
    const actual = Object.fromEntries([...fieldsOf[slug]].map(([path, spec]) => [path, describeSpec(spec)]));
    expect(actual).toEqual(expected);
  });

  it('keeps unknown fields out of the mapping: dynamic false on every mapping', () => {
    const mappings = [...bundle.componentTemplates, ...bundle.indexTemplates]
      .map((asset) => (asset.body.template as Json).mappings as Json | undefined)
      .filter((mapping) => mapping !== undefined);
    expect(mappings.length).toBe(bundle.indexTemplates.length + 2);
    for (const mapping of mappings) expect(mapping.dynamic).toBe(false);
  });

  it('caps every keyword with ignore_above below the 32766-byte term limit (4-byte UTF-8)', () => {
    const keywords: number[] = [];
    JSON.stringify([...bundle.componentTemplates, ...bundle.indexTemplates].map((asset) => asset.body), (key, value: unknown) => {
      if (value !== null && typeof value === 'object' && (value as Json).type === 'keyword') {
        keywords.push(Number((value as Json).ignore_above));
      }
      return value;
    });
    expect(keywords.length).toBeGreaterThan(50);
    for (const limit of keywords) expect(limit).toBeLessThanOrEqual(8191);
  });

  it.each(SLUGS)('%s template: pattern, composition and priority', (slug) => {
    const template = bundle.indexTemplates.find((asset) => asset.name === `cwl-${slug}`)!;
    expect(template.body).toMatchObject({
      index_patterns: [`cwl-${slug}-*`],
      composed_of: ['cwl-settings', 'cwl-envelope', ...(slug === 'athena-cloudtrail' || slug === 'generic' ? ['cwl-cloudtrail'] : [])],
      priority: 200,
    });
  });

  it('sets daily-index settings, with shards, replicas and the prefix from the configuration', () => {
    const custom = loadAssetBundle(
      loadAssetsConfig({ OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200', INDEX_PREFIX: 'logs', INDEX_REPLICAS: '2', INDEX_SHARDS: '3' }),
    );
    const settings = custom.componentTemplates.find((asset) => asset.name === 'logs-settings')!.body;
    expect(settings).toMatchObject({
      template: { settings: { index: { number_of_shards: 3, number_of_replicas: 2, refresh_interval: '30s' } } },
    });
    // Issue 10, item 10: one shard by default, no longer fixed.
    const defaults = loadAssetBundle(loadAssetsConfig({ OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200' }));
    expect(defaults.componentTemplates.find((asset) => asset.name === 'cwl-settings')!.body).toMatchObject({
      template: { settings: { index: { number_of_shards: 1 } } },
    });
    expect(custom.indexTemplates.map((asset) => asset.body.index_patterns)).toEqual(
      ['athena-cloudtrail', 'deadletter', 'generic', 'lambda', 'rds-mysql-slowquery'].map((slug) => [`logs-${slug}-*`]),
    );
    expect(custom.indexTemplates[0]!.body.composed_of).toEqual(['logs-settings', 'logs-envelope', 'logs-cloudtrail']);
  });
});

describe('hand-written documents (test/fixtures/dashboards/documents)', () => {
  it.each(SLUGS)('%s documents satisfy the template', (slug) => {
    const documents = handWritten(slug);
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) expect(documentProblems(document, fieldsOf[slug])).toEqual([]);
  });

  it.each(SLUGS)('%s documents use every mapped field at least once', (slug) => {
    const used = new Set(handWritten(slug).flatMap((document) => leafPaths(document, fieldsOf[slug])));
    const unused = [...fieldsOf[slug].keys()].filter((path) => !used.has(path));
    expect(unused).toEqual([]);
  });
});

describe('documentProblems (the mapping checker)', () => {
  const lambda = (): FieldMap => fieldsOf.lambda;
  it.each([
    ['an unknown field', { aws: { lambda: { duration: 1 } } }, 'aws.lambda.duration: not in the mapping'],
    ['a string for a double', { aws: { lambda: { duration_ms: '12.5' } } }, 'aws.lambda.duration_ms: "12.5" is not a number'],
    ['a fraction for a long', { aws: { lambda: { memory_size_mb: 128.5 } } }, 'aws.lambda.memory_size_mb: 128.5 is not an integer'],
    ['a string for a boolean', { aws: { lambda: { cold_start: 'true' } } }, 'aws.lambda.cold_start: "true" is not a boolean'],
    ['a bad date', { '@timestamp': '22/11/2026' }, '@timestamp: "22/11/2026" is not a strict_date_optional_time date'],
    ['a null', { message: null }, 'message: null (absent values must be left out)'],
    ['an object for a keyword', { aws: { lambda: { status: { code: 1 } } } }, 'aws.lambda.status: an object where the mapping has a keyword'],
    ['a value where an object is mapped', { aws: { cloudwatch: 'x' } }, 'aws.cloudwatch: a value where the mapping has an object'],
    ['a number for a keyword', { tags: [1] }, 'tags: number for keyword'],
    ['a scalar for a flat_object', { aws: { lambda: { log: 'x' } } }, 'aws.lambda.log: flat_object needs an object'],
  ])('finds %s', (_name, document, problem) => {
    expect(documentProblems(document as Json, lambda())).toEqual([problem]);
  });

  it('accepts anything inside a flat_object and arrays of valid values', () => {
    expect(documentProblems({ aws: { lambda: { log: { a: { b: [1, 'x'] } } } }, tags: ['a', 'b'] }, lambda())).toEqual([]);
  });

  it('checks ip fields', () => {
    expect(documentProblems({ source: { ip: 'glue.amazonaws.com' } }, fieldsOf['athena-cloudtrail'])).toEqual([
      'source.ip: "glue.amazonaws.com" is not an IP address',
    ]);
  });
});

describe('documents built by the real parsers and pipeline satisfy the templates', () => {
  const registry = createRegistry();
  const pipeline = loadPipelineConfig({});
  const now = (): Date => new Date('2026-11-22T09:00:00.000Z');
  const build = (batch: LogBatch): LogDocument[] =>
    buildDocuments(batch, { registry, config: pipeline, now, region: 'eu-west-1' }).documents;

  const samples = readdirSync(SAMPLES).filter((file) => file.endsWith('.json'));

  it.each(nonEmpty(samples, `sample batches in ${SAMPLES}`))('sample batch %s', (file) => {
    const batch = JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')) as LogBatch;
    const documents = build(batch);
    if (batch.messageType === 'CONTROL_MESSAGE') {
      expect(documents).toEqual([]);
      return;
    }
    expect(documents.length).toBe(batch.logEvents.length);
    for (const document of documents) {
      const problems = documentProblems(document.source, fieldsOf[slugOfIndex(document.index)]);
      expect(problems, `${file} ${document.id}`).toEqual([]);
    }
  });

  it('covers every dataset but the dead letters across the samples', () => {
    const slugs = new Set(
      samples.flatMap((file) =>
        build(JSON.parse(readFileSync(join(SAMPLES, file), 'utf8')) as LogBatch).map((document) => slugOfIndex(document.index)),
      ),
    );
    expect([...slugs].sort()).toEqual(['athena-cloudtrail', 'generic', 'lambda', 'rds-mysql-slowquery']);
  });

  it('parse failures keep to the envelope', () => {
    const [document] = build({
      messageType: 'DATA_MESSAGE',
      owner: '123456789012',
      logGroup: '/aws/rds/instance/db-1/slowquery',
      logStream: 'db-1',
      subscriptionFilters: [],
      logEvents: [{ id: '1', timestamp: Date.UTC(2026, 10, 22), message: 'not a slow log entry' }],
    });
    expect(document!.source.tags).toContain('parse_failure');
    expect(documentProblems(document!.source, fieldsOf['rds-mysql-slowquery'])).toEqual([]);
  });

  it('dead-letter documents of the sink satisfy the deadletter template', () => {
    const batch = JSON.parse(readFileSync(join(SAMPLES, 'lambda-text.json'), 'utf8')) as LogBatch;
    const original = build(batch)[0]!;
    const dead = deadLetterDocument(
      original,
      400,
      { type: 'mapper_parsing_exception', reason: 'failed to parse field [aws.lambda.duration_ms]' },
      'cwl',
      now(),
    );
    expect(slugOfIndex(dead.index)).toBe('deadletter');
    expect(documentProblems(dead.source, fieldsOf.deadletter)).toEqual([]);
  });

  it('fields the Athena enrichment writes satisfy the athena-cloudtrail template', () => {
    const fields = enrichmentFields(
      {
        QueryExecutionId: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
        Query: 'SELECT 1',
        StatementType: 'DML',
        WorkGroup: 'primary',
        QueryExecutionContext: { Database: 'sales', Catalog: 'AwsDataCatalog' },
        Status: {
          State: 'SUCCEEDED',
          SubmissionDateTime: new Date('2026-11-22T08:00:00.000Z'),
          CompletionDateTime: new Date('2026-11-22T08:00:09.000Z'),
        },
        Statistics: {
          DataScannedInBytes: 12_884_901_888,
          EngineExecutionTimeInMillis: 8123,
          TotalExecutionTimeInMillis: 8765,
          QueryQueueTimeInMillis: 120,
          QueryPlanningTimeInMillis: 310,
          ServiceProcessingTimeInMillis: 212,
          ResultReuseInformation: { ReusedPreviousResult: false },
        },
      },
      {},
      5,
    );
    expect(Object.keys(fields).length).toBeGreaterThan(10);
    const document = { aws: { athena: { ...fields, enriched_at: now().toISOString() } } };
    expect(documentProblems(document, fieldsOf['athena-cloudtrail'])).toEqual([]);
  });

  const corpusBatches = [
    'mysql-slowlog/cloudwatch/honeycomb-mysql-cloudwatch.decoded.json',
    'lambda-report/datadog/events/cloudwatch_logs.json',
    'athena-cloudtrail/datadog/cloudwatch_log_cloudtrail.json',
  ];
  for (const file of corpusBatches) {
    const path = join(CORPUS_ROOT, file);
    // Absent: a visible skip locally, a failure with CI=true (never a test that passes untested).
    if (!existsSync(path)) missing(`${path} (the shared corpus is not beside the project)`);
    else it(`public sample ${file} (../shared/corpus)`, () => expectCorpusBatchFits(path));
  }

  function expectCorpusBatchFits(path: string): void {
    const documents = build(JSON.parse(readFileSync(path, 'utf8')) as LogBatch);
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) {
      expect(documentProblems(document.source, fieldsOf[slugOfIndex(document.index)]), document.id).toEqual([]);
    }
  }
});
