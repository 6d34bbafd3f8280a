import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAthenaCloudTrail } from '../../parsers/athena-cloudtrail';
import { detectAthenaClient } from '../../parsers/cloudtrail-client';
import type { ParseContext, ParseResult } from '../../parsers/types';

const EVENTS = JSON.parse(
  readFileSync(new URL('../fixtures/athena-cloudtrail/events.json', import.meta.url), 'utf8'),
) as Record<string, Record<string, unknown>>;

const CONTEXT: ParseContext = {
  logGroup: 'aws-cloudtrail-logs-111122223333-0a1b2c3d',
  logStream: '111122223333_CloudTrail_eu-west-1',
  timestamp: Date.UTC(2025, 2, 10, 9, 30),
};

const covered = new Set<string>();
function cover(value: unknown, prefix = ''): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  for (const [key, member] of Object.entries(value)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    covered.add(path);
    // request_parameters / response_elements are kept whole: their members are not schema fields.
    if (!path.endsWith('request_parameters') && !path.endsWith('response_elements')) cover(member, path);
  }
}

function fixture(name: string): Record<string, unknown> {
  const event = EVENTS[name];
  if (event === undefined) throw new Error(`no fixture event ${name}`);
  return structuredClone(event);
}

/** Serialises like a trail does: compact JSON, one event per message. */
function parse(event: unknown): ParseResult {
  return parseAthenaCloudTrail(JSON.stringify(event), CONTEXT);
}

function fieldsOf(event: unknown): Record<string, unknown> {
  const result = parse(event);
  expect(result.ok, result.ok ? '' : result.reason).toBe(true);
  expect(result.ok && result.belongsTo).toBeFalsy();
  return (result.fields ?? {}) as Record<string, unknown>;
}

function valueAt(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], object);
}

describe('parseAthenaCloudTrail: one event in full', () => {
  it('StartQueryExecution from an SSO user in the console, query omitted', () => {
    const event = fixture('start-query-sso-omitted');
    const result = parse(event);
    const expected = {
      event: {
        action: 'StartQueryExecution',
        provider: 'athena.amazonaws.com',
        id: '5a1b2c3d-0001-4e5f-8a9b-0c1d2e3f4a01',
        outcome: 'success',
      },
      aws: {
        athena: {
          client: 'console',
          query_execution_id: '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a',
          query_omitted: true,
          work_group: 'primary',
          database: 'sales',
          catalog: 'AwsDataCatalog',
          output_location: 's3://athena-results-111122223333/primary/',
        },
        cloudtrail: {
          request_id: '0c1d2e3f-4a5b-4c6d-8e7f-0c1d2e3f4a01',
          event_type: 'AwsApiCall',
          recipient_account_id: '111122223333',
          read_only: false,
          user_identity: {
            type: 'AssumedRole',
            arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_DataAnalyst_0123456789abcdef/jane.doe@example.com',
            principal_id: 'AROAEXAMPLEROLEID0001:jane.doe@example.com',
            account_id: '111122223333',
            access_key_id: 'ASIAEXAMPLEKEY000001',
            session_name: 'jane.doe@example.com',
            person: true,
          },
          request_parameters: event.requestParameters,
          response_elements: { queryExecutionId: '9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a' },
        },
      },
      // The person signed in through Identity Center; the permission set's role apart.
      user: { name: 'jane.doe@example.com', roles: ['AWSReservedSSO_DataAnalyst_0123456789abcdef'] },
      source: { ip: '198.51.100.23' },
      user_agent: {
        original:
          'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36',
      },
    };
    cover(expected);
    expect(result).toEqual({
      ok: true,
      fields: expected,
      id: '5a1b2c3d-0001-4e5f-8a9b-0c1d2e3f4a01',
      timestamp: '2025-03-10T09:15:42.000Z',
      region: 'eu-west-1',
    });
  });
});

interface EventCase {
  readonly name: string;
  readonly expected: Record<string, unknown>;
  /** Dotted paths that must not be in the fields. */
  readonly absent?: readonly string[];
}

const FIXTURE_CASES: readonly EventCase[] = [
  {
    name: 'start-query-iam-full-sql-ipv6',
    expected: {
      event: { action: 'StartQueryExecution', outcome: 'success' },
      aws: {
        athena: {
          client: 'boto3',
          query: "SELECT region,\n       sum(amount) AS total\nFROM sales.orders\nWHERE day = date '2025-03-09'\nGROUP BY region",
          query_execution_id: '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
          database: 'sales',
          work_group: 'etl',
        },
        cloudtrail: { user_identity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/data/analyst' } },
      },
      user: { name: 'analyst' },
      source: { ip: '2001:db8:85a3::8a2e:370:7334' },
    },
    absent: ['aws.athena.query_omitted', 'aws.athena.catalog', 'aws.athena.output_location', 'source.domain', 'aws.cloudtrail.user_identity.session_name'],
  },
  {
    name: 'get-query-execution-quicksight',
    expected: {
      event: { action: 'GetQueryExecution', outcome: 'success' },
      aws: {
        athena: { client: 'quicksight', query_execution_id: '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e' },
        cloudtrail: {
          read_only: true,
          user_identity: { type: 'AssumedRole', session_name: 'QuickSight-RoleSession-1710061265' },
        },
      },
      user: { name: 'aws-quicksight-service-role-v0' },
    },
    absent: ['aws.cloudtrail.response_elements', 'aws.athena.query', 'aws.athena.query_omitted'],
  },
  {
    name: 'batch-get-pyathena',
    expected: {
      event: { action: 'BatchGetQueryExecution' },
      aws: {
        athena: {
          client: 'pyathena',
          query_execution_ids: ['3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f', '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a'],
        },
      },
      source: { ip: '10.20.30.40' },
    },
    absent: ['aws.athena.query_execution_id'],
  },
  {
    name: 'get-query-results-throttled-federated',
    expected: {
      event: { action: 'GetQueryResults', outcome: 'failure' },
      aws: {
        athena: { client: 'sdk', query_execution_id: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b' },
        cloudtrail: {
          error_code: 'TooManyRequestsException',
          error_message: 'Rate exceeded',
          user_identity: {
            type: 'FederatedUser',
            principal_id: '111122223333:reporting-bot',
            session_name: 'reporting-bot',
          },
          request_parameters: { queryExecutionId: '5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b', maxResults: 1000 },
        },
      },
      // A federated user is named by its session; the IAM user that federated it is no role.
      user: { name: 'reporting-bot' },
    },
    // The key is missing from the event altogether.
    absent: ['aws.cloudtrail.response_elements'],
  },
  {
    name: 'stop-query-root-cli',
    expected: {
      event: { action: 'StopQueryExecution', outcome: 'success' },
      aws: {
        athena: { client: 'aws-cli', query_execution_id: '6f7a8b9c-0d1e-4f2a-8b3c-4d5e6f7a8b9c' },
        cloudtrail: {
          user_identity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root', principal_id: '111122223333', person: false },
          response_elements: {},
        },
      },
      user: { name: 'root' },
    },
    absent: ['user.roles', 'aws.cloudtrail.user_identity.session_name'],
  },
  {
    name: 'runtime-statistics-identity-center',
    expected: {
      event: { action: 'GetQueryRuntimeStatistics' },
      aws: {
        athena: { client: 'sdk', query_execution_id: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d' },
        cloudtrail: {
          user_identity: {
            type: 'IdentityCenterUser',
            account_id: '111122223333',
            identity_center_user_id: '94482488-3041-7026-18f3-be45837cd0e4',
            person: true,
          },
        },
      },
      // Trusted identity propagation: the Identity Center user is the person.
      user: { name: '94482488-3041-7026-18f3-be45837cd0e4' },
    },
    absent: ['user.roles', 'aws.cloudtrail.user_identity.arn', 'aws.cloudtrail.user_identity.principal_id'],
  },
  {
    name: 'create-named-query-odbc',
    expected: {
      event: { action: 'CreateNamedQuery' },
      aws: {
        athena: { client: 'odbc', query_omitted: true, database: 'sales', work_group: 'bi' },
        cloudtrail: { response_elements: { namedQueryId: '9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f' } },
      },
      user: { name: 'bi-desktop' },
    },
    absent: ['aws.athena.query', 'aws.athena.query_execution_id'],
  },
  {
    name: 'get-named-query-jdbc3',
    expected: { event: { action: 'GetNamedQuery' }, aws: { athena: { client: 'jdbc' } } },
  },
  {
    name: 'create-workgroup',
    expected: {
      event: { action: 'CreateWorkGroup' },
      aws: {
        athena: { client: 'sdk', work_group: 'analysts' },
        cloudtrail: { user_identity: { session_name: 'terraform' } },
      },
      user: { name: 'platform-admin' },
    },
  },
  {
    name: 'get-workgroup',
    expected: { event: { action: 'GetWorkGroup' }, aws: { athena: { work_group: 'analysts' } } },
  },
  {
    name: 'get-database',
    expected: {
      event: { action: 'GetDatabase' },
      aws: { athena: { client: 'boto3', catalog: 'AwsDataCatalog', database: 'sales', work_group: 'primary' } },
    },
  },
  {
    name: 'list-data-catalogs-null-request',
    expected: { event: { action: 'ListDataCatalogs', outcome: 'success' }, aws: { athena: { client: 'console' } } },
    absent: ['aws.cloudtrail.request_parameters', 'aws.cloudtrail.response_elements'],
  },
  {
    name: 'start-calculation-spark',
    expected: {
      event: { action: 'StartCalculationExecution' },
      aws: {
        athena: { client: 'boto3' },
        cloudtrail: {
          user_identity: { session_name: 'AthenaExecutor-0e1f2a3b-4c5d-4e6f-8a7b-9c0d1e2f3a4b' },
          response_elements: { calculationExecutionId: '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d', state: 'CREATING' },
        },
      },
      user: { name: 'AWSAthenaSparkExecutionRole-ab12cd34' },
    },
    absent: ['aws.athena.query', 'aws.athena.query_omitted'],
  },
  {
    name: 'start-query-by-glue-service',
    expected: {
      aws: {
        athena: { client: 'glue', query_omitted: true, query_execution_id: '3b4c5d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6e' },
        cloudtrail: { user_identity: { type: 'AWSService', invoked_by: 'glue.amazonaws.com', person: false } },
      },
      // A service is named by itself, and is no person.
      user: { name: 'glue.amazonaws.com' },
      source: { domain: 'glue.amazonaws.com' },
      user_agent: { original: 'glue.amazonaws.com' },
    },
    absent: ['source.ip', 'user.roles'],
  },
  {
    name: 'start-query-saml-access-denied',
    expected: {
      event: { outcome: 'failure' },
      aws: {
        athena: { client: 'sdk', query: 'SELECT 1', work_group: 'restricted' },
        cloudtrail: { error_code: 'AccessDenied', user_identity: { type: 'SAMLUser' } },
      },
      user: { name: 'corp-user' },
      source: { domain: 'AWS Internal' },
    },
    absent: ['source.ip', 'aws.cloudtrail.response_elements', 'aws.athena.query_execution_id'],
  },
];

describe('parseAthenaCloudTrail: Athena API events', () => {
  it.each(FIXTURE_CASES)('$name', ({ name, expected, absent }) => {
    cover(expected);
    const event = fixture(name);
    const result = parse(event);
    expect(result).toMatchObject({
      ok: true,
      id: event.eventID,
      timestamp: new Date(event.eventTime as string).toISOString(),
      region: 'eu-west-1',
    });
    const fields = fieldsOf(event);
    expect(fields).toMatchObject(expected);
    for (const path of absent ?? []) expect(valueAt(fields, path), path).toBeUndefined();
  });

  it('keeps request parameters and response elements whole', () => {
    const event = fixture('start-calculation-spark');
    const cloudtrail = valueAt(fieldsOf(event), 'aws.cloudtrail') as Record<string, unknown>;
    expect(cloudtrail.request_parameters).toEqual(event.requestParameters);
    expect(cloudtrail.response_elements).toEqual(event.responseElements);
  });
});

describe('parseAthenaCloudTrail: userIdentity variants (the person rule of schema.md)', () => {
  const start = (userIdentity: unknown): Record<string, unknown> => ({
    ...fixture('start-query-iam-full-sql-ipv6'),
    userIdentity,
  });
  const session = (role: string, name: string, context: Record<string, unknown> = {}): Record<string, unknown> => ({
    type: 'AssumedRole',
    arn: `arn:aws:sts::111122223333:assumed-role/${role}/${name}`,
    principalId: `AROAEXAMPLE:${name}`,
    sessionContext: {
      sessionIssuer: { type: 'Role', userName: role, arn: `arn:aws:iam::111122223333:role/${role}` },
      ...context,
    },
  });
  it.each([
    {
      name: 'service role session named by an instance id: the role, no person',
      identity: session('etl-runner', 'i-0abc123def4567890'),
      user: 'etl-runner',
      roles: ['etl-runner'],
      person: false,
      sessionName: 'i-0abc123def4567890',
    },
    {
      name: 'AssumedRole without sessionContext: role and session from the ARN, no person',
      identity: {
        type: 'AssumedRole',
        arn: 'arn:aws:sts::111122223333:assumed-role/etl-runner/1700000000000',
        principalId: 'AROAEXAMPLE:1700000000000',
      },
      user: 'etl-runner',
      roles: ['etl-runner'],
      person: false,
      sessionName: '1700000000000',
    },
    {
      name: 'Identity Center permission set: the sign-in name, the role apart',
      identity: session('AWSReservedSSO_Analyst_0123456789abcdef', 'alice@example.com'),
      user: 'alice@example.com',
      roles: ['AWSReservedSSO_Analyst_0123456789abcdef'],
      person: true,
      sessionName: 'alice@example.com',
    },
    {
      name: 'two analysts with the same permission set are two people',
      identity: session('AWSReservedSSO_Analyst_0123456789abcdef', 'bob@example.com'),
      user: 'bob@example.com',
      roles: ['AWSReservedSSO_Analyst_0123456789abcdef'],
      person: true,
      sessionName: 'bob@example.com',
    },
    {
      name: 'role session with sourceIdentity: that identity',
      identity: session('deploy', 'gitlab-4711', { sourceIdentity: 'carol' }),
      user: 'carol',
      roles: ['deploy'],
      person: true,
      sessionName: 'gitlab-4711',
    },
    {
      name: 'SAML / web-identity federated role session: the session name',
      identity: session('corp-analysts', 'dave@corp.example', {
        webIdFederationData: { federatedProvider: 'arn:aws:iam::111122223333:saml-provider/corp', attributes: {} },
      }),
      user: 'dave@corp.example',
      roles: ['corp-analysts'],
      person: true,
      sessionName: 'dave@corp.example',
    },
    {
      name: 'trusted identity propagation: the Identity Center user, the role apart',
      identity: { ...session('qs-app', 'app-session'), onBehalfOf: { userId: 'f1e2d3c4-user', identityStoreArn: 'arn:aws:identitystore::111122223333:identitystore/d-1' } },
      user: 'f1e2d3c4-user',
      roles: ['qs-app'],
      person: true,
      sessionName: 'app-session',
    },
    {
      name: 'IAMUser without userName: the name from the ARN, path dropped',
      identity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ops/alice' },
      user: 'alice',
      person: true,
    },
    {
      name: 'IAM user in the console (invokedBy signin)',
      identity: {
        type: 'IAMUser',
        arn: 'arn:aws:iam::111122223333:user/bob',
        userName: 'bob',
        invokedBy: 'signin.amazonaws.com',
      },
      user: 'bob',
      person: true,
      invokedBy: 'signin.amazonaws.com',
    },
    {
      name: 'FederatedUser: the name after federated-user/',
      identity: { type: 'FederatedUser', arn: 'arn:aws:sts::111122223333:federated-user/erin' },
      user: 'erin',
      person: true,
      sessionName: 'erin',
    },
    {
      name: 'WebIdentityUser keeps its userName',
      identity: { type: 'WebIdentityUser', principalId: 'accounts.google.com:1234', userName: '1234', identityProvider: 'accounts.google.com' },
      user: '1234',
      person: true,
    },
    { name: 'Root: root, no person', identity: { type: 'Root', arn: 'arn:aws:iam::111122223333:root' }, user: 'root', person: false },
    {
      name: 'AWSService: the service, no person',
      identity: { type: 'AWSService', invokedBy: 'quicksight.amazonaws.com' },
      user: 'quicksight.amazonaws.com',
      person: false,
      invokedBy: 'quicksight.amazonaws.com',
    },
    {
      name: 'AWSAccount: no user name',
      identity: { type: 'AWSAccount', principalId: 'AIDAEXAMPLE', accountId: '444455556666' },
    },
    { name: 'Unknown type with nothing else', identity: { type: 'Unknown' } },
    { name: 'userIdentity missing', identity: undefined },
    { name: 'userIdentity null', identity: null },
  ] as { name: string; identity: unknown; user?: string; roles?: string[]; person?: boolean; sessionName?: string; invokedBy?: string }[])(
    '$name',
    ({ identity, user, roles, person, sessionName, invokedBy }) => {
      const fields = fieldsOf(start(identity));
      expect(valueAt(fields, 'user.name')).toBe(user);
      expect(valueAt(fields, 'user.roles')).toEqual(roles);
      expect(valueAt(fields, 'aws.cloudtrail.user_identity.person')).toBe(person);
      expect(valueAt(fields, 'aws.cloudtrail.user_identity.session_name')).toBe(sessionName);
      expect(valueAt(fields, 'aws.cloudtrail.user_identity.invoked_by')).toBe(invokedBy);
      const type = (identity as { type?: string } | null | undefined)?.type;
      expect(valueAt(fields, 'aws.cloudtrail.user_identity.type')).toBe(type);
    },
  );
});

describe('parseAthenaCloudTrail: source address', () => {
  it.each([
    { address: '198.51.100.23', source: { ip: '198.51.100.23' } },
    { address: '2001:db8::1', source: { ip: '2001:db8::1' } },
    { address: '::ffff:192.0.2.1', source: { ip: '::ffff:192.0.2.1' } },
    { address: 'athena.amazonaws.com', source: { domain: 'athena.amazonaws.com' } },
    // Not an address (an octet above 255): sending it to an `ip` field would reject the document.
    { address: '77.88.999.69', source: { domain: '77.88.999.69' } },
    { address: '', source: undefined },
    { address: undefined, source: undefined },
  ])('$address', ({ address, source }) => {
    const event = { ...fixture('get-workgroup'), sourceIPAddress: address };
    expect(fieldsOf(event).source).toEqual(source);
  });
});

describe('parseAthenaCloudTrail: query text and ids', () => {
  const base = fixture('start-query-iam-full-sql-ipv6');
  it.each([
    { name: 'query present', request: { queryString: 'SELECT 1' }, response: null, athena: { query: 'SELECT 1' } },
    { name: '***OMITTED***', request: { queryString: '***OMITTED***' }, response: null, athena: { query_omitted: true } },
    {
      name: 'id from responseElements wins over requestParameters',
      request: { queryExecutionId: 'from-request' },
      response: { queryExecutionId: 'from-response' },
      athena: { query_execution_id: 'from-response' },
    },
    { name: 'id from requestParameters', request: { queryExecutionId: 'from-request' }, response: null, athena: { query_execution_id: 'from-request' } },
    { name: 'empty id list', request: { queryExecutionIds: [] }, response: null, athena: {} },
    { name: 'non-string ids dropped', request: { queryExecutionIds: ['a', 7, null] }, response: null, athena: { query_execution_ids: ['a'] } },
    { name: 'requestParameters is a string', request: 'oops', response: 'oops', athena: {} },
  ])('$name', ({ request, response, athena }) => {
    const fields = fieldsOf({ ...base, requestParameters: request, responseElements: response });
    expect(valueAt(fields, 'aws.athena')).toEqual({ client: 'boto3', ...athena });
    if (typeof request !== 'object') expect(valueAt(fields, 'aws.cloudtrail.request_parameters')).toBeUndefined();
  });

  it('readOnly written as a string is still a boolean', () => {
    expect(valueAt(fieldsOf({ ...base, readOnly: 'true' }), 'aws.cloudtrail.read_only')).toBe(true);
  });
});

describe('detectAthenaClient', () => {
  it.each([
    { userAgent: 'aws-internal/3', invokedBy: undefined, client: 'console' },
    { userAgent: 'aws-internal/3 aws-sdk-java/1.12.660 Linux/5.10 OpenJDK_64-Bit_Server_VM/25.402-b08', invokedBy: undefined, client: 'console' },
    { userAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15', invokedBy: undefined, client: 'console' },
    { userAgent: 'console.amazonaws.com', invokedBy: undefined, client: 'console' },
    { userAgent: undefined, invokedBy: 'signin.amazonaws.com', client: 'console' },
    { userAgent: 'glue.amazonaws.com', invokedBy: undefined, client: 'glue' },
    { userAgent: 'aws-sdk-java/1.12.0 AWS-Glue/3.0', invokedBy: undefined, client: 'glue' },
    { userAgent: 'athena.amazonaws.com', invokedBy: 'glue.amazonaws.com', client: 'glue' },
    { userAgent: 'Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 exec-env/SageMaker-Studio', invokedBy: undefined, client: 'sagemaker' },
    { userAgent: 'sagemaker.amazonaws.com', invokedBy: undefined, client: 'sagemaker' },
    { userAgent: 'sbAthenaJDBCDriver/2.0, aws-internal/3', invokedBy: undefined, client: 'quicksight' },
    { userAgent: 'quicksight.amazonaws.com', invokedBy: undefined, client: 'quicksight' },
    { userAgent: 'sbAthenaJDBCDriver/2.1.5 aws-sdk-java/1.12.0', invokedBy: undefined, client: 'jdbc' },
    { userAgent: 'AthenaJDBC/3.2.0 aws-sdk-java/2.21.0', invokedBy: undefined, client: 'jdbc' },
    { userAgent: 'sbAthenaODBCDriver/1.2 aws-sdk-cpp/1.9', invokedBy: undefined, client: 'odbc' },
    { userAgent: 'Boto3/1.28.57 Python/3.10.13 Linux/5.15 Botocore/1.31.57 PyAthena/3.0.10', invokedBy: undefined, client: 'pyathena' },
    { userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64 prompt/off command/athena.get-query-execution', invokedBy: undefined, client: 'aws-cli' },
    { userAgent: 'aws-cli/1.11.85 Python/2.7.10 Darwin/16.6.0 botocore/1.5.48', invokedBy: undefined, client: 'aws-cli' },
    { userAgent: 'Boto3/1.24.84 Python/3.8.14 Linux/4.14 Botocore/1.27.84', invokedBy: undefined, client: 'boto3' },
    { userAgent: 'Botocore/1.34.0 ua/2.0 os/linux', invokedBy: undefined, client: 'boto3' },
    { userAgent: 'aws-sdk-go/1.38.37 (go1.16; linux; amd64) exec-env/AWS_Lambda_go1.x', invokedBy: undefined, client: 'sdk' },
    { userAgent: 'aws-sdk-js/3.540.0 ua/2.0 os/linux lang/js md/nodejs#20.11.1 api/athena#3.540.0', invokedBy: undefined, client: 'sdk' },
    { userAgent: 'aws-sdk-dotnet-coreclr/3.7.300 aws-sdk-dotnet-core/3.7.300 .NET_Core/6.0', invokedBy: undefined, client: 'sdk' },
    { userAgent: 'Datadog', invokedBy: undefined, client: 'other' },
    { userAgent: 'AWS Internal', invokedBy: undefined, client: 'other' },
    { userAgent: undefined, invokedBy: undefined, client: undefined },
  ])('$userAgent / $invokedBy -> $client', ({ userAgent, invokedBy, client }) => {
    expect(detectAthenaClient(userAgent, invokedBy)).toBe(client);
  });
});

describe('parseAthenaCloudTrail: events Athena made for a query, and other services', () => {
  const glueGetTable = (invokedBy: string | undefined): Record<string, unknown> => ({
    eventVersion: '1.09',
    userIdentity: {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Analyst_0123456789abcdef/alice@example.com',
      sessionContext: { sessionIssuer: { type: 'Role', userName: 'AWSReservedSSO_Analyst_0123456789abcdef' } },
      ...(invokedBy !== undefined && { invokedBy }),
    },
    eventTime: '2025-03-10T09:15:43Z',
    eventSource: 'glue.amazonaws.com',
    eventName: 'GetTable',
    awsRegion: 'eu-west-1',
    sourceIPAddress: 'athena.amazonaws.com',
    userAgent: 'athena.amazonaws.com',
    requestParameters: { databaseName: 'sales', name: 'orders' },
    responseElements: null,
    requestID: 'f0e1d2c3-0000-4000-8000-000000000001',
    eventID: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
    readOnly: true,
    eventType: 'AwsApiCall',
    recipientAccountId: '111122223333',
  });

  it('a Glue GetTable that Athena invoked stays in the Athena dataset, with the common fields and the person', () => {
    const event = glueGetTable('athena.amazonaws.com');
    const result = parse(event);
    expect(result).toEqual({
      ok: true,
      fields: {
        event: { action: 'GetTable', provider: 'glue.amazonaws.com', id: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f', outcome: 'success' },
        aws: {
          athena: { database: 'sales' },
          cloudtrail: {
            request_id: 'f0e1d2c3-0000-4000-8000-000000000001',
            event_type: 'AwsApiCall',
            recipient_account_id: '111122223333',
            read_only: true,
            user_identity: {
              type: 'AssumedRole',
              arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Analyst_0123456789abcdef/alice@example.com',
              invoked_by: 'athena.amazonaws.com',
              session_name: 'alice@example.com',
              person: true,
            },
            request_parameters: { databaseName: 'sales', name: 'orders' },
          },
        },
        user: { name: 'alice@example.com', roles: ['AWSReservedSSO_Analyst_0123456789abcdef'] },
        source: { domain: 'athena.amazonaws.com' },
        user_agent: { original: 'athena.amazonaws.com' },
      },
      id: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
      timestamp: '2025-03-10T09:15:43.000Z',
      region: 'eu-west-1',
    });
  });

  it('a Lake Formation GetDataAccess that Athena invoked stays in the Athena dataset', () => {
    const event = { ...glueGetTable('athena.amazonaws.com'), eventSource: 'lakeformation.amazonaws.com', eventName: 'GetDataAccess' };
    const result = parse(event);
    expect(result.ok && result.belongsTo).toBeUndefined();
    expect(result.ok && valueAt(result.fields, 'event.action')).toBe('GetDataAccess');
  });

  it('an event of another service goes to generic, parsed with the common CloudTrail fields', () => {
    const event = glueGetTable(undefined);
    const result = parse(event);
    expect(result).toMatchObject({ ok: true, belongsTo: 'generic', id: '7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f', region: 'eu-west-1' });
    const fields = (result.ok ? result.fields : {}) as Record<string, unknown>;
    expect(valueAt(fields, 'event.action')).toBe('GetTable');
    expect(valueAt(fields, 'event.provider')).toBe('glue.amazonaws.com');
    expect(valueAt(fields, 'user.name')).toBe('alice@example.com');
    expect(valueAt(fields, 'aws.cloudtrail.request_parameters')).toEqual({ databaseName: 'sales', name: 'orders' });
    // aws.athena.* belongs to the Athena dataset only.
    expect(valueAt(fields, 'aws.athena')).toBeUndefined();
  });
});

describe('parseAthenaCloudTrail: failures', () => {
  it.each([
    { name: 'plain text', message: 'hello', reason: /not a JSON object/ },
    { name: 'empty', message: '', reason: /not a JSON object/ },
    { name: 'truncated JSON', message: '{"eventVersion":"1.11","eventSource":"athena.amaz', reason: /invalid JSON/ },
    { name: 'a JSON array', message: '[{"eventSource":"athena.amazonaws.com"}]', reason: /not a JSON object/ },
    {
      name: 'nested too deep',
      message: `{"eventSource":"athena.amazonaws.com","eventName":"X","eventTime":"2025-03-10T09:00:00Z","requestParameters":${'['.repeat(100)}${']'.repeat(100)}}`,
      reason: /nested deeper than/,
    },
    { name: 'the S3 file wrapper', message: '{"Records":[{"eventSource":"athena.amazonaws.com"}]}', reason: /Records/ },
    { name: 'JSON that is no CloudTrail event', message: '{"level":"info","msg":"hi"}', reason: /eventSource or eventName/ },
    {
      name: 'eventTime missing',
      message: '{"eventSource":"athena.amazonaws.com","eventName":"GetQueryExecution","eventID":"x"}',
      reason: /eventTime/,
    },
    {
      name: 'eventTime not a time',
      message: '{"eventSource":"athena.amazonaws.com","eventName":"GetQueryExecution","eventTime":"2025-13-40T99:00:00Z"}',
      reason: /eventTime/,
    },
    {
      // In UTC, -000001-12-31T23:00:00Z: toISOString has no four-digit form for it.
      name: 'eventTime before the year 0000 in UTC',
      message: '{"eventSource":"athena.amazonaws.com","eventName":"GetQueryExecution","eventTime":"0000-01-01T00:00:00+01:00"}',
      reason: /eventTime/,
    },
    {
      // In UTC, +010000-01-01T00:59:59Z.
      name: 'eventTime after the year 9999 in UTC',
      message: '{"eventSource":"athena.amazonaws.com","eventName":"GetQueryExecution","eventTime":"9999-12-31T23:59:59-01:00"}',
      reason: /eventTime/,
    },
  ])('$name', ({ message, reason }) => {
    const result = parseAthenaCloudTrail(message, CONTEXT);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('parseAthenaCloudTrail: schema coverage', () => {
  it('asserts every aws.athena / aws.cloudtrail / event / user / source / user_agent field of schema.md', () => {
    const schemaFields = [
      'event.action',
      'event.provider',
      'event.id',
      'event.outcome',
      'aws.cloudtrail.request_id',
      'aws.cloudtrail.event_type',
      'aws.cloudtrail.recipient_account_id',
      'aws.cloudtrail.read_only',
      'aws.cloudtrail.error_code',
      'aws.cloudtrail.error_message',
      'aws.cloudtrail.user_identity.type',
      'aws.cloudtrail.user_identity.arn',
      'aws.cloudtrail.user_identity.principal_id',
      'aws.cloudtrail.user_identity.account_id',
      'aws.cloudtrail.user_identity.access_key_id',
      'aws.cloudtrail.user_identity.invoked_by',
      'aws.cloudtrail.user_identity.session_name',
      'aws.cloudtrail.user_identity.identity_center_user_id',
      'user.name',
      'user.roles',
      'aws.cloudtrail.user_identity.person',
      'source.ip',
      'source.domain',
      'user_agent.original',
      'aws.athena.client',
      'aws.athena.query_execution_id',
      'aws.athena.query_execution_ids',
      'aws.athena.query',
      'aws.athena.query_omitted',
      'aws.athena.work_group',
      'aws.athena.database',
      'aws.athena.catalog',
      'aws.athena.output_location',
      'aws.cloudtrail.request_parameters',
      'aws.cloudtrail.response_elements',
    ];
    expect(schemaFields.filter((field) => !covered.has(field))).toEqual([]);
  });
});
