import { AthenaClient, BatchGetQueryExecutionCommand } from '@aws-sdk/client-athena';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCloudTrailBackfill, runCloudWatchBackfill, type BackfillIo } from '../../functions/backfill/run';
import { startFakeOpenSearch, type FakeOpenSearch } from '../helpers/fake-opensearch';
import { EventHistory, eventSeries } from '../cloudtrail-poller/event-history';
import { queryExecution } from '../enricher/athena-fixtures';
import { LogStore, lambdaEvents } from './log-store';

const logsMock = mockClient(CloudWatchLogsClient);
const cloudtrailMock = mockClient(CloudTrailClient);
const athenaMock = mockClient(AthenaClient);
const NOW = Date.parse('2026-11-22T12:00:00Z');
const clients = {
  logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
  cloudtrail: new CloudTrailClient({ region: 'eu-west-1' }),
  athena: new AthenaClient({ region: 'eu-west-1' }),
  limiter: async () => undefined,
};

let fake: FakeOpenSearch;
let directory: string;
let reports: string[];
let progress: { begun: string[]; events: number; stopped: number };

beforeAll(async () => {
  fake = await startFakeOpenSearch();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'backfill-run-'));
  reports = [];
  progress = { begun: [], events: 0, stopped: 0 };
  new LogStore()
    .addGroup('/aws/lambda/orders', lambdaEvents(12, '2026-11-22T06:00:00Z'))
    .addGroup('/aws/lambda/billing', lambdaEvents(7, '2026-11-22T07:00:00Z', 1))
    .addGroup('/aws/rds/instance/db-1/error')
    .install(logsMock);
});

afterEach(async () => {
  logsMock.reset();
  cloudtrailMock.reset();
  athenaMock.reset();
  fake.reset();
  await rm(directory, { recursive: true, force: true });
});

function io(): BackfillIo {
  return {
    report: (text) => reports.push(text),
    progress: {
      begin: (label) => progress.begun.push(label),
      advance: (events) => {
        progress.events += events;
      },
      stop: () => {
        progress.stopped += 1;
      },
    },
    clock: () => NOW,
    backoff: { sleep: async () => undefined },
  };
}

describe('runCloudWatchBackfill', () => {
  it('ships every matching log group into OpenSearch and prints a summary', async () => {
    const results = await runCloudWatchBackfill(
      { logGroup: ['/aws/lambda/*'], since: '1d', to: fake.url, checkpointDir: directory },
      {},
      io(),
      clients,
    );
    expect(results.map((result) => [result.logGroup, result.events])).toEqual([
      ['/aws/lambda/billing', 7],
      ['/aws/lambda/orders', 12],
    ]);
    expect(fake.count('cwl-lambda-*')).toBe(19);
    expect(progress).toMatchObject({ begun: ['/aws/lambda/billing', '/aws/lambda/orders'], events: 19, stopped: 1 });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toContain('/aws/lambda/orders: 12 events, 12 documents, 12 new, 0 already there');
    expect(reports[0]).toMatch(/2 log group\(s\), 19 events, 19 documents to OpenSearch at http:\/\/127\.0\.0\.1:\d+/);
    expect((await readdir(directory)).length).toBe(2);

    // Safe to re-run: nothing new, nothing doubled.
    await runCloudWatchBackfill({ logGroup: ['/aws/lambda/*'], since: '1d', to: fake.url, checkpointDir: directory }, {}, io(), clients);
    expect(fake.count('cwl-lambda-*')).toBe(19);
    expect(reports[1]).toContain('/aws/lambda/orders: 12 events, 12 documents, 0 new, 12 already there');
  });

  it('--dry-run lists the groups and counts, and writes nothing', async () => {
    await runCloudWatchBackfill(
      { logGroup: ['/aws/lambda/orders', '/aws/lambda/billing'], since: '1d', to: fake.url, checkpointDir: directory, dryRun: true },
      {},
      io(),
      clients,
    );
    expect(fake.requests).toHaveLength(0);
    expect(await readdir(directory)).toEqual([]);
    expect(reports[0]).toContain('/aws/lambda/orders: 12 events would be read in 2026-11-21T12:00:00.000Z .. 2026-11-22T12:00:00.000Z');
    expect(reports[0]).toContain('dry run: 2 log group(s), 19 events would be read; nothing was written');
  });

  it('checks --since before calling AWS', async () => {
    await expect(
      runCloudWatchBackfill({ logGroup: ['/aws/lambda/orders'], since: 'last week', to: fake.url, checkpointDir: directory }, {}, io(), clients),
    ).rejects.toThrow(/^--since:/);
    expect(logsMock.calls()).toHaveLength(0);
  });
});

describe('runCloudTrailBackfill', () => {
  beforeEach(() => {
    const history = new EventHistory().add(...eventSeries('ev', '2026-11-22T09:00:00Z', 30, 60_000));
    history.now = NOW;
    history.install(cloudtrailMock);
    athenaMock.on(BatchGetQueryExecutionCommand).callsFake((input: { QueryExecutionIds: string[] }) => ({
      QueryExecutions: input.QueryExecutionIds.map((id) => queryExecution({ id, state: 'SUCCEEDED', scannedBytes: 1_048_576 })),
    }));
  });

  it('ships into OpenSearch, then enriches what it shipped', async () => {
    const { enrichment } = await runCloudTrailBackfill({ since: '7d', to: fake.url, checkpointDir: directory }, {}, io(), clients);
    expect(fake.count('cwl-athena-cloudtrail-*')).toBe(30);
    expect(enrichment).toMatchObject({ pending: 30, completed: 30, updated: 30 });
    const document = fake.get('cwl-athena-cloudtrail-2026.11.22', 'ev-0000')!.source as { aws: { athena: Record<string, unknown> } };
    expect(document.aws.athena).toMatchObject({ state: 'SUCCEEDED', data_scanned_bytes: 1_048_576 });
    expect(reports[0]).toContain('CloudTrail LookupEvents (athena.amazonaws.com, eu-west-1)');
    expect(reports[0]).toContain('enrichment: 30 pending queries, 30 completed');
  });

  it('skips the enrichment for a file target, and with --no-enrich', async () => {
    const out = join(directory, 'out');
    await runCloudTrailBackfill({ since: '7d', to: `file:${out}`, checkpointDir: directory }, {}, io(), clients);
    expect(reports[0]).toContain('enrichment: skipped: only documents in OpenSearch can be enriched');
    expect((await readdir(out)).some((name) => name.startsWith('cwl-athena-cloudtrail-'))).toBe(true);

    await runCloudTrailBackfill({ since: '7d', to: fake.url, checkpointDir: directory, enrich: false, restart: true }, {}, io(), clients);
    expect(reports[1]).toContain('enrichment: skipped (--no-enrich)');
    expect(athenaMock.calls()).toHaveLength(0);
  });

  it('--dry-run counts the events over the range and writes nothing', async () => {
    await runCloudTrailBackfill({ since: '7d', to: fake.url, checkpointDir: directory, dryRun: true }, {}, io(), clients);
    expect(fake.requests).toHaveLength(0);
    expect(await readdir(directory)).toEqual([]);
    expect(athenaMock.calls()).toHaveLength(0);
    expect(reports[0]).toContain('dry run: 30 events would be read; nothing was written');
    expect(reports[0]).toContain('enrichment: skipped (dry run)');
  });

  it('refuses --since beyond the 90 days LookupEvents keeps, before calling AWS', async () => {
    await expect(runCloudTrailBackfill({ since: '120d', to: fake.url, checkpointDir: directory }, {}, io(), clients)).rejects.toThrow(
      /^--since: 2026-07-25T12:00:00\.000Z is more than 90 days ago/,
    );
    expect(cloudtrailMock.calls()).toHaveLength(0);
  });
});
