import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { migrationsFolder, openDatabase, queryRows, type Database } from '../../drizzle/client.ts';
import { seedDatabase } from '../../seeds/index.ts';
import { hasUsers } from '../../seeds/demo.ts';
import { dbKind } from '../support/harness.ts';
import { withDatabase } from '../support/template.ts';

// A first start on an empty database (README quick start; ops sweep OPS-1, OPS-6): the migrations apply on PostgreSQL
// 13–16 too — each in its own transaction, as an enum value added by one migration may only be used by a later one once
// committed (PostgreSQL < 17) — and the demo data is loaded whole or not at all.

const JOURNAL = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as { entries: unknown[] };
const opened: { database: Database; drop: () => Promise<void> }[] = [];

/** An empty database of the suite's kind: nothing migrated. */
async function emptyDatabase(): Promise<Database> {
  if (dbKind === 'pglite') {
    const database = openDatabase({ pglite: await PGlite.create() });
    opened.push({ database, drop: async () => {} });
    return database;
  }
  const serverUrl = inject('postgresUrl');
  const name = `reserves_e_${randomBytes(6).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const database = openDatabase({ databaseUrl: withDatabase(serverUrl, name), poolMax: 4 });
  opened.push({
    database,
    drop: async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  });
  return database;
}

afterEach(async () => {
  for (const { database, drop } of opened.splice(0)) {
    await database.close().catch(() => {});
    await drop();
  }
});

/** Each applied migration's row, with the transaction that wrote it. */
const appliedMigrations = (database: Database) =>
  queryRows<{ created_at: string; tx: string }>(
    database.db,
    sql`SELECT created_at::text, xmin::text AS tx FROM drizzle.__drizzle_migrations ORDER BY created_at`,
  );

describe('first start on an empty database (README; OPS-1, OPS-6)', () => {
  it('every migration is applied in a transaction of its own, and recorded once', async () => {
    const database = await emptyDatabase();
    await database.migrate();
    const rows = await appliedMigrations(database);
    expect(rows).toHaveLength(JOURNAL.entries.length);
    // One writing transaction per row: a new enum value (0004) is committed before a later migration uses it (0014).
    expect(new Set(rows.map((r) => r.tx)).size).toBe(rows.length);
    expect(await database.migrationsApplied()).toBe(true);
    // A second start applies nothing again.
    await database.migrate();
    expect(await appliedMigrations(database)).toEqual(rows);
  });

  it.runIf(dbKind === 'postgres')('two processes migrating one empty database at once apply each migration once', async () => {
    const database = await emptyDatabase();
    await Promise.all([database.migrate(), database.migrate(), database.migrate()]);
    const rows = await appliedMigrations(database);
    expect(rows.map((r) => r.created_at)).toEqual([...new Set(rows.map((r) => r.created_at))]);
    expect(rows).toHaveLength(JOURNAL.entries.length);
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
