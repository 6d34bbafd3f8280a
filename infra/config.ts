import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ParserId } from '../parsers/types';
import { DEFAULT_FILTER_PATTERNS as PARSER_DEFAULT_PATTERNS, MAX_FILTER_PATTERN_LENGTH } from '../functions/subscriber/filter-patterns';
import { ALERT_CHANNELS, ASSETS_DEFAULTS, type AlertsConfig } from '../functions/assets/config';
import type { IndexingConfig } from '../functions/pipeline/config';
import { compileUserParsers, UserParserError, type UserParserDefinition } from '../parsers/user-parser';
import { ConfigReader, InvalidConfigError } from './config-reader';

export { InvalidConfigError } from './config-reader';

/**
 * The deployment configuration: typed, with defaults, validated at synth time. Every
 * problem is reported with the path of the field to fix (`opensearch.domainArn: ...`).
 */
export interface DeploymentConfig {
  readonly stackName: string;
  /** Pins the stack to an account/region; absent = environment-agnostic. */
  readonly account?: string;
  readonly region?: string;
  readonly opensearch: OpenSearchTargetConfig;
  /** Puts every function that talks to OpenSearch (and a new domain) in this VPC. */
  readonly network?: NetworkConfig;
  readonly indexing: IndexingSettings;
  /** Extra log-group globs per parser (the shipper's `ROUTE_*` variables). */
  readonly routes: RouteSettings;
  /** User-defined parsers (docs/user-parsers.md), shipped to the functions as PARSERS_JSON. */
  readonly parsers: readonly UserParserDefinition[];
  readonly shipper: ShipperSettings;
  readonly subscriptions: SubscriptionSettings;
  readonly athena: AthenaSettings;
  readonly redrive: RedriveSettings;
  readonly alarms: AlarmSettings;
  readonly assets: AssetSettings;
  readonly alerts: AlertSettings;
  /** Retention of the functions' own log groups. */
  readonly logRetentionDays: number;
}

export const OPENSEARCH_MODES = ['existing-domain', 'serverless', 'new-domain'] as const;

export type OpenSearchTargetConfig = ExistingDomainConfig | ServerlessConfig | NewDomainConfig;

export interface ExistingDomainConfig {
  readonly mode: 'existing-domain';
  /** `https://search-<name>-<id>.<region>.es.amazonaws.com` (or a VPC endpoint). */
  readonly endpoint: string;
  readonly domainArn: string;
}

export interface ServerlessConfig {
  readonly mode: 'serverless';
  /** `https://<id>.<region>.aoss.amazonaws.com`. */
  readonly endpoint: string;
  readonly collectionArn: string;
  /** When given, the stack creates the data access policy for its roles. */
  readonly collectionName?: string;
}

export interface NewDomainConfig {
  readonly mode: 'new-domain';
  readonly domainName?: string;
  readonly engineVersion: string;
  readonly dataNodes: number;
  readonly dataNodeInstanceType: string;
  readonly volumeSizeGiB: number;
  /** 0 = none; otherwise 3 or 5. */
  readonly dedicatedMasterNodes: number;
  readonly masterNodeInstanceType: string;
  readonly zoneAwareness: boolean;
  /** Availability zones a zone-aware domain spreads over (2 or 3). */
  readonly availabilityZoneCount: 2 | 3;
  /** Audit logs (fine-grained access control's record of who did what) to a log group of the stack. */
  readonly auditLogs: boolean;
  /** Create the OpenSearch service-linked role (a VPC domain needs it; it exists once per account). */
  readonly createServiceLinkedRole: boolean;
  /** IAM roles (people, CI) mapped to `all_access` and `security_manager`. */
  readonly adminRoleArns: readonly string[];
  readonly removalPolicy: 'retain' | 'destroy';
}

export interface NetworkConfig {
  readonly vpcId: string;
  readonly availabilityZones: readonly string[];
  /** Private subnets, one per availability zone, in the same order. */
  readonly subnetIds: readonly string[];
  /** Extra security groups for the functions (e.g. one an existing domain already allows). */
  readonly securityGroupIds: readonly string[];
  /**
   * Create the interface endpoints (private DNS) for the AWS APIs the VPC functions call,
   * for subnets without a NAT gateway. Off: the subnets must reach those APIs already.
   */
  readonly interfaceEndpoints: boolean;
}

/** The functions' own indexing settings (INDEX_PREFIX, INDEX_NAMING, BULK_MAX_*), set from the config. */
export type IndexingSettings = IndexingConfig;

export interface RouteSettings {
  readonly rdsMysqlSlowquery: readonly string[];
  readonly lambda: readonly string[];
  readonly athenaCloudtrail: readonly string[];
}

export interface ShipperSettings {
  readonly memoryMiB: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency?: number;
  /** Lambda's own retries of a failed asynchronous invocation (0-2). */
  readonly retryAttempts: number;
  readonly maxEventAgeHours: number;
}

/** The parsers' sources, keyed as in the configuration file. */
export const SOURCES = ['rdsMysqlSlowquery', 'lambda', 'athenaCloudtrail', 'generic'] as const;
export type SourceKey = (typeof SOURCES)[number];

/** How log groups get the subscription: our subscriber function per group, or one account-level policy. */
export const SUBSCRIPTION_MODES = ['filters', 'account-policy'] as const;

export interface SubscriptionSettings {
  readonly mode: (typeof SUBSCRIPTION_MODES)[number];
  /** The account policy's one filter pattern (`account-policy` mode only); `""` = every event. */
  readonly accountPolicyFilterPattern: string;
  /** Concurrent subscriber runs: bounds the PutSubscriptionFilter calls of a burst of new log groups. */
  readonly subscriberConcurrency: number;
  readonly logGroups: readonly string[];
  readonly prefixes: readonly string[];
  /** Log groups never subscribed (the stack's own functions are always excluded). */
  readonly exclude: readonly string[];
  readonly filterName: string;
  /** CloudWatch Logs filter pattern per source; `""` = every event. */
  readonly filterPatterns: Readonly<Record<SourceKey, string>>;
  /** Subscribe matching log groups created after the deployment (EventBridge `CreateLogGroup`). */
  readonly subscribeNewLogGroups: boolean;
  readonly destination: 'lambda' | 'kinesis';
  readonly kinesis: KinesisSettings;
  /** Member accounts (or an organization) that may subscribe to this stack's CloudWatch Logs destination. */
  readonly crossAccount?: CrossAccountSettings;
}

export interface CrossAccountSettings {
  readonly accountIds: readonly string[];
  /** `o-...`: every account of the organization may subscribe. */
  readonly organizationId?: string;
}

export interface KinesisSettings {
  /** 0 = on-demand capacity mode. */
  readonly shardCount: number;
  readonly retentionHours: number;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly parallelizationFactor: number;
  /** -1 = until the record expires. */
  readonly retryAttempts: number;
  /** Days S3 keeps a failed batch the redrive has not replayed yet. */
  readonly failureRetentionDays: number;
}

export const ATHENA_SOURCES = ['trail', 'log-group', 'poller', 'none'] as const;

export interface AthenaSettings {
  /** `trail`: a trail created by the stack; `log-group`: an existing trail's log group; `poller`: LookupEvents. */
  readonly source: (typeof ATHENA_SOURCES)[number];
  readonly logGroupName?: string;
  readonly pollerScheduleMinutes: number;
  /** Concurrent poller runs (`undefined` = unreserved); 1 keeps two runs from racing on the checkpoint. */
  readonly pollerReservedConcurrency?: number;
  readonly lookbackMinutes: number;
  readonly trailLogRetentionDays: number;
  readonly enricher: EnricherSettings;
}

export interface EnricherSettings {
  readonly enabled: boolean;
  readonly scheduleMinutes: number;
  readonly lookbackHours: number;
  readonly pricePerTbUsd: number;
  /** Also run on EventBridge "Athena Query State Change" events. */
  readonly onQueryStateChange: boolean;
  /** Concurrent enricher runs (`undefined` = unreserved); each run sweeps every pending query. */
  readonly reservedConcurrency?: number;
}

export interface RedriveSettings {
  readonly scheduleMinutes: number;
  readonly maxMessages: number;
  /** Receives of a dead-letter message before it moves to the last-resort queue. */
  readonly maxReceiveCount: number;
}

export interface AlarmSettings {
  readonly email?: string;
  /** Free storage per node below which the alarm fires; unset: 25% of a new domain's volume, 20 GiB otherwise. */
  readonly freeStorageSpaceMiB?: number;
}

export interface AssetSettings {
  /** Off for Serverless collections (no ISM, alerting or saved-object import there). */
  readonly enabled: boolean;
  readonly tenant: string;
  /** Replicas of every pipeline index (the templates' `number_of_replicas`). */
  readonly replicas: number;
  readonly retentionDays: number;
  readonly deadletterRetentionDays: number;
}

/**
 * The stack's alert settings: the assets' `AlertsConfig` (same channels and thresholds),
 * except that for `sns` the topic and role may be left to the stack (its alarm topic and
 * a role it creates for OpenSearch to publish with).
 */
export type AlertSettings = Omit<AlertsConfig, 'webhookUrl'> & {
  /** Secrets Manager secret holding the Slack / webhook URL, read by the assets function at run time. */
  readonly webhookSecretArn?: string;
};

/** The parser each configuration source key stands for. */
export const SOURCE_PARSERS = {
  rdsMysqlSlowquery: 'rds-mysql-slowquery',
  lambda: 'lambda',
  athenaCloudtrail: 'athena-cloudtrail',
  generic: 'generic',
} as const satisfies Record<SourceKey, ParserId>;

export const DEFAULT_FILTER_PATTERNS = Object.fromEntries(
  SOURCES.map((source) => [source, PARSER_DEFAULT_PATTERNS[SOURCE_PARSERS[source]]]),
) as Record<SourceKey, string>;

/** The retention periods CloudWatch Logs accepts. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const ACCOUNT = /^\d{12}$/;
export const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const PARTITION = 'aws(?:-cn|-us-gov|-iso|-iso-b)?';
const DOMAIN_ARN = new RegExp(`^arn:${PARTITION}:es:([a-z0-9-]+):(\\d{12}):domain/([a-z][a-z0-9-]{2,27})$`);
const COLLECTION_ARN = new RegExp(`^arn:${PARTITION}:aoss:([a-z0-9-]+):(\\d{12}):collection/([a-z0-9]{3,40})$`);
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$`);
const SNS_ARN = new RegExp(`^arn:${PARTITION}:sns:[a-z0-9-]+:\\d{12}:[\\w-]{1,256}$`);
const SECRET_ARN = new RegExp(`^arn:${PARTITION}:secretsmanager:[a-z0-9-]+:\\d{12}:secret:[\\w/+=.@-]{1,512}$`);
const HTTPS_URL = /^https:\/\/[^\s/?#]+(?::\d+)?\/?$/;
const LOG_GROUP = /^[\w\-/.#]{1,512}$/;
const LOG_GROUP_PREFIX = /^[\w\-/.#]{1,511}$/;

/** Validates raw JSON into a `DeploymentConfig`; throws `InvalidConfigError` listing every problem. */
export function parseConfig(raw: unknown, source = 'configuration'): DeploymentConfig {
  const issues: string[] = [];
  const root = ConfigReader.root(raw, issues);
  // "member" files are read by parseMemberConfig (infra/member-config.ts).
  root.choice('kind', ['pipeline'] as const, 'pipeline');

  const stackName = root.string('stackName', {
    default: 'CwlOpenSearch',
    pattern: /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
    hint: 'a CloudFormation stack name (letters, digits, "-", starting with a letter)',
  });
  const account = root.has('account')
    ? root.string('account', { pattern: ACCOUNT, hint: 'a 12-digit AWS account id' })
    : undefined;
  const region = root.has('region')
    ? root.string('region', { pattern: REGION, hint: 'an AWS region such as eu-west-1' })
    : undefined;

  const opensearch = readOpenSearch(root.object('opensearch'), region, account);
  const network = root.has('network') ? readNetwork(root.object('network')) : undefined;
  const indexing = readIndexing(root.object('indexing'));
  const routes = readRoutes(root.object('routes'));
  const parsers = readParsers(root);
  const shipper = readShipper(root.object('shipper'));
  const subscriptions = readSubscriptions(root.object('subscriptions'), stackName);
  const athena = readAthena(root.object('athena'));
  const redrive = readRedrive(root.object('redrive'));
  const alarms = readAlarms(root.object('alarms'));
  const assets = readAssets(root.object('assets'), opensearch);
  const alerts = readAlerts(root.object('alerts'));
  const logRetentionDays = readRetention(root, 'logRetentionDays');
  root.rejectUnknown();

  checkCombinations(root, { opensearch, network, subscriptions, athena, alerts, shipper });

  if (issues.length > 0) throw new InvalidConfigError(source, issues);
  return {
    stackName,
    ...(account !== undefined && { account }),
    ...(region !== undefined && { region }),
    opensearch: opensearch!,
    ...(network !== undefined && { network }),
    indexing,
    routes,
    parsers,
    shipper,
    subscriptions,
    athena,
    redrive,
    alarms,
    assets,
    alerts,
    logRetentionDays,
  };
}

function readOpenSearch(reader: ConfigReader, region?: string, account?: string): OpenSearchTargetConfig | undefined {
  const mode = reader.choice('mode', OPENSEARCH_MODES);
  const endpointRule = { pattern: HTTPS_URL, hint: 'an https:// URL with no path, e.g. https://search-logs-abc.eu-west-1.es.amazonaws.com' };
  let target: OpenSearchTargetConfig | undefined;
  if (mode === 'existing-domain') {
    const endpoint = reader.string('endpoint', endpointRule);
    const domainArn = reader.string('domainArn', {
      pattern: DOMAIN_ARN,
      hint: 'arn:aws:es:<region>:<account>:domain/<domain-name>',
    });
    if (domainArn) checkArnPlacement(reader, 'domainArn', DOMAIN_ARN.exec(domainArn)!, region, account);
    if (endpoint && domainArn) target = { mode, endpoint: trimSlash(endpoint), domainArn };
  } else if (mode === 'serverless') {
    const endpoint = reader.string('endpoint', endpointRule);
    const collectionArn = reader.string('collectionArn', {
      pattern: COLLECTION_ARN,
      hint: 'arn:aws:aoss:<region>:<account>:collection/<collection-id>',
    });
    if (collectionArn) checkArnPlacement(reader, 'collectionArn', COLLECTION_ARN.exec(collectionArn)!, region, account);
    const collectionName = reader.has('collectionName')
      ? reader.string('collectionName', { pattern: /^[a-z][a-z0-9-]{2,31}$/, hint: 'a collection name (3-32 of a-z, 0-9, "-")' })
      : undefined;
    if (endpoint && collectionArn) {
      target = { mode, endpoint: trimSlash(endpoint), collectionArn, ...(collectionName && { collectionName }) };
    }
  } else if (mode === 'new-domain') {
    const domainName = reader.has('domainName')
      ? reader.string('domainName', {
          pattern: /^[a-z][a-z0-9-]{2,27}$/,
          hint: 'a domain name: 3-28 characters of a-z, 0-9 and "-", starting with a letter',
        })
      : undefined;
    // "production": three zones and dedicated masters, as AWS recommends for production domains.
    const production = reader.choice('profile', ['small', 'production'] as const, 'small') === 'production';
    const dataNodes = reader.integer('dataNodes', { default: production ? 3 : 2, min: 1, max: 80 });
    const dedicatedMasterNodes = reader.integer('dedicatedMasterNodes', { default: production ? 3 : 0, min: 0, max: 5 });
    if (![0, 3, 5].includes(dedicatedMasterNodes)) reader.fail('dedicatedMasterNodes', `must be 0, 3 or 5, got ${dedicatedMasterNodes}`);
    const zoneAwareness = reader.boolean('zoneAwareness', dataNodes > 1);
    const availabilityZoneCount = reader.integer('availabilityZoneCount', { default: production ? 3 : 2, min: 2, max: 3 }) as 2 | 3;
    if (zoneAwareness && dataNodes % availabilityZoneCount !== 0) {
      reader.fail('dataNodes', `must be a multiple of availabilityZoneCount (${availabilityZoneCount}) when zoneAwareness is true, got ${dataNodes}`);
    }
    target = {
      mode,
      ...(domainName && { domainName }),
      engineVersion: reader.string('engineVersion', { default: '2.19', pattern: /^\d+\.\d+$/, hint: 'an OpenSearch version such as 2.19' }),
      dataNodes,
      dataNodeInstanceType: reader.string('dataNodeInstanceType', {
        default: 'r7g.large.search',
        pattern: /^[a-z0-9]+\.[a-z0-9]+\.search$/,
        hint: 'an instance type ending in .search, e.g. r7g.large.search',
      }),
      volumeSizeGiB: reader.integer('volumeSizeGiB', { default: 100, min: 10, max: 24_576 }),
      dedicatedMasterNodes,
      masterNodeInstanceType: reader.string('masterNodeInstanceType', {
        default: 'm7g.large.search',
        pattern: /^[a-z0-9]+\.[a-z0-9]+\.search$/,
        hint: 'an instance type ending in .search',
      }),
      zoneAwareness,
      availabilityZoneCount,
      auditLogs: reader.boolean('auditLogs', production),
      createServiceLinkedRole: reader.boolean('createServiceLinkedRole', false),
      adminRoleArns: reader.strings('adminRoleArns', [], { pattern: ROLE_ARN, hint: 'an IAM role ARN' }),
      removalPolicy: reader.choice('removalPolicy', ['retain', 'destroy'] as const, 'retain') ?? 'retain',
    };
  }
  reader.rejectUnknown();
  return target;
}

function checkArnPlacement(reader: ConfigReader, key: string, match: RegExpExecArray, region?: string, account?: string): void {
  // The functions sign with their own region (AWS_REGION), so the backend must be in the stack's region.
  if (region !== undefined && match[1] !== region) {
    reader.fail(key, `is in region ${match[1]} but the stack deploys to ${region}; the functions sign requests for their own region`);
  }
  if (account !== undefined && match[2] !== account) {
    reader.fail(key, `is in account ${match[2]} but the stack deploys to ${account}`);
  }
}

function readNetwork(reader: ConfigReader): NetworkConfig {
  const network = {
    vpcId: reader.string('vpcId', { pattern: /^vpc-[0-9a-f]{8,17}$/, hint: 'a VPC id such as vpc-0123456789abcdef0' }) ?? '',
    availabilityZones: reader.strings('availabilityZones', [], { pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, hint: 'an availability zone such as eu-west-1a' }),
    subnetIds: reader.strings('subnetIds', [], { pattern: /^subnet-[0-9a-f]{8,17}$/, hint: 'a subnet id' }),
    securityGroupIds: reader.strings('securityGroupIds', [], { pattern: /^sg-[0-9a-f]{8,17}$/, hint: 'a security group id' }),
    interfaceEndpoints: reader.boolean('interfaceEndpoints', false),
  };
  if (network.subnetIds.length === 0) reader.fail('subnetIds', 'must list at least one private subnet');
  if (network.availabilityZones.length === 0) reader.fail('availabilityZones', 'must list the subnets\' availability zones');
  if (network.availabilityZones.length > 0 && network.subnetIds.length % network.availabilityZones.length !== 0) {
    reader.fail('subnetIds', `must have one subnet per availability zone (${network.availabilityZones.length} zones, ${network.subnetIds.length} subnets)`);
  }
  reader.rejectUnknown();
  return network;
}

function readIndexing(reader: ConfigReader): IndexingSettings {
  const settings = {
    prefix: reader.string('prefix', {
      default: 'cwl',
      pattern: /^[a-z0-9][a-z0-9_-]{0,63}$/,
      hint: '1-64 characters of a-z, 0-9, "_" or "-", starting with a letter or digit',
    }),
    naming: reader.choice('naming', ['per-source', 'per-log-group'] as const, 'per-source') ?? 'per-source',
    bulkMaxBytes: reader.integer('bulkMaxBytes', { default: 5 * 1024 * 1024, min: 1024, max: 100 * 1024 * 1024 }),
    bulkMaxDocuments: reader.integer('bulkMaxDocuments', { default: 1000, min: 1, max: 100_000 }),
    dropParsedMessage: reader.boolean('dropParsedMessage', false),
  };
  reader.rejectUnknown();
  return settings;
}

/**
 * Lambda holds 4 KB of environment variables per function, all of them together; the
 * parsers travel in one of them, beside a dozen short others.
 */
export const MAX_PARSERS_JSON_BYTES = 2500;

/** The user parsers, checked as the functions will check them at start-up. */
function readParsers(root: ConfigReader): readonly UserParserDefinition[] {
  if (!root.has('parsers')) return [];
  const raw = root.raw('parsers');
  if (!Array.isArray(raw)) {
    root.fail('parsers', 'must be a list of parser definitions (docs/user-parsers.md)');
    return [];
  }
  let definitions: UserParserDefinition[];
  try {
    definitions = compileUserParsers({ parsers: raw }).map((parser) => parser.definition);
  } catch (error) {
    if (!(error instanceof UserParserError)) throw error;
    root.fail('parsers', error.message);
    return [];
  }
  const bytes = Buffer.byteLength(parsersVariable(definitions));
  if (bytes > MAX_PARSERS_JSON_BYTES) {
    root.fail('parsers', `take ${bytes} bytes as the PARSERS_JSON variable; Lambda's 4 KB of environment leaves room for ${MAX_PARSERS_JSON_BYTES}`);
  }
  return definitions;
}

/** The PARSERS_JSON value the functions read: the same document a parsers file holds. */
export function parsersVariable(parsers: readonly UserParserDefinition[]): string {
  return JSON.stringify({ parsers });
}

function readRoutes(reader: ConfigReader): RouteSettings {
  const glob = { pattern: /^[^,]+$/, hint: 'a log-group glob without commas' };
  const routes = {
    rdsMysqlSlowquery: reader.strings('rdsMysqlSlowquery', [], glob),
    lambda: reader.strings('lambda', [], glob),
    athenaCloudtrail: reader.strings('athenaCloudtrail', [], glob),
  };
  reader.rejectUnknown();
  return routes;
}

function readShipper(reader: ConfigReader): ShipperSettings {
  const reservedConcurrency = reader.has('reservedConcurrency')
    ? reader.integer('reservedConcurrency', { min: 1, max: 10_000 })
    : undefined;
  const settings = {
    memoryMiB: reader.integer('memoryMiB', { default: 1024, min: 256, max: 10_240 }),
    timeoutSeconds: reader.integer('timeoutSeconds', { default: 180, min: 30, max: 900 }),
    ...(reservedConcurrency !== undefined && { reservedConcurrency }),
    retryAttempts: reader.integer('retryAttempts', { default: 2, min: 0, max: 2 }),
    maxEventAgeHours: reader.integer('maxEventAgeHours', { default: 6, min: 1, max: 6 }),
  };
  reader.rejectUnknown();
  return settings;
}

export function readSubscriptions(reader: ConfigReader, stackName: string): SubscriptionSettings {
  const patterns = reader.object('filterPatterns');
  const filterPatterns = Object.fromEntries(
    SOURCES.map((source) => [source, patterns.string(source, { default: DEFAULT_FILTER_PATTERNS[source], maxLength: MAX_FILTER_PATTERN_LENGTH })]),
  ) as Record<SourceKey, string>;
  patterns.rejectUnknown();
  const kinesisReader = reader.object('kinesis');
  const kinesis: KinesisSettings = {
    shardCount: kinesisReader.integer('shardCount', { default: 1, min: 0, max: 500 }),
    retentionHours: kinesisReader.integer('retentionHours', { default: 24, min: 24, max: 8760 }),
    batchSize: kinesisReader.integer('batchSize', { default: 100, min: 1, max: 10_000 }),
    maxBatchingWindowSeconds: kinesisReader.integer('maxBatchingWindowSeconds', { default: 5, min: 0, max: 300 }),
    parallelizationFactor: kinesisReader.integer('parallelizationFactor', { default: 1, min: 1, max: 10 }),
    retryAttempts: kinesisReader.integer('retryAttempts', { default: 10, min: -1, max: 10_000 }),
    failureRetentionDays: kinesisReader.integer('failureRetentionDays', { default: 30, min: 1, max: 3650 }),
  };
  kinesisReader.rejectUnknown();
  const crossAccount = reader.has('crossAccount') ? readCrossAccount(reader.object('crossAccount')) : undefined;
  const settings = {
    mode: reader.choice('mode', SUBSCRIPTION_MODES, 'filters') ?? 'filters',
    accountPolicyFilterPattern: reader.string('accountPolicyFilterPattern', { default: '', maxLength: MAX_FILTER_PATTERN_LENGTH }),
    subscriberConcurrency: reader.integer('subscriberConcurrency', { default: 2, min: 1, max: 20 }),
    logGroups: reader.strings('logGroups', [], { pattern: LOG_GROUP, hint: 'a log group name' }),
    prefixes: reader.strings('prefixes', [], { pattern: LOG_GROUP_PREFIX, hint: 'a log group name prefix such as /aws/lambda/' }),
    exclude: reader.strings('exclude', [], { pattern: LOG_GROUP, hint: 'a log group name' }),
    // Named after the stack: two stacks in one account and region never share a filter name.
    filterName: reader.string('filterName', { default: defaultFilterName(stackName), pattern: /^[^:*]{1,512}$/, hint: 'a subscription filter name (no ":" or "*")' }),
    filterPatterns,
    subscribeNewLogGroups: reader.boolean('subscribeNewLogGroups', true),
    destination: reader.choice('destination', ['lambda', 'kinesis'] as const, 'lambda') ?? 'lambda',
    kinesis,
    ...(crossAccount && { crossAccount }),
  };
  reader.rejectUnknown();
  return settings;
}

/** The subscription filter name a stack uses unless configured. */
export function defaultFilterName(stackName: string): string {
  return `cwl-opensearch-${stackName}`;
}

function readCrossAccount(reader: ConfigReader): CrossAccountSettings {
  const accountIds = reader.strings('accountIds', [], { pattern: ACCOUNT, hint: 'a 12-digit AWS account id' });
  const organizationId = reader.has('organizationId')
    ? reader.string('organizationId', { pattern: /^o-[a-z0-9]{10,32}$/, hint: 'an AWS Organizations id such as o-a1b2c3d4e5' })
    : undefined;
  if (accountIds.length === 0 && organizationId === undefined) {
    reader.fail('accountIds', 'list the member accounts, or set organizationId, that may send logs to this account');
  }
  reader.rejectUnknown();
  return { accountIds, ...(organizationId !== undefined && { organizationId }) };
}

function readAthena(reader: ConfigReader): AthenaSettings {
  const source = reader.choice('source', ATHENA_SOURCES, 'poller') ?? 'poller';
  const logGroupName =
    source === 'log-group' || reader.has('logGroupName')
      ? reader.string('logGroupName', { pattern: LOG_GROUP, hint: 'the log group your CloudTrail trail delivers to' })
      : undefined;
  const enricherReader = reader.object('enricher');
  const enricherConcurrency = readReservedConcurrency(enricherReader, 'reservedConcurrency');
  const enricher: EnricherSettings = {
    enabled: enricherReader.boolean('enabled', true),
    scheduleMinutes: enricherReader.integer('scheduleMinutes', { default: 15, min: 1, max: 1440 }),
    lookbackHours: enricherReader.integer('lookbackHours', { default: 24, min: 1, max: 24 * 45 }),
    pricePerTbUsd: enricherReader.number('pricePerTbUsd', { default: 5, min: 0, max: 1000 }),
    onQueryStateChange: enricherReader.boolean('onQueryStateChange', false),
    ...(enricherConcurrency !== undefined && { reservedConcurrency: enricherConcurrency }),
  };
  enricherReader.rejectUnknown();
  const pollerConcurrency = readReservedConcurrency(reader, 'pollerReservedConcurrency');
  const settings = {
    source,
    ...(logGroupName !== undefined && { logGroupName }),
    pollerScheduleMinutes: reader.integer('pollerScheduleMinutes', { default: 5, min: 1, max: 1440 }),
    ...(pollerConcurrency !== undefined && { pollerReservedConcurrency: pollerConcurrency }),
    lookbackMinutes: reader.integer('lookbackMinutes', { default: 15, min: 1, max: 24 * 60 * 90 }),
    trailLogRetentionDays: readRetention(reader, 'trailLogRetentionDays'),
    enricher,
  };
  reader.rejectUnknown();
  return settings;
}

/**
 * A scheduled function's reserved concurrency: 1 unless configured; 0 here means no
 * reservation (an account whose concurrency quota leaves nothing to reserve), not Lambda's
 * "never run".
 */
function readReservedConcurrency(reader: ConfigReader, key: string): number | undefined {
  const value = reader.integer(key, { default: 1, min: 0, max: 1000 });
  return value === 0 ? undefined : value;
}

function readRedrive(reader: ConfigReader): RedriveSettings {
  const settings = {
    scheduleMinutes: reader.integer('scheduleMinutes', { default: 60, min: 1, max: 1440 }),
    maxMessages: reader.integer('maxMessages', { default: 1000, min: 1, max: 100_000 }),
    maxReceiveCount: reader.integer('maxReceiveCount', { default: 20, min: 1, max: 1000 }),
  };
  reader.rejectUnknown();
  return settings;
}

function readAlarms(reader: ConfigReader): AlarmSettings {
  const email = reader.has('email')
    ? reader.string('email', { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, hint: 'an e-mail address' })
    : undefined;
  const freeStorageSpaceMiB = reader.has('freeStorageSpaceMiB') ? reader.integer('freeStorageSpaceMiB', { min: 1, max: 10_000_000 }) : undefined;
  const settings = {
    ...(email !== undefined && { email }),
    ...(freeStorageSpaceMiB !== undefined && { freeStorageSpaceMiB }),
  };
  reader.rejectUnknown();
  return settings;
}

function readAssets(reader: ConfigReader, target: OpenSearchTargetConfig | undefined): AssetSettings {
  const serverless = target?.mode === 'serverless';
  const enabled = reader.boolean('enabled', !serverless);
  if (enabled && serverless) {
    reader.fail('enabled', 'must be false for a Serverless collection (it has no ISM, alerting or saved-object import)');
  }
  const settings = {
    enabled,
    tenant: reader.string('tenant', { default: ASSETS_DEFAULTS.tenant, pattern: /^[\w .-]{1,100}$/, hint: 'a Dashboards tenant name' }),
    replicas: readReplicas(reader, target),
    retentionDays: reader.integer('retentionDays', { default: ASSETS_DEFAULTS.retentionDays, min: 1, max: 3650 }),
    deadletterRetentionDays: reader.integer('deadletterRetentionDays', { default: ASSETS_DEFAULTS.deadletterRetentionDays, min: 1, max: 3650 }),
  };
  reader.rejectUnknown();
  return settings;
}

/**
 * A replica is never placed on its primary's node: a new domain of n data nodes holds at most
 * n - 1 replicas, more keep every index yellow (and the ClusterYellow alarm firing). The
 * default follows the domain; an existing domain's node count is unknown here.
 */
function readReplicas(reader: ConfigReader, target: OpenSearchTargetConfig | undefined): number {
  const dataNodes = target?.mode === 'new-domain' && typeof target.dataNodes === 'number' ? target.dataNodes : undefined;
  const fallback = dataNodes === undefined ? ASSETS_DEFAULTS.replicas : Math.min(ASSETS_DEFAULTS.replicas, dataNodes - 1);
  const replicas = reader.integer('replicas', { default: fallback, min: 0, max: 15 });
  if (dataNodes !== undefined && replicas >= dataNodes) {
    reader.fail(
      'replicas',
      `is ${replicas} but opensearch.dataNodes is ${dataNodes}: a replica never shares its primary's node, so the indices would stay yellow; set assets.replicas to at most ${dataNodes - 1} or add data nodes`,
    );
  }
  return replicas;
}

function readAlerts(reader: ConfigReader): AlertSettings {
  const channel = reader.choice('channel', ALERT_CHANNELS, 'none') ?? 'none';
  if (reader.has('webhookUrl')) {
    // A URL here would sit in plain text in the template and the function's configuration.
    reader.fail('webhookUrl', 'is no longer accepted: store the URL as a Secrets Manager secret (plain text) and set alerts.webhookSecretArn');
  }
  const webhookSecretArn =
    channel === 'slack' || channel === 'webhook' || reader.has('webhookSecretArn')
      ? reader.string('webhookSecretArn', { pattern: SECRET_ARN, hint: 'a Secrets Manager secret ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>' })
      : undefined;
  const snsTopicArn = reader.has('snsTopicArn')
    ? reader.string('snsTopicArn', { pattern: SNS_ARN, hint: 'an SNS topic ARN' })
    : undefined;
  const snsRoleArn = reader.has('snsRoleArn')
    ? reader.string('snsRoleArn', { pattern: ROLE_ARN, hint: 'an IAM role ARN that es.amazonaws.com may assume' })
    : undefined;
  if (snsRoleArn !== undefined && snsTopicArn === undefined) {
    reader.fail('snsRoleArn', 'needs snsTopicArn too (without both, the stack uses its alarm topic and its own role)');
  }
  const settings = {
    channel,
    ...(webhookSecretArn !== undefined && { webhookSecretArn }),
    ...(snsTopicArn !== undefined && { snsTopicArn }),
    ...(snsRoleArn !== undefined && { snsRoleArn }),
    scannedBytesPerUserHour: reader.integer('scannedBytesPerUserHour', {
      default: ASSETS_DEFAULTS.scannedBytesPerUserHour,
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
    }),
    slowQueriesPer5m: reader.integer('slowQueriesPer5m', { default: ASSETS_DEFAULTS.slowQueriesPer5m, min: 1, max: 10_000_000 }),
    memoryRatio: reader.number('memoryRatio', { default: ASSETS_DEFAULTS.memoryRatio, min: 0.01, max: 1 }),
    maxEventAgeMinutes: reader.integer('maxEventAgeMinutes', { default: ASSETS_DEFAULTS.maxEventAgeMinutes, min: 6, max: 7 * 24 * 60 }),
    athenaMaxQueryAgeHours: reader.integer('athenaMaxQueryAgeHours', {
      default: ASSETS_DEFAULTS.athenaMaxQueryAgeHours,
      min: 2,
      max: 7 * 24,
    }),
  };
  reader.rejectUnknown();
  return settings;
}

/** Characters of log group names and prefixes that fit a Lambda environment and an event pattern. */
export const MAX_LISTED_CHARACTERS = 1500;

/** Rules that span sections. */
function checkCombinations(
  root: ConfigReader,
  config: {
    opensearch?: OpenSearchTargetConfig;
    network?: NetworkConfig;
    subscriptions: SubscriptionSettings;
    athena: AthenaSettings;
    alerts: AlertSettings;
    shipper: ShipperSettings;
  },
): void {
  const { opensearch, network, subscriptions, athena, alerts } = config;
  const accountPolicy = subscriptions.mode === 'account-policy';
  if (accountPolicy && (subscriptions.logGroups.length > 0 || subscriptions.prefixes.length > 0)) {
    root.fail('subscriptions.mode', '"account-policy" subscribes every log group (minus subscriptions.exclude): leave logGroups and prefixes empty');
  }
  if (subscriptions.crossAccount !== undefined && subscriptions.destination !== 'kinesis') {
    root.fail('subscriptions.crossAccount', 'needs subscriptions.destination "kinesis": a CloudWatch Logs destination delivers to a Kinesis stream');
  }
  if (!accountPolicy && subscriptions.logGroups.length === 0 && subscriptions.prefixes.length === 0 && athena.source === 'none' && subscriptions.crossAccount === undefined) {
    root.fail('subscriptions', 'nothing to ship: list logGroups or prefixes, or set athena.source');
  }
  const listed = [...subscriptions.logGroups, ...subscriptions.prefixes, ...(athena.logGroupName ? [athena.logGroupName] : [])];
  const listedChars = listed.reduce((total, name) => total + name.length + 1, 0);
  if (listedChars > MAX_LISTED_CHARACTERS) {
    // The lists travel in the subscriber's environment (4 KB in all) and in one EventBridge pattern.
    root.fail('subscriptions.logGroups', `names and prefixes take ${listedChars} characters, more than ${MAX_LISTED_CHARACTERS}; subscribe by prefix instead (e.g. "/aws/lambda/")`);
  }
  if (subscriptions.prefixes.some((prefix) => prefix === '/' || prefix === '/aws/')) {
    root.fail('subscriptions.prefixes', 'a prefix as broad as "/" or "/aws/" would subscribe every log group; name the services (/aws/lambda/, /aws/rds/)');
  }
  if (opensearch?.mode === 'new-domain' && network !== undefined && opensearch.zoneAwareness && network.availabilityZones.length < opensearch.availabilityZoneCount) {
    root.fail('network.subnetIds', `a zone-aware domain needs subnets in ${opensearch.availabilityZoneCount} availability zones (opensearch.availabilityZoneCount)`);
  }
  if (alerts.channel !== 'none' && opensearch?.mode === 'serverless') {
    root.fail('alerts.channel', 'OpenSearch Serverless has no alerting plugin; use "none"');
  }
  if (subscriptions.destination === 'kinesis' && subscriptions.kinesis.retryAttempts === 0) {
    root.fail('subscriptions.kinesis.retryAttempts', 'must be at least 1 (or -1): a failed batch is otherwise dropped at once');
  }
}

export function readRetention(reader: ConfigReader, key: string): number {
  const days = reader.integer(key, { default: 30, min: 1, max: 3653 });
  if (!(RETENTION_DAYS as readonly number[]).includes(days)) {
    reader.fail(key, `must be a retention CloudWatch Logs accepts (${RETENTION_DAYS.join(', ')}), got ${days}`);
    return 30;
  }
  return days;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The context key holding the configuration: a path to a JSON file, or the object itself. */
export const CONFIG_CONTEXT_KEY = 'config';

/**
 * Reads the configuration named by the CDK context (`-c config=path/to/config.json`, or
 * `"context": {"config": ...}` in cdk.json, as a path or an inline object).
 */
export function loadConfig<T = DeploymentConfig>(
  contextValue: unknown,
  cwd = process.cwd(),
  parse: (raw: unknown, source: string) => T = parseConfig as (raw: unknown, source: string) => T,
): T {
  if (contextValue === undefined || contextValue === null || contextValue === '') {
    throw new InvalidConfigError('context', [
      `${CONFIG_CONTEXT_KEY}: is required; run "npx cdk synth -c ${CONFIG_CONTEXT_KEY}=path/to/config.json" (start from infra/config.example.json)`,
    ]);
  }
  if (typeof contextValue === 'object') return parse(contextValue, `context "${CONFIG_CONTEXT_KEY}"`);
  if (typeof contextValue !== 'string') {
    throw new InvalidConfigError('context', [`${CONFIG_CONTEXT_KEY}: must be a file path or an object, got ${typeof contextValue}`]);
  }
  // `-c config={...}` arrives as a string: accept inline JSON as well as a path.
  if (contextValue.trimStart().startsWith('{')) return parse(parseJson(contextValue, 'context'), `context "${CONFIG_CONTEXT_KEY}"`);
  const path = resolve(cwd, contextValue);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidConfigError(contextValue, [`${CONFIG_CONTEXT_KEY}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
  return parse(parseJson(text, contextValue), contextValue);
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigError(source, [`(file): not valid JSON (${(error as Error).message})`]);
  }
}
