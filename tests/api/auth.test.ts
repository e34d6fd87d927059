import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { userId } from '../../seeds/demo.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';

const LOGIN = `mutation($u: String!, $p: String!) {
  login(username: $u, password: $p) {
    token expiresAt
    user { id username displayName role active region { code name } stores { code name } }
  }
}`;

describe('Auth: login, tokens and scope (DESIGN.md Auth)', () => {
  const t = useTestApp();

  /** Runs a query with an explicit Authorization header value. */
  async function withToken(query: string, token: string): Promise<GqlResult> {
    const res = await request(t.app).post('/graphql').set('content-type', 'application/json').set('authorization', `Bearer ${token}`).send({ query });
    return res.body as GqlResult;
  }

  /** A token signed like the server's, with the test secret and a chosen expiry. */
  function signWith(sub: string, exp: number, secret = t.config.jwtSecret) {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuer('emergency-reserves')
      .setIssuedAt(exp - 3600)
      .setExpirationTime(exp)
      .sign(secret);
  }

  describe('each demo user logs in and gets a token with their role and scope', () => {
    it('admin: ADMIN, system-wide (no region, no stores)', async () => {
      const res = await t.gql(LOGIN, { u: 'admin', p: TEST_PASSWORD });
      expect(res.errors).toBeUndefined();
      const { token, user, expiresAt } = res.data.login;
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(user).toMatchObject({ id: userId('admin'), username: 'admin', role: 'ADMIN', active: true, region: null, stores: [] });
      // TOKEN_TTL_HOURS defaults to 12; expiresAt is shown in Asia/Shanghai
      expect(expiresAt).toMatch(/\+08:00$/);
      const hours = (Date.parse(expiresAt) - Date.now()) / 3600_000;
      expect(hours).toBeGreaterThan(11.9);
      expect(hours).toBeLessThanOrEqual(12);
    });

    it('dispatcher: DISPATCHER scoped to 新乡市', async () => {
      const { user } = (await t.gql(LOGIN, { u: 'dispatcher', p: TEST_PASSWORD })).data.login;
      expect(user).toMatchObject({ username: 'dispatcher', role: 'DISPATCHER', region: { code: '410700000000', name: '新乡市' }, stores: [] });
    });

    it('keeper: KEEPER scoped to 卫辉市救灾物资储备库 only', async () => {
      const { user } = (await t.gql(LOGIN, { u: 'keeper', p: TEST_PASSWORD })).data.login;
      expect(user.role).toBe('KEEPER');
      expect(user.region).toBeNull();
      expect(user.stores).toEqual([{ code: 'S-410781-01', name: '卫辉市救灾物资储备库' }]);
    });

    it('auditor: AUDITOR scoped to 新乡市', async () => {
      const { user } = (await t.gql(LOGIN, { u: 'auditor', p: TEST_PASSWORD })).data.login;
      expect(user).toMatchObject({ username: 'auditor', role: 'AUDITOR', region: { name: '新乡市' }, stores: [] });
    });

    it('the token identifies the user in me', async () => {
      const { token } = (await t.gql(LOGIN, { u: 'keeper', p: TEST_PASSWORD })).data.login;
      const me = await withToken('{ me { username role stores { name } } }', token);
      expect(me.data.me).toEqual({ username: 'keeper', role: 'KEEPER', stores: [{ name: '卫辉市救灾物资储备库' }] });
    });
  });

  describe('failed logins are UNAUTHENTICATED and do not reveal which part was wrong', () => {
    it('wrong password and unknown user give the same code and message', async () => {
      const wrong = await t.gql(LOGIN, { u: 'dispatcher', p: 'not-the-password' });
      const unknown = await t.gql(LOGIN, { u: 'no-such-user', p: TEST_PASSWORD });
      expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
      expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
      expect(wrong.errors![0].message).toBe(unknown.errors![0].message);
      expect(wrong.data?.login ?? null).toBeNull();
    });

    it('the password is case-sensitive', async () => {
      expect(errorCode(await t.gql(LOGIN, { u: 'admin', p: TEST_PASSWORD.toUpperCase() }))).toBe('UNAUTHENTICATED');
    });
  });

  describe('anonymous access to anything but login is UNAUTHENTICATED', () => {
    it.each([
      ['regions', '{ regions { code } }'],
      ['region', '{ region(code: "410700") { name } }'],
      ['stores', '{ stores { totalCount } }'],
      ['store', '{ store(id: "00000000-0000-4000-8000-000000000000") { name } }'],
      ['categories', '{ categories { code } }'],
      ['items', '{ items { totalCount } }'],
      ['me', '{ me { username } }'],
    ])('%s', async (_name, query) => {
      const res = await t.gql(query);
      expect(errorCode(res)).toBe('UNAUTHENTICATED');
      // nothing leaks: data is null, or the nullable root field is null
      expect(Object.values(res.data ?? {}).every((v) => v === null)).toBe(true);
    });

    it.each([
      [
        'createStore',
        'mutation { createStore(input: { code: "X-1", name: "某库", regionCode: "410781", kind: GOVERNMENT, location: { lat: 35.4, lng: 114.0 } }) { id } }',
      ],
      ['createUser', 'mutation { createUser(input: { username: "intruder", displayName: "x", password: "password123", role: ADMIN }) { id } }'],
    ])('mutation %s', async (_name, query) => {
      expect(errorCode(await t.gql(query))).toBe('UNAUTHENTICATED');
    });
  });

  describe('a token that does not verify is treated as anonymous', () => {
    it('a garbage token → UNAUTHENTICATED', async () => {
      expect(errorCode(await withToken('{ me { username } }', 'garbage'))).toBe('UNAUTHENTICATED');
      expect(errorCode(await withToken('{ regions { code } }', 'a.b.c'))).toBe('UNAUTHENTICATED');
    });

    it('a token signed with the test secret is accepted while unexpired …', async () => {
      const valid = await signWith(userId('dispatcher'), Math.floor(Date.now() / 1000) + 600);
      expect((await withToken('{ me { username } }', valid)).data.me.username).toBe('dispatcher');
    });

    it('… and refused once expired → UNAUTHENTICATED', async () => {
      const expired = await signWith(userId('dispatcher'), Math.floor(Date.now() / 1000) - 60);
      expect(errorCode(await withToken('{ me { username } }', expired))).toBe('UNAUTHENTICATED');
    });

    it('a token signed with another secret → UNAUTHENTICATED', async () => {
      const forged = await signWith(userId('admin'), Math.floor(Date.now() / 1000) + 600, new TextEncoder().encode('another-secret-another-secret-xx'));
      expect(errorCode(await withToken('{ me { username } }', forged))).toBe('UNAUTHENTICATED');
    });

    it('a token for a user id that does not exist → UNAUTHENTICATED', async () => {
      const ghost = await signWith('00000000-0000-4000-8000-000000000000', Math.floor(Date.now() / 1000) + 600);
      expect(errorCode(await withToken('{ me { username } }', ghost))).toBe('UNAUTHENTICATED');
    });
  });

  describe('a deactivated user is locked out at once', () => {
    it('updateUser(active: false) ends their token and their logins; reactivating restores their logins, not the old token', async () => {
      const created = await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id active } }`,
        { i: { username: 'temp.auditor', displayName: '临时审计员', password: 'Temp-Pass-2026', role: 'AUDITOR', regionCode: '410781' } },
        'admin',
      );
      expect(created.errors).toBeUndefined();
      const id = created.data.createUser.id;
      const { token } = (await t.gql(LOGIN, { u: 'temp.auditor', p: 'Temp-Pass-2026' })).data.login;
      expect((await withToken('{ me { username } }', token)).data.me.username).toBe('temp.auditor');

      const off = await t.gql(`mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { active } }`, { id }, 'admin');
      expect(off.data.updateUser.active).toBe(false);
      expect(errorCode(await withToken('{ me { username } }', token))).toBe('UNAUTHENTICATED');
      expect(errorCode(await withToken('{ regions(level: CITY) { code } }', token))).toBe('UNAUTHENTICATED');
      expect(errorCode(await t.gql(LOGIN, { u: 'temp.auditor', p: 'Temp-Pass-2026' }))).toBe('UNAUTHENTICATED');

      const on = await t.gql(`mutation($id: ID!) { updateUser(id: $id, input: { active: true }) { active } }`, { id }, 'admin');
      expect(on.data.updateUser.active).toBe(true);
      expect(errorCode(await withToken('{ me { username } }', token))).toBe('UNAUTHENTICATED');
      const again = (await t.gql(LOGIN, { u: 'temp.auditor', p: 'Temp-Pass-2026' })).data.login.token;
      expect((await withToken('{ me { username } }', again)).data.me.username).toBe('temp.auditor');
    });

    it('an administrator cannot deactivate themselves (BAD_USER_INPUT)', async () => {
      const res = await t.gql(`mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { active } }`, { id: userId('admin') }, 'admin');
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.field).toBe('input.active');
      expect((await t.gql('{ me { active } }', {}, 'admin')).data.me.active).toBe(true);
    });
  });
});
