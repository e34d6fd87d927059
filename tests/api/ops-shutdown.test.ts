import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Database } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { fixedClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { buildApp } from '../../server/http/app.ts';
import { stopServing } from '../../server/http/shutdown.ts';
import { createLogger } from '../../server/logger.ts';
import { dbKind, NOW, openTestDatabase } from '../support/harness.ts';
import { planStatusStream } from '../support/plan-status-stream.ts';
import { freePort } from '../support/postgres-server.ts';
import { TEMPLATE_DB, TEST_PASSWORD, withDatabase } from '../support/template.ts';

// OPS-5: at SIGTERM (main.ts → shutdown.ts) an open D18 subscription is ended first — its client gets
// `event: complete` — so that it does not hold the server's close for SHUTDOWN_TIMEOUT_MS (10 s); the shutdown's own
// log lines carry no request id of the request served last.

const ROOT = new URL('../..', import.meta.url).pathname;
const JWT_SECRET = 'test-secret-test-secret-test-secret!';
const TIMEOUT_MS = 10_000;

/** A plan the dispatcher may subscribe to (D18), made over HTTP at `url`; with the dispatcher's token. */
async function subscribablePlan(url: string): Promise<{ planId: string; token: string }> {
  const gql = async (query: string, variables: Record<string, unknown>, token?: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'ops5-last-request', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: any; errors?: unknown[] };
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data;
  };
  const login = async (u: string) =>
    (await gql('mutation($u:String!,$p:String!){ login(username:$u,password:$p){ token } }', { u, p: TEST_PASSWORD })).login.token as string;
  const [admin, dispatcher] = [await login('admin'), await login('dispatcher')];
  const lamp = itemId('LIV-015');
  await gql(
    'mutation($input: ReceiveStockInput!) { receiveStock(input: $input) { id } }',
    {
      input: {
        storeId: storeId('S-410781-01'),
        source: 'PURCHASE',
        contractNo: 'HT-2026-STOP',
        inspectionReportNo: 'YS-2026-STOP',
        idempotencyKey: randomUUID(),
        lines: [{ itemId: lamp, quantity: 10, batchNo: 'R-LP-STOP', expiryDate: '2032-01-01', unitPrice: '800.00' }],
      },
    },
    admin,
  );
  const incident = await gql(
    'mutation($i: IncidentInput!) { createIncident(input: $i) { id } }',
    { i: { name: '停机演练', type: 'FLOOD', regionCode: '410781', location: { lat: 35.398, lng: 114.064 }, affectedPopulation: 500, responseLevel: 3 } },
    dispatcher,
  );
  const destination = { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: lamp, quantity: 4 }] };
  const plan = await gql(
    'mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }',
    { i: { incidentId: incident.createIncident.id, destinations: [destination] } },
    dispatcher,
  );
  return { planId: plan.requestDispatch.id as string, token: dispatcher };
}

/** Opens the plan's stream and waits until it is subscribed (the first ping). */
async function openStream(url: string, planId: string, token: string, signal: AbortSignal) {
  const stream = await planStatusStream(url, planId, token, signal);
  expect(stream.res.status).toBe(200);
  expect(stream.res.headers.get('content-type')).toContain('text/event-stream');
  expect(await stream.readUntil((s) => s.length > 0)).toBe(true);
  return stream;
}

describe('OPS-5: stopServing ends open subscriptions (D18) and does not wait for them', () => {
  let database: Database;
  let server: Server;
  let stopping: AbortController;
  let url: string;

  beforeAll(async () => {
    database = await openTestDatabase({ poolMax: 3 });
    stopping = new AbortController();
    const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET, LOG_LEVEL: 'silent' });
    const app = buildApp({ database, config, clock: fixedClock(NOW), log: createLogger('silent'), stopping: stopping.signal });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    if (server.listening) {
      server.closeAllConnections();
      await new Promise((r) => server.close(() => r(undefined)));
    }
    await database.close();
  });

  it('the stream ends with `event: complete` and the server closes well under the timeout, without cutting connections', async () => {
    const { planId, token } = await subscribablePlan(url);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 30_000);
    try {
      const stream = await openStream(url, planId, token, abort.signal);
      const lines: string[] = [];
      const log = createLogger('info', { write: (line: string) => void lines.push(line) });
      const started = Date.now();
      const stopped = stopServing({ server, stopping, timeoutMs: TIMEOUT_MS, log });
      expect(await stream.readUntil(() => false)).toBe(false); // read to the end of the stream, without a socket error
      expect(stream.text).toMatch(/event: complete\n/);
      await stopped;
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(server.listening).toBe(false);
      expect(lines).toEqual([]); // no "requests still in flight at shutdown timeout"
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  });
});

/**
 * How an operator stops `npm start`: a supervisor or `docker stop` signals the npm process alone; Ctrl-C and systemd
 * signal its whole process group. Sweep 23a F1/F3: under `tsx server/http/main.ts` the first left the server running
 * orphaned (npm's shell died, the server never heard), and the second let tsx SIGKILL a server busy for 60 ms — no
 * drain, the PGlite lock left. `npm start` now execs node itself (the shell replaced, tsx a loader inside node): npm
 * passes the signal to the server and waits for it.
 */
const STOPS: [string, (pid: number) => void][] = [
  ['to the npm process alone (a supervisor, docker stop)', (pid) => process.kill(pid, 'SIGTERM')],
  ['to its whole process group (Ctrl-C, systemd)', (pid) => process.kill(-pid, 'SIGTERM')],
];

describe('OPS-5 as an operator meets it: SIGTERM to npm start with a subscription open', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reserves-stop-'));
  const env: Record<string, string> = {};
  let dropDatabase = async () => {};

  beforeAll(async () => {
    if (dbKind === 'pglite') {
      // The seeded template's data directory, as a PGLITE_DIR of its own.
      const pgliteDir = join(dir, 'pglite');
      mkdirSync(pgliteDir, { recursive: true });
      const untar = spawnSync('tar', ['-xf', inject('pgliteTemplate'), '-C', pgliteDir]);
      expect(untar.status).toBe(0);
      env.PGLITE_DIR = pgliteDir;
    } else {
      const serverUrl = inject('postgresUrl');
      const name = `reserves_t_${randomBytes(6).toString('hex')}`;
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DB}`);
      env.DATABASE_URL = withDatabase(serverUrl, name);
      dropDatabase = async () => {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      };
    }
  });
  afterAll(async () => {
    await dropDatabase();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(STOPS)(
    'SIGTERM %s: the client gets `event: complete`, npm start exits 0 well before SHUTDOWN_TIMEOUT_MS, and "stopped" has no requestId',
    async (_, stop) => {
      const port = await freePort();
      const childEnv: NodeJS.ProcessEnv = {
        ...process.env,
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ENV: 'test',
        JWT_SECRET,
        LOG_LEVEL: 'info',
        API_PROCESSES: '1',
        SEED_DEMO: 'false',
        SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS),
      };
      if (!env.DATABASE_URL) delete childEnv.DATABASE_URL;
      // `npm start` as README runs it, without its prestart (the console build, not what is tested here); in a process
      // group of its own, as a terminal or a service gives it.
      const child = spawn('npm', ['run', 'start', '--ignore-scripts'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let err = '';
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), 150_000); // a start on a loaded machine took 50 s
      try {
        while (!/GraphQL at/.test(out)) {
          if (child.exitCode !== null || abort.signal.aborted) throw new Error(`not started\n${out}\n${err}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        const url = `http://127.0.0.1:${port}/graphql`;
        const { planId, token } = await subscribablePlan(url);
        const stream = await openStream(url, planId, token, abort.signal);

        const started = Date.now();
        stop(child.pid!);
        expect(await stream.readUntil(() => false)).toBe(false); // to the end, without a socket error
        expect(stream.text).toMatch(/event: complete\n/);
        expect(await exited).toBe(0);
        expect(Date.now() - started).toBeLessThan(5_000);

        const entries = err
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
        expect(entries.map((e) => e.msg)).not.toContain('requests still in flight at shutdown timeout; closing connections');
        const shutdownLines = entries.filter((e) => e.msg === 'shutting down' || e.msg === 'stopped');
        expect(shutdownLines.map((e) => e.msg)).toEqual(['shutting down', 'stopped']);
        for (const line of shutdownLines) expect(line).not.toHaveProperty('requestId');
      } finally {
        clearTimeout(timer);
        abort.abort();
        // The whole group, npm gone or not: under the old script the server outlived npm (sweep 23a F1).
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // the group is gone already
        }
        await exited;
      }
    },
    200_000,
  );
});
