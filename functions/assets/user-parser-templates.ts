import { CAPTURE_TYPES, type UserParser } from '../../parsers/user-parser';
import type { NamedAsset } from './types';

const MANAGED_BY = 'cwl-opensearch (PARSERS_FILE); changes made elsewhere are overwritten by assets apply';
// Above the built-in templates (200): a user parser named `generic-x` writes indices that
// `<prefix>-generic-*` matches too. A longer name is the more specific pattern
// (`billing-worker` inside `billing-*`), so it gets the higher priority; two names of one
// length never match each other's pattern, so no two overlapping templates tie.
// The ISM policies of user parsers use the same numbers (user-parser-policies.ts).
const BASE_PRIORITY = 300;

/** The priority of a user parser's index template and of its policy's `ism_template`. */
export function userParserPriority(name: string): number {
  return BASE_PRIORITY + name.length;
}

/** One index template per user parser: `<prefix>-<name>-*`, its captures typed as declared. */
export function userParserTemplates(prefix: string, parsers: readonly UserParser[]): NamedAsset[] {
  return parsers.map(({ definition, captures }) => ({
    name: `${prefix}-${definition.name}`,
    file: 'PARSERS_FILE',
    body: {
      index_patterns: [`${prefix}-${definition.name}-*`],
      composed_of: [`${prefix}-settings`, `${prefix}-envelope`],
      priority: userParserPriority(definition.name),
      _meta: { description: `User parser ${definition.name} (PARSERS_FILE)`, managed_by: MANAGED_BY },
      template: {
        mappings: {
          dynamic: false,
          properties: {
            [definition.name]: {
              properties: Object.fromEntries(
                Object.entries(captures).map(([capture, type]) => [
                  capture,
                  type === 'keyword' ? { type: 'keyword', ignore_above: 1024 } : { type: CAPTURE_TYPES[type] },
                ]),
              ),
            },
          },
        },
      },
    },
  }));
}
