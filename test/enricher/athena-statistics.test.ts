import {
  AthenaClient,
  BatchGetQueryExecutionCommand,
  InternalServerException,
  InvalidRequestException,
  TooManyRequestsException,
} from '@aws-sdk/client-athena';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BATCH_GET_LIMIT, fetchQueryExecutions } from '../../functions/enricher/athena-statistics';
import { queryExecution } from './athena-fixtures';

const athenaMock = mockClient(AthenaClient);
const athena = new AthenaClient({ region: 'eu-west-1' });

function ids(count: number, prefix = 'q'): string[] {
  return Array.from({ length: count }, (_, position) => `${prefix}-${String(position).padStart(4, '0')}`);
}

function tooManyRequests(): TooManyRequestsException {
  return new TooManyRequestsException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
}

function throttling(): Error {
  // CloudTrail, CloudWatch Logs and the SDK's generic throttling all use this name.
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
}

function answerAll(): void {
  athenaMock.on(BatchGetQueryExecutionCommand).callsFake((input: { QueryExecutionIds: string[] }) => ({
    QueryExecutions: input.QueryExecutionIds.map((id) => queryExecution({ id, state: 'SUCCEEDED' })),
    UnprocessedQueryExecutionIds: [],
  }));
}

function sentIds(): string[][] {
  return athenaMock.commandCalls(BatchGetQueryExecutionCommand).map((call) => call.args[0].input.QueryExecutionIds ?? []);
}

const noWait = { sleep: async () => undefined, random: () => 0.5 };

afterEach(() => {
  athenaMock.reset();
});

describe('fetchQueryExecutions', () => {
  it.each([
    [0, []],
    [1, [1]],
    [50, [50]],
    [51, [50, 1]],
    [120, [50, 50, 20]],
  ])('%d ids -> calls of %j ids', async (count, sizes) => {
    answerAll();
    const lookup = await fetchQueryExecutions(athena, ids(count), { backoff: noWait });
    expect(sentIds().map((chunk) => chunk.length)).toEqual(sizes);
    expect(lookup.executions.size).toBe(count);
    expect(lookup.calls).toBe(sizes.length);
    expect(BATCH_GET_LIMIT).toBe(50);
  });

  it('asks once per distinct id', async () => {
    answerAll();
    await fetchQueryExecutions(athena, ['a', 'b', 'a', 'b', 'c'], { backoff: noWait });
    expect(sentIds()).toEqual([['a', 'b', 'c']]);
  });

  it.each([
    ['TooManyRequestsException', tooManyRequests],
    ['ThrottlingException', throttling],
    ['InternalServerException', () => new InternalServerException({ message: 'try again', $metadata: { httpStatusCode: 500 } })],
  ])('retries %s with backoff, then succeeds', async (_name, error) => {
    const sleep = vi.fn(async () => undefined);
    athenaMock
      .on(BatchGetQueryExecutionCommand)
      .rejectsOnce(error())
      .rejectsOnce(error())
      .resolves({ QueryExecutions: [queryExecution({ id: 'q-1', state: 'SUCCEEDED' })] });
    const lookup = await fetchQueryExecutions(athena, ['q-1'], { backoff: { sleep, random: () => 1 } });
    expect(lookup.executions.get('q-1')?.Status?.State).toBe('SUCCEEDED');
    expect(lookup.calls).toBe(3);
    // Exponential: the second wait is twice the first (full jitter at its ceiling).
    expect(sleep.mock.calls.map((call) => (call as unknown as [number])[0])).toEqual([250, 500]);
  });

  it('leaves every remaining id unanswered when throttling outlasts the retries', async () => {
    let call = 0;
    athenaMock.on(BatchGetQueryExecutionCommand).callsFake((input: { QueryExecutionIds: string[] }) => {
      call += 1;
      if (call === 1) return { QueryExecutions: input.QueryExecutionIds.map((id) => queryExecution({ id, state: 'SUCCEEDED' })) };
      throw tooManyRequests();
    });
    const lookup = await fetchQueryExecutions(athena, ids(120), { backoff: { ...noWait, maxAttempts: 3 } });
    expect(lookup.executions.size).toBe(50);
    expect(lookup.unanswered.size).toBe(70);
    // One chunk answered, then three tries of the second; the third chunk is not tried.
    expect(lookup.calls).toBe(4);
  });

  it('stops retrying at the deadline', async () => {
    athenaMock.on(BatchGetQueryExecutionCommand).rejects(tooManyRequests());
    const sleep = vi.fn(async () => undefined);
    const lookup = await fetchQueryExecutions(athena, ['q-1'], {
      backoff: { sleep, random: () => 1, now: () => 1_000, deadline: 1_100 },
    });
    expect(sleep).not.toHaveBeenCalled();
    expect(lookup.calls).toBe(1);
    expect([...lookup.unanswered]).toEqual(['q-1']);
  });

  it('separates unknown ids, retryable refusals and partial answers', async () => {
    athenaMock.on(BatchGetQueryExecutionCommand).resolves({
      QueryExecutions: [queryExecution({ id: 'known', state: 'SUCCEEDED' })],
      UnprocessedQueryExecutionIds: [
        { QueryExecutionId: 'gone', ErrorCode: 'INVALID_INPUT', ErrorMessage: 'QueryExecution gone was not found' },
        { QueryExecutionId: 'busy', ErrorCode: 'TooManyRequestsException', ErrorMessage: 'Rate exceeded' },
      ],
    });
    const lookup = await fetchQueryExecutions(athena, ['known', 'gone', 'busy', 'silent'], { backoff: noWait });
    expect([...lookup.executions.keys()]).toEqual(['known']);
    expect(lookup.unprocessed.get('gone')).toEqual({
      code: 'INVALID_INPUT',
      message: 'QueryExecution gone was not found',
      retryable: false,
    });
    expect(lookup.unprocessed.get('busy')?.retryable).toBe(true);
    expect([...lookup.unanswered]).toEqual(['silent']);
  });

  it('isolates an id that makes the whole call invalid', async () => {
    athenaMock.on(BatchGetQueryExecutionCommand).callsFake((input: { QueryExecutionIds: string[] }) => {
      if (input.QueryExecutionIds.includes('bad id')) {
        throw new InvalidRequestException({ message: 'Invalid query execution id', $metadata: { httpStatusCode: 400 } });
      }
      return { QueryExecutions: input.QueryExecutionIds.map((id) => queryExecution({ id, state: 'SUCCEEDED' })) };
    });
    const lookup = await fetchQueryExecutions(athena, ['a', 'b', 'bad id', 'c', 'd'], { backoff: noWait });
    expect([...lookup.executions.keys()].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(lookup.unprocessed.get('bad id')).toMatchObject({ code: 'InvalidRequestException', retryable: false });
  });

  it('lets a permission error through: a person must fix it', async () => {
    athenaMock.on(BatchGetQueryExecutionCommand).rejects(
      Object.assign(new Error('not authorized to perform: athena:BatchGetQueryExecution'), { name: 'AccessDeniedException' }),
    );
    await expect(fetchQueryExecutions(athena, ['q-1'], { backoff: noWait })).rejects.toThrow(/not authorized/);
  });
});
