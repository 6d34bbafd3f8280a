import { AthenaClient } from '@aws-sdk/client-athena';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { loadOpenSearchConfig } from '../pipeline/config';
import { createOpenSearchClient } from '../sinks/opensearch';
import { loadEnricherConfig } from './config';
import { runSweep, type SweepDeps, type SweepSummary } from './sweep';
import { describeTrigger, type Trigger } from './trigger';
import { createLogger, createMetrics } from '../pipeline/powertools';

const SERVICE = 'cwl-opensearch-enricher';
/** Kept back from the invocation's remaining time for the last updates to finish. */
const SAFETY_MARGIN_MS = 10_000;

export interface EnricherContext {
  getRemainingTimeInMillis(): number;
}

export interface EnricherResult {
  readonly trigger: Trigger;
  /** Absent when the event was a non-final state change (nothing to do). */
  readonly summary?: SweepSummary;
}

export interface EnricherHandlerDeps {
  /** Builds the sweep's clients and settings once per container. */
  readonly createDeps: () => Omit<SweepDeps, 'deadline'>;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

/** The enricher's logic behind the Lambda entry point; tests pass their own clients. */
export function createEnricherHandler(options: EnricherHandlerDeps) {
  let deps: Omit<SweepDeps, 'deadline'> | undefined;
  const logger = options.logger ?? createLogger(SERVICE);
  const metrics = options.metrics;

  return async function enrich(event: unknown, context?: EnricherContext): Promise<EnricherResult> {
    const trigger = describeTrigger(event);
    if (trigger.kind === 'state-change' && !trigger.final) {
      logger.debug('query state change is not final; nothing to enrich yet', { trigger });
      return { trigger };
    }
    // Lazily, so that a bad variable fails the invocation with its name, not the import.
    deps ??= options.createDeps();
    const remaining = context?.getRemainingTimeInMillis();
    const deadline = remaining === undefined ? undefined : Date.now() + Math.max(0, remaining - SAFETY_MARGIN_MS);
    try {
      const summary = await runSweep({ ...deps, ...(deadline !== undefined && { deadline }) });
      publish(metrics, summary);
      logger.info('enrichment sweep done', { trigger, summary });
      return { trigger, summary };
    } catch (error) {
      const summary = (error as { summary?: SweepSummary }).summary;
      if (summary !== undefined) publish(metrics, summary);
      logger.error('enrichment sweep failed', { trigger, error: error as Error });
      throw error;
    }
  };
}

function publish(metrics: Metrics | undefined, summary: SweepSummary): void {
  if (metrics === undefined) return;
  metrics.addMetric('AthenaPending', MetricUnit.Count, summary.pending);
  metrics.addMetric('AthenaCompleted', MetricUnit.Count, summary.completed);
  metrics.addMetric('AthenaRunning', MetricUnit.Count, summary.running);
  metrics.addMetric('AthenaUnavailable', MetricUnit.Count, summary.unavailable);
  metrics.addMetric('AthenaDeferred', MetricUnit.Count, summary.deferred);
  metrics.addMetric('AthenaUpdateFailures', MetricUnit.Count, summary.failed);
  metrics.addMetric('AthenaApiCalls', MetricUnit.Count, summary.athenaCalls);
  metrics.publishStoredMetrics();
}

/**
 * Lambda entry point: an EventBridge schedule (every few minutes) or an "Athena Query
 * State Change" event. Either way it runs one sweep of recent unfinished queries.
 */
export const handler = createEnricherHandler({
  createDeps: () => {
    const config = loadEnricherConfig(process.env);
    return {
      config,
      opensearch: createOpenSearchClient(loadOpenSearchConfig(process.env), { maxRetries: 2 }),
      // Region and endpoint from the standard configuration (AWS_REGION, AWS_ENDPOINT_URL_ATHENA).
      athena: new AthenaClient({}),
    };
  },
  metrics: createMetrics(SERVICE),
});
