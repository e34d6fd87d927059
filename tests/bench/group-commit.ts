// Issue 11 (P1): the second lever the issue names, group commit, measured rather than built. Both sides run the
// product's own receiveStock in this process (no HTTP, no GraphQL), with its audit row, 16 posters at once:
// - a transaction per post, as the API runs it (audited-mutations.ts);
// - group commit: posts that arrive while a group is open join it; a group is one transaction, each post in its own
//   savepoint (one refusal never touches another), each answered only after the shared COMMIT.
// If grouping does not raise posts/s here, where nothing but the post and the database is measured, it cannot
// raise them through the API either.
import { openDatabase, type Db } from '../../drizzle/client.ts';
import type { Principal } from '../../server/auth/principal.ts';
import { systemClock } from '../../server/clock.ts';
import { receiveStock } from '../../server/inventory/receipts.ts';
import { ReferenceCache } from '../../server/reference-cache.ts';
import { add, measure, type Rate } from './report.ts';

/** Concurrent groups, and the most posts one group takes. */
export const GROUPS = 2;
export const GROUP_SIZE = 8;

/** Opens its own pool, as large as the API server's in the bench (DB_POOL_MAX 24). */
export async function benchGroupCommit(url: string, actor: Principal, input: () => Record<string, unknown>, seconds: number, clients: number) {
  const database = openDatabase({ databaseUrl: url, poolMax: 24 });
  try {
    return await compare(database.db, actor, input, seconds, clients);
  } finally {
    await database.close();
  }
}

async function compare(db: Db, actor: Principal, receipt: () => Record<string, unknown>, seconds: number, clients: number) {
  const reference = new ReferenceCache();
  const post = (tx: Db) => {
    const input = receipt();
    const entry = { at: new Date(), userId: actor.id, username: actor.username, role: actor.role, regionCode: null, operation: 'receiveStock' };
    const audit = { entry: { ...entry, input, outcome: 'OK', message: null }, written: false };
    return receiveStock({ db: tx, actor, clock: systemClock, reference, audit }, input);
  };
  const grouped = groupCommitter(db, post);
  let perPost: Rate | undefined;
  let inGroups: Rate | undefined;
  for (let round = 0; round < 2; round++) {
    perPost = add(perPost, await measure(seconds / 2, clients, () => db.transaction((tx) => post(tx))));
    inGroups = add(inGroups, await measure(seconds / 2, clients, grouped));
  }
  return { perPost: perPost!, grouped: inGroups! };
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** At most GROUPS groups at once; a post that finds them all busy waits for the next group. */
function groupCommitter(db: Db, post: (tx: Db) => Promise<unknown>) {
  const waiting: { resolve: (v: unknown) => void; reject: (e: unknown) => void }[] = [];
  let open = 0;
  const start = () => {
    while (open < GROUPS && waiting.length) {
      const group = waiting.splice(0, GROUP_SIZE);
      const outcomes: Outcome[] = [];
      open++;
      db.transaction(async (tx) => {
        for (let i = 0; i < group.length; i++) {
          try {
            outcomes.push({ ok: true, value: await tx.transaction((savepoint) => post(savepoint)) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })
        .then(
          () => group.forEach((w, i) => (outcomes[i].ok ? w.resolve(outcomes[i].value) : w.reject(outcomes[i].error))),
          (error: unknown) => group.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          open--;
          start();
        });
    }
  };
  return () =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      start();
    });
}
