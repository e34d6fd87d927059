import { sql, type SQL } from 'drizzle-orm';
import { PostgresJsPreparedQuery } from 'drizzle-orm/postgres-js';

// Issue 11: drizzle sends every statement through postgres.js unnamed (`prepare: false` unless a query is given a
// name). For a statement with parameters postgres.js must then learn their types first, so each statement costs two
// exchanges with the server, and PostgreSQL parses and plans it again every time. Prepared, a statement is parsed once
// per connection and each later run is one exchange (a single-line post's write statement and ledger_prepare: about
// a quarter less PostgreSQL CPU per post).
//
// Statements are prepared when they have at most MAX_PREPARED_PARAMETERS parameters: their texts come from the code's
// query builders with short lists, a bounded set per connection. Longer lists (a 100-line document, a 500-id IN) vary
// in length without bound and stay unnamed. postgres.js retires each connection after 30–60 minutes, and its prepared
// statements with it.

export const MAX_PREPARED_PARAMETERS = 64;

// A report over a range of the ledger (an instant, a period, a region) is the exception: after five runs on a
// connection PostgreSQL may plan a prepared statement once for any parameters, and a generic plan cannot know that a
// range is a few days of ten million movements — valuation then ran without its parallel workers, in 400 ms instead
// of 200. Such a statement is marked, sent unnamed, and planned for its own parameters each time.
const PLANNED_EACH_TIME = '/* planned each time */ ';

/** The statement, never prepared: PostgreSQL plans it for the parameters of each run. */
export const plannedEachTime = (query: SQL): SQL => sql`${sql.raw(PLANNED_EACH_TIME)}${query}`;

type QueryWithCache = (query: string, params: unknown[], run: () => Promise<unknown>) => Promise<unknown>;

let installed = false;

export function preparePostgresStatements() {
  if (installed) return;
  installed = true;
  const prototype = PostgresJsPreparedQuery.prototype as unknown as { queryWithCache: QueryWithCache };
  // The inherited method as it is when called (query-timing.ts wraps it too, in either order).
  const parent = Object.getPrototypeOf(prototype) as { queryWithCache: QueryWithCache };
  // `run` reads this.prepare when it is called (drizzle-orm/postgres-js/session.js).
  prototype.queryWithCache = function (this: { prepare: boolean }, query, params, run) {
    if (params.length <= MAX_PREPARED_PARAMETERS && !query.startsWith(PLANNED_EACH_TIME)) this.prepare = true;
    return parent.queryWithCache.call(this, query, params, run);
  };
}
