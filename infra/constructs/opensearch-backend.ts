import { Arn, ArnFormat, Aws, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as aoss from 'aws-cdk-lib/aws-opensearchserverless';
import { Construct, type IDependable } from 'constructs';
import type { ExistingDomainConfig, ServerlessConfig } from '../config';

/** What the rest of the stack needs to know about where documents go. */
export interface OpenSearchBackend {
  /** `https://` URL, the functions' `OPENSEARCH_ENDPOINT`. */
  readonly endpoint: string;
  /** The functions' `OPENSEARCH_AUTH`. */
  readonly auth: 'sigv4' | 'sigv4-aoss';
  readonly dashboardsUrl: string;
  /** For the AWS/ES health alarms; absent for Serverless. */
  readonly metrics?: { readonly domainName: string; readonly accountId: string };
  /** A role the stack made the domain's master user (a new domain only). */
  readonly adminRole?: iam.Role;
  /** Lets `role` index documents (IAM side; FGAC mapping is separate). */
  grantWrite(role: iam.Role): void;
  /** Lets `role` also manage templates, ISM, alerting and Dashboards objects. */
  grantAdmin(role: iam.Role): void;
  /**
   * Authorises the roles inside OpenSearch where the stack can (FGAC mapping, AOSS data
   * policy); returns what must exist before anything writes.
   */
  authorize(writers: readonly iam.Role[], admins: readonly iam.Role[]): IDependable[];
}

const WRITE_ACTIONS = ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut'];
const ADMIN_ACTIONS = [...WRITE_ACTIONS, 'es:ESHttpDelete', 'es:ESHttpPatch'];

/** Grants HTTP actions on a domain and records why its `/*` resource is acceptable. */
export function grantDomainHttp(role: iam.Role, domainArn: string, admin: boolean): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: admin ? ADMIN_ACTIONS : WRITE_ACTIONS,
      resources: [domainArn, `${domainArn}/*`],
    }),
  );
  acknowledgeDomainPaths(role, domainArn);
}

function acknowledgeDomainPaths(role: iam.Role, domainArn: string): void {
  const resolved = Stack.of(role).resolve(domainArn) as unknown;
  // cdk-nag names a token by its logical id and attribute: <DomainLogicalId.Arn>.
  const shown =
    typeof resolved === 'string'
      ? resolved
      : isGetAtt(resolved)
        ? `<${resolved['Fn::GetAtt'][0]}.${resolved['Fn::GetAtt'][1]}>`
        : undefined;
  if (shown === undefined) return;
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${shown}/*]`,
    reason: 'OpenSearch HTTP paths under the domain: daily index names and _bulk cannot be listed in advance; fine-grained access control narrows them to the pipeline index pattern.',
  });
}

function isGetAtt(value: unknown): value is { 'Fn::GetAtt': [string, string] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as Record<string, unknown>)['Fn::GetAtt']);
}

/** A domain created elsewhere: IAM grants here, the FGAC role mapping is the operator's step. */
export class ExistingDomainBackend extends Construct implements OpenSearchBackend {
  readonly endpoint: string;
  readonly auth = 'sigv4' as const;
  readonly dashboardsUrl: string;
  readonly metrics: { readonly domainName: string; readonly accountId: string };

  constructor(
    scope: Construct,
    id: string,
    private readonly config: ExistingDomainConfig,
  ) {
    super(scope, id);
    this.endpoint = config.endpoint;
    this.dashboardsUrl = `${config.endpoint}/_dashboards`;
    const arn = Arn.split(config.domainArn, ArnFormat.SLASH_RESOURCE_NAME);
    this.metrics = { domainName: arn.resourceName!, accountId: arn.account! };
  }

  grantWrite(role: iam.Role): void {
    grantDomainHttp(role, this.config.domainArn, false);
  }

  grantAdmin(role: iam.Role): void {
    grantDomainHttp(role, this.config.domainArn, true);
  }

  authorize(): IDependable[] {
    // The stack is not the domain's master user: the role mapping is documented, and the
    // roles to map are stack outputs.
    return [];
  }
}

export interface ServerlessBackendProps {
  readonly config: ServerlessConfig;
  /** Index pattern the data access policy covers, e.g. `cwl-*`. */
  readonly indexPattern: string;
  /** Names the data access policy (unique per account and region). */
  readonly policyName: string;
}

/** An OpenSearch Serverless collection: IAM `aoss:APIAccessAll` plus a data access policy. */
export class ServerlessBackend extends Construct implements OpenSearchBackend {
  readonly endpoint: string;
  readonly auth = 'sigv4-aoss' as const;
  readonly dashboardsUrl: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ServerlessBackendProps,
  ) {
    super(scope, id);
    this.endpoint = props.config.endpoint;
    this.dashboardsUrl = `${props.config.endpoint}/_dashboards`;
  }

  grantWrite(role: iam.Role): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['aoss:APIAccessAll'], resources: [this.props.config.collectionArn] }),
    );
  }

  grantAdmin(role: iam.Role): void {
    this.grantWrite(role);
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['aoss:DashboardsAccessAll'],
        resources: [`arn:${Aws.PARTITION}:aoss:${Aws.REGION}:${Aws.ACCOUNT_ID}:dashboards/default`],
      }),
    );
  }

  authorize(writers: readonly iam.Role[], admins: readonly iam.Role[]): IDependable[] {
    const name = this.props.config.collectionName;
    if (name === undefined) return []; // documented: the operator writes the data access policy
    const index = `index/${name}/${this.props.indexPattern}`;
    const collection = `collection/${name}`;
    const writerRule = {
      Description: 'Pipeline writers: create daily indices and write documents',
      Rules: [
        {
          ResourceType: 'index',
          Resource: [index],
          Permission: ['aoss:CreateIndex', 'aoss:DescribeIndex', 'aoss:UpdateIndex', 'aoss:ReadDocument', 'aoss:WriteDocument'],
        },
      ],
      Principal: writers.map((role) => role.roleArn),
    };
    const adminRule = {
      Description: 'Assets: index templates and Dashboards objects',
      Rules: [
        { ResourceType: 'index', Resource: [index], Permission: ['aoss:*'] },
        {
          ResourceType: 'collection',
          Resource: [collection],
          Permission: ['aoss:CreateCollectionItems', 'aoss:UpdateCollectionItems', 'aoss:DescribeCollectionItems'],
        },
      ],
      Principal: admins.map((role) => role.roleArn),
    };
    // A rule naming no principal grants nothing and may be refused as invalid: leave it out.
    const policy = [writerRule, adminRule].filter((rule) => rule.Principal.length > 0);
    if (policy.length === 0) return [];
    const accessPolicy = new aoss.CfnAccessPolicy(this, 'DataAccessPolicy', {
      name: this.props.policyName,
      type: 'data',
      description: 'cwl-opensearch pipeline roles',
      policy: Stack.of(this).toJsonString(policy),
    });
    return [accessPolicy];
  }
}
