import { describe, expect, it } from 'vitest';
import { loadAssetsConfig } from '../../functions/assets/config';
import { loadAssetBundle } from '../../functions/assets/load';
import type { Json, SavedObject } from '../../functions/assets/types';
import { SLUGS, effectiveFields } from './mapping';

/**
 * What the dashboards show (issue 10): index-pattern fields from the templates (item 2),
 * counts that are what they say (items 3, 4, 8), idempotent formats (item 9), editor-safe
 * ordering (item 10) and the panels for the questions the dashboards did not answer.
 */

const config = loadAssetsConfig({ OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200' });
const bundle = loadAssetBundle(config);
const objects = new Map(bundle.savedObjects.map((object) => [object.id.replace(/^cwl-/, ''), object]));

function object(id: string): SavedObject {
  const found = objects.get(id);
  if (found === undefined) throw new Error(`no saved object ${id}`);
  return found;
}

function jsonAttribute(saved: SavedObject, name: string): Json {
  const raw = name === 'searchSourceJSON' ? (saved.attributes.kibanaSavedObjectMeta as Json).searchSourceJSON : saved.attributes[name];
  return JSON.parse(String(raw)) as Json;
}

function query(saved: SavedObject): string {
  return (jsonAttribute(saved, 'searchSourceJSON').query as { query: string }).query;
}

interface Agg {
  id: string;
  type: string;
  schema: string;
  params: Json;
}

function aggs(saved: SavedObject): Agg[] {
  return jsonAttribute(saved, 'visState').aggs as Agg[];
}

const patterns = bundle.savedObjects.filter((saved) => saved.type === 'index-pattern');

describe('index patterns carry the fields of their templates (item 2)', () => {
  it.each(patterns.map((pattern) => [String(pattern.attributes.title), pattern] as const))(
    '%s: fields that Dashboards takes as they are (no refresh with allowNoIndices: false)',
    (title, pattern) => {
      expect(typeof pattern.attributes.fields).toBe('string');
      const fields = JSON.parse(String(pattern.attributes.fields)) as Json[];
      // OSD's isFieldRefreshRequired: a spec without these makes Dashboards fetch the fields.
      for (const field of fields) {
        expect(field, String(field.name)).toEqual(
          expect.objectContaining({ name: expect.any(String), type: expect.any(String), searchable: expect.any(Boolean), aggregatable: expect.any(Boolean), readFromDocValues: expect.any(Boolean) }),
        );
      }
      const names = new Set(fields.map((field) => field.name));
      const slugs = title === 'cwl-*' ? SLUGS : SLUGS.filter((slug) => title === `cwl-${slug}-*`);
      expect(slugs.length).toBeGreaterThan(0);
      for (const slug of slugs) {
        for (const [path, spec] of effectiveFields(bundle, slug)) {
          expect(names.has(path), `${title}: ${path}`).toBe(true);
          for (const sub of Object.keys(spec.subfields)) expect(names.has(`${path}.${sub}`), `${title}: ${path}.${sub}`).toBe(true);
        }
      }
    },
  );

  it('types and capabilities follow the mapping', () => {
    const lambda = new Map(
      (JSON.parse(String(patterns.find((p) => p.attributes.title === 'cwl-lambda-*')!.attributes.fields)) as Json[]).map((field) => [field.name, field]),
    );
    expect(lambda.get('aws.lambda.duration_ms')).toMatchObject({ type: 'number', esTypes: ['double'], aggregatable: true, searchable: true });
    expect(lambda.get('message')).toMatchObject({ type: 'string', esTypes: ['text'], aggregatable: false, searchable: true, readFromDocValues: false });
    expect(lambda.get('aws.lambda.cold_start')).toMatchObject({ type: 'boolean', aggregatable: true });
    expect(lambda.get('aws.lambda.log')).toMatchObject({ esTypes: ['flat_object'], aggregatable: false });
    const deadletter = new Map(
      (JSON.parse(String(patterns.find((p) => p.attributes.title === 'cwl-deadletter-*')!.attributes.fields)) as Json[]).map((field) => [field.name, field]),
    );
    expect(deadletter.get('deadletter.document')).toMatchObject({ searchable: false, aggregatable: false });
    expect(deadletter.get('error.reason.keyword')).toMatchObject({ type: 'string', aggregatable: true, subType: { multi: { parent: 'error.reason' } } });
  });

  it('follows a template change: a field added to a template appears in its pattern', () => {
    const changed = structuredClone(bundle.indexTemplates.find((template) => template.name === 'cwl-generic')!);
    ((changed.body.template as Json).mappings as { properties: Json }).properties.extra = { type: 'keyword' };
    const custom = loadAssetBundle(config);
    const reloaded = bundle.indexTemplates.map((template) => (template.name === changed.name ? changed : template));
    // Same builder as loadAssetBundle, on the changed template.
    return import('../../functions/assets/index-pattern-fields').then(({ withTemplateFields }) => {
      const [generic] = withTemplateFields(
        custom.savedObjects.filter((saved) => saved.attributes.title === 'cwl-generic-*'),
        reloaded,
        bundle.componentTemplates,
      );
      expect((JSON.parse(String(generic!.attributes.fields)) as Json[]).some((field) => field.name === 'extra')).toBe(true);
    });
  });
});

/** Defaults of Dashboards' field formatters (OSD src/plugins/data/common/field_formats/converters). */
const FORMAT_DEFAULTS: Record<string, Json> = {
  duration: { inputFormat: 'seconds', outputFormat: 'humanize', outputPrecision: 2 },
};

describe('field formats name no default, which Dashboards drops on save (item 9)', () => {
  it.each(patterns.filter((p) => p.attributes.fieldFormatMap !== undefined).map((p) => [String(p.attributes.title), p] as const))(
    '%s',
    (_title, pattern) => {
      const formats = jsonAttribute(pattern, 'fieldFormatMap') as Record<string, { id: string; params?: Json }>;
      for (const [field, format] of Object.entries(formats)) {
        for (const [param, value] of Object.entries(format.params ?? {})) {
          expect(FORMAT_DEFAULTS[format.id]?.[param], `${field} ${format.id}.${param}`).not.toEqual(value);
        }
      }
    },
  );
});

describe('charts keep their meaning in the editor (item 10)', () => {
  it.each(bundle.savedObjects.filter((saved) => saved.type === 'visualization').map((saved) => [saved.id, saved] as const))(
    '%s: terms are never ordered by a percentile key (the editor cannot show "1.95" and resets it)',
    (_id, saved) => {
      for (const agg of aggs(saved).filter((candidate) => candidate.type === 'terms')) {
        expect(String(agg.params.orderBy)).not.toContain('.');
        const orderAgg = agg.params.orderAgg as Agg | undefined;
        if (orderAgg !== undefined) expect(['percentiles', 'median', 'percentile_ranks']).not.toContain(orderAgg.type);
      }
    },
  );
});

describe('counts that are what they say (items 3, 4, 8)', () => {
  it('"Queries started" and the per-person tables count started queries, not throttled calls', () => {
    for (const id of ['vis-athena-totals', 'vis-athena-scanned-per-user', 'vis-athena-scanned-per-workgroup', 'vis-athena-people-vs-services', 'vis-athena-cumulative-per-user']) {
      expect(query(object(id)), id).toBe('event.action: StartQueryExecution and event.outcome: success');
    }
    const overTime = aggs(object('vis-athena-queries-over-time')).find((agg) => agg.type === 'filters')!;
    expect((overTime.params.filters as { input: { query: string } }[])[0]!.input.query).toContain('event.outcome: success');
  });

  it('slow queries over time count what the slow-query monitor counts', () => {
    expect(query(object('vis-rds-count-per-instance'))).toBe(
      'mysql.slowlog.query_time_sec: * and not mysql.slowlog.admin_command: * and not tags: parse_failure',
    );
  });

  it('the timeouts chart counts distinct request ids', () => {
    const metricAggs = aggs(object('vis-lambda-timeouts-errors')).filter((agg) => agg.schema === 'metric');
    expect(metricAggs).toEqual([expect.objectContaining({ type: 'cardinality', params: expect.objectContaining({ field: 'aws.lambda.request_id' }) })]);
  });

  it('the timeouts saved search lists a text-format timeout once (its "Task timed out" line, not its REPORT)', () => {
    const text = query(object('ss-lambda-timeouts-errors'));
    expect(text).not.toMatch(/(^|\s)aws\.lambda\.status: \(timeout/);
    expect(text).not.toContain('message:');
    expect(text).toContain('tags: timeout');
  });

  it('people apart from roles and services by the person flag, not by the client (item 4)', () => {
    const filters = aggs(object('vis-athena-people-vs-services')).find((agg) => agg.type === 'filters')!;
    expect((filters.params.filters as { input: { query: string } }[]).map((filter) => filter.input.query)).toEqual([
      'aws.cloudtrail.user_identity.person: true',
      'not aws.cloudtrail.user_identity.person: true',
    ]);
  });
});

describe('panels for the questions the dashboards did not answer', () => {
  const onDashboard = (dashboard: string): Set<string> =>
    new Set(object(dashboard).references.map((reference) => reference.id.replace(/^cwl-/, '')));

  it.each([
    ['db-rds-slow-queries', ['vis-rds-lock-time', 'vis-rds-load-by-database-statement', 'vis-rds-p95-per-instance', 'vis-rds-tmp-disk-filesort']],
    ['db-lambda-performance', ['vis-lambda-init-duration', 'vis-lambda-cold-start-rate', 'vis-lambda-error-rate', 'vis-lambda-oversized']],
    ['db-athena-usage', ['vis-athena-failures-by-reason', 'vis-athena-queue-time', 'vis-athena-scanned-per-person-hour', 'vis-athena-cost-per-workgroup-person']],
    ['db-pipeline-health', ['vis-pipeline-ingest-lag', 'vis-pipeline-log-groups-last-seen']],
  ])('%s shows %j', (dashboard, panels) => {
    const shown = onDashboard(dashboard);
    for (const panel of panels) expect(shown.has(panel), panel).toBe(true);
  });

  it('each answers with the fields it names', () => {
    const fieldsOf = (id: string): string[] => aggs(object(id)).map((agg) => String(agg.params.field ?? ''));
    expect(fieldsOf('vis-rds-lock-time')).toContain('mysql.slowlog.lock_time_sec');
    expect(fieldsOf('vis-rds-load-by-database-statement')).toEqual(expect.arrayContaining(['mysql.slowlog.database', 'mysql.slowlog.statement_type']));
    expect(fieldsOf('vis-rds-p95-per-instance')).toEqual(expect.arrayContaining(['mysql.slowlog.query_time_sec', '@timestamp', 'aws.rds.db_instance']));
    expect(fieldsOf('vis-rds-tmp-disk-filesort')).toEqual(expect.arrayContaining(['mysql.slowlog.created_tmp_disk_tables', 'mysql.slowlog.tmp_disk_tables']));
    expect(query(object('vis-rds-tmp-disk-filesort'))).toContain('mysql.slowlog.filesort: true');
    expect(fieldsOf('vis-lambda-init-duration')).toContain('aws.lambda.init_duration_ms');
    expect(fieldsOf('vis-lambda-cold-start-rate')).toContain('aws.lambda.cold_start');
    expect(fieldsOf('vis-lambda-oversized')).toEqual(expect.arrayContaining(['aws.lambda.memory_used_ratio', 'aws.lambda.billed_gb_seconds']));
    expect(fieldsOf('vis-athena-failures-by-reason')).toContain('aws.athena.state_change_reason');
    expect(fieldsOf('vis-athena-queue-time')).toContain('aws.athena.query_queue_ms');
    expect(aggs(object('vis-athena-scanned-per-person-hour')).find((agg) => agg.type === 'date_histogram')!.params.interval).toBe('h');
    expect(query(object('vis-athena-scanned-per-person-hour'))).toContain('aws.cloudtrail.user_identity.person: true');
    expect(fieldsOf('vis-athena-cost-per-workgroup-person')).toEqual(expect.arrayContaining(['aws.athena.work_group', 'user.name', 'aws.athena.estimated_cost_usd']));
    expect(fieldsOf('vis-pipeline-ingest-lag')).toEqual(expect.arrayContaining(['pipeline.lag_sec', 'event.dataset']));
    expect(fieldsOf('vis-pipeline-log-groups-last-seen')).toEqual(expect.arrayContaining(['aws.cloudwatch.log_group', '@timestamp']));
  });

  it('the ingest lag is event.ingested - @timestamp, in seconds, and empty without both', () => {
    const all = patterns.find((pattern) => pattern.attributes.title === 'cwl-*')!;
    const lag = (JSON.parse(String(all.attributes.fields)) as Json[]).find((field) => field.name === 'pipeline.lag_sec')!;
    expect(lag).toMatchObject({ scripted: true, lang: 'painless', type: 'number' });
    expect(lag.script).toContain("doc['event.ingested'].value.toInstant().toEpochMilli() - doc['@timestamp'].value.toInstant().toEpochMilli()");
    expect(lag.script).toContain('return null');
  });
});
