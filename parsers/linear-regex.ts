/**
 * The one module that runs user-supplied patterns: RE2 semantics (re2js, pure
 * JavaScript), so matching takes time linear in the input whatever the pattern. Node's
 * RegExp backtracks and is never used on a user's pattern.
 */
import type { RE2JS } from 're2js';

/** A compiled pattern: its named captures, and a search that returns their texts. */
export interface LinearPattern {
  readonly captureNames: readonly string[];
  /** The named captures of the first match anywhere in `text`, or undefined when there is none. */
  readonly search: (text: string) => Record<string, string | undefined> | undefined;
}

/** Compiles `pattern` for RE2; throws an Error with the engine's reason when it cannot. */
export function compileLinear(pattern: string): LinearPattern {
  const compiled = engine().compile(pattern);
  const captureNames = Object.keys(compiled.namedGroups());
  return {
    captureNames,
    search(text) {
      const matcher = compiled.matcher(text);
      if (!matcher.find()) return undefined;
      const captures: Record<string, string | undefined> = {};
      for (const name of captureNames) captures[name] = matcher.group(name) ?? undefined;
      return captures;
    },
  };
}

let loaded: typeof RE2JS | undefined;

/**
 * re2js, loaded on the first compile rather than with this module: a function whose
 * configuration defines no user parser never evaluates its 150 KB at cold start. In a
 * bundle esbuild turns this `require` into the bundled module, initialised on that call
 * (the functions' ESM bundles define `require`). Unbundled ESM (the tsx CLI) has no
 * `require`: it makes one (Node >= 20.16) through `process.getBuiltinModule`, as parsers/
 * imports no `node:` module (that rule keeps out I/O; loading a dependency reads no data).
 */
function engine(): typeof RE2JS {
  if (loaded === undefined) {
    const load = typeof require === 'function' ? () => require('re2js') : () => process.getBuiltinModule('node:module').createRequire(import.meta.url)('re2js');
    loaded = (load() as typeof import('re2js')).RE2JS;
  }
  return loaded;
}
