import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Default folder of backfill checkpoints (in `.gitignore`). */
export const CHECKPOINT_DIR = '.backfill-checkpoints';

/**
 * The file of one backfill run: named by its kind and a hash of what identifies it (log
 * group, `--since` and `--until` as typed), so that re-running the same command finds it.
 */
export function checkpointPath(directory: string, kind: string, key: readonly string[]): string {
  const hash = createHash('sha256').update(JSON.stringify([kind, ...key])).digest('hex').slice(0, 16);
  const label = (key[0] ?? kind).replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return join(directory, `${kind}-${label || 'run'}-${hash}.json`);
}

/** Reads a checkpoint, or undefined when there is none (or it is unreadable: start over). */
export async function readCheckpointFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/** Writes a checkpoint atomically (temporary file, then rename), so an interrupt never leaves half a file. */
export async function writeCheckpointFile(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, 'utf8');
  await rename(temporary, path);
}
