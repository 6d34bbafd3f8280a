import Mustache from 'mustache';
import { describe, expect, it } from 'vitest';
import { loadAssetsConfig } from '../../functions/assets/config';
import { loadAssetBundle } from '../../functions/assets/load';
import type { Json, NamedAsset } from '../../functions/assets/types';

/**
 * What the monitors say and count (issue 10, items 1, 3, 7 and 10). Messages are rendered
 * with a Mustache engine against the context the Alerting plugin gives an action:
 * `BucketLevelTriggerExecutionContext.asTemplateArg()` (alerting, script/) whose alerts are
 * `Alert.asTemplateArg()` (common-utils, alerting/model/Alert.kt): `bucket_keys` as a
 * comma-joined string, and no bucket values. The numbers must come from `ctx.results`.
 */

const bundle = loadAssetBundle(
  loadAssetsConfig({ OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200', ALERT_CHANNEL: 'webhook', ALERT_WEBHOOK_URL: 'https://hooks.example.com/x' }),
);
const byName = new Map(bundle.monitors.map((monitor) => [monitor.name.replace(/^cwl-/, ''), monitor]));

function monitor(name: string): NamedAsset {
  const found = byName.get(name);
  if (found === undefined) throw new Error(`no monitor ${name}`);
  return found;
}

function trigger(asset: NamedAsset): Json {
  return Object.values((asset.body.triggers as Json[])[0]!)[0] as Json;
}

function searchQuery(asset: NamedAsset): Json {
  return ((asset.body.inputs as Json[])[0]!.search as Json).query as Json;
}

function render(asset: NamedAsset, ctx: Json): string {
  const action = (trigger(asset).actions as Json[])[0]!;
  // OpenSearch's mustache escapes for JSON, not HTML; none of these values needs escaping.
  return Mustache.render((action.message_template as { source: string }).source, { ctx }, {}, { escape: (text: string) => text });
}

/** Alert.asTemplateArg() of a bucket-level alert (common-utils): no bucket values. */
function alertArg(keys: string[]): Json {
  return {
    id: `alert-${keys.join('-')}`,
    version: 1,
    state: 'ACTIVE',
    severity: '3',
    start_time: 1_796_000_000_000,
    bucket_keys: keys.join(','),
    parent_bucket_path: 'composite_agg',
    finding_ids: '',
    related_doc_ids: '',
  };
}

const PERIOD_END = '2026-12-06T18:00:00Z';

describe('bucket-level alert messages print the numbers (item 1)', () => {
  it('Athena: each user over the threshold with bytes, cost and queries', () => {
    const athena = monitor('athena-scanned-bytes-per-user');
    // The search answer as the cluster returns it: the bucket_selector keeps only the
    // buckets over the threshold; `format` adds value_as_string.
    const results = [
      {
        aggregations: {
          composite_agg: {
            buckets: [
              { key: { user: 'alice@example.com' }, doc_count: 12, scanned_bytes: { value: 128849018880, value_as_string: '128,849,018,880' }, cost_usd: { value: 0.6, value_as_string: '0.60' } },
              { key: { user: 'etl-runner' }, doc_count: 3, scanned_bytes: { value: 214748364800, value_as_string: '214,748,364,800' }, cost_usd: { value: 1.0, value_as_string: '1.00' } },
            ],
          },
        },
      },
    ];
    const text = render(athena, {
      monitor: { name: athena.name },
      periodEnd: PERIOD_END,
      results,
      newAlerts: [alertArg(['alice@example.com'])],
      dedupedAlerts: [alertArg(['etl-runner'])],
      completedAlerts: [],
    });
    expect(text).toContain('- alice@example.com: 128,849,018,880 bytes, 0.60 USD, 12 queries');
    expect(text).toContain('- etl-runner: 214,748,364,800 bytes, 1.00 USD, 3 queries');
    expect(text).toContain('New this hour: alice@example.com');
    expect(text).toContain('Already reported: etl-runner');
    expect(text).not.toMatch(/: +bytes|, +USD/);
  });

  it('RDS: each instance over the threshold with its count and slowest query', () => {
    const rds = monitor('rds-slow-queries-per-instance');
    const results = [
      { aggregations: { composite_agg: { buckets: [{ key: { instance: 'shop-1' }, doc_count: 42, max_query_time_sec: { value: 12.5, value_as_string: '12.500' } }] } } },
    ];
    const text = render(rds, { monitor: { name: rds.name }, periodEnd: PERIOD_END, results, newAlerts: [alertArg(['shop-1'])], dedupedAlerts: [], completedAlerts: [] });
    expect(text).toContain('- shop-1: 42 slow queries, slowest 12.500 s');
  });

  it.each(['athena-scanned-bytes-per-user', 'rds-slow-queries-per-instance'])(
    '%s: the results hold only the triggered buckets (a bucket_selector with the trigger condition), reported once per run',
    (name) => {
      const asset = monitor(name);
      const condition = trigger(asset).condition as Json;
      const aggregations = (searchQuery(asset).aggregations as Json).composite_agg as { aggregations: Record<string, Json> };
      const selector = Object.values(aggregations.aggregations).find((agg) => agg.bucket_selector !== undefined)?.bucket_selector as Json | undefined;
      expect(selector).toBeDefined();
      expect(selector!.buckets_path).toEqual(condition.buckets_path);
      expect((selector!.script as Json).source).toBe((condition.script as Json).source);
      expect((selector!.script as Json).params).toEqual((condition.script as Json).params);
      const action = (trigger(asset).actions as Json[])[0]!;
      expect(action.action_execution_policy).toEqual({ action_execution_scope: { per_execution: {} } });
      expect(JSON.stringify(asset.body)).not.toContain('agg_alert_content');
    },
  );
});

describe('Lambda timeouts count each timed-out request once (item 3)', () => {
  const timeouts = monitor('lambda-timeouts');

  it('counts distinct request ids over the REPORT status and the "Task timed out" line', () => {
    const query = searchQuery(timeouts);
    const bool = (query.query as Json).bool as Json;
    expect(bool.should).toEqual([{ term: { 'aws.lambda.status': 'timeout' } }, { term: { tags: 'timeout' } }]);
    expect((query.aggregations as Json).timed_out_requests).toEqual({ cardinality: { field: 'aws.lambda.request_id' } });
    const condition = (trigger(timeouts).condition as { script: { source: string } }).script.source;
    expect(condition).toBe('ctx.results[0].aggregations.timed_out_requests.value > 0');
  });

  it('the message says how many requests, not how many lines', () => {
    // Two requests, each with its REPORT (Status: timeout) and its "Task timed out" line: 4 hits.
    const results = [
      {
        hits: { total: { value: 4 } },
        aggregations: { timed_out_requests: { value: 2 }, functions: { buckets: [{ key: 'orders', doc_count: 4, timed_out_requests: { value: 2 } }] } },
      },
    ];
    const text = render(timeouts, { monitor: { name: timeouts.name }, trigger: { name: 'x' }, periodEnd: PERIOD_END, results });
    expect(text).toMatch(/^2 Lambda requests timed out/);
    expect(text).toContain('- orders: 2');
    expect(text).not.toContain('4');
  });
});

/** `{{period_end}}||-6m` -> 6 (minutes before the run); `{{period_end}}` -> 0. */
function minutesBefore(bound: unknown): number {
  const match = /^\{\{period_end\}\}(?:\|\|-(\d+)([mh]))?$/.exec(String(bound));
  if (match === null) throw new Error(`not a period_end bound: ${String(bound)}`);
  if (match[1] === undefined) return 0;
  return Number(match[1]) * (match[2] === 'h' ? 60 : 1);
}

function intervalMinutes(asset: NamedAsset): number {
  const period = (asset.body.schedule as { period: { interval: number; unit: string } }).period;
  return period.interval * (period.unit === 'HOURS' ? 60 : 1);
}

function ranges(asset: NamedAsset): Record<string, Json> {
  const filters = (((searchQuery(asset).query as Json).bool as Json).filter ?? []) as Json[];
  return Object.assign({}, ...filters.filter((clause) => clause.range !== undefined).map((clause) => clause.range as Json)) as Record<string, Json>;
}

describe('monitor windows (item 7)', () => {
  it.each(bundle.monitors.map((asset) => [asset.name, asset] as const))(
    '%s: back-to-back windows as wide as the schedule, on a time set when the document became searchable',
    (_name, asset) => {
      const all = ranges(asset);
      const [field, window] = Object.entries(all).find(([name]) => name !== '@timestamp')!;
      // event.indexed is stamped by the cluster's final pipeline when it writes the document;
      // the enrichment writes enriched_at right before its update.
      expect(['event.indexed', 'aws.athena.enriched_at']).toContain(field);
      expect(window.format).toBe('epoch_millis');
      expect(window.gte).toBeDefined();
      expect(window.lt).toBeDefined();
      expect(window.gt).toBeUndefined();
      expect(window.lte).toBeUndefined();
      const start = minutesBefore(window.gte);
      const end = minutesBefore(window.lt);
      // One run's window ends where the next one's starts: every document is in exactly one.
      expect(start - end).toBe(intervalMinutes(asset));
      // The window closes after the 30 s refresh made its last documents searchable.
      expect(end).toBeGreaterThanOrEqual(1);
      if (field === 'aws.athena.enriched_at') expect(end).toBeGreaterThanOrEqual(2);
    },
  );

  it.each(bundle.monitors.filter((asset) => !asset.name.endsWith('deadletters')).map((asset) => [asset.name, asset] as const))(
    '%s: events older than the configured age (backfills, replays) raise no alert',
    (_name, asset) => {
      const recent = ranges(asset)['@timestamp'];
      expect(recent).toBeDefined();
      expect(recent!.format).toBe('epoch_millis');
      const age = minutesBefore(recent!.gte);
      expect(age).toBe(asset.name.includes('athena') ? 6 * 60 : 60);
    },
  );

  it('the age follows ALERT_MAX_EVENT_AGE_MINUTES and ALERT_ATHENA_MAX_QUERY_AGE_HOURS', () => {
    const custom = loadAssetBundle(
      loadAssetsConfig({ OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200', ALERT_MAX_EVENT_AGE_MINUTES: '30', ALERT_ATHENA_MAX_QUERY_AGE_HOURS: '2' }),
    );
    const ages = Object.fromEntries(
      custom.monitors
        .filter((asset) => ranges(asset)['@timestamp'] !== undefined)
        .map((asset) => [asset.name, minutesBefore(ranges(asset)['@timestamp']!.gte)]),
    );
    expect(ages).toEqual({
      'cwl-athena-scanned-bytes-per-user': 120,
      'cwl-lambda-memory-high': 30,
      'cwl-lambda-timeouts': 30,
      'cwl-rds-slow-queries-per-instance': 30,
    });
  });

  it.each(bundle.monitors.map((asset) => [asset.name, asset] as const))('%s: the message names the window it counted (item 10)', (_name, asset) => {
    const source = ((trigger(asset).actions as Json[])[0]!.message_template as { source: string }).source;
    expect(source).not.toMatch(/minutes to \{\{ctx\.periodEnd\}\}/);
    expect(source).toMatch(/ended (one minute|2 minutes) before \{\{ctx\.periodEnd\}\}/);
  });
});

describe('slow-query monitor counts what the chart counts (item 8)', () => {
  it('slow-log entries with a query time, without administrator commands or parse failures', () => {
    const bool = (searchQuery(monitor('rds-slow-queries-per-instance')).query as Json).bool as Json;
    expect(bool.filter).toContainEqual({ exists: { field: 'mysql.slowlog.query_time_sec' } });
    expect(bool.must_not).toEqual([{ exists: { field: 'mysql.slowlog.admin_command' } }, { term: { tags: 'parse_failure' } }]);
  });
});
