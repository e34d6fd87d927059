import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase } from '../../drizzle/client.ts';
import { buildApp } from '../../server/http/app.ts';
import { systemClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { dbKind } from '../support/harness.ts';
import { withDatabase } from '../support/template.ts';
import { freePort } from '../support/postgres-server.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const DEMO_PASSWORD = 'Startup-Pass-2026';

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** `npm start` as a child process: tsx server/main.ts with the given environment. */
function start(env: Record<string, string | undefined>): Started {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['server/http/main.ts'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves when stdout matches, rejects if the process exits first or the time runs out. */
async function waitFor(s: Started, pattern: RegExp, ms = 150_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  let exited = false;
  void s.exited.then(() => (exited = true));
  for (;;) {
    const m = s.stdout().match(pattern);
    if (m) return m;
    if (exited || Date.now() > deadline) {
      throw new Error(`no ${pattern} in stdout (exited: ${exited})\n--- stdout\n${s.stdout()}\n--- stderr\n${s.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function login(url: string, username: string, password: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { role } } }',
      variables: { u: username, p: password },
    }),
  });
  return (await res.json()) as { data?: { login: { token: string; user: { role: string } } }; errors?: { extensions: { code: string } }[] };
}

describe('Start-up: npm start migrates, seeds once, serves, and stops cleanly (DESIGN.md Databases)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reserves-start-'));
  const children: Started[] = [];
  const dbEnv: Record<string, string | undefined> = { DATABASE_URL: undefined, PGLITE_DIR: join(dir, 'pglite') };
  let dbName: string | undefined;

  beforeAll(async () => {
    if (dbKind === 'postgres') {
      // A fresh, empty database on the test server: the app must migrate and seed it itself.
      const serverUrl = inject('postgresUrl');
      dbName = `reserves_s_${randomBytes(6).toString('hex')}`;
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${dbName}`);
      await admin.end();
      dbEnv.DATABASE_URL = withDatabase(serverUrl, dbName);
      dbEnv.PGLITE_DIR = undefined;
    }
  });

  afterAll(async () => {
    for (const s of children) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await Promise.all(children.map((s) => s.exited));
    rmSync(dir, { recursive: true, force: true });
    if (dbName) {
      const admin = postgres(inject('postgresUrl'), { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('first start: prints the GraphQL URL and the demo logins, answers /healthz and /readyz, stops on SIGTERM with code 0', async () => {
    const port = await freePort();
    const s = start({ ...dbEnv, PORT: String(port), DEMO_PASSWORD });
    children.push(s);
    const [, url] = await waitFor(s, /GraphQL at (http:\/\/localhost:\d+\/graphql)/);
    expect(url).toBe(`http://localhost:${port}/graphql`);
    await waitFor(s, /password: .*\n/);
    const out = s.stdout();
    expect(out).toContain(dbKind === 'pglite' ? `PGlite in ${dbEnv.PGLITE_DIR}` : 'PostgreSQL');
    expect(out).toContain('Demo data loaded');
    for (const user of ['admin', 'dispatcher', 'keeper', 'auditor']) expect(out).toMatch(new RegExp(`^\\s+${user}\\s`, 'm'));
    expect(out).toMatch(/dispatcher\s+DISPATCHER\s+scope: 新乡市/);
    expect(out).toMatch(/keeper\s+KEEPER\s+scope: 卫辉市救灾物资储备库/);
    expect(out).toContain(`password: ${DEMO_PASSWORD} (from DEMO_PASSWORD)`);

    const base = `http://localhost:${port}`;
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: dbKind });
    const res = await login(url, 'dispatcher', DEMO_PASSWORD);
    expect(res.data?.login.user.role).toBe('DISPATCHER');
    // jincheng changes its own password: the next start-up must not offer it the demo one (sweep 6c L4).
    const jincheng = (await login(url, 'jincheng', DEMO_PASSWORD)).data!.login.token;
    const changed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${jincheng}` },
      body: JSON.stringify({ query: 'mutation { changePassword(oldPassword: "' + DEMO_PASSWORD + '", newPassword: "Jincheng-Own-2027") { token } }' }),
    });
    expect(((await changed.json()) as { errors?: unknown }).errors).toBeUndefined();

    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    // README LOG_LEVEL: the JSON log says when the server started serving and when it stopped.
    const started = s
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'started');
    expect(started).toMatchObject({ url: `http://localhost:${port}/`, database: dbKind, processes: dbKind === 'pglite' ? 1 : expect.any(Number) });
    expect(s.stderr()).toContain('"msg":"stopped"');
  }, 200_000);

  it('second start on the same data: no "Demo data loaded", the data is still there', async () => {
    const port = await freePort();
    const s = start({ ...dbEnv, PORT: String(port), DEMO_PASSWORD });
    children.push(s);
    const [, url] = await waitFor(s, /GraphQL at (http:\/\/localhost:\d+\/graphql)/);
    await waitFor(s, /password: .*\n/);
    expect(s.stdout()).not.toContain('Demo data loaded');
    expect(s.stdout()).toContain('Demo logins:');
    expect(s.stdout()).toContain(`password: ${DEMO_PASSWORD} (from DEMO_PASSWORD)`);
    await waitFor(s, /except jincheng: password changed since the demo data was loaded/);
    const res = await login(url, 'keeper', DEMO_PASSWORD);
    expect(res.data?.login.user.role).toBe('KEEPER');
    const wrong = await login(url, 'keeper', 'Demo@2026');
    expect(wrong.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 200_000);

  it('OPS-3 PORT=abc: one line on stderr naming PORT, in Chinese, exit code 1 (like the other start-up failures)', async () => {
    const s = start({ ...dbEnv, PORT: 'abc' });
    children.push(s);
    expect(await s.exited).toBe(1);
    expect(s.stderr().trim().split('\n')).toEqual(['start-up failed: 配置有误：PORT 须为数字']);
    expect(s.stdout()).not.toContain('GraphQL at');
  });
});

describe('Readiness: a database without migrations is not ready', () => {
  it('/readyz answers 503 "migrations pending" until migrate() runs, then 200', async () => {
    let dropDatabase = async () => {};
    let database;
    if (dbKind === 'postgres') {
      const serverUrl = inject('postgresUrl');
      const name = `reserves_r_${randomBytes(6).toString('hex')}`;
      const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${name}`);
      database = openDatabase({ databaseUrl: withDatabase(serverUrl, name), poolMax: 2 });
      dropDatabase = async () => {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      };
    } else {
      database = openDatabase({ pglite: new PGlite() });
    }
    try {
      const app = buildApp({ database, config: loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), clock: systemClock, log: createLogger('silent') });
      const before = await request(app).get('/readyz');
      expect(before.status).toBe(503);
      expect(before.body).toEqual({ status: 'migrations pending', database: dbKind });
      await database.migrate();
      const after = await request(app).get('/readyz');
      expect(after.status).toBe(200);
      expect(after.body).toEqual({ status: 'ready', database: dbKind });
    } finally {
      await database.close();
      await dropDatabase();
    }
  });
});
