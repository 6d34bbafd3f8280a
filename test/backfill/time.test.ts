import { describe, expect, it } from 'vitest';
import { parseTimeArgument, parseTimeRange } from '../../functions/backfill/time';
import { ConfigError } from '../../functions/pipeline/errors';

const NOW = Date.parse('2026-11-22T12:00:00.000Z');

describe('parseTimeArgument', () => {
  it.each([
    ['now', '2026-11-22T12:00:00.000Z'],
    ['30m', '2026-11-22T11:30:00.000Z'],
    ['12h', '2026-11-22T00:00:00.000Z'],
    ['7d', '2026-11-15T12:00:00.000Z'],
    ['2w', '2026-11-08T12:00:00.000Z'],
    ['90s', '2026-11-22T11:58:30.000Z'],
    ['7D', '2026-11-15T12:00:00.000Z'],
    ['2026-11-01T00:00:00Z', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T02:00:00+02:00', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T06:30', '2026-11-01T06:30:00.000Z'],
    ['2026-11-01 06:30:00', '2026-11-01T06:30:00.000Z'],
  ])('%s -> %s', (value, expected) => {
    expect(new Date(parseTimeArgument(value, NOW, '--since')).toISOString()).toBe(expected);
  });

  it.each([['7'], ['7x'], ['yesterday'], ['2026-13-45'], ['']])('refuses %j, naming the option', (value) => {
    expect(() => parseTimeArgument(value, NOW, '--since')).toThrow(ConfigError);
    expect(() => parseTimeArgument(value, NOW, '--since')).toThrow(/^--since:/);
  });
});

describe('parseTimeRange', () => {
  it('defaults --until to now', () => {
    expect(parseTimeRange('1h', undefined, NOW)).toEqual({ start: NOW - 3_600_000, end: NOW });
  });

  it('refuses a range that ends before it starts', () => {
    expect(() => parseTimeRange('1h', '2h', NOW)).toThrow(/is not before --until/);
  });
});
