import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../infra/bin/app';
import { parseConfig } from '../../infra/config';
import { BUNDLING_CONTEXT_KEY } from '../../infra/constructs/pipeline-function';
import { ACCOUNT, DOMAIN_ARN, DOMAIN_ENDPOINT, NETWORK } from './shapes';

/** The shape with the most resources: new domain in a VPC with interface endpoints, Kinesis, a trail, SNS alerts. */
const BUSY = {
  opensearch: { mode: 'new-domain', dataNodes: 2, adminRoleArns: [`arn:aws:iam::${ACCOUNT}:role/Admin`] },
  network: { ...NETWORK, interfaceEndpoints: true },
  subscriptions: { prefixes: ['/aws/lambda/'], logGroups: ['/aws/rds/instance/db/slowquery'], destination: 'kinesis' },
  athena: { source: 'trail', enricher: { onQueryStateChange: true } },
  alarms: { email: 'ops@example.com' },
  alerts: { channel: 'sns' },
};
const SMALL = {
  opensearch: { mode: 'existing-domain', endpoint: DOMAIN_ENDPOINT, domainArn: DOMAIN_ARN },
  subscriptions: { prefixes: ['/aws/lambda/'] },
};

function app(): App {
  return new App({ context: { [BUNDLING_CONTEXT_KEY]: 'stub' } });
}

/** Every acknowledgment recorded on the construct tree: rule id -> reason. */
function acknowledgments(root: IConstruct): Array<{ path: string; id: string; reason: unknown }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({ path: construct.node.path, id, reason }))),
  );
}

describe('cdk-nag AwsSolutions checks', () => {
  let busy: App;
  let outdir: string;
  beforeAll(() => {
    busy = app();
    createApp(busy, parseConfig(BUSY));
    outdir = busy.synth().directory;
  });

  it('pass on the busiest configuration (synthesis throws on any unacknowledged error)', () => {
    const report = join(outdir, 'validation-report.json');
    if (existsSync(report)) {
      const parsed = JSON.parse(readFileSync(report, 'utf8')) as { pluginReports: Array<{ pluginName: string; violations: Array<{ severity: string; ruleName: string }> }> };
      const errors = parsed.pluginReports.flatMap((plugin) => plugin.violations.filter((violation) => violation.severity === 'error'));
      expect(errors).toEqual([]);
    }
  });

  it('give every acknowledgment a reason', () => {
    const found = acknowledgments(busy);
    expect(found.length).toBeGreaterThan(10);
    for (const { id, reason } of found) {
      expect(id).toMatch(/AwsSolutions-[A-Z]+\d+/);
      expect(typeof reason === 'string' && reason.length >= 40, `${id}: "${String(reason)}"`).toBe(true);
    }
  });

  it('really run: an unencrypted queue added to the stack fails synthesis', () => {
    const broken = app();
    const stack = createApp(broken, parseConfig(SMALL));
    new sqs.Queue(stack, 'Careless', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => broken.synth()).toThrowError(/AwsSolutions-SQS2/);
  });
});
