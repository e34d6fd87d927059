import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../drizzle/client.ts';
import { ensureAdministrator } from '../../server/users/service.ts';
import { fixedClock } from '../../server/clock.ts';
import { NOW, openTestDatabase } from '../support/harness.ts';

// D22, README (ADMIN_USERNAME, npm run create-admin): two starts on one PostgreSQL may make the same first administrator
// at once. Both looked the user up, found none, and inserted: the second stopped start-up on the unique key. Now one
// makes it (with its audit row) and the other finds it made.

let database: Database;

beforeAll(async () => {
  database = await openTestDatabase({ poolMax: 8 });
});

afterAll(async () => {
  await database?.close();
});

describe('ensureAdministrator under concurrency', () => {
  it('D22: eight at once make one administrator and one audit row; the others answer "already there"', async () => {
    const clock = fixedClock(NOW);
    const made = await Promise.all(
      Array.from({ length: 8 }, () => ensureAdministrator(database.db, clock, 'raced-root', 'Raced-Root-2026!', 'ADMIN_USERNAME')),
    );
    expect(made.filter(Boolean)).toHaveLength(1);
    const users = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM users WHERE username = 'raced-root'`);
    expect(users[0].n).toBe(1);
    const audit = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM audit_log WHERE operation = 'createAdministrator' AND input->>'username' = 'raced-root'`,
    );
    expect(audit[0].n).toBe(1);
  });
});
