import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS_ROOT } from './required-cases';
import { filesUnder, stringsOf } from './corpus-files';
import { splitEntries } from './slowlog-entries';

/**
 * Every message of one source the readFully tests run on: the shared corpus (read in
 * place) and this project's bundled samples and fixtures, each with the log group and
 * stream its batch had (the Lambda parser takes the function's version from the stream).
 */
export interface SourceMessages {
  readonly label: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly messages: readonly string[];
}

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const LAMBDA_GROUP = '/aws/lambda/orders-api';
const LAMBDA_STREAM = '2026/11/22/[$LATEST]8f3e2d1c0b9a48776655443322110000';
const SLOWQUERY_GROUP = '/aws/rds/instance/shop-db-1/slowquery';

interface Batch {
  readonly logGroup?: string;
  readonly logStream?: string;
  readonly logEvents?: readonly { readonly message: string }[];
}

/** Lambda: every string of the corpus's JSON files, the `"message"` values of its text files, and the samples' events. */
export function lambdaMessages(): SourceMessages[] {
  const sets: SourceMessages[] = [];
  for (const path of filesUnder(`${CORPUS_ROOT}lambda-report`)) {
    const text = readFileSync(path, 'utf8');
    if (path.endsWith('.json')) {
      const value = JSON.parse(text) as Batch;
      sets.push({ label: path, logGroup: value.logGroup ?? LAMBDA_GROUP, logStream: value.logStream ?? LAMBDA_STREAM, messages: stringsOf(value) });
    } else if (path.endsWith('.txt')) {
      // The AWS docs excerpts: a get-log-events reply (JSON string literals) and a console listing.
      const literals = [...text.matchAll(/"message": ("(?:[^"\\]|\\.)*")/g)].map((match) => JSON.parse(match[1]!) as string);
      sets.push({ label: path, logGroup: LAMBDA_GROUP, logStream: LAMBDA_STREAM, messages: [text, ...text.split('\n'), ...text.split('\n').map((line) => `${line}\n`), ...literals] });
    }
  }
  for (const path of [...filesUnder(`${FIXTURES}lambda`), ...filesUnder(`${FIXTURES}samples-decoded`)]) {
    if (!path.endsWith('.json') || (path.includes('samples-decoded') && !basename(path).startsWith('lambda'))) continue;
    sets.push(batchMessages(path));
  }
  return sets;
}

/** Slow query: the corpus's slow logs cut into entries, its CloudWatch payloads' events, and the samples. */
export function slowQueryMessages(): SourceMessages[] {
  const sets: SourceMessages[] = [];
  for (const path of filesUnder(`${CORPUS_ROOT}mysql-slowlog`)) {
    const text = readFileSync(path, 'utf8');
    if (path.endsWith('.json')) {
      const events: string[] = [];
      const visit = (node: unknown): void => {
        if (typeof node !== 'object' || node === null) return;
        const message = (node as { message?: unknown }).message;
        if (typeof message === 'string') events.push(message);
        Object.values(node).forEach(visit);
      };
      visit(JSON.parse(text));
      sets.push({ label: path, logGroup: SLOWQUERY_GROUP, logStream: 'corpus', messages: events });
    } else if (!path.endsWith('.md')) {
      // Each entry as RDS sends it (no trailing newline) and as a file holds it (with one).
      const entries = splitEntries(text);
      sets.push({ label: path, logGroup: SLOWQUERY_GROUP, logStream: 'corpus', messages: [...entries, ...entries.map((entry) => `${entry}\n`)] });
    }
  }
  for (const path of filesUnder(`${FIXTURES}rds-mysql-slowquery`)) {
    sets.push({ label: path, logGroup: SLOWQUERY_GROUP, logStream: 'fixture', messages: splitEntries(readFileSync(path, 'utf8')) });
  }
  for (const path of filesUnder(`${FIXTURES}samples-decoded`)) {
    if (basename(path).startsWith('rds-')) sets.push(batchMessages(path));
  }
  return sets;
}

function batchMessages(path: string): SourceMessages {
  const batch = JSON.parse(readFileSync(path, 'utf8')) as Batch;
  return {
    label: path,
    logGroup: batch.logGroup!,
    logStream: batch.logStream!,
    messages: (batch.logEvents ?? []).map((event) => event.message),
  };
}
