import type { QueryExecution } from '@aws-sdk/client-athena';
import { estimateQueryCostUsd } from './cost';

/** States after which nothing about a query changes any more. */
export const FINAL_STATES = ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

/** CloudTrail's placeholder for a query text it does not log. */
export const OMITTED_QUERY = '***OMITTED***';

/** Marks a document whose query Athena cannot describe (see `unavailableFields`). */
export const UNAVAILABLE_TAG = 'athena_query_unavailable';

/** The `aws.athena` object of a stored document, as read back. */
export type AthenaFields = Readonly<Record<string, unknown>>;

/** True for SUCCEEDED, FAILED and CANCELLED. */
export function isFinalState(state: unknown): boolean {
  return typeof state === 'string' && (FINAL_STATES as readonly string[]).includes(state);
}

/**
 * The `aws.athena.*` values an execution gives a StartQueryExecution document (schema.md).
 * A query still queued or running gets its state and what is already fixed (submission
 * time, statement type, text), not its moving statistics. The text, work group, database
 * and catalog fill only what CloudTrail left absent or omitted; they never overwrite it.
 */
export function enrichmentFields(
  execution: QueryExecution,
  existing: AthenaFields,
  pricePerTbUsd: number,
): Record<string, unknown> {
  const status = execution.Status ?? {};
  const statistics = execution.Statistics ?? {};
  const state = status.State;
  const final = isFinalState(state);
  const fields: Record<string, unknown> = {};
  const set = (key: string, value: unknown): void => {
    if (value !== undefined && value !== null && value !== '') fields[key] = value;
  };

  set('state', state);
  set('statement_type', execution.StatementType);
  set('submitted_at', isoDate(status.SubmissionDateTime));
  if (final) {
    set('state_change_reason', status.StateChangeReason ?? status.AthenaError?.ErrorMessage);
    set('completed_at', isoDate(status.CompletionDateTime));
    set('data_scanned_bytes', integer(statistics.DataScannedInBytes));
    set('engine_execution_ms', integer(statistics.EngineExecutionTimeInMillis));
    set('total_execution_ms', integer(statistics.TotalExecutionTimeInMillis));
    set('query_queue_ms', integer(statistics.QueryQueueTimeInMillis));
    set('query_planning_ms', integer(statistics.QueryPlanningTimeInMillis));
    set('service_processing_ms', integer(statistics.ServiceProcessingTimeInMillis));
    set('result_reused', statistics.ResultReuseInformation?.ReusedPreviousResult);
    set(
      'estimated_cost_usd',
      estimateQueryCostUsd(
        {
          state,
          statementType: execution.StatementType,
          scannedBytes: integer(statistics.DataScannedInBytes),
          resultReused: statistics.ResultReuseInformation?.ReusedPreviousResult,
        },
        pricePerTbUsd,
      ),
    );
  }
  if (isMissingQuery(existing)) set('query', execution.Query);
  if (existing.work_group === undefined) set('work_group', execution.WorkGroup);
  if (existing.database === undefined) set('database', execution.QueryExecutionContext?.Database);
  if (existing.catalog === undefined) set('catalog', execution.QueryExecutionContext?.Catalog);
  return fields;
}

/** The fields that mark a query Athena will not describe, so the sweep stops asking. */
export function unavailableFields(code: string | undefined, message: string | undefined): Record<string, unknown> {
  const reason = [code, message].filter((part) => part !== undefined && part !== '').join(': ');
  return { state_change_reason: `enrichment: BatchGetQueryExecution did not return the query${reason ? ` (${reason})` : ''}` };
}

/** The entries of `desired` whose value differs from `existing` (scalars; arrays compared by value). */
export function changedFields(desired: Record<string, unknown>, existing: AthenaFields): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(desired)) {
    if (!sameValue(value, existing[key])) changed[key] = value;
  }
  return changed;
}

function isMissingQuery(existing: AthenaFields): boolean {
  return existing.query === undefined || existing.query === OMITTED_QUERY;
}

function sameValue(left: unknown, right: unknown): boolean {
  if (Array.isArray(left) || Array.isArray(right)) return JSON.stringify(left) === JSON.stringify(right);
  return left === right;
}

function isoDate(value: Date | undefined): string | undefined {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString() : undefined;
}

function integer(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : undefined;
}
