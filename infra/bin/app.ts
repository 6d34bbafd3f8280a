import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONFIG_CONTEXT_KEY, loadConfig, type DeploymentConfig } from '../config';
import { isMemberConfig, parseAppConfig, type AppConfig, type MemberConfig } from '../member-config';
import { MemberStack } from '../stacks/member-stack';
import { PipelineStack } from '../stacks/pipeline-stack';

/** Builds the app for a configuration; the CLI entry below reads it from the context. */
export function createApp(app: App, config: DeploymentConfig): PipelineStack;
export function createApp(app: App, config: MemberConfig): MemberStack;
export function createApp(app: App, config: AppConfig): PipelineStack | MemberStack;
export function createApp(app: App, config: AppConfig): PipelineStack | MemberStack {
  const env = (config.account !== undefined || config.region !== undefined) && { env: { account: config.account, region: config.region } };
  const stack = isMemberConfig(config)
    ? new MemberStack(app, config.stackName, {
        config,
        description: 'cwl-opensearch: member account log subscriptions to the central destination',
        ...env,
      })
    : new PipelineStack(app, config.stackName, {
        config,
        description: 'cwl-opensearch: CloudWatch Logs to OpenSearch pipeline',
        ...env,
      });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}

function isMain(): boolean {
  const script = process.argv[1];
  return script !== undefined && realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
}

// `cdk synth` runs this file (cdk.json); tests import createApp instead.
if (isMain()) {
  const app = new App();
  try {
    createApp(app, loadConfig(app.node.tryGetContext(CONFIG_CONTEXT_KEY), process.cwd(), parseAppConfig));
  } catch (error) {
    // A configuration mistake is a message for a person, not a stack trace.
    console.error((error as Error).message);
    process.exit(1);
  }
  app.synth();
}
