import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { migrationsFolder, queryRows } from '../../drizzle/client.ts';
import { seedDatabase } from '../../seeds/index.ts';
import { systemClock } from '../../server/clock.ts';
import { TEST_PASSWORD } from '../support/template.ts';
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

  it('three processes load the demo data at once: one loads it, the others find it (sweep 5, L2)', async () => {
    const database = await emptyDatabase();
    await database.migrate();
    const seed = () => seedDatabase(database.db, { demo: true, demoPassword: TEST_PASSWORD, demoStock: { clock: systemClock } });
    const results = await Promise.allSettled([seed(), seed(), seed()]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const seeded = results.map((r) => (r as PromiseFulfilledResult<{ demoSeeded: boolean }>).value.demoSeeded);
    expect(seeded.filter(Boolean)).toHaveLength(1);
    const [{ n }] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM users WHERE username = 'keeper'`);
    expect(n).toBe(1);
  });
});
