import { isFinalState } from './enrichment-fields';

/** What woke the enricher. */
export type Trigger =
  | { readonly kind: 'schedule' }
  | {
      readonly kind: 'state-change';
      readonly queryExecutionId?: string;
      readonly state?: string;
      /** Only a final state is worth a sweep; the others would find nothing new to write. */
      readonly final: boolean;
    }
  | { readonly kind: 'other' };

/**
 * Classifies the invocation event: an EventBridge schedule, an EventBridge
 * "Athena Query State Change" event, or anything else (a manual test invoke), which
 * also runs a sweep.
 */
export function describeTrigger(event: unknown): Trigger {
  if (typeof event !== 'object' || event === null) return { kind: 'other' };
  const record = event as Record<string, unknown>;
  const detailType = record['detail-type'];
  if (detailType === 'Scheduled Event') return { kind: 'schedule' };
  if (record.source === 'aws.athena' && detailType === 'Athena Query State Change') {
    const detail = (typeof record.detail === 'object' && record.detail !== null ? record.detail : {}) as Record<string, unknown>;
    const state = typeof detail.currentState === 'string' ? detail.currentState : undefined;
    const id = typeof detail.queryExecutionId === 'string' ? detail.queryExecutionId : undefined;
    return {
      kind: 'state-change',
      ...(id !== undefined && { queryExecutionId: id }),
      ...(state !== undefined && { state }),
      final: isFinalState(state),
    };
  }
  return { kind: 'other' };
}
