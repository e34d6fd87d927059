// ESLint 9 flat config, type-aware. The point is the promise rules (no-floating-promises, no-misused-promises,
// await-thenable): a forgotten await on a ledger write, or an async callback handed to something that ignores its
// promise, is a defect tsc cannot see. Rules that repeat tsc, or that only argue with idioms this codebase uses on
// purpose, are off below with the reason; formatting is Prettier's job (eslint-config-prettier, last).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    // Generated SQL and snapshots, the local database directory and build output are not source.
    ignores: ['node_modules/', 'data/', 'drizzle/migrations/', 'coverage/', 'dist/', '.tmp/', 'server/console/src/graphql/graphql-env.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The project service reads tsconfig.json as the editor does: one program for all files, fast on 2 cores.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The defects this linter is here for (all in recommendedTypeChecked; listed so nobody turns them off by accident).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `return promise` inside try/catch/finally skips the catch; flag only the cases where the await matters.
      '@typescript-eslint/return-await': ['error', 'error-handling-correctness-only'],

      // tsc reports these already (noUnusedLocals, strict name resolution): one mistake, one error.
      '@typescript-eslint/no-unused-vars': 'off',
      'no-undef': 'off',

      // `any` here is deliberate and visible: Pothos generic refs, raw SQL rows, GraphQL JSON in tests. The no-unsafe-*
      // family reported ~2,600 uses of such values (2,500 in tests) and not one defect; implicit any is a tsc error.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Raw SQL rows are Record<string, unknown> and `String(r.col)` on a `::text` column is the house idiom; narrowing
      // `unknown` past `=== null` gives `{}`, which this rule reports although the value is a string.
      '@typescript-eslint/no-base-to-string': 'off',
      // graphql-js's Kind is a string enum and `node.kind === 'Field'` is its documented idiom.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // Some async functions have no await on purpose: they implement an async interface (a store that may move to
      // the database) or stand in for one in a test.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Plain JS config files are outside tsconfig.json; lint them without type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  // Last: turn off every stylistic rule that Prettier owns.
  prettier,
);
