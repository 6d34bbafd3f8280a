import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Registry } from '../../parsers/registry';
import type { PipelineConfig } from '../pipeline/config';
import { decodeSubscriptionData } from '../pipeline/decode';
import { DecodeError, PipelineError } from '../pipeline/errors';
import { processBatch } from '../pipeline/process';
import type { Sink } from '../pipeline/sink';
import { emptyFailureObjectsSummary, replayFailureObjects, type FailureBucketDeps, type FailureObjectsSummary } from './failure-bucket';
import { addStored, emptyDocumentCounts, type DocumentCounts } from './document-counts';
import { extractSubscriptionData } from './record';
import { timeLeft as timeLeftUntil } from './time-left';

export interface RedriveDeps {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly registry: Registry;
  readonly config: PipelineConfig;
  readonly sink: Sink;
  readonly region?: string;
  readonly now?: () => Date;
  /** The Kinesis path's failure bucket, replayed after the queue. @default - none */
  readonly failures?: Omit<FailureBucketDeps, 'log'>;
  /** Structured log lines (the handler passes Powertools). */
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, details: Record<string, unknown>) => void;
}

export interface RunOptions {
  /** Stop after receiving this many messages (and, separately, after this many failure-bucket objects). */
  readonly maxMessages: number;
  /** Epoch ms after which no message is received or written. */
  readonly deadline?: number;
}

/** What a run did. A message is deleted only after its documents are stored. */
export interface RedriveSummary {
  received: number;
  /** Replayed and deleted. */
  replayed: number;
  /** Left in the queue: no replayable payload, or it does not decode. */
  undecodable: number;
  /** Left in the queue: the sink could not store its documents (the run stops there). */
  failed: number;
  /** Replayed but the delete failed: it comes back, and its replay is idempotent. */
  deleteFailures: number;
  documents: DocumentCounts;
  /** The Kinesis path's failure bucket (absent without one). */
  failureObjects?: FailureObjectsSummary;
  /** The run ended before `maxMessages` because of a sink failure or the deadline. */
  stoppedEarly: boolean;
}

const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Replays the shipper's dead-letter queue through decode -> route -> parse -> document ->
 * sink, then (Kinesis path) the failed batches of the failure bucket through the shipper's
 * Kinesis code. Document ids and `create` make a replay of something already stored a no-op.
 */
export function createRedrive(deps: RedriveDeps) {
  const log = deps.log ?? (() => undefined);

  return async function run(options: RunOptions): Promise<RedriveSummary> {
    const summary: RedriveSummary = {
      received: 0,
      replayed: 0,
      undecodable: 0,
      failed: 0,
      deleteFailures: 0,
      documents: emptyDocumentCounts(),
      stoppedEarly: false,
    };
    const timeLeft = () => timeLeftUntil(options.deadline);

    while (summary.received < options.maxMessages) {
      if (timeLeft() <= 0) {
        summary.stoppedEarly = true;
        break;
      }
      const response = await deps.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: deps.queueUrl,
          MaxNumberOfMessages: Math.min(10, options.maxMessages - summary.received),
          WaitTimeSeconds: 1,
          // Hidden until this run is surely over, so no other run replays it meanwhile.
          VisibilityTimeout: visibilitySeconds(timeLeft()),
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      const messages = response.Messages ?? [];
      if (messages.length === 0) break;
      summary.received += messages.length;

      const stored: Message[] = [];
      let sinkFailed = false;
      for (const message of messages) {
        if (sinkFailed || timeLeft() <= 0) break; // left for the next run
        const outcome = await replay(message, deps, summary, log, options.deadline);
        if (outcome === 'stored') stored.push(message);
        if (outcome === 'sink-failed') sinkFailed = true;
      }
      await deleteStored(stored, deps, summary, log);
      if (sinkFailed) {
        summary.stoppedEarly = true;
        break;
      }
    }
    // A sink that just failed, or a spent time budget, would fail the bucket's objects too.
    if (deps.failures && !summary.stoppedEarly) {
      summary.failureObjects = emptyFailureObjectsSummary();
      const finished = await replayFailureObjects(
        { ...deps.failures, log },
        { maxObjects: options.maxMessages, ...(options.deadline !== undefined && { deadline: options.deadline }) },
        summary.failureObjects,
      );
      if (!finished) summary.stoppedEarly = true;
    }
    log('info', 'redrive finished', { ...summary });
    return summary;
  };
}

async function replay(
  message: Message,
  deps: RedriveDeps,
  summary: RedriveSummary,
  log: NonNullable<RedriveDeps['log']>,
  deadline: number | undefined,
): Promise<'stored' | 'undecodable' | 'sink-failed'> {
  const context = {
    messageId: message.MessageId,
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? Number.NaN),
  };
  const extracted = extractSubscriptionData(message.Body);
  if (!extracted.ok) {
    summary.undecodable += 1;
    log('warn', 'message left in the queue: nothing to replay', { ...context, reason: extracted.reason });
    return 'undecodable';
  }
  let batch;
  try {
    batch = decodeSubscriptionData(extracted.data, deps.config.maxDecompressedBytes);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    summary.undecodable += 1;
    log('warn', 'message left in the queue: payload does not decode', { ...context, reason: error.message, step: error.step });
    return 'undecodable';
  }
  try {
    const outcome = await processBatch(batch, {
      registry: deps.registry,
      config: deps.config,
      sink: deps.sink,
      ...(deps.now && { now: deps.now }),
      ...(deadline !== undefined && { deadline }),
      ...(deps.region !== undefined && { region: deps.region }),
    });
    summary.replayed += 1;
    addStored(summary.documents, outcome.sink, outcome.parseFailures);
    return 'stored';
  } catch (error) {
    if (!(error instanceof PipelineError)) throw error;
    summary.failed += 1;
    log('error', 'message left in the queue: documents not stored; stopping this run', {
      ...context,
      logGroup: batch.logGroup,
      reason: error.message,
    });
    return 'sink-failed';
  }
}

async function deleteStored(
  stored: readonly Message[],
  deps: RedriveDeps,
  summary: RedriveSummary,
  log: NonNullable<RedriveDeps['log']>,
): Promise<void> {
  if (stored.length === 0) return;
  const response = await deps.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: deps.queueUrl,
      Entries: stored.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
    }),
  );
  const failed = response.Failed ?? [];
  summary.deleteFailures += failed.length;
  if (failed.length > 0) {
    log('warn', 'replayed messages could not be deleted; they will be replayed again (idempotently)', {
      failures: failed.map((entry) => ({ messageId: stored[Number(entry.Id)]?.MessageId, code: entry.Code, message: entry.Message })),
    });
  }
}

function visibilitySeconds(timeLeftMs: number): number {
  if (!Number.isFinite(timeLeftMs)) return 900;
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(30, Math.ceil(timeLeftMs / 1000) + 60));
}
