import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ATHENA_CLOUDTRAIL_FILTER, MAX_FILTER_PATTERN_LENGTH } from '../../functions/subscriber/filter-patterns';
import { parseAthenaCloudTrail } from '../../parsers/athena-cloudtrail';

/**
 * The trail's subscription filter must let through every event the parser keeps in the
 * Athena dataset. The pattern is checked to use only `($.path = "value")` terms joined by
 * `||` (CloudWatch Logs JSON filter syntax), which this test can evaluate exactly.
 */

const TERM = /^\(?\$\.([\w.]+) = "([^"]*)"\)?$/;

function alternatives(pattern: string): { path: string[]; value: string }[] {
  const body = /^\{ (.*) \}$/.exec(pattern)?.[1];
  if (body === undefined) throw new Error(`not a JSON filter: ${pattern}`);
  return body.split(' || ').map((term) => {
    const match = TERM.exec(term);
    if (match === null) throw new Error(`term outside what this test evaluates: ${term}`);
    return { path: match[1]!.split('.'), value: match[2]! };
  });
}

function passes(pattern: string, event: unknown): boolean {
  return alternatives(pattern).some(({ path, value }) => {
    const found = path.reduce<unknown>((object, key) => (object as Record<string, unknown> | undefined)?.[key], event);
    return found === value;
  });
}

const EVENTS = Object.values(
  JSON.parse(readFileSync(new URL('../fixtures/athena-cloudtrail/events.json', import.meta.url), 'utf8')) as Record<string, object>,
);

function invoked(eventSource: string, eventName: string, invokedBy?: string): object {
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/analyst/alice', ...(invokedBy && { invokedBy }) },
    eventTime: '2025-03-10T09:15:43Z',
    eventSource,
    eventName,
    eventID: `${eventName}-1`,
  };
}

const OTHERS = [
  invoked('glue.amazonaws.com', 'GetTable', 'athena.amazonaws.com'),
  invoked('glue.amazonaws.com', 'GetPartitions', 'athena.amazonaws.com'),
  invoked('lakeformation.amazonaws.com', 'GetDataAccess', 'athena.amazonaws.com'),
  invoked('glue.amazonaws.com', 'GetTable'),
  invoked('s3.amazonaws.com', 'GetObject', 'glue.amazonaws.com'),
  invoked('sts.amazonaws.com', 'AssumeRole'),
];

describe('ATHENA_CLOUDTRAIL_FILTER', () => {
  it('fits CloudWatch Logs pattern length', () => {
    expect(ATHENA_CLOUDTRAIL_FILTER.length).toBeLessThanOrEqual(MAX_FILTER_PATTERN_LENGTH);
  });

  it.each([...EVENTS, ...OTHERS].map((event) => [`${(event as { eventName: string }).eventName} (${(event as { eventSource: string }).eventSource})`, event] as const))(
    '%s: passes exactly when the parser keeps it in the Athena dataset',
    (_name, event) => {
      const result = parseAthenaCloudTrail(JSON.stringify(event));
      expect(result.ok).toBe(true);
      const athena = result.ok && result.belongsTo === undefined;
      expect(passes(ATHENA_CLOUDTRAIL_FILTER, event)).toBe(athena);
    },
  );

  it('passes the calls Athena made for a query', () => {
    expect(OTHERS.filter((event) => passes(ATHENA_CLOUDTRAIL_FILTER, event)).length).toBe(3);
  });
});
