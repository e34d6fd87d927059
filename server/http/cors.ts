import cors from 'cors';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * API.md The edge: browsers may call the API only from the origins in CORS_ORIGINS. Others get no CORS headers at
 * all (the browser then withholds the answer); an origin is never reflected unless listed, and credentials are
 * allowed only with a listed origin. With no origins configured the API is same-origin only.
 */
export function corsAllowlist(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  const listed = cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    credentials: true,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Accept'],
    maxAge: 600,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (allowed.size === 0) return next();
    // The answer depends on the Origin: shared caches must not hand one origin's answer to another.
    res.vary('Origin');
    return listed(req, res, next);
  };
}
