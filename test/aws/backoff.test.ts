import { describe, expect, it, vi } from 'vitest';
import { backoffDelay, isRetryableAwsError, isThrottlingError, withBackoff } from '../../functions/aws/backoff';

function awsError(name: string, status = 400): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('isThrottlingError / isRetryableAwsError', () => {
  it.each([
    ['ThrottlingException', awsError('ThrottlingException'), true, true],
    ['TooManyRequestsException', awsError('TooManyRequestsException'), true, true],
    ['HTTP 429', awsError('SomethingElse', 429), true, true],
    ['SDK throttling marker', Object.assign(new Error('x'), { name: 'X', $retryable: { throttling: true } }), true, true],
    ['InternalServerException', awsError('InternalServerException', 500), false, true],
    ['ServiceUnavailableException', awsError('ServiceUnavailableException', 503), false, true],
    ['HTTP 502', awsError('Whatever', 502), false, true],
    ['AccessDeniedException', awsError('AccessDeniedException'), false, false],
    ['InvalidParameterException', awsError('InvalidParameterException'), false, false],
    ['LimitExceededException (a quota, not a rate)', awsError('LimitExceededException'), false, false],
    ['a plain Error', new Error('boom'), false, false],
    ['a string', 'ThrottlingException', false, false],
  ])('%s', (_name, error, throttling, retryable) => {
    expect(isThrottlingError(error)).toBe(throttling);
    expect(isRetryableAwsError(error)).toBe(retryable);
  });
});

describe('backoffDelay', () => {
  it.each([
    [1, 250],
    [2, 500],
    [3, 1_000],
    [8, 20_000],
    [20, 20_000],
  ])('attempt %d at full jitter ceiling -> %d ms', (attempt, expected) => {
    expect(backoffDelay(attempt, { random: () => 1 })).toBe(expected);
  });

  it('jitters below the ceiling', () => {
    expect(backoffDelay(3, { random: () => 0.25 })).toBe(250);
  });
});

describe('withBackoff', () => {
  it('returns the first success after retryable failures', async () => {
    const call = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(awsError('ThrottlingException'))
      .mockRejectedValueOnce(awsError('TooManyRequestsException'))
      .mockResolvedValueOnce('ok');
    const sleep = vi.fn(async () => undefined);
    await expect(withBackoff(call, { sleep, random: () => 1 })).resolves.toBe('ok');
    expect(call).toHaveBeenCalledTimes(3);
    expect(sleep.mock.calls).toEqual([[250], [500]]);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const call = vi.fn(async () => {
      throw awsError('ThrottlingException');
    });
    await expect(withBackoff(call, { sleep: async () => undefined, maxAttempts: 4 })).rejects.toThrow('ThrottlingException');
    expect(call).toHaveBeenCalledTimes(4);
  });

  it('does not retry what a retry cannot fix', async () => {
    const call = vi.fn(async () => {
      throw awsError('AccessDeniedException');
    });
    await expect(withBackoff(call, { sleep: async () => undefined })).rejects.toThrow('AccessDeniedException');
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('does not start a wait that would end after the deadline', async () => {
    const call = vi.fn(async () => {
      throw awsError('ThrottlingException');
    });
    const sleep = vi.fn(async () => undefined);
    await expect(withBackoff(call, { sleep, random: () => 1, now: () => 1_000, deadline: 1_400 })).rejects.toThrow();
    // 250 ms fits before the deadline, 500 ms does not.
    expect(sleep.mock.calls).toEqual([[250]]);
  });
});
