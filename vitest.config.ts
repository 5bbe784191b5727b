import { defineConfig } from 'vitest/config';

const integrationSetup = ['test/helpers/global-setup.ts'];
/** In every project: tests reach only loopback (test/helpers/net-tripwire.mjs). */
const setupFiles = ['test/helpers/tripwire-setup.ts'];

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          setupFiles,
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          setupFiles,
          include: ['test/integration/**/*.test.ts', 'packages/*/src/**/*.integration.test.ts'],
          globalSetup: integrationSetup,
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          setupFiles,
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: integrationSetup,
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'faults',
          setupFiles,
          include: ['test/faults/**/*.test.ts'],
          globalSetup: integrationSetup,
          testTimeout: 300_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
