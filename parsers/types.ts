/**
 * Contracts shared by every parser. Parsers are pure and synchronous: no I/O, no
 * clock, no SDK, and they never throw for bad input (they return `ok: false`).
 * This folder imports nothing from outside itself.
 */

/** A nested JSON object, as it will appear in the OpenSearch document. */
export type Fields = { [key: string]: unknown };

/** What a parser knows about the log event besides its message. */
export interface ParseContext {
  readonly logGroup: string;
  readonly logStream: string;
  /** CloudWatch event timestamp, epoch milliseconds. */
  readonly timestamp: number;
  /**
   * Asks parsers that can tell to say when they read the message fully (`readFully`).
   * Only set when the pipeline would drop such messages: the check may cost time.
   */
  readonly reportReadFully?: boolean;
}

export type ParseResult =
  | {
      readonly ok: true;
      /** Fields to merge into the document (nested, schema.md names). */
      readonly fields: Fields;
      /** Event time read from the message body (ISO 8601 UTC with Z), when it has one. */
      readonly timestamp?: string;
      /** Document id to use instead of the CloudWatch event id (CloudTrail `eventID`). */
      readonly id?: string;
      /** Region the event came from, when the message says (CloudTrail `awsRegion`). */
      readonly region?: string;
      /** Extra markers for `tags` (for example `cold_start`, `truncated`). */
      readonly tags?: readonly string[];
      /**
       * The fields hold the whole message, so dropping `message` loses nothing but blanks
       * around it. Only reported when the context asks (`reportReadFully`).
       */
      readonly readFully?: true;
      /**
       * The document belongs to another parser's dataset and index (a CloudTrail event
       * of another service in an Athena trail goes to `generic`).
       */
      readonly belongsTo?: ParserId;
    }
  | {
      readonly ok: false;
      /** Why the message could not be read; shipped as `error.message`. */
      readonly reason: string;
      /** Whatever could still be read (for example ids from the log group). */
      readonly fields?: Fields;
    };

/** One entry of the ordered parser registry. */
export interface ParserEntry {
  /** Stable parser id (a built-in ParserId, or a user parser's name), also the slug used in index names. */
  readonly id: string;
  /** Value of `event.dataset` on every document this parser produces. */
  readonly dataset: string;
  /** True when this parser claims the log group. */
  readonly matches: (logGroup: string) => boolean;
  readonly parse: (message: string, context: ParseContext) => ParseResult;
}

export const PARSER_IDS = ['rds-mysql-slowquery', 'lambda', 'athena-cloudtrail', 'generic'] as const;
export type ParserId = (typeof PARSER_IDS)[number];

export const DATASETS = {
  'rds-mysql-slowquery': 'rds.mysql.slowquery',
  lambda: 'aws.lambda',
  'athena-cloudtrail': 'aws.athena',
  generic: 'cloudwatch.generic',
} as const satisfies Record<ParserId, string>;
