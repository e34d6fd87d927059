import { inArray } from 'drizzle-orm';
import type { Database, Db } from '../drizzle/client.ts';
import { items, stockReasons, stores } from '../drizzle/schema/index.ts';
import type { Principal } from './auth/principal.ts';

// Issue 11 (P1): the reference data every post reads — who acts, the store, the items, the reasons — from memory
// instead of four round trips. Correct invalidation: every change to users, user_stores, stores, items or
// stock_reasons notifies `reference_changed` (triggers of migration 0011) and each process listening drops all it
// holds; a load that was under way when a change arrived is not kept (generations). Until the process listens, and
// while the listener is down, nothing is cached.

export const REFERENCE_CHANNEL = 'reference_changed';

/** The tables whose change may end a session (the NOTIFY's payload is the table: migration 0011). */
const SESSION_TABLES = new Set(['users', 'user_stores']);

type StoreRow = typeof stores.$inferSelect;
type ItemRow = typeof items.$inferSelect;
type ReasonRow = typeof stockReasons.$inferSelect;

export interface CachedPrincipal {
  principal: Principal;
  /** users.credentials_version: a token issued under another is refused (server/users/service.ts authenticate). */
  credentialsVersion: number;
  /** The region its audit rows carry (server/audit/log.ts auditRegion). */
  auditRegion?: string | null;
}

export class ReferenceCache {
  #listening = false;
  #generation = 0;
  #principals = new Map<string, CachedPrincipal>();
  #auditRegions = new Map<string, string | null>();
  #stores = new Map<string, StoreRow>();
  #items = new Map<string, ItemRow>();
  #reasons: ReasonRow[] | null = null;
  #watchers = new Set<() => void>();

  /**
   * Listens for changes on the database; the cache holds anything only while listening. A change notified while the
   * listening connection was down is lost: so DOWN drops everything and keeps nothing new, and UP (again) starts
   * afresh (drizzle/listener.ts).
   */
  async listen(database: Pick<Database, 'listen'>): Promise<void> {
    await database.listen(
      REFERENCE_CHANNEL,
      (table) => this.invalidate(table),
      (state) => {
        this.#listening = state === 'UP';
        this.invalidate();
      },
    );
  }

  /**
   * Drops everything held (a change was notified, naming its table; or this process changed something, or the listener
   * went down or up: unnamed), and tells the watchers when it may have ended a session (users changed, or unknown).
   */
  invalidate(table?: string): void {
    this.#generation++;
    this.#principals.clear();
    this.#auditRegions.clear();
    this.#stores.clear();
    this.#items.clear();
    this.#reasons = null;
    if (table === undefined || SESSION_TABLES.has(table)) for (const watcher of this.#watchers) watcher();
  }

  /**
   * Calls `onChange` after each change that may end a session (of users: a logout, a password reset, a deactivation;
   * or one whose table is not known) until the returned function is called — what an open subscription asks whether
   * its session goes on by. A store, item or reason renamed asks nothing.
   */
  watch(onChange: () => void): () => void {
    this.#watchers.add(onChange);
    return () => void this.#watchers.delete(onChange);
  }

  /** Runs a load and keeps its result only if no change arrived meanwhile. */
  async #load<T>(load: () => Promise<T>, keep: (value: T) => void): Promise<T> {
    const generation = this.#generation;
    const value = await load();
    if (this.#listening && generation === this.#generation) keep(value);
    return value;
  }

  async principal(userId: string, load: () => Promise<CachedPrincipal | null>): Promise<CachedPrincipal | null> {
    const held = this.#principals.get(userId);
    if (held) return held;
    return this.#load(load, (p) => p && this.#principals.set(userId, p));
  }

  async auditRegion(userId: string, load: () => Promise<string | null>): Promise<string | null> {
    if (this.#auditRegions.has(userId)) return this.#auditRegions.get(userId)!;
    return this.#load(load, (r) => this.#auditRegions.set(userId, r));
  }

  /** Stores by id (unknown ids are simply absent). */
  storesByIds(db: Db, ids: readonly string[]): Promise<Map<string, StoreRow>> {
    return this.#byIds(ids, this.#stores, (missing) => db.select().from(stores).where(inArray(stores.id, missing)));
  }

  /** A store held in memory, else undefined (no load). */
  heldStore(id: string): StoreRow | undefined {
    return this.#stores.get(id);
  }

  /** Items by id (unknown ids are simply absent). */
  itemsByIds(db: Db, ids: readonly string[]): Promise<Map<string, ItemRow>> {
    return this.#byIds(ids, this.#items, (missing) => db.select().from(items).where(inArray(items.id, missing)));
  }

  async reasons(db: Db): Promise<ReasonRow[]> {
    if (this.#reasons) return this.#reasons;
    return this.#load(
      () => db.select().from(stockReasons),
      (rows) => (this.#reasons = rows),
    );
  }

  async #byIds<R extends { id: string }>(ids: readonly string[], held: Map<string, R>, load: (missing: string[]) => Promise<R[]>) {
    const found = new Map<string, R>();
    const missing: string[] = [];
    for (const id of new Set(ids)) {
      const row = held.get(id);
      if (row) found.set(id, row);
      else missing.push(id);
    }
    if (missing.length) {
      const rows = await this.#load(
        () => load(missing),
        (loaded) => loaded.forEach((r) => held.set(r.id, r)),
      );
      for (const r of rows) found.set(r.id, r);
    }
    return found;
  }
}
