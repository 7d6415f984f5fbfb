import { defineConfig } from 'vitest/config';

/**
 * Every test runs on the embedded PGlite. When TEST_DATABASE_URL is set, the database
 * tests (*.db.test.ts) run a second time on PostgreSQL, each worker in a database of its own.
 * Workers keep one database for all their files (isolate: false): a PGlite takes seconds to start.
 */
const postgres = process.env.TEST_DATABASE_URL;
const shared = { pool: 'forks' as const, isolate: false, testTimeout: 60_000, hookTimeout: 120_000 };

export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      { test: { ...shared, name: 'pglite', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], env: { QORGAU_TEST_DB: 'pglite' }, globalSetup: ['test/helpers/build-global-setup.ts'] } },
      ...(postgres
        ? [
            {
              test: {
                ...shared,
                name: 'postgres',
                include: ['src/**/*.db.test.ts', 'test/**/*.db.test.ts'],
                env: { QORGAU_TEST_DB: 'postgres' },
                globalSetup: ['test/helpers/postgres-global-setup.ts', 'test/helpers/build-global-setup.ts'],
              },
            },
          ]
        : []),
    ],
  },
});
