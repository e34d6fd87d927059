import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsFolder, queryRows } from '../../drizzle/client.ts';
import { seedDatabase } from '../../seeds/index.ts';
import { hasUsers } from '../../seeds/demo.ts';
import { appliedMigrations, dropEmptyDatabases, emptyDatabase } from '../support/empty-database.ts';

// A first start on an empty database (README quick start; ops sweep OPS-1, OPS-6): the migrations apply on PostgreSQL
// 13–16 too — each in its own transaction, as an enum value added by one migration may only be used by a later one once
// committed (PostgreSQL < 17) — and the demo data is loaded whole or not at all. Several processes migrating at once:
// tests/concurrency/migrations-at-once.test.ts.

const JOURNAL = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as { entries: unknown[] };

afterEach(dropEmptyDatabases);

describe('first start on an empty database (README; OPS-1, OPS-6)', () => {
  it('every migration is applied in a transaction of its own, and recorded once', async () => {
    const database = await emptyDatabase();
    await database.migrate();
    const rows = await appliedMigrations(database);
    expect(rows).toHaveLength(JOURNAL.entries.length);
    // One writing transaction per row: a new enum value (0004) is committed before a later migration uses it (0014).
    expect(new Set(rows.map((r) => r.tx)).size).toBe(rows.length);
    expect(await database.migrationsApplied()).toBe(true);
    // A second start applies nothing again, and only looks: two reads, no lock, no transaction.
    const before = { ...database.stats };
    await database.migrate();
    expect(database.stats.statements - before.statements).toBe(2);
    expect(database.stats.roundTrips - before.roundTrips).toBe(2);
    expect(await appliedMigrations(database)).toEqual(rows);
  });

  it('a demo load that fails part-way leaves no demo data, and the next start loads it', async () => {
    const database = await emptyDatabase();
    await database.migrate();
    const powerCut = {
      now: () => {
        throw new Error('停电：演示数据载入中断');
      },
    };
    await expect(seedDatabase(database.db, { demo: true, demoPassword: 'Demo@2026', demoStock: { clock: powerCut } })).rejects.toThrow('停电');
    // The demo users went with the rest: the next start does not take a half-loaded database for loaded.
    expect(await hasUsers(database.db)).toBe(false);
    const [documents] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM documents`);
    expect(documents.n).toBe(0);
    expect(await seedDatabase(database.db, { demo: true, demoPassword: 'Demo@2026' })).toEqual({ demoSeeded: true });
    expect(await hasUsers(database.db)).toBe(true);
  });
});
