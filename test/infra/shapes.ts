import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { createApp } from '../../infra/bin/app';
import { InvalidConfigError, parseConfig } from '../../infra/config';
import { BUNDLING_CONTEXT_KEY } from '../../infra/constructs/pipeline-function';
import type { PipelineStack } from '../../infra/stacks/pipeline-stack';

/** Shared set-up for the infra tests (not a test file). */

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const DOMAIN_ARN = `arn:aws:es:${REGION}:${ACCOUNT}:domain/logs`;
export const DOMAIN_ENDPOINT = `https://search-logs-abc123.${REGION}.es.amazonaws.com`;

export const NETWORK = {
  vpcId: 'vpc-0123456789abcdef0',
  availabilityZones: ['eu-west-1a', 'eu-west-1b'],
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
};

export interface Synthesized {
  readonly app: App;
  readonly stack: PipelineStack;
  /** Runs the cdk-nag AwsSolutions checks: synthesis throws on any unacknowledged error. */
  readonly template: Template;
}

/**
 * Synthesizes the app for a raw configuration, with the functions' code stubbed (esbuild
 * bundling is exercised once, in app.test.ts), so each shape takes seconds.
 */
export function synthesize(raw: unknown): Synthesized {
  const app = new App({ context: { [BUNDLING_CONTEXT_KEY]: 'stub' } });
  const stack = createApp(app, parseConfig(raw, 'test'));
  return { app, stack, template: Template.fromStack(stack) };
}

/** The environment variables of the function whose description matches. */
export function environmentOf(template: Template, description: RegExp): Record<string, unknown> {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((resource) =>
    description.test(String(resource.Properties?.Description ?? '')),
  );
  if (functions.length !== 1) throw new Error(`expected one function matching ${description}, found ${functions.length}`);
  return functions[0]!.Properties.Environment.Variables as Record<string, unknown>;
}

/** Every IAM policy statement in the template, flattened. */
export function statements(template: Template): Array<Record<string, unknown>> {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>,
  );
}

/** Statements granting `action` (exactly, or inside a list). */
export function grantsOf(template: Template, action: string): Array<Record<string, unknown>> {
  return statements(template).filter((statement) => ([] as unknown[]).concat(statement.Action).includes(action));
}

/** The logical id of the execution role of the function whose description matches. */
export function roleOf(template: Template, description: RegExp): string {
  const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((resource) =>
    description.test(String(resource.Properties?.Description ?? '')),
  );
  if (functions.length !== 1) throw new Error(`expected one function matching ${description}, found ${functions.length}`);
  const role = functions[0]!.Properties.Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

/** The IAM policies attached to a role, by logical id. */
export function policiesOf(template: Template, roleLogicalId: string): Record<string, { [key: string]: any }> {
  return Object.fromEntries(
    Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, policy]) =>
      (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleLogicalId })),
    ),
  );
}

/** The message of the error parseConfig throws for `raw`. */
export function problems(raw: unknown): string {
  try {
    parseConfig(raw, 'test');
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}
