import express from 'express';
import { createYoga } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import { schema } from '../../schema/index.ts';
import { createContext, type AppServices, type Wiring } from '../context.ts';
import { completePlanOnTransferReceipt } from '../dispatch/plans.ts';
import { authenticate } from '../users/service.ts';
import { auditMutations } from './audited-mutations.ts';
import { registerExports } from './exports.ts';
import { ERROR_CODES } from '../errors.ts';
import { toClientError } from './errors.ts';

const apiSchema = auditMutations(schema);
const API_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

/** The composition root: express with GraphQL at /graphql, exports, liveness at /healthz, readiness at /readyz. */
export function buildApp(services: AppServices) {
  const { config, log, database } = services;
  const keys = { secret: config.jwtSecret, ttlHours: config.tokenTtlHours };
  // A received dispatch shipment may complete its plan.
  const wiring: Wiring = { transferReceived: completePlanOnTransferReceipt };

  const yoga = createYoga<{ req: express.Request; res: express.Response }>({
    schema: apiSchema,
    graphqlEndpoint: '/graphql',
    graphiql: config.env !== 'production',
    landingPage: false,
    logging: false,
    context: async ({ request }) => createContext(services, wiring, await authenticate(database.db, keys, request.headers.get('authorization'))),
    maskedErrors: { maskError: (error) => toClientError(error, log) },
    // Validation errors are returned without passing maskError; API.md wants them coded too (the client's bad input).
    plugins: [
      {
        onValidate:
          () =>
          ({ result }: { result: readonly GraphQLError[] }) =>
            result.forEach((e) => {
              if (!API_CODES.has(e.extensions?.code as string)) (e.extensions as Record<string, unknown>).code = 'BAD_USER_INPUT';
            }),
      },
    ],
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
