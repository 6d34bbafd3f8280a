import { defineConfig } from 'vitest/config';

/**
 * The real-engine suite: test/real-engine/**, against the OpenSearch node at OPENSEARCH_URL.
 * Run it with `npm run test:opensearch`, which starts a node when none runs. Kept out of
 * `npm test` so that the unit suite needs no Java.
 */
export default defineConfig({
  test: {
    include: ['test/real-engine/**/*.test.ts'],
    globalSetup: ['test/real-engine/global-setup.ts'],
    // One node, two cores: files run one after another so timings and refreshes stay sane.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
