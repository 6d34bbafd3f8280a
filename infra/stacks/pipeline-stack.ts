import { Aws, CfnOutput, Duration, Fn, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct, IDependable } from 'constructs';
import { parsersVariable, type AlertSettings, type DeploymentConfig, type RouteSettings } from '../config';
import { AthenaActivity } from '../constructs/athena-activity';
import { DashboardAssets } from '../constructs/dashboard-assets';
import { WEBHOOK_SECRET_VARIABLE } from '../../functions/assets/webhook-secret';
import { CrossAccountDestination } from '../constructs/cross-account-destination';
import { DeadLetterQueues } from '../constructs/dead-letter';
import { LogSubscriptions } from '../constructs/log-subscriptions';
import { PipelineNetwork, type EndpointService } from '../constructs/network';
import { NewDomainBackend } from '../constructs/new-domain';
import { ExistingDomainBackend, ServerlessBackend, type OpenSearchBackend } from '../constructs/opensearch-backend';
import { PipelineAlarms } from '../constructs/pipeline-alarms';
import type { PipelineFunction } from '../constructs/pipeline-function';
import { Redrive, REDRIVE_TIMEOUT } from '../constructs/redrive';
import { Shipper } from '../constructs/shipper';

export interface PipelineStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** Powertools metrics namespace of every function. */
export const METRICS_NAMESPACE = 'CwlOpenSearch';

/**
 * The whole pipeline in one stack: OpenSearch backend, shipper, subscriptions, Athena
 * sources and enrichment, dead-letter handling, alarms and the dashboards assets.
 */
export class PipelineStack extends Stack {
  readonly backend: OpenSearchBackend;
  readonly shipper: Shipper;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    Tags.of(this).add('project', 'cwl-opensearch');
    const logRetention = config.logRetentionDays as logs.RetentionDays;
    const network = config.network ? new PipelineNetwork(this, 'Network', { config: config.network }) : undefined;
    const functionNetwork = network?.functionNetwork;
    const indexPattern = `${config.indexing.prefix}-*`;

    this.backend = this.createBackend(config, network, indexPattern, logRetention);
    const trailLogGroupName = `/aws/cloudtrail/${config.stackName}/athena`;
    const athenaGroups = [
      ...(config.athena.source === 'trail' ? [trailLogGroupName] : []),
      ...(config.athena.logGroupName !== undefined ? [config.athena.logGroupName] : []),
    ];
    const routeEnvironment = routeVariables(config.routes, athenaGroups);
    const backendEnvironment = {
      OPENSEARCH_ENDPOINT: this.backend.endpoint,
      OPENSEARCH_AUTH: this.backend.auth,
      INDEX_PREFIX: config.indexing.prefix,
      // The shipper and redrive parse with them; the assets function makes their templates.
      ...(config.parsers.length > 0 && { PARSERS_JSON: parsersVariable(config.parsers) }),
    };
    const pipelineEnvironment = {
      ...backendEnvironment,
      INDEX_NAMING: config.indexing.naming,
      BULK_MAX_BYTES: String(config.indexing.bulkMaxBytes),
      BULK_MAX_DOCUMENTS: String(config.indexing.bulkMaxDocuments),
      DROP_PARSED_MESSAGE: String(config.indexing.dropParsedMessage === true),
      ...routeEnvironment,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };

    const kinesis = config.subscriptions.destination === 'kinesis';
    const queues = new DeadLetterQueues(this, 'DeadLetter', {
      maxReceiveCount: config.redrive.maxReceiveCount,
      visibilityTimeout: REDRIVE_TIMEOUT.plus(Duration.minutes(2)),
    });
    this.shipper = new Shipper(this, 'Shipper', {
      settings: config.shipper,
      environment: { ...pipelineEnvironment, POWERTOOLS_SERVICE_NAME: 'shipper' },
      queues,
      logRetention,
      ...(kinesis && { kinesis: config.subscriptions.kinesis }),
      ...(functionNetwork && { network: functionNetwork }),
    });
    const athena = new AthenaActivity(this, 'Athena', {
      settings: config.athena,
      trailLogGroupName,
      environment: pipelineEnvironment,
      logRetention,
      ...(functionNetwork && { network: functionNetwork }),
    });
    const subscriptions = new LogSubscriptions(this, 'Subscriptions', {
      settings: config.subscriptions,
      destination: this.shipper.destination,
      ...(athena.existingLogGroupName !== undefined && { extraLogGroups: [athena.existingLogGroupName] }),
      ...(athena.trailLogGroup && { ownedLogGroups: [{ logGroup: athena.trailLogGroup, source: 'athenaCloudtrail' as const }] }),
      routeEnvironment,
      logRetention,
    });
    const redrive = new Redrive(this, 'Redrive', {
      settings: config.redrive,
      queue: queues.onFailure,
      ...(this.shipper.failures && { failures: this.shipper.failures }),
      environment: pipelineEnvironment,
      logRetention,
      ...(functionNetwork && { network: functionNetwork }),
    });

    const central =
      config.subscriptions.crossAccount && this.shipper.stream
        ? new CrossAccountDestination(this, 'CrossAccount', {
            destinationName: `${config.stackName}-logs`,
            stream: this.shipper.stream,
            settings: config.subscriptions.crossAccount,
          })
        : undefined;
    if (central) {
      new CfnOutput(this, 'DestinationArn', { value: central.arn, description: 'CloudWatch Logs destination for the member stacks (destinationArn)' });
    }

    const endpoints = network && config.network?.interfaceEndpoints ? network.addInterfaceEndpoints(endpointServices(athena, kinesis)) : [];

    const alarms = new PipelineAlarms(this, 'Alarms', config.alarms.email !== undefined ? { email: config.alarms.email } : {});
    const writers = [this.shipper.handler, redrive.handler, ...athena.writers];
    for (const writer of writers) this.backend.grantWrite(writer.role);

    const admins: iam.Role[] = [];
    let assets: DashboardAssets | undefined;
    if (config.assets.enabled) {
      const alertEnvironment = this.alertVariables(config.alerts, alarms);
      assets = new DashboardAssets(this, 'Assets', {
        environment: {
          ...backendEnvironment,
          DASHBOARDS_URL: this.backend.dashboardsUrl,
          DASHBOARDS_TENANT: config.assets.tenant,
          INDEX_REPLICAS: String(config.assets.replicas),
          RETENTION_DAYS: String(config.assets.retentionDays),
          DEADLETTER_RETENTION_DAYS: String(config.assets.deadletterRetentionDays),
          ...alertEnvironment.variables,
        },
        logRetention,
        ...(this.backend.adminRole && { role: this.backend.adminRole }),
        ...(functionNetwork && { network: functionNetwork }),
      });
      if (assets.handler.role !== this.backend.adminRole) this.backend.grantAdmin(assets.handler.role);
      if (alertEnvironment.secretArn !== undefined) {
        assets.handler.role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [alertEnvironment.secretArn] }),
        );
      }
      if (alertEnvironment.passRole !== undefined) {
        assets.handler.role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [alertEnvironment.passRole] }),
        );
      }
      admins.push(assets.handler.role);
    }
    const authorized = this.backend.authorize(
      writers.map((writer) => writer.role),
      admins,
    );
    this.orderWriters({
      openSearchReady: [...authorized, ...(assets ? [assets.resource] : [])],
      endpoints,
      shipperTriggers: [...subscriptions.triggers, ...(this.shipper.eventSourceMapping ? [this.shipper.eventSourceMapping] : [])],
      scheduledTriggers: [...athena.triggers, redrive.schedule],
    });

    this.addAlarms(alarms, config, { queues, redrive, athena, subscriptions, kinesis });
    this.addOutputs({ queues, alarms, redrive, writers, assets, network });
  }

  /**
   * Nothing writes before the index templates, ISM policies and role mappings are in place:
   * an index created first keeps dynamic mappings and no ISM policy for that day. The
   * scheduled functions also wait for the interface endpoints they call through.
   */
  private orderWriters(parts: {
    openSearchReady: readonly IDependable[];
    endpoints: readonly IDependable[];
    shipperTriggers: readonly IConstruct[];
    scheduledTriggers: readonly IConstruct[];
  }): void {
    for (const trigger of [...parts.shipperTriggers, ...parts.scheduledTriggers]) trigger.node.addDependency(...parts.openSearchReady);
    for (const trigger of parts.scheduledTriggers) trigger.node.addDependency(...parts.endpoints);
  }

  private createBackend(
    config: DeploymentConfig,
    network: PipelineNetwork | undefined,
    indexPattern: string,
    logRetention: logs.RetentionDays,
  ): OpenSearchBackend {
    const target = config.opensearch;
    // Names unique per account and region, for resources that need one.
    const resourcePrefix = config.stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 24);
    switch (target.mode) {
      case 'existing-domain':
        return new ExistingDomainBackend(this, 'OpenSearch', target);
      case 'serverless':
        return new ServerlessBackend(this, 'OpenSearch', {
          config: target,
          indexPattern,
          policyName: `${resourcePrefix}-data`.replace(/^[^a-z]/, 'c'),
        });
      case 'new-domain':
        return new NewDomainBackend(this, 'OpenSearch', {
          config: target,
          indexPattern,
          resourcePrefix,
          defaultDomainName: defaultDomainName(config.stackName),
          logRetention,
          ...(network && { network }),
        });
    }
  }

  /** The assets function's alert variables, and the role OpenSearch publishes to SNS with. */
  private alertVariables(alerts: AlertSettings, alarms: PipelineAlarms): { variables: Record<string, string>; passRole?: string; secretArn?: string } {
    const variables: Record<string, string> = {
      ALERT_CHANNEL: alerts.channel,
      ALERT_SCANNED_BYTES_PER_USER_HOUR: String(alerts.scannedBytesPerUserHour),
      ALERT_SLOW_QUERIES_PER_5M: String(alerts.slowQueriesPer5m),
      ALERT_MEMORY_RATIO: String(alerts.memoryRatio),
      ALERT_MAX_EVENT_AGE_MINUTES: String(alerts.maxEventAgeMinutes),
      ALERT_ATHENA_MAX_QUERY_AGE_HOURS: String(alerts.athenaMaxQueryAgeHours),
    };
    if ((alerts.channel === 'slack' || alerts.channel === 'webhook') && alerts.webhookSecretArn !== undefined) {
      // The ARN, not the URL: the function reads the secret at run time.
      variables[WEBHOOK_SECRET_VARIABLE] = alerts.webhookSecretArn;
      return { variables, secretArn: alerts.webhookSecretArn };
    }
    if (alerts.channel !== 'sns') return { variables };

    const topicArn = alerts.snsTopicArn ?? alarms.topic.topicArn;
    let roleArn = alerts.snsRoleArn;
    if (roleArn === undefined) {
      // Only this account's domain may assume it (no confused deputy through OpenSearch).
      const domainName = this.backend.metrics?.domainName ?? '*';
      const role = new iam.Role(this, 'AlertingSnsRole', {
        assumedBy: new iam.PrincipalWithConditions(new iam.ServicePrincipal('es.amazonaws.com'), {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:es:${Aws.REGION}:${Aws.ACCOUNT_ID}:domain/${domainName}` },
        }),
        description: 'OpenSearch alerting publishes notifications to SNS',
      });
      if (alerts.snsTopicArn === undefined) {
        alarms.topic.grantPublish(role);
        Validations.of(role).acknowledge({
          id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          reason: 'Publishing to the encrypted alarm topic needs data keys of its one KMS key (the resource is that key).',
        });
      } else role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topicArn] }));
      roleArn = role.roleArn;
    }
    variables.ALERT_SNS_TOPIC_ARN = topicArn;
    variables.ALERT_SNS_ROLE_ARN = roleArn;
    return { variables, passRole: roleArn };
  }

  private addAlarms(
    alarms: PipelineAlarms,
    config: DeploymentConfig,
    parts: {
      queues: DeadLetterQueues;
      redrive: Redrive;
      athena: AthenaActivity;
      subscriptions: LogSubscriptions;
      kinesis: boolean;
    },
  ): void {
    const { queues, redrive, athena, subscriptions, kinesis } = parts;
    alarms.queueNotEmpty('DeadLetterQueue', queues.onFailure, 'Shipper invocations failed; the redrive replays them');
    alarms.queueNotEmpty('LastResortQueue', queues.lastResort, 'Failed events the redrive could not replay');
    alarms.functionHealth('Shipper', this.shipper.function, { throttles: true, asynchronous: !kinesis });
    if (!kinesis) alarms.asyncEventAge('ShipperAsyncEventAge', this.shipper.function, Duration.minutes(30));
    if (this.shipper.eventSourceMapping) {
      alarms.kinesisFailures('KinesisFailures', this.shipper.function, this.shipper.eventSourceMapping);
      alarms.iteratorAge('ShipperIteratorAge', this.shipper.function, Duration.minutes(15));
    }
    if (this.shipper.stream) alarms.streamWriteThrottles('StreamWriteThrottles', this.shipper.stream);
    alarms.functionHealth('Redrive', redrive.handler.function);
    if (subscriptions.subscriber) {
      alarms.functionHealth('Subscriber', subscriptions.subscriber.function, { throttles: false });
      alarms.asyncEventAge('SubscriberAsyncEventAge', subscriptions.subscriber.function, Duration.hours(1));
    }
    if (config.subscriptions.mode === 'filters') alarms.subscriptionDelivery(config.subscriptions.filterName);
    if (athena.poller) alarms.functionHealth('CloudTrailPoller', athena.poller.function);
    if (athena.enricher) alarms.functionHealth('Enricher', athena.enricher.function);
    if (this.backend.metrics) alarms.domainHealth({ ...this.backend.metrics, ...domainAlarmSizing(config) });
  }

  private addOutputs(parts: {
    queues: DeadLetterQueues;
    alarms: PipelineAlarms;
    redrive: Redrive;
    writers: PipelineFunction[];
    assets?: DashboardAssets;
    network?: PipelineNetwork;
  }): void {
    const { queues, alarms, redrive, writers, assets, network } = parts;
    new CfnOutput(this, 'DashboardsUrl', { value: this.backend.dashboardsUrl, description: 'OpenSearch Dashboards' });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: queues.onFailure.queueUrl, description: 'Failed shipper invocations (replayed by the redrive)' });
    new CfnOutput(this, 'LastResortQueueUrl', { value: queues.lastResort.queueUrl, description: 'Failed events the redrive could not replay' });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topic.topicArn, description: 'Alarms (subscribe to it)' });
    new CfnOutput(this, 'RedriveFunctionName', { value: redrive.handler.function.functionName, description: 'Invoke with {"maxMessages": n} to replay on demand' });
    new CfnOutput(this, 'WriterRoleArns', {
      value: Fn.join(',', writers.map((writer) => writer.role.roleArn)),
      description: 'IAM roles that write documents: map them in OpenSearch (existing domains)',
    });
    if (assets) new CfnOutput(this, 'AssetsRoleArn', { value: assets.handler.role.roleArn, description: 'IAM role that applies the dashboards assets' });
    if (this.shipper.stream) new CfnOutput(this, 'StreamName', { value: this.shipper.stream.streamName });
    if (this.shipper.failures) {
      new CfnOutput(this, 'KinesisFailureBucketName', {
        value: this.shipper.failures.bucket.bucketName,
        description: 'Kinesis batches the shipper gave up on, with their data (replayed by the redrive)',
      });
    }
    if (network) new CfnOutput(this, 'ClientSecurityGroupId', { value: network.clientSecurityGroup.securityGroupId, description: 'Allow it on 443 in an existing VPC domain' });
  }
}

/** AWS suggests a FreeStorageSpace alarm at 25% of each node's storage. */
export const FREE_STORAGE_SHARE = 0.25;
/** The threshold AWS's table shows, for a domain whose volume the stack does not know. */
export const DEFAULT_FREE_STORAGE_MIB = 20_480;

/** What the domain alarms need to know of the domain's size. */
export function domainAlarmSizing(config: DeploymentConfig): { freeStorageSpaceMiB: number; nodes?: number; dedicatedMasters: boolean } {
  const target = config.opensearch;
  if (target.mode !== 'new-domain') {
    return { freeStorageSpaceMiB: config.alarms.freeStorageSpaceMiB ?? DEFAULT_FREE_STORAGE_MIB, dedicatedMasters: false };
  }
  return {
    freeStorageSpaceMiB: config.alarms.freeStorageSpaceMiB ?? Math.floor(target.volumeSizeGiB * 1024 * FREE_STORAGE_SHARE),
    nodes: target.dataNodes + target.dedicatedMasterNodes,
    dedicatedMasters: target.dedicatedMasterNodes > 0,
  };
}

/**
 * A new domain's name from the stack name: 3-28 characters of a-z, 0-9 and "-", starting
 * with a letter; a name too short (a 1-2 letter stack) gets "-logs" added.
 */
export function defaultDomainName(stackName: string): string {
  const base = stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^[^a-z]+/, '').slice(0, 28).replace(/-+$/, '');
  if (base.length >= 3) return base;
  return base === '' ? 'cwl-opensearch' : `${base}-logs`;
}

/**
 * The APIs the VPC functions call: SQS (the redrive, always there), S3 (the redrive, on the
 * Kinesis path), Athena and CloudTrail when their function exists.
 */
export function endpointServices(athena: AthenaActivity, kinesis = false): EndpointService[] {
  return [
    'sqs',
    ...(kinesis ? (['s3'] as const) : []),
    ...(athena.enricher ? (['athena'] as const) : []),
    ...(athena.poller ? (['cloudtrail'] as const) : []),
  ];
}

/** The shipper's `ROUTE_*` variables: configured globs plus the Athena trail log groups. */
export function routeVariables(routes: RouteSettings, athenaLogGroups: readonly string[]): Record<string, string> {
  const variables: Record<string, string> = {};
  const set = (name: string, values: readonly string[]) => {
    if (values.length > 0) variables[name] = values.join(',');
  };
  set('ROUTE_RDS_MYSQL_SLOWQUERY', routes.rdsMysqlSlowquery);
  set('ROUTE_LAMBDA', routes.lambda);
  set('ROUTE_ATHENA_CLOUDTRAIL', [...routes.athenaCloudtrail, ...athenaLogGroups]);
  return variables;
}
