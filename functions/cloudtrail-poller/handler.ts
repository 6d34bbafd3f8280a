import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { createRegistry } from '../../parsers/registry';
import { createRateLimiter } from '../aws/rate-limiter';
import { loadPipelineConfig } from '../pipeline/config';
import { createOpenSearchSinkFromEnv } from '../sinks/sink-from-env';
import { loadPollerConfig } from './config';
import { assertLookupRouting } from './lookup-events';
import { runPoll, type PollDeps, type PollSummary } from './poll';
import { createLogger, createMetrics } from '../pipeline/powertools';

const SERVICE = 'cwl-opensearch-cloudtrail-poller';
/** Kept back from the invocation's remaining time for the last bulk request and checkpoint. */
const SAFETY_MARGIN_MS = 15_000;

export interface PollerContext {
  getRemainingTimeInMillis(): number;
  readonly invokedFunctionArn?: string;
}

export interface PollerHandlerDeps {
  /** Builds clients and settings once per container; `accountId` comes from the function ARN. */
  readonly createDeps: (accountId: string | undefined) => Omit<PollDeps, 'deadline'>;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** The poller's logic behind the Lambda entry point; tests pass their own clients. */
export function createPollerHandler(options: PollerHandlerDeps) {
  let deps: Omit<PollDeps, 'deadline'> | undefined;
  const logger = options.logger ?? createLogger(SERVICE);

  return async function poll(_event: unknown, context?: PollerContext): Promise<PollSummary> {
    deps ??= options.createDeps(context?.invokedFunctionArn?.split(':')[4]);
    const remaining = context?.getRemainingTimeInMillis();
    const deadline = remaining === undefined ? undefined : Date.now() + Math.max(0, remaining - SAFETY_MARGIN_MS);
    try {
      const summary = await runPoll({ ...deps, ...(deadline !== undefined && { deadline }) });
      publish(options.metrics, summary);
      logger[summary.truncated ? 'warn' : 'info']('CloudTrail poll done', { summary });
      return summary;
    } catch (error) {
      logger.error('CloudTrail poll failed; the checkpoint stays where it was', { error: error as Error });
      throw error;
    }
  };
}

function publish(metrics: Metrics | undefined, summary: PollSummary): void {
  if (metrics === undefined) return;
  metrics.addMetric('LookupEventsRead', MetricUnit.Count, summary.events);
  metrics.addMetric('LookupEventsSkipped', MetricUnit.Count, summary.skipped);
  metrics.addMetric('DocumentsIndexed', MetricUnit.Count, summary.sink.indexed);
  metrics.addMetric('DocumentsDuplicate', MetricUnit.Count, summary.sink.duplicates);
  metrics.addMetric('DocumentsDeadLettered', MetricUnit.Count, summary.sink.deadLettered);
  metrics.addMetric('ParseFailures', MetricUnit.Count, summary.parseFailures);
  metrics.addMetric('PollTruncated', MetricUnit.Count, summary.truncated ? 1 : 0);
  metrics.publishStoredMetrics();
}

/**
 * Lambda entry point, on an EventBridge schedule: ships Athena CloudTrail events read
 * with LookupEvents (for accounts with no trail delivering to CloudWatch Logs).
 */
export const handler = createPollerHandler({
  createDeps: (accountId) => {
    const poller = loadPollerConfig(process.env);
    const config = loadPipelineConfig(process.env);
    const registry = createRegistry(config.routes);
    assertLookupRouting(registry);
    const { client: opensearch, sink } = createOpenSearchSinkFromEnv(process.env, config.indexing);
    return {
      poller,
      config,
      registry,
      opensearch,
      sink,
      // Endpoint and region from the standard configuration (AWS_ENDPOINT_URL_CLOUDTRAIL works).
      cloudtrail: new CloudTrailClient({}),
      limiter: createRateLimiter(poller.callsPerSecond),
      ...(accountId !== undefined && accountId !== '' && { accountId }),
    };
  },
  metrics: createMetrics(SERVICE),
});
