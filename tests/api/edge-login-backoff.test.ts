import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/http/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createLogger } from '../../server/logger.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// API.md The edge: RATE_LIMITED answers repeated failed logins, per username and per client address, with a growing
// back-off that is audited; `extensions.retryAfterSeconds` says when to try again. Time is the injectable clock.

const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }';
const SECOND = 1 / 3600; // fixedClock.advance takes hours

describe('API.md The edge: login back-off', () => {
  const t = useTestApp();
  let app: ReturnType<typeof buildApp>;
  let adminToken: string;

  beforeAll(async () => {
    adminToken = await t.token('admin');
    // X-Forwarded-For from the loopback proxy (supertest) names the client, so each test can be its own address.
    const config = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'test-secret-test-secret-test-secret!', TRUST_PROXY: 'loopback' });
    app = buildApp({ database: t.database, config, clock: t.clock, log: createLogger('silent') });
  });

  async function login(username: string, password: string, from: string): Promise<GqlResult> {
    const res = await request(app)
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('x-forwarded-for', from)
      .send({ query: LOGIN, variables: { u: username, p: password } });
    return res.body as GqlResult;
  }

  async function auditedRefusals(username: string): Promise<{ outcome: string; message: string }[]> {
    const res = await request(t.app)
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${adminToken}`)
      .send({ query: `{ auditLog(filter: { operation: "login", username: "${username}" }, first: 100) { edges { node { outcome message } } } }` });
    expect(res.body.errors).toBeUndefined();
    return res.body.data.auditLog.edges.map((e: { node: { outcome: string; message: string } }) => e.node);
  }

  it('5 wrong passwords for admin lock the account: RATE_LIMITED with retryAfterSeconds, even for the right password, until the back-off passes', async () => {
    const from = '203.0.113.10';
    for (let i = 1; i <= 5; i++) expect(errorCode(await login('admin', `wrong-${i}`, from))).toBe('UNAUTHENTICATED');

    const locked = await login('admin', 'wrong-6', from);
    expect(errorCode(locked)).toBe('RATE_LIMITED');
    expect(locked.errors![0].extensions.retryAfterSeconds).toBe(30);
    expect(locked.errors![0].message).toMatch(/^登录失败次数过多/);

    // The right password is refused while locked, from any address (the lock is the username's).
    const right = await login('admin', TEST_PASSWORD, '203.0.113.11');
    expect(errorCode(right)).toBe('RATE_LIMITED');
    expect(right.data?.login ?? null).toBeNull();

    t.clock.advance(20 * SECOND);
    const later = await login('admin', TEST_PASSWORD, from);
    expect(errorCode(later)).toBe('RATE_LIMITED');
    expect(later.errors![0].extensions.retryAfterSeconds).toBe(10);

    t.clock.advance(11 * SECOND);
    const after = await login('admin', TEST_PASSWORD, from);
    expect(after.errors).toBeUndefined();
    expect(after.data.login.token).toBeTruthy();

    // A success clears the username's count: four more failures do not lock it again.
    for (let i = 1; i <= 4; i++) expect(errorCode(await login('admin', `again-${i}`, '203.0.113.12'))).toBe('UNAUTHENTICATED');
    expect((await login('admin', TEST_PASSWORD, '203.0.113.12')).data.login.token).toBeTruthy();
  });

  it('the refusals are in the audit log (outcome RATE_LIMITED)', async () => {
    const entries = await auditedRefusals('admin');
    const limited = entries.filter((e) => e.outcome === 'RATE_LIMITED');
    expect(limited.length).toBe(3);
    expect(limited[0].message).toMatch(/^登录失败次数过多/);
    expect(entries.filter((e) => e.outcome === 'UNAUTHENTICATED').length).toBeGreaterThanOrEqual(9);
  });

  it('the back-off grows: each failure after a lock doubles it (30 s, 60 s, 120 s)', async () => {
    const from = '203.0.113.20';
    for (let i = 1; i <= 5; i++) await login('auditor', `wrong-${i}`, from);
    expect((await login('auditor', 'x', from)).errors![0].extensions.retryAfterSeconds).toBe(30);
    t.clock.advance(31 * SECOND);
    expect(errorCode(await login('auditor', 'wrong-6', from))).toBe('UNAUTHENTICATED');
    expect((await login('auditor', 'x', from)).errors![0].extensions.retryAfterSeconds).toBe(60);
    t.clock.advance(61 * SECOND);
    expect(errorCode(await login('auditor', 'wrong-7', from))).toBe('UNAUTHENTICATED');
    expect((await login('auditor', 'x', from)).errors![0].extensions.retryAfterSeconds).toBe(120);
    t.clock.advance(121 * SECOND);
    expect((await login('auditor', TEST_PASSWORD, from)).data.login.token).toBeTruthy();
  });

  it('failures are forgotten a window (15 min) after the last one', async () => {
    const from = '203.0.113.30';
    for (let i = 1; i <= 4; i++) await login('keeper', `wrong-${i}`, from);
    t.clock.advance(16 / 60);
    // Four more would lock it, had the first four still counted.
    for (let i = 1; i <= 4; i++) expect(errorCode(await login('keeper', `later-${i}`, from))).toBe('UNAUTHENTICATED');
    expect((await login('keeper', TEST_PASSWORD, from)).data.login.token).toBeTruthy();
  });

  it('per client address: 20 failures over different usernames lock the address, also for a right password', async () => {
    const from = '198.51.100.7';
    for (let i = 1; i <= 20; i++) expect(errorCode(await login(`ghost-${i}`, 'guess', from))).toBe('UNAUTHENTICATED');
    const next = await login('dispatcher', TEST_PASSWORD, from);
    expect(errorCode(next)).toBe('RATE_LIMITED');
    expect(next.errors![0].extensions.retryAfterSeconds).toBe(30);
    // Another address is not affected, nor is the username.
    expect((await login('dispatcher', TEST_PASSWORD, '198.51.100.8')).data.login.token).toBeTruthy();
    const audit = await auditedRefusals('dispatcher');
    expect(audit.some((e) => e.outcome === 'RATE_LIMITED')).toBe(true);
    t.clock.advance(31 * SECOND);
    expect((await login('dispatcher', TEST_PASSWORD, from)).data.login.token).toBeTruthy();
  });

  it('修改密码: 5 wrong current passwords lock the signed-in user’s password changes like a login (a stolen session cannot guess it at speed); audited', async () => {
    const from = '203.0.113.60';
    const token = (await login('auditor', TEST_PASSWORD, from)).data.login.token as string;
    const change = async (oldPassword: string) =>
      (
        await request(app)
          .post('/graphql')
          .set('content-type', 'application/json')
          .set('x-forwarded-for', from)
          .set('authorization', `Bearer ${token}`)
          .send({
            query: 'mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) { token } }',
            variables: { o: oldPassword, n: 'Another-Password-2026' },
          })
      ).body as GqlResult;
    for (let i = 1; i <= 5; i++) {
      const wrong = await change(`wrong-${i}`);
      expect(wrong.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'oldPassword' });
    }
    const locked = await change(TEST_PASSWORD);
    expect(errorCode(locked)).toBe('RATE_LIMITED');
    expect(locked.errors![0].message).toMatch(/^原密码错误次数过多/);
    expect(locked.errors![0].extensions.retryAfterSeconds).toBe(30);
    // The password is unchanged: the right one still signs in (from another address).
    expect((await login('auditor', TEST_PASSWORD, '203.0.113.61')).data.login.token).toBeTruthy();
    t.clock.advance(31 * SECOND);
  });

  it('without TRUST_PROXY, X-Forwarded-For is ignored: the socket address is the client', async () => {
    // The harness app does not trust proxies: every request is 127.0.0.1 whatever it claims.
    const direct = async (username: string, from: string) =>
      (
        await request(t.app)
          .post('/graphql')
          .set('content-type', 'application/json')
          .set('x-forwarded-for', from)
          .send({ query: LOGIN, variables: { u: username, p: 'nope' } })
      ).body as GqlResult;
    for (let i = 1; i <= 20; i++) expect(errorCode(await direct(`spoof-${i}`, `192.0.2.${i}`))).toBe('UNAUTHENTICATED');
    expect(errorCode(await direct('spoof-21', '192.0.2.21'))).toBe('RATE_LIMITED');
    t.clock.advance(31 * SECOND);
  });

  it('concurrent wrong guesses cannot all slip in under the threshold', async () => {
    const from = '203.0.113.40';
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => login('director', `parallel-${i}`, from)));
    const codes = answers.map(errorCode);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED').length).toBe(5);
    expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBe(7);
  });
});
