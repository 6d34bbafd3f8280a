/**
 * `aws.athena.client`: who called Athena, from the event's `userAgent` and
 * `userIdentity.invokedBy`. Substring rules, first match wins; the order matters because
 * user agents nest (the AWS CLI and PyAthena both carry botocore's agent, QuickSight's
 * carries the JDBC driver's).
 */

export const ATHENA_CLIENTS = [
  'console',
  'glue',
  'sagemaker',
  'quicksight',
  'jdbc',
  'odbc',
  'pyathena',
  'boto3',
  'aws-cli',
  'sdk',
  'other',
] as const;
export type AthenaClient = (typeof ATHENA_CLIENTS)[number];

interface ClientRule {
  readonly client: AthenaClient;
  /** Every substring must be present (lower case). */
  readonly all: readonly string[];
}

/** The rules in the order they are tried; the README's table is this list. */
export const CLIENT_RULES: readonly ClientRule[] = [
  { client: 'quicksight', all: ['quicksight'] },
  // QuickSight's Athena connector calls with `sbAthenaJDBCDriver/2.0, aws-internal/3`.
  { client: 'quicksight', all: ['jdbc', 'aws-internal'] },
  { client: 'glue', all: ['glue'] },
  { client: 'sagemaker', all: ['sagemaker'] },
  { client: 'jdbc', all: ['jdbc'] },
  { client: 'odbc', all: ['odbc'] },
  { client: 'pyathena', all: ['pyathena'] },
  { client: 'aws-cli', all: ['aws-cli/'] },
  { client: 'boto3', all: ['boto3/'] },
  { client: 'boto3', all: ['botocore/'] },
  { client: 'console', all: ['aws-internal'] },
  { client: 'console', all: ['mozilla/'] },
  { client: 'console', all: ['console.amazonaws.com'] },
  { client: 'console', all: ['signin.amazonaws.com'] },
  { client: 'sdk', all: ['aws-sdk-'] },
  { client: 'sdk', all: ['aws-sdk/'] },
];

/** The client class, or undefined when the event names neither a user agent nor an invoker. */
export function detectAthenaClient(userAgent: string | undefined, invokedBy: string | undefined): AthenaClient | undefined {
  if (!userAgent && !invokedBy) return undefined;
  const haystack = `${userAgent ?? ''}\n${invokedBy ?? ''}`.toLowerCase();
  for (const rule of CLIENT_RULES) if (containsAll(haystack, rule.all)) return rule.client;
  return 'other';
}

function containsAll(haystack: string, needles: readonly string[]): boolean {
  for (const needle of needles) if (!haystack.includes(needle)) return false;
  return true;
}
