import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/cwl-opensearch.mjs');

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8', env: { ...process.env, AWS_REGION: 'eu-west-1' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('cwl-opensearch (the bin)', () => {
  it('replays the samples into bulk NDJSON files loadable with curl', () => {
    const out = mkdtempSync(join(tmpdir(), 'cwl-bin-'));
    const first = run(['replay', 'test/fixtures/samples', '--to', `file:${out}`]);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/Indexed 29, already present 0, retried 0, dead letters 0/);
    const files = readdirSync(out).sort();
    expect(files).toEqual([
      'cwl-athena-cloudtrail-2025.11.21.ndjson',
      'cwl-generic-2025.11.21.ndjson',
      'cwl-lambda-2025.11.21.ndjson',
      'cwl-rds-mysql-slowquery-2025.11.21.ndjson',
    ]);
    for (const file of files) {
      const lines = readFileSync(join(out, file), 'utf8').split('\n');
      expect(lines.pop()).toBe(''); // every line, the last too, ends with \n
      expect(lines.length % 2).toBe(0);
      for (let at = 0; at < lines.length; at += 2) {
        const action = JSON.parse(lines[at]!);
        expect(action.create._index).toBe(file.replace('.ndjson', ''));
        expect(JSON.parse(lines[at + 1]!)['@timestamp']).toMatch(/^2025-11-21T/);
      }
    }
    const second = run(['replay', 'test/fixtures/samples', '--to', `file:${out}`]);
    expect(second.stdout).toMatch(/Indexed 0, already present 29/);
  });

  it('parses stdin lines into documents exactly as indexed', () => {
    const input = [
      { logGroup: '/aws/lambda/fn', message: 'END RequestId: 6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44\n' },
      { logGroup: '/ecs/app', message: '{"level":"info","n":1}' },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const result = run(['parse'], input);
    expect(result.status).toBe(0);
    const documents = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(documents).toHaveLength(2);
    expect(documents[0]).toMatchObject({ event: { dataset: 'aws.lambda' }, aws: { lambda: { record_type: 'END', function_name: 'fn' } }, cloud: { region: 'eu-west-1' } });
    expect(documents[1]).toMatchObject({ event: { dataset: 'cloudwatch.generic' }, cloudwatch: { json: { level: 'info', n: 1 } } });
  });

  it('parses raw messages with --log-group and prints index and id with --meta', () => {
    const result = run(['parse', '--log-group', '/aws/lambda/fn', '--meta'], 'START RequestId: 6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44 Version: 3\n');
    const [document] = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(document._index).toMatch(/^cwl-lambda-\d{4}\.\d{2}\.\d{2}$/);
    expect(document._id).toMatch(/^raw-[0-9a-f]{40}$/);
    expect(document._source.aws.lambda).toMatchObject({ record_type: 'START', function_version: '3' });
  });

  it('names the bad input line', () => {
    const result = run(['parse'], 'not json\n');
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('cwl-opensearch: stdin line 1: not JSON; give raw messages with --log-group\n');
  });

  it('names a bad configuration variable', () => {
    const result = spawnSync(process.execPath, [BIN, 'replay', 'test/fixtures/samples'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, INDEX_PREFIX: 'Bad Prefix' } });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^cwl-opensearch: INDEX_PREFIX: "Bad Prefix" must be/);
  });

  it('writes bulk NDJSON to stdout and the summary to stderr with --to stdout', () => {
    const result = run(['replay', 'test/fixtures/samples/lambda-json.awslogs.json', '--to', 'stdout']);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(JSON.parse(lines[0]!)).toEqual({ create: { _index: 'cwl-lambda-2025.11.21', _id: expect.any(String) } });
    expect(result.stderr).toMatch(/Indexed 3/);
  });

  it.each([['replay'], ['parse']])('has --help for %s', (command) => {
    const result = run([command, '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`Usage: cwl-opensearch ${command}`));
  });
});
