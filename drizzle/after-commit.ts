import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db } from './client.ts';

// What must happen only once a change is durable — telling live subscribers about it (server/dispatch/events.ts) — is
// queued on the transaction it runs in and run when the outermost transaction has committed, in the order queued; a
// transaction (or a savepoint) that rolls back drops what it queued. Outside any transaction it runs at once.

type Queue = (() => void)[];

const pending = new AsyncLocalStorage<Queue>();
/** Each transaction's database (a savepoint's too): what is cached per database serves its transactions. */
const roots = new WeakMap<Db, Db>();

/** The database a transaction runs on; a database is its own. */
export const rootOf = (db: Db): Db => roots.get(db) ?? db;

/** Runs `fn` once the current transaction has committed (at once outside one); dropped if it rolls back. */
export function afterCommit(fn: () => void): void {
  const queue = pending.getStore();
  if (queue) queue.push(fn);
  else fn();
}

/**
 * Makes `db.transaction` keep afterCommit's queue: the database's transactions run theirs after COMMIT; a savepoint
 * (a transaction opened on a transaction) that is released hands its queue to the enclosing transaction.
 */
export function withAfterCommit<D extends Db>(db: D, enclosing?: Queue): D {
  const transaction = db.transaction.bind(db);
  const wrapped: Db['transaction'] = async (run, config) => {
    const queue: Queue = [];
    const result = await transaction((tx) => {
      const inner = withAfterCommit(tx, queue);
      roots.set(inner, rootOf(db));
      return pending.run(queue, () => run(inner));
    }, config);
    if (enclosing) enclosing.push(...queue);
    else for (const fn of queue) fn();
    return result;
  };
  db.transaction = wrapped;
  return db;
}
