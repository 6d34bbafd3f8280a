import { readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli';

// Nothing lost, nothing duplicated: the same event gets the same time, index and id
// whatever the file's metadata, and a file is read as what it is.

const REQUEST = '6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44';
/** A Lambda text log: only the function's own line writes a time; the platform lines do not. */
const LAMBDA_TEXT = [
  `START RequestId: ${REQUEST} Version: $LATEST`,
  `2026-11-21T23:59:59.900Z\t${REQUEST}\tINFO\thello`,
  `END RequestId: ${REQUEST}`,
  `REPORT RequestId: ${REQUEST}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 64 MB\t`,
  '',
].join('\n');

/** `{_index, _id, @timestamp}` of every document in a file target's folder. */
function stored(out: string) {
  return readdirSync(out).flatMap((file) => {
    const lines = readFileSync(join(out, file), 'utf8').trim().split('\n');
    const documents = [];
    for (let at = 0; at < lines.length; at += 2) {
      const { _index, _id } = JSON.parse(lines[at]!).create;
      documents.push({ _index, _id, time: JSON.parse(lines[at + 1]!)['@timestamp'] as string, message: JSON.parse(lines[at + 1]!).message as string });
    }
    return documents;
  });
}

describe('replay: the time of a raw line comes from the stream, not the file', () => {
  it('dates platform lines by the time written nearest before them (or the first after), and a touched file changes nothing', () => {
    const dir = tempDir();
    const log = join(dir, 'fn.log');
    writeFileSync(log, LAMBDA_TEXT);
    const out = join(dir, 'out');
    const first = runCli(['replay', log, '--log-group', '/aws/lambda/fn', '--to', `file:${out}`]);
    expect(first.stderr).toBe('');
    expect(first.stdout).toMatch(/Indexed 4, already present 0/);
    // Every line of the invocation lands on the day its function line wrote, START (before it) too.
    expect(stored(out).map((document) => [document._index, document.time])).toEqual([
      ['cwl-lambda-2026.11.21', '2026-11-21T23:59:59.900Z'],
      ['cwl-lambda-2026.11.21', '2026-11-21T23:59:59.900Z'],
      ['cwl-lambda-2026.11.21', '2026-11-21T23:59:59.900Z'],
      ['cwl-lambda-2026.11.21', '2026-11-21T23:59:59.900Z'],
    ]);

    const touched = new Date('2026-01-15T00:00:00Z');
    utimesSync(log, touched, touched);
    const again = runCli(['replay', log, '--log-group', '/aws/lambda/fn', '--to', `file:${out}`]);
    expect(again.stdout).toMatch(/Indexed 0, already present 4/);
    expect(readdirSync(out)).toEqual(['cwl-lambda-2026.11.21.ndjson']);
  });

  it('refuses a file in which no line writes a time, and takes --time for it', () => {
    const dir = tempDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, 'worker started\nworker stopped\n');
    const out = join(dir, 'out');
    const refused = runCli(['replay', log, '--log-group', '/ecs/app', '--to', `file:${out}`]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/app\.log: no line of the file has a time of its own .*give --time/);

    const dated = runCli(['replay', log, '--log-group', '/ecs/app', '--time', '2026-11-21T10:00:00Z', '--to', `file:${out}`]);
    expect(dated.status).toBe(0);
    expect(stored(out).map((document) => [document._index, document.time])).toEqual([
      ['cwl-generic-2026.11.21', '2026-11-21T10:00:00.000Z'],
      ['cwl-generic-2026.11.21', '2026-11-21T10:00:00.000Z'],
    ]);
  });
});

describe('replay: ids and log groups', () => {
  it('keeps the same raw line from two log streams as two events', () => {
    const dir = tempDir();
    const log = join(dir, 'fn.log');
    writeFileSync(log, LAMBDA_TEXT);
    const out = join(dir, 'out');
    const args = ['replay', log, '--log-group', '/aws/lambda/fn', '--to', `file:${out}`];
    expect(runCli([...args, '--log-stream', 'host-a']).stdout).toMatch(/Indexed 4, already present 0/);
    expect(runCli([...args, '--log-stream', 'host-b']).stdout).toMatch(/Indexed 4, already present 0/);
    expect(new Set(stored(out).map((document) => document._id)).size).toBe(8);
  });

  it('keeps a CloudTrail file on the CloudTrail parser whatever --log-group says', () => {
    const dir = tempDir();
    const trail = readFileSync(join(import.meta.dirname, '../fixtures/samples-decoded/cloudtrail-athena.json'), 'utf8');
    const records = JSON.parse(trail).logEvents.map((event: { message: string }) => JSON.parse(event.message));
    writeFileSync(join(dir, 'records.json'), JSON.stringify({ Records: records }));
    const out = join(dir, 'out');
    const result = runCli(['replay', join(dir, 'records.json'), '--log-group', '/aws/rds/instance/db-1/slowquery', '--to', `file:${out}`]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Parse failures 0\n/);
    expect(result.stdout).not.toMatch(/slowquery/);
    expect(readdirSync(out).every((file) => !file.includes('slowquery'))).toBe(true);
    expect(readdirSync(out)).toContain('cwl-athena-cloudtrail-2025.11.21.ndjson');
  });

  it('refuses binary input with a clear error, and no hint to add --log-group', () => {
    const dir = tempDir();
    // Deterministic bytes that are no text: every value 0..255, repeated.
    writeFileSync(join(dir, 'binary.bin'), Buffer.from(Array.from({ length: 4096 }, (_, at) => (at * 37) % 256)));
    const out = join(dir, 'out');
    for (const extra of [['--log-group', '/aws/lambda/x'], []]) {
      const result = runCli(['replay', join(dir, 'binary.bin'), ...extra, '--to', `file:${out}`]);
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(/binary\.bin: binary data/);
      expect(result.stdout).not.toMatch(/--log-group/);
      expect(result.stdout).toMatch(/Indexed 0,/);
    }
    // Text without a log group still gets the hint: there it helps.
    writeFileSync(join(dir, 'text.log'), 'hello\n');
    expect(runCli(['replay', join(dir, 'text.log'), '--to', `file:${out}`]).stdout).toMatch(/text\.log: raw log text needs --log-group/);
  });
});
