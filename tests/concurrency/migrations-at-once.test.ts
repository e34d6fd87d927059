import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsFolder } from '../../drizzle/client.ts';
import { appliedMigrations, dropEmptyDatabases, emptyDatabase } from '../support/empty-database.ts';

// Runs on the real PostgreSQL server only (PGlite is one process): API processes started together on an empty database
// (API_PROCESSES) each migrate it; the advisory lock in drizzle/migrate.ts lets each migration apply once (ops sweep OPS-1).

const JOURNAL = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as { entries: unknown[] };

afterEach(dropEmptyDatabases);

describe('first start of several processes on one empty database', () => {
  it('three migrators at once apply each migration once', async () => {
    const database = await emptyDatabase();
    await Promise.all([database.migrate(), database.migrate(), database.migrate()]);
    const rows = await appliedMigrations(database);
    expect(rows.map((r) => r.created_at)).toEqual([...new Set(rows.map((r) => r.created_at))]);
    expect(rows).toHaveLength(JOURNAL.entries.length);
    expect(await database.migrationsApplied()).toBe(true);
  });
});
