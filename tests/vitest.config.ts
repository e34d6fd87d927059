import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// npm test runs every project: pure rules once, and the database suites on PGlite and on PostgreSQL.
const root = fileURLToPath(new URL('..', import.meta.url));
const dbSuites = ['tests/integration/**/*.test.ts', 'tests/api/**/*.test.ts'];

export default defineConfig({
  // One copy of graphql, as the server has under Node: vite would resolve our `graphql` to its ESM build while yoga,
  // Pothos and graphql-jit, loaded by Node, get the CommonJS one — two GraphQLError classes that do not know each other.
  resolve: { alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }] },
  test: {
    root,
    testTimeout: 60_000,
    // .ci/run reads the counts from a JSON report.
    reporters: process.env.VITEST_JSON_REPORT ? ['default', ['json', { outputFile: process.env.VITEST_JSON_REPORT }]] : ['default'],
    hookTimeout: 120_000,
    // The test files share one module graph per worker instead of loading the server afresh for each: that loading
    // took 392 s of a 1,971 s run (about 2 s a file, on 2 cores). Each file still builds its own database and app, and
    // server modules keep no state that outlives them (caches are keyed by database; metrics follow the newest app).
    isolate: false,
    // The database suites run two files at a time: vitest's default on 2 cores is one worker (cores − 1), which left a
    // core idle through PGlite's files (the database runs in the test's own process) — CI took 33 minutes. The browser
    // files follow in their own group, one at a time.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'pglite', include: dbSuites, env: { TEST_DB: 'pglite' }, globalSetup: ['tests/support/global-pglite.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: [...dbSuites, 'tests/concurrency/**/*.test.ts'],
          env: { TEST_DB: 'postgres' },
          globalSetup: ['tests/support/global-postgres.ts'],
        },
      },
      {
        // Issue 14: the web console's flows in a real Chromium (@sparticuz/chromium), on PGlite with the demo data.
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          env: { TEST_DB: 'pglite' },
          globalSetup: ['tests/support/global-pglite.ts', 'tests/support/global-console.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          sequence: { groupOrder: 1 },
          // One Chromium and one console server at a time: several at once on 2 cores starve each other past the
          // flows' 30 s waits.
          maxWorkers: 1,
        },
      },
    ],
  },
});
