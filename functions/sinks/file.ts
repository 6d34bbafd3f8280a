import { createReadStream, existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PipelineError } from '../pipeline/errors';
import type { LogDocument } from '../pipeline/types';
import { encodeDocument } from './bulk-body';
import { emptyOutcome, type Sink, type SinkOutcome } from '../pipeline/sink';

/**
 * The embedded default: one bulk NDJSON file per index (`<dir>/<index>.ndjson`), loadable
 * as is with `curl -H 'Content-Type: application/x-ndjson' --data-binary @<file> <url>/_bulk`.
 * It behaves like `create` on a cluster: an id already in the file is a duplicate and is
 * not written again, so replaying the same batch never duplicates.
 */
export class FileSink implements Sink {
  private readonly idsByIndex = new Map<string, Set<string>>();

  constructor(readonly directory: string) {}

  async write(documents: readonly LogDocument[]): Promise<SinkOutcome> {
    const outcome = emptyOutcome();
    const pairsByIndex = new Map<string, Buffer[]>();
    for (const document of documents) {
      const ids = await this.idsOf(document.index);
      outcome.byIndex[document.index] = (outcome.byIndex[document.index] ?? 0) + 1;
      if (ids.has(document.id)) {
        outcome.duplicates += 1;
        continue;
      }
      ids.add(document.id);
      outcome.indexed += 1;
      let pairs = pairsByIndex.get(document.index);
      if (pairs === undefined) pairsByIndex.set(document.index, (pairs = []));
      // The same encoder as the OpenSearch sink: the files are exactly what _bulk would receive.
      pairs.push(encodeDocument(document).bytes);
    }
    if (pairsByIndex.size > 0) await mkdir(this.directory, { recursive: true });
    for (const [index, pairs] of pairsByIndex) {
      await appendFile(this.fileOf(index), Buffer.concat(pairs));
    }
    return outcome;
  }

  async close(): Promise<void> {}

  /** The file that holds an index. */
  fileOf(index: string): string {
    return join(this.directory, `${index}.ndjson`);
  }

  private async idsOf(index: string): Promise<Set<string>> {
    let ids = this.idsByIndex.get(index);
    if (ids === undefined) {
      ids = await readIds(this.fileOf(index));
      this.idsByIndex.set(index, ids);
    }
    return ids;
  }
}

/** Ids of the documents already in a bulk file: read from its action lines only. */
async function readIds(file: string): Promise<Set<string>> {
  const ids = new Set<string>();
  if (!existsSync(file)) return ids;
  let isAction = true;
  let number = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    number += 1;
    if (line === '') continue;
    if (isAction) {
      let action: { create?: { _id?: string } };
      try {
        action = JSON.parse(line) as typeof action;
      } catch {
        throw new PipelineError(`${file}:${number}: not a bulk action line; the output file is damaged (move it away to start afresh)`);
      }
      if (action.create?._id !== undefined) ids.add(action.create._id);
    }
    isAction = !isAction;
  }
  return ids;
}
