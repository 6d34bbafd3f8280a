import type { AthenaClient } from '@aws-sdk/client-athena';
import type { BackoffOptions } from '../aws/backoff';
import { PipelineError } from '../pipeline/errors';
import type { OpenSearchClient } from '../sinks/opensearch';
import { fetchQueryExecutions } from './athena-statistics';
import type { EnricherConfig } from './config';
import { UNAVAILABLE_TAG, enrichmentFields, isFinalState, unavailableFields } from './enrichment-fields';
import { findPendingDocuments, type PendingDocument } from './find-pending';
import { applyUpdates, planUpdate, type PlannedUpdate } from './update-documents';

export interface SweepDeps {
  readonly opensearch: OpenSearchClient;
  readonly athena: Pick<AthenaClient, 'send'>;
  readonly config: EnricherConfig;
  readonly now?: () => Date;
  /** Epoch ms: no new page is started after it, and no backoff wait runs past it. */
  readonly deadline?: number;
  /** Backoff tuning (tests pass a fake `sleep`). */
  readonly backoff?: BackoffOptions;
  /** Start of the search instead of now minus the lookback (the CLI's backfill). */
  readonly since?: Date;
}

/** What one sweep did, in documents unless named otherwise. */
export interface SweepSummary {
  /** Pending documents found. */
  pending: number;
  /** Distinct query ids asked about. */
  queries: number;
  athenaCalls: number;
  /** Documents whose query is now in a final state. */
  completed: number;
  /** Documents whose query is still queued or running (left pending). */
  running: number;
  /** Documents Athena would not describe, now marked `athena_query_unavailable`. */
  unavailable: number;
  /** Documents left for a later sweep with no answer (throttled, partial reply, too young to give up on). */
  deferred: number;
  /** Partial updates written. */
  updated: number;
  /** Documents that already held every value (nothing written). */
  unchanged: number;
  /** Documents deleted between the search and the update. */
  missing: number;
  /** Updates OpenSearch refused; the documents stay pending. */
  failed: number;
  /** True when the deadline or the per-sweep cap cut the sweep short. */
  truncated: boolean;
}

/** Some partial updates failed; the documents stay pending and the next sweep retries them. */
export class EnrichmentError extends PipelineError {
  constructor(
    readonly summary: SweepSummary,
    options?: { cause?: unknown },
  ) {
    super(`${summary.failed} Athena enrichment update(s) failed; they stay pending for the next sweep`, options);
  }
}

export function emptySweepSummary(): SweepSummary {
  return {
    pending: 0,
    queries: 0,
    athenaCalls: 0,
    completed: 0,
    running: 0,
    unavailable: 0,
    deferred: 0,
    updated: 0,
    unchanged: 0,
    missing: 0,
    failed: 0,
    truncated: false,
  };
}

/**
 * One enrichment sweep: finds StartQueryExecution documents of the lookback window that
 * are not final, asks Athena about their queries 50 at a time, and writes the
 * `aws.athena.*` statistics into the same documents. Order does not matter: a document
 * that arrives after its query finished is found by a later sweep; a running query is
 * updated and stays pending; final documents are never selected again.
 */
export async function runSweep(deps: SweepDeps): Promise<SweepSummary> {
  const now = deps.now ?? (() => new Date());
  const { config } = deps;
  const started = now();
  const since = deps.since ?? new Date(started.getTime() - config.lookbackHours * 3_600_000);
  const summary = emptySweepSummary();
  const errors: unknown[] = [];
  const backoff: BackoffOptions = {
    ...deps.backoff,
    ...(deps.deadline !== undefined && { deadline: deps.deadline }),
  };

  const pages = findPendingDocuments(deps.opensearch, { prefix: config.prefix, since, pageSize: config.pageSize });
  for await (const page of pages) {
    const room = config.maxDocuments - summary.pending;
    const documents = page.slice(0, room);
    summary.pending += documents.length;
    const result = await enrichPage(documents, deps, backoff, now(), summary);
    errors.push(...result);
    if (documents.length < page.length || summary.pending >= config.maxDocuments || pastDeadline(deps.deadline)) {
      summary.truncated = true;
      break;
    }
  }
  if (summary.failed > 0) throw new EnrichmentError(summary, { cause: errors[0] });
  return summary;
}

async function enrichPage(
  documents: readonly PendingDocument[],
  deps: SweepDeps,
  backoff: BackoffOptions,
  now: Date,
  summary: SweepSummary,
): Promise<unknown[]> {
  if (documents.length === 0) return [];
  const { config } = deps;
  const ids = [...new Set(documents.map((document) => document.queryExecutionId))];
  summary.queries += ids.length;
  const lookup = await fetchQueryExecutions(deps.athena, ids, { backoff });
  summary.athenaCalls += lookup.calls;

  const enrichedAt = now.toISOString();
  const graceMs = config.unavailableGraceMinutes * 60_000;
  const updates: PlannedUpdate[] = [];
  const plan = (document: PendingDocument, patch: Parameters<typeof planUpdate>[1]): void => {
    const update = planUpdate(document, patch, enrichedAt);
    if (update === undefined) summary.unchanged += 1;
    else updates.push(update);
  };

  for (const document of documents) {
    const execution = lookup.executions.get(document.queryExecutionId);
    if (execution !== undefined) {
      const fields = enrichmentFields(execution, document.athena, config.pricePerTbUsd);
      if (isFinalState(fields.state)) summary.completed += 1;
      else summary.running += 1;
      plan(document, { athena: fields });
      continue;
    }
    const refused = lookup.unprocessed.get(document.queryExecutionId);
    // A query id can be briefly unknown right after StartQueryExecution; give up only later.
    const oldEnough = now.getTime() - Date.parse(document.timestamp) >= graceMs;
    if (refused !== undefined && !refused.retryable && oldEnough) {
      summary.unavailable += 1;
      plan(document, { athena: unavailableFields(refused.code, refused.message), addTags: [UNAVAILABLE_TAG] });
    } else {
      summary.deferred += 1;
    }
  }

  const outcome = await applyUpdates(deps.opensearch, updates);
  summary.updated += outcome.updated;
  summary.missing += outcome.missing;
  summary.failed += outcome.failed.length;
  return outcome.failed.map((failure) => failure.error);
}

function pastDeadline(deadline: number | undefined): boolean {
  return deadline !== undefined && Date.now() >= deadline;
}
