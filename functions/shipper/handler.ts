import type { Context } from 'aws-lambda';
import { createRegistry } from '../../parsers/registry';
import { loadBulkTuning, loadOpenSearchConfig, loadPipelineConfig } from '../pipeline/config';
import { createOpenSearchClient } from '../sinks/opensearch';
import { OpenSearchSink } from '../sinks/opensearch-sink';
import { createShipper } from './shipper';
import { createPowertoolsTelemetry } from './telemetry';

// Module scope: configuration is validated once per container (a bad variable fails the
// cold start with its name), and the client and its connections are reused.
const pipelineConfig = loadPipelineConfig(process.env);
const telemetry = createPowertoolsTelemetry();
const ship = createShipper({
  registry: createRegistry(pipelineConfig.routes),
  config: pipelineConfig,
  sink: new OpenSearchSink(createOpenSearchClient(loadOpenSearchConfig(process.env)), {
    indexing: pipelineConfig.indexing,
    ...loadBulkTuning(process.env),
    onRetry: (retry) => telemetry.logger.warn('bulk retry', { retry }),
  }),
  telemetry,
  ...(process.env.AWS_REGION !== undefined && { region: process.env.AWS_REGION }),
});

/** The subscription Lambda: CloudWatch Logs subscription events, or Kinesis records of them. */
export async function handler(event: unknown, context: Context) {
  telemetry.logger.addContext(context);
  const { response } = await ship(event, context);
  return response;
}
