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
    files: ['src/components/**/*.svelte', 'src/App.svelte'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['**/persistence/**', '**/backends/**'] }],
      'svelte/no-at-html-tags': 'error',
    },
  },
);
