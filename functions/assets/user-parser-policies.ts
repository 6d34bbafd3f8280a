import type { UserParser } from '../../parsers/user-parser';
import type { NamedAsset } from './types';
import { userParserPriority } from './user-parser-templates';

/**
 * One ISM retention policy per user parser, `<prefix>-<name>-retention`: the shape of the
 * built-in ones (`dashboards/ism/*.json`: `hot`, then `delete` once the index is
 * `RETENTION_DAYS` old), attached to new `<prefix>-<name>-*` indices by `ism_template`.
 *
 * The `ism_template` priority is the index template's (300 + the name's length), not the
 * built-ins' 100: `<prefix>-generic-*` matches the indices of a user parser named
 * `generic-foo` too, and ISM gives a new index the matching template of highest priority
 * (IM's `findMatchingPolicy`). ISM also refuses two policies whose patterns overlap at the
 * same priority; two user parsers' patterns only overlap when one name extends the other,
 * and then their lengths, hence priorities, differ.
 */
export function userParserPolicies(prefix: string, parsers: readonly UserParser[], retentionDays: number): NamedAsset[] {
  return parsers.map(({ definition: { name } }) => ({
    name: `${prefix}-${name}-retention`,
    file: 'PARSERS_FILE',
    body: {
      policy: {
        description: `Deletes ${prefix}-${name}-* indices ${retentionDays} days after they were created (user parser ${name}, managed by cwl-opensearch)`,
        default_state: 'hot',
        states: [
          {
            name: 'hot',
            actions: [],
            transitions: [{ state_name: 'delete', conditions: { min_index_age: `${retentionDays}d` } }],
          },
          { name: 'delete', actions: [{ delete: {} }], transitions: [] },
        ],
        ism_template: [{ index_patterns: [`${prefix}-${name}-*`], priority: userParserPriority(name) }],
      },
    },
  }));
}
