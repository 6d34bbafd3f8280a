import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layout shows the design (docs/layout.md): the folders it lists exist, and the
// boundaries it states hold, read from the imports of every source file.

const ROOT = join(import.meta.dirname, '../..');
const SOURCE_ROOTS = ['parsers', 'functions', 'infra', 'bin', 'bench'] as const;

function sourceFiles(folder: string): string[] {
  const full = join(ROOT, folder);
  if (!existsSync(full)) return [];
  return readdirSync(full).flatMap((name) => {
    if (name.startsWith('.') || name === 'node_modules' || name === 'cdk.out') return [];
    const path = join(folder, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|mjs|js)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module a file imports: static imports and exports, dynamic import(), require(). */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specifiers = [
    ...code.matchAll(/\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...code.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1]!);
  return [...new Set(specifiers)];
}

/** `{file, target}`: target is a root-relative path for a relative import, else the package name. */
function allImports() {
  return SOURCE_ROOTS.flatMap(sourceFiles).flatMap((file) =>
    importsOf(readFileSync(join(ROOT, file), 'utf8')).map((specifier) => ({
      file,
      specifier,
      target: specifier.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), specifier)) : specifier,
    })),
  );
}

const imports = allImports();

describe('reading imports', () => {
  it('sees static, type-only, re-exported and dynamic imports', () => {
    expect(importsOf("import { a } from './a';\nimport type { B } from '../b';\nexport { c } from './c';\nconst d = await import('../d.ts');\n// import x from 'commented';"))
      .toEqual(['./a', '../b', './c', '../d.ts']);
  });

  it('finds the sources', () => {
    expect(imports.length).toBeGreaterThan(200);
  });
});

describe('boundaries', () => {
  it('parsers/ imports nothing outside itself: no project code, no I/O, no SDK, no client', () => {
    const outside = imports.filter(
      ({ file, specifier, target }) =>
        file.startsWith('parsers/') &&
        (specifier.startsWith('.') ? !target.startsWith('parsers/') : /^(node:|@aws-sdk\/|@opensearch-project\/|@aws-lambda-powertools\/|fs$|path$)/.test(specifier)),
    );
    expect(outside).toEqual([]);
  });

  it('functions/sinks/ does not import parsers/: sinks ship documents whatever their source', () => {
    expect(imports.filter(({ file, target }) => file.startsWith('functions/sinks/') && target.startsWith('parsers'))).toEqual([]);
  });

  it('the pipeline owns the Sink port: functions/pipeline/ imports nothing from functions/sinks/', () => {
    expect(imports.filter(({ file, target }) => file.startsWith('functions/pipeline/') && target.startsWith('functions/sinks'))).toEqual([]);
  });

  it('only functions/sinks/opensearch.ts and functions/assets/ import @opensearch-project/opensearch', () => {
    const users = imports
      .filter(({ specifier }) => specifier === '@opensearch-project/opensearch' || specifier.startsWith('@opensearch-project/opensearch/'))
      .map(({ file }) => file)
      .filter((file) => file !== 'functions/sinks/opensearch.ts' && !file.startsWith('functions/assets/'));
    expect(users).toEqual([]);
  });

  it('runtime code lives in functions/: infra/ holds no Lambda handler of its own', () => {
    const handlers = sourceFiles('infra').filter((file) => /^export\s+(async\s+)?(function|const)\s+handler\b/m.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(handlers).toEqual([]);
  });
});

describe('docs/layout.md', () => {
  const layout = readFileSync(join(ROOT, 'docs/layout.md'), 'utf8');
  const tree = /```\n([\s\S]*?)```/.exec(layout)![1]!;
  /** The folders the tree names, with their parents: `functions/shipper/`, `dashboards/`, … */
  const listed = (() => {
    const folders: string[] = [];
    const parents: { indent: number; path: string }[] = [];
    for (const line of tree.split('\n')) {
      const match = /^(\s*)([\w.-]+\/)(\s|$)/.exec(line);
      if (!match) continue;
      const indent = match[1]!.length;
      while (parents.length > 0 && parents[parents.length - 1]!.indent >= indent) parents.pop();
      const path = `${parents.at(-1)?.path ?? ''}${match[2]}`;
      folders.push(path);
      parents.push({ indent, path });
    }
    return folders;
  })();

  it('names folders that exist', () => {
    expect(listed.length).toBeGreaterThan(15);
    expect(listed.filter((folder) => !existsSync(join(ROOT, folder)))).toEqual([]);
  });

  it('lists every folder of functions/ and every top-level source folder', () => {
    const functions = readdirSync(join(ROOT, 'functions')).filter((name) => statSync(join(ROOT, 'functions', name)).isDirectory());
    expect(functions.map((name) => `functions/${name}/`).filter((folder) => !listed.includes(folder))).toEqual([]);
    expect(SOURCE_ROOTS.filter((folder) => folder !== 'bin' && !listed.includes(`${folder}/`))).toEqual([]);
  });

  it('lists the data folders of dashboards/', () => {
    const data = readdirSync(join(ROOT, 'dashboards')).filter((name) => statSync(join(ROOT, 'dashboards', name)).isDirectory());
    for (const name of data) expect(tree).toContain(`${name}/`);
  });
});
