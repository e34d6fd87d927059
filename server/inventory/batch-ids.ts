import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { rootOf } from '../../drizzle/after-commit.ts';
import { batchIdWith } from '../ids.ts';

// Sweep 14a F1: batch ids are keyed with the database's own secret (installation_keys, migration 0035), read once per
// database — a transaction on it reads its database's — and kept in memory. The key never leaves the server: no answer,
// log or export carries it (only the ids made with it).

const keys = new WeakMap<Db, Promise<string>>();

/** The database's batch id key ('' on a database that had batches before migration 0035). One query the first time. */
export function batchIdKey(db: Db): Promise<string> {
  const root = rootOf(db);
  let key = keys.get(root);
  if (!key) {
    key = queryRows<{ key: string }>(db, sql`SELECT batch_id_key AS key FROM installation_keys`).then(([row]) => {
      if (!row) throw new Error('installation_keys has no row (migration 0035)');
      return row.key;
    });
    // A failed read (say, in a transaction already aborted) is not remembered: the next call asks again.
    key.catch(() => keys.delete(root));
    keys.set(root, key);
  }
  return key;
}

/** The id of the item's batch with that number on this database (server/ids.ts batchIdWith). */
export async function batchIdOf(db: Db, itemId: string, batchNo: string): Promise<string> {
  return batchIdWith(await batchIdKey(db), itemId, batchNo);
}
