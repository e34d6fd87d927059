import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { getTableColumns, type SQL, type Table } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import * as schema from './schema/index.ts';
import { timeQueries, type TimedQueryLogger } from './query-timing.ts';
import { applyMigrations, pendingMigrations } from './migrate.ts';
import { preparePostgresStatements } from './prepared-statements.ts';
import { withAfterCommit } from './after-commit.ts';
import { PostgresListener, type ListenState } from './listener.ts';

export type Schema = typeof schema;
/** A database or a transaction on it: services take either. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** Counts SQL statements sent, so tests can prove that nested reads do not grow with list size. */
export interface QueryStats {
  statements: number;
  /**
   * Round trips to the database: every statement, plus BEGIN and COMMIT (or ROLLBACK) of each transaction — the
   * drivers send those outside drizzle's logger (savepoints of nested transactions are statements).
   */
  roundTrips: number;
  /** Statements sent and not yet answered (the metrics' view of how busy the pool is). */
  inFlight: number;
}

/** One statement's duration, for the debug log and the metrics. */
export type QueryListener = (query: string, seconds: number, failed: boolean) => void;

/** The name this process's connections carry on the server (pg_stat_activity.application_name). */
export const applicationName = () => `emergency-reserves:${process.pid}`;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  stats: QueryStats;
  /** Pool size on PostgreSQL; 1 for PGlite (one connection, in process). */
  poolMax: number;
  /** Hears every statement's duration; returns the unsubscribe. */
  onQuery(listener: QueryListener): () => void;
  /**
   * LISTENs on a channel (PostgreSQL: on a connection of its own, listened again after a loss). `onState` hears DOWN
   * when notifications may be lost from then on and UP whenever LISTEN is in place (again): drizzle/listener.ts.
   */
  listen(channel: string, onNotify: (payload: string) => void, onState?: (state: ListenState) => void): Promise<void>;
  migrate(): Promise<void>;
  /** True when every migration in the journal has been applied. */
  migrationsApplied(): Promise<boolean>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  pgliteDir?: string;
  /** An already open PGlite (tests clone a migrated, seeded one). */
  pglite?: PGlite;
  poolMax?: number;
}

export function openDatabase(opts: DatabaseOptions): Database {
  const stats: QueryStats = { statements: 0, roundTrips: 0, inFlight: 0 };
  const listeners = new Set<QueryListener>();
  timeQueries();
  const logger: TimedQueryLogger = {
    logQuery: () => {
      stats.statements++;
      stats.roundTrips++;
    },
    queryStarted: () => void stats.inFlight++,
    queryFinished: (query, seconds, failed) => {
      stats.inFlight--;
      for (const listener of listeners) listener(query, seconds, failed);
    },
  };
  const onQuery = (listener: QueryListener) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  if (opts.databaseUrl) {
    const poolMax = opts.poolMax ?? 20;
    preparePostgresStatements();
    const client = postgres(opts.databaseUrl, { max: poolMax, onnotice: () => {}, connection: { application_name: applicationName() } });
    const listener = new PostgresListener(opts.databaseUrl, applicationName());
    const db = withAfterCommit(countTransactions(drizzlePostgres(client, { schema, logger }), stats));
    return {
      db,
      kind: 'postgres',
      stats,
      poolMax,
      onQuery,
      listen: (channel, onNotify, onState) => listener.listen(channel, { onNotify, onState }),
      migrate: () => applyMigrations(db, migrationsFolder),
      migrationsApplied: () => migrationsApplied(db),
      close: async () => {
        await listener.close();
        await client.end({ timeout: 5 });
      },
    };
  }
  let client = opts.pglite;
  if (!client) {
    if (opts.pgliteDir) mkdirSync(opts.pgliteDir, { recursive: true });
    client = new PGlite(opts.pgliteDir);
  }
  const pg = client;
  const db = withAfterCommit(countTransactions(drizzlePglite(pg, { schema, logger }), stats));
  return {
    db,
    kind: 'pglite',
    stats,
    poolMax: 1,
    onQuery,
    // In this process: never lost.
    listen: async (channel, onNotify, onState) => {
      await pg.listen(channel, onNotify);
      onState?.('UP');
    },
    migrate: () => applyMigrations(db, migrationsFolder),
    migrationsApplied: () => migrationsApplied(db),
    close: () => pg.close(),
  };
}

/** A top-level transaction costs two round trips of its own: BEGIN and its end. */
function countTransactions(db: Db, stats: QueryStats): Db {
  const transaction = db.transaction.bind(db);
  db.transaction = (run, config) => {
    stats.roundTrips += 2;
    return transaction(run, config);
  };
  return db;
}

/** Rows of a raw query, whichever driver ran it (postgres.js returns an array, PGlite `{ rows }`). */
export async function queryRows<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

async function migrationsApplied(db: Db): Promise<boolean> {
  return (await pendingMigrations(db, migrationsFolder)).length === 0;
}

/** A row of `table` from a raw query or its JSON (to_jsonb), mapped as drizzle's query builder maps it. */
export function tableRow<T extends Table>(table: T, raw: Record<string, unknown>): T['$inferSelect'] {
  return Object.fromEntries(
    Object.entries(getTableColumns(table)).map(([key, column]) => {
      const value = raw[column.name];
      return [key, value === null || value === undefined ? null : column.mapFromDriverValue(column.dataType === 'string' ? String(value) : value)];
    }),
  );
}

/** A Postgres array column: postgres.js parses it; PGlite may hand back the text literal. */
export function pgArray(v: string[] | string | null | undefined): string[] {
  if (!v) return [];
  if (Array.isArray(v)) return v;
  return v
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter(Boolean)
    .map((x) => x.replace(/^"|"$/g, ''));
}

/** The PostgreSQL error behind a driver or drizzle error: SQLSTATE code, constraint and message. */
export function pgError(error: unknown): { code?: string; constraint?: string; message?: string } {
  let e = error as { cause?: unknown; code?: string; constraint?: string; constraint_name?: string; message?: string } | undefined;
  while (e && !e.code && e.cause) e = e.cause;
  return { code: e?.code, constraint: e?.constraint_name ?? e?.constraint, message: e?.code ? e.message : undefined };
}
