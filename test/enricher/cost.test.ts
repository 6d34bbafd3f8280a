import { describe, expect, it } from 'vitest';
import { billedMegabytes, estimateQueryCostUsd, estimateScanCostUsd } from '../../functions/enricher/cost';

const MB = 1_048_576;
const TB = 1_099_511_627_776;
// 10 MB at 5 USD per TB (1,048,576 MB): 50 / 1,048,576.
const TEN_MB_AT_5_USD = 0.0000476837158203125;

describe('billedMegabytes', () => {
  it.each([
    ['0 bytes', 0, 10],
    ['1 byte', 1, 10],
    ['exactly 1 MB', MB, 10],
    ['just under 10 MB', 10 * MB - 1, 10],
    ['exactly 10 MB', 10 * MB, 10],
    ['10 MB and 1 byte', 10 * MB + 1, 11],
    ['exactly 1 TB', TB, 1_048_576],
    ['1 TB and 1 byte', TB + 1, 1_048_577],
  ])('%s -> %d MB', (_name, bytes, expected) => {
    expect(billedMegabytes(bytes)).toBe(expected);
  });

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('refuses %s', (bytes) => {
    expect(() => billedMegabytes(bytes)).toThrow(RangeError);
  });
});

describe('estimateScanCostUsd', () => {
  it.each([
    ['0 bytes: the 10 MB minimum', 0, 5, TEN_MB_AT_5_USD],
    ['under 10 MB: the minimum', 3 * MB + 17, 5, TEN_MB_AT_5_USD],
    ['exactly 1 MB: the minimum', MB, 5, TEN_MB_AT_5_USD],
    ['11 MB after rounding up', 10 * MB + 1, 5, 0.00005245208740234375],
    ['a terabyte', TB, 5, 5],
    ['a terabyte at 6.75 USD', TB, 6.75, 6.75],
    ['100 GB', 100 * 1024 * MB, 5, 0.48828125],
    ['a free price', TB, 0, 0],
  ])('%s', (_name, bytes, price, expected) => {
    expect(estimateScanCostUsd(bytes, price)).toBeCloseTo(expected, 15);
  });
});

describe('estimateQueryCostUsd', () => {
  it.each([
    ['succeeded DML pays its scan', { state: 'SUCCEEDED', statementType: 'DML', scannedBytes: TB }, 5],
    ['succeeded with 0 bytes pays the minimum', { state: 'SUCCEEDED', statementType: 'DML', scannedBytes: 0 }, TEN_MB_AT_5_USD],
    ['cancelled pays what it scanned', { state: 'CANCELLED', statementType: 'DML', scannedBytes: 2 * TB }, 10],
    ['failed is free', { state: 'FAILED', statementType: 'DML', scannedBytes: TB }, 0],
    ['DDL is free', { state: 'SUCCEEDED', statementType: 'DDL', scannedBytes: 0 }, 0],
    ['a reused result is free', { state: 'SUCCEEDED', statementType: 'DML', scannedBytes: 0, resultReused: true }, 0],
    ['running: unknown yet', { state: 'RUNNING', statementType: 'DML', scannedBytes: MB }, undefined],
    ['queued: unknown yet', { state: 'QUEUED' }, undefined],
    ['succeeded without statistics: unknown', { state: 'SUCCEEDED', statementType: 'DML' }, undefined],
  ])('%s', (_name, query, expected) => {
    const cost = estimateQueryCostUsd(query, 5);
    if (expected === undefined) expect(cost).toBeUndefined();
    else expect(cost).toBeCloseTo(expected, 15);
  });
});
