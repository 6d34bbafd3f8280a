import { describe, expect, it } from 'vitest';
import {
  changedFields,
  enrichmentFields,
  isFinalState,
  unavailableFields,
} from '../../functions/enricher/enrichment-fields';
import { queryExecution } from './athena-fixtures';

const GB = 1_073_741_824;

describe('enrichmentFields', () => {
  it('maps a succeeded query to every schema field', () => {
    const execution = queryExecution({
      id: 'q-1',
      state: 'SUCCEEDED',
      scannedBytes: 3 * GB,
      query: 'SELECT count(*) FROM logs',
      submitted: '2026-11-22T11:50:00.000Z',
      completed: '2026-11-22T11:51:30.000Z',
    });
    expect(enrichmentFields(execution, { query_omitted: true, query_execution_id: 'q-1' }, 5)).toEqual({
      state: 'SUCCEEDED',
      statement_type: 'DML',
      submitted_at: '2026-11-22T11:50:00.000Z',
      completed_at: '2026-11-22T11:51:30.000Z',
      data_scanned_bytes: 3 * GB,
      engine_execution_ms: 80_000,
      total_execution_ms: 90_000,
      query_queue_ms: 1_200,
      query_planning_ms: 3_400,
      service_processing_ms: 8_800,
      result_reused: false,
      // 3 GB = 3072 MB at 5 USD / 1,048,576 MB
      estimated_cost_usd: 0.0146484375,
      query: 'SELECT count(*) FROM logs',
      work_group: 'primary',
      database: 'analytics',
      catalog: 'AwsDataCatalog',
    });
  });

  it('keeps what CloudTrail wrote: query text, work group, database, catalog', () => {
    const execution = queryExecution({ id: 'q-2', state: 'SUCCEEDED', workGroup: 'analytics-team' });
    const fields = enrichmentFields(
      execution,
      { query: 'select 1', work_group: 'analytics-team', database: 'sales', catalog: 'AwsDataCatalog' },
      5,
    );
    expect(fields).not.toHaveProperty('query');
    expect(fields).not.toHaveProperty('work_group');
    expect(fields).not.toHaveProperty('database');
    expect(fields).not.toHaveProperty('catalog');
  });

  it('fills a work group CloudTrail did not name (a query in another work group)', () => {
    const fields = enrichmentFields(queryExecution({ id: 'q-3', state: 'SUCCEEDED', workGroup: 'etl' }), {}, 5);
    expect(fields.work_group).toBe('etl');
  });

  it.each([
    ['QUEUED' as const],
    ['RUNNING' as const],
  ])('a %s query gets its state and fixed facts, no moving statistics', (state) => {
    const fields = enrichmentFields(queryExecution({ id: 'q-4', state, scannedBytes: GB }), { query: 'x' }, 5);
    expect(fields).toEqual({
      state,
      statement_type: 'DML',
      submitted_at: '2026-11-22T11:50:00.000Z',
      work_group: 'primary',
      database: 'analytics',
      catalog: 'AwsDataCatalog',
    });
  });

  it('a failed query keeps its reason and costs nothing', () => {
    const fields = enrichmentFields(
      queryExecution({ id: 'q-5', state: 'FAILED', reason: 'TABLE_NOT_FOUND: line 1:15: Table awsdatacatalog.x.y does not exist', scannedBytes: 0 }),
      {},
      5,
    );
    expect(fields.state).toBe('FAILED');
    expect(fields.state_change_reason).toBe('TABLE_NOT_FOUND: line 1:15: Table awsdatacatalog.x.y does not exist');
    expect(fields.estimated_cost_usd).toBe(0);
  });

  it('a cancelled query pays for what it scanned', () => {
    const fields = enrichmentFields(
      queryExecution({ id: 'q-6', state: 'CANCELLED', reason: 'Query cancelled by user', scannedBytes: 1_099_511_627_776 }),
      {},
      5,
    );
    expect(fields.state).toBe('CANCELLED');
    expect(fields.estimated_cost_usd).toBe(5);
    expect(fields.state_change_reason).toBe('Query cancelled by user');
  });

  it('leaves out what Athena did not return', () => {
    const fields = enrichmentFields({ QueryExecutionId: 'q-7', Status: { State: 'SUCCEEDED' } }, { query: 'x', work_group: 'w' }, 5);
    expect(fields).toEqual({ state: 'SUCCEEDED' });
  });
});

describe('changedFields', () => {
  it.each([
    ['nothing differs', { state: 'SUCCEEDED', data_scanned_bytes: 5 }, { state: 'SUCCEEDED', data_scanned_bytes: 5, client: 'boto3' }, {}],
    ['a state moves on', { state: 'SUCCEEDED' }, { state: 'RUNNING' }, { state: 'SUCCEEDED' }],
    ['a new field', { completed_at: '2026-11-22T11:51:30.000Z' }, {}, { completed_at: '2026-11-22T11:51:30.000Z' }],
    ['false is a value', { result_reused: false }, {}, { result_reused: false }],
  ])('%s', (_name, desired, existing, expected) => {
    expect(changedFields(desired, existing)).toEqual(expected);
  });
});

describe('unavailableFields', () => {
  it('says why in state_change_reason', () => {
    expect(unavailableFields('INVALID_INPUT', 'QueryExecution q-9 was not found')).toEqual({
      state_change_reason: 'enrichment: BatchGetQueryExecution did not return the query (INVALID_INPUT: QueryExecution q-9 was not found)',
    });
    expect(unavailableFields(undefined, undefined)).toEqual({
      state_change_reason: 'enrichment: BatchGetQueryExecution did not return the query',
    });
  });
});

describe('isFinalState', () => {
  it.each([
    ['SUCCEEDED', true],
    ['FAILED', true],
    ['CANCELLED', true],
    ['RUNNING', false],
    ['QUEUED', false],
    [undefined, false],
  ])('%s -> %s', (state, expected) => {
    expect(isFinalState(state)).toBe(expected);
  });
});
