import type { Request, Response } from 'express';
import type { Principal } from '../auth/principal.ts';
import type { AppServices, ServiceContext } from '../context.ts';
import { bearerRefusal } from '../auth/session-refusal.ts';
import { badInput, DomainError, unauthenticated } from '../errors.ts';
import { redeemDownloadLink } from '../paperwork/download-links.ts';
import { authenticate } from '../users/service.ts';
import { httpError } from './errors.ts';
import { recordUser } from './logging.ts';

// The plain-HTTP routes of the paperwork (exports, printable documents, stocktake sheets) authenticate either with the
// bearer token (programs) or with a short-lived one-use download link minted by createDownloadLink (browsers).

export type DownloadRoute = (req: Request, res: Response, ctx: ServiceContext) => Promise<void>;

export function downloadRoute(services: AppServices, route: DownloadRoute) {
  const { config, database, clock, log } = services;
  const keys = { secret: config.jwtSecret, ttlHours: config.tokenTtlHours };
  return async (req: Request, res: Response) => {
    try {
      const link = new URL(req.originalUrl, 'http://local');
      const dl = link.searchParams.getAll('dl');
      let user: Principal | null;
      if (dl.length) {
        if (dl.length > 1) throw badInput('dl', '参数 dl 只能出现一次');
        user = await redeemDownloadLink(database.db, config.jwtSecret, dl[0], link.pathname, link.searchParams, clock.now().toJSDate());
      } else user = await authenticate(database.db, keys, req.headers.authorization);
      recordUser(req, user);
      // A refused token is told why as GraphQL tells it — one rule (server/auth/session-refusal.ts): 401
      // { error: { code: 'UNAUTHENTICATED', message, reason } }, ACCOUNT_DISABLED only to the holder of the disabled
      // user's current token, SESSION_ENDED to any other; no token at all, 请先登录 alone.
      if (!user) throw unauthenticated(await bearerRefusal(database.db, keys, req.headers.authorization));
      // A link is for one user: the file must not sit in a shared cache.
      res.setHeader('cache-control', 'private, no-store');
      await route(req, res, { db: database.db, actor: user, clock });
    } catch (error) {
      const { status, body } = httpError(error, log, { route: req.path });
      res.status(status).json(body);
    }
  };
}

/** The query string as single values; a repeated parameter (?from=a&from=b) is refused rather than guessed. */
export function singleParams(req: Request): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(req.query).map(([k, v]) => {
      if (typeof v !== 'string') throw badInput(k, `参数 ${k} 只能出现一次`);
      return [k, v];
    }),
  );
}

/**
 * The answer for a path under a paperwork prefix (/exports, /paperwork) that no route serves: NOT_FOUND as JSON in
 * Chinese, like every other refusal of these routes — not the framework's English HTML page. Registered after them.
 */
export function unknownPaperworkPath(services: AppServices, usage: string) {
  return (req: Request, res: Response) => {
    const path = req.originalUrl.split('?')[0].slice(0, 120);
    const refusal = new DomainError('NOT_FOUND', `没有这个地址：${req.method} ${path}（${usage}）`, { field: 'path' });
    const { status, body } = httpError(refusal, services.log, { route: req.path });
    res.status(status).json(body);
  };
}
