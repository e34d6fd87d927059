import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { inject } from 'vitest';
import { openDatabase, queryRows, type Database } from '../../drizzle/client.ts';
import { dbKind } from './harness.ts';
import { withDatabase } from './template.ts';

// An empty database of the suite's kind — nothing migrated — for tests of a first start; dropped by dropEmptyDatabases.

const opened: { database: Database; drop: () => Promise<void> }[] = [];

export async function emptyDatabase(): Promise<Database> {
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

export async function dropEmptyDatabases(): Promise<void> {
  for (const { database, drop } of opened.splice(0)) {
    await database.close().catch(() => {});
    await drop();
  }
}

/** Each applied migration's row, with the transaction that wrote it. */
export const appliedMigrations = (database: Database) =>
  queryRows<{ created_at: string; tx: string }>(
    database.db,
    sql`SELECT created_at::text, xmin::text AS tx FROM drizzle.__drizzle_migrations ORDER BY created_at`,
  );
