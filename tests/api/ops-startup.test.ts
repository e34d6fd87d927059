import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../../drizzle/client.ts';
import { dbKind } from '../support/harness.ts';
import { freePort } from '../support/postgres-server.ts';
import { withDatabase } from '../support/template.ts';

// Issue 12, as an operator meets it: `npm start` (and `npm run create-admin`) as child processes.

const ROOT = new URL('../..', import.meta.url).pathname;
const JWT_SECRET = 'ops-startup-secret-0123456789-abcdef';

interface Child {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: Child[] = [];

function run(script: string, env: Record<string, string | undefined>, args: string[] = []): Child {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'info', DATABASE_URL: undefined, ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [script, ...args], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = { child, stdout: () => out, stderr: () => err, exited };
  children.push(started);
  return started;
}

const startServer = (env: Record<string, string | undefined>) => run('server/http/main.ts', env);

async function waitFor(s: Child, pattern: RegExp, ms = 170_000): Promise<void> {
  const deadline = Date.now() + ms;
  let exited = false;
  void s.exited.then(() => (exited = true));
  while (!pattern.test(s.stdout())) {
    if (exited || Date.now() > deadline) throw new Error(`no ${pattern} (exited: ${exited})\n--- stdout\n${s.stdout()}\n--- stderr\n${s.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function login(port: number, username: string, password: string) {
  const res = await fetch(`http://localhost:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
      variables: { u: username, p: password },
    }),
  });
  return (await res.json()) as { data?: { login: { token: string } }; errors?: { extensions: { code: string } }[] };
}

/** The pid written in the lock file beside a PGLITE_DIR (the server's node process, not the tsx wrapper). */
const lockHolder = (dir: string) => (JSON.parse(readFileSync(`${dir}.lock`, 'utf8')) as { pid: number }).pid;

/** stderr without the JSON log lines: what the operator reads as the failure. */
const plainLines = (text: string) => text.split('\n').filter((l) => l.trim() && !l.startsWith('{'));

const dir = mkdtempSync(join(tmpdir(), 'reserves-ops-'));

afterAll(async () => {
  for (const s of children) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await Promise.all(children.map((s) => s.exited));
  rmSync(dir, { recursive: true, force: true });
});

describe('Issue 12: a production start has no demo accounts', () => {
  const env: Record<string, string | undefined> = { NODE_ENV: 'production', JWT_SECRET, PGLITE_DIR: join(dir, 'production') };
  let dropDatabase = async () => {};

  beforeAll(async () => {
    if (dbKind !== 'postgres') return;
    const serverUrl = inject('postgresUrl');
    const name = `reserves_p_${randomBytes(6).toString('hex')}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    env.DATABASE_URL = withDatabase(serverUrl, name);
    dropDatabase = async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    };
  });
  afterAll(() => dropDatabase());

  it('NODE_ENV=production without SEED_DEMO: no demo logins printed, admin / Demo@2026 is refused', async () => {
    const port = await freePort();
    const s = startServer({ ...env, PORT: String(port) });
    await waitFor(s, /GraphQL at/);
    expect(s.stdout()).not.toMatch(/Demo|password|Demo@2026/);
    for (const user of ['admin', 'dispatcher', 'keeper', 'auditor']) {
      expect((await login(port, user, 'Demo@2026')).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 200_000);
});

// The embedded database's own lock, and the failures below that no database is reached for: once, on PGlite.
if (dbKind === 'pglite') {
  describe('Issue 12: one process per PGLITE_DIR', () => {
    const pgliteDir = join(dir, 'shared');

    it('a second server and create-admin are refused at once, naming the holder, while the first keeps serving; a crashed holder does not block the next start', async () => {
      const port = await freePort();
      const first = startServer({ PGLITE_DIR: pgliteDir, PORT: String(port), SEED_DEMO: 'false' });
      await waitFor(first, /GraphQL at/);
      const holder = lockHolder(pgliteDir);

      const started = Date.now();
      const second = startServer({ PGLITE_DIR: pgliteDir, PORT: String(await freePort()), SEED_DEMO: 'false' });
      expect(await second.exited).toBe(1);
      expect(Date.now() - started).toBeLessThan(90_000); // at once: no migration, no seeding (tsx alone takes a while here)
      expect(plainLines(second.stderr())).toEqual([
        `start-up failed: PGLITE_DIR ${pgliteDir} is in use by process ${holder}: one process at a time may open the embedded database. Stop process ${holder} first, or set PGLITE_DIR to another directory.`,
      ]);
      expect(second.stdout()).not.toContain('GraphQL at');

      const cli = run('server/cli/create-admin.ts', { PGLITE_DIR: pgliteDir }, ['chief', 'Chief-Password-2026']);
      expect(await cli.exited).toBe(1);
      expect(cli.stderr()).toContain(`in use by process ${holder}`);
      expect(cli.stderr()).toMatch(/stop the server \(process \d+\) and run create-admin again, or restart the server with ADMIN_USERNAME=chief/);

      // The first server still answers, from its database.
      expect((await fetch(`http://localhost:${port}/readyz`)).status).toBe(200);

      // It crashes (SIGKILL: no clean-up); its lock file stays behind, stale, and does not block the next start.
      process.kill(holder, 'SIGKILL');
      await first.exited;
      expect(existsSync(`${pgliteDir}.lock`)).toBe(true);
      const third = startServer({
        PGLITE_DIR: pgliteDir,
        PORT: String(port),
        SEED_DEMO: 'false',
        ADMIN_USERNAME: 'chief',
        ADMIN_PASSWORD: 'Chief-Password-2026',
      });
      await waitFor(third, /GraphQL at/);
      expect(lockHolder(pgliteDir)).not.toBe(holder);
      expect((await login(port, 'chief', 'Chief-Password-2026')).data?.login.token).toBeTruthy();
      third.child.kill('SIGTERM');
      expect(await third.exited).toBe(0);
      expect(existsSync(`${pgliteDir}.lock`)).toBe(false); // a clean stop releases it
    }, 480_000);
  });
}

describe('Issue 12: clear start-up failures', () => {
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    busyPort = await freePort();
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(busyPort, '0.0.0.0', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  if (dbKind === 'pglite') {
    it('a busy port: one line naming PORT, exit 1, nothing migrated or seeded', async () => {
      const pgliteDir = join(dir, 'busy-port');
      const s = startServer({ PGLITE_DIR: pgliteDir, PORT: String(busyPort) });
      expect(await s.exited).toBe(1);
      expect(plainLines(s.stderr())).toEqual([
        `start-up failed: PORT ${busyPort} on 0.0.0.0 is already in use (is the server running already?); stop the other process or set PORT to a free port.`,
      ]);
      expect(s.stderr()).not.toContain('EADDRINUSE');
      expect(existsSync(pgliteDir)).toBe(false); // the database was never opened
      expect(existsSync(`${pgliteDir}.lock`)).toBe(false);
    }, 120_000);

    it('OPS-3: several wrong variables: one line naming them all, in Chinese, exit 1, nothing opened', async () => {
      const pgliteDir = join(dir, 'bad-config');
      const s = startServer({ NODE_ENV: 'production', PGLITE_DIR: pgliteDir, PORT: '70000', DATABASE_URL: 'notaurl', JWT_SECRET: undefined });
      expect(await s.exited).toBe(1);
      expect(s.stderr().trim().split('\n')).toEqual([
        'start-up failed: 配置有误：PORT 不能大于 65535；DATABASE_URL 须为 postgres:// 或 postgresql:// 开头的连接地址；JWT_SECRET 在 NODE_ENV=production 时必须设置',
      ]);
      expect(existsSync(pgliteDir)).toBe(false);
    }, 120_000);

    it('an unreachable DATABASE_URL: one line naming DATABASE_URL and the server, without the password, exit 1', async () => {
      const closedPort = await freePort();
      const s = startServer({ DATABASE_URL: `postgres://ops:Hidden-Pw-55@127.0.0.1:${closedPort}/reserves`, PORT: String(await freePort()) });
      expect(await s.exited).toBe(1);
      const lines = plainLines(s.stderr());
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe(
        `start-up failed: DATABASE_URL: cannot reach the PostgreSQL server at 127.0.0.1:${closedPort}/reserves (ECONNREFUSED); is it running, and are host and port right?`,
      );
      expect(s.stderr()).not.toContain('Hidden-Pw-55');
    }, 120_000);
  }

  if (dbKind === 'postgres') {
    it('refused authentication: one line naming DATABASE_URL, exit 1', async () => {
      const url = new URL(inject('postgresUrl'));
      url.password = 'not-the-password';
      const s = startServer({ DATABASE_URL: url.toString(), PORT: String(await freePort()) });
      expect(await s.exited).toBe(1);
      const lines = plainLines(s.stderr());
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^start-up failed: DATABASE_URL: the PostgreSQL server at 127\.0\.0\.1:\d+\/postgres refused the login \(.*password authentication failed/,
      );
      expect(s.stderr()).not.toContain('not-the-password');
    }, 120_000);
  }
});

// The CLI opens the embedded database whatever TEST_DB says: once is enough.
if (dbKind === 'pglite') {
  describe('Issue 12, D22: npm run create-admin', () => {
    const createAdmin = (env: Record<string, string | undefined>, args: string[]) => run('server/cli/create-admin.ts', env, args);

    it('bad settings or a short password: one line, exit 1, no stack, nothing written; a good one: the administrator and its audit row', async () => {
      const pgliteDir = join(dir, 'create-admin');
      const badConfig = createAdmin({ PGLITE_DIR: pgliteDir, PORT: '70000' }, ['chief', 'Chief-Password-2026']);
      expect(await badConfig.exited).toBe(1);
      expect(badConfig.stderr().trim().split('\n')).toEqual(['create-admin: 配置有误：PORT 不能大于 65535 — nothing was changed.']);
      expect(existsSync(pgliteDir)).toBe(false);

      const short = createAdmin({ PGLITE_DIR: pgliteDir }, ['chief', 'Ten-chars1']);
      expect(await short.exited).toBe(1);
      const lines = short.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toBe('create-admin: 管理员密码至少 12 位 — nothing was changed.');

      const created = createAdmin({ PGLITE_DIR: pgliteDir }, ['chief', 'Chief-Password-2026']);
      expect(await created.exited).toBe(0);
      expect(created.stdout()).toContain('administrator chief created');

      const database = openDatabase({ pgliteDir });
      try {
        const admins = await queryRows<{ username: string; role: string }>(database.db, sql`SELECT username, role FROM users`);
        expect(admins).toEqual([{ username: 'chief', role: 'ADMIN' }]); // the refused attempt left nothing
        const rows = await queryRows<{ operation: string; outcome: string; user_id: string | null; input: unknown }>(
          database.db,
          sql`SELECT operation, outcome, user_id, input FROM audit_log`,
        );
        expect(rows).toEqual([{ operation: 'createAdministrator', outcome: 'OK', user_id: null, input: { username: 'chief', source: 'create-admin' } }]);
        expect(JSON.stringify(rows)).not.toContain('Chief-Password-2026');
      } finally {
        await database.close();
      }
    }, 240_000);
  });
}
