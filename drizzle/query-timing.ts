import { PgPreparedQuery } from 'drizzle-orm/pg-core';

// drizzle 0.45 tells its logger when a statement starts, never how long it took. Every statement of either
// driver (PGlite, postgres.js), in or out of a transaction, runs through PgPreparedQuery.queryWithCache: wrapping
// it once times them all, and reports to the drizzle logger of the database that ran the statement.

/** A drizzle logger that also hears each statement's duration (and keeps the count of statements in flight). */
export interface TimedQueryLogger {
  logQuery(query: string, params: unknown[]): void;
  queryStarted(): void;
  queryFinished(query: string, seconds: number, failed: boolean): void;
}

type QueryWithCache = (this: { logger?: Partial<TimedQueryLogger> }, query: string, params: unknown[], run: () => Promise<unknown>) => Promise<unknown>;

let installed = false;

export function timeQueries() {
  if (installed) return;
  installed = true;
  const prototype = PgPreparedQuery.prototype as unknown as { queryWithCache: QueryWithCache };
  const untimed = prototype.queryWithCache;
  prototype.queryWithCache = async function (query, params, run) {
    const logger = this.logger;
    if (!logger?.queryFinished) return untimed.call(this, query, params, run);
    logger.queryStarted?.();
    const started = performance.now();
    let failed = true;
    try {
      const result = await untimed.call(this, query, params, run);
      failed = false;
      return result;
    } finally {
      logger.queryFinished(query, (performance.now() - started) / 1000, failed);
    }
  };
}
