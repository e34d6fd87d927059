import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { sql } from 'drizzle-orm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { applicationName, queryRows, type Database } from '../../drizzle/client.ts';
import { onDocumentPosted, onPlannerSolved } from '../diagnostics.ts';
import type { Logger } from '../logger.ts';
import { scrape, shareWithPrimary } from './cluster-metrics.ts';
import { requestFactsOf } from './logging.ts';

// GET /metrics in the Prometheus text format (prom-client): GraphQL operations and their latency, error codes
// answered, ledger documents posted, planner solve time, the database pool, and the process itself. Metrics belong
// to the process (one registry); with several API processes a scrape answers for all of them (cluster-metrics.ts).

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Client-chosen operation names become labels: only GraphQL names, only a signed-in user's, and at most this many
 * distinct ones. Sweep 16a F6: an anonymous client sending made-up names used up the 200 before the console's own,
 * which then all counted as `(other)`; a request without a valid session now counts as UNAUTHENTICATED_LABEL whatever
 * its name (login among them), and names no label.
 */
const MAX_OPERATION_LABELS = 200;
export const UNAUTHENTICATED_LABEL = '(unauthenticated)';
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;

function createProcessMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const current: { database?: Database; unsubscribe?: () => void } = {};
  const metrics = {
    registry,
    current,
    operationNames: new Set<string>(),
    requests: new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL requests by operation name and type',
      labelNames: ['operation', 'type'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'GraphQL request duration, from arrival to the last byte of the answer, by operation',
      labelNames: ['operation', 'type'] as const,
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    errors: new Counter({
      name: 'graphql_errors_total',
      help: 'Requests answered with an error, by API.md error code (each code once per request)',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    documents: new Counter({
      name: 'ledger_documents_posted_total',
      help: 'Ledger documents posted, by document type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    documentLines: new Counter({
      name: 'ledger_document_lines_posted_total',
      help: 'Lines of the ledger documents posted, by document type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    planner: new Histogram({
      name: 'dispatch_planner_solve_seconds',
      help: 'Time the dispatch planner took to solve one plan',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    queries: new Histogram({
      name: 'db_query_duration_seconds',
      help: 'SQL statement duration',
      labelNames: ['outcome'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'db_pool_max',
    help: 'Connections the pool may open (1 for the embedded PGlite)',
    registers: [registry],
    collect() {
      if (current.database) this.set(current.database.poolMax);
    },
  });
  new Gauge({
    name: 'db_queries_in_flight',
    help: 'SQL statements sent and not yet answered',
    registers: [registry],
    collect() {
      if (current.database) this.set(current.database.stats.inFlight);
    },
  });
  new Gauge({
    name: 'db_pool_connections',
    help: "This process's connections on the PostgreSQL server, by state (pg_stat_activity)",
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const database = current.database;
      this.reset();
      if (database?.kind !== 'postgres') return;
      const rows = await withTimeout(
        queryRows<{ state: string | null; n: number }>(
          database.db,
          sql`SELECT coalesce(state, 'unknown') AS state, count(*)::int AS n FROM pg_stat_activity
              WHERE application_name = ${applicationName()} GROUP BY 1`,
        ),
        1_000,
      ).catch(() => []);
      // The scrape's own connection, busy asking, is among the active ones.
      for (const r of rows) this.set({ state: r.state ?? 'unknown' }, Number(r.n));
    },
  });
  onDocumentPosted((e) => {
    metrics.documents.inc({ type: e.type });
    metrics.documentLines.inc({ type: e.type }, e.lines);
  });
  onPlannerSolved((e) => metrics.planner.observe(e.seconds));
  shareWithPrimary(registry);
  return metrics;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

type ProcessMetrics = ReturnType<typeof createProcessMetrics>;
let processMetrics: ProcessMetrics | undefined;

/** The metrics of this process (created on first use). */
export function appMetrics(): ProcessMetrics {
  processMetrics ??= createProcessMetrics();
  return processMetrics;
}

/** The database whose pool the gauges show, and whose statements the histogram times (the one this process serves). */
export function observeDatabase(metrics: ProcessMetrics, database: Database) {
  metrics.current.unsubscribe?.();
  metrics.current.database = database;
  metrics.current.unsubscribe = database.onQuery((_query, seconds, failed) => metrics.queries.observe({ outcome: failed ? 'error' : 'ok' }, seconds));
}

function operationLabel(metrics: ProcessMetrics, name: string | undefined, signedIn: boolean): string {
  if (!signedIn) return UNAUTHENTICATED_LABEL;
  if (!name) return '(anonymous)';
  if (!OPERATION_NAME.test(name)) return '(other)';
  if (metrics.operationNames.has(name)) return name;
  if (metrics.operationNames.size >= MAX_OPERATION_LABELS) return '(other)';
  metrics.operationNames.add(name);
  return name;
}

/** Counts each GraphQL request when its answer is sent (mount on /graphql, after the request logging). */
export function countGraphqlRequests(metrics: ProcessMetrics): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.once('close', () => observeRequest(metrics, req, Number(process.hrtime.bigint() - started) / 1e9));
    next();
  };
}

function observeRequest(metrics: ProcessMetrics, req: IncomingMessage, seconds: number) {
  const facts = requestFactsOf(req);
  // A GET without a query is GraphiQL's page, not an operation.
  if (!facts || (req.method === 'GET' && !facts.operationType && !facts.operation)) return;
  // facts.user: the request's signed-in user (logging.ts recordUser), absent when no valid token came with it.
  const labels = { operation: operationLabel(metrics, facts.operation, facts.user !== undefined), type: facts.operationType ?? 'unknown' };
  metrics.requests.inc(labels);
  metrics.latency.observe(labels, seconds);
  for (const code of facts.errorCodes) metrics.errors.inc({ code });
}

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** GET /metrics; with METRICS_TOKEN set, only for `Authorization: Bearer <METRICS_TOKEN>`. */
export function metricsEndpoint(metrics: ProcessMetrics, token: string | undefined, log: Logger): RequestHandler {
  return async (req: Request, res: Response) => {
    if (token) {
      const [scheme, presented] = (req.headers.authorization ?? '').split(' ');
      if (scheme !== 'Bearer' || !presented || !sameSecret(presented, token)) {
        res
          .status(401)
          .set('www-authenticate', 'Bearer')
          .json({ error: { code: 'UNAUTHENTICATED', message: '需要 METRICS_TOKEN' } });
        return;
      }
    }
    try {
      res.set('content-type', metrics.registry.contentType).send(await scrape(metrics.registry));
    } catch (error) {
      log.error('collecting metrics failed', { error: String(error) });
      res.status(500).json({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'metrics unavailable' } });
    }
  };
}
