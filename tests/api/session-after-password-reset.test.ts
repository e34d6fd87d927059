import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../server/http/app.ts';
import { createLogger } from '../../server/logger.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { ok } from '../support/ledger-ops.ts';

// A password set or reset by an administrator, or a reactivation, ends the user's sessions from before it: a token
// issued earlier is UNAUTHENTICATED from the next request on, in this API process and (once notified) in every other.
// Other changes to the user (name, role, scope) keep the session. Tokens carry the credentials version they were
// issued under, so the one-second resolution of `iat` plays no part: a token issued in the same second as the reset,
// after it, works; one issued in that second before it does not.

const NEW_PASSWORD = 'NewPass@2026y';
const ME = `{ me { username } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id active } }`;
const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }`;

describe('sessions end when the credentials change (admin password reset, reactivation)', () => {
  const t = useTestApp();
  afterEach(() => vi.useRealTimers());

  const withToken = async (token: string, query: string, variables: Record<string, unknown> = {}, app = t.app): Promise<GqlResult> =>
    (await request(app).post('/graphql').set('content-type', 'application/json').set('authorization', `Bearer ${token}`).send({ query, variables }))
      .body as GqlResult;
  const login = async (username: string, password = TEST_PASSWORD) => ok(await t.gql(LOGIN, { u: username, p: password })).login.token as string;
  const update = async (id: string, input: Record<string, unknown>) => ok(await t.gql(UPDATE, { id, input }, 'admin')).updateUser;
  /** The token works: `me` answers with the user. */
  const expectWorks = async (token: string, username: string, app = t.app) =>
    expect((await withToken(token, ME, {}, app)).data?.me?.username, username).toBe(username);
  const expectEnded = async (token: string, app = t.app) => {
    const res = await withToken(token, ME, {}, app);
    expect(errorCode(res), JSON.stringify(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0].message).toContain('登录');
  };

  let seq = 0;
  /** A fresh user (a dispatcher of 新乡) with the test password. */
  async function probe(): Promise<{ id: string; username: string }> {
    const username = `probe${++seq}`;
    const res = await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id username } }`,
      { i: { username, displayName: `探针${seq}`, password: TEST_PASSWORD, role: 'DISPATCHER', regionCode: '410700' } },
      'admin',
    );
    return ok(res).createUser;
  }

  beforeAll(async () => {
    await t.token('admin');
  });

  it('an admin password reset: the token issued before it is UNAUTHENTICATED on the next request; the old password fails, the new one logs in', async () => {
    const user = await probe();
    const before = await login(user.username);
    await expectWorks(before, user.username); // the principal is now held in this process's memory
    await update(user.id, { password: NEW_PASSWORD });
    await expectEnded(before);
    // And for a mutation, not only for reads.
    expect(errorCode(await withToken(before, `mutation { closePeriod(month: "2026-01") { month } }`))).toBe('UNAUTHENTICATED');
    expect(errorCode(await t.gql(LOGIN, { u: user.username, p: TEST_PASSWORD }))).toBe('UNAUTHENTICATED');
    await expectWorks(await login(user.username, NEW_PASSWORD), user.username);
    // Still ended afterwards: a new login does not revive the old token.
    await expectEnded(before);
  });

  it('reactivation does not revive the tokens from before the deactivation; a login after it works', async () => {
    const user = await probe();
    const before = await login(user.username);
    await expectWorks(before, user.username);
    await update(user.id, { active: false });
    await expectEnded(before);
    await update(user.id, { active: true });
    await expectEnded(before);
    await expectWorks(await login(user.username), user.username);
  });

  it('changes that are not credentials keep the session: name, role and scope, and "active: true" for a user already active', async () => {
    const user = await probe();
    const token = await login(user.username);
    await update(user.id, { displayName: '改名后的探针' });
    await update(user.id, { role: 'AUDITOR', regionCode: '410781' });
    await update(user.id, { active: true });
    await expectWorks(token, user.username);
    // The scope change took effect on the same token (it is read on every request).
    const res = await withToken(token, `query { stores(regionCode: "410700") { totalCount } }`);
    expect(errorCode(res)).toBe('FORBIDDEN');
  });

  it('within one second (iat has one-second resolution): a token issued after the reset in the same second works, one issued before it in that second does not', async () => {
    const user = await probe();
    // The clock tokens are stamped with stands still: both logins and the reset happen in the same second.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const before = await login(user.username);
    await update(user.id, { password: NEW_PASSWORD });
    const after = await login(user.username, NEW_PASSWORD);
    const iat = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number }).iat;
    expect(iat(after)).toBe(iat(before));
    await expectEnded(before);
    await expectWorks(after, user.username);
  });

  it('another API process over the same database: it refuses the old token once notified of the reset, though it held the principal', async () => {
    const other = buildApp({ database: t.database, config: t.config, clock: t.clock, log: createLogger('silent') });
    const user = await probe();
    const before = await login(user.username);
    // The other process has answered for this user: it holds the principal in its memory.
    await vi.waitFor(() => expectWorks(before, user.username, other), { timeout: 5_000, interval: 50 });
    await update(user.id, { password: NEW_PASSWORD });
    await expectEnded(before); // this process: at once
    await vi.waitFor(() => expectEnded(before, other), { timeout: 5_000, interval: 50 });
    await expectWorks(await login(user.username, NEW_PASSWORD), user.username, other);
  });

  it('logout (退出) ends every session of the user, on every device: both tokens UNAUTHENTICATED, the logout audited; signing in again works', async () => {
    const user = await probe();
    const desk = await login(user.username);
    const phone = await login(user.username);
    await expectWorks(desk, user.username);
    const out = await withToken(desk, `mutation { logout }`);
    expect(out).toEqual({ data: { logout: true } });
    await expectEnded(desk);
    await expectEnded(phone);
    // Without a session there is nothing to end.
    expect(errorCode(await withToken(desk, `mutation { logout }`))).toBe('UNAUTHENTICATED');
    const again = await login(user.username);
    await expectWorks(again, user.username);
    const rows = ok(
      await t.gql(`{ auditLog(filter: { operation: "logout", username: "${user.username}" }, first: 10) { edges { node { outcome } } } }`, {}, 'admin'),
    ).auditLog.edges.map((e: { node: { outcome: string } }) => e.node.outcome);
    expect(rows).toContain('OK');
  });
});
