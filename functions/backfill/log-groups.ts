import { DescribeLogGroupsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { globToRegExp } from '../../parsers/registry';
import { ConfigError } from '../pipeline/errors';
import { withBackoff, type BackoffOptions } from '../aws/backoff';

/** A log group to read, with what DescribeLogGroups says about it. */
export interface LogGroupInfo {
  readonly name: string;
  /** From the ARN: becomes the batches' `owner` (`cloud.account.id`). */
  readonly accountId?: string;
  readonly storedBytes?: number;
}

/**
 * Resolves `--log-group` values: an exact name, or a pattern with `*` (`/aws/lambda/*`,
 * `/aws/rds/*\/slowquery`). DescribeLogGroups is asked for the text before the first `*`
 * as a prefix, every page, and the names are then matched against the whole pattern.
 * An exact name that does not exist, or a pattern that matches nothing, is an error.
 */
export async function resolveLogGroups(
  logs: Pick<CloudWatchLogsClient, 'send'>,
  patterns: readonly string[],
  backoff?: BackoffOptions,
): Promise<LogGroupInfo[]> {
  const resolved = new Map<string, LogGroupInfo>();
  for (const pattern of patterns) {
    const star = pattern.indexOf('*');
    const prefix = star < 0 ? pattern : pattern.slice(0, star);
    const matcher = globToRegExp(pattern);
    let found = 0;
    for await (const group of describeLogGroups(logs, prefix, backoff)) {
      if (!matcher.test(group.name)) continue;
      found += 1;
      if (!resolved.has(group.name)) resolved.set(group.name, group);
    }
    if (found === 0) {
      throw new ConfigError('--log-group', star < 0 ? `log group "${pattern}" does not exist` : `no log group matches "${pattern}"`);
    }
  }
  return [...resolved.values()];
}

async function* describeLogGroups(
  logs: Pick<CloudWatchLogsClient, 'send'>,
  prefix: string,
  backoff?: BackoffOptions,
): AsyncGenerator<LogGroupInfo> {
  let nextToken: string | undefined;
  do {
    const token = nextToken;
    const reply = await withBackoff(
      () =>
        logs.send(
          new DescribeLogGroupsCommand({
            ...(prefix !== '' && { logGroupNamePrefix: prefix }),
            ...(token !== undefined && { nextToken: token }),
          }),
        ),
      backoff,
    );
    for (const group of reply.logGroups ?? []) {
      if (group.logGroupName === undefined) continue;
      const accountId = group.arn?.split(':')[4];
      yield {
        name: group.logGroupName,
        ...(accountId !== undefined && accountId !== '' && { accountId }),
        ...(group.storedBytes !== undefined && { storedBytes: group.storedBytes }),
      };
    }
    nextToken = reply.nextToken;
  } while (nextToken !== undefined && nextToken !== '');
}
