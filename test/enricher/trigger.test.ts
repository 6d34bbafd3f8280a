import { describe, expect, it } from 'vitest';
import { describeTrigger } from '../../functions/enricher/trigger';

const scheduled = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-22T12:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/cwl-enricher'],
  detail: {},
};

function stateChange(currentState: string): Record<string, unknown> {
  return {
    version: '0',
    id: 'abe4f9a8-3b53-4a7f-9c2e-7a8b8f0e1234',
    'detail-type': 'Athena Query State Change',
    source: 'aws.athena',
    account: '123456789012',
    time: '2026-11-22T12:00:00Z',
    region: 'eu-west-1',
    resources: [],
    detail: {
      currentState,
      previousState: 'RUNNING',
      queryExecutionId: '1e2b3c4d-0000-1111-2222-333344445555',
      sequenceNumber: '3',
      statementType: 'DML',
      versionId: '0',
      workgroupName: 'primary',
    },
  };
}

describe('describeTrigger', () => {
  it('recognises a schedule', () => {
    expect(describeTrigger(scheduled)).toEqual({ kind: 'schedule' });
  });

  it.each([
    ['SUCCEEDED', true],
    ['FAILED', true],
    ['CANCELLED', true],
    ['RUNNING', false],
    ['QUEUED', false],
  ])('an Athena state change to %s is final: %s', (state, final) => {
    expect(describeTrigger(stateChange(state))).toEqual({
      kind: 'state-change',
      queryExecutionId: '1e2b3c4d-0000-1111-2222-333344445555',
      state,
      final,
    });
  });

  it.each([[{}], [null], ['text'], [{ 'detail-type': 'Something Else', source: 'aws.athena' }]])('anything else: %j', (event) => {
    expect(describeTrigger(event)).toEqual({ kind: 'other' });
  });
});
