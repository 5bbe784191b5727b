// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Every package and service is imported by its name (or an entry point its package.json exports,
 * such as `@paperline/core/es/search`), never by a path into its files.
 */
const BY_NAME_ONLY = [
  {
    regex: '^@paperline/[^/]+/(src|dist)(/|$)',
    message:
      'import a sibling package by its name or an entry point its package.json exports, never a file inside it',
  },
  {
    // A relative path that climbs out and into a `src/` is a deep import into another package.
    regex: '^(\\.\\./)+(.+/)?src(/|$)',
    message: 'import a sibling package by its name only, never by a relative path',
  },
];

/** `@paperline/core` is imported by concern: its root exports nothing (packages/core/src/index.ts). */
const CORE_BY_CONCERN = [
  {
    name: '@paperline/core',
    message:
      "import from one of core's concerns: @paperline/core/config, /process, /http, /redis, /es (/es/reader, /es/search), /metrics or /pipeline",
  },
];

/** The services (the processes people start). Only tests import them, to call a stage's processor. */
const SERVICES = [
  '@paperline/fetcher',
  '@paperline/parser',
  '@paperline/deduplicator',
  '@paperline/indexer',
  '@paperline/scheduler',
  '@paperline/api',
  '@paperline/cli',
  '@paperline/workers',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '.paperline/**', 'test-artifacts/**', '**/fixtures/**'] },
  js.configs.recommended,
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: CORE_BY_CONCERN, patterns: BY_NAME_ONLY }],
    },
  },
  {
    // A later `no-restricted-imports` replaces the earlier one: the by-name rule is repeated here.
    files: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: CORE_BY_CONCERN,
          patterns: [
            ...BY_NAME_ONLY,
            {
              group: SERVICES,
              message:
                'nothing in packages/ or services/ imports a service: stages talk through queues, and dependencies point from services to packages',
            },
          ],
        },
      ],
    },
  },
  {
    // The worker runtime's registry is the one place that composes the stages into a pipeline.
    files: ['services/workers/src/registry.ts', 'services/workers/src/main.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: CORE_BY_CONCERN, patterns: BY_NAME_ONLY }] },
  },
);
