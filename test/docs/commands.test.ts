import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, documentationPages, readPage } from './markdown';

// The commands of the README and the user guide run as written. Blocks marked
// `<!-- runs offline -->` need no AWS and no cluster: each of their lines is run in a
// fresh folder through a shell, `npx cwl-opensearch` being this checkout's bin. Every
// other `cwl-opensearch` example is checked against its command's --help: the command
// exists and knows every option the example uses.

const BIN = join(ROOT, 'bin/cwl-opensearch.mjs');
const MARKER = '<!-- runs offline -->';

interface Block {
  readonly page: string;
  readonly offline: boolean;
  /** Commands, with `\` continuations joined. */
  readonly commands: string[];
}

function codeBlocks(page: string): Block[] {
  const blocks: Block[] = [];
  for (const match of readPage(page).matchAll(/((?:^.*\n)(?:[ \t]*\n)?)?^```([\w-]*)[^\n]*\n([\s\S]*?)^```[ \t]*$/gm)) {
    const before = (match[1] ?? '').trim();
    const text = match[3]!.replace(/\\\n\s*/g, '');
    const commands = text.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
    blocks.push({ page, offline: before === MARKER, commands });
  }
  return blocks;
}

const blocks = documentationPages().flatMap(codeBlocks);
const offline = blocks.filter((block) => block.offline).flatMap((block) => block.commands.map((command) => ({ page: block.page, command })));
const examples = blocks
  .flatMap((block) => block.commands.map((command) => ({ page: block.page, command })))
  .filter(({ command }) => /(^|\|\s*)npx cwl-opensearch /.test(command));

/** A folder with `test/` of this checkout and an `npx` that runs this checkout's bin. */
function sandbox(): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cwl-docs-'));
  symlinkSync(join(ROOT, 'test'), join(dir, 'test'));
  const shims = join(dir, '.bin');
  mkdirSync(shims);
  const npx = join(shims, 'npx');
  writeFileSync(npx, `#!/bin/sh\nif [ "$1" = cwl-opensearch ]; then shift; exec "${process.execPath}" "${BIN}" "$@"; fi\necho "npx $1: not available in this test" >&2; exit 127\n`);
  chmodSync(npx, 0o755);
  return { dir, path: `${shims}:${process.env.PATH ?? ''}` };
}

describe('documented commands that need no AWS', () => {
  it('are found (each marked block holds commands)', () => {
    expect(offline.length).toBeGreaterThanOrEqual(4);
  });

  it.each(offline)('$page: $command', ({ command }) => {
    const { dir, path } = sandbox();
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', command], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: path, HOME: dir, AWS_REGION: 'eu-west-1', AWS_EC2_METADATA_DISABLED: 'true' },
      timeout: 60_000,
    });
    expect(result.stderr).not.toMatch(/cwl-opensearch: |Error|^\s+at /m);
    expect(result.status).toBe(0);
    // Something a person can read came out: documents, or the summary of a replay.
    expect(`${result.stdout}${result.stderr}`).toMatch(/"@timestamp"|"_source"|"create"|Indexed \d+/);
  });
});

describe('every documented cwl-opensearch example', () => {
  const helps = new Map<string, string>();
  const helpOf = (words: string[]): string => {
    const key = words.join(' ');
    if (!helps.has(key)) {
      const result = spawnSync(process.execPath, [BIN, ...words, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      helps.set(key, result.status === 0 ? result.stdout : '');
    }
    return helps.get(key)!;
  };

  it('are found', () => {
    expect(examples.length).toBeGreaterThanOrEqual(10);
  });

  it.each(examples)('$page: $command', ({ command }) => {
    // The invocation alone: from the command name to a following pipe, redirect or comment.
    const invocation = command.slice(command.indexOf('npx cwl-opensearch ') + 'npx cwl-opensearch '.length).split(/\s[|<>#]/)[0]!;
    const words = invocation.split(/\s+/);
    const path = ['backfill', 'assets'].includes(words[0]!) ? words.slice(0, 2) : words.slice(0, 1);
    const help = helpOf(path);
    expect(help, `no command "${path.join(' ')}"`).toMatch(new RegExp(`Usage: cwl-opensearch ${path.join(' ')}`));
    const options = [...invocation.matchAll(/(?:^|[\s[])(--[a-z][a-z-]*|-[a-zA-Z])(?=[\s=\]]|$)/g)].map((match) => match[1]!);
    const unknown = options.filter((option) => !new RegExp(`(^|[\\s,])${option}(?=[\\s,]|$)`, 'm').test(help));
    expect(unknown).toEqual([]);
  });
});
