import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../drizzle/client.ts';
import { openTestDatabase } from '../support/harness.ts';

// PostgreSQL only. Under load, the pool pipelines statements onto busy connections, up to 100 on one. postgres.js
// 3.4.9 reserves a transaction's connection only if its BEGIN is not the statement that fills that pipeline
// (porsager/postgres#1189). A BEGIN sent but not reserved failed the post with UNSAFE_TRANSACTION (seen once in CI,
// 200 concurrent issues) and left the server's transaction open for whatever ran next on that connection. The driver
// is patched (drizzle/patches/); these tests put a BEGIN at every depth around the pipeline's limit.
let database: Database;

beforeAll(async () => {
  database = await openTestDatabase({ poolMax: 2 });
});
afterAll(() => database.close());

/** Resolves after pending microtasks (queries reach the pool through a few), before any I/O can be answered. */
async function afterMicrotasks() {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

/** True when the statement runs in a transaction of its own (autocommit), not inside someone's open transaction. */
const standalone = (db: Database['db']) =>
  queryRows<{ own: boolean }>(db, sql`SELECT xact_start = query_start AS own FROM pg_stat_activity WHERE pid = pg_backend_pid()`);

describe('a transaction owns its connection however deep the pipeline (PostgreSQL)', () => {
  it('BEGIN queued behind 190–210 statements on a pool of 2: every transaction commits, every other statement stands alone', async () => {
    await Promise.all([standalone(database.db), standalone(database.db)]); // both connections open
    for (let queued = 190; queued <= 210; queued++) {
      const plain = Array.from({ length: queued }, () => standalone(database.db));
      await afterMicrotasks();
      const transaction = database.db.transaction(async (tx) => {
        const ids = () => queryRows<{ xid: string; pid: number }>(tx, sql`SELECT txid_current()::text AS xid, pg_backend_pid() AS pid`);
        const [first] = await ids();
        const [second] = await ids();
        expect(second).toEqual(first);
        return first.xid;
      });
      const [statements, xid] = await Promise.all([Promise.all(plain), transaction]);
      expect(
        statements.map(([row]) => row.own).filter((own) => !own),
        `queued ${queued}`,
      ).toEqual([]);
      expect(xid).toMatch(/^\d+$/);
    }
    const [open] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
    );
    expect(open.n).toBe(0);
  });
});
