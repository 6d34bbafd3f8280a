import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { applyAssets } from './apply';
import { loadAssetsConfig, type AssetsConfig } from './config';
import { AssetsApplyError } from './errors';
import { summarizeReport } from './report';
import type { DomainWaitOptions } from './wait-for-domain';
import { withWebhookSecret } from './webhook-secret';
import { createLogger } from '../pipeline/powertools';

/** The custom resource's fixed physical id: one set of assets per stack, never replaced. */
export const PHYSICAL_RESOURCE_ID = 'cwl-opensearch-assets';

/** What the CDK `Provider` framework expects back from `onEvent`. */
export interface AssetsResourceResponse {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly summary: string };
}

const logger = createLogger('cwl-opensearch-assets');

/** Invocation time kept for applying the assets after waiting for the domain (the function has 10 minutes). */
export const APPLY_BUDGET_MS = 4 * 60_000;

/**
 * `onEvent` of the assets custom resource (CDK `Provider`). Create and Update apply every
 * asset exactly as `cwl-opensearch assets apply` does and fail the deployment when one
 * failed; Delete keeps everything (templates and dashboards outlive the stack, and the
 * indices they govern hold data).
 */
export function createAssetsHandler(deps: { readonly sleep?: (ms: number) => Promise<void> } = {}) {
  return async function handler(
    event: CloudFormationCustomResourceEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<AssetsResourceResponse> {
    if (event.RequestType === 'Delete') {
      logger.info('delete: OpenSearch assets are kept');
      return { PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { summary: 'kept (delete is a no-op)' } };
    }
    const env = await withWebhookSecret(process.env, () => new SecretsManagerClient({}));
    // A domain this deployment just created may not answer at once: wait for it, keeping
    // APPLY_BUDGET_MS of the invocation for the assets themselves.
    const waitForDomain =
      context === undefined
        ? undefined
        : {
            deadline: Date.now() + Math.max(0, context.getRemainingTimeInMillis() - APPLY_BUDGET_MS),
            onWait: (details: Record<string, unknown>) => logger.warn('OpenSearch does not answer yet; waiting', details),
            ...(deps.sleep && { sleep: deps.sleep }),
          };
    return applyAndReport(loadAssetsConfig(env), waitForDomain);
  };
}

/** `onEvent` as Lambda calls it (`event`, `context`). */
export const handler = createAssetsHandler();

async function applyAndReport(config: AssetsConfig, waitForDomain: DomainWaitOptions | undefined): Promise<AssetsResourceResponse> {
  const report = await applyAssets(config, {}, { ...(waitForDomain && { waitForDomain }) });
  const summary = summarizeReport(report);
  for (const result of report.results) {
    if (result.status !== 'unchanged') logger.info('asset', { ...result });
  }
  logger.info(summary, { counts: report.counts });
  if (report.counts.failed > 0) {
    const failed = report.results
      .filter((result) => result.status === 'failed')
      .map((result) => `${result.kind} ${result.name}: ${result.reason ?? 'failed'}`);
    // CloudFormation shows this message; its response is capped at 4 KiB, so keep it short.
    throw new AssetsApplyError(`${summary}. Failed: ${failed.join('; ')}`.slice(0, 1500), report.counts.failed);
  }
  return { PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { summary } };
}
