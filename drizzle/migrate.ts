import { sql } from 'drizzle-orm';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import { queryRows, type Db } from './client.ts';

// The migrations not yet applied, each in a transaction of its own, recorded in drizzle's own table exactly as drizzle's
// migrator records them (drizzle.__drizzle_migrations: hash, created_at = the journal's `when`), so either reads the
// other's record. Not all in one transaction, as drizzle's migrator does: PostgreSQL before 17 refuses a new enum value
// in the transaction that added it (0004 adds store_kind DISTRIBUTION_POINT, 0014 uses it), so a first start on
// PostgreSQL 13–16 failed. A migration that fails rolls back alone; those before it stay applied, and the next start
// goes on from there. Each takes a lock and looks again, so two processes starting at once apply each migration once.
// A start with nothing pending reads the last applied migration once, and takes no lock and opens no transaction.

const LOCK = 'schema-migrations';
const files = new Map<string, MigrationMeta[]>();

/** The folder's migrations, read and hashed once per process. */
function migrationsIn(folder: string): MigrationMeta[] {
  let found = files.get(folder);
  if (!found) files.set(folder, (found = readMigrationFiles({ migrationsFolder: folder })));
  return found;
}

/** The migrations after the last one applied — drizzle's own rule: a migration is applied when one as late is recorded. */
export async function pendingMigrations(db: Db, folder: string): Promise<MigrationMeta[]> {
  // No table yet means nothing applied; a database that does not answer throws (readyz: "database unavailable").
  const [table] = await queryRows<{ t: string | null }>(db, sql`SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t`);
  const all = migrationsIn(folder);
  if (!table?.t) return all;
  const [row] = await queryRows<{ last: string | null }>(db, sql`SELECT max(created_at)::text AS last FROM drizzle.__drizzle_migrations`);
  const last = row?.last == null ? -Infinity : Number(row.last);
  return all.filter((m) => m.folderMillis > last);
}

export async function applyMigrations(db: Db, folder: string): Promise<void> {
  const pending = await pendingMigrations(db, folder);
  if (!pending.length) return;
  // Under the lock too: two processes' CREATE … IF NOT EXISTS at once collide in the catalog.
  await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${LOCK}))`);
    await tx.execute(sql`CREATE SCHEMA IF NOT EXISTS drizzle`);
    await tx.execute(sql`CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
  });
  for (const migration of pending) {
    await db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${LOCK}))`);
      const applied = await queryRows(tx, sql`SELECT 1 FROM drizzle.__drizzle_migrations WHERE created_at >= ${migration.folderMillis} LIMIT 1`);
      if (applied.length) return;
      for (const statement of migration.sql) if (statement.trim()) await tx.execute(sql.raw(statement));
      await tx.execute(sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${migration.hash}, ${migration.folderMillis})`);
    });
  }
}
