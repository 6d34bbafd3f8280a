import { Annotations, Aws, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import { Construct, type IDependable } from 'constructs';
import type { NewDomainConfig } from '../config';
import type { PipelineNetwork } from './network';
import { grantDomainHttp, type OpenSearchBackend } from './opensearch-backend';
import { RoleMapping } from './role-mapping';

/** The service OpenSearch's service-linked role is for. */
export const OPENSEARCH_SERVICE_PRINCIPAL = 'opensearchservice.amazonaws.com';

export interface NewDomainBackendProps {
  readonly config: NewDomainConfig;
  /** Places the domain in these subnets behind its own security group. @default - public endpoint */
  readonly network?: PipelineNetwork;
  /** Pattern of the pipeline's indices, for the writer role, e.g. `cwl-*`. */
  readonly indexPattern: string;
  /** Unique among the stack's resources in the account/region; names the log resource policy. */
  readonly resourcePrefix: string;
  /** Used when the configuration names no domain (the access policy needs the name in advance). */
  readonly defaultDomainName: string;
  readonly logRetention: logs.RetentionDays;
}

/**
 * A new OpenSearch Service domain: encryption at rest, node-to-node encryption, HTTPS
 * only with TLS 1.2, fine-grained access control whose master user is a role of this
 * stack (used by the assets and role-mapping functions), slow and error logs.
 */
export class NewDomainBackend extends Construct implements OpenSearchBackend {
  readonly domain: opensearch.Domain;
  readonly endpoint: string;
  readonly auth = 'sigv4' as const;
  readonly dashboardsUrl: string;
  readonly metrics: { readonly domainName: string; readonly accountId: string };
  readonly adminRole: iam.Role;
  readonly securityGroup?: ec2.SecurityGroup;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: NewDomainBackendProps,
  ) {
    super(scope, id);
    const { config, network } = props;
    this.adminRole = new iam.Role(this, 'AdminRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Master user of the OpenSearch domain: applies role mappings and dashboards assets',
    });

    const logGroup = (id: string) => new logs.LogGroup(this, id, { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const logGroups = {
      slowSearch: logGroup('SlowSearchLogs'),
      slowIndex: logGroup('SlowIndexLogs'),
      app: logGroup('ApplicationLogs'),
      ...(config.auditLogs && { audit: logGroup('AuditLogs') }),
    };
    // One explicit resource policy instead of the construct's custom resource that writes one.
    // CloudWatch Logs allows 10 resource policies per account and region: this is the
    // stack's only one, audit logs included (see the deployment guide).
    const logsPolicy = new logs.CfnResourcePolicy(this, 'LogsResourcePolicy', {
      policyName: `${props.resourcePrefix}-opensearch-logs`,
      policyDocument: Stack.of(this).toJsonString({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'es.amazonaws.com' },
            Action: ['logs:PutLogEvents', 'logs:CreateLogStream'],
            Resource: Object.values(logGroups).map((group) => group.logGroupArn),
            Condition: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
          },
        ],
      }),
    });

    const zones = config.zoneAwareness ? config.availabilityZoneCount : 1;
    const domainName = config.domainName ?? props.defaultDomainName;
    if (network) {
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: network.vpc,
        description: 'OpenSearch domain: HTTPS from the pipeline functions only',
        allowAllOutbound: false,
      });
      this.securityGroup.addIngressRule(network.clientSecurityGroup, ec2.Port.tcp(443), 'HTTPS from pipeline functions');
    }

    this.domain = new opensearch.Domain(this, 'Domain', {
      version: opensearch.EngineVersion.openSearch(config.engineVersion),
      domainName,
      capacity: {
        dataNodes: config.dataNodes,
        dataNodeInstanceType: config.dataNodeInstanceType,
        multiAzWithStandbyEnabled: false,
        ...(config.dedicatedMasterNodes > 0 && {
          masterNodes: config.dedicatedMasterNodes,
          masterNodeInstanceType: config.masterNodeInstanceType,
        }),
      },
      ebs: { volumeSize: config.volumeSizeGiB, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      zoneAwareness: config.zoneAwareness ? { enabled: true, availabilityZoneCount: zones } : { enabled: false },
      encryptionAtRest: { enabled: true },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2,
      fineGrainedAccessControl: { masterUserArn: this.adminRole.roleArn },
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: logGroups.slowSearch,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: logGroups.slowIndex,
        appLogEnabled: true,
        appLogGroup: logGroups.app,
        ...(logGroups.audit && { auditLogEnabled: true, auditLogGroup: logGroups.audit }),
      },
      suppressLogsResourcePolicy: true,
      enableVersionUpgrade: true,
      enableAutoSoftwareUpdate: true,
      offPeakWindowEnabled: true,
      removalPolicy: config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      ...(network && {
        vpc: network.vpc,
        vpcSubnets: [network.domainSubnets(zones)],
        securityGroups: [this.securityGroup!],
      }),
    });
    this.domain.node.addDependency(logsPolicy);
    if (network) this.requireServiceLinkedRole(config.createServiceLinkedRole);
    // Delegates to IAM: only principals of this account whose own policies allow es:ESHttp*
    // (no anonymous or unsigned access). Written on the L1 with the domain's ARN spelled
    // out, which avoids the construct's update-policy custom resource.
    (this.domain.node.defaultChild as opensearch.CfnDomain).accessPolicies = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:root` },
          Action: 'es:ESHttp*',
          Resource: `arn:${Aws.PARTITION}:es:${Aws.REGION}:${Aws.ACCOUNT_ID}:domain/${domainName}/*`,
        },
      ],
    };

    this.endpoint = `https://${this.domain.domainEndpoint}`;
    this.dashboardsUrl = `${this.endpoint}/_dashboards`;
    this.metrics = { domainName: this.domain.domainName, accountId: Aws.ACCOUNT_ID };
    this.grantAdmin(this.adminRole);
    this.acknowledgeChoices();
  }

  grantWrite(role: iam.Role): void {
    grantDomainHttp(role, this.domain.domainArn, false);
  }

  grantAdmin(role: iam.Role): void {
    grantDomainHttp(role, this.domain.domainArn, true);
  }

  authorize(writers: readonly iam.Role[]): IDependable[] {
    const mapping = new RoleMapping(this, 'RoleMapping', {
      backend: this,
      writerRoleArns: writers.map((role) => role.roleArn),
      adminRoleArns: this.props.config.adminRoleArns,
      indexPattern: this.props.indexPattern,
      logRetention: this.props.logRetention,
      ...(this.props.network && { network: this.props.network.functionNetwork }),
    });
    mapping.node.addDependency(this.domain);
    return [mapping.resource];
  }

  /**
   * A VPC domain needs the OpenSearch service-linked role to place its network interfaces,
   * and CloudFormation does not create it: on a fresh account the domain fails. The role
   * exists once per account (creating a second fails), so creating it is opt-in.
   */
  private requireServiceLinkedRole(create: boolean): void {
    if (create) {
      const role = new iam.CfnServiceLinkedRole(this, 'ServiceLinkedRole', {
        awsServiceName: OPENSEARCH_SERVICE_PRINCIPAL,
        description: 'Lets OpenSearch Service place the domain in the VPC',
      });
      this.domain.node.addDependency(role);
      return;
    }
    Annotations.of(this.domain).addWarningV2(
      'cwl-opensearch:serviceLinkedRole',
      `A VPC domain needs the OpenSearch service-linked role. If "aws iam get-role --role-name AWSServiceRoleForAmazonOpenSearchService" finds none, run "aws iam create-service-linked-role --aws-service-name ${OPENSEARCH_SERVICE_PRINCIPAL}" once, or set opensearch.createServiceLinkedRole: true.`,
    );
  }

  private acknowledgeChoices(): void {
    const { config, network } = this.props;
    const domain = this.domain;
    if (config.dedicatedMasterNodes === 0) {
      Validations.of(domain).acknowledge({
        id: 'AwsSolutions-OS4',
        reason: 'Dedicated masters are off as configured (opensearch.dedicatedMasterNodes: 0): a small log domain saves three master instances; opensearch.profile "production" turns them on.',
      });
    }
    if (!config.zoneAwareness) {
      Validations.of(domain).acknowledge({
        id: 'AwsSolutions-OS7',
        reason:
          config.dataNodes === 1
            ? 'A single data node cannot be zone-aware; set opensearch.dataNodes to a multiple of availabilityZoneCount for zone awareness.'
            : 'Zone awareness is off as configured (opensearch.zoneAwareness: false); the data nodes share one availability zone.',
      });
    }
    if (network === undefined) {
      Validations.of(domain).acknowledge({
        id: 'AwsSolutions-OS1',
        reason: 'The public endpoint answers only SigV4-signed requests of IAM principals of this account (the access policy names the account root and es:ESHttp*) and fine-grained access control maps them; set "network" to place it in a VPC.',
      });
    }
    Validations.of(domain).acknowledge({
      id: 'AwsSolutions-OS3',
      reason: 'Access is controlled by IAM identities and fine-grained access control, not by source IP: the Lambda functions have no fixed addresses.',
    });
  }
}
