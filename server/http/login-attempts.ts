import { sql } from 'drizzle-orm';
import { queryRows, type Database, type Db } from '../../drizzle/client.ts';
import type { LoginBackoffPolicy } from '../config.ts';

// API.md The edge: repeated failed logins are answered RATE_LIMITED, per username and per client address, with a
// back-off that grows. The failures are counted in the database (login_failures, migration 0030), so that every API
// process reads and writes the same count: with N processes an attacker still gets LOGIN_MAX_FAILURES guesses, not
// N times as many (issue 11: nothing that must be shared is kept in one process's memory). A key's row is read and
// written under a row lock, every key of an attempt locked at once in one order; the rules of a count are the pure
// functions below.

export type LoginOutcome = 'FAILED' | 'SUCCEEDED' | 'VOID';

export interface LoginKey {
  key: string;
  /** Failures within the window that lock the key. */
  maxFailures: number;
  /** A successful login forgets the key's failures (a username's; not an address's: one valid account must not reset it). */
  clearedBySuccess?: boolean;
}

/** One key's count. Times in epoch milliseconds, from the injectable clock (House style 6). */
export interface Failures {
  /** Failures within the window (only attempts that failed). */
  count: number;
  last: number;
  lockedUntil: number;
  /** Attempts begun and not yet ended. */
  inFlight: number;
  /** When the latest of them began. */
  inFlightAt: number;
}

/**
 * An attempt that has not ended this long after it began is taken as ended without a verdict: its process stopped
 * (a login checks one password hash; it takes well under a second).
 */
export const IN_FLIGHT_EXPIRY_MS = 60_000;

const NONE: Failures = { count: 0, last: 0, lockedUntil: 0, inFlight: 0, inFlightAt: 0 };

/** A key's count as it stands at nowMs: failures forgotten a window after the last one (or after the lock it caused ends). */
export function current(f: Failures | undefined, policy: LoginBackoffPolicy, nowMs: number): Failures {
  if (!f) return NONE;
  const inFlight = nowMs - f.inFlightAt > IN_FLIGHT_EXPIRY_MS ? 0 : f.inFlight;
  if (nowMs - Math.max(f.last, f.lockedUntil) > policy.windowSeconds * 1000) return { ...NONE, inFlight, inFlightAt: f.inFlightAt };
  return { ...f, inFlight };
}

/** The lock a key's failures set once they reach its threshold: 30 s, doubling with every failure past it, up to the maximum. */
const lockSeconds = (failures: number, maxFailures: number, policy: LoginBackoffPolicy) =>
  Math.min(policy.maxLockSeconds, policy.lockSeconds * 2 ** Math.min(failures - maxFailures, 30));

/**
 * Admits one attempt: while any key is locked, the seconds to wait (nothing changes); else 0 and every key counts it
 * in flight. Attempts in flight count towards the threshold, so that concurrent guesses cannot all slip in under it,
 * but change nothing: only a failure is counted (a correct login never leaves a key more locked than before it).
 * `pending`: the attempt is held back only by attempts in flight, no key being locked — their outcome is not known yet
 * (they may all succeed), so the caller waits for them rather than refusing at once (sweep 25b F4).
 */
export function admit(
  keys: readonly LoginKey[],
  held: ReadonlyMap<string, Failures>,
  policy: LoginBackoffPolicy,
  nowMs: number,
): { wait: number; heldBy: string[]; pending: boolean; next: Map<string, Failures> } {
  let wait = 0;
  let locked = false;
  const heldBy: string[] = [];
  const now = new Map(keys.map(({ key }) => [key, current(held.get(key), policy, nowMs)]));
  for (const { key, maxFailures } of keys) {
    const f = now.get(key)!;
    let held = 0;
    if (f.lockedUntil > nowMs) {
      held = Math.ceil((f.lockedUntil - nowMs) / 1000);
      locked = true;
    }
    // Were every attempt in flight to fail, this one would come after the lock they set: it waits for them. At or
    // past the threshold, one attempt at a time (each failure there locks again). It is told that lock's length (sweep
    // 11b B4: told 1 s, a client retried into the lock the others had set meanwhile, 30 s).
    else if (f.inFlight > 0 && f.count + f.inFlight >= maxFailures) held = lockSeconds(f.count + f.inFlight, maxFailures, policy);
    if (held > 0) heldBy.push(key);
    wait = Math.max(wait, held);
  }
  if (wait > 0) return { wait, heldBy, pending: !locked, next: new Map() };
  const next = new Map<string, Failures>();
  for (const [key, f] of now) next.set(key, { ...f, inFlight: f.inFlight + 1, inFlightAt: nowMs });
  return { wait: 0, heldBy, pending: false, next };
}

/**
 * Ends an attempt admitted: FAILED counts a failure for every key (locking a key at its threshold, the lock doubling
 * with every failure past it: 30 s, 60 s, 120 s … up to the maximum); SUCCEEDED forgets the failures of the keys a
 * success clears and leaves the others as they were; VOID (an error of ours) changes nothing.
 */
export function settle(
  { maxFailures, clearedBySuccess }: LoginKey,
  held: Failures | undefined,
  outcome: LoginOutcome,
  policy: LoginBackoffPolicy,
  nowMs: number,
): Failures {
  const f = current(held, policy, nowMs);
  const next = { ...f, inFlight: Math.max(0, f.inFlight - 1) };
  if (outcome === 'FAILED') {
    next.count = f.count + 1;
    next.last = nowMs;
    if (next.count >= maxFailures) next.lockedUntil = Math.max(f.lockedUntil, nowMs + lockSeconds(next.count, maxFailures, policy) * 1000);
  } else if (outcome === 'SUCCEEDED' && clearedBySuccess) {
    Object.assign(next, { count: 0, lockedUntil: 0 });
  }
  return next;
}

interface Row extends Record<string, unknown> {
  key: string;
  failures: number;
  last_failure_ms: string | number;
  locked_until_ms: string | number;
  in_flight: number;
  in_flight_ms: string | number;
}

const fromRow = (r: Row): Failures => ({
  count: Number(r.failures),
  last: Number(r.last_failure_ms),
  lockedUntil: Number(r.locked_until_ms),
  inFlight: Number(r.in_flight),
  inFlightAt: Number(r.in_flight_ms),
});

/** How often (ends of attempts, per process) the rows whose window has passed are swept. */
const SWEEP_EVERY = 500;

/** The login failures of every API process, in the database. */
export class LoginAttempts {
  #ends = 0;

  constructor(private readonly database: Pick<Database, 'db'>) {}

  /**
   * Admits one attempt (see `admit`): wait 0, or the seconds to wait, the keys that hold it back and whether only
   * attempts in flight do (pending).
   */
  async begin(keys: readonly LoginKey[], policy: LoginBackoffPolicy, nowMs: number): Promise<{ wait: number; heldBy: string[]; pending: boolean }> {
    return this.#update(keys, (held) => {
      const { wait, heldBy, pending, next } = admit(keys, held, policy, nowMs);
      return { result: { wait, heldBy, pending }, next };
    });
  }

  /** Ends an attempt that `begin` admitted (see `settle`). */
  async end(keys: readonly LoginKey[], outcome: LoginOutcome, policy: LoginBackoffPolicy, nowMs: number): Promise<void> {
    await this.#update(keys, (held) => ({
      result: undefined,
      next: new Map(keys.map((k) => [k.key, settle(k, held.get(k.key), outcome, policy, nowMs)])),
    }));
    if (++this.#ends % SWEEP_EVERY === 0) await this.#sweep(policy, nowMs);
  }

  /**
   * Locks the keys' rows and writes what `change` says. One upsert takes every row, in key order, whether it existed
   * or not: a row dropped and made again by another attempt between an insert and a later lock would be missed by that
   * lock and then written out of order — two attempts waiting on each other crosswise (CI of 51df63a: deadlocks under
   * eight 修改密码 at a time). Every attempt locks all its rows in one order before it writes any, so none waits on
   * another that waits on it.
   */
  async #update<T>(keys: readonly LoginKey[], change: (held: ReadonlyMap<string, Failures>) => { result: T; next: ReadonlyMap<string, Failures> }): Promise<T> {
    const names = [...new Set(keys.map((k) => k.key))].sort();
    return this.database.db.transaction(async (tx) => {
      // ON CONFLICT DO UPDATE locks an existing row as DO NOTHING does not; the no-op SET leaves its count as it was.
      const rows = await queryRows<Row>(
        tx,
        sql`INSERT INTO login_failures (key) VALUES ${sql.join(
          names.map((name) => sql`(${name})`),
          sql`, `,
        )} ON CONFLICT (key) DO UPDATE SET in_flight = login_failures.in_flight
            RETURNING key, failures, last_failure_ms, locked_until_ms, in_flight, in_flight_ms`,
      );
      const held = new Map(rows.map((r) => [r.key, fromRow(r)]));
      const { result, next } = change(held);
      for (const name of names) {
        if (next.has(name)) await write(tx, name, next.get(name)!);
        else if (isEmpty(held.get(name))) await write(tx, name, null); // made above for an attempt refused at once
      }
      return result;
    });
  }

  /**
   * Drops the rows whose failures are forgotten and that have no attempt in flight (a key sprayed once is not kept).
   * It passes over the rows an attempt holds (a later sweep drops them): a sweep that waited, locking in the table's
   * order, could hold one attempt's row while that attempt held the row the sweep waits for.
   */
  async #sweep(policy: LoginBackoffPolicy, nowMs: number): Promise<void> {
    await this.database.db.execute(
      sql`DELETE FROM login_failures WHERE key IN (
            SELECT key FROM login_failures
             WHERE greatest(last_failure_ms, locked_until_ms) < ${nowMs - policy.windowSeconds * 1000}
               AND (in_flight = 0 OR in_flight_ms < ${nowMs - IN_FLIGHT_EXPIRY_MS})
             FOR UPDATE SKIP LOCKED)`,
    );
  }
}

const isEmpty = (f: Failures | undefined) => !f || (f.count === 0 && f.inFlight === 0 && f.lockedUntil === 0);

/** A key's count written back; a key with nothing to remember goes. */
async function write(tx: Db, key: string, f: Failures | null): Promise<void> {
  if (!f || isEmpty(f)) {
    await tx.execute(sql`DELETE FROM login_failures WHERE key = ${key}`);
    return;
  }
  await tx.execute(
    sql`UPDATE login_failures SET failures = ${f.count}, last_failure_ms = ${f.last}, locked_until_ms = ${f.lockedUntil},
          in_flight = ${f.inFlight}, in_flight_ms = ${f.inFlightAt} WHERE key = ${key}`,
  );
}
