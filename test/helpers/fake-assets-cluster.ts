import { afterEach, beforeEach } from 'vitest';
import { startFakeOpenSearch, type FakeOpenSearch, type FakeOpenSearchOptions } from './fake-opensearch';
import { addAssetRoutes, type FakeAssetsState } from './fake-opensearch-assets';

/** A fresh fake OpenSearch with the Dashboards and asset routes, per test. */
export interface FakeAssetsCluster {
  readonly fake: FakeOpenSearch;
  readonly state: FakeAssetsState;
  /** The assets environment pointing at this fake without auth, plus `extra`. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** Closes the running fake and starts one with `options` (e.g. basic auth); closed after the test as usual. */
  restart(options: FakeOpenSearchOptions): Promise<void>;
}

/**
 * Registers beforeEach/afterEach in the calling scope (file or describe): each test gets its
 * own fake, closed after it. Read `fake` and `state` inside tests, not at collection time.
 */
export function useFakeAssetsCluster(): FakeAssetsCluster {
  let fake: FakeOpenSearch | undefined;
  let state: FakeAssetsState | undefined;

  async function start(options: FakeOpenSearchOptions = {}): Promise<void> {
    fake = await startFakeOpenSearch(options);
    state = addAssetRoutes(fake);
  }

  beforeEach(() => start());

  afterEach(async () => {
    await fake?.close();
    fake = undefined;
    state = undefined;
  });

  const running = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the fake assets cluster runs only inside a test');
    return value;
  };

  return {
    get fake() {
      return running(fake);
    },
    get state() {
      return running(state);
    },
    env: (extra = {}) => ({ OPENSEARCH_ENDPOINT: running(fake).url, OPENSEARCH_AUTH: 'none', ...extra }),
    restart: async (options) => {
      await running(fake).close();
      await start(options);
    },
  };
}
