import { isIP } from 'node:net';
import type { AssetBundle, Json } from '../../functions/assets/types';

/**
 * A small mapping checker for tests: merges the component templates into an index
 * template the way OpenSearch composes them, flattens the result to dotted field paths,
 * and checks documents against it (unknown fields, type conflicts).
 */

export interface FieldSpec {
  readonly type: string;
  readonly index?: boolean;
  readonly ignoreMalformed?: boolean;
  /** Multi-fields, e.g. `keyword` under a text field. */
  readonly subfields: Readonly<Record<string, string>>;
}

export type FieldMap = ReadonlyMap<string, FieldSpec>;

export const SLUGS = ['rds-mysql-slowquery', 'lambda', 'athena-cloudtrail', 'generic', 'deadletter'] as const;
export type Slug = (typeof SLUGS)[number];

/** The effective mapping of `<prefix>-<slug>-*` indices: components in order, then the template's own. */
export function effectiveFields(bundle: AssetBundle, slug: string, prefix = 'cwl'): FieldMap {
  const template = bundle.indexTemplates.find((asset) => asset.name === `${prefix}-${slug}`);
  if (template === undefined) throw new Error(`no index template ${prefix}-${slug}`);
  const fields = new Map<string, FieldSpec>();
  const composed = (template.body.composed_of ?? []) as string[];
  for (const name of composed) {
    const component = bundle.componentTemplates.find((asset) => asset.name === name);
    if (component === undefined) throw new Error(`${template.name} is composed of missing ${name}`);
    addProperties(fields, mappingsOf(component.body)?.properties, '');
  }
  addProperties(fields, mappingsOf(template.body)?.properties, '');
  return fields;
}

/** The fields every dataset shares (the component templates alone). */
export function componentFields(bundle: AssetBundle): FieldMap {
  const fields = new Map<string, FieldSpec>();
  for (const component of bundle.componentTemplates) addProperties(fields, mappingsOf(component.body)?.properties, '');
  return fields;
}

/** Intersection of several field maps (fields with the same type everywhere). */
export function commonFields(maps: readonly FieldMap[]): FieldMap {
  const [first, ...rest] = maps;
  const common = new Map<string, FieldSpec>();
  for (const [path, spec] of first ?? []) {
    if (rest.every((map) => map.get(path)?.type === spec.type)) common.set(path, spec);
  }
  return common;
}

function mappingsOf(body: Json): { properties?: Json } | undefined {
  return ((body.template as Json | undefined)?.mappings ?? undefined) as { properties?: Json } | undefined;
}

function addProperties(fields: Map<string, FieldSpec>, properties: Json | undefined, prefix: string): void {
  for (const [name, raw] of Object.entries(properties ?? {})) {
    const field = raw as Json;
    const path = `${prefix}${name}`;
    if (field.properties !== undefined && field.type === undefined) {
      addProperties(fields, field.properties as Json, `${path}.`);
      continue;
    }
    const subfields: Record<string, string> = {};
    for (const [sub, spec] of Object.entries((field.fields ?? {}) as Record<string, Json>)) subfields[sub] = String(spec.type);
    fields.set(path, {
      type: String(field.type),
      ...(field.index !== undefined && { index: field.index === true }),
      ...(field.ignore_malformed !== undefined && { ignoreMalformed: field.ignore_malformed === true }),
      subfields,
    });
  }
}

/** The spec for a path, including `x.keyword` multi-fields; undefined when unknown. */
export function fieldAt(fields: FieldMap, path: string): FieldSpec | undefined {
  const direct = fields.get(path);
  if (direct !== undefined) return direct;
  const dot = path.lastIndexOf('.');
  if (dot < 0) return undefined;
  const parent = fields.get(path.slice(0, dot));
  const sub = parent?.subfields[path.slice(dot + 1)];
  return sub === undefined ? undefined : { type: sub, subfields: {} };
}

/** The flat_object field that `path` lies inside, if any (its keys are free). */
export function insideFlatObject(fields: FieldMap, path: string): string | undefined {
  const parts = path.split('.');
  for (let i = parts.length - 1; i > 0; i -= 1) {
    const ancestor = parts.slice(0, i).join('.');
    if (fields.get(ancestor)?.type === 'flat_object') return ancestor;
  }
  return undefined;
}

export const NUMERIC_TYPES = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float']);
/** Types a terms aggregation or a sort can use (doc values). */
export const AGGREGATABLE_TYPES = new Set([...NUMERIC_TYPES, 'keyword', 'date', 'boolean', 'ip']);

/** Every problem of `document` against `fields`: unknown fields and values the field type refuses. */
export function documentProblems(document: Json, fields: FieldMap): string[] {
  const problems: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (path !== '' && insideFlatObject(fields, path) !== undefined) return;
    const spec = path === '' ? undefined : fields.get(path);
    if (spec?.type === 'flat_object') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) problems.push(`${path}: flat_object needs an object`);
      return;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (spec !== undefined) {
        problems.push(`${path}: an object where the mapping has a ${spec.type}`);
        return;
      }
      for (const [key, inner] of Object.entries(value)) walk(inner, path === '' ? key : `${path}.${key}`);
      return;
    }
    if (spec === undefined) {
      const objectPrefix = [...fields.keys()].some((known) => known.startsWith(`${path}.`));
      problems.push(objectPrefix ? `${path}: a value where the mapping has an object` : `${path}: not in the mapping`);
      return;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      const problem = valueProblem(item, spec);
      if (problem !== undefined) problems.push(`${path}: ${problem}`);
    }
  };
  walk(document, '');
  return problems;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

function valueProblem(value: unknown, spec: FieldSpec): string | undefined {
  if (value === null) return 'null (absent values must be left out)';
  switch (spec.type) {
    case 'keyword':
    case 'text':
      return typeof value === 'string' ? undefined : `${typeof value} for ${spec.type}`;
    case 'date':
      if (typeof value === 'number' && Number.isInteger(value)) return undefined;
      return typeof value === 'string' && ISO_DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? undefined
        : `${JSON.stringify(value)} is not a strict_date_optional_time date`;
    case 'long':
    case 'integer':
    case 'short':
      return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : `${JSON.stringify(value)} is not an integer`;
    case 'double':
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `${JSON.stringify(value)} is not a number`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${JSON.stringify(value)} is not a boolean`;
    case 'ip':
      return typeof value === 'string' && isIP(value) !== 0 ? undefined : `${JSON.stringify(value)} is not an IP address`;
    default:
      return `unexpected mapping type ${spec.type}`;
  }
}

/** Dotted paths of every leaf value in `document` (flat_object contents stop at the field). */
export function leafPaths(document: Json, fields: FieldMap): string[] {
  const paths: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (fields.get(path)?.type === 'flat_object') {
      paths.push(path);
      return;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, path === '' ? key : `${path}.${key}`);
      return;
    }
    paths.push(path);
  };
  walk(document, '');
  return paths;
}

/** `keyword`, `text+keyword`, `text (not indexed)`, ... as schema-fields.json writes types. */
export function describeSpec(spec: FieldSpec): string {
  if (spec.type === 'text' && spec.index === false) return 'text (not indexed)';
  if (spec.type === 'text' && spec.subfields.keyword === 'keyword') return 'text+keyword';
  return spec.type;
}
