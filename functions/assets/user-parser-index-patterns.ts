import type { UserParser } from '../../parsers/user-parser';
import type { SavedObject } from './types';

/**
 * One Dashboards index pattern per user parser: `<prefix>-<name>-*`, time field
 * `@timestamp`. Its `fields` are filled in from the parser's index template when the
 * bundle is loaded (`withTemplateFields`), as for the built-in patterns, so that a fresh
 * install shows "No results" rather than field errors. The id is `<prefix>-ip-user-<name>`:
 * the built-in ids are `<prefix>-ip-<slug>` and `<prefix>-ip-all`, and a user parser may be
 * named `all`.
 */
export function userParserIndexPatterns(prefix: string, parsers: readonly UserParser[]): SavedObject[] {
  return parsers.map(({ definition: { name } }) => ({
    type: 'index-pattern',
    id: `${prefix}-ip-user-${name}`,
    attributes: { title: `${prefix}-${name}-*`, timeFieldName: '@timestamp' },
    references: [],
  }));
}
