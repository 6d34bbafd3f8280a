import { createHash, randomUUID } from 'node:crypto';
import aws4 from 'aws4';
import { errorBody, type FakeOpenSearch, type FakeReply, type RecordedRequest } from './fake-opensearch';

/**
 * Asset endpoints for the fake OpenSearch: composable and component templates, ISM
 * policies, Notifications channels, Alerting monitors, and the Dashboards saved-object
 * API (under `/_dashboards` by default). They validate what the real APIs validate that
 * matters here, and echo stored assets the way the real servers do (settings nested with
 * string values, ISM `retry` blocks and timestamps, monitor queries rewritten, saved
 * objects with `migrationVersion`), so that idempotency is tested against that, not
 * against a mirror of our own requests.
 */

type Json = Record<string, unknown>;

interface Versioned {
  body: Json;
  seqNo: number;
  primaryTerm: number;
  version: number;
}

/** What ISM knows of one index (`<index>` -> the policy and the version it runs). */
export interface FakeManagedIndex {
  policyId: string;
  /** The policy version the index runs; undefined until its job initialized it. */
  policySeqNo?: number;
  policyPrimaryTerm?: number;
  /** A change_policy waiting for the next safe state. */
  pendingPolicyId?: string;
}

export interface FakeAssetsState {
  readonly ingestPipelines: Map<string, Json>;
  /** ISM-managed indices, by index name (indices themselves live in the fake's `indices`). */
  readonly managedIndices: Map<string, FakeManagedIndex>;
  readonly componentTemplates: Map<string, Json>;
  readonly indexTemplates: Map<string, Json>;
  readonly ismPolicies: Map<string, Versioned>;
  readonly channels: Map<string, Json>;
  readonly monitors: Map<string, Versioned>;
  /** Saved objects per tenant, keyed `<type>/<id>`. */
  readonly savedObjects: Map<string, Map<string, Json>>;
  /** The NDJSON objects of every import call, in order. */
  readonly imports: { tenant: string; objects: Json[] }[];
}

export interface FakeAssetsOptions {
  /** Path prefix of the Dashboards API; default `/_dashboards`. */
  readonly dashboardsPrefix?: string;
}

const FIELD_TYPES = new Set(['keyword', 'text', 'date', 'long', 'integer', 'short', 'double', 'float', 'boolean', 'ip', 'flat_object', 'object']);
const CHANNEL_TYPES = ['slack', 'sns', 'webhook', 'chime', 'email'];

/** Adds the asset endpoints to `fake` and returns their state. */
export function addAssetRoutes(fake: FakeOpenSearch, options: FakeAssetsOptions = {}): FakeAssetsState {
  const state: FakeAssetsState = {
    ingestPipelines: new Map(),
    managedIndices: new Map(),
    componentTemplates: new Map(),
    indexTemplates: new Map(),
    ismPolicies: new Map(),
    channels: new Map(),
    monitors: new Map(),
    savedObjects: new Map(),
    imports: [],
  };
  let seqNo = 0;
  const dashboards = escape(options.dashboardsPrefix ?? '/_dashboards');

  // ---- ingest pipelines: GET answers {<name>: <body>} (404 with {} when absent)
  fake.route('GET', /^\/_ingest\/pipeline\/([^/]+)$/, (_request, match) => {
    const stored = state.ingestPipelines.get(match[1]!);
    if (stored === undefined) return { status: 404, body: {} };
    return { body: { [match[1]!]: stored } };
  });
  fake.route('PUT', /^\/_ingest\/pipeline\/([^/]+)$/, (request, match) => {
    const body = parse(request);
    if (!Array.isArray(body.processors)) return badRequest('parse_exception', '[processors] required property is missing');
    state.ingestPipelines.set(match[1]!, body);
    return { body: { acknowledged: true } };
  });

  // ---- ISM on indices: explain, add, change_policy (shapes of IM's ExplainResponse and ISMStatusResponse)
  const indicesMatching = (pattern: string): string[] => {
    const names = pattern.split(',').map(decodeURIComponent);
    const rules = names.map((name) => new RegExp(`^${name.split('*').map(escape).join('.*')}$`));
    return [...fake.indices.keys()].filter((index) => rules.some((rule) => rule.test(index))).sort();
  };
  fake.route('GET', /^\/_plugins\/_ism\/explain\/([^/]+)$/, (_request, match) => {
    const body: Json = {};
    let managed = 0;
    for (const index of indicesMatching(match[1]!)) {
      const entry = state.managedIndices.get(index);
      if (entry !== undefined) managed += 1;
      body[index] = {
        'index.plugins.index_state_management.policy_id': entry?.policyId ?? null,
        'index.opendistro.index_state_management.policy_id': entry?.policyId ?? null,
        ...(entry?.policySeqNo !== undefined && {
          index,
          policy_id: entry.policyId,
          policy_seq_no: entry.policySeqNo,
          policy_primary_term: entry.policyPrimaryTerm,
        }),
        enabled: entry === undefined ? null : true,
      };
    }
    return { body: { ...body, total_managed_indices: managed } };
  });
  const statusReply = (updated: number, failed: { index_name: string; index_uuid: string; reason: string }[]): FakeReply => ({
    body: { updated_indices: updated, failures: failed.length > 0, failed_indices: failed },
  });
  fake.route('POST', /^\/_plugins\/_ism\/add\/([^/]+)$/, (request, match) => {
    const policyId = String(parse(request).policy_id ?? '');
    if (!state.ismPolicies.has(policyId)) return notFound('status_exception', `Could not find policy=${policyId}`);
    const failed: { index_name: string; index_uuid: string; reason: string }[] = [];
    let updated = 0;
    for (const index of indicesMatching(match[1]!)) {
      if (state.managedIndices.has(index)) {
        failed.push({ index_name: index, index_uuid: `uuid-${index}`, reason: 'This index already has a policy, use the update policy API to update index policies' });
      } else {
        state.managedIndices.set(index, { policyId });
        updated += 1;
      }
    }
    return statusReply(updated, failed);
  });
  fake.route('POST', /^\/_plugins\/_ism\/change_policy\/([^/]+)$/, (request, match) => {
    const policyId = String(parse(request).policy_id ?? '');
    if (!state.ismPolicies.has(policyId)) return notFound('status_exception', `Could not find policy=${policyId}`);
    const failed: { index_name: string; index_uuid: string; reason: string }[] = [];
    let updated = 0;
    for (const index of indicesMatching(match[1]!)) {
      const entry = state.managedIndices.get(index);
      if (entry === undefined) failed.push({ index_name: index, index_uuid: `uuid-${index}`, reason: 'This index is not being managed' });
      else {
        entry.pendingPolicyId = policyId;
        updated += 1;
      }
    }
    return statusReply(updated, failed);
  });

  // ---- templates
  fake.route('GET', /^\/_component_template\/([^/]+)$/, (_request, match) => {
    const stored = state.componentTemplates.get(match[1]!);
    if (stored === undefined) return notFound('resource_not_found_exception', `component template matching [${match[1]}] not found`);
    return { body: { component_templates: [{ name: match[1], component_template: echoTemplate(stored) }] } };
  });
  fake.route('PUT', /^\/_component_template\/([^/]+)$/, (request, match) => {
    const body = parse(request);
    const invalid = validateTemplateBlock(body.template);
    if (invalid !== undefined) return badRequest('mapper_parsing_exception', invalid);
    state.componentTemplates.set(match[1]!, body);
    return { body: { acknowledged: true } };
  });
  fake.route('GET', /^\/_index_template\/([^/]+)$/, (_request, match) => {
    const stored = state.indexTemplates.get(match[1]!);
    if (stored === undefined) return notFound('resource_not_found_exception', `index template matching [${match[1]}] not found`);
    return { body: { index_templates: [{ name: match[1], index_template: echoTemplate(stored) }] } };
  });
  fake.route('PUT', /^\/_index_template\/([^/]+)$/, (request, match) => {
    const body = parse(request);
    const name = match[1]!;
    const patterns = body.index_patterns;
    if (!Array.isArray(patterns) || patterns.length === 0 || !patterns.every((p) => typeof p === 'string')) {
      return badRequest('action_request_validation_exception', 'Validation Failed: 1: index patterns are missing;');
    }
    const missing = (Array.isArray(body.composed_of) ? (body.composed_of as string[]) : []).filter(
      (component) => !state.componentTemplates.has(component),
    );
    if (missing.length > 0) {
      return badRequest('invalid_index_template_exception', `index template [${name}] specifies component templates [${missing.join(', ')}] that do not exist`);
    }
    for (const [other, template] of state.indexTemplates) {
      const overlap = patternsOverlap(template.index_patterns as string[], patterns as string[]);
      if (other !== name && overlap && template.priority === body.priority) {
        return badRequest('illegal_argument_exception', `index template [${name}] has index patterns overlapping with [${other}] at the same priority`);
      }
    }
    const invalid = validateTemplateBlock(body.template);
    if (invalid !== undefined) return badRequest('mapper_parsing_exception', invalid);
    state.indexTemplates.set(name, body);
    return { body: { acknowledged: true } };
  });

  // ---- ISM
  fake.route('GET', /^\/_plugins\/_ism\/policies\/([^/]+)$/, (_request, match) => {
    const stored = state.ismPolicies.get(match[1]!);
    if (stored === undefined) return notFound('status_exception', 'Policy not found');
    return {
      body: {
        _id: match[1],
        _version: stored.version,
        _seq_no: stored.seqNo,
        _primary_term: stored.primaryTerm,
        policy: echoPolicy(match[1]!, stored.body),
      },
    };
  });
  fake.route('PUT', /^\/_plugins\/_ism\/policies\/([^/]+)$/, (request, match) => {
    const id = match[1]!;
    const body = parse(request);
    const existing = state.ismPolicies.get(id);
    const ifSeqNo = request.query.if_seq_no;
    if (existing !== undefined && ifSeqNo === undefined) {
      return conflict(`[${id}]: version conflict, document already exists (current version [${existing.version}])`);
    }
    if (ifSeqNo !== undefined && (existing === undefined || String(existing.seqNo) !== ifSeqNo || String(existing.primaryTerm) !== request.query.if_primary_term)) {
      return conflict(`[${id}]: version conflict, required seqNo [${ifSeqNo}]`);
    }
    const invalid = validatePolicy(body.policy, id, state.ismPolicies);
    if (invalid !== undefined) return badRequest('illegal_argument_exception', invalid);
    const stored = { body, seqNo: seqNo++, primaryTerm: 1, version: (existing?.version ?? 0) + 1 };
    state.ismPolicies.set(id, stored);
    return { status: existing === undefined ? 201 : 200, body: { _id: id, _version: stored.version, _seq_no: stored.seqNo, _primary_term: 1, policy: { policy: body.policy } } };
  });

  // ---- Notifications
  fake.route('GET', /^\/_plugins\/_notifications\/configs\/([^/]+)$/, (_request, match) => {
    const stored = state.channels.get(match[1]!);
    if (stored === undefined) return notFound('status_exception', `NotificationConfig ${match[1]} not found`);
    return {
      body: {
        start_index: 0,
        total_hits: 1,
        config_list: [{ config_id: match[1], last_updated_time_ms: 1, created_time_ms: 1, config: { ...stored, ...echoChannelDefaults(stored) } }],
      },
    };
  });
  fake.route('POST', /^\/_plugins\/_notifications\/configs$/, (request) => {
    const body = parse(request);
    const id = typeof body.config_id === 'string' ? body.config_id : randomUUID();
    if (state.channels.has(id)) return conflict(`[${id}]: version conflict, document already exists`);
    const invalid = validateChannel(body.config);
    if (invalid !== undefined) return badRequest('illegal_argument_exception', invalid);
    state.channels.set(id, body.config as Json);
    return { body: { config_id: id } };
  });
  fake.route('PUT', /^\/_plugins\/_notifications\/configs\/([^/]+)$/, (request, match) => {
    if (!state.channels.has(match[1]!)) return notFound('status_exception', `NotificationConfig ${match[1]} not found`);
    const body = parse(request);
    const invalid = validateChannel(body.config);
    if (invalid !== undefined) return badRequest('illegal_argument_exception', invalid);
    state.channels.set(match[1]!, body.config as Json);
    return { body: { config_id: match[1] } };
  });

  // ---- Alerting
  fake.route('POST', /^\/_plugins\/_alerting\/monitors\/_search$/, (request) => {
    // Like the real plugin before its first monitor: the config index does not exist.
    if (state.monitors.size === 0) {
      return notFound('index_not_found_exception', 'no such index [.opendistro-alerting-config]');
    }
    const query = (parse(request).query ?? {}) as Json;
    const term = (query.term ?? {}) as Json;
    const wanted = term['monitor.name.keyword'];
    const hits = [...state.monitors]
      .filter(([, stored]) => wanted === undefined || stored.body.name === wanted)
      .map(([id, stored]) => ({ _index: '.opendistro-alerting-config', _id: id, _seq_no: stored.seqNo, _primary_term: 1, _source: echoMonitor(stored.body) }));
    return { body: { hits: { total: { value: hits.length, relation: 'eq' }, hits } } };
  });
  fake.route('POST', /^\/_plugins\/_alerting\/monitors$/, (request) => {
    const body = parse(request);
    const invalid = validateMonitor(body, state.channels);
    if (invalid !== undefined) return badRequest('illegal_argument_exception', invalid);
    const id = randomUUID().replaceAll('-', '').slice(0, 20);
    const stored = { body: withIds(body), seqNo: seqNo++, primaryTerm: 1, version: 1 };
    state.monitors.set(id, stored);
    return { status: 201, body: { _id: id, _version: 1, _seq_no: stored.seqNo, _primary_term: 1, monitor: echoMonitor(stored.body) } };
  });
  fake.route('GET', /^\/_plugins\/_alerting\/monitors\/([^/_][^/]*)$/, (_request, match) => {
    const stored = state.monitors.get(match[1]!);
    if (stored === undefined) return notFound('status_exception', 'Monitor not found.');
    return { body: { _id: match[1], _version: stored.version, _seq_no: stored.seqNo, _primary_term: stored.primaryTerm, monitor: echoMonitor(stored.body) } };
  });
  fake.route('PUT', /^\/_plugins\/_alerting\/monitors\/([^/_][^/]*)$/, (request, match) => {
    const id = match[1]!;
    const existing = state.monitors.get(id);
    if (existing === undefined) return notFound('status_exception', 'Monitor not found.');
    const ifSeqNo = request.query.if_seq_no;
    if (ifSeqNo !== undefined && String(existing.seqNo) !== ifSeqNo) return conflict(`[${id}]: version conflict`);
    const body = parse(request);
    const invalid = validateMonitor(body, state.channels);
    if (invalid !== undefined) return badRequest('illegal_argument_exception', invalid);
    const stored = { body: withIds(body), seqNo: seqNo++, primaryTerm: 1, version: existing.version + 1 };
    state.monitors.set(id, stored);
    return { body: { _id: id, _version: stored.version, _seq_no: stored.seqNo, _primary_term: 1, monitor: echoMonitor(stored.body) } };
  });

  // ---- Dashboards saved objects
  const tenantOf = (request: RecordedRequest): string => String(request.headers.securitytenant ?? 'private');
  const objectsOf = (tenant: string): Map<string, Json> => {
    let objects = state.savedObjects.get(tenant);
    if (objects === undefined) state.savedObjects.set(tenant, (objects = new Map()));
    return objects;
  };
  const xsrf = (request: RecordedRequest): FakeReply | undefined =>
    request.headers['osd-xsrf'] === undefined
      ? { status: 400, body: { statusCode: 400, error: 'Bad Request', message: 'Request must contain a osd-xsrf header.' } }
      : undefined;

  fake.route('POST', new RegExp(`^${dashboards}/api/saved_objects/_bulk_get$`), (request) => {
    const refused = xsrf(request);
    if (refused) return refused;
    const wanted = JSON.parse(request.body) as { type: string; id: string }[];
    const objects = objectsOf(tenantOf(request));
    return {
      body: {
        saved_objects: wanted.map(({ type, id }) =>
          objects.get(`${type}/${id}`) ?? { id, type, error: { statusCode: 404, error: 'Not Found', message: `Saved object [${type}/${id}] not found` } },
        ),
      },
    };
  });
  fake.route('POST', new RegExp(`^${dashboards}/api/saved_objects/_import$`), (request) => {
    const refused = xsrf(request);
    if (refused) return refused;
    const upload = readMultipartFile(request);
    if ('error' in upload) return { status: 400, body: { statusCode: 400, error: 'Bad Request', message: upload.error } };
    const file = upload.text;
    const tenant = tenantOf(request);
    const objects = objectsOf(tenant);
    const incoming = file
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Json)
      .filter((object) => typeof object.type === 'string');
    state.imports.push({ tenant, objects: incoming });
    const inFile = new Set(incoming.map((object) => `${object.type}/${object.id}`));
    const errors: Json[] = [];
    let successCount = 0;
    for (const object of incoming) {
      const key = `${object.type}/${object.id}`;
      // Like the real import: only index-pattern and search references are checked.
      const missing = ((object.references ?? []) as { type: string; id: string }[]).filter(
        (reference) =>
          ['index-pattern', 'search'].includes(reference.type) &&
          !inFile.has(`${reference.type}/${reference.id}`) &&
          !objects.has(`${reference.type}/${reference.id}`),
      );
      if (missing.length > 0) {
        errors.push({ id: object.id, type: object.type, title: (object.attributes as Json)?.title, error: { type: 'missing_references', references: missing } });
        continue;
      }
      if (objects.has(key) && request.query.overwrite !== 'true') {
        errors.push({ id: object.id, type: object.type, error: { type: 'conflict' } });
        continue;
      }
      objects.set(key, { ...object, migrationVersion: { [String(object.type)]: '7.10.0' }, updated_at: new Date().toISOString(), version: 'WzEsMV0=' });
      successCount += 1;
    }
    return { body: { success: errors.length === 0, successCount, ...(errors.length > 0 && { errors }) } };
  });
  fake.route('POST', new RegExp(`^${dashboards}/api/saved_objects/_export$`), (request) => {
    const refused = xsrf(request);
    if (refused) return refused;
    const wanted = (JSON.parse(request.body) as { type?: string[] }).type ?? [];
    const objects = [...objectsOf(tenantOf(request)).values()].filter((object) => wanted.includes(String(object.type)));
    const lines = [...objects.map((object) => JSON.stringify(object)), JSON.stringify({ exportedCount: objects.length, missingRefCount: 0, missingReferences: [] })];
    return { body: `${lines.join('\n')}\n`, headers: { 'content-type': 'application/ndjson' } };
  });
  return state;
}

/**
 * Checks a request's SigV4 signature the way the service does: the payload hash must be
 * the hash of the bytes received, and the signature must match a fresh one made from the
 * signed headers. Returns undefined when valid, else why not.
 */
export function sigV4Problem(
  request: RecordedRequest,
  expected: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; region: string; service: string },
): string | undefined {
  const authorization = String(request.headers.authorization ?? '');
  const parsed = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!parsed) return `no SigV4 Authorization header (${authorization || 'none'})`;
  const [, keyId, , region, service, signedList, signature] = parsed;
  if (keyId !== expected.accessKeyId) return `signed with key ${keyId}`;
  if (region !== expected.region || service !== expected.service) return `signed for ${region}/${service}`;
  const payloadHash = request.headers['x-amz-content-sha256'];
  const actualHash = createHash('sha256').update(request.rawBody).digest('hex');
  if (payloadHash !== undefined && payloadHash !== actualHash) return 'x-amz-content-sha256 is not the hash of the body';
  const names = signedList!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return `host or x-amz-date not signed (${signedList})`;
  if (expected.sessionToken !== undefined && request.headers['x-amz-security-token'] !== expected.sessionToken) {
    return 'session token missing';
  }
  const headers: Record<string, string> = {};
  for (const name of names) headers[name] = String(request.headers[name] ?? '');
  const query = new URLSearchParams(request.query).toString();
  const signer = new aws4.RequestSigner(
    {
      method: request.method,
      host: headers.host,
      path: `${encodePath(request.path)}${query === '' ? '' : `?${query}`}`,
      headers,
      body: request.rawBody as unknown as string,
      service: service!,
      region: region!,
      doNotModifyHeaders: true,
    },
    expected,
  );
  (signer as unknown as { datetime: string }).datetime = headers['x-amz-date']!;
  const fresh = /Signature=([0-9a-f]{64})$/.exec(signer.authHeader())?.[1];
  return fresh === signature ? undefined : 'signature does not match';
}

function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function echoTemplate(template: Json): Json {
  const inner = (template.template ?? {}) as Json;
  return {
    ...template,
    template: {
      ...inner,
      ...(inner.settings !== undefined && { settings: nestSettings(inner.settings) }),
    },
  };
}

/** `{"index": {"number_of_shards": 1}}` or `{"index.number_of_shards": 1}` -> `{"index": {"number_of_shards": "1"}}`. */
function nestSettings(settings: unknown): Json {
  const out: Json = {};
  const put = (path: string[], value: unknown): void => {
    let node = out;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Json;
    node[path.at(-1)!] = String(value);
  };
  const walk = (value: unknown, path: string[]): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, [...path, ...key.split('.')]);
    } else {
      put(path[0] === 'index' ? path : ['index', ...path], value);
    }
  };
  walk(settings, []);
  return out;
}

function validateTemplateBlock(template: unknown): string | undefined {
  if (template === undefined) return undefined;
  if (template === null || typeof template !== 'object') return 'template must be an object';
  const mappings = (template as Json).mappings as Json | undefined;
  if (mappings === undefined) return undefined;
  const check = (properties: unknown, path: string): string | undefined => {
    for (const [name, field] of Object.entries((properties ?? {}) as Record<string, Json>)) {
      const type = field.type ?? (field.properties !== undefined ? 'object' : undefined);
      if (typeof type !== 'string' || !FIELD_TYPES.has(type)) return `No handler for type [${String(type)}] declared on field [${path}${name}]`;
      if (field.ignore_above !== undefined && type !== 'keyword') return `unknown parameter [ignore_above] on mapper [${path}${name}] of type [${type}]`;
      if (field.properties !== undefined) {
        const inner = check(field.properties, `${path}${name}.`);
        if (inner !== undefined) return inner;
      }
    }
    return undefined;
  };
  return check(mappings.properties, '');
}

function echoPolicy(id: string, body: Json): Json {
  const policy = body.policy as Json;
  return {
    policy_id: id,
    ...policy,
    last_updated_time: 1_700_000_000_000,
    schema_version: 17,
    error_notification: null,
    states: (policy.states as Json[]).map((state) => ({
      ...state,
      actions: (state.actions as Json[]).map((action) => ({ retry: { count: 3, backoff: 'exponential', delay: '1m' }, ...action })),
    })),
    ism_template: ((policy.ism_template ?? []) as Json[]).map((template) => ({ ...template, last_updated_time: 1_700_000_000_000 })),
  };
}

function validatePolicy(policy: unknown, id: string, others: Map<string, Versioned>): string | undefined {
  if (policy === null || typeof policy !== 'object') return 'policy is missing';
  const { states, default_state: defaultState, ism_template: templates } = policy as Json;
  if (!Array.isArray(states) || states.length === 0) return 'policy has no states';
  const names = new Set(states.map((state: Json) => state.name));
  if (!names.has(defaultState)) return `default_state [${String(defaultState)}] is not a state`;
  for (const state of states as Json[]) {
    for (const transition of (state.transitions ?? []) as Json[]) {
      if (!names.has(transition.state_name)) return `transition to unknown state [${String(transition.state_name)}]`;
      const age = (transition.conditions as Json | undefined)?.min_index_age;
      if (age !== undefined && !/^\d+[dhms]$/.test(String(age))) return `bad min_index_age [${String(age)}]`;
    }
  }
  for (const template of (templates ?? []) as Json[]) {
    for (const [otherId, other] of others) {
      if (otherId === id) continue;
      for (const otherTemplate of ((other.body.policy as Json).ism_template ?? []) as Json[]) {
        const overlap = patternsOverlap(template.index_patterns as string[], otherTemplate.index_patterns as string[]);
        if (overlap && template.priority === otherTemplate.priority) return `ism_template overlaps policy [${otherId}] at the same priority`;
      }
    }
  }
  return undefined;
}

/**
 * Whether some index name matches a pattern of each list, as the engine decides it
 * (ISM's `findConflictingPolicyTemplates` and MetadataIndexTemplateService intersect the
 * patterns' automata): `cwl-generic-*` and `cwl-generic-foo-*` overlap, `cwl-a-*` and `cwl-b-*` do not.
 */
export function patternsOverlap(left: readonly string[], right: readonly string[]): boolean {
  return left.some((a) => right.some((b) => globsIntersect(a, b)));
}

/** Two `*` globs match a common string (memoised walk over both). */
function globsIntersect(a: string, b: string): boolean {
  const seen = new Map<string, boolean>();
  const walk = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const known = seen.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (a[i] === '*') result = walk(i + 1, j) || (j < b.length && walk(i, j + 1));
    else if (b[j] === '*') result = walk(i, j + 1) || (i < a.length && walk(i + 1, j));
    else result = i < a.length && j < b.length && a[i] === b[j] && walk(i + 1, j + 1);
    seen.set(key, result);
    return result;
  };
  return walk(0, 0);
}

function echoChannelDefaults(config: Json): Json {
  return config.config_type === 'webhook' ? { webhook: { header_params: {}, method: 'POST', ...(config.webhook as Json) } } : {};
}

function validateChannel(config: unknown): string | undefined {
  if (config === null || typeof config !== 'object') return 'config is missing';
  const { name, config_type: type } = config as Json;
  if (typeof name !== 'string' || name === '') return 'name is missing';
  if (!CHANNEL_TYPES.includes(String(type))) return `config_type [${String(type)}] is not supported`;
  if ((config as Json)[String(type)] === undefined) return `${String(type)} settings are missing`;
  return undefined;
}

function validateMonitor(monitor: Json, channels: Map<string, Json>): string | undefined {
  if (monitor.type !== 'monitor') return 'type must be monitor';
  if (typeof monitor.name !== 'string') return 'Monitor name is null';
  if (monitor.schedule === undefined) return 'Monitor schedule is null';
  const kind = monitor.monitor_type;
  const expected = kind === 'bucket_level_monitor' ? 'bucket_level_trigger' : kind === 'query_level_monitor' ? 'query_level_trigger' : undefined;
  if (expected === undefined) return `unsupported monitor_type [${String(kind)}]`;
  const search = ((monitor.inputs as Json[] | undefined)?.[0]?.search ?? {}) as Json;
  if (!Array.isArray(search.indices) || search.indices.length === 0) return 'search input needs indices';
  const aggregations = ((search.query ?? {}) as Json).aggregations as Json | undefined;
  for (const trigger of (monitor.triggers ?? []) as Json[]) {
    const inner = trigger[expected] as Json | undefined;
    if (inner === undefined) return `Incompatible trigger for monitor type [${String(kind)}]`;
    if (kind === 'bucket_level_monitor') {
      const parent = ((inner.condition ?? {}) as Json).parent_bucket_path;
      if (aggregations?.[String(parent)] === undefined) return `parent_bucket_path [${String(parent)}] is not an aggregation`;
    }
    for (const action of (inner.actions ?? []) as Json[]) {
      if (!channels.has(String(action.destination_id))) return `channel [${String(action.destination_id)}] does not exist`;
    }
  }
  return undefined;
}

function withIds(monitor: Json): Json {
  return {
    ...monitor,
    triggers: ((monitor.triggers ?? []) as Json[]).map((trigger) =>
      Object.fromEntries(
        Object.entries(trigger).map(([type, inner]) => [
          type,
          {
            id: randomUUID(),
            ...(inner as Json),
            actions: (((inner as Json).actions ?? []) as Json[]).map((action) => ({ id: randomUUID(), ...action })),
          },
        ]),
      ),
    ),
  };
}

/** The monitor as the plugin renders it: timestamps added and the query DSL rewritten. */
function echoMonitor(monitor: Json): Json {
  return {
    ...monitor,
    schema_version: 5,
    enabled_time: monitor.enabled === false ? null : 1_700_000_000_000,
    last_update_time: 1_700_000_000_000,
    inputs: JSON.parse(JSON.stringify(monitor.inputs ?? []), (key, value: unknown) => {
      if (key !== 'range' || value === null || typeof value !== 'object') return value;
      return Object.fromEntries(
        Object.entries(value as Record<string, Json>).map(([field, bounds]) => [
          field,
          {
            from: bounds.gte ?? bounds.gt ?? null,
            to: bounds.lte ?? bounds.lt ?? null,
            include_lower: bounds.gt === undefined,
            include_upper: bounds.lt === undefined,
            ...(bounds.format !== undefined && { format: bounds.format }),
            boost: 1,
          },
        ]),
      );
    }) as unknown,
    data_sources: { query_index: '.opensearch-alerting-queries' },
    owner: 'alerting',
  };
}

function readMultipartFile(request: RecordedRequest): { text: string } | { error: string } {
  const type = String(request.headers['content-type'] ?? '');
  const boundary = /boundary=(.+)$/.exec(type)?.[1];
  if (!type.startsWith('multipart/form-data') || boundary === undefined) return { error: '[request body]: expected multipart/form-data' };
  for (const part of request.body.split(`--${boundary}`)) {
    const [head, ...rest] = part.split('\r\n\r\n');
    if (head === undefined || !/name="file"/.test(head)) continue;
    const filename = /filename="([^"]*)"/.exec(head)?.[1] ?? '';
    if (!filename.endsWith('.ndjson')) return { error: `Invalid file extension ${filename.slice(filename.lastIndexOf('.'))}` };
    return { text: rest.join('\r\n\r\n').replace(/\r\n$/, '') };
  }
  return { error: '[request body.file]: expected value of type [Stream] but got [undefined]' };
}

function parse(request: RecordedRequest): Json {
  return request.body === '' ? {} : (JSON.parse(request.body) as Json);
}

function notFound(type: string, reason: string): FakeReply {
  return { status: 404, body: errorBody(404, { type, reason }) };
}

function badRequest(type: string, reason: string): FakeReply {
  return { status: 400, body: errorBody(400, { type, reason }) };
}

function conflict(reason: string): FakeReply {
  return { status: 409, body: errorBody(409, { type: 'version_conflict_engine_exception', reason }) };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
