import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CustomResource, Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ASSET_DATA_DIRS, hashAssetFiles } from '../../functions/assets/load';
import { PipelineFunction, PROJECT_ROOT, type FunctionNetwork } from './pipeline-function';
import { acknowledgeProvider } from './provider-nag';

export interface DashboardAssetsProps {
  /** Variables of the assets function (endpoint, auth, tenant, retention, alert channel). */
  readonly environment: Readonly<Record<string, string>>;
  /** The folder holding the asset data; hashed so a changed file re-applies the assets. @default the repository's dashboards/ */
  readonly assetsDirectory?: string;
  /** The domain's master user on a new domain. @default - a new role */
  readonly role?: iam.Role;
  readonly logRetention: logs.RetentionDays;
  /** @default - no VPC */
  readonly network?: FunctionNetwork;
}

/**
 * Applies `dashboards/` (templates, ISM, saved objects, monitors, notification channel)
 * with the same code as `assets apply`, from a custom resource that runs again whenever
 * those files or the settings change.
 */
export class DashboardAssets extends Construct {
  readonly handler: PipelineFunction;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: DashboardAssetsProps) {
    super(scope, id);
    const assetsDirectory = props.assetsDirectory ?? join(PROJECT_ROOT, 'dashboards');
    this.handler = new PipelineFunction(this, 'Handler', {
      entry: 'functions/assets/handler.ts',
      roleName: 'assets',
      description: 'Custom resource: applies index templates, ISM, dashboards and monitors',
      memorySize: 512,
      timeout: Duration.minutes(10),
      environment: { ...props.environment, POWERTOOLS_SERVICE_NAME: 'assets' },
      logRetention: props.logRetention,
      // The function reads the data files at run time from <bundle>/dashboards/.
      copyIntoBundle: ASSET_DATA_DIRS.map((dir) => ({ from: join(assetsDirectory, dir), to: join('dashboards', dir) })),
      ...(props.role && { role: props.role }),
      ...(props.network && { network: props.network }),
    });
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler.function,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention: props.logRetention }),
    });
    acknowledgeProvider(provider, this.handler.function);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::OpenSearchAssets',
      properties: {
        AssetsHash: hashAssetFiles(assetsDirectory),
        // The settings too, so changing one re-applies; the webhook URL is a secret, hashed.
        Settings: Object.fromEntries(
          Object.entries(props.environment).map(([name, value]) =>
            name === 'ALERT_WEBHOOK_URL' ? [name, hashText(value)] : [name, value],
          ),
        ),
      },
    });
  }
}

function hashText(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
