import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_EVENT_PATTERN_LENGTH } from '../../infra/constructs/log-subscriptions';
import { DOMAIN_ARN, DOMAIN_ENDPOINT, environmentOf, synthesize } from './shapes';

/**
 * Shape: a short stack name, 70 prefixes (the most the configuration check lets through
 * at this length), direct Lambda subscriptions. One synthesis for the file.
 */
const PREFIXES = Array.from({ length: 70 }, (_, index) => `/aws/lambda/tm-${String(index).padStart(2, '0')}-`);
const CONFIG = {
  stackName: 'Orders',
  opensearch: { mode: 'existing-domain', endpoint: DOMAIN_ENDPOINT, domainArn: DOMAIN_ARN },
  subscriptions: { logGroups: ['/aws/rds/instance/orders/slowquery'], prefixes: PREFIXES },
  athena: { source: 'none' },
};

let template: Template;
beforeAll(() => {
  ({ template } = synthesize(CONFIG));
});

function createLogGroupRules(): Array<Record<string, any>> {
  return Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { detail: { eventName: ['CreateLogGroup'] } } } }));
}

describe('subscriptions: whose filter, how many at once, how long the pattern', () => {
  it('names the filter after the stack by default, so two stacks never share one', () => {
    template.hasResourceProperties('Custom::LogSubscriptions', { FILTER_NAME: 'cwl-opensearch-Orders' });
  });

  it('keeps every CreateLogGroup event pattern within 2,048 characters, splitting the 70 prefixes over several rules', () => {
    const rules = createLogGroupRules();
    expect(rules.length).toBeGreaterThan(1);
    for (const rule of rules) expect(JSON.stringify(rule.Properties.EventPattern).length).toBeLessThanOrEqual(MAX_EVENT_PATTERN_LENGTH);
    const covered = rules.flatMap((rule) => rule.Properties.EventPattern.detail.requestParameters.logGroupName as unknown[]);
    expect(covered).toEqual(['/aws/rds/instance/orders/slowquery', ...PREFIXES.map((prefix) => ({ prefix }))]);
    for (const rule of rules) {
      expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^SubscriptionsSubscriberFunction/), 'Arn'] } })]);
    }
  });

  it('bounds the subscriber\'s concurrency and keeps throttled events queued for hours', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Subscribes matching'),
      ReservedConcurrentExecutions: 2,
    });
    const [subscriberId] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, fn]) => /Subscribes matching/.test(fn.Properties.Description))!;
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: subscriberId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
    });
  });

  it('finishes the deploy-time subscription in the provider\'s isComplete step (the subscriber answers both)', () => {
    const [subscriberId] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, fn]) => /Subscribes matching/.test(fn.Properties.Description))!;
    const frameworkVariables = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => fn.Properties.Environment?.Variables ?? {})
      .filter((variables) => variables.USER_ON_EVENT_FUNCTION_ARN !== undefined);
    expect(frameworkVariables).toContainEqual(
      expect.objectContaining({
        USER_ON_EVENT_FUNCTION_ARN: { 'Fn::GetAtt': [subscriberId, 'Arn'] },
        USER_IS_COMPLETE_FUNCTION_ARN: { 'Fn::GetAtt': [subscriberId, 'Arn'] },
        WAITER_STATE_MACHINE_ARN: expect.anything(),
      }),
    );
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  it('alarms on CloudWatch Logs delivery errors and throttling of our filter, on any log group', () => {
    for (const metric of ['DeliveryErrors', 'DeliveryThrottling']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [
          Match.objectLike({
            Expression: `SELECT SUM(${metric}) FROM SCHEMA("AWS/Logs", DestinationType, FilterName, LogGroupName) WHERE FilterName = 'cwl-opensearch-Orders'`,
            Period: 300,
          }),
        ],
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
      });
    }
  });

  it('alarms when events wait in the subscriber\'s or the shipper\'s asynchronous queue', () => {
    for (const id of ['SubscriberAsyncEventAge', 'ShipperAsyncEventAge']) {
      const alarms = template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'AsyncEventAge' } });
      expect(Object.keys(alarms).some((logicalId) => logicalId.startsWith(`Alarms${id}`))).toBe(true);
    }
  });

  it('passes the subscriber the stack\'s filter name at run time too', () => {
    expect(environmentOf(template, /Subscribes matching/).FILTER_NAME).toBe('cwl-opensearch-Orders');
  });
});
