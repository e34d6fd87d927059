import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { pinoHttp } from 'pino-http';
import type { Database } from '../../drizzle/client.ts';
import type { Principal } from '../auth/principal.ts';
import { currentLogScope, pinoOf, withLogScope, type LogScope, type Logger } from '../logger.ts';

// The access log: one line per request (pino-http) with its id, method, path, the GraphQL operation, who asked,
// the status, the duration and the error codes answered. An operator follows a request from the id a client
// saw in the `x-request-id` response header (or sent in the request) through every line logged while serving it.

/** What the edge learns about a request while serving it; the access log and the metrics read it at the end. */
export interface RequestFacts extends LogScope {
  operation?: string;
  operationType?: string;
  user?: string;
  role?: string;
  errorCodes: string[];
}

const factsByRequest = new WeakMap<IncomingMessage, RequestFacts>();

export const requestFactsOf = (req: IncomingMessage): RequestFacts | undefined => factsByRequest.get(req);

/** The facts of the request being served (where no request object is at hand: yoga's error masking). */
export const currentRequestFacts = () => currentLogScope() as RequestFacts | undefined;

/** Who and what, for an error line: the request id, the operation and the user. */
export function errorContext() {
  const facts = currentRequestFacts();
  if (!facts) return {};
  const { requestId, operation, operationType, user, role } = facts;
  return { requestId, operation, operationType, user, role };
}

/** A client's own request id is kept when it is a plain token of reasonable length; otherwise one is made. */
const CLIENT_REQUEST_ID = /^[\w.:@/+=-]{1,128}$/;

function requestIdFor(req: IncomingMessage, res: ServerResponse): string {
  const sent = req.headers['x-request-id'];
  const id = typeof sent === 'string' && CLIENT_REQUEST_ID.test(sent) ? sent : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/** Probes and scrapes are not worth a line each. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
// express rewrites req.url under a mount point; originalUrl is what the client asked for.
const pathOf = (req: IncomingMessage) => ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '/').split('?')[0];

/** The access log and the request id; mount first. */
export function requestLogging(log: Logger): RequestHandler[] {
  const accessLine = (req: IncomingMessage, res: ServerResponse, extra: { durationMs: number }) => {
    const facts = requestFactsOf(req);
    // The query string is left out: it may carry a GraphQL document or its variables.
    return {
      requestId: facts?.requestId ?? String((req as { id?: unknown }).id),
      method: req.method,
      path: pathOf(req),
      operation: facts?.operation,
      operationType: facts?.operationType,
      user: facts?.user,
      role: facts?.role,
      status: res.statusCode,
      durationMs: extra.durationMs,
      errorCodes: facts?.errorCodes.length ? facts.errorCodes : undefined,
    };
  };
  const http = pinoHttp({
    logger: pinoOf(log),
    genReqId: requestIdFor,
    // The access line is written by the logger itself (no child bound to the request: its id would appear twice).
    quietResLogger: true,
    serializers: { req: (req: { id?: unknown }) => ({ id: req.id }) },
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    // An unexpected failure has its own error line (errors.ts); the access line stays at info.
    customLogLevel: () => 'info',
    customSuccessMessage: (_req, res) => (res.writableEnded ? 'request completed' : 'request aborted'),
    customErrorMessage: () => 'request completed',
    customSuccessObject: (req, res, value: { durationMs: number }) => accessLine(req, res, value),
    customErrorObject: (req, res, _error, value: { durationMs: number }) => accessLine(req, res, value),
    autoLogging: { ignore: (req) => QUIET_PATHS.has(pathOf(req)) },
  });
  const scope: RequestHandler = (req: Request, _res: Response, next: NextFunction) => {
    const facts: RequestFacts = { requestId: String(req.id), errorCodes: [] };
    factsByRequest.set(req, facts);
    withLogScope(facts, next);
  };
  return [http, scope];
}

/** Records the signed-in user of a request (GraphQL context, exports). */
export function recordUser(req: IncomingMessage, user: Principal | null) {
  const facts = requestFactsOf(req);
  if (facts && user) Object.assign(facts, { user: user.username, role: user.role });
}

/** Records the error code of a refusal made before GraphQL runs (the request budget's 429): the access line and /metrics count it. */
export function recordRefusal(req: IncomingMessage, code: string) {
  const facts = requestFactsOf(req);
  if (facts && !facts.errorCodes.includes(code)) facts.errorCodes.push(code);
}

function recordOperation(req: IncomingMessage | undefined, document: DocumentNode) {
  const facts = req && requestFactsOf(req);
  const operation = facts && getOperationAST(document, facts.operation);
  if (!operation) return;
  facts.operationType = operation.operation;
  facts.operation = operation.name?.value ?? facts.operation;
}

function recordErrorCodes(req: IncomingMessage | undefined, results: readonly ExecutionResult[]) {
  const facts = req && requestFactsOf(req);
  if (!facts) return;
  for (const result of results) {
    for (const error of result.errors ?? []) {
      const code = error.extensions?.code;
      if (typeof code === 'string' && !facts.errorCodes.includes(code)) facts.errorCodes.push(code);
    }
  }
}

interface EdgeContext {
  req?: IncomingMessage;
}

/** The yoga side: the operation's name and type, and the error codes of the answer (the user: app.ts's context). */
export function operationFacts(): Plugin<EdgeContext> {
  return {
    onParams({ params, context }) {
      const req = (context as EdgeContext).req;
      const facts = req && requestFactsOf(req);
      if (facts && typeof params.operationName === 'string') facts.operation = params.operationName.slice(0, 100);
    },
    // Before validation, so that a refused document still names its operation.
    onValidate({ params, context }) {
      recordOperation((context as EdgeContext).req, params.documentAST);
    },
    onResultProcess({ result, serverContext }) {
      const req = (serverContext as EdgeContext).req;
      if (Array.isArray(result)) recordErrorCodes(req, result as readonly ExecutionResult[]);
      else if (!(Symbol.asyncIterator in (result as object))) recordErrorCodes(req, [result as ExecutionResult]);
    },
  };
}

/** LOG_LEVEL=debug: each SQL statement with its duration (the statement's text, never its parameters). */
export function logStatementTimings(database: Database, log: Logger) {
  return database.onQuery((statement, seconds, failed) =>
    log.debug('sql', { ms: Math.round(seconds * 100_000) / 100, ...(failed ? { failed } : {}), sql: statement }),
  );
}
