// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@paperline/*/src/*', '../../packages/*', '../../services/*'],
              message: 'import sibling packages by name only',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['services/*/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@paperline/fetcher',
                '@paperline/parser',
                '@paperline/deduplicator',
                '@paperline/indexer',
                '@paperline/cli',
              ],
              message: 'a service never imports another service: stages talk through queues',
            },
          ],
        },
      ],
    },
  },
  {
    // The worker runtime's registry is the one place that composes the stages into a pipeline.
    files: ['services/workers/src/registry.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
