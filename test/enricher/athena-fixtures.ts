import type { QueryExecution } from '@aws-sdk/client-athena';
import { createRegistry } from '../../parsers/registry';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { processBatch } from '../../functions/pipeline/process';
import type { LogBatch } from '../../functions/pipeline/types';
import { OpenSearchSink } from '../../functions/sinks/opensearch-sink';
import type { OpenSearchClient } from '../../functions/sinks/opensearch';

/** Builders for CloudTrail StartQueryExecution events and Athena QueryExecution replies. */

export const ACCOUNT = '123456789012';
export const TRAIL_LOG_GROUP = `aws-cloudtrail-logs-${ACCOUNT}-c81b5193`;

export interface StartQueryEvent {
  readonly eventId: string;
  readonly queryId: string;
  readonly eventTime: string;
  /** Defaults to CloudTrail's `***OMITTED***`. */
  readonly queryString?: string;
  readonly workGroup?: string;
  readonly database?: string;
}

/** A compact CloudTrail StartQueryExecution event as a trail delivers it to CloudWatch Logs. */
export function startQueryExecutionEvent(event: StartQueryEvent): string {
  return JSON.stringify({
    eventVersion: '1.11',
    userIdentity: {
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLE:alice@example.com',
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Analyst_0123456789abcdef/alice@example.com`,
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLE',
          arn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Analyst_0123456789abcdef`,
          accountId: ACCOUNT,
          userName: 'AWSReservedSSO_Analyst_0123456789abcdef',
        },
        attributes: { creationDate: '2026-11-22T08:00:00Z', mfaAuthenticated: 'false' },
      },
    },
    eventTime: event.eventTime,
    eventSource: 'athena.amazonaws.com',
    eventName: 'StartQueryExecution',
    awsRegion: 'eu-west-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'Boto3/1.34.10 md/Botocore#1.34.10 ua/2.0 os/linux#6.1 lang/python#3.11.6',
    requestParameters: {
      queryString: event.queryString ?? '***OMITTED***',
      clientRequestToken: `token-${event.eventId}`,
      ...(event.database !== undefined && { queryExecutionContext: { database: event.database } }),
      ...(event.workGroup !== undefined && { workGroup: event.workGroup }),
    },
    responseElements: { queryExecutionId: event.queryId },
    requestID: `request-${event.eventId}`,
    eventID: event.eventId,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  });
}

export interface ExecutionSpec {
  readonly id: string;
  readonly state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  readonly query?: string;
  readonly scannedBytes?: number;
  readonly statementType?: 'DDL' | 'DML' | 'UTILITY';
  readonly workGroup?: string;
  readonly reason?: string;
  readonly reused?: boolean;
  readonly submitted?: string;
  readonly completed?: string;
}

/** A QueryExecution as BatchGetQueryExecution returns it. */
export function queryExecution(spec: ExecutionSpec): QueryExecution {
  const final = spec.state === 'SUCCEEDED' || spec.state === 'FAILED' || spec.state === 'CANCELLED';
  return {
    QueryExecutionId: spec.id,
    Query: spec.query ?? `SELECT * FROM sales WHERE id = '${spec.id}'`,
    StatementType: spec.statementType ?? 'DML',
    QueryExecutionContext: { Database: 'analytics', Catalog: 'AwsDataCatalog' },
    WorkGroup: spec.workGroup ?? 'primary',
    Status: {
      State: spec.state,
      SubmissionDateTime: new Date(spec.submitted ?? '2026-11-22T11:50:00.000Z'),
      ...(final && { CompletionDateTime: new Date(spec.completed ?? '2026-11-22T11:51:30.000Z') }),
      ...(spec.reason !== undefined && { StateChangeReason: spec.reason }),
    },
    Statistics: {
      EngineExecutionTimeInMillis: 80_000,
      DataScannedInBytes: spec.scannedBytes ?? 0,
      TotalExecutionTimeInMillis: 90_000,
      QueryQueueTimeInMillis: 1_200,
      QueryPlanningTimeInMillis: 3_400,
      ServiceProcessingTimeInMillis: 8_800,
      ResultReuseInformation: { ReusedPreviousResult: spec.reused ?? false },
    },
  };
}

/** Ships CloudTrail events through the real pipeline (parser, document builder, bulk sink). */
export async function shipTrailEvents(
  client: OpenSearchClient,
  events: readonly { readonly message: string; readonly timestamp: number }[],
): Promise<void> {
  const config = loadPipelineConfig({});
  const batch: LogBatch = {
    messageType: 'DATA_MESSAGE',
    owner: ACCOUNT,
    logGroup: TRAIL_LOG_GROUP,
    logStream: `${ACCOUNT}_CloudTrail_eu-west-1`,
    subscriptionFilters: ['to-opensearch'],
    logEvents: events.map((event, position) => ({
      id: `${String(event.timestamp).padEnd(50, '0')}${String(position).padStart(6, '0')}`,
      timestamp: event.timestamp,
      message: event.message,
    })),
  };
  await processBatch(batch, {
    registry: createRegistry(config.routes),
    config,
    sink: new OpenSearchSink(client, { indexing: config.indexing }),
  });
}
