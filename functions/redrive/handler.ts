import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createRegistry } from '../../parsers/registry';
import { ConfigError } from '../pipeline/errors';
import { loadPipelineConfig, readInteger } from '../pipeline/config';
import { createOpenSearchSinkFromEnv } from '../sinks/sink-from-env';
import { MAX_MESSAGES_LIMIT, readMaxMessages } from './options';
import { createShipper } from '../shipper/shipper';
import { createRedrive } from './redrive';
import { createLogger } from '../pipeline/powertools';

/** Time kept back for the last delete and the summary. */
const SAFETY_MARGIN_MS = 15_000;

// Module scope: a bad variable fails the cold start with its name; clients are reused.
const logger = createLogger('cwl-opensearch-redrive');
const pipelineConfig = loadPipelineConfig(process.env);
const queueUrl = process.env.DLQ_URL;
if (!queueUrl) throw new ConfigError('DLQ_URL', 'is required (the shipper on-failure queue URL)');
const defaultMaxMessages = readInteger(process.env, 'REDRIVE_MAX_MESSAGES', 1000, 1, MAX_MESSAGES_LIMIT);
// Set on the Kinesis path: the event source mapping's S3 on-failure destination.
const failureBucket = process.env.FAILURE_BUCKET;
const registry = createRegistry(pipelineConfig.routes, pipelineConfig.userParsers);
const sink = createOpenSearchSinkFromEnv(process.env, pipelineConfig.indexing, {
  onRetry: (retry) => logger.warn('bulk retry', { retry }),
}).sink;
const region = process.env.AWS_REGION;
const run = createRedrive({
  sqs: new SQSClient({}),
  queueUrl,
  registry,
  config: pipelineConfig,
  sink,
  ...(region !== undefined && { region }),
  ...(failureBucket && {
    failures: {
      s3: new S3Client({}),
      bucket: failureBucket,
      ship: createShipper({ registry, config: pipelineConfig, sink, ...(region !== undefined && { region }) }),
    },
  }),
  log: (level, message, details) => logger[level](message, details),
});

/** Scheduled (`{"maxMessages": n}` from the rule) or on demand (`aws lambda invoke ... '{"maxMessages": 50}'`). */
export async function handler(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) {
  const maxMessages = readMaxMessages(event, defaultMaxMessages);
  return run({ maxMessages, deadline: Date.now() + Math.max(0, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS) });
}
