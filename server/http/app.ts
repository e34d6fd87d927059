import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { createYoga } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { schema } from '../../schema/index.ts';
import { createContext, type AppServices, type Wiring } from '../context.ts';
import { completePlanOnTransferReceipt } from '../dispatch/plans.ts';
import { listenForPlanStatus } from '../dispatch/events.ts';
import { checkPlanShipment } from '../dispatch/execution.ts';
import { authenticate } from '../users/service.ts';
import { bearerRefusal } from '../auth/session-refusal.ts';
import { auditMutations, auditRefusedMutations, auditRefusedText } from './audited-mutations.ts';
import { registerExports } from './exports.ts';
import { registerPaperwork } from './paperwork.ts';
import { codedGraphQLError, httpError, logUnexpected, toClientError } from './errors.ts';
import { serveConsole } from './console.ts';
import { compiledQueries } from './compiled-execution.ts';
import { variableRefusalSources } from './coercion-messages.ts';
import { corsAllowlist } from './cors.ts';
import { productionDisclosure, withoutSuggestions } from './disclosure.ts';
import { inputGuard } from './input-guard.ts';
import { subscriptionsOverPost } from './subscriptions-over-post.ts';
import { unknownOperationName } from './operation-name.ts';
import { queryLimits } from './limits.ts';
import { guardLogins, withLoginAttemptSource } from './login-backoff.ts';
import { LoginAttempts } from './login-attempts.ts';
import { clientAddress, MemoryCounters, requestBudget } from './rate-limit.ts';
import { acceptableAnswers, boundedBody, jsonGetParameters, jsonPostsOnly, requestBodyErrors } from './request-body.ts';
import { logStatementTimings, operationFacts, recordUser, requestLogging } from './logging.ts';
import { appMetrics, countGraphqlRequests, metricsEndpoint, observeDatabase } from './metrics.ts';
import { graphiqlOptions, renderOfflineGraphiQL } from './graphiql.ts';
import { ReferenceCache } from '../reference-cache.ts';
import type { Logger } from '../logger.ts';

// The login back-off wraps the audited login resolver: its count is kept outside the mutation's transaction.
const apiSchema = guardLogins(auditMutations(schema));

/** Sweep 7c L3: no answer is sniffed as another type than it says (the console adds its framing headers, console.ts). */
const noSniffing: RequestHandler = (_req, res, next) => {
  res.setHeader('x-content-type-options', 'nosniff');
  next();
};

/** Sweep 7c L3, D29: GraphQL answers carry households' names and addresses: no cache, shared or the browser's, keeps them. */
const notStored: RequestHandler = (_req, res, next) => {
  res.setHeader('cache-control', 'no-store');
  next();
};

const REFUSAL_CODES: Readonly<Record<number, string>> = { 401: 'UNAUTHENTICATED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 429: 'RATE_LIMITED' };
const REFUSAL_MESSAGES: Readonly<Record<number, string>> = {
  400: '请求格式不正确（地址中的转义或请求内容无法解析）',
  403: '不允许访问这个地址',
  404: '没有这个文件或地址',
};

/** A request nothing above answered (not a console page either): a short JSON 404 in Chinese, as the routes answer. */
const unknownPath: RequestHandler = (req, res) => {
  const path = req.originalUrl.split('?')[0].slice(0, 120);
  res.status(404).json({ error: { code: 'NOT_FOUND', message: `没有这个地址：${req.method} ${path}（控制台在 /，GraphQL 接口在 /graphql）` } });
};

/**
 * Sweep 7c M2: the last error handler, so that express's own never runs — it wrote the error raw to stderr, outside the
 * logger (a client's path with newlines in it forged log lines), and in development answered with the stack and the
 * server's paths. A refusal express or a middleware made (a 4xx status: a malformed escape in a route parameter, a
 * console asset missing or out of its directory) is the client's, answered in short JSON and recorded by the access line
 * alone; anything else is logged once through the logger and masked (errors.ts).
 */
function lastErrors(log: Logger): ErrorRequestHandler {
  return (error: { status?: unknown; statusCode?: unknown; headers?: unknown }, req, res, _next) => {
    const status = Number(error?.status ?? error?.statusCode);
    const refusal = Number.isInteger(status) && status >= 400 && status < 500;
    if (res.headersSent) {
      if (!refusal) logUnexpected(error, log, { route: req.path });
      req.socket?.destroy();
      return;
    }
    if (refusal) {
      // A range not satisfiable (416) says the file's size in Content-Range, as serve-static asks.
      if (error.headers && typeof error.headers === 'object') res.set(error.headers as Record<string, string>);
      res.status(status).json({
        error: { code: REFUSAL_CODES[status] ?? 'BAD_USER_INPUT', message: REFUSAL_MESSAGES[status] ?? `请求无法处理（HTTP ${status}）` },
      });
      return;
    }
    const answer = httpError(error, log, { route: req.path });
    res.status(answer.status).json(answer.body);
  };
}

/** The composition root: express with GraphQL at /graphql, exports, liveness at /healthz, readiness at /readyz. */
export function buildApp(services: AppServices) {
  const { config, log, database, clock } = services;
  const keys = { secret: config.jwtSecret, ttlHours: config.tokenTtlHours };
  // A dispatch shipment received, written off or cancelled may complete its plan.
  const wiring: Wiring = { transferReceived: completePlanOnTransferReceipt, planShipment: checkPlanShipment };
  // Request budgets of this process (rate-limit.ts); login failures of every process (login-attempts.ts).
  const counters = new MemoryCounters();
  const loginAttempts = new LoginAttempts(database);
  const production = config.env === 'production';
  const maskError = (error: unknown) => toClientError(error, log);
  const metrics = appMetrics();
  observeDatabase(metrics, database);
  if (config.logLevel === 'debug') logStatementTimings(database, log);
  // Issue 11 (P1): the principal and the reference data of posts from memory, dropped on every change (LISTEN).
  const reference = new ReferenceCache();
  reference
    .listen(database)
    .catch((error: unknown) => log.warn('reference data is read from the database: not listening for changes', { error: String(error) }));
  // D18: live plan status, from whichever process changed it (LISTEN/NOTIFY).
  listenForPlanStatus(database, (error) => log.warn('plan status event unreadable', { error: String(error) })).catch((error: unknown) =>
    log.warn('plan status is told to this process only: not listening for changes', { error: String(error) }),
  );

  // Who asks, and the services a resolver uses: the request's context (also built for the audit row of a mutation
  // refused before its context was, audited-mutations.ts).
  const requestContext = async ({ request, req }: { request: Request; req: express.Request }) => {
    const authorization = request.headers.get('authorization');
    const user = await authenticate(database.db, keys, authorization, reference);
    recordUser(req, user);
    const context = createContext(services, wiring, user, reference);
    // Sweep 23c F4: a refused token says why (a disabled account is told apart: server/auth/session-refusal.ts).
    if (user === null) context.sessionRefused = (await bearerRefusal(database.db, keys, authorization)) || undefined;
    return withLoginAttemptSource(context, {
      attempts: loginAttempts,
      policy: config.loginBackoff,
      clientAddress: clientAddress(req),
    });
  };

  const yoga = createYoga<{ req: express.Request; res: express.Response }>({
    schema: apiSchema,
    graphqlEndpoint: '/graphql',
    // Offline: the page carries its own assets (graphiql.ts), none come from a CDN.
    graphiql: production ? false : graphiqlOptions,
    renderGraphiQL: renderOfflineGraphiQL,
    landingPage: false,
    logging: false,
    // CORS is the express allowlist's (cors.ts): yoga's default would reflect any origin, with credentials.
    cors: false,
    // Only JSON is executed (request-body.ts refuses the rest before yoga); multipart off is yoga's own backstop.
    multipart: false,
    // The body reaches yoga already read and bounded (boundedBody, request-body.ts): yoga's own limit would pipe the
    // buffer through a second, limiting stream on every request (~5 % of a small request's CPU) to enforce the same bound.
    maxRequestBodySize: false,
    // The cost limit depends on the variables (`first: $n`), so a validation result must not be reused by document.
    parserAndValidationCache: { validationCache: false },
    context: requestContext,
    maskedErrors: { maskError: production ? (error) => withoutSuggestions(maskError(error)) : maskError },
    plugins: [
      operationFacts(),
      // An Accept header yoga answers nothing for: 406 with a Chinese JSON refusal, not an empty body (sweep 21c F9).
      acceptableAnswers(production),
      // D22: a mutation refused for its text is audited as every refusal is (sweep 21c F2).
      inputGuard(config.queryLimits.maxTokens, auditRefusedText(apiSchema, requestContext)),
      subscriptionsOverPost(),
      unknownOperationName(),
      queryLimits(config.queryLimits),
      // Validation errors are returned without passing maskError; API.md wants them coded too (the client's bad input),
      // and a value the query text gives wrongly said in Chinese (coercion-messages.ts).
      {
        onValidate:
          () =>
          ({ result, setResult }: { result: readonly GraphQLError[]; setResult: (errors: GraphQLError[]) => void }) =>
            setResult(result.map(codedGraphQLError)),
      },
      ...(production ? [productionDisclosure()] : []),
      // Compiled execution for queries (issue 11, P3): compiled-execution.ts.
      compiledQueries(),
      variableRefusalSources(),
      // D22: a mutation refused before its resolvers run (a value that does not coerce) is audited too; after the
      // plugins above, whose words it records.
      auditRefusedMutations(requestContext),
    ],
  });

  const app = express();
  app.disable('x-powered-by');
  // Whose X-Forwarded-For to believe (TRUST_PROXY); by default none: the client is the socket's peer.
  app.set('trust proxy', config.trustProxy);
  app.use(requestLogging(log));
  app.use(noSniffing);
  app.use(corsAllowlist(config.corsOrigins));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      const ready = await database.migrationsApplied();
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'migrations pending', database: database.kind });
    } catch (error) {
      log.warn('readiness check failed', { error: String(error) });
      res.status(503).json({ status: 'database unavailable' });
    }
  });
  app.get('/metrics', metricsEndpoint(metrics, config.metricsToken, log));
  // Before the budget, so that its refusals are not stored either, and are counted (sweep 23a F2: 429s were in
  // neither graphql_requests_total nor graphql_errors_total).
  app.use(yoga.graphqlEndpoint, notStored, countGraphqlRequests(metrics));
  // Everything but the probes spends the client's request budget.
  app.use(requestBudget(counters, config, clock));
  registerExports(app, services);
  registerPaperwork(app, services);
  app.use(yoga.graphqlEndpoint, jsonPostsOnly, jsonGetParameters, boundedBody(config.requestMaxBytes), (req, res) => yoga.handle(req, res));
  // Last among the routes: the console's fallback answers only what nothing above did.
  serveConsole(app, { mapTileUrl: config.mapTileUrl });
  app.use(unknownPath);
  app.use(requestBodyErrors(config.requestMaxBytes));
  app.use(lastErrors(log));
  return app;
}
