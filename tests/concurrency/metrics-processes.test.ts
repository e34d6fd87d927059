import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startApiProcess, templateCopy, type ApiProcess } from '../support/api-process.ts';
import { freePort } from '../support/postgres-server.ts';

// Runs on the real PostgreSQL server only. OPS-2: `npm start` with API_PROCESSES=2 — a scrape of /metrics reaches one
// worker, and answers for both (server/http/cluster-metrics.ts): counts do not depend on which process was asked.

const POOL = 3;
let server: ApiProcess;
let dropDatabase = async () => {};

/** One request on a connection of its own (no keep-alive), so that the primary hands each to the next worker. */
function call(port: number, method: 'GET' | 'POST', path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, agent: false, headers: { connection: 'close', ...(body ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A sample's value in Prometheus text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

beforeAll(async () => {
  const database = await templateCopy(inject('postgresUrl'));
  dropDatabase = database.drop;
  const env = { DATABASE_URL: database.url, JWT_SECRET: `metrics-${randomBytes(24).toString('hex')}`, API_PROCESSES: '2', DB_POOL_MAX: String(POOL) };
  server = await startApiProcess(await freePort(), env, 90_000);
  // /readyz answers once the first worker listens; the second may still be starting.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const scraped = await call(server.port, 'GET', '/metrics').catch(() => ({ status: 0, text: '' }));
    if (scraped.status === 200 && sample(scraped.text, 'db_pool_max') === 2 * POOL) break;
    if (Date.now() > deadline) throw new Error(`the second worker never answered /metrics:\n${scraped.text.slice(0, 500)}\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, 180_000);

afterAll(async () => {
  server?.kill();
  await new Promise((r) => setTimeout(r, 500));
  await dropDatabase();
});

describe('OPS-2: /metrics with several API processes', () => {
  it('every scrape, whichever worker takes it, counts the requests of both and the pools of both', { timeout: 60_000 }, async () => {
    const probe = JSON.stringify({ query: 'query Probe { __typename }', operationName: 'Probe' });
    for (let i = 0; i < 20; i++) expect((await call(server.port, 'POST', '/graphql', probe)).status).toBe(200);

    for (let i = 0; i < 6; i++) {
      const { status, text } = await call(server.port, 'GET', '/metrics');
      expect(status).toBe(200);
      // Sent without a token: counted under one label, whatever its name (sweep 16a F6).
      expect(sample(text, 'graphql_requests_total', '{operation="(unauthenticated)",type="query"}')).toBe(20);
      expect(sample(text, 'graphql_request_duration_seconds_count', '{operation="(unauthenticated)",type="query"}')).toBe(20);
      expect(sample(text, 'db_pool_max')).toBe(2 * POOL);
    }
  });
});
