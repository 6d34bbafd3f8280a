import type { Fields, ParseResult, ParserEntry } from '../../parsers/types';
import type { IndexingConfig } from './config';
import { writeSourceJson } from './document-json';
import { indexName } from './index-name';
import { isoTime } from './iso-time';
import type { LogBatch, LogDocument, LogEvent } from './types';

export const TAGS = {
  parseFailure: 'parse_failure',
  invalidUtf8: 'invalid_utf8',
} as const;

export interface DocumentContext {
  readonly batch: LogBatch;
  /** The parser that routed the batch. */
  readonly entry: ParserEntry;
  /** The entry of a parser that claimed a single result (`belongsTo`), looked up by the caller. */
  readonly resolve: (id: NonNullable<Extract<ParseResult, { ok: true }>['belongsTo']>) => ParserEntry;
  readonly indexing: IndexingConfig;
  /** `event.ingested`, one value for the whole batch. */
  readonly ingested: string;
  /** Region of the pipeline, used when the message does not say (subscriptions are regional). */
  readonly region?: string;
  /** Extra tags for every document of the batch (for example `invalid_utf8`). */
  readonly batchTags?: readonly string[];
  /** Parses an event of the batch: how a deferred document (`deferDocument`) gets its result, each time it needs it. */
  readonly parse?: (event: LogEvent) => ParseResult;
}

/** Builds the OpenSearch document for one log event: envelope + parsed fields, index, id. */
export function buildDocument(event: LogEvent, result: ParseResult, context: DocumentContext): EventDocument {
  return new EventDocument(event, result, context);
}

/**
 * The same document, its event not parsed yet: `context.parse` runs when the document is
 * first read (its index, id, dataset or JSON), and again whenever its fields are needed
 * after that (a retry encodes it again, a dead letter reads its source). The result is
 * not kept: parsers are pure, so each run gives the same document, and a batch's parse
 * results are never all held at once (they die young, one document at a time, which keeps
 * the garbage collector's young generation from growing; see docs/performance.md).
 */
export function deferDocument(event: LogEvent, context: DocumentContext): EventDocument {
  if (context.parse === undefined) throw new TypeError('deferDocument needs context.parse');
  return new EventDocument(event, undefined, context);
}

/**
 * The document of one log event. Its `source` object is built only when something reads
 * it (a dead letter, the CLI, a test): the bulk encoder asks for `sourceJson()` instead,
 * which writes the same JSON text straight from the event, the parse result and the
 * batch's constant envelope, without building the nested objects first.
 */
export class EventDocument implements LogDocument {
  declare readonly source: Fields;
  readonly #event: LogEvent;
  readonly #context: DocumentContext;
  /** Given when built with its result; undefined for a deferred document, which parses on demand. */
  readonly #result: ParseResult | undefined;
  // What the first read of the result decided (the small values, kept; the result is not).
  #index: string | undefined;
  #id: string | undefined;
  #dataset: string | undefined;
  #timestamp: string | undefined;
  #region: string | undefined;
  #failed = false;
  #source: Fields | undefined;

  // An own enumerable property, like a plain document's, so that spreading, JSON.stringify
  // and deep equality see `source`; the getter builds it once, on first read.
  static readonly #sourceProperty: PropertyDescriptor = {
    enumerable: true,
    configurable: false,
    get(this: EventDocument): Fields {
      if (this.#source === undefined) {
        const result = this.#read();
        this.#source = buildSource(this.#event, result, this.#context, this.#timestamp!, this.#region);
      }
      return this.#source;
    },
  };

  get index(): string {
    if (this.#index === undefined) this.#read();
    return this.#index!;
  }

  get id(): string {
    if (this.#id === undefined) this.#read();
    return this.#id!;
  }

  get dataset(): string {
    if (this.#dataset === undefined) this.#read();
    return this.#dataset!;
  }

  constructor(event: LogEvent, result: ParseResult | undefined, context: DocumentContext) {
    Object.defineProperty(this, 'source', EventDocument.#sourceProperty);
    this.#event = event;
    this.#result = result;
    this.#context = context;
    if (result !== undefined) this.#describe(result);
  }

  /** True when the parser could not read the message (the document carries `parse_failure`). */
  parseFailed(): boolean {
    if (this.#index === undefined) this.#read();
    return this.#failed;
  }

  /** `JSON.stringify(this.source)`, written without building `source`. */
  sourceJson(): string {
    if (this.#source !== undefined) return JSON.stringify(this.#source);
    const result = this.#read();
    const json = writeSourceJson(this.#event, result, this.#context, this.#timestamp!, this.#region, this.#dataset!);
    if (json !== undefined) return json;
    // The object path, from the result in hand: reading `this.source` would parse the event again.
    this.#source = buildSource(this.#event, result, this.#context, this.#timestamp!, this.#region);
    return JSON.stringify(this.#source);
  }

  /** The parse result: the one given, or a fresh parse (described on the first). */
  #read(): ParseResult {
    const result = this.#result ?? this.#context.parse!(this.#event);
    if (this.#index === undefined) this.#describe(result);
    return result;
  }

  #describe(result: ParseResult): void {
    const event = this.#event;
    const context = this.#context;
    const owner = ownerOf(result, context);
    const timestamp = (result.ok && validTimestamp(result.timestamp)) || isoTime(event.timestamp);
    this.#index = indexName({
      prefix: context.indexing.prefix,
      slug: owner.id,
      timestamp,
      naming: context.indexing.naming,
      logGroup: context.batch.logGroup,
    });
    this.#id = (result.ok && result.id) || event.id;
    this.#dataset = owner.dataset;
    this.#timestamp = timestamp;
    this.#region = (result.ok && result.region) || context.region;
    this.#failed = !result.ok;
  }
}

/** `message` is left out when the configuration says so and the parser read it fully. */
export function dropsMessage(result: ParseResult, context: DocumentContext): boolean {
  return result.ok && result.readFully === true && context.indexing.dropParsedMessage === true;
}

function ownerOf(result: ParseResult, context: DocumentContext): ParserEntry {
  return result.ok && result.belongsTo !== undefined ? context.resolve(result.belongsTo) : context.entry;
}

/** The document's source as an object: the reference the JSON writer must match byte for byte. */
function buildSource(
  event: LogEvent,
  result: ParseResult,
  context: DocumentContext,
  timestamp: string,
  region: string | undefined,
): Fields {
  const { batch } = context;
  const owner = ownerOf(result, context);
  const tags = [...(context.batchTags ?? [])];
  if (result.ok) {
    if (result.tags) tags.push(...result.tags);
  } else {
    tags.push(TAGS.parseFailure);
  }

  const source: Fields = {
    '@timestamp': timestamp,
    ...(!dropsMessage(result, context) && { message: event.message }),
    event: { dataset: owner.dataset, ingested: context.ingested },
    aws: { cloudwatch: { log_group: batch.logGroup, log_stream: batch.logStream, event_id: event.id } },
  };
  // Batches built from files may not know their account: leave it absent rather than "".
  const cloud = {
    ...(batch.owner !== '' && { account: { id: batch.owner } }),
    ...(region !== undefined && { region }),
  };
  if (cloud.account !== undefined || cloud.region !== undefined) source.cloud = cloud;
  if (tags.length > 0) source.tags = [...new Set(tags)];
  if (!result.ok) source.error = { message: result.reason };

  const parsed = result.fields;
  if (parsed !== undefined) mergeFields(source, parsed);
  return source;
}

/** A parser's time, only if it is a real date (a wrong one would misplace the document's index). */
function validTimestamp(timestamp: string | undefined): string | undefined {
  if (timestamp === undefined) return undefined;
  const time = Date.parse(timestamp);
  if (Number.isNaN(time)) return undefined;
  const iso = timestamp.endsWith('Z') ? timestamp : new Date(time).toISOString();
  // Outside the years 0000-9999 toISOString writes `-000001-…` or `+010000-…`, which would
  // name an index `cwl-…--000.01.12`: the event's CloudWatch time is used instead.
  return FOUR_DIGIT_YEAR_ISO.test(iso) ? iso : undefined;
}

const FOUR_DIGIT_YEAR_ISO = /^\d{4}-\d{2}-\d{2}T/;

/**
 * Deep-merges parsed fields into the envelope. The envelope's own values win where both
 * set a leaf (`event.dataset`, `aws.cloudwatch.*`), so a parser cannot break the contract.
 */
export function mergeFields(target: Fields, fields: Fields): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const existing = target[key];
    if (existing === undefined) {
      target[key] = value;
    } else if (isPlainObject(existing) && isPlainObject(value)) {
      mergeFields(existing, value);
    }
  }
}

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
