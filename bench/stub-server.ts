// Child process for the benchmark: a stand-in for OpenSearch's _bulk on 127.0.0.1 that
// reads each body (gunzipping it when sent gzipped, as a node would), counts its action
// lines and answers every item 201. Runs apart so its work is not the shipper's.
import { createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

const replies = new Map<number, string>();

function reply(items: number): string {
  let text = replies.get(items);
  if (text === undefined) {
    text = JSON.stringify({ errors: false, items: Array.from({ length: items }, () => ({ create: { status: 201 } })) });
    replies.set(items, text);
  }
  return text;
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const raw = Buffer.concat(chunks);
    const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
    let lines = 0;
    for (let at = body.indexOf(10); at !== -1; at = body.indexOf(10, at + 1)) lines += 1;
    // An action line and a source line per document (the floor's single lines count half).
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(reply(Math.ceil(lines / 2)));
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`${typeof address === 'object' && address !== null ? address.port : 0}\n`);
});
process.on('disconnect', () => server.close());
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
