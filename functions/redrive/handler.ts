import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createRegistry } from '../../parsers/registry';
import { ConfigError } from '../pipeline/errors';
import { loadPipelineConfig, readInteger } from '../pipeline/config';
import { createOpenSearchSinkFromEnv } from '../sinks/sink-from-env';
import { MAX_MESSAGES_LIMIT, readMaxMessages } from './options';
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
const run = createRedrive({
  sqs: new SQSClient({}),
  queueUrl,
  registry: createRegistry(pipelineConfig.routes, pipelineConfig.userParsers),
  config: pipelineConfig,
  sink: createOpenSearchSinkFromEnv(process.env, pipelineConfig.indexing, {
    onRetry: (retry) => logger.warn('bulk retry', { retry }),
  }).sink,
  ...(process.env.AWS_REGION !== undefined && { region: process.env.AWS_REGION }),
  log: (level, message, details) => logger[level](message, details),
});

/** Scheduled (`{"maxMessages": n}` from the rule) or on demand (`aws lambda invoke ... '{"maxMessages": 50}'`). */
export async function handler(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) {
  const maxMessages = readMaxMessages(event, defaultMaxMessages);
  return run({ maxMessages, deadline: Date.now() + Math.max(0, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS) });
}
