/**
 * The one module that runs user-supplied patterns: RE2 semantics (re2js, pure
 * JavaScript), so matching takes time linear in the input whatever the pattern. Node's
 * RegExp backtracks and is never used on a user's pattern.
 */
import { RE2JS } from 're2js';

/** A compiled pattern: its named captures, and a search that returns their texts. */
export interface LinearPattern {
  readonly captureNames: readonly string[];
  /** The named captures of the first match anywhere in `text`, or undefined when there is none. */
  readonly search: (text: string) => Record<string, string | undefined> | undefined;
}

/** Compiles `pattern` for RE2; throws an Error with the engine's reason when it cannot. */
export function compileLinear(pattern: string): LinearPattern {
  const compiled = RE2JS.compile(pattern);
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
