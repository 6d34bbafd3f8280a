import { describe, expect, it } from 'vitest';
import { hasNoKeyOrder } from '../../parsers/json-key-order';

describe('hasNoKeyOrder', () => {
  it.each([
    ['{}', true],
    ['{"a":1}', true],
    ['{"a":{"b":[1,{"c":null},[{"d":"e"}]]}}', true],
    ['[{"a":1},{"b":2}]', true],
    ['"text"', true],
    ['{"a":1,"b":2}', false],
    ['{"a":{"b":1,"c":2}}', false],
    ['{"a":[1,{"b":1,"c":2}]}', false],
  ])('%s -> %s', (json, expected) => {
    expect(hasNoKeyOrder(JSON.parse(json))).toBe(expected);
  });

  it('reads an array of 500,000 members without running out of stack', () => {
    expect(hasNoKeyOrder({ a: Array.from({ length: 500_000 }, () => ({ b: 1 })) })).toBe(true);
  });
});
