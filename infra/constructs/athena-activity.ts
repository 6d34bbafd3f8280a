import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { AthenaSettings } from '../config';
import { PipelineFunction, type FunctionNetwork } from './pipeline-function';

export interface AthenaActivityProps {
  readonly settings: AthenaSettings;
  /** Name of the trail's log group (known in advance so the shipper can route it). */
  readonly trailLogGroupName: string;
  /** The pipeline variables (endpoint, auth, index naming) the poller and enricher share. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: logs.RetentionDays;
  /** @default - no VPC */
  readonly network?: FunctionNetwork;
}

/**
 * Where Athena's CloudTrail events come from: a trail of this stack delivering to a log
 * group (subscribed like any other), an existing trail's log group, or the LookupEvents
 * poller on a schedule; plus the enricher that adds query statistics.
 */
export class AthenaActivity extends Construct {
  /** The trail's log group, when the stack creates the trail. */
  readonly trailLogGroup?: logs.LogGroup;
  /** An existing trail's log group to subscribe by name. */
  readonly existingLogGroupName?: string;
  readonly poller?: PipelineFunction;
  readonly enricher?: PipelineFunction;
  /** The rules that run the poller and the enricher. */
  readonly triggers: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: AthenaActivityProps) {
    super(scope, id);
    const { settings } = props;
    if (settings.source === 'trail') this.trailLogGroup = this.createTrail(settings, props.trailLogGroupName);
    if (settings.source === 'log-group') this.existingLogGroupName = settings.logGroupName;
    if (settings.source === 'poller') this.poller = this.createPoller(props);
    if (settings.source !== 'none' && settings.enricher.enabled) this.enricher = this.createEnricher(props);
  }

  /** The functions that write to OpenSearch. */
  get writers(): PipelineFunction[] {
    return [this.poller, this.enricher].filter((fn): fn is PipelineFunction => fn !== undefined);
  }

  private createTrail(settings: AthenaSettings, logGroupName: string): logs.LogGroup {
    const logGroup = new logs.LogGroup(this, 'TrailLogs', {
      logGroupName,
      retention: settings.trailLogRetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const bucket = new s3.Bucket(this, 'TrailBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ expiration: Duration.days(settings.trailLogRetentionDays) }],
      // An audit record: deleting the stack leaves it for a person to remove.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The bucket only receives CloudTrail\'s own delivery files (an audit log already); access logging it would add a second bucket for no reader.',
    });
    new cloudtrail.Trail(this, 'Trail', {
      bucket,
      sendToCloudWatchLogs: true,
      cloudWatchLogGroup: logGroup,
      // Athena is regional; IAM and other global events are not needed here.
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
      managementEvents: cloudtrail.ReadWriteType.ALL,
      enableFileValidation: true,
    });
    return logGroup;
  }

  private createPoller(props: AthenaActivityProps): PipelineFunction {
    const { settings } = props;
    const poller = new PipelineFunction(this, 'Poller', {
      entry: 'functions/cloudtrail-poller/handler.ts',
      roleName: 'cloudtrail-poller',
      description: 'Reads Athena events with CloudTrail LookupEvents and ships them to OpenSearch',
      memorySize: 512,
      timeout: Duration.minutes(5),
      environment: {
        ...props.environment,
        CLOUDTRAIL_LOOKBACK_MINUTES: String(settings.lookbackMinutes),
        POWERTOOLS_SERVICE_NAME: 'cloudtrail-poller',
      },
      logRetention: props.logRetention,
      // Two runs at once would race on the checkpoint document.
      ...(settings.pollerReservedConcurrency !== undefined && { reservedConcurrentExecutions: settings.pollerReservedConcurrency }),
      ...(props.network && { network: props.network }),
    });
    dropWhenOverdue(poller, settings.pollerScheduleMinutes);
    poller.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudtrail:LookupEvents'], resources: ['*'] }));
    Validations.of(poller.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'cloudtrail:LookupEvents supports no resource-level permissions; the poller reads nothing else on "*" (in a VPC the network-interface actions are acknowledged on their own).',
    });
    const schedule = new events.Rule(this, 'PollerSchedule', {
      description: 'Runs the CloudTrail LookupEvents poller',
      schedule: events.Schedule.rate(Duration.minutes(settings.pollerScheduleMinutes)),
      targets: [new targets.LambdaFunction(poller.function, { retryAttempts: 0 })],
    });
    this.triggers.push(schedule);
    return poller;
  }

  private createEnricher(props: AthenaActivityProps): PipelineFunction {
    const settings = props.settings.enricher;
    const enricher = new PipelineFunction(this, 'Enricher', {
      entry: 'functions/enricher/handler.ts',
      roleName: 'enricher',
      description: 'Adds Athena query statistics to the shipped CloudTrail events',
      memorySize: 512,
      timeout: Duration.minutes(5),
      environment: {
        ...props.environment,
        ATHENA_PRICE_PER_TB_USD: String(settings.pricePerTbUsd),
        ENRICH_LOOKBACK_HOURS: String(settings.lookbackHours),
        POWERTOOLS_SERVICE_NAME: 'enricher',
      },
      logRetention: props.logRetention,
      // Every run sweeps all pending queries: runs side by side only repeat each other.
      ...(settings.reservedConcurrency !== undefined && { reservedConcurrentExecutions: settings.reservedConcurrency }),
      ...(props.network && { network: props.network }),
    });
    dropWhenOverdue(enricher, settings.scheduleMinutes);
    const workgroups = `arn:${Aws.PARTITION}:athena:${Aws.REGION}:${Aws.ACCOUNT_ID}:workgroup/*`;
    enricher.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['athena:BatchGetQueryExecution'],
        resources: [workgroups],
      }),
    );
    Validations.of(enricher.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:athena:<AWS::Region>:<AWS::AccountId>:workgroup/*]',
      reason: 'Queries of every workgroup are enriched, and workgroups are created independently of this stack; the actions are read-only.',
    });
    const target = new targets.LambdaFunction(enricher.function, { retryAttempts: 0 });
    this.triggers.push(
      new events.Rule(this, 'EnricherSchedule', {
        description: 'Runs the Athena enricher',
        schedule: events.Schedule.rate(Duration.minutes(settings.scheduleMinutes)),
        targets: [target],
      }),
    );
    if (settings.onQueryStateChange) {
      const stateChange = new events.Rule(this, 'QueryStateChange', {
        description: 'Runs the Athena enricher when a query finishes',
        eventPattern: {
          source: ['aws.athena'],
          detailType: ['Athena Query State Change'],
          detail: { currentState: ['SUCCEEDED', 'FAILED', 'CANCELLED'] },
        },
        targets: [target],
      });
      this.triggers.push(stateChange);
    }
    return enricher;
  }
}

/**
 * A run throttled by the reserved concurrency is retried by Lambda for up to six hours by
 * default; the next scheduled run does the same work, so an event older than one period is dropped.
 */
function dropWhenOverdue(fn: PipelineFunction, scheduleMinutes: number): void {
  fn.function.configureAsyncInvoke({ maxEventAge: Duration.minutes(Math.min(scheduleMinutes, 360)) });
}
