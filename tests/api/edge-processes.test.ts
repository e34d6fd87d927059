import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/http/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../drizzle/client.ts';
import { LoginAttempts } from '../../server/http/login-attempts.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// DESIGN "Growing past one machine": each API process keeps its own request budget (server/http/rate-limit.ts), so
// with N processes a client gets at most N × the budget per window — the bound README states. Failed logins are
// counted in the database (server/http/login-attempts.ts): N processes give an attacker no more guesses than one.
// Two apps built here on one database are two processes exactly; the client's requests alternate between them (the
// cluster's round robin).

const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';
const PROCESSES = 2;

describe('edge counters with several API processes: the request budget per process, failed logins shared', () => {
  const t = useTestApp();
  let apps: ReturnType<typeof buildApp>[];

  beforeAll(() => {
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'test-secret-test-secret-test-secret!',
      TRUST_PROXY: 'loopback',
      RATE_LIMIT_PER_MINUTE: '1',
      RATE_LIMIT_BURST: '5',
      LOGIN_MAX_FAILURES: '3',
    });
    apps = Array.from({ length: PROCESSES }, () => buildApp({ database: t.database, config, clock: t.clock, log: createLogger('silent') }));
  });

  const send = (i: number, from: string, body: object) =>
    request(apps[i % PROCESSES])
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('x-forwarded-for', from)
      .send(body);

  it('the request budget: one process gives a client its burst; two give at most twice that, then both refuse', async () => {
    const from = '198.51.100.40';
    let accepted = 0;
    let alone = 0;
    // One process alone first: exactly the burst.
    for (let i = 0; i < 8; i++) if ((await send(0, '198.51.100.41', { query: '{ __typename }' })).status === 200) alone++;
    expect(alone).toBe(5);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await send(i, from, { query: '{ __typename }' });
      statuses.push(res.status);
      if (res.status === 200) accepted++;
    }
    expect(accepted).toBeLessThanOrEqual(PROCESSES * 5);
    expect(accepted).toBeGreaterThanOrEqual(5);
    // Past the bound every process refuses.
    expect(statuses.slice(-4)).toEqual([429, 429, 429, 429]);
  });

  it('login back-off: LOGIN_MAX_FAILURES wrong passwords in all, whichever process checks them, then every process refuses', async () => {
    const tried: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await send(i, `198.51.100.${50 + i}`, { query: LOGIN, variables: { u: 'auditor', p: `wrong-${i}` } });
      tried.push(errorCode(res.body as GqlResult) ?? 'none');
    }
    expect(tried.slice(0, 3)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(tried.slice(3)).toEqual(Array<string>(9).fill('RATE_LIMITED'));
    // The right password is refused by both while the lock lasts.
    for (const i of [0, 1]) {
      const res = await send(i, '198.51.100.90', { query: LOGIN, variables: { u: 'auditor', p: TEST_PASSWORD } });
      expect(errorCode(res.body as GqlResult)).toBe('RATE_LIMITED');
    }
  });

  it('a success through one process clears the username’s failures for the other', async () => {
    for (const i of [0, 1]) await send(i, `198.51.100.${70 + i}`, { query: LOGIN, variables: { u: 'dispatcher', p: 'wrong' } });
    expect((await send(0, '198.51.100.72', { query: LOGIN, variables: { u: 'dispatcher', p: TEST_PASSWORD } })).body.data?.login?.token).toBeTruthy();
    // Two more failures on the other process: 2 of 3, not 4 — the count started again.
    for (let i = 0; i < 2; i++) {
      const res = await send(1, `198.51.100.${73 + i}`, { query: LOGIN, variables: { u: 'dispatcher', p: 'wrong' } });
      expect(errorCode(res.body as GqlResult)).toBe('UNAUTHENTICATED');
    }
    expect((await send(1, '198.51.100.75', { query: LOGIN, variables: { u: 'dispatcher', p: TEST_PASSWORD } })).body.data?.login?.token).toBeTruthy();
  });

  it('an attempt whose process stopped before it ended holds nobody back a minute later', async () => {
    const attempts = new LoginAttempts(t.database);
    const policy = { maxFailuresPerUsername: 1, maxFailuresPerAddress: 1, windowSeconds: 900, lockSeconds: 30, maxLockSeconds: 60 };
    const keys = [{ key: 'login-user:crashed-process', maxFailures: 1, clearedBySuccess: true }];
    const now = t.clock.now().toMillis();
    expect((await attempts.begin(keys, policy, now)).wait).toBe(0);
    // In flight at the threshold: the next attempt waits for it, told the lock its failure would set (sweep 11b B4) …
    // (pending: held back only by the attempt in flight, no lock set — the guard waits a while for its outcome, sweep 25b F4.)
    expect(await attempts.begin(keys, policy, now + 1000)).toEqual({ wait: 30, heldBy: ['login-user:crashed-process'], pending: true });
    // … until the attempt is taken as ended without a verdict.
    expect((await attempts.begin(keys, policy, now + 61_000)).wait).toBe(0);
    await attempts.end(keys, 'SUCCEEDED', policy, now + 61_500);
    expect(await queryRows(t.database.db, sql`SELECT key FROM login_failures WHERE key = 'login-user:crashed-process'`)).toEqual([]);
  });
});

describe('login failures counted by many attempts at once (CI of 51df63a: deadlocks on login_failures)', () => {
  const t = useTestApp();

  it('eight attempts at a time on one user and one address end without an error, every failure counted, nothing left in flight', async () => {
    const attempts = new LoginAttempts(t.database);
    const policy = { maxFailuresPerUsername: 1e9, maxFailuresPerAddress: 1e9, windowSeconds: 900, lockSeconds: 30, maxLockSeconds: 60 };
    // 修改密码's keys as the guard makes them: the user's (forgotten on success, its row then dropped) and the address's.
    const keys = [
      { key: 'password-user:concurrent', maxFailures: 1e9, clearedBySuccess: true },
      { key: 'login-addr:198.51.100.200', maxFailures: 1e9 },
    ];
    const now = t.clock.now().toMillis();
    // Mostly attempts that leave the user nothing to count: its row is dropped and made again all the time.
    const outcomes = ['SUCCEEDED', 'VOID', 'SUCCEEDED', 'VOID', 'SUCCEEDED', 'VOID', 'SUCCEEDED', 'FAILED'] as const;
    const ROUNDS = 100;
    const WIDTH = 8;
    let failed = 0;
    const loop = async (l: number) => {
      for (let i = 0; i < ROUNDS; i++) {
        expect((await attempts.begin(keys, policy, now)).wait).toBe(0);
        await new Promise((r) => setTimeout(r, (l * 7 + i * 3) % 5));
        const outcome = outcomes[(l + i) % outcomes.length];
        if (outcome === 'FAILED') failed++;
        await attempts.end(keys, outcome, policy, now);
      }
    };
    await Promise.all(Array.from({ length: WIDTH }, (_, l) => loop(l)));
    const rows = await queryRows<{ key: string; failures: number; in_flight: number }>(
      t.database.db,
      sql`SELECT key, failures, in_flight FROM login_failures WHERE key IN ('password-user:concurrent', 'login-addr:198.51.100.200') ORDER BY key`,
    );
    // A success leaves the address's failures as they were: it holds every one of them.
    const address = rows.find((r) => r.key === 'login-addr:198.51.100.200');
    expect({ failures: address?.failures ?? 0, inFlight: address?.in_flight ?? 0 }).toEqual({ failures: failed, inFlight: 0 });
    expect(rows.find((r) => r.key === 'password-user:concurrent')?.in_flight ?? 0).toBe(0);
  });
});
