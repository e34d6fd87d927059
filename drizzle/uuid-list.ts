import { sql, type SQL } from 'drizzle-orm';

/** Ids as uuid parameters, comma-separated, for a raw query's `IN (…)` or `ARRAY[…]`; the caller skips an empty list. */
export const uuidList = (ids: Iterable<string>): SQL =>
  sql.join(
    [...ids].map((id) => sql`${id}::uuid`),
    sql`, `,
  );
