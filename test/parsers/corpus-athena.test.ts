import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseAthenaCloudTrail } from '../../parsers/athena-cloudtrail';
import { createRegistry } from '../../parsers/registry';
import type { ParseContext, ParseResult } from '../../parsers/types';
import { CORPUS_ROOT, describeCorpus } from '../helpers/required-cases';

// Conformance against the shared corpus (public samples, read in place, never copied).

const FOLDER = 'athena-cloudtrail/';
const CORPUS = `${CORPUS_ROOT}${FOLDER}`;

type CloudTrailEvent = Record<string, unknown> & { eventID: string; eventTime: string; eventName: string; awsRegion: string };

const CONTEXT: ParseContext = {
  logGroup: 'aws-cloudtrail-logs-123456789012-0a1b2c3d',
  logStream: '123456789012_CloudTrail_us-east-1',
  timestamp: 0,
};

function read(path: string): unknown {
  return JSON.parse(readFileSync(`${CORPUS}${path}`, 'utf8'));
}

function valueAt(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], object);
}

function fieldsOf(result: ParseResult): Record<string, unknown> {
  expect(result.ok, result.ok ? '' : result.reason).toBe(true);
  return (result.fields ?? {}) as Record<string, unknown>;
}

describeCorpus('corpus athena-cloudtrail/aws-docs', FOLDER, () => {
  const FILES = ['aws-docs/monitor-with-cloudtrail.events.json', 'aws-docs/notebooks-cloudtrail.events.json'];

  it.each(FILES)('%s: every event parses as an Athena event, with its id, time and region', (path) => {
    const events = read(path) as CloudTrailEvent[];
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      // A trail writes compact JSON into CloudWatch Logs.
      const result = parseAthenaCloudTrail(JSON.stringify(event), CONTEXT);
      const fields = fieldsOf(result);
      expect(result.ok && result.belongsTo).toBeUndefined();
      expect(result).toMatchObject({
        id: event.eventID,
        timestamp: new Date(event.eventTime).toISOString(),
        region: event.awsRegion,
      });
      expect(fields.event).toMatchObject({ action: event.eventName, provider: 'athena.amazonaws.com', id: event.eventID });
      expect(valueAt(fields, 'aws.athena.client')).toBeDefined();
    }
  });

  it('monitor-with-cloudtrail: success, error and CreateNamedQuery', () => {
    const [started, failed, named] = (read('aws-docs/monitor-with-cloudtrail.events.json') as CloudTrailEvent[]).map((event) =>
      fieldsOf(parseAthenaCloudTrail(JSON.stringify(event), CONTEXT)),
    );
    expect(started).toMatchObject({
      event: { outcome: 'success' },
      aws: {
        athena: {
          client: 'console',
          query: 'Select 10',
          query_execution_id: 'b621c254-74e0-48e3-9630-78ed857782f9',
          output_location: 's3://athena-johndoe-test/test/',
        },
      },
      user: { name: 'johndoe' },
    });
    // The documentation's example address has an octet above 255: not an address.
    expect(started!.source).toEqual({ domain: '77.88.999.69' });
    expect(failed).toMatchObject({
      event: { outcome: 'failure' },
      aws: { cloudtrail: { error_code: 'InvalidRequestException' } },
    });
    expect(valueAt(failed, 'aws.cloudtrail.response_elements')).toBeUndefined();
    expect(valueAt(failed, 'aws.athena.query_execution_id')).toBeUndefined();
    expect(named).toMatchObject({
      event: { action: 'CreateNamedQuery' },
      aws: { athena: { client: 'aws-cli', database: 'default', query: 'select 10' } },
    });
  });

  it('notebooks: console sessions and the Spark executor role', () => {
    const events = read('aws-docs/notebooks-cloudtrail.events.json') as CloudTrailEvent[];
    const byName = new Map(events.map((event) => [event.eventName, fieldsOf(parseAthenaCloudTrail(JSON.stringify(event), CONTEXT))]));
    expect(byName.get('StartSession')).toMatchObject({
      aws: {
        athena: { client: 'console', work_group: 'notebook-workgroup' },
        cloudtrail: { read_only: false, user_identity: { type: 'AssumedRole', session_name: 'alias' } },
      },
      user: { name: 'Admin' },
      source: { ip: '203.0.113.10' },
    });
    expect(byName.get('StartCalculationExecution')).toMatchObject({
      aws: {
        athena: { client: 'boto3' },
        cloudtrail: {
          user_identity: { session_name: 'AthenaExecutor-9cc1ebb2-aac5-b1ca-8247-5d827bd8232f' },
          request_parameters: { codeBlock: 'HIDDEN_FOR_SECURITY_REASONS' },
        },
      },
      user: { name: 'AWSAthenaSparkExecutionRole-om0yj71w5l' },
    });
    expect(valueAt(byName.get('UpdateNotebook'), 'aws.cloudtrail.response_elements')).toBeUndefined();
  });
});

describeCorpus('corpus athena-cloudtrail/datadog trail delivery', FOLDER, () => {
  interface Batch {
    logGroup: string;
    logStream: string;
    logEvents: { id: string; timestamp: number; message: string }[];
  }
  const batch = () => read('datadog/cloudwatch_log_cloudtrail.json') as Batch;

  it('the trail log group routes to the CloudTrail parser', () => {
    expect(createRegistry().route(batch().logGroup).id).toBe('athena-cloudtrail');
  });

  it('non-Athena events go to generic with the common CloudTrail fields, keyed by eventID, timed by eventTime (not delivery)', () => {
    const { logGroup, logStream, logEvents } = batch();
    expect(logEvents.length).toBeGreaterThan(0);
    for (const logEvent of logEvents) {
      const event = JSON.parse(logEvent.message) as CloudTrailEvent;
      const result = parseAthenaCloudTrail(logEvent.message, { logGroup, logStream, timestamp: logEvent.timestamp });
      // Every expected value comes from the raw event itself (schema.md's common CloudTrail fields).
      expect(result).toMatchObject({
        ok: true,
        belongsTo: 'generic',
        fields: {
          event: { action: event.eventName, id: event.eventID, provider: event.eventSource },
          source: { ip: event.sourceIPAddress },
          user_agent: { original: event.userAgent },
          aws: { cloudtrail: { event_type: event.eventType, request_id: event.requestID, request_parameters: event.requestParameters } },
        },
        id: event.eventID,
        timestamp: new Date(event.eventTime).toISOString(),
        region: event.awsRegion,
      });
      expect(Date.parse(result.ok ? result.timestamp! : '')).toBeLessThan(logEvent.timestamp);
    }
  });
});
