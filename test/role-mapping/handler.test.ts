import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyRoleMapping, mergeMapping, readRequest, writerRoleBody } from '../../functions/role-mapping/handler';
import { createOpenSearchClient } from '../../functions/sinks/opensearch';
import { startFakeOpenSearch, type FakeOpenSearch } from '../helpers/fake-opensearch';

const SHIPPER = 'arn:aws:iam::123456789012:role/Shipper';
const REDRIVE = 'arn:aws:iam::123456789012:role/Redrive';
const ADMIN = 'arn:aws:iam::123456789012:role/Admin';

let fake: FakeOpenSearch;
/** Role mappings the fake security plugin holds. */
const mappings = new Map<string, Record<string, unknown>>();
const roles = new Map<string, unknown>();

beforeAll(async () => {
  fake = await startFakeOpenSearch();
  fake
    .route('PUT', /^\/_plugins\/_security\/api\/roles\/([^/]+)$/, (request, match) => {
      roles.set(decodeURIComponent(match[1]!), JSON.parse(request.body));
      return { status: 200, body: { status: 'OK' } };
    })
    .route('GET', /^\/_plugins\/_security\/api\/rolesmapping\/([^/]+)$/, (_request, match) => {
      const role = decodeURIComponent(match[1]!);
      const mapping = mappings.get(role);
      return mapping ? { status: 200, body: { [role]: mapping } } : { status: 404, body: { status: 'NOT_FOUND', message: `${role} not found.` } };
    })
    .route('PUT', /^\/_plugins\/_security\/api\/rolesmapping\/([^/]+)$/, (request, match) => {
      mappings.set(decodeURIComponent(match[1]!), JSON.parse(request.body));
      return { status: 200, body: { status: 'OK' } };
    });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  mappings.clear();
  roles.clear();
});

function client() {
  return createOpenSearchClient({ endpoint: fake.url, auth: 'none', compression: false, requestTimeoutMs: 5_000 });
}

describe('mergeMapping', () => {
  it('keeps what a mapping already has and appends only new backend roles', () => {
    const existing = { backend_roles: [ADMIN], users: ['admin'], hosts: [], reserved: false };
    expect(mergeMapping(existing, [SHIPPER, ADMIN, SHIPPER])).toEqual({
      body: { backend_roles: [ADMIN, SHIPPER], users: ['admin'], hosts: [] },
      added: [SHIPPER],
    });
  });

  it('starts from nothing for a role not mapped yet', () => {
    expect(mergeMapping(undefined, [SHIPPER])).toEqual({ body: { backend_roles: [SHIPPER], users: [], hosts: [] }, added: [SHIPPER] });
  });
});

describe('applyRoleMapping', () => {
  it('creates the writer role on the pipeline indices and maps writers and admins', async () => {
    mappings.set('all_access', { backend_roles: ['arn:aws:iam::123456789012:role/Existing'], users: ['master'], hosts: [] });
    const changes = await applyRoleMapping(client(), {
      writerRole: 'cwl_pipeline_writer',
      writerRoleArns: [SHIPPER, REDRIVE],
      adminRoleArns: [ADMIN],
      indexPatterns: ['cwl-*'],
    });

    expect(roles.get('cwl_pipeline_writer')).toEqual(writerRoleBody(['cwl-*']));
    expect(mappings.get('cwl_pipeline_writer')).toEqual({ backend_roles: [SHIPPER, REDRIVE], users: [], hosts: [] });
    expect(mappings.get('all_access')).toEqual({
      backend_roles: ['arn:aws:iam::123456789012:role/Existing', ADMIN],
      users: ['master'],
      hosts: [],
    });
    expect(mappings.get('security_manager')).toEqual({ backend_roles: [ADMIN], users: [], hosts: [] });
    expect(changes).toEqual([
      { role: 'cwl_pipeline_writer', added: [SHIPPER, REDRIVE] },
      { role: 'all_access', added: [ADMIN] },
      { role: 'security_manager', added: [ADMIN] },
    ]);
  });

  it('writes nothing when every role is already mapped (a redeploy)', async () => {
    const request = { writerRole: 'cwl_pipeline_writer', writerRoleArns: [SHIPPER], adminRoleArns: [], indexPatterns: ['cwl-*'] };
    await applyRoleMapping(client(), request);
    fake.reset();
    await applyRoleMapping(client(), request);
    const puts = fake.requests.filter((entry) => entry.method === 'PUT').map((entry) => entry.path);
    expect(puts).toEqual(['/_plugins/_security/api/roles/cwl_pipeline_writer']);
  });
});

describe('readRequest', () => {
  it('reads the custom resource properties', () => {
    expect(readRequest({ ServiceToken: 'x', WriterRole: 'w', WriterRoleArns: [SHIPPER], IndexPatterns: ['cwl-*'] })).toEqual({
      writerRole: 'w',
      writerRoleArns: [SHIPPER],
      adminRoleArns: [],
      indexPatterns: ['cwl-*'],
    });
  });

  it.each([
    [{ WriterRole: 'bad role', IndexPatterns: ['cwl-*'] }, /WriterRole/],
    [{ WriterRole: 'w', IndexPatterns: [] }, /IndexPatterns/],
    [{ WriterRole: 'w', IndexPatterns: ['cwl-*'], WriterRoleArns: 'x' }, /WriterRoleArns/],
  ])('rejects %j', (properties, message) => {
    expect(() => readRequest(properties)).toThrowError(message);
  });
});
