import { describe, expect, it } from 'vitest';
import { applyAssets, type ApplyDeps } from '../../functions/assets/apply';
import { APPLY_LOCK_INDEX } from '../../functions/assets/apply-lock';
import { MONITOR_MARKER } from '../../functions/assets/apply-opensearch';
import { loadAssetsConfig } from '../../functions/assets/config';
import { loadAssetBundle } from '../../functions/assets/load';
import { formatReport } from '../../functions/assets/report';
import type { ApplyReport, AssetBundle, Json } from '../../functions/assets/types';
import { useFakeAssetsCluster } from '../helpers/fake-assets-cluster';
import type { RecordedRequest } from '../helpers/fake-opensearch';
import { addAssetRoutes, sigV4Problem } from '../helpers/fake-opensearch-assets';

const CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};

const cluster = useFakeAssetsCluster();

function envFor(extra: Record<string, string> = {}): Record<string, string> {
  return cluster.env(extra);
}

async function run(extra: Record<string, string> = {}, deps: ApplyDeps = {}, dryRun = false): Promise<ApplyReport> {
  return applyAssets(loadAssetsConfig(envFor(extra)), deps, { dryRun });
}

/** Requests that change an asset (reads are GET, HEAD, `_search` and `_bulk_get`; the apply lock is not an asset). */
function writes(requests: readonly RecordedRequest[]): RecordedRequest[] {
  return requests.filter(
    (request) =>
      request.method !== 'GET' &&
      request.method !== 'HEAD' &&
      !/\/(_search|_bulk_get)$/.test(request.path) &&
      !request.path.startsWith(`/${APPLY_LOCK_INDEX}`),
  );
}

function statusOf(report: ApplyReport, name: string): string | undefined {
  return report.results.find((result) => result.name === name)?.status;
}

function changed(report: ApplyReport): string[] {
  return report.results.filter((result) => result.status !== 'unchanged').map((result) => `${result.status} ${result.name}`);
}

const bundle = loadAssetBundle(loadAssetsConfig({ OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200' }));
/** Assets a first run creates: pipelines, templates, policies, monitors, saved objects (no indices exist yet). */
const TOTAL = bundle.ingestPipelines.length + bundle.componentTemplates.length + 5 + 5 + 5 + bundle.savedObjects.length;

describe('applyAssets against the fake OpenSearch', () => {
  it('creates every asset on an empty cluster, with valid requests', async () => {
    const report = await run();
    expect(report.counts).toEqual({ created: TOTAL, updated: 0, unchanged: 0, failed: 0 });
    expect([...cluster.state.componentTemplates.keys()].sort()).toEqual(['cwl-cloudtrail', 'cwl-envelope', 'cwl-settings']);
    expect([...cluster.state.indexTemplates.keys()].sort()).toEqual(
      ['athena-cloudtrail', 'deadletter', 'generic', 'lambda', 'rds-mysql-slowquery'].map((slug) => `cwl-${slug}`),
    );
    expect(cluster.state.ismPolicies.size).toBe(5);
    // Monitors count documents by the time the cluster wrote them: the final pipeline stamps it.
    expect([...cluster.state.ingestPipelines.keys()]).toEqual(['cwl-indexed']);
    expect(cluster.state.ingestPipelines.get('cwl-indexed')!.processors).toEqual([
      { set: { field: 'event.indexed', value: '{{_ingest.timestamp}}', override: false } },
    ]);
    const settings = (cluster.state.componentTemplates.get('cwl-settings')!.template as { settings: { index: Json } }).settings.index;
    expect(settings.final_pipeline).toBe('cwl-indexed');
    const firstPut = cluster.fake.requests.find((request) => request.method === 'PUT' && !request.path.startsWith(`/${APPLY_LOCK_INDEX}`))!;
    expect(firstPut.path).toBe('/_ingest/pipeline/cwl-indexed');
    expect(cluster.state.channels.size).toBe(0);
    expect(cluster.state.monitors.size).toBe(5);
    expect(cluster.state.savedObjects.get('global')?.size).toBe(bundle.savedObjects.length);

    // Component templates go first: the index templates are composed of them.
    const templatePuts = cluster.fake.requests.filter((request) => request.method === 'PUT' && /_template\//.test(request.path));
    expect(templatePuts.slice(0, 3).every((request) => request.path.startsWith('/_component_template/'))).toBe(true);
    const lambda = JSON.parse(templatePuts.find((request) => request.path === '/_index_template/cwl-lambda')!.body) as Json;
    expect(lambda.index_patterns).toEqual(['cwl-lambda-*']);

    const monitorPosts = cluster.fake.requests.filter((request) => request.method === 'POST' && request.path === '/_plugins/_alerting/monitors');
    expect(monitorPosts).toHaveLength(5);
    for (const request of monitorPosts) {
      expect(request.query.refresh).toBe('true');
      expect((JSON.parse(request.body) as { ui_metadata: Json }).ui_metadata[MONITOR_MARKER]).toMatchObject({ hash: expect.stringMatching(/^[0-9a-f]{16}$/) });
    }

    const [bulkGet, imported] = cluster.fake.requests.filter((request) => request.path.startsWith('/_dashboards/'));
    expect(bulkGet!.path).toBe('/_dashboards/api/saved_objects/_bulk_get');
    expect(imported!.path).toBe('/_dashboards/api/saved_objects/_import');
    expect(imported!.query.overwrite).toBe('true');
    expect(imported!.headers['osd-xsrf']).toBe('true');
    expect(imported!.headers.securitytenant).toBe('global');
    expect(imported!.body).toContain('filename="cwl-opensearch.ndjson"');
    expect(cluster.state.imports).toHaveLength(1);
    expect(cluster.state.imports[0]!.objects.map((object) => object.id).sort()).toEqual(bundle.savedObjects.map((object) => object.id).sort());
  });

  it('a second run reports everything unchanged, writes nothing and duplicates nothing', async () => {
    await run();
    const before = cluster.fake.requests.length;
    const second = await run();
    expect(second.counts).toEqual({ created: 0, updated: 0, unchanged: TOTAL, failed: 0 });
    expect(writes(cluster.fake.requests.slice(before))).toEqual([]);
    expect(cluster.state.monitors.size).toBe(5);
    expect(cluster.state.imports).toHaveLength(1);
  });

  it('puts back what was changed by hand, and only that', async () => {
    await run();
    cluster.state.indexTemplates.get('cwl-lambda')!.priority = 150;
    const settings = cluster.state.componentTemplates.get('cwl-settings')!;
    ((settings.template as Json).settings as { index: Json }).index.refresh_interval = '1s';
    const policy = cluster.state.ismPolicies.get('cwl-lambda-retention')!;
    policy.body = { policy: { ...(policy.body.policy as Json), description: 'edited in the console' } };
    policy.seqNo = 1000;
    const [timeoutsId, timeouts] = [...cluster.state.monitors].find(([, stored]) => stored.body.name === 'cwl-lambda-timeouts')!;
    timeouts.body = { ...timeouts.body, enabled: false };
    const objects = cluster.state.savedObjects.get('global')!;
    objects.delete('dashboard/cwl-db-athena-usage');
    const vis = objects.get('visualization/cwl-vis-rds-top-users')!;
    objects.set('visualization/cwl-vis-rds-top-users', { ...vis, attributes: { ...(vis.attributes as Json), title: 'renamed' } });

    const before = cluster.fake.requests.length;
    const report = await run();
    expect(changed(report).sort()).toEqual([
      'created dashboard/cwl-db-athena-usage',
      'updated cwl-lambda',
      'updated cwl-lambda-retention',
      'updated cwl-lambda-timeouts',
      'updated cwl-settings',
      'updated visualization/cwl-vis-rds-top-users',
    ]);
    expect(report.results.find((result) => result.name === 'cwl-lambda')?.reason).toBe('priority differs');
    const ismPut = writes(cluster.fake.requests.slice(before)).find((request) => request.path === '/_plugins/_ism/policies/cwl-lambda-retention')!;
    expect(ismPut.query).toMatchObject({ if_seq_no: '1000', if_primary_term: '1' });
    const monitorPut = writes(cluster.fake.requests.slice(before)).find((request) => request.method === 'PUT' && request.path.includes('/monitors/'))!;
    expect(monitorPut.path).toBe(`/_plugins/_alerting/monitors/${timeoutsId}`);
    expect(cluster.state.monitors.get(timeoutsId)!.body.enabled).toBe(true);
    expect(cluster.state.imports.at(-1)!.objects.map((object) => object.id).sort()).toEqual(['cwl-db-athena-usage', 'cwl-vis-rds-top-users']);

    expect((await run()).counts.unchanged).toBe(TOTAL);
  });

  it('follows configuration changes: retention days and thresholds', async () => {
    await run();
    const before = cluster.fake.requests.length;
    const report = await run({ RETENTION_DAYS: '7', ALERT_SLOW_QUERIES_PER_5M: '20', INDEX_REPLICAS: '0' });
    expect(changed(report).sort()).toEqual([
      'updated cwl-athena-cloudtrail-retention',
      'updated cwl-generic-retention',
      'updated cwl-lambda-retention',
      'updated cwl-rds-mysql-slowquery-retention',
      'updated cwl-rds-slow-queries-per-instance',
      'updated cwl-settings',
    ]);
    for (const request of writes(cluster.fake.requests.slice(before)).filter((candidate) => candidate.path.includes('_ism'))) {
      expect(request.query.if_seq_no).toMatch(/^\d+$/);
      expect(JSON.stringify(JSON.parse(request.body))).toContain('"min_index_age":"7d"');
    }
    expect(cluster.state.monitors.size).toBe(5);
  });

  it('creates the notification channel and wires the monitors to it; a changed target updates it', async () => {
    const sns = {
      ALERT_CHANNEL: 'sns',
      ALERT_SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:cwl-alerts',
      ALERT_SNS_ROLE_ARN: 'arn:aws:iam::123456789012:role/opensearch-sns',
    };
    const first = await run(sns);
    expect(statusOf(first, 'cwl-alerts')).toBe('created');
    expect(cluster.state.channels.get('cwl-alerts')).toMatchObject({
      config_type: 'sns',
      sns: { topic_arn: sns.ALERT_SNS_TOPIC_ARN, role_arn: sns.ALERT_SNS_ROLE_ARN },
    });
    for (const [, monitor] of cluster.state.monitors) {
      const actions = (monitor.body.triggers as Json[]).flatMap((trigger) => (Object.values(trigger)[0] as { actions: Json[] }).actions);
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) expect(action.destination_id).toBe('cwl-alerts');
    }
    expect((await run(sns)).counts.unchanged).toBe(TOTAL + 1);
    const moved = await run({ ...sns, ALERT_SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:other' });
    expect(changed(moved)).toEqual(['updated cwl-alerts']);
    expect(cluster.state.channels.size).toBe(1);
  });

  it('turning the channel on later adds the actions to the existing monitors', async () => {
    await run();
    const report = await run({ ALERT_CHANNEL: 'slack', ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x' });
    expect(changed(report).sort()).toEqual([
      'created cwl-alerts',
      ...bundle.monitors.map((monitor) => `updated ${monitor.name}`).sort(),
    ].sort());
    expect(cluster.state.monitors.size).toBe(5);
  });

  it('a dry run reads and compares, and writes nothing', async () => {
    const report = await run({}, {}, true);
    expect(report.dryRun).toBe(true);
    expect(report.counts.created).toBe(TOTAL);
    expect(writes(cluster.fake.requests)).toEqual([]);
    expect(cluster.state.indexTemplates.size + cluster.state.monitors.size + cluster.state.imports.length).toBe(0);
    expect(formatReport(report)).toContain(`checked ${TOTAL} assets: ${TOTAL} to create, 0 to update`);
  });

  it('uses the configured tenant and Dashboards URL', async () => {
    addAssetRoutes(cluster.fake, { dashboardsPrefix: '/dashboards-elsewhere' });
    const report = await run({ DASHBOARDS_URL: `${cluster.fake.url}/dashboards-elsewhere/`, DASHBOARDS_TENANT: 'analytics' });
    expect(report.counts.failed).toBe(0);
    const dashboardsCalls = cluster.fake.requests.filter((request) => request.path.includes('/api/saved_objects/'));
    expect(dashboardsCalls.every((request) => request.path.startsWith('/dashboards-elsewhere/api/'))).toBe(true);
    expect(dashboardsCalls.every((request) => request.headers.securitytenant === 'analytics')).toBe(true);
  });
});

describe('signatures and credentials', () => {
  it('signs every OpenSearch and Dashboards request with SigV4 for service es', async () => {
    const report = await run(
      { OPENSEARCH_AUTH: 'sigv4', AWS_REGION: 'eu-west-1' },
      { credentials: async () => CREDENTIALS },
    );
    expect(report.counts.failed).toBe(0);
    const dashboards = cluster.fake.requests.filter((request) => request.path.startsWith('/_dashboards/'));
    expect(dashboards.length).toBe(2);
    expect(cluster.fake.requests.length).toBeGreaterThan(30);
    const problems = cluster.fake.requests
      .map((request) => [request.method, request.path, sigV4Problem(request, { ...CREDENTIALS, region: 'eu-west-1', service: 'es' })])
      .filter(([, , problem]) => problem !== undefined);
    expect(problems).toEqual([]);
  });

  it('the signature check rejects a changed body or a wrong key', async () => {
    await run({ OPENSEARCH_AUTH: 'sigv4', AWS_REGION: 'eu-west-1' }, { credentials: async () => CREDENTIALS });
    const imported = cluster.fake.requests.find((request) => request.path.endsWith('/_import'))!;
    const expected = { ...CREDENTIALS, region: 'eu-west-1', service: 'es' };
    expect(sigV4Problem(imported, expected)).toBeUndefined();
    const tampered = { ...imported, rawBody: Buffer.concat([imported.rawBody, Buffer.from(' ')]) };
    expect(sigV4Problem(tampered, expected)).toBe('x-amz-content-sha256 is not the hash of the body');
    expect(sigV4Problem(imported, { ...expected, secretAccessKey: 'other' })).toBe('signature does not match');
    expect(sigV4Problem(imported, { ...expected, service: 'aoss' })).toBe('signed for eu-west-1/es');
  });

  it('sends basic auth to both OpenSearch and Dashboards', async () => {
    await cluster.restart({ basicAuth: { username: 'admin', password: 's3cret!' } });
    const report = await run({ OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: 'admin', OPENSEARCH_PASSWORD: 's3cret!' });
    expect(report.counts).toMatchObject({ created: TOTAL, failed: 0 });
    const wrong = await run({ OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: 'admin', OPENSEARCH_PASSWORD: 'wrong' }, {}, true);
    expect(wrong.counts.failed).toBe(TOTAL);
    expect(wrong.results[0]!.reason).toMatch(/^HTTP 401/);
    expect(wrong.results.at(-1)!.reason).toMatch(/HTTP 401/);
    // A real run stops at the apply lock, its first write, with the reason.
    await expect(run({ OPENSEARCH_AUTH: 'basic', OPENSEARCH_USERNAME: 'admin', OPENSEARCH_PASSWORD: 'wrong' })).rejects.toThrow(
      /^cannot create the apply lock index \.cwl-opensearch-assets-lock: HTTP 401/,
    );
  });
});

describe('errors', () => {
  it('never writes a settings template naming a final pipeline that could not be created', async () => {
    cluster.fake.failRequests({ kind: 'status', status: 400, body: { error: { type: 'parse_exception', reason: 'No processor type exists with name [set]' }, status: 400 } }, {
      method: 'PUT',
      path: /^\/_ingest\/pipeline\//,
    });
    const report = await run();
    expect(report.results.find((result) => result.name === 'cwl-settings')).toEqual({
      kind: 'component-template',
      name: 'cwl-settings',
      status: 'failed',
      reason: 'not applied: its final pipeline cwl-indexed failed',
    });
    // Daily indices could not be created with a missing final pipeline: no such settings stored.
    expect(cluster.state.componentTemplates.has('cwl-settings')).toBe(false);
  });

  it('reports a 5xx on one asset, names the status, and applies the others', async () => {
    cluster.fake.failRequests({ kind: 'status', status: 500, body: { error: { type: 'fake', reason: 'boom' }, status: 500 } }, {
      method: 'PUT',
      path: /^\/_index_template\/cwl-lambda$/,
    });
    const report = await run();
    expect(report.results.find((result) => result.name === 'cwl-lambda')).toEqual({
      kind: 'index-template',
      name: 'cwl-lambda',
      status: 'failed',
      reason: 'HTTP 500: fake: boom',
    });
    expect(report.counts).toMatchObject({ failed: 1, created: TOTAL - 1 });
    expect((await run()).counts).toMatchObject({ created: 1, unchanged: TOTAL - 1, failed: 0 });
  });

  it('retries a passing 503 (transport retries)', async () => {
    cluster.fake.failRequests({ kind: 'status', status: 503 }, { method: 'PUT', path: /^\/_plugins\/_ism\/policies\/cwl-lambda-retention$/ });
    expect((await run()).counts.failed).toBe(0);
  });

  it('reports what a 400 says when the cluster refuses an asset', async () => {
    const broken: AssetBundle = {
      ...bundle,
      componentTemplates: bundle.componentTemplates.map((asset) =>
        asset.name === 'cwl-envelope'
          ? { ...asset, body: { template: { mappings: { properties: { message: { type: 'txt' } } } } } }
          : asset,
      ),
    };
    const report = await run({}, { bundle: broken });
    expect(report.results.find((result) => result.name === 'cwl-envelope')?.reason).toBe(
      'HTTP 400: mapper_parsing_exception: No handler for type [txt] declared on field [message]',
    );
    // The index templates are composed of it and are refused too, with the cluster's reason.
    expect(report.results.find((result) => result.name === 'cwl-lambda')?.reason).toContain('that do not exist');
    expect(report.counts.failed).toBe(1 + 5);
  });

  it('reports a policy changed concurrently (409) as failed, to run again', async () => {
    await run();
    cluster.fake.failRequests(
      { kind: 'status', status: 409, body: { error: { type: 'version_conflict_engine_exception', reason: 'seq no' }, status: 409 } },
      { method: 'PUT', path: /_ism\/policies\/cwl-generic-retention$/ },
    );
    const report = await run({ RETENTION_DAYS: '10' });
    expect(report.results.find((result) => result.name === 'cwl-generic-retention')).toMatchObject({
      status: 'failed',
      reason: 'HTTP 409: version_conflict_engine_exception: seq no',
    });
  });

  it('reports a refused Dashboards import on every object it carried, after the cluster assets', async () => {
    cluster.fake.failRequests({ kind: 'status', status: 403, body: { statusCode: 403, error: 'Forbidden', message: 'no permissions for tenant global' } }, {
      path: /_import$/,
    });
    const report = await run();
    const saved = report.results.filter((result) => result.kind === 'saved-object');
    expect(saved.every((result) => result.status === 'failed')).toBe(true);
    expect(saved[0]!.reason).toContain('HTTP 403');
    expect(saved[0]!.reason).toContain('no permissions for tenant global');
    expect(report.counts.created).toBe(TOTAL - bundle.savedObjects.length);
  });

  it('reports objects the import refused (missing references) and keeps the rest', async () => {
    const dangling = {
      ...bundle.savedObjects.find((object) => object.id === 'cwl-ss-deadletters')!,
      id: 'cwl-ss-dangling',
      references: [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: 'cwl-ip-nowhere' }],
    };
    const report = await run({}, { bundle: { ...bundle, savedObjects: [...bundle.savedObjects, dangling] } });
    expect(report.results.find((result) => result.name === 'search/cwl-ss-dangling')).toEqual({
      kind: 'saved-object',
      name: 'search/cwl-ss-dangling',
      status: 'failed',
      reason: 'import: missing_references (index-pattern/cwl-ip-nowhere)',
    });
    expect(report.counts.failed).toBe(1);
  });

  it('fails the saved objects with a clear reason when Dashboards cannot be reached', async () => {
    const report = await run({ DASHBOARDS_URL: 'http://127.0.0.1:9/_dashboards' });
    const saved = report.results.filter((result) => result.kind === 'saved-object');
    expect(saved.every((result) => result.status === 'failed')).toBe(true);
    expect(saved[0]!.reason).toMatch(/^POST http:\/\/127\.0\.0\.1:9\/_dashboards\/api\/saved_objects\/_import: /);
    expect(report.counts.created).toBe(TOTAL - bundle.savedObjects.length);
  });
});
