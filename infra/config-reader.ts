/**
 * A small reader for untyped JSON configuration that collects every problem with the
 * path of the field at fault, so one synth reports all mistakes at once.
 */

/** The configuration is wrong; `issues` are lines of the form `<field>: <problem>`. */
export class InvalidConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`Invalid configuration (${source}):\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'InvalidConfigError';
  }
}

interface Common<T> {
  /** Used when the field is absent; without it the field is required. */
  readonly default?: T;
}

interface StringRule extends Common<string> {
  readonly pattern?: RegExp;
  /** Says what a valid value looks like, in the message for a value that does not match `pattern`. */
  readonly hint?: string;
  readonly maxLength?: number;
}

interface NumberRule extends Common<number> {
  readonly min: number;
  readonly max: number;
}

/** Reads the fields of one JSON object; every accessor records the field as known. */
export class ConfigReader {
  private readonly known = new Set<string>();

  private constructor(
    private readonly value: Readonly<Record<string, unknown>>,
    readonly path: string,
    private readonly issues: string[],
  ) {}

  /** A reader for the top-level object; a non-object is itself an issue. */
  static root(raw: unknown, issues: string[]): ConfigReader {
    if (!isRecord(raw)) {
      issues.push('(root): must be a JSON object');
      return new ConfigReader({}, '', issues);
    }
    return new ConfigReader(raw, '', issues);
  }

  /** The dotted path of a field of this object. */
  field(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  /** Records a problem with a field. */
  fail(key: string, message: string): void {
    this.issues.push(`${this.field(key)}: ${message}`);
  }

  has(key: string): boolean {
    this.known.add(key);
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  /** A field's value as written (absent = undefined), for data another module validates. */
  raw(key: string): unknown {
    this.known.add(key);
    return this.value[key] ?? undefined;
  }

  /** A nested object (absent = empty object). */
  object(key: string): ConfigReader {
    this.known.add(key);
    const value = this.value[key];
    if (value === undefined || value === null) return new ConfigReader({}, this.field(key), this.issues);
    if (!isRecord(value)) {
      this.fail(key, `must be an object, got ${describe(value)}`);
      return new ConfigReader({}, this.field(key), this.issues);
    }
    return new ConfigReader(value, this.field(key), this.issues);
  }

  string(key: string, rule: StringRule & { readonly default: string }): string;
  string(key: string, rule?: StringRule): string | undefined;
  string(key: string, rule: StringRule = {}): string | undefined {
    const value = this.take(key, rule.default);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.wrong(key, 'a string', value);
    if (rule.maxLength !== undefined && value.length > rule.maxLength) {
      this.fail(key, `must be at most ${rule.maxLength} characters (got ${value.length})`);
      return undefined;
    }
    if (rule.pattern && !rule.pattern.test(value)) {
      this.fail(key, `${JSON.stringify(value)} is not valid${rule.hint ? `: ${rule.hint}` : ''}`);
      return undefined;
    }
    return value;
  }

  /** One of a fixed set of strings. */
  choice<const T extends readonly string[]>(key: string, choices: T, fallback?: T[number]): T[number] | undefined {
    const value = this.take(key, fallback);
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      this.fail(key, `must be one of ${choices.map((choice) => JSON.stringify(choice)).join(', ')}, got ${describe(value)}`);
      return undefined;
    }
    return value as T[number];
  }

  integer(key: string, rule: NumberRule & { readonly default: number }): number;
  integer(key: string, rule: NumberRule): number | undefined;
  integer(key: string, rule: NumberRule): number | undefined {
    const value = this.number(key, rule);
    if (value !== undefined && !Number.isInteger(value)) {
      this.fail(key, `must be a whole number, got ${value}`);
      return undefined;
    }
    return value;
  }

  number(key: string, rule: NumberRule & { readonly default: number }): number;
  number(key: string, rule: NumberRule): number | undefined;
  number(key: string, rule: NumberRule): number | undefined {
    const value = this.take(key, rule.default);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.wrong(key, 'a number', value);
    if (value < rule.min || value > rule.max) {
      this.fail(key, `must be between ${rule.min} and ${rule.max}, got ${value}`);
      return undefined;
    }
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.take(key, fallback);
    if (typeof value !== 'boolean') {
      this.wrong(key, 'true or false', value);
      return fallback;
    }
    return value;
  }

  /** A list of strings (absent = `fallback`); each item checked against `rule`. */
  strings(key: string, fallback: readonly string[], rule: Omit<StringRule, 'default'> = {}): string[] {
    const value = this.take(key, fallback);
    if (!Array.isArray(value)) {
      this.wrong(key, 'a list of strings', value);
      return [...fallback];
    }
    const items: string[] = [];
    value.forEach((item: unknown, position) => {
      const path = `${key}[${position}]`;
      if (typeof item !== 'string' || item === '') {
        this.fail(path, `must be a non-empty string, got ${describe(item)}`);
      } else if (rule.maxLength !== undefined && item.length > rule.maxLength) {
        this.fail(path, `must be at most ${rule.maxLength} characters (got ${item.length})`);
      } else if (rule.pattern && !rule.pattern.test(item)) {
        this.fail(path, `${JSON.stringify(item)} is not valid${rule.hint ? `: ${rule.hint}` : ''}`);
      } else {
        items.push(item);
      }
    });
    return items;
  }

  /** Reports fields no accessor asked for: almost always a typo. */
  rejectUnknown(): void {
    for (const key of Object.keys(this.value)) {
      if (!this.known.has(key) && !key.startsWith('//') && !key.startsWith('$')) {
        this.fail(key, `unknown field (known fields: ${[...this.known].sort().join(', ')})`);
      }
    }
  }

  private take(key: string, fallback: unknown): unknown {
    this.known.add(key);
    const value = this.value[key];
    if (value === undefined || value === null) {
      if (fallback === undefined) this.fail(key, 'is required');
      return fallback;
    }
    return value;
  }

  private wrong(key: string, expected: string, value: unknown): undefined {
    this.fail(key, `must be ${expected}, got ${describe(value)}`);
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
