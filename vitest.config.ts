import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests: one recorded seed per run, printed with any failure.
    setupFiles: ['test/helpers/fast-check-seed.ts'],
    // The real-engine suite needs a running OpenSearch (Java): `npm run test:opensearch`.
    exclude: ['test/real-engine/**', 'node_modules/**'],
    // CDK synthesis bundles Lambda code with esbuild; give it room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
