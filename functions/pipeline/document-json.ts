import type { Fields, ParseResult } from '../../parsers/types';
import { dropsMessage, type DocumentContext } from './document';
import type { LogEvent } from './types';

/**
 * Writes a document's source as JSON text straight from the event, the parse result and
 * the batch, byte for byte what `JSON.stringify` gives for the object `buildSource` (in
 * document.ts) builds, without building it. The envelope's per-batch constant parts (log
 * group, stream, account, region, dataset, ingest time) are encoded once per batch.
 *
 * Returns undefined for the shapes this writer leaves to the object path (parsed fields
 * that merge into `aws.cloudwatch`, `cloud` or `error`, and keys that `JSON.stringify`
 * would order or treat differently): the caller then stringifies the object.
 */
export function writeSourceJson(
  event: LogEvent,
  result: ParseResult,
  context: DocumentContext,
  timestamp: string,
  region: string | undefined,
  dataset: string,
): string | undefined {
  const envelope = envelopeOf(context);
  const fields = result.fields;
  const keepsMessage = !dropsMessage(result, context);
  const message = keepsMessage ? `"message":${JSON.stringify(event.message)},` : '';
  let json = `{"@timestamp":${JSON.stringify(timestamp)},${message}${envelope.eventHead(dataset)}`;
  const parsedEvent = fields?.event;
  if (isPlainObject(parsedEvent)) {
    const extra = extraKeys(parsedEvent, EVENT_KEYS);
    if (extra === undefined) return undefined;
    json += extra;
  }
  json += `},${envelope.cloudWatchHead}${JSON.stringify(event.id)}}`;
  const parsedAws = fields?.aws;
  if (isPlainObject(parsedAws)) {
    const extra = extraKeys(parsedAws, AWS_KEYS);
    if (extra === undefined) return undefined;
    json += extra;
  }
  json += '}';

  const cloud = envelope.cloud(region);
  json += cloud;
  const tags = tagsOf(result, context);
  if (tags !== undefined) json += `,"tags":${JSON.stringify(tags)}`;
  if (!result.ok) json += `,"error":{"message":${JSON.stringify(result.reason)}}`;

  if (fields !== undefined) {
    // Keys the envelope holds on this document: a parsed value there merges or loses.
    const held = (key: string): boolean =>
      ENVELOPE_KEYS.has(key) || (key === 'message' && keepsMessage) || (key === 'cloud' && cloud !== '') || (key === 'tags' && tags !== undefined) || (key === 'error' && !result.ok);
    // The members written here, gathered in order so that one JSON.stringify writes them all.
    let rest: Fields | undefined;
    for (const key of Object.keys(fields)) {
      const value = fields[key];
      if (value === undefined || key === 'event' || key === 'aws') continue;
      if (held(key)) {
        // A plain object meeting the envelope's `cloud` or `error` object merges into it: the object path.
        if ((key === 'cloud' || key === 'error') && isPlainObject(value)) return undefined;
        continue;
      }
      if (!safeKey(key)) return undefined;
      (rest ??= {})[key] = value;
    }
    // A plain object of checked keys: members() always writes it.
    if (rest !== undefined) json += members(rest)!;
  }
  return `${json}}`;
}

const ENVELOPE_KEYS: ReadonlySet<string> = new Set(['@timestamp', 'event', 'aws']);
/** Leaves of the envelope's `event`: strings, which a parsed value never replaces. */
const EVENT_KEYS: ReadonlySet<string> = new Set(['dataset', 'ingested']);
/** `aws.cloudwatch` is the envelope's; a parsed object there merges into it (object path). */
const AWS_KEYS: ReadonlySet<string> = new Set(['cloudwatch']);

/**
 * `,"key":value` for each parsed key the envelope object does not hold, in order; a
 * parsed object meeting an envelope object (only `aws.cloudwatch`) returns undefined.
 */
function extraKeys(parsed: Fields, held: ReadonlySet<string>): string | undefined {
  const keys = Object.keys(parsed);
  if (keys.every((key) => !held.has(key) && safeKey(key))) {
    const all = members(parsed);
    if (all !== undefined) return all;
  }
  let json = '';
  for (const key of keys) {
    const value = parsed[key];
    if (value === undefined) continue;
    if (held.has(key)) {
      if (held === AWS_KEYS && isPlainObject(value)) return undefined;
      continue;
    }
    if (!safeKey(key)) return undefined;
    const text = JSON.stringify(value) as string | undefined;
    if (text !== undefined) json += `,${JSON.stringify(key)}:${text}`;
  }
  return json;
}

/**
 * `,"key":value` for every member of `object` that JSON has, in order: `JSON.stringify` of
 * the object without its braces, one call instead of one per key and per value (each call
 * costs more than the few bytes of a key). Undefined when `JSON.stringify` would not write
 * the object as its members (a `toJSON`, a boxed primitive). The caller checks the keys.
 */
function members(object: Fields): string | undefined {
  if ('toJSON' in object) return undefined;
  const text = JSON.stringify(object) as string | undefined;
  if (text === undefined || text.charCodeAt(0) !== 0x7b) return undefined;
  return text.length === 2 ? '' : `,${text.slice(1, -1)}`;
}

/**
 * Keys the object path treats specially: names inherited from Object.prototype (a merge
 * reads them as present), `toJSON` (JSON.stringify would call it) and integer-like names
 * (objects list them first, whatever their insertion order).
 */
function safeKey(key: string): boolean {
  const first = key.charCodeAt(0);
  return !(key in Object.prototype) && key !== 'toJSON' && !(first >= 48 && first <= 57);
}

function tagsOf(result: ParseResult, context: DocumentContext): string[] | undefined {
  const batchTags = context.batchTags;
  const own = result.ok ? result.tags : FAILURE_TAGS;
  if ((batchTags === undefined || batchTags.length === 0) && (own === undefined || own.length === 0)) return undefined;
  return [...new Set([...(batchTags ?? []), ...(own ?? [])])];
}

const FAILURE_TAGS = ['parse_failure'] as const;

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The envelope's JSON parts that are the same for every document of a batch. */
interface Envelope {
  /** `"event":{"dataset":…,"ingested":…` (left open for parsed event fields). */
  eventHead(dataset: string): string;
  /** `"aws":{"cloudwatch":{"log_group":…,"log_stream":…,"event_id":` (the id follows). */
  readonly cloudWatchHead: string;
  /** `,"cloud":{…}` for the region, or '' when there is neither account nor region. */
  cloud(region: string | undefined): string;
}

const envelopes = new WeakMap<DocumentContext, Envelope>();

function envelopeOf(context: DocumentContext): Envelope {
  let envelope = envelopes.get(context);
  if (envelope === undefined) {
    envelope = newEnvelope(context);
    envelopes.set(context, envelope);
  }
  return envelope;
}

function newEnvelope(context: DocumentContext): Envelope {
  const { batch, ingested } = context;
  const eventHeads = new Map<string, string>();
  const clouds = new Map<string | undefined, string>();
  const account = batch.owner !== '' ? `"account":{"id":${JSON.stringify(batch.owner)}}` : undefined;
  return {
    eventHead(dataset) {
      let head = eventHeads.get(dataset);
      if (head === undefined) {
        head = `"event":{"dataset":${JSON.stringify(dataset)},"ingested":${JSON.stringify(ingested)}`;
        eventHeads.set(dataset, head);
      }
      return head;
    },
    cloudWatchHead: `"aws":{"cloudwatch":{"log_group":${JSON.stringify(batch.logGroup)},"log_stream":${JSON.stringify(batch.logStream)},"event_id":`,
    cloud(region) {
      let cloud = clouds.get(region);
      if (cloud === undefined) {
        const parts = [...(account !== undefined ? [account] : []), ...(region !== undefined ? [`"region":${JSON.stringify(region)}`] : [])];
        cloud = parts.length === 0 ? '' : `,"cloud":{${parts.join(',')}}`;
        clouds.set(region, cloud);
      }
      return cloud;
    },
  };
}
