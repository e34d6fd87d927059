import express, { type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Plugin } from 'graphql-yoga';

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

/**
 * Reads the body into memory up to `maxBytes` (after any content decoding); larger ones are refused unread. A body that
 * cannot be read — too large, an unsupported encoding, or one that claims gzip/deflate/br and is not — is answered here
 * as the client's bad input (answerBodyError), never by express's HTML error page with a stack trace (admin-auth sweep #11).
 */
export const boundedBody = (maxBytes: number): RequestHandler => {
  const read = express.raw({ type: () => true, limit: maxBytes });
  return (req, res, next) =>
    read(req, res, (error?: BodyError) => {
      if (error) {
        if (res.headersSent) return next(error);
        return answerBodyError(res, maxBytes, error);
      }
      // An empty body left yoga reading a stream already read: the request hung until the client gave up (sweep 10c F1).
      if (req.method === 'POST' && !hasContent(req.body)) {
        return refuse(res, 400, '请求体为空：须为 JSON 对象，如 {"query": "{ me { username } }"}', { reason: 'body.empty' });
      }
      next();
    });
};

const hasContent = (body: unknown) => Buffer.isBuffer(body) && body.some((byte) => byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09);

/**
 * A GET request's `variables` and `extensions` must be JSON objects: yoga's parser throws on anything else, and that
 * reached the client as an internal error with a stack trace in the log (sweep 10c F6). Refused here as bad input.
 */
export const jsonGetParameters: RequestHandler = (req, res, next) => {
  if (req.method !== 'GET') return next();
  for (const name of ['variables', 'extensions']) {
    const value = req.query[name];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string' || !isJsonObject(value)) {
      return refuse(res, 400, `请求参数 ${name} 须为 JSON 对象（如 {"id": "…"}）`, { field: name });
    }
  }
  next();
};

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return value === null || (typeof value === 'object' && !Array.isArray(value));
  } catch {
    return false;
  }
}

interface BodyError {
  type?: string;
  status?: number;
}

/** The refusal of a body that could not be read: 413 too large, 415 an encoding we do not decode, 400 the rest. */
function answerBodyError(res: Response, maxBytes: number, error: BodyError) {
  if (error?.type === 'entity.too.large') {
    return refuse(res, 413, `请求体过大（最多 ${Math.round(maxBytes / 1024)} KB）`, { maxBytes });
  }
  if (error?.type === 'encoding.unsupported' || error?.status === 415) {
    return refuse(res, 415, '不支持该请求体压缩方式（Content-Encoding 只接受 gzip、deflate、br 或不压缩）', { reason: error.type ?? 'encoding.unsupported' });
  }
  // A decompression failure (zlib's, with no type), an aborted or malformed body: the client's, not ours.
  return refuse(res, 400, '请求体无法解压或读取，请检查其压缩方式（Content-Encoding）和格式', { reason: error?.type ?? 'encoding.invalid' });
}

/** Answers failures of reading the body that reach express's error handlers, as the client's bad input (as boundedBody). */
export function requestBodyErrors(maxBytes: number): ErrorRequestHandler {
  return (error: BodyError, _req, res, next) => {
    if (typeof error?.type === 'string' && typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
      return answerBodyError(res, maxBytes, error);
    }
    next(error);
  };
}

/**
 * Sweep 21c F9: GraphQL answers in JSON (or as a stream of events). A request whose Accept header takes none of the
 * media types yoga answers in — a browser opening /graphql with text/html where GraphiQL is off (production), a
 * client asking for XML — was answered 406 with an empty body; it keeps the 406 and gets a short JSON refusal in
 * Chinese, as the edge's other refusals (415 above). `production`: GraphiQL is not served, so a page is no answer.
 */
export function acceptableAnswers(production: boolean): Plugin {
  return {
    onResultProcess(payload) {
      const { request, resultProcessor, acceptableMediaTypes } = payload;
      if (resultProcessor) return;
      const asked = (request.headers.get('accept') ?? '').slice(0, 200);
      const accepted = [...new Set(acceptableMediaTypes)];
      const page = production && request.method === 'GET' && /text\/html/i.test(asked) ? '；生产环境不提供 GraphiQL 页面' : '';
      const body = {
        errors: [
          {
            message: `接口只以 JSON 答复：请求头 Accept 须接受 application/json 或 application/graphql-response+json${page}`,
            extensions: { code: 'BAD_USER_INPUT', accept: asked, accepted },
          },
        ],
      };
      payload.setResultProcessor(
        (_result, fetchAPI) =>
          new fetchAPI.Response(JSON.stringify(body), {
            status: 406,
            headers: { 'content-type': 'application/json; charset=utf-8', accept: accepted.join(', ') },
          }),
        'application/json',
      );
    },
  };
}
