import { engineUrl } from './engine';

/**
 * Which optional plugins the node under test has. The node `npm run test:opensearch` starts has
 * only Job Scheduler: ISM, Alerting and Notifications are not published on Maven Central (see
 * test/real-engine/node/pom.xml), so their checks skip, saying so. Point OPENSEARCH_URL at a
 * node that has them and the same checks run.
 */
export interface Plugins {
  readonly ism: boolean;
  readonly alerting: boolean;
  readonly notifications: boolean;
}

export async function loadedPlugins(url = engineUrl()): Promise<Plugins> {
  const response = await fetch(`${url}/_cat/plugins?format=json`);
  const names = new Set(((await response.json()) as { component: string }[]).map((plugin) => plugin.component));
  return {
    ism: names.has('opensearch-index-management'),
    alerting: names.has('opensearch-alerting'),
    notifications: names.has('opensearch-notifications'),
  };
}

export const MISSING_PLUGIN =
  'not on this node: the plugin zip is not published on Maven Central, the only registry this project may use';

/** Logs why a group of checks is skipped, once, so that the run says it (vitest only counts skips). */
export function sayWhySkipped(what: string, plugin: string, present: boolean): void {
  if (!present) console.warn(`real-engine: ${what} skipped: ${plugin} ${MISSING_PLUGIN}`);
}
