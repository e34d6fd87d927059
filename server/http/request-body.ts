import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';

// API.md The edge: only JSON POST bodies are executed (a form or multipart post — what a foreign page can send
// without asking — is refused before GraphQL sees it), and a body has a bounded size.

const EXECUTABLE = new Set(['application/json', 'application/graphql-response+json']);

function refuse(res: Response, status: number, message: string, details: Record<string, unknown>) {
  res.status(status).json({ errors: [{ message, extensions: { code: 'BAD_USER_INPUT', ...details } }] });
}

/** POST bodies must be JSON: anything else is 415 with a JSON error; GET and others pass (yoga refuses mutations over GET). */
export const jsonPostsOnly: RequestHandler = (req: Request, res: Response, next: NextFunction) => {
  if (req.method !== 'POST') return next();
  const header = req.headers['content-type'] ?? '';
  const [mediaType, ...parameters] = header.split(';');
  const type = mediaType.trim().toLowerCase();
  if (!EXECUTABLE.has(type)) {
    return refuse(res, 415, '只接受 JSON 格式的请求（Content-Type: application/json）', {
      contentType: type || null,
      accepted: [...EXECUTABLE],
    });
  }
  // The body is JSON either way; yoga's parser knows it as application/json.
  req.headers['content-type'] = ['application/json', ...parameters].join(';');
  next();
};

/** Reads the body into memory up to `maxBytes` (after any content decoding); larger ones are refused unread. */
export const boundedBody = (maxBytes: number): RequestHandler => express.raw({ type: () => true, limit: maxBytes });

/** Answers failures of reading the body as the client's bad input, in the GraphQL error shape. */
export function requestBodyErrors(maxBytes: number): ErrorRequestHandler {
  return (error: { type?: string; status?: number }, _req, res, next) => {
    if (error?.type === 'entity.too.large') {
      return refuse(res, 413, `请求体过大（最多 ${Math.round(maxBytes / 1024)} KB）`, { maxBytes });
    }
    if (typeof error?.type === 'string' && typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      return refuse(res, error.status, '请求体无法读取，请检查其编码和格式', { reason: error.type });
    }
    next(error);
  };
}
