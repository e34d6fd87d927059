import express, { type Request, type Response } from 'express';
import { createYoga, maskError as defaultMaskError } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import { schema } from '../schema/index.ts';
import { createContext, type AppServices } from './context.ts';
import { authenticate } from './users/service.ts';
import type { Logger } from './logger.ts';
import { auditPlugin } from './audit/log.ts';
import { registerExports } from './audit/exports.ts';
import { ERROR_CODES } from './errors.ts';

const API_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** The express app: GraphQL at /graphql, liveness at /healthz, readiness at /readyz. */
export function buildApp(services: AppServices) {
  const { config, log, database } = services;
  const keys = { secret: config.jwtSecret, ttlHours: config.tokenTtlHours };

  const yoga = createYoga<{ req: Request; res: Response }>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: config.env !== 'production',
    landingPage: false,
    logging: false,
    context: async ({ request }) => {
      return createContext(services, await authenticate(database.db, keys, request.headers.get('authorization')));
    },
    maskedErrors: { maskError: (error, message, isDev) => maskUnexpected(error, message, isDev, log) },
    // Validation errors are returned without passing maskError; API.md wants them coded too (the client's bad input).
    plugins: [{ onValidate: () => ({ result }: { result: readonly GraphQLError[] }) => result.forEach(asBadUserInput) }, auditPlugin()],
  });

  const app = express();
  app.disable('x-powered-by');
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
  registerExports(app, services);
  app.use(yoga.graphqlEndpoint, (req, res) => yoga.handle(req, res));
  return app;
}

// By name, not instanceof: graphql may be loaded twice (ESM and CJS copies) and its classes then differ.
const isGraphQLError = (e: unknown): e is GraphQLError => e instanceof Error && e.name === 'GraphQLError';

function asBadUserInput(error: GraphQLError): void {
  if (!API_CODES.has(error.extensions?.code as string)) (error.extensions as Record<string, unknown>).code = 'BAD_USER_INPUT';
}

/** Domain errors and GraphQL's own (syntax, validation, coercion) reach the client; anything else is logged and masked. */
function maskUnexpected(error: unknown, message: string, isDev: boolean | undefined, log: Logger): Error {
  if (isGraphQLError(error) && (!error.originalError || isGraphQLError(error.originalError))) {
    // API.md codes pass; yoga's own (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED) are the client's bad input.
    if (API_CODES.has(error.extensions?.code as string)) return error;
    return new GraphQLError(error.message, {
      nodes: error.nodes,
      source: error.source,
      positions: error.positions,
      path: error.path,
      extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
    });
  }
  const original = isGraphQLError(error) ? error.originalError : error;
  log.error('unexpected error', { error: String(original), stack: original instanceof Error ? original.stack : undefined });
  const masked = defaultMaskError(error, message, Boolean(isDev)) as GraphQLError;
  return new GraphQLError(masked.message, { nodes: masked.nodes, path: masked.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
