import { ATHENA_SERVICE } from '../../parsers/athena-cloudtrail';
import type { ParserId } from '../../parsers/types';

/**
 * Default subscription filter patterns per source, shared by the subscriber and the CDK
 * app. An empty pattern sends every event.
 */

/**
 * Lambda platform lines only (the cheap default): the text format's leading words and
 * the JSON format's `platform.` record types. CloudWatch terms match substrings and
 * terms with characters other than letters, digits and `_` must be quoted; the parser
 * still decides what is a platform line, so an application line that slips through is
 * harmless.
 */
export const LAMBDA_PLATFORM_FILTER =
  '?"START RequestId" ?"END RequestId" ?"REPORT RequestId" ?INIT_START ?INIT_REPORT ?RESTORE_START ?RESTORE_REPORT ?"platform."';

/**
 * From a CloudTrail log group, what the parser keeps in the Athena dataset: Athena's own
 * calls and the calls Athena made for a query (Glue `GetTable`/`GetPartitions`, Lake
 * Formation `GetDataAccess`, ...: `userIdentity.invokedBy` is Athena), which say which
 * tables a query read and for whom.
 */
export const ATHENA_CLOUDTRAIL_FILTER = `{ ($.eventSource = "${ATHENA_SERVICE}") || ($.userIdentity.invokedBy = "${ATHENA_SERVICE}") }`;

export const DEFAULT_FILTER_PATTERNS = {
  'rds-mysql-slowquery': '',
  lambda: LAMBDA_PLATFORM_FILTER,
  'athena-cloudtrail': ATHENA_CLOUDTRAIL_FILTER,
  generic: '',
} as const satisfies Record<ParserId, string>;

/** The variable holding each source's pattern. */
export const FILTER_PATTERN_VARIABLES = {
  'rds-mysql-slowquery': 'FILTER_PATTERN_RDS_MYSQL_SLOWQUERY',
  lambda: 'FILTER_PATTERN_LAMBDA',
  'athena-cloudtrail': 'FILTER_PATTERN_ATHENA_CLOUDTRAIL',
  generic: 'FILTER_PATTERN_GENERIC',
} as const satisfies Record<ParserId, string>;

/** CloudWatch Logs accepts filter patterns up to this length. */
export const MAX_FILTER_PATTERN_LENGTH = 1024;
