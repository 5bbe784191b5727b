import { defineConfig } from 'vitest/config';

const integrationSetup = ['test/helpers/global-setup.ts'];
/** The suites that run the `paperline` bin build it first. */
const cliSetup = [...integrationSetup, 'test/helpers/build-setup.ts'];
/** In every project: tests reach only loopback (test/helpers/net-tripwire.mjs). */
const setupFiles = ['test/helpers/tripwire-setup.ts'];
/**
 * Tests import the workspace packages from their TypeScript sources (the `@paperline/source` export
 * condition), so they need no build; Node itself, without the condition, loads the compiled `dist/`.
 * The rest is Vite's default for server code.
 */
const conditions = ['@paperline/source', 'module', 'node', 'development|production'];

export default defineConfig({
  ssr: { resolve: { conditions } },
  test: {
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          setupFiles,
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'bench/src/**/*.test.ts'],
          exclude: ['**/*.integration.test.ts', '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        extends: true,
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
        extends: true,
        test: {
          name: 'e2e',
          setupFiles,
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: cliSetup,
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'faults',
          setupFiles,
          include: ['test/faults/**/*.test.ts'],
          globalSetup: cliSetup,
          testTimeout: 300_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
