import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../drizzle/client.ts';
import { LoginAttempts, type LoginKey } from '../../server/http/login-attempts.ts';
import { NOW, openTestDatabase } from '../support/harness.ts';

// API.md The edge, under concurrency (PostgreSQL only): the failed-login counts of every API process are rows of
// login_failures, dropped when they have nothing left to remember. An attempt locks all its keys' rows at once, in one
// order: in CI of 51df63a eight 修改密码 at a time deadlocked on these rows, because a row dropped and made again
// while an attempt waited was missed by its lock — the attempt then wrote that row out of order, or not at all.

const policy = { maxFailuresPerUsername: 5, maxFailuresPerAddress: 20, windowSeconds: 900, lockSeconds: 30, maxLockSeconds: 60 };
const keys: LoginKey[] = [
  { key: 'login-addr:203.0.113.9', maxFailures: 20 },
  { key: 'login-user:raced', maxFailures: 5, clearedBySuccess: true },
];
const now = Date.parse(NOW);
let database: Database;

beforeAll(async () => {
  database = await openTestDatabase({ poolMax: 4 });
});

afterAll(async () => {
  await database?.close();
});

/** Resolves once some session waits for a lock with this statement (the attempt under test is queued). */
async function waitingOn(fragment: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const rows = await queryRows(database.db, sql`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE ${`%${fragment}%`}`);
    if (rows.length) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the attempt never waited for the lock');
}

describe('login_failures rows locked by the attempts that count them', () => {
  it('a failure that waited while another transaction dropped its rows is counted on rows made again, nothing lost', async () => {
    const attempts = new LoginAttempts(database);
    expect((await attempts.begin(keys, policy, now)).wait).toBe(0);
    // Another transaction holds both rows, as an attempt ending without a failure does before it drops them.
    let failed: Promise<void> | undefined;
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT key FROM login_failures WHERE key IN ('login-addr:203.0.113.9', 'login-user:raced') ORDER BY key FOR UPDATE`);
      failed = attempts.end(keys, 'FAILED', policy, now + 1000);
      await waitingOn('login_failures');
      await tx.execute(sql`DELETE FROM login_failures WHERE key IN ('login-addr:203.0.113.9', 'login-user:raced')`);
    });
    await failed;
    const rows = await queryRows<{ key: string; failures: number; in_flight: number }>(
      database.db,
      sql`SELECT key, failures, in_flight FROM login_failures WHERE key IN ('login-addr:203.0.113.9', 'login-user:raced') ORDER BY key`,
    );
    expect(rows).toEqual([
      { key: 'login-addr:203.0.113.9', failures: 1, in_flight: 0 },
      { key: 'login-user:raced', failures: 1, in_flight: 0 },
    ]);
  });
});
