import { describe, expect, it } from 'vitest';
import { loadAssetsConfig } from '../../functions/assets/config';
import { loadAssetBundle } from '../../functions/assets/load';
import type { AssetBundle, Json, NamedAsset, SavedObject } from '../../functions/assets/types';
import {
  AGGREGATABLE_TYPES,
  NUMERIC_TYPES,
  SLUGS,
  commonFields,
  effectiveFields,
  fieldAt,
  insideFlatObject,
  type FieldMap,
} from './mapping';

/**
 * Every field a saved search, visualization, dashboard or monitor uses exists in the
 * template its index pattern resolves to, with a type the use needs; every reference and
 * panel resolves; every nested JSON string parses.
 */

const ENDPOINT = { OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200' };
const config = loadAssetsConfig(ENDPOINT);
const bundle = loadAssetBundle(config);
const withChannel = loadAssetBundle(
  loadAssetsConfig({ ...ENDPOINT, ALERT_CHANNEL: 'webhook', ALERT_WEBHOOK_URL: 'https://alerts.example.com/hook' }),
);

type Need = 'any' | 'aggregatable' | 'numeric' | 'date' | 'numeric-or-date' | 'range' | 'text';

const NEEDS: Record<Need, (type: string) => boolean> = {
  any: () => true,
  aggregatable: (type) => AGGREGATABLE_TYPES.has(type),
  numeric: (type) => NUMERIC_TYPES.has(type),
  date: (type) => type === 'date',
  'numeric-or-date': (type) => NUMERIC_TYPES.has(type) || type === 'date',
  range: (type) => NUMERIC_TYPES.has(type) || type === 'date' || type === 'ip',
  text: (type) => type === 'text',
};

const AGG_NEEDS: Record<string, Need> = {
  terms: 'aggregatable',
  date_histogram: 'date',
  sum: 'numeric',
  avg: 'numeric',
  percentiles: 'numeric',
  median: 'numeric',
  max: 'numeric-or-date',
  min: 'numeric-or-date',
  cardinality: 'aggregatable',
};

/** Problems of one field use, or [] when the field exists with a fitting type. */
function fieldProblems(fields: FieldMap, field: string, need: Need, where: string): string[] {
  const flat = insideFlatObject(fields, field);
  if (flat !== undefined) return need === 'any' ? [] : [`${where}: ${field} is inside flat_object ${flat}`];
  const spec = fieldAt(fields, field);
  if (spec === undefined) return [`${where}: ${field} is not in the mapping`];
  if (spec.index === false) return [`${where}: ${field} is not indexed`];
  return NEEDS[need](spec.type) ? [] : [`${where}: ${field} is ${spec.type}, ${need} needed`];
}

/** Fields a KQL query names, with what the operator needs (`:` matches any indexed field). */
function kqlFields(query: string): { field: string; need: Need }[] {
  const unquoted = query.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...unquoted.matchAll(/([A-Za-z_@][\w.@]*)\s*(<=|>=|<|>|:)/g)].map((match) => ({
    field: match[1]!,
    need: match[2] === ':' ? 'any' : 'range',
  }));
}

const objects = new Map(bundle.savedObjects.map((object) => [`${object.type}/${object.id}`, object]));

function parsed(object: SavedObject, attribute: string): Json {
  const raw =
    attribute === 'searchSourceJSON'
      ? ((object.attributes.kibanaSavedObjectMeta as Json | undefined)?.searchSourceJSON as string | undefined)
      : (object.attributes[attribute] as string | undefined);
  if (typeof raw !== 'string') throw new Error(`${object.id}: ${attribute} is not a string`);
  return JSON.parse(raw) as Json;
}

/** The fields an index pattern's title resolves to: one template, or the fields all templates share. */
function templateFieldsOf(title: string): FieldMap | undefined {
  const slug = SLUGS.find((candidate) => title === `${config.prefix}-${candidate}-*`);
  if (slug !== undefined) return effectiveFields(bundle, slug);
  if (title === `${config.prefix}-*`) return commonFields(SLUGS.map((candidate) => effectiveFields(bundle, candidate)));
  return undefined;
}

/** Scripted fields of an index pattern, as mapping-like specs (Painless answers a number). */
function scriptedFieldsOf(title: string): [string, { type: string; subfields: Record<string, string> }][] {
  const pattern = bundle.savedObjects.find((object) => object.type === 'index-pattern' && object.attributes.title === title);
  const fields = typeof pattern?.attributes.fields === 'string' ? (JSON.parse(pattern.attributes.fields) as Json[]) : [];
  return fields
    .filter((field) => field.scripted === true)
    .map((field) => [String(field.name), { type: field.type === 'number' ? 'double' : String(field.type), subfields: {} }]);
}

/** The template's fields plus the pattern's scripted fields. */
function fieldsOfPattern(title: string): FieldMap | undefined {
  const fields = templateFieldsOf(title);
  if (fields === undefined) return undefined;
  return new Map([...fields, ...scriptedFieldsOf(title)]);
}

function indexPatternOf(object: SavedObject): SavedObject {
  const reference = object.references.find((ref) => ref.name === parsed(object, 'searchSourceJSON').indexRefName);
  const pattern = reference && objects.get(`index-pattern/${reference.id}`);
  if (pattern === undefined) throw new Error(`${object.id}: its index pattern does not resolve`);
  return pattern;
}

function fieldsOfObject(object: SavedObject): FieldMap {
  const fields = fieldsOfPattern(String(indexPatternOf(object).attributes.title));
  if (fields === undefined) throw new Error(`${object.id}: no template for its index pattern`);
  return fields;
}

function queryProblems(object: SavedObject, fields: FieldMap): string[] {
  const source = parsed(object, 'searchSourceJSON') as { query?: { query?: string; language?: string } };
  expect(source.query?.language).toBe('kuery');
  return kqlFields(source.query?.query ?? '').flatMap(({ field, need }) => fieldProblems(fields, field, need, `${object.id} query`));
}

interface VisAgg {
  id: string;
  type: string;
  schema: string;
  params: Json;
}

function aggProblems(agg: VisAgg, fields: FieldMap, where: string): string[] {
  const problems: string[] = [];
  const need = AGG_NEEDS[agg.type];
  if (need !== undefined) problems.push(...fieldProblems(fields, String(agg.params.field), need, `${where} ${agg.type}`));
  if (agg.type === 'cumulative_sum') problems.push(...aggProblems(agg.params.customMetric as VisAgg, fields, where));
  if (agg.type === 'terms' && agg.params.orderAgg !== undefined) {
    problems.push(...aggProblems(agg.params.orderAgg as VisAgg, fields, `${where} orderAgg`));
  }
  if (agg.type === 'filters') {
    for (const filter of agg.params.filters as { input: { query: string; language: string } }[]) {
      expect(filter.input.language).toBe('kuery');
      problems.push(...kqlFields(filter.input.query).flatMap(({ field, need: op }) => fieldProblems(fields, field, op, `${where} filters`)));
    }
  }
  if (!['count', 'cumulative_sum', 'filters', ...Object.keys(AGG_NEEDS)].includes(agg.type)) {
    problems.push(`${where}: aggregation ${agg.type} is not checked by this test`);
  }
  return problems;
}

describe('nested JSON strings', () => {
  const strings = bundle.savedObjects.flatMap((object) =>
    ['visState', 'uiStateJSON', 'panelsJSON', 'optionsJSON', 'fieldFormatMap', 'searchSourceJSON']
      .filter((attribute) =>
        attribute === 'searchSourceJSON' ? object.attributes.kibanaSavedObjectMeta !== undefined : object.attributes[attribute] !== undefined,
      )
      .map((attribute) => [`${object.id} ${attribute}`, object, attribute] as const),
  );

  it('exist on every object that needs them', () => {
    for (const object of bundle.savedObjects) {
      const required = {
        'index-pattern': [],
        search: ['searchSourceJSON'],
        visualization: ['visState', 'uiStateJSON', 'searchSourceJSON'],
        dashboard: ['panelsJSON', 'optionsJSON', 'searchSourceJSON'],
      }[object.type];
      expect(required, object.type).toBeDefined();
      const present = strings.filter(([, owner]) => owner === object).map(([, , attribute]) => attribute);
      expect(present).toEqual(expect.arrayContaining(required!));
    }
  });

  it.each(strings)('%s parses', (_name, object, attribute) => {
    expect(() => parsed(object, attribute)).not.toThrow();
  });
});

describe('references', () => {
  it('ids are unique', () => {
    expect(objects.size).toBe(bundle.savedObjects.length);
  });

  it.each(bundle.savedObjects.map((object) => [`${object.type}/${object.id}`, object] as const))(
    '%s: every reference resolves to an object of its type, and every reference is used',
    (_key, object) => {
      for (const reference of object.references) {
        expect(objects.has(`${reference.type}/${reference.id}`), `${reference.name} -> ${reference.type}/${reference.id}`).toBe(true);
      }
      const names = object.references.map((reference) => reference.name);
      expect(new Set(names).size).toBe(names.length);
      const used: string[] = [];
      if (object.type === 'search' || object.type === 'visualization') {
        used.push(String(parsed(object, 'searchSourceJSON').indexRefName));
        expect(object.references.find((reference) => reference.name === used[0])?.type).toBe('index-pattern');
      }
      if (object.type === 'dashboard') {
        for (const panel of parsed(object, 'panelsJSON') as unknown as { panelRefName: string }[]) used.push(panel.panelRefName);
      }
      expect(used.sort()).toEqual([...names].sort());
    },
  );
});

describe('index patterns', () => {
  const patterns = bundle.savedObjects.filter((object) => object.type === 'index-pattern');

  it('one per dataset plus one over all of them', () => {
    expect(patterns.map((pattern) => pattern.attributes.title).sort()).toEqual(
      [`${config.prefix}-*`, ...SLUGS.map((slug) => `${config.prefix}-${slug}-*`)].sort(),
    );
  });

  it('each per-dataset title is exactly its template index pattern', () => {
    const templatePatterns = bundle.indexTemplates.flatMap((template) => template.body.index_patterns as string[]);
    for (const pattern of patterns.filter((candidate) => candidate.attributes.title !== `${config.prefix}-*`)) {
      expect(templatePatterns).toContain(pattern.attributes.title);
    }
  });

  it.each(patterns.map((pattern) => [String(pattern.attributes.title), pattern] as const))(
    '%s: the time field is a date (dead letters: when they failed) and formatted fields are numeric',
    (title, pattern) => {
      const fields = fieldsOfPattern(title)!;
      // A redrive or a backfill of old events fails now: dead letters are dated by the failure (item 6).
      const timeField = title === `${config.prefix}-deadletter-*` ? 'event.ingested' : '@timestamp';
      expect(pattern.attributes.timeFieldName).toBe(timeField);
      expect(fields.get(timeField)?.type).toBe('date');
      const formats = pattern.attributes.fieldFormatMap === undefined ? {} : parsed(pattern, 'fieldFormatMap');
      const problems = Object.entries(formats as Record<string, { id: string }>).flatMap(([field, format]) => {
        expect(['bytes', 'duration', 'percent', 'number']).toContain(format.id);
        return fieldProblems(fields, field, 'numeric', `${title} format ${format.id}`);
      });
      expect(problems).toEqual([]);
    },
  );

  it('formats scanned bytes as bytes and durations as durations', () => {
    const formats = Object.fromEntries(
      patterns
        .filter((pattern) => pattern.attributes.fieldFormatMap !== undefined)
        .flatMap((pattern) => Object.entries(parsed(pattern, 'fieldFormatMap') as Record<string, { id: string }>))
        .map(([field, format]) => [field, format.id]),
    );
    expect(formats).toMatchObject({
      'aws.athena.data_scanned_bytes': 'bytes',
      'aws.athena.total_execution_ms': 'duration',
      'aws.lambda.duration_ms': 'duration',
      'aws.lambda.billed_duration_ms': 'duration',
      'mysql.slowlog.query_time_sec': 'duration',
    });
  });
});

describe('saved searches', () => {
  const searches = bundle.savedObjects.filter((object) => object.type === 'search');

  it('include every search the issue asks for', () => {
    const queries = searches.map((search) => (parsed(search, 'searchSourceJSON').query as { query: string }).query);
    expect(queries).toEqual(
      expect.arrayContaining([
        'mysql.slowlog.query_time_sec > 1',
        'mysql.slowlog.rows_examined > 100000',
        'aws.athena.data_scanned_bytes > 10737418240',
        expect.stringContaining('TooManyRequestsException'),
        expect.stringContaining('aws.lambda.status: (error or failure)'),
        'aws.lambda.memory_used_ratio > 0.9',
        'tags: parse_failure',
      ]),
    );
    expect(searches.some((search) => indexPatternOf(search).attributes.title === `${config.prefix}-deadletter-*`)).toBe(true);
  });

  it.each(searches.map((search) => [search.id, search] as const))('%s: columns, sort and query fields fit', (_id, search) => {
    const fields = fieldsOfObject(search);
    const columns = search.attributes.columns as string[];
    expect(columns.length).toBeGreaterThan(0);
    const problems = [
      ...columns.flatMap((column) => fieldProblems(fields, column, 'any', `${search.id} column`)),
      ...(search.attributes.sort as [string, string][]).flatMap(([field, direction]) => {
        expect(['asc', 'desc']).toContain(direction);
        return fieldProblems(fields, field, 'aggregatable', `${search.id} sort`);
      }),
      ...queryProblems(search, fields),
    ];
    expect(problems).toEqual([]);
  });
});

describe('visualizations', () => {
  const visualizations = bundle.savedObjects.filter((object) => object.type === 'visualization');

  it.each(visualizations.map((vis) => [vis.id, vis] as const))('%s: every aggregation field fits its use', (_id, vis) => {
    const fields = fieldsOfObject(vis);
    const state = parsed(vis, 'visState') as { title: string; type: string; aggs: VisAgg[]; params: Json };
    expect(state.title).toBe(vis.attributes.title);
    expect(['line', 'histogram', 'area', 'table', 'metric', 'pie']).toContain(state.type);
    expect(new Set(state.aggs.map((agg) => agg.id)).size).toBe(state.aggs.length);
    expect(state.aggs.some((agg) => agg.schema === 'metric')).toBe(true);
    const problems = [
      ...state.aggs.flatMap((agg) => aggProblems(agg, fields, vis.id)),
      ...queryProblems(vis, fields),
    ];
    expect(problems).toEqual([]);
  });

  it.each(visualizations.map((vis) => [vis.id, vis] as const))('%s: orderBy and series point at its metrics', (_id, vis) => {
    const state = parsed(vis, 'visState') as { aggs: VisAgg[]; params: { seriesParams?: { data: { id: string } }[] } };
    const metrics = state.aggs.filter((agg) => agg.schema === 'metric');
    // A percentiles metric answers as `<id>.<percent>`, one series per percent.
    const orderable = new Set(
      metrics.flatMap((agg) =>
        agg.type === 'percentiles' ? (agg.params.percents as number[]).map((percent) => `${agg.id}.${percent}`) : [agg.id],
      ),
    );
    for (const agg of state.aggs.filter((candidate) => candidate.type === 'terms')) {
      const orderBy = String(agg.params.orderBy);
      if (orderBy === 'custom') expect(agg.params.orderAgg).toBeDefined();
      else expect([...orderable], `${vis.id} terms ${agg.id} orderBy ${orderBy}`).toContain(orderBy);
    }
    for (const series of state.params.seriesParams ?? []) {
      expect(metrics.map((agg) => agg.id)).toContain(series.data.id);
    }
  });

  it('cumulative scanned bytes per user nest a date histogram inside the user split', () => {
    const vis = objects.get(`visualization/${config.prefix}-vis-athena-cumulative-per-user`)!;
    const buckets = (parsed(vis, 'visState').aggs as VisAgg[]).filter((agg) => agg.schema !== 'metric');
    // Bucket order is nesting order; cumulative_sum needs the histogram as its direct parent.
    expect(buckets.map((agg) => agg.type)).toEqual(['terms', 'date_histogram']);
  });
});

describe('dashboards', () => {
  const dashboards = bundle.savedObjects.filter((object) => object.type === 'dashboard');

  it('are the four the issue asks for', () => {
    expect(dashboards.map((dashboard) => dashboard.attributes.title).sort()).toEqual(
      ['Athena usage', 'Lambda performance', 'Pipeline health', 'RDS slow queries'].map((title) => `[${config.prefix}] ${title}`),
    );
  });

  it.each(dashboards.map((dashboard) => [String(dashboard.attributes.title), dashboard] as const))(
    '%s: panels resolve, carry a version and fit the 48-column grid without overlap',
    (_title, dashboard) => {
      const panels = parsed(dashboard, 'panelsJSON') as unknown as {
        version: string;
        panelIndex: string;
        panelRefName: string;
        gridData: { x: number; y: number; w: number; h: number; i: string };
      }[];
      expect(panels.length).toBeGreaterThan(3);
      const cells = new Set<string>();
      for (const panel of panels) {
        const reference = dashboard.references.find((ref) => ref.name === panel.panelRefName);
        expect(reference, panel.panelRefName).toBeDefined();
        expect(['visualization', 'search']).toContain(reference!.type);
        expect(objects.has(`${reference!.type}/${reference!.id}`)).toBe(true);
        expect(panel.version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(panel.gridData.i).toBe(panel.panelIndex);
        expect(panel.gridData.x + panel.gridData.w).toBeLessThanOrEqual(48);
        for (let x = panel.gridData.x; x < panel.gridData.x + panel.gridData.w; x += 1) {
          for (let y = panel.gridData.y; y < panel.gridData.y + panel.gridData.h; y += 1) {
            expect(cells.has(`${x},${y}`), `${panel.panelRefName} overlaps at ${x},${y}`).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
    },
  );
});

/** Every field a monitor's search names, with the use. */
function monitorFieldUses(value: unknown, uses: { field: string; need: Need }[] = []): { field: string; need: Need }[] {
  if (Array.isArray(value)) {
    for (const item of value) monitorFieldUses(item, uses);
    return uses;
  }
  if (value === null || typeof value !== 'object') return uses;
  for (const [key, inner] of Object.entries(value as Json)) {
    const body = inner as Json;
    if (key === 'range') for (const field of Object.keys(body)) uses.push({ field, need: 'range' });
    else if (key === 'exists') uses.push({ field: String(body.field), need: 'any' });
    else if ((key === 'match_phrase' || key === 'match') && body !== null) for (const field of Object.keys(body)) uses.push({ field, need: 'text' });
    else if (key === 'term' || (key === 'terms' && typeof body?.field !== 'string')) {
      for (const field of Object.keys(body)) uses.push({ field, need: 'aggregatable' });
    } else if (AGG_NEEDS[key] !== undefined && typeof body?.field === 'string') uses.push({ field: body.field, need: AGG_NEEDS[key]! });
    monitorFieldUses(inner, uses);
  }
  return uses;
}

function searchOf(monitor: NamedAsset): { indices: string[]; query: Json } {
  return ((monitor.body.inputs as Json[])[0]!.search ?? {}) as { indices: string[]; query: Json };
}

function triggersOf(monitor: NamedAsset): Json[] {
  return (monitor.body.triggers as Json[]).map((trigger) => Object.values(trigger)[0] as Json);
}

describe('monitors', () => {
  it('are the five the issue asks for, named with the prefix', () => {
    expect(bundle.monitors.map((monitor) => monitor.name).sort()).toEqual(
      ['athena-scanned-bytes-per-user', 'deadletters', 'lambda-memory-high', 'lambda-timeouts', 'rds-slow-queries-per-instance'].map(
        (name) => `${config.prefix}-${name}`,
      ),
    );
  });

  it.each(bundle.monitors.map((monitor) => [monitor.name, monitor] as const))(
    '%s: indices match a template and every field fits its use',
    (_name, monitor) => {
      const { indices, query } = searchOf(monitor);
      expect(indices.length).toBe(1);
      const slug = SLUGS.find((candidate) => indices[0] === `${config.prefix}-${candidate}-*`);
      expect(slug, indices[0]).toBeDefined();
      const fields = effectiveFields(bundle, slug!);
      const uses = monitorFieldUses(query);
      expect(uses.length).toBeGreaterThan(1);
      expect(uses.flatMap(({ field, need }) => fieldProblems(fields, field, need, monitor.name))).toEqual([]);
    },
  );

  it.each(bundle.monitors.filter((monitor) => monitor.body.monitor_type === 'bucket_level_monitor').map((m) => [m.name, m] as const))(
    '%s: bucket paths point at the composite aggregation and its sub-aggregations',
    (_name, monitor) => {
      const aggregations = searchOf(monitor).query.aggregations as Record<string, Json>;
      for (const trigger of triggersOf(monitor)) {
        const condition = trigger.condition as { parent_bucket_path: string; buckets_path: Record<string, string> };
        const parent = aggregations[condition.parent_bucket_path];
        expect(parent?.composite).toBeDefined();
        const subs = Object.keys((parent!.aggregations ?? {}) as Json);
        for (const path of Object.values(condition.buckets_path)) expect(['_count', ...subs]).toContain(path);
      }
    },
  );

  it('carry the configured thresholds', () => {
    const custom = loadAssetBundle(
      loadAssetsConfig({
        ...ENDPOINT,
        ALERT_SCANNED_BYTES_PER_USER_HOUR: '5000000000',
        ALERT_SLOW_QUERIES_PER_5M: '25',
        ALERT_MEMORY_RATIO: '0.75',
      }),
    );
    const byName = new Map(custom.monitors.map((monitor) => [monitor.name.replace(/^cwl-/, ''), monitor]));
    const threshold = (name: string): unknown =>
      ((triggersOf(byName.get(name)!)[0]!.condition as Json).script as { params: { threshold: unknown } }).params.threshold;
    expect(threshold('athena-scanned-bytes-per-user')).toBe(5_000_000_000);
    expect(threshold('rds-slow-queries-per-instance')).toBe(25);
    expect(JSON.stringify(searchOf(byName.get('lambda-memory-high')!).query)).toContain('"aws.lambda.memory_used_ratio":{"gt":0.75}');
    const defaults = new Map(bundle.monitors.map((monitor) => [monitor.name, monitor]));
    expect(
      ((triggersOf(defaults.get('cwl-athena-scanned-bytes-per-user')!)[0]!.condition as Json).script as Json).params,
    ).toEqual({ threshold: 107_374_182_400 });
  });

  it('have no actions without a channel, and notify the channel when there is one', () => {
    for (const monitor of bundle.monitors) for (const trigger of triggersOf(monitor)) expect(trigger.actions).toEqual([]);
    expect(withChannel.channel?.name).toBe('cwl-alerts');
    for (const monitor of withChannel.monitors) {
      for (const trigger of triggersOf(monitor)) {
        const actions = trigger.actions as Json[];
        expect(actions.length).toBeGreaterThan(0);
        for (const action of actions) expect(action.destination_id).toBe('cwl-alerts');
      }
    }
  });
});

describe('rendering', () => {
  function allStrings(value: unknown): string[] {
    if (typeof value === 'string') return [value];
    if (Array.isArray(value)) return value.flatMap(allStrings);
    if (value !== null && typeof value === 'object') return Object.values(value).flatMap(allStrings);
    return [];
  }

  it.each([
    ['without a channel', bundle],
    ['with a channel', withChannel],
  ] as [string, AssetBundle][])('leaves no ${placeholder} behind (%s)', (_name, rendered) => {
    expect(allStrings(rendered).filter((text) => text.includes('${'))).toEqual([]);
  });

  it('retention policies follow RETENTION_DAYS and DEADLETTER_RETENTION_DAYS and attach to the template patterns', () => {
    const custom = loadAssetBundle(loadAssetsConfig({ ...ENDPOINT, RETENTION_DAYS: '7', DEADLETTER_RETENTION_DAYS: '60' }));
    expect(custom.ismPolicies.map((policy) => policy.name)).toEqual(
      ['athena-cloudtrail', 'deadletter', 'generic', 'lambda', 'rds-mysql-slowquery'].map((slug) => `cwl-${slug}-retention`),
    );
    for (const policy of custom.ismPolicies) {
      const slug = policy.name.replace(/^cwl-/, '').replace(/-retention$/, '');
      const body = policy.body.policy as { states: { transitions: { conditions: { min_index_age: string } }[] }[]; ism_template: Json[] };
      expect(body.states[0]!.transitions[0]!.conditions.min_index_age).toBe(slug === 'deadletter' ? '60d' : '7d');
      expect(body.ism_template).toEqual([{ index_patterns: [`cwl-${slug}-*`], priority: 100 }]);
    }
  });
});
