import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import type { GqlResult } from './harness.ts';

// Concurrency tests (PostgreSQL only) hold a row, fire requests at once, and release it once all of them are queued.

/** Resolves once `n` sessions of the database wait for a lock: the requests under test are queued. */
export async function waitingForLocks(db: Db, n: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (Number(row.n) >= n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`fewer than ${n} requests ever waited for the lock`);
}

/** A refusal as the tests compare it: code, message and the field named. */
export const refusal = (res: GqlResult) =>
  res.errors?.[0] && { code: res.errors[0].extensions.code, message: res.errors[0].message, field: res.errors[0].extensions.field };
