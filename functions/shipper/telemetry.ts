import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ClusterBlockedError, SinkError } from '../pipeline/errors';
import { createLogger, createMetrics } from '../pipeline/powertools';
import type { Telemetry } from './shipper';
import type { InvocationSummary } from './summary';

const SERVICE = 'cwl-opensearch-shipper';

/**
 * Structured logs and EMF metrics per invocation, with Powertools for AWS Lambda
 * (POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE win over the defaults).
 */
export function createPowertoolsTelemetry(
  env: Readonly<Record<string, string | undefined>> = process.env,
  logger = createLogger(SERVICE, env),
  metrics = createMetrics(SERVICE, env),
): Telemetry & { readonly logger: Logger } {
  function publish(summary: InvocationSummary): void {
    metrics.addMetric('DocumentsReceived', MetricUnit.Count, summary.received);
    metrics.addMetric('DocumentsIndexed', MetricUnit.Count, summary.sink.indexed);
    metrics.addMetric('DocumentsDuplicate', MetricUnit.Count, summary.sink.duplicates);
    metrics.addMetric('DocumentsRetried', MetricUnit.Count, summary.sink.retried);
    metrics.addMetric('DocumentsDeadLettered', MetricUnit.Count, summary.sink.deadLettered);
    metrics.addMetric('ParseFailures', MetricUnit.Count, summary.parseFailures);
    metrics.addMetric('FailedRecords', MetricUnit.Count, summary.failedRecords);
    metrics.addMetric('UndecodableRecords', MetricUnit.Count, summary.undecodableRecords);
    metrics.publishStoredMetrics();
    // Per-dataset figures carry their own dimension, so they go out as separate EMF blobs.
    for (const [dataset, counts] of Object.entries(summary.byDataset)) {
      const single = metrics.singleMetric();
      single.addDimension('dataset', dataset);
      single.addMetric('DatasetDocuments', MetricUnit.Count, counts.documents);
      const failures = metrics.singleMetric();
      failures.addDimension('dataset', dataset);
      failures.addMetric('DatasetParseFailures', MetricUnit.Count, counts.parseFailures);
    }
  }

  return {
    logger,
    succeeded(summary) {
      publish(summary);
      const level = summary.failedRecords + summary.undecodableRecords + summary.sink.deadLettered > 0 ? 'warn' : 'info';
      logger[level]('invocation done', { summary });
    },
    failed(error, summary) {
      publish(summary);
      if (error instanceof ClusterBlockedError) {
        // Disk full or a read-only index: retrying will not help until a person acts.
        metrics.singleMetric().addMetric('ClusterBlocked', MetricUnit.Count, 1);
        logger.error('cluster refuses writes (cluster_block_exception); failing fast', { error, summary });
        return;
      }
      logger.error(error instanceof SinkError ? 'documents left unindexed; failing so Lambda retries' : 'invocation failed', {
        error: error as Error,
        summary,
      });
    },
  };
}
