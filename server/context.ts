import type { AppConfig } from './config.ts';
import type { Database, Db } from '../drizzle/client.ts';
import type { Clock } from './clock.ts';
import type { Logger } from './logger.ts';
import type { Principal } from './auth/principal.ts';
import { createLoaders, type Loaders } from './loaders.ts';
import type { PlanShipmentCheck, TransferReceivedHook } from './inventory/transfers.ts';
import type { ReferenceCache } from './reference-cache.ts';
import type { PendingAudit } from './audit/log.ts';
import type { SessionRefusal } from './errors.ts';

/**
 * DESIGN "The service boundary": what a service receives — the database (or the transaction it runs in), who acts,
 * and the clock. Services take `(ctx: ServiceContext, params)`; they know nothing of GraphQL or HTTP.
 */
export interface ServiceContext {
  db: Db;
  actor: Principal;
  clock: Clock;
  /** Reference data (stores, items, reasons) from this process's memory; without it, from the database. */
  reference?: ReferenceCache;
  /** The audit row of the mutation this runs in, for a service that writes it with its own last statement. */
  audit?: PendingAudit;
}

/** Everything a resolver may use; built anew for each request (loaders are per request). */
export interface Context {
  db: Db;
  database: Database;
  config: AppConfig;
  clock: Clock;
  log: Logger;
  user: Principal | null;
  loaders: Loaders;
  wiring: Wiring;
  reference: ReferenceCache;
  /**
   * A bearer token was sent and refused (expired, ended, forged, the account disabled): an UNAUTHENTICATED refusal says
   * so, and why (sweep 23c F4: a disabled account is told apart).
   */
  sessionRefused?: SessionRefusal;
  /** The server's shutdown signal (AppServices.stopping): a subscription ends when it aborts. */
  stopping?: AbortSignal;
  /** Inside a mutation: its audit row, not yet written (audited-mutations.ts). */
  audit?: PendingAudit;
}

/** Cross-module reactions, wired by the composition root (server/http/app.ts) instead of import side effects. */
export interface Wiring {
  transferReceived: TransferReceivedHook;
  /** D23: a shipment citing a dispatch plan must match it (the dispatch module checks). */
  planShipment: PlanShipmentCheck;
}

export interface AppServices {
  database: Database;
  config: AppConfig;
  clock: Clock;
  log: Logger;
  /** Aborted when the server shuts down (main.ts): open subscriptions end then, with `complete` (D18). */
  stopping?: AbortSignal;
}

export function createContext(services: AppServices, wiring: Wiring, user: Principal | null, reference: ReferenceCache): Context {
  const { database } = services;
  return { ...services, wiring, reference, db: database.db, user, loaders: createLoaders(database.db) };
}
