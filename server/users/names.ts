import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { userNameHistory } from '../../drizzle/schema/index.ts';

/**
 * D22, D31 (sweep 24b F1): the 姓名 an account had at an instant — the one rule that names the person of a past act
 * (a document's 经办人, an approval's requester and decider, a distribution's distributor …), in GraphQL (the request's
 * `userAt` loader), the printed documents and the exports alike. A rename keeps the name it replaced with the instant
 * until which it held (user_name_history, written by updateUser); the name at `at` is the first kept name whose `until`
 * is after it, else the account's current name. So a document posted before an account was handed to a successor (its
 * 姓名 changed to the new person's) keeps naming the person who handled it, as the audit log does (audit_log.display_name).
 * Only the name at the time is shown, not 「旧名（现名 新名）」: a rename is as often a new person on the same account (the
 * hand-over) as the same person renamed, and 「现名」 would say they are one person; the username, which never changes,
 * names the account. `userId`, `at`: SQL expressions of the row being read; `current`: the account's current name, when
 * the query has the user's row at hand (else read here).
 */
export function userNameAt(userId: SQL, at: SQL, current?: SQL): SQL {
  const now = current ?? sql`(SELECT u_now.display_name FROM users u_now WHERE u_now.id = ${userId})`;
  return sql`COALESCE((SELECT n.display_name FROM ${userNameHistory} n WHERE n.user_id = ${userId} AND n.until > ${at}
                        ORDER BY n.until, n.id LIMIT 1), ${now})`;
}

/** A person of a past act: the account, and the instant of the act (its recording). */
export interface UserAtKey {
  id: string;
  at: Date;
}

/** The 姓名 of each account at each instant (userNameAt), in key order — one statement for any number of keys (the `userAt` loader). */
export async function userNamesAt(db: Db, keys: readonly UserAtKey[]): Promise<(string | null)[]> {
  if (!keys.length) return [];
  const values = sql.join(
    keys.map((k, i) => sql`(${i}::int, ${k.id}::uuid, ${k.at.toISOString()}::timestamptz)`),
    sql`, `,
  );
  const rows = await queryRows<{ i: number; name: string | null }>(
    db,
    sql`SELECT k.i, ${userNameAt(sql`k.user_id`, sql`k.at`)} AS name FROM (VALUES ${values}) AS k(i, user_id, at)`,
  );
  const byIndex = new Map(rows.map((r) => [Number(r.i), r.name]));
  return keys.map((_k, i) => byIndex.get(i) ?? null);
}
