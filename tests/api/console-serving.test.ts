import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { serveConsole } from '../../server/http/console.ts';
import { useTestApp } from '../support/harness.ts';

// Issue 14: the console is served at / with a fallback for its routes that never answers for the API.
const t = useTestApp();

describe('the console beside the API', () => {
  it('answers the console page for its routes, and leaves /graphql, the exports and the probes to the API', async () => {
    for (const path of ['/', '/keeper/stock', '/dispatch/incidents/0a6f3c8e-0000-4000-8000-000000000000']) {
      const res = await request(t.app).get(path).set('accept', 'text/html');
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toMatch(/text\/html/);
      expect(res.text).toContain('应急物资储备与调度');
    }
    const graphiql = await request(t.app).get('/graphql').set('accept', 'text/html');
    expect(graphiql.text).toMatch(/graphiql/i);
    expect(graphiql.text).not.toContain('map-tile-url');
    const health = await request(t.app).get('/healthz').set('accept', 'text/html');
    expect(health.body).toEqual({ status: 'ok' });
    const exported = await request(t.app).get('/exports/journal.xlsx').set('accept', 'text/html');
    expect(exported.status).toBe(401);
    expect(exported.body.error.code).toBe('UNAUTHENTICATED');
    const query = await request(t.app).post('/graphql').set('content-type', 'application/json').send({ query: '{ __typename }' });
    expect(query.body).toEqual({ data: { __typename: 'Query' } });
  });

  it('does not answer requests that do not want a page (a missing asset is 404, a POST is not the console)', async () => {
    expect((await request(t.app).get('/assets/missing.js')).status).toBe(404);
    expect((await request(t.app).post('/keeper/stock').set('content-type', 'application/json').send({})).status).toBe(404);
    expect((await request(t.app).get('/keeper/stock').set('accept', 'application/json')).status).toBe(404);
  });

  it('puts MAP_TILE_URL into the page, escaped; without it the meta tag stays empty (no tiles, nothing leaves the origin)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<html><head><meta name="map-tile-url" content="" /></head><body>应急物资储备与调度</body></html>');
    const withTiles = express();
    serveConsole(withTiles, { mapTileUrl: 'https://tiles.example.gov.cn/{z}/{x}/{y}.png?a=1&b="2"', dir });
    const page = await request(withTiles).get('/').set('accept', 'text/html');
    expect(page.text).toContain('<meta name="map-tile-url" content="https://tiles.example.gov.cn/{z}/{x}/{y}.png?a=1&amp;b=&quot;2&quot;" />');
    const plain = express();
    serveConsole(plain, { mapTileUrl: undefined, dir });
    expect((await request(plain).get('/').set('accept', 'text/html')).text).toContain('<meta name="map-tile-url" content="" />');
  });
});
