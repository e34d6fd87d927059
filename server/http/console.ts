import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { consoleOutDir } from './console-build.ts';

// Paths the console must never answer for: the API, its exports and the probes keep theirs, whatever a browser asks.
const API_PATHS = /^\/(graphql|exports|healthz|readyz)(\/|\.|$)/;

const escapeAttribute = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * Sweep 7c L3: the console's page and assets may not be framed by another site (clickjacking), are not sniffed as another
 * type, and tell another origin only this origin, never a console route (the map's tile service, whose key may be
 * bound to the site's domain, still learns which site asks). Only frame-ancestors is
 * in the CSP: Ant Design and ECharts set inline styles. The printed pages and exports keep their own headers.
 */
const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'content-security-policy': "frame-ancestors 'none'",
  'referrer-policy': 'strict-origin-when-cross-origin',
};

const withConsoleHeaders = (res: Response) => {
  for (const [name, value] of Object.entries(CONSOLE_HEADERS)) res.setHeader(name, value);
};

const NOT_BUILT = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>应急物资储备与调度</title>
<p>控制台尚未构建：请运行 <code>npm start</code>（会自动构建）或 <code>npm run console:build</code>。GraphQL 接口与 GraphiQL 查询页面在 <a href="/graphql">/graphql</a>。</p></html>`;

/**
 * Serves the built web console (server/console, built by Vite into dist/console) at `/`: hashed assets with long
 * caching, and index.html for every other GET that wants HTML (the console's routes live in the browser). The page
 * carries MAP_TILE_URL in a meta tag; without it the map draws on a plain background and nothing leaves the origin.
 */
export function serveConsole(app: Express, options: { mapTileUrl: string | undefined; dir?: string }) {
  const dir = options.dir ?? consoleOutDir;
  const indexFile = join(dir, 'index.html');
  let page: string | undefined;
  const indexPage = () => {
    if (page === undefined && existsSync(indexFile)) {
      page = readFileSync(indexFile, 'utf8').replace(
        '<meta name="map-tile-url" content="" />',
        `<meta name="map-tile-url" content="${escapeAttribute(options.mapTileUrl ?? '')}" />`,
      );
    }
    return page;
  };
  app.use(
    '/assets',
    (_req: Request, res: Response, next: NextFunction) => {
      withConsoleHeaders(res);
      next();
    },
    // A missing asset, a path out of the directory or a malformed escape (serve-static's 404, 403, 400) is refused by
    // the app's last error handler (app.ts lastErrors), as every other route's is.
    express.static(join(dir, 'assets'), { immutable: true, maxAge: '1y', index: false, fallthrough: false }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATHS.test(req.path) || !req.accepts('html')) return next();
    withConsoleHeaders(res);
    res.setHeader('cache-control', 'no-cache');
    res.type('html').send(indexPage() ?? NOT_BUILT);
  });
}
