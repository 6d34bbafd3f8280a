import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** The metrics namespace every function of the pipeline uses unless told otherwise. */
export const METRICS_NAMESPACE = 'CwlOpenSearch';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Powertools gives constructor options precedence over POWERTOOLS_SERVICE_NAME and
 * POWERTOOLS_METRICS_NAMESPACE, so a default is passed only when the variable is unset.
 */
export function createLogger(defaultService: string, env: Env = process.env): Logger {
  return new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME || defaultService });
}

/** Metrics with the same rule for the namespace and the service. */
export function createMetrics(defaultService: string, env: Env = process.env): Metrics {
  return new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE || METRICS_NAMESPACE,
    serviceName: env.POWERTOOLS_SERVICE_NAME || defaultService,
  });
}
