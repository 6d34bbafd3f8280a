import type { Context } from 'aws-lambda';
import { createRegistry } from '../../parsers/registry';
import { loadPipelineConfig } from '../pipeline/config';
import { createOpenSearchSinkFromEnv } from '../sinks/sink-from-env';
import { createShipper } from './shipper';
import { createPowertoolsTelemetry } from './telemetry';

// Module scope: configuration is validated once per container (a bad variable fails the
// cold start with its name), and the client and its connections are reused.
const pipelineConfig = loadPipelineConfig(process.env);
const telemetry = createPowertoolsTelemetry();
const ship = createShipper({
  registry: createRegistry(pipelineConfig.routes, pipelineConfig.userParsers),
  config: pipelineConfig,
  sink: createOpenSearchSinkFromEnv(process.env, pipelineConfig.indexing, {
    onRetry: (retry) => telemetry.logger.warn('bulk retry', { retry }),
  }).sink,
  telemetry,
  ...(process.env.AWS_REGION !== undefined && { region: process.env.AWS_REGION }),
});

/** The subscription Lambda: CloudWatch Logs subscription events, or Kinesis records of them. */
export async function handler(event: unknown, context: Context) {
  telemetry.logger.addContext(context);
  const { response } = await ship(event, context);
  return response;
}
