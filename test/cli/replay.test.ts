import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../parsers/registry';
import { loadPipelineConfig } from '../../functions/pipeline/config';
import { buildDocuments } from '../../functions/pipeline/process';
import { FileSink } from '../../functions/sinks/file';
import { createProgress } from '../../functions/cli/progress';
import { formatReport, replayFiles } from '../../functions/cli/run-replay';
import { encodePayload, makeBatch, subscriptionEvent } from '../helpers/batches';
import { MemorySink } from '../helpers/memory-sink';

const SAMPLES = join(import.meta.dirname, '../fixtures/samples');
const config = loadPipelineConfig({});

function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'cwl-replay-'));
}

async function replay(paths: string[], extra: { logGroup?: string } = {}) {
  const sink = new MemorySink();
  const report = await replayFiles(paths, { config, sink, progress: createProgress(false), ...extra });
  return { sink, report };
}

const cloudTrailEvent = (id: string, source = 'athena.amazonaws.com') => ({
  eventVersion: '1.11',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/ana', accountId: '123456789012', userName: 'ana' },
  eventTime: '2026-11-20T10:00:00Z',
  eventSource: source,
  eventName: 'GetQueryExecution',
  awsRegion: 'eu-west-1',
  sourceIPAddress: '192.0.2.1',
  userAgent: 'aws-cli/2.22.0',
  requestParameters: { queryExecutionId: 'q-1' },
  responseElements: null,
  requestID: 'r',
  eventID: id,
  readOnly: true,
  eventType: 'AwsApiCall',
  recipientAccountId: '123456789012',
});

describe('replayFiles', () => {
  it('replays the bundled samples through the shipper', async () => {
    const { sink, report } = await replay([SAMPLES]);
    expect(report.errors).toEqual([]);
    expect(report.summary.controlMessages).toBe(1);
    expect(report.summary.received).toBe(sink.documents().length);
    const datasets = new Set(sink.documents().map((document) => document.dataset));
    expect(datasets).toEqual(new Set(['rds.mysql.slowquery', 'aws.lambda', 'aws.athena', 'cloudwatch.generic']));
    expect(report.summary.parseFailures).toBe(0);
    expect(formatReport(report, 'memory')).toMatch(/Documents per index:\n {2}cwl-athena-cloudtrail-2025\.11\.21 +5\n/);
  });

  it('reads decoded payloads, Kinesis events, NDJSON lines and CloudTrail S3 files', async () => {
    const dir = workDir();
    writeFileSync(join(dir, 'decoded.json'), JSON.stringify(makeBatch('/ecs/a', ['one', 'two'])));
    writeFileSync(
      join(dir, 'kinesis.json'),
      JSON.stringify({ Records: [{ kinesis: { data: encodePayload(makeBatch('/ecs/b', ['three'])), sequenceNumber: '1' } }] }),
    );
    writeFileSync(join(dir, 'lines.ndjson'), '{"logGroup":"/ecs/c","message":"four","timestamp":1795341601000}\n{"logGroup":"/ecs/c","message":"five"}\n');
    writeFileSync(join(dir, 'trail.json.gz'), gzipSync(JSON.stringify({ Records: [cloudTrailEvent('e-1'), cloudTrailEvent('e-2', 's3.amazonaws.com')] })));
    writeFileSync(join(dir, 'events.json'), JSON.stringify([subscriptionEvent(makeBatch('/ecs/d', ['six']))]));
    const { sink, report } = await replay([dir]);
    expect(report.errors).toEqual([]);
    const messages = sink.documents().map((document) => document.source.message);
    expect(messages).toEqual(expect.arrayContaining(['one', 'two', 'three', 'four', 'five', 'six']));
    const trail = sink.documents().filter((document) => document.source.aws && (document.source.aws as { cloudwatch: { log_group: string } }).cloudwatch.log_group === 'cloudtrail-files');
    expect(trail.map((document) => [document.id, document.dataset])).toEqual([
      ['e-1', 'aws.athena'],
      ['e-2', 'cloudwatch.generic'],
    ]);
  });

  it('keeps repeated {"logGroup","message"} lines as distinct events, batched together', async () => {
    const dir = workDir();
    const line = (message: string, logGroup = '/ecs/a') => JSON.stringify({ logGroup, message, timestamp: 1795341601000 });
    writeFileSync(join(dir, 'lines.ndjson'), [line('heartbeat ok'), line('heartbeat ok'), line('heartbeat ok'), line('other', '/ecs/b')].join('\n'));
    const { sink, report } = await replay([dir]);
    expect(report.summary.sink).toMatchObject({ indexed: 4, duplicates: 0 });
    expect(report.summary.batches).toBe(2); // one per log group, not one per line
    expect(sink.writes).toBe(2);
    const again = await replayFiles([dir], { config, sink, progress: createProgress(false) });
    expect(again.summary.sink).toMatchObject({ indexed: 0, duplicates: 4 });
  });

  it('derives ids of CloudTrail records without eventID from their content, not the path', async () => {
    const record = { ...cloudTrailEvent(''), eventID: undefined };
    const first = workDir();
    const second = workDir();
    writeFileSync(join(first, 'a.json'), JSON.stringify({ Records: [record] }));
    writeFileSync(join(second, 'renamed.json'), JSON.stringify({ Records: [record] }));
    const sink = new MemorySink();
    await replayFiles([join(first, 'a.json')], { config, sink, progress: createProgress(false) });
    const again = await replayFiles([join(second, 'renamed.json')], { config, sink, progress: createProgress(false) });
    expect(sink.documents()[0]!.id).toMatch(/^raw-[0-9a-f]{40}$/);
    expect(again.summary.sink).toMatchObject({ indexed: 0, duplicates: 1 });
  });

  it('splits a raw slow log given its log group, idempotently', async () => {
    const dir = workDir();
    const file = join(dir, 'slow.log');
    writeFileSync(
      file,
      '# Time: 2026-11-22T10:00:01.000000Z\n# User@Host: app[app] @  [10.0.0.1]  Id:     5\n# Query_time: 1.500000  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 9\nSET timestamp=1795341601;\nSELECT 1;\n' +
        '# Time: 2026-11-22T10:00:02.000000Z\n# User@Host: app[app] @  [10.0.0.1]  Id:     5\n# Query_time: 2.500000  Lock_time: 0.000000 Rows_sent: 1  Rows_examined: 9\nSET timestamp=1795341602;\nSELECT 2;\n',
    );
    const sink = new MemorySink();
    const options = { config, sink, progress: createProgress(false), logGroup: '/aws/rds/instance/db-1/slowquery' };
    await replayFiles([file], options);
    const again = await replayFiles([file], options);
    expect(sink.documents().map((document) => document.source['@timestamp'])).toEqual(['2026-11-22T10:00:01.000Z', '2026-11-22T10:00:02.000Z']);
    expect(again.summary.sink).toMatchObject({ indexed: 0, duplicates: 2 });
  });

  it('names the problem and goes on with the other files', async () => {
    const dir = workDir();
    writeFileSync(join(dir, 'a-raw.log'), 'just some text\n');
    writeFileSync(join(dir, 'b-corrupt.json'), JSON.stringify({ awslogs: { data: 'H4sI' } }));
    writeFileSync(join(dir, 'c-wrong.json'), JSON.stringify({ hello: 'world' }));
    writeFileSync(join(dir, 'd-good.json'), JSON.stringify(makeBatch('/ecs/a', ['ok'])));
    writeFileSync(join(dir, 'e-truncated.json.gz'), gzipSync(JSON.stringify(makeBatch('/ecs/a', ['x']))).subarray(0, 30));
    const { sink, report } = await replay([dir]);
    expect(report.errors).toHaveLength(4);
    expect(report.errors[3]).toMatch(/e-truncated\.json\.gz: cannot decode batch \(gzip\): .*e-truncated\.json\.gz: /);
    expect(report.errors[0]).toMatch(/a-raw\.log: raw log text needs --log-group/);
    expect(report.errors[1]).toMatch(/b-corrupt\.json: cannot decode batch \(gzip\)/);
    expect(report.errors[2]).toMatch(/c-wrong\.json: .*not a subscription event.*keys: hello/);
    expect(sink.documents()).toHaveLength(1);
  });

  it('moves the progress by bytes of the total, batch by batch, with the events they held', async () => {
    const dir = workDir();
    const file = join(dir, 'big.log');
    const text = Array.from({ length: 2500 }, (_, at) => `2026-11-21T10:00:00.000Z line ${at}`).join('\n');
    writeFileSync(file, text);
    writeFileSync(join(dir, 'small.json'), JSON.stringify(makeBatch('/ecs/a', ['one'])));
    const calls: { start?: number; steps: [number, number, number][] } = { steps: [] };
    const progress = { start: (total: number) => (calls.start = total), advance: (bytes: number, events: number, documents: number) => calls.steps.push([bytes, events, documents]), stop: () => undefined };
    const sink = new MemorySink();
    await replayFiles([dir], { config, sink, progress, logGroup: '/ecs/app' });
    const total = Buffer.byteLength(text) + Buffer.byteLength(JSON.stringify(makeBatch('/ecs/a', ['one'])));
    expect(calls.start).toBe(total);
    // The big file moves the bar three times (1000 + 1000 + 500 events), not once at its end.
    expect(calls.steps.map(([, events]) => events)).toEqual([1000, 1000, 500, 1]);
    expect(calls.steps.reduce((sum, [bytes]) => sum + bytes, 0)).toBe(total);
  });

  it('says which path does not exist', async () => {
    await expect(replay(['/nonexistent/file.json'])).rejects.toThrow('/nonexistent/file.json: no such file or directory');
  });
});

describe('the file target', () => {
  it('names a damaged output file and its line instead of blaming the input', async () => {
    const dir = workDir();
    writeFileSync(join(dir, 'cwl-generic-2026.11.22.ndjson'), '{"create":{"_index":"cwl-generic-2026.11.22","_id":"1"}}\n{}\noops\n');
    const sink = new FileSink(dir);
    const batch = makeBatch('/ecs/a', ['x']);
    const { documents } = buildDocuments(batch, { registry: createRegistry(), config });
    await expect(sink.write(documents)).rejects.toThrow(/cwl-generic-2026\.11\.22\.ndjson:3: not a bulk action line/);
  });
});
