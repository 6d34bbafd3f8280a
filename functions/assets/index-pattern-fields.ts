import type { Json, NamedAsset, SavedObject } from './types';

/**
 * The `fields` list of each index pattern, built from the index templates.
 *
 * OpenSearch Dashboards fetches an index pattern's fields when the saved object has none
 * (or any without `aggregatable`/`searchable`/`readFromDocValues`: `isFieldRefreshRequired`
 * in src/plugins/data/common/index_patterns/index_patterns/index_patterns.ts), through
 * `_fields_for_wildcard` with `allowNoIndices: false`. A pattern whose indices do not exist
 * yet (no dead letters on a healthy pipeline, no Athena index in a team without Athena)
 * then has no fields, and every panel on it fails with "Could not locate that
 * index-pattern-field". Shipping the list makes a fresh or partial install show
 * "No results" instead. Field specs follow Dashboards' FieldSpec: `name`, `type` (the
 * Dashboards type), `esTypes`, `searchable`, `aggregatable`, `readFromDocValues`, `count`,
 * `scripted`, and `subType.multi` for a `.keyword` multi-field.
 */

export interface FieldSpec {
  readonly name: string;
  readonly type: string;
  readonly esTypes: readonly string[];
  readonly searchable: boolean;
  readonly aggregatable: boolean;
  readonly readFromDocValues: boolean;
  readonly count: number;
  readonly scripted: boolean;
  readonly subType?: { readonly multi: { readonly parent: string } };
}

/** OpenSearch mapping type -> Dashboards field type (OSD's osd_field_types). */
const DASHBOARDS_TYPES: Readonly<Record<string, string>> = {
  keyword: 'string',
  text: 'string',
  long: 'number',
  integer: 'number',
  short: 'number',
  byte: 'number',
  double: 'number',
  float: 'number',
  half_float: 'number',
  scaled_float: 'number',
  date: 'date',
  date_nanos: 'date',
  boolean: 'boolean',
  ip: 'ip',
};

/** The metadata fields Dashboards lists for every pattern (its default `metaFields` setting). */
const META_FIELDS: readonly FieldSpec[] = [
  { name: '_id', type: 'string', esTypes: ['_id'], searchable: true, aggregatable: true, readFromDocValues: false, count: 0, scripted: false },
  { name: '_index', type: 'string', esTypes: ['_index'], searchable: true, aggregatable: true, readFromDocValues: false, count: 0, scripted: false },
  { name: '_score', type: 'number', esTypes: [], searchable: false, aggregatable: false, readFromDocValues: false, count: 0, scripted: false },
  { name: '_source', type: '_source', esTypes: ['_source'], searchable: false, aggregatable: false, readFromDocValues: false, count: 0, scripted: false },
];

/** Mapping properties of a template body (`template.mappings.properties`). */
function propertiesOf(body: Json): Json {
  return ((((body.template as Json | undefined)?.mappings as Json | undefined)?.properties ?? {}) as Json);
}

/** Dotted path -> mapping of every leaf field of the template, components first (as OpenSearch composes them). */
export function templateMappings(template: NamedAsset, components: readonly NamedAsset[]): Map<string, Json> {
  const fields = new Map<string, Json>();
  const walk = (properties: Json, path: string): void => {
    for (const [name, raw] of Object.entries(properties)) {
      const field = raw as Json;
      const full = path === '' ? name : `${path}.${name}`;
      if (field.properties !== undefined && field.type === undefined) walk(field.properties as Json, full);
      else fields.set(full, field);
    }
  };
  for (const name of (template.body.composed_of ?? []) as string[]) {
    const component = components.find((candidate) => candidate.name === name);
    if (component !== undefined) walk(propertiesOf(component.body), '');
  }
  walk(propertiesOf(template.body), '');
  return fields;
}

/** The field specs of one mapped field (and of its multi-fields). */
function specsOf(name: string, mapping: Json): FieldSpec[] {
  const esType = String(mapping.type);
  const indexed = mapping.index !== false;
  const docValues = mapping.doc_values !== false;
  const aggregatable = indexed && docValues && esType !== 'text' && esType !== 'flat_object';
  const own: FieldSpec = {
    name,
    type: DASHBOARDS_TYPES[esType] ?? 'unknown',
    esTypes: [esType],
    searchable: indexed,
    aggregatable,
    // OSD's shouldReadFieldFromDocValues: aggregatable and not text.
    readFromDocValues: aggregatable,
    count: 0,
    scripted: false,
  };
  const multi = Object.entries((mapping.fields ?? {}) as Record<string, Json>).map(([sub, subMapping]) => ({
    ...specsOf(`${name}.${sub}`, subMapping)[0]!,
    subType: { multi: { parent: name } },
  }));
  return [own, ...multi];
}

/**
 * Field specs for the union of `mappings`: a field mapped with different types in
 * different templates becomes Dashboards' `conflict` type, as field_caps would report it.
 */
export function fieldSpecs(mappings: readonly Map<string, Json>[]): FieldSpec[] {
  const byName = new Map<string, FieldSpec>();
  for (const mapping of mappings) {
    for (const [name, field] of mapping) {
      for (const spec of specsOf(name, field)) {
        const seen = byName.get(spec.name);
        if (seen === undefined) byName.set(spec.name, spec);
        else if (seen.esTypes[0] !== spec.esTypes[0] && !seen.esTypes.includes(spec.esTypes[0]!)) {
          byName.set(spec.name, {
            ...seen,
            type: seen.type === spec.type ? seen.type : 'conflict',
            esTypes: [...seen.esTypes, ...spec.esTypes],
            aggregatable: seen.aggregatable && spec.aggregatable,
            searchable: seen.searchable && spec.searchable,
            readFromDocValues: seen.readFromDocValues && spec.readFromDocValues,
          });
        }
      }
    }
  }
  return [...META_FIELDS, ...[...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))];
}

/** `cwl-lambda-*` matches `cwl-lambda-*`; `cwl-*` matches every template pattern under it. */
function coveredBy(title: string, templatePattern: string): boolean {
  if (title === templatePattern) return true;
  if (!title.endsWith('*')) return false;
  return templatePattern.startsWith(title.slice(0, -1));
}

/**
 * Every index pattern with the `fields` of the templates it covers, its own scripted
 * fields (kept from the file) last. Patterns that cover no template are left as they are.
 */
export function withTemplateFields(
  objects: readonly SavedObject[],
  templates: readonly NamedAsset[],
  components: readonly NamedAsset[],
): SavedObject[] {
  return objects.map((object) => {
    if (object.type !== 'index-pattern') return object;
    const title = String(object.attributes.title);
    const covered = templates.filter((template) =>
      ((template.body.index_patterns ?? []) as string[]).some((pattern) => coveredBy(title, pattern)),
    );
    if (covered.length === 0) return object;
    const scripted = typeof object.attributes.fields === 'string' ? (JSON.parse(object.attributes.fields) as FieldSpec[]) : [];
    const fields = [
      ...fieldSpecs(covered.map((template) => templateMappings(template, components))),
      ...scripted.filter((field) => field.scripted),
    ];
    return { ...object, attributes: { ...object.attributes, fields: JSON.stringify(fields) } };
  });
}
