import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: entries and the lock file are found from here, wherever `cdk` runs. */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Context key for unit tests only: `"stub"` swaps the esbuild bundle for an inline stub
 * so that a test can synthesize many shapes quickly. Never set it for a deployment.
 */
export const BUNDLING_CONTEXT_KEY = 'cwl-opensearch:bundling';

// esbuild's ESM output keeps CommonJS dependencies' `require` calls; give them one.
const ESM_REQUIRE_BANNER =
  "import { createRequire as __cwlCreateRequire } from 'node:module'; const require = __cwlCreateRequire(import.meta.url);";

export interface FunctionNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
}

export interface PipelineFunctionProps {
  /** Entry file relative to the repository root, e.g. `functions/shipper/handler.ts`. */
  readonly entry: string;
  readonly description: string;
  /** Variables the function reads at start-up. */
  readonly environment: Readonly<Record<string, string>>;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.minutes(1) */
  readonly timeout?: Duration;
  /** Retention of the function's own log group. */
  readonly logRetention: logs.RetentionDays;
  /** Runs the function in a VPC (the ones that talk to a VPC domain). @default - no VPC */
  readonly network?: FunctionNetwork;
  /** @default - unreserved */
  readonly reservedConcurrentExecutions?: number;
  /** Folders copied into the bundle (`to` is relative to it), e.g. data files read at run time. @default - none */
  readonly copyIntoBundle?: readonly { readonly from: string; readonly to: string }[];
  /**
   * Names the new role `<stack name>-<roleName>`, so an operator can map it in an existing
   * domain's security plugin before the first deployment. @default - a generated name
   */
  readonly roleName?: string;
  /** An execution role shared with another function. @default - a new role */
  readonly role?: iam.Role;
}

/**
 * A Node.js 24 arm64 function bundled by the local esbuild, with its own log group (so
 * retention is set and the group is removed with the stack).
 */
export class PipelineFunction extends Construct {
  readonly function: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Its own role with write access to its own log group only, instead of the managed
    // AWSLambdaBasicExecutionRole (logs:* on every group).
    this.role =
      props.role ??
      new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        ...(props.roleName !== undefined && { roleName: functionRoleName(Stack.of(this).stackName, props.roleName) }),
      });
    this.logGroup.grantWrite(this.role);
    if (props.network !== undefined) grantNetworkInterfaces(this.role);
    const common = {
      description: props.description,
      // Node 24 loads the shipper's bundle with ~30% less CPU than Node 22 and ships as fast
      // or faster (docs/performance.md).
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.minutes(1),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      logGroup: this.logGroup,
      role: this.role,
      ...(props.reservedConcurrentExecutions !== undefined && {
        reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      }),
      ...(props.network !== undefined && {
        vpc: props.network.vpc,
        vpcSubnets: props.network.subnets,
        securityGroups: props.network.securityGroups,
      }),
    };

    if (this.node.tryGetContext(BUNDLING_CONTEXT_KEY) === 'stub') {
      Annotations.of(this).addWarningV2('cwl-opensearch:stubCode', `${props.entry} replaced by a stub (${BUNDLING_CONTEXT_KEY}=stub is for tests only)`);
      this.function = new lambda.Function(this, 'Function', {
        ...common,
        handler: 'index.handler',
        code: lambda.Code.fromInline('export const handler = async () => ({});'),
      });
    } else {
      const entry = join(PROJECT_ROOT, props.entry);
      if (!existsSync(entry)) throw new Error(`${this.node.path}: the function's entry ${props.entry} does not exist`);
      this.function = new nodejs.NodejsFunction(this, 'Function', {
        ...common,
        entry,
        handler: 'handler',
        projectRoot: PROJECT_ROOT,
        depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
        bundling: {
          forceDockerBundling: false,
          format: nodejs.OutputFormat.ESM,
          banner: ESM_REQUIRE_BANNER,
          mainFields: ['module', 'main'],
          target: 'node24',
          sourceMap: true,
          // Stack traces need only the mappings: without the sources the map is 0.7 MB, not
          // 2.4 MB, which --enable-source-maps parses at every cold start (docs/performance.md).
          sourcesContent: false,
          minify: true,
          // The Node.js 24 runtime ships the AWS SDK v3.
          externalModules: ['@aws-sdk/*'],
          tsconfig: join(PROJECT_ROOT, 'tsconfig.json'),
          ...(props.copyIntoBundle && { commandHooks: copyHooks(props.copyIntoBundle) }),
        },
      });
    }

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'The project pins Node.js 24 (what it is measured on); moving to a newer runtime is a deliberate upgrade.',
    });
  }
}

/**
 * What Lambda does with the execution role of a VPC function (the managed
 * AWSLambdaVPCAccessExecutionRole's EC2 actions, without its logs:* on every group).
 * CDK attaches that policy only to roles it creates; these roles are ours.
 */
export const NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
] as const;

// A role shared by two VPC functions (the new domain's master user) gets the statement once.
const rolesWithNetworkInterfaces = new WeakSet<iam.Role>();

/** Lets Lambda manage the function's network interfaces with this role (CreateFunction checks it). */
function grantNetworkInterfaces(role: iam.Role): void {
  if (rolesWithNetworkInterfaces.has(role)) return;
  rolesWithNetworkInterfaces.add(role);
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...NETWORK_INTERFACE_ACTIONS], resources: ['*'] }));
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'Lambda creates, describes and deletes the VPC function\'s network interfaces with its role; their ids are unknown in advance and ec2:DescribeNetworkInterfaces accepts only "*".',
  });
}

/** Bundling hooks that copy folders into the output with Node itself (no `cp` on Windows). */
function copyHooks(copies: readonly { readonly from: string; readonly to: string }[]): nodejs.ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) =>
      copies.map((copy) => {
        const script = `require('node:fs').cpSync(${JSON.stringify(copy.from)}, ${JSON.stringify(join(outputDir, copy.to))}, { recursive: true })`;
        return `node -e ${JSON.stringify(script)}`;
      }),
  };
}

/** `<stack name>-<purpose>`, cut to IAM's 64 characters. */
export function functionRoleName(stackName: string, purpose: string): string {
  return `${stackName.slice(0, 63 - purpose.length)}-${purpose}`;
}
