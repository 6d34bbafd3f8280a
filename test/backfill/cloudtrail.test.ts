import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import { backfillCloudTrail, type CloudTrailBackfillDeps, type CloudTrailCheckpoint } from '../../functions/backfill/cloudtrail';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { EventHistory, eventSeries } from '../cloudtrail-poller/event-history';
import { MemorySink } from './memory-sink';

const cloudtrailMock = mockClient(CloudTrailClient);
const cloudtrail = new CloudTrailClient({ region: 'eu-west-1' });
const NOW = Date.parse('2026-11-22T12:00:00Z');
const config = loadPipelineConfig({});

let history: EventHistory;
let sink: MemorySink;
let directory: string;

beforeEach(async () => {
  history = new EventHistory();
  history.now = NOW;
  history.install(cloudtrailMock);
  sink = new MemorySink();
  directory = await mkdtemp(join(tmpdir(), 'backfill-cloudtrail-'));
});

afterEach(async () => {
  cloudtrailMock.reset();
  await rm(directory, { recursive: true, force: true });
});

function deps(overrides: Partial<CloudTrailBackfillDeps> = {}): CloudTrailBackfillDeps {
  return {
    cloudtrail,
    limiter: async () => undefined,
    backoff: { sleep: async () => undefined, random: () => 0.5 },
    registry: createRegistry(),
    config,
    sink,
    region: 'eu-west-1',
    since: '7d',
    checkpointDir: directory,
    clock: () => NOW,
    ...overrides,
  };
}

async function checkpointFile(): Promise<CloudTrailCheckpoint> {
  const [name] = await readdir(directory);
  return JSON.parse(await readFile(join(directory, name!), 'utf8')) as CloudTrailCheckpoint;
}

describe('backfillCloudTrail', () => {
  it('reads the range in hourly windows and stores each event once', async () => {
    history.add(...eventSeries('ev', '2026-11-22T06:00:00Z', 300, 60_000)); // 06:00 .. 10:59, one a minute
    const result = await backfillCloudTrail({ start: Date.parse('2026-11-22T06:00:00Z'), end: NOW }, deps());
    expect(result).toMatchObject({ windows: 6, resumed: false, clamped: false });
    expect(result.sink.indexed).toBe(300);
    // Window ends are inclusive: the events on the 4 inner boundaries (07:00 .. 10:00) are read twice.
    expect(result.events).toBe(304);
    expect(result.skipped).toBe(4);
    expect(sink.ids()).toHaveLength(300);
    expect(await checkpointFile()).toMatchObject({ done: true, doneUntil: NOW });
  });

  it('resumes after a failure part way from the last complete window', async () => {
    history.add(...eventSeries('ev', '2026-11-22T06:00:00Z', 300, 60_000));
    // 06:00-07:00 is one call with 61 events (two pages), 07:00-08:00 likewise; fail on the 5th call.
    history.failures.set(5, Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(backfillCloudTrail({ start: Date.parse('2026-11-22T06:00:00Z'), end: NOW }, deps())).rejects.toThrow(/not authorized/);
    expect(await checkpointFile()).toMatchObject({ done: false, doneUntil: Date.parse('2026-11-22T08:00:00Z') });

    const calls = cloudtrailMock.commandCalls(LookupEventsCommand).length;
    const resumed = await backfillCloudTrail({ start: Date.parse('2026-11-22T06:00:00Z'), end: NOW }, deps());
    expect(resumed.resumed).toBe(true);
    const firstResumedCall = cloudtrailMock.commandCalls(LookupEventsCommand)[calls]!.args[0].input;
    expect(firstResumedCall.StartTime).toEqual(new Date('2026-11-22T08:00:00Z'));
    expect(sink.ids()).toHaveLength(300);
  });

  it('moves a --since older than 90 days up to what LookupEvents keeps', async () => {
    const result = await backfillCloudTrail({ start: NOW - 120 * 86_400_000, end: NOW - 89 * 86_400_000 }, deps({ sliceMs: 86_400_000 }));
    expect(result.clamped).toBe(true);
    expect(result.range.start).toBeGreaterThan(NOW - 90 * 86_400_000);
    const first = cloudtrailMock.commandCalls(LookupEventsCommand)[0]!.args[0].input;
    expect(first.StartTime!.getTime()).toBe(result.range.start);
  });
});
