import { ConfigReader, InvalidConfigError } from './config-reader';
import { ACCOUNT, parseConfig, readRetention, readSubscriptions, REGION, type DeploymentConfig, type SubscriptionSettings } from './config';

/**
 * A member account's configuration (`"kind": "member"`): which of its log groups to send
 * to the central account's CloudWatch Logs destination. No OpenSearch, no shipper.
 */
export interface MemberConfig {
  readonly kind: 'member';
  readonly stackName: string;
  readonly account?: string;
  readonly region?: string;
  /** `arn:aws:logs:<region>:<central account>:destination:<name>` (the central stack's DestinationArn output). */
  readonly destinationArn: string;
  readonly subscriptions: SubscriptionSettings;
  readonly alarms: { readonly email?: string };
  readonly logRetentionDays: number;
}

/** A pipeline (central or single-account) stack's configuration, or a member's. */
export type AppConfig = DeploymentConfig | MemberConfig;

const DESTINATION_ARN = /^arn:aws[\w-]*:logs:([a-z0-9-]+):(\d{12}):destination:[^:\s]{1,512}$/;

/** Dispatches on `kind`: `"member"` here, anything else to `parseConfig`. */
export function parseAppConfig(raw: unknown, source = 'configuration'): AppConfig {
  const kind = (raw as { kind?: unknown } | null)?.kind;
  return kind === 'member' ? parseMemberConfig(raw, source) : parseConfig(raw, source);
}

export function isMemberConfig(config: AppConfig): config is MemberConfig {
  return (config as MemberConfig).kind === 'member';
}

/** Validates a member configuration; throws `InvalidConfigError` listing every problem. */
export function parseMemberConfig(raw: unknown, source = 'configuration'): MemberConfig {
  const issues: string[] = [];
  const root = ConfigReader.root(raw, issues);
  root.choice('kind', ['member'] as const);
  const stackName = root.string('stackName', {
    default: 'CwlOpenSearchMember',
    pattern: /^[A-Za-z][A-Za-z0-9-]{0,127}$/,
    hint: 'a CloudFormation stack name (letters, digits, "-", starting with a letter)',
  });
  const account = root.has('account') ? root.string('account', { pattern: ACCOUNT, hint: 'a 12-digit AWS account id' }) : undefined;
  const region = root.has('region') ? root.string('region', { pattern: REGION, hint: 'an AWS region such as eu-west-1' }) : undefined;
  const destinationArn = root.string('destinationArn', {
    pattern: DESTINATION_ARN,
    hint: 'the central stack\'s DestinationArn output, arn:aws:logs:<region>:<account>:destination:<name>',
  });
  const match = destinationArn ? DESTINATION_ARN.exec(destinationArn) : null;
  if (match && region !== undefined && match[1] !== region) {
    // CloudWatch Logs delivers only to a destination of the log groups' own region.
    root.fail('destinationArn', `is in region ${match[1]} but the member stack deploys to ${region}; a destination serves its own region only`);
  }
  const subscriptionsReader = root.object('subscriptions');
  const subscriptions = readSubscriptions(subscriptionsReader, stackName);
  if (subscriptions.destination !== 'lambda' || subscriptions.crossAccount !== undefined) {
    subscriptionsReader.fail('destination', 'a member stack sends to destinationArn; destination, kinesis and crossAccount belong to the central stack');
  }
  if (subscriptions.mode === 'filters' && subscriptions.logGroups.length === 0 && subscriptions.prefixes.length === 0) {
    subscriptionsReader.fail('prefixes', 'nothing to send: list logGroups or prefixes, or set mode "account-policy"');
  }
  const alarmsReader = root.object('alarms');
  const email = alarmsReader.has('email') ? alarmsReader.string('email', { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, hint: 'an e-mail address' }) : undefined;
  alarmsReader.rejectUnknown();
  const logRetentionDays = readRetention(root, 'logRetentionDays');
  root.rejectUnknown();
  if (issues.length > 0) throw new InvalidConfigError(source, issues);
  return {
    kind: 'member',
    stackName,
    ...(account !== undefined && { account }),
    ...(region !== undefined && { region }),
    destinationArn: destinationArn!,
    subscriptions,
    alarms: email !== undefined ? { email } : {},
    logRetentionDays,
  };
}
