import js from '@eslint/js';
import ts from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import svelteConfig from './svelte.config.js';

export default ts.config(
  { ignores: ['dist/', 'node_modules/', 'public/', 'bench/results/', 'docs/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
  },
  {
    // State classes build local Maps/Sets/Dates as temporaries; reactivity comes from $state fields.
    files: ['src/lib/state/**/*.svelte.ts'],
    rules: { 'svelte/prefer-svelte-reactivity': 'off' },
  },
  {
    // core must stay pure: no app layers, no DOM-only globals.
    files: ['src/lib/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/backends/**',
            '**/persistence/**',
            '**/state/**',
            '**/workers/**',
            '**/components/**',
            'svelte',
            'svelte/*',
            'idb',
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'fetch',
        'localStorage',
        'indexedDB',
        'navigator',
      ],
    },
  },
  {
    // plots/ turns core results into charts and images: no app state, storage, backends or workers.
    files: ['src/lib/plots/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/state/**',
            '**/persistence/**',
            '**/backends/**',
            '**/workers/**',
            '**/components/**',
          ],
        },
      ],
    },
  },
  {
    // A *.worker.ts module imported for its values would register its handlers on the page: the
    // page talks to a worker through its client (workers/<name>-client.ts), and to the worker
    // module for types only.
    files: ['src/lib/state/**/*.ts', 'src/components/**/*.svelte', 'src/App.svelte'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/*.worker', '**/*.worker.ts'],
              allowTypeImports: true,
              message:
                'Import the worker client (workers/<name>-client.ts); the worker only as a type.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/components/**/*.svelte', 'src/App.svelte'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/persistence/**', '**/backends/**'] }],
      'svelte/no-at-html-tags': 'error',
    },
  },
);
