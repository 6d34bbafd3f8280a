import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { BULK_GZIP_LEVEL } from '../functions/sinks/bulk-request';

const gzipAsync = promisify(gzip);

/** The stub _bulk server in its own process; `stop()` ends it. */
export async function startStub(node: string, file: string): Promise<{ url: string; stop: () => void; child: ChildProcess }> {
  const child = spawn(node, [file], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (data: Buffer) => resolve(data.toString('utf8').trim()));
    child.once('error', reject);
  });
  return { url: `http://127.0.0.1:${port}`, child, stop: () => child.stdin!.end() };
}

/**
 * The floor's HTTP half: gzip at the sink's level and one POST to the stub, the least any
 * shipper with compression on must add to the floor. Resolves with the reply's status.
 */
export async function postGzipped(url: string, ndjson: string, agent?: import('node:http').Agent): Promise<number> {
  const body = await gzipAsync(ndjson, { level: BULK_GZIP_LEVEL });
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${url}/_bulk`,
      { method: 'POST', agent, headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip', 'content-length': body.length } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
