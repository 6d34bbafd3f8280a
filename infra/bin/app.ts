import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONFIG_CONTEXT_KEY, loadConfig, type DeploymentConfig } from '../config';
import { PipelineStack } from '../stacks/pipeline-stack';

/** Builds the app for a configuration; the CLI entry below reads it from the context. */
export function createApp(app: App, config: DeploymentConfig): PipelineStack {
  const stack = new PipelineStack(app, config.stackName, {
    config,
    description: 'cwl-opensearch: CloudWatch Logs to OpenSearch pipeline',
    ...((config.account !== undefined || config.region !== undefined) && {
      env: { account: config.account, region: config.region },
    }),
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
    createApp(app, loadConfig(app.node.tryGetContext(CONFIG_CONTEXT_KEY)));
  } catch (error) {
    // A configuration mistake is a message for a person, not a stack trace.
    console.error((error as Error).message);
    process.exit(1);
  }
  app.synth();
}
