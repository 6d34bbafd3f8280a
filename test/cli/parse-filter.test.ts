import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli';

// `parse` is a stream filter: one output line per input line, in input order, printed as read.

const line = (logGroup: string, message: string) => JSON.stringify({ logGroup, message, timestamp: 1795341601000 });

describe('parse', () => {
  it('keeps input order across log groups', () => {
    const input = [
      line('/ecs/a', 'first'),
      line('/aws/lambda/fn', 'END RequestId: 6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44'),
      line('/ecs/a', 'third'),
      line('/ecs/b', 'fourth'),
      line('/ecs/a', 'fifth'),
    ].join('\n');
    const result = runCli(['parse'], { input });
    expect(result.status).toBe(0);
    const messages = result.stdout.trim().split('\n').map((output) => JSON.parse(output).message);
    expect(messages).toEqual(['first', 'END RequestId: 6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44', 'third', 'fourth', 'fifth']);
  });

  it('reports a bad line with its number on stderr, prints the others, and exits 1 at the end', () => {
    const input = [line('/ecs/a', 'one'), 'not json', line('/ecs/a', 'three'), '{"message":"no group"}', line('/ecs/a', 'five')].join('\n');
    const result = runCli(['parse'], { input });
    expect(result.status).toBe(1);
    expect(result.stdout.trim().split('\n').map((output) => JSON.parse(output).message)).toEqual(['one', 'three', 'five']);
    expect(result.stderr).toBe(
      'cwl-opensearch: stdin line 2: not JSON; give raw messages with --log-group\n' +
        'cwl-opensearch: stdin line 4: has no "logGroup" and no --log-group was given\n',
    );
  });

  it('prints each document as soon as its line is read (stdin still open)', async () => {
    const run = startCli(['parse']);
    const outputs: string[] = [];
    let buffered = '';
    const next = () =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no output while stdin is open')), 30_000);
        const check = () => {
          const end = buffered.indexOf('\n');
          if (end < 0) return;
          clearTimeout(timer);
          run.child.stdout.off('data', onData);
          const output = buffered.slice(0, end);
          buffered = buffered.slice(end + 1);
          resolve(output);
        };
        const onData = (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          check();
        };
        run.child.stdout.on('data', onData);
        check();
      });
    for (const message of ['alpha', 'beta']) {
      run.child.stdin.write(`${line('/ecs/a', message)}\n`);
      outputs.push(JSON.parse(await next()).message);
    }
    run.child.stdin.end();
    expect(await run.exited).toBe(0);
    expect(outputs).toEqual(['alpha', 'beta']);
  });

  it('accepts a pretty-printed CloudTrail file, as replay does', () => {
    const decoded = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/samples-decoded/cloudtrail-athena.json'), 'utf8'));
    const records = decoded.logEvents.map((event: { message: string }) => JSON.parse(event.message));
    const result = runCli(['parse', '--meta'], { input: JSON.stringify({ Records: records }, null, 2) });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const documents = result.stdout.trim().split('\n').map((output) => JSON.parse(output));
    expect(documents.map((document) => document._id)).toEqual(records.map((record: { eventID: string }) => record.eventID));
    // Athena events to the Athena index, the trail's other services to generic: as replay does.
    expect(documents.map((document) => document._index.replace(/-\d{4}\.\d{2}\.\d{2}$/, ''))).toEqual(
      records.map((record: { eventSource: string }) => (record.eventSource === 'athena.amazonaws.com' ? 'cwl-athena-cloudtrail' : 'cwl-generic')),
    );
  });

  it('dates raw lines by the time written before them, --time before the first', () => {
    const input = 'START RequestId: 6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44 Version: 1\n2026-11-21T10:00:00.500Z\t6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44\tINFO\thi\nEND RequestId: 6f7f0961-5a8e-4e59-9b3c-5e5c1d0e0a44\n';
    const result = runCli(['parse', '--log-group', '/aws/lambda/fn', '--time', '2026-11-20T00:00:00Z'], { input });
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').map((output) => JSON.parse(output)['@timestamp'])).toEqual([
      '2026-11-20T00:00:00.000Z',
      '2026-11-21T10:00:00.500Z',
      '2026-11-21T10:00:00.500Z',
    ]);
  });
});
