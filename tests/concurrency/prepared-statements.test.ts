import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../drizzle/client.ts';
import { MAX_PREPARED_PARAMETERS, plannedEachTime } from '../../drizzle/prepared-statements.ts';
import { openTestDatabase } from '../support/harness.ts';

// Issue 11 (PostgreSQL only): statements with a short parameter list are prepared once per connection and reused;
// longer lists, whose texts vary without bound, stay unnamed and leave nothing behind on the connection.
let database: Database;

beforeAll(async () => {
  database = await openTestDatabase({ poolMax: 1 });
});
afterAll(() => database.close());

/** The statements prepared on the transaction's connection whose text contains `marker`. */
const preparedLike = (tx: Database['db'], marker: string) =>
  queryRows<{ name: string }>(tx, sql`SELECT name FROM pg_prepared_statements WHERE statement LIKE ${`%${marker}%`}`);

describe('Issue 11: prepared statements on PostgreSQL', () => {
  it('a statement with few parameters is prepared once and run again by name, with the right answers', async () => {
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) {
        const [row] = await queryRows<{ n: number }>(tx, sql`SELECT ${i}::int + 1 AS n /* prepared-few */`);
        expect(row.n).toBe(i + 1);
      }
      expect(await preparedLike(tx, 'prepared-few')).toHaveLength(1);
    });
  });

  it(`a statement with more than ${MAX_PREPARED_PARAMETERS} parameters is not kept`, async () => {
    await database.db.transaction(async (tx) => {
      const ids = Array.from({ length: MAX_PREPARED_PARAMETERS + 1 }, (_, i) => sql`${i}::int`);
      const [row] = await queryRows<{ n: number }>(
        tx,
        sql`SELECT count(*)::int AS n FROM (VALUES ${sql.join(
          ids.map((v) => sql`(${v})`),
          sql`, `,
        )}) v(x) /* prepared-many */`,
      );
      expect(row.n).toBe(MAX_PREPARED_PARAMETERS + 1);
      expect(await preparedLike(tx, 'prepared-many')).toHaveLength(0);
    });
  });

  it('a report marked plannedEachTime is never prepared: PostgreSQL plans it for each run’s own range', async () => {
    await database.db.transaction(async (tx) => {
      // More runs than the five after which PostgreSQL may switch a prepared statement to one generic plan.
      for (let i = 0; i < 7; i++) {
        const [row] = await queryRows<{ n: number }>(
          tx,
          plannedEachTime(sql`SELECT count(*)::int AS n FROM generate_series(1, ${i + 1}::int) /* planned-each */`),
        );
        expect(row.n).toBe(i + 1);
      }
      expect(await preparedLike(tx, 'planned-each')).toHaveLength(0);
    });
  });
});
