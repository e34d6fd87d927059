import { sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../drizzle/client.ts';
import * as schema from '../../drizzle/schema/index.ts';
import { openTestDatabase } from '../support/harness.ts';

// The migrations are written by hand (drizzle/migrations, applied at start); the table definitions in drizzle/schema are
// what the server's queries are built from. An index declared in one and forgotten in the other is silent: queries
// still answer, only slower. Every index the definitions name exists, on its table, in the migrated database.

const tables = (Object.values(schema) as unknown[]).filter((v): v is PgTable => v instanceof PgTable);

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => database?.close());

describe('the table definitions and the migrations agree', () => {
  it('every index declared in drizzle/schema exists on its table after the migrations', async () => {
    const present = await queryRows<{ table: string; index: string }>(
      database.db,
      sql`SELECT tablename AS "table", indexname AS "index" FROM pg_indexes WHERE schemaname = 'public'`,
    );
    const have = new Set(present.map((r) => `${r.table}.${r.index}`));
    const declared = tables.flatMap((t) => {
      const c = getTableConfig(t);
      return c.indexes.map((i) => `${c.name}.${i.config.name}`);
    });
    expect(declared).toContain('transfers.transfers_dispatch_plan_idx');
    expect(declared.filter((d) => !have.has(d))).toEqual([]);
  });
});
