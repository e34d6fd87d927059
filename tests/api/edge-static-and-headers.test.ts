import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../server/http/app.ts';
import { serveConsole } from '../../server/http/console.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { useTestApp } from '../support/harness.ts';
import { QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { download } from '../support/paperwork.ts';

// Sweep 7c M2: a missing or forbidden console asset (or any other failure express sees) is answered by the app — a short
// JSON body, no stack, no server path — and nothing reaches stderr but the logger's JSON lines (README LOG_LEVEL).
// Sweep 7c L3: the console is not framed, not sniffed, and tells other origins no console route; GraphQL answers (D29: households'
// names and addresses) are never stored by a cache. The printed pages keep their own strict CSP.

const SECRET = 'test-secret-test-secret-test-secret!';
const FORGED = '{"level":"info","msg":"request completed","user":"director","operation":"FORGED"}';

const t = useTestApp();

describe('sweep 7c M2: failures of the static files and of express are the app’s own answers', () => {
  const lines: string[] = [];
  let app: express.Express;
  beforeAll(() => {
    const config = loadConfig({ NODE_ENV: 'development', JWT_SECRET: SECRET, LOG_LEVEL: 'info', LOGIN_MAX_FAILURES: '1000' });
    app = buildApp({ database: t.database, config, clock: t.clock, log: createLogger('info', { write: (line: string) => void lines.push(line) }) });
    // As on a development server (vitest runs with NODE_ENV=test, under which express's own handler keeps quiet).
    app.set('env', 'development');
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Runs `ask` with stderr and console.error captured; returns what was written outside the logger. */
  async function outsideTheLogger<T>(ask: () => PromiseLike<T>): Promise<{ res: T; raw: string[] }> {
    const raw: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      raw.push(String(chunk));
      return true;
    });
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void raw.push(args.map(String).join(' ')));
    const res = await ask();
    // express's own handler logs on the next turn of the event loop.
    await new Promise((resolve) => setTimeout(resolve, 20));
    vi.restoreAllMocks();
    return { res, raw };
  }

  const expectShortBody = (res: request.Response, code: string) => {
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body.error.code).toBe(code);
    expect(res.text.length).toBeLessThan(300);
    for (const leak of [/ENOENT/, /\bat\s+\S+\s+\(/, /node_modules/, /\/dist\//, /package\.json/, /Error:/, process.cwd()]) expect(res.text).not.toMatch(leak);
  };

  it('a missing asset answers 404 NOT_FOUND, without a stack or a path, and writes nothing to stderr', async () => {
    const { res, raw } = await outsideTheLogger(() => request(app).get('/assets/x.js'));
    expect(raw).toEqual([]);
    expect(res.status).toBe(404);
    expectShortBody(res, 'NOT_FOUND');
  });

  it('a path out of the assets directory answers 403 FORBIDDEN, not the file and not a stack trace', async () => {
    for (const path of ['/assets/..%2f..%2fpackage.json', '/assets/..%2F..%2F..%2Fpackage.json', '/assets/%2e%2e/%2e%2e/package.json']) {
      const { res, raw } = await outsideTheLogger(() => request(app).get(path));
      expect(raw, path).toEqual([]);
      expect(res.status, path).toBe(403);
      expectShortBody(res, 'FORBIDDEN');
      expect(res.text, path).not.toContain('"devDependencies"');
    }
  });

  it('encoded newlines in an asset path cannot forge a log line: every line is the logger’s, the path JSON-escaped', async () => {
    lines.length = 0;
    const path = `/assets/a%0A${encodeURIComponent(FORGED)}%0A.js`;
    const { res, raw } = await outsideTheLogger(() => request(app).get(path));
    expect(raw).toEqual([]);
    expect(res.status).toBe(404);
    expectShortBody(res, 'NOT_FOUND');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.some((e) => e.operation === 'FORGED')).toBe(false);
    expect(entries.find((e) => e.msg === 'request completed')).toMatchObject({ status: 404, path: expect.stringMatching(/^\/assets\//) });
    // One line per entry: no newline inside a line.
    for (const l of lines) expect(l.trimEnd()).not.toContain('\n');
  });

  it('a malformed escape in an asset path or in a route parameter is the client’s bad input (400), not a dump', async () => {
    for (const path of ['/assets/%E0%A4%A.js', '/exports/%E0%A4%A.csv', '/paperwork/documents/%E0%A4%A.html']) {
      const { res, raw } = await outsideTheLogger(() => request(app).get(path));
      expect(raw, path).toEqual([]);
      expect(res.status, path).toBe(400);
      expectShortBody(res, 'BAD_USER_INPUT');
    }
  });

  it('a GET that nothing answers and that does not want the console page is a short JSON 404', async () => {
    const { res, raw } = await outsideTheLogger(() => request(app).get('/keeper/stock').set('accept', 'application/json'));
    expect(res.status).toBe(404);
    expectShortBody(res, 'NOT_FOUND');
    expect(raw).toEqual([]);
  });
});

describe('sweep 7c L3: the console’s and the API’s response headers', () => {
  const expectConsoleHeaders = (res: request.Response, what: string) => {
    expect(res.headers['x-content-type-options'], what).toBe('nosniff');
    expect(res.headers['x-frame-options'], what).toBe('DENY');
    expect(res.headers['content-security-policy'], what).toBe("frame-ancestors 'none'");
    expect(res.headers['referrer-policy'], what).toBe('strict-origin-when-cross-origin');
  };

  it('the console page (at / and at its routes) may not be framed or sniffed and tells other origins no console route', async () => {
    for (const path of ['/', '/keeper/stock']) {
      const res = await request(t.app).get(path).set('accept', 'text/html');
      expect(res.status, path).toBe(200);
      expectConsoleHeaders(res, path);
      expect(res.headers['cache-control'], path).toBe('no-cache');
    }
  });

  it('the console’s assets carry the same headers, a missing one too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-headers-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<html><head><meta name="map-tile-url" content="" /></head><body>应急物资储备与调度</body></html>');
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    const app = express();
    serveConsole(app, { mapTileUrl: undefined, dir });
    const asset = await request(app).get('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expectConsoleHeaders(asset, 'asset');
    // A missing one is refused by the app's last error handler (app.ts), with the console's headers still on it.
    const missing = await request(t.app).get('/assets/gone-000.js');
    expect(missing.status).toBe(404);
    expectConsoleHeaders(missing, 'missing asset');
  });

  it('GraphQL answers (D29: households’ names and addresses) are not stored by caches and not sniffed', async () => {
    const token = await t.token('keeper');
    const res = await request(t.app)
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${token}`)
      .send({ query: '{ me { username } }' });
    expect(res.status).toBe(200);
    expect(res.body.data.me.username).toBe('keeper');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    // A refused request too.
    const refused = await request(t.app).post('/graphql').set('content-type', 'application/json').send({ query: '{ nope }' });
    expect(refused.status).toBe(400);
    expect(refused.headers['cache-control']).toBe('no-store');
    // A query over GET as well.
    const overGet = await request(t.app).get('/graphql').query({ query: '{ __typename }' }).set('accept', 'application/json');
    expect(overGet.headers['cache-control']).toBe('no-store');
  });

  it('the printed pages keep their own strict CSP and private caching; exports keep theirs; both are not sniffed', async () => {
    const receipt = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 2, batchNo: 'HDR-Q1', expiryDate: '2031-05-31', unitPrice: '128.50' }]);
    const page = await download(t, `/paperwork/documents/${receipt.id}.html`, 'keeper');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(page.headers['cache-control']).toBe('private, no-store');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const csv = await download(t, '/exports/stock.csv', 'keeper');
    expect(csv.status).toBe(200);
    expect(csv.headers['cache-control']).toBe('private, no-store');
    expect(csv.headers['x-content-type-options']).toBe('nosniff');
  });
});
