// ESLint finds bugs; Prettier (.prettierrc.json) owns the layout, so every stylistic rule is off
// (eslint-config-prettier, last). Run both with `npm run lint`; fix with `npm run format`.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier/flat';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The Node globals the plain-JavaScript files (bin/, scripts/, test fixtures) use; the TypeScript
// files get theirs from @types/node through the type checker.
const nodeGlobals = Object.fromEntries(
  [
    'AbortController',
    'AbortSignal',
    'Buffer',
    'URL',
    'clearInterval',
    'clearTimeout',
    'console',
    'fetch',
    'process',
    'queueMicrotask',
    'setInterval',
    'setTimeout',
    'structuredClone',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  globalIgnores(['**/node_modules/', '.cloudexit/', '.scratch/', 'coverage/', 'dist/', 'runbooks/']),
  {
    files: ['{src,test,bench,scripts,bin}/**/*.{ts,js,mjs}', '*.{ts,js}'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Unused names are dead code or a forgotten use; `_name` says "on purpose" (callbacks, destructuring).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Off: cloudexit re-throws a *redacted* message on purpose, without the original error as
      // `cause`, because that error's text can hold a password or a SAS (DESIGN.md: no secret in
      // an error message). The rule would ask for exactly that leak.
      'preserve-caught-error': 'off',
    },
  },
  {
    // Type-aware rules: the bugs tsc does not see. Only these few, which are cheap with the
    // project service (the full recommendedTypeChecked set is slower and mostly style).
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error', // a promise nobody awaits loses its error
      '@typescript-eslint/no-misused-promises': 'error', // an async callback where void is expected (events, forEach)
      '@typescript-eslint/await-thenable': 'error', // awaiting something that is not a promise
      // In a try/catch/finally, `return promise` leaves the block before the promise settles:
      // its rejection skips the catch and the finally runs too early.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-deprecated': 'error', // e.g. zod 4's `message`, removed in the next major
      // `import { type A }` still loads the module under verbatimModuleSyntax and Node's type
      // stripping (an SDK at startup, for a type): all-type imports say `import type`.
      // `typeof import('…')` stays allowed: it types the lazily loaded modules.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false },
      ],
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: nodeGlobals },
  },
  prettier,
);
