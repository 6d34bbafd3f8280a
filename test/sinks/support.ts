import { createOpenSearchClient } from '../../functions/sinks/opensearch';
import type { OpenSearchClient } from '../../functions/sinks/opensearch';
import { OpenSearchSink } from '../../functions/sinks/opensearch-sink';
import type { OpenSearchSinkOptions } from '../../functions/sinks/opensearch-sink';
import type { AuthMode, IndexingConfig } from '../../functions/pipeline/config';
import type { LogDocument } from '../../functions/pipeline/types';
import type { FakeOpenSearch } from '../helpers/fake-opensearch';
import type { StaticCredentials } from '../helpers/sigv4';

/** Shared set-up for the sink tests (not a test file). */

export const CREDENTIALS: StaticCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token-example',
};

export const INDEXING: IndexingConfig = {
  prefix: 'cwl',
  naming: 'per-source',
  bulkMaxBytes: 5 * 1024 * 1024,
  bulkMaxDocuments: 1000,
};

export const NOW = new Date('2026-11-22T08:00:00.000Z');
/** Dead letters take the day of the original's @timestamp: the index a document's dead letter lands in. */
export function deadLetterIndexOf(document: LogDocument): string {
  return `cwl-deadletter-${document.index.slice(-'yyyy.MM.dd'.length)}`;
}

export interface ClientSettings {
  readonly auth?: AuthMode;
  readonly compression?: boolean;
  readonly requestTimeoutMs?: number;
  readonly username?: string;
  readonly password?: string;
}

/** A client from the project's one factory, pointed at the fake. */
export function clientFor(fake: FakeOpenSearch, settings: ClientSettings = {}): OpenSearchClient {
  const auth = settings.auth ?? 'none';
  return createOpenSearchClient(
    {
      endpoint: fake.url,
      auth,
      ...(auth.startsWith('sigv4') && { region: 'eu-west-1' }),
      ...(auth === 'basic' && { username: settings.username ?? 'admin', password: settings.password ?? 'secret' }),
      compression: settings.compression ?? true,
      requestTimeoutMs: settings.requestTimeoutMs ?? 5_000,
    },
    { maxRetries: 0, credentials: async () => CREDENTIALS },
  );
}

/** A sink with instant, recorded backoff sleeps and a fixed clock. */
export function sinkFor(
  client: OpenSearchClient,
  options: Omit<Partial<OpenSearchSinkOptions>, 'indexing'> & { indexing?: Partial<IndexingConfig> } = {},
): { sink: OpenSearchSink; sleeps: number[] } {
  const sleeps: number[] = [];
  const sink = new OpenSearchSink(client, {
    now: () => NOW,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    retry: { baseDelayMs: 10, maxDelayMs: 100, maxAttempts: 6 },
    ...options,
    indexing: { ...INDEXING, ...options.indexing },
  });
  return { sink, sleeps };
}

/** `count` generic documents with ids `<prefix>0..`, spread over two daily indices. */
export function documents(count: number, prefix = 'e', extra: Record<string, unknown> = {}): LogDocument[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}${i}`;
    const day = i % 2 === 0 ? '2026.11.21' : '2026.11.22';
    return {
      index: `cwl-generic-${day}`,
      id,
      dataset: 'cloudwatch.generic',
      source: {
        '@timestamp': `${day.replaceAll('.', '-')}T10:00:00.000Z`,
        message: `message ${id}`,
        event: { dataset: 'cloudwatch.generic' },
        aws: { cloudwatch: { log_group: '/app/x', log_stream: 's', event_id: id } },
        ...extra,
      },
    };
  });
}

/** Ids of stored documents across indices matching `pattern`, with their multiplicity checked by the map. */
export function storedIds(fake: FakeOpenSearch, pattern: string): string[] {
  return fake.resolveIndices(pattern).flatMap((index) => [...(fake.indices.get(index)?.keys() ?? [])]);
}
