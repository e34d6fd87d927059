import { sql } from 'drizzle-orm';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { expectRefusedUnchanged, lastAudit } from '../support/refusals.ts';

// Sweep 3 (findings-sweep3.md), user administration: M2 a promotion to ADMIN sets an administrator's password; L3
// users(search:) matches % and _ literally; L6 a region given for a keeper is refused; L7 a regional administrator's
// list holds only the users it manages (coversUser, as updateUser); L9 every signed-in user changes their own password
// with the old one (D22 audited, masked; D24 the tie to whoever set the last one ends).

const t = useTestApp();

const CREATE = `mutation($input: CreateUserInput!) { createUser(input: $input) { id username role region { code } stores { id } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id role region { code } stores { id } } }`;
const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { role } } }`;
const LIST = `query($search: String, $first: Int) { users(search: $search, first: $first) { totalCount edges { node { username } } } }`;
const CHANGE = `mutation($old: String!, $new: String!) { changePassword(oldPassword: $old, newPassword: $new) { token expiresAt user { id username role } } }`;
const ME = `{ me { username role } }`;

const WEIHUI = storeId('S-410781-01'); // 卫辉市救灾物资储备库 (410781)
const XINXIANG = storeId('S-410700-01'); // 新乡市救灾物资储备库 (410700, outside 卫辉)
const REGIONAL_PASSWORD = 'Weihui-Admin-2026';

/** Runs an operation with a token (a session of one of this file's own users). */
const withToken = async (token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> => {
  const req = request(t.app).post('/graphql').set('content-type', 'application/json');
  if (token) req.set('authorization', `Bearer ${token}`);
  return (await req.send({ query, variables })).body as GqlResult;
};
const login = async (username: string, password: string) => (await t.gql(LOGIN, { u: username, p: password })).data?.login?.token as string | undefined;
const names = (res: GqlResult): string[] => res.data.users.edges.map((e: { node: { username: string } }) => e.node.username);

/** What a refused change must leave as it was: the user's row and their stores. */
const userState = async (id: string) => ({
  user: (await queryRows(t.database.db, sql`SELECT role, region_code, password_hash, credentials_version, active FROM users WHERE id = ${id}`))[0],
  stores: await queryRows(t.database.db, sql`SELECT store_id FROM user_stores WHERE user_id = ${id} ORDER BY store_id`),
  passwordSets: await queryRows(t.database.db, sql`SELECT set_by, set_at FROM password_sets WHERE user_id = ${id} ORDER BY id`),
});

async function create(input: Record<string, unknown>, as = 'admin'): Promise<string> {
  const res = await t.gql(CREATE, { input: { displayName: `用户 ${String(input.username)}`, ...input } }, as);
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data.createUser.id;
}

let regional: string; // a token of sw3-weihui-admin: ADMIN of 卫辉市 (410781)

beforeAll(async () => {
  await create({ username: 'sw3-weihui-admin', password: REGIONAL_PASSWORD, role: 'ADMIN', regionCode: '410781' });
  regional = (await login('sw3-weihui-admin', REGIONAL_PASSWORD))!;
});

describe('sweep-3 M2: a promotion to ADMIN sets a password of at least 12 characters in the same call', () => {
  const PROMOTION = '提升为管理员须同时设置不少于 12 位的新密码';

  it('M2: an auditor with an 8-character password is not made ADMIN without a new one, nor with a short one; refused, unchanged, audited', async () => {
    const id = await create({ username: 'sw3-promo-aud', password: 'Abcd@123', role: 'AUDITOR', regionCode: '410781' });
    const before = await userState(id);
    for (const input of [{ role: 'ADMIN' }, { role: 'ADMIN', password: 'Abcd@1234' }, { role: 'ADMIN', regionCode: '410781', password: 'Abcd-12345A' }]) {
      await expectRefusedUnchanged(t, 'updateUser', () => t.gql(UPDATE, { id, input }, 'admin'), 'BAD_USER_INPUT', PROMOTION, {
        field: 'input.password',
      });
      expect(await userState(id)).toEqual(before);
    }
    // The old password still signs in as an auditor.
    expect((await t.gql(LOGIN, { u: 'sw3-promo-aud', p: 'Abcd@123' })).data.login.user.role).toBe('AUDITOR');
  });

  it('M2: with a new password of 12 characters the promotion passes; the old password no longer signs in, the new one as ADMIN', async () => {
    const id = await create({ username: 'sw3-promo-ok', password: 'Abcd@123', role: 'DISPATCHER', regionCode: '410781' });
    const res = await t.gql(UPDATE, { id, input: { role: 'ADMIN', password: 'Abcd@1234567' } }, 'admin');
    expect(res.errors).toBeUndefined();
    expect(res.data.updateUser.role).toBe('ADMIN');
    expect(errorCode(await t.gql(LOGIN, { u: 'sw3-promo-ok', p: 'Abcd@123' }))).toBe('UNAUTHENTICATED');
    expect((await t.gql(LOGIN, { u: 'sw3-promo-ok', p: 'Abcd@1234567' })).data.login.user.role).toBe('ADMIN');
  });

  it('M2: a regional administrator promoting a keeper of its store is refused the same way; an administrator staying one needs no new password', async () => {
    const id = await create({ username: 'sw3-promo-keep', password: 'Pw@12345', role: 'KEEPER', storeIds: [WEIHUI] }, 'admin');
    const before = await userState(id);
    await expectRefusedUnchanged(
      t,
      'updateUser',
      () => withToken(regional, UPDATE, { id, input: { role: 'ADMIN', regionCode: '410781' } }),
      'BAD_USER_INPUT',
      PROMOTION,
      { field: 'input.password' },
    );
    expect(await userState(id)).toEqual(before);
    expect((await t.gql(LOGIN, { u: 'sw3-promo-keep', p: 'Pw@12345' })).data.login.user.role).toBe('KEEPER');
    // Not a promotion: the role stays ADMIN (its password already met the rule when it was set).
    const same = await t.gql(UPDATE, { id: await idOf('sw3-weihui-admin'), input: { role: 'ADMIN', displayName: '卫辉市管理员' } }, 'admin');
    expect(same.errors).toBeUndefined();
  });
});

async function idOf(username: string): Promise<string | undefined> {
  return (await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM users WHERE username = ${username}`))[0]?.id;
}

describe('sweep-3 L3: users(search:) matches % and _ literally, as items(search:) does', () => {
  it('L3: "%", "_", "\\" and "d_s" find no one; "w3_l" finds the user whose name holds it', async () => {
    await create({ username: 'sw3_lit', password: 'Literal-2026', role: 'AUDITOR', regionCode: '410781' });
    for (const search of ['%', '\\', 'd_s', '_a']) {
      const res = await t.gql(LIST, { search, first: 500 }, 'admin');
      expect(res.errors).toBeUndefined();
      expect(names(res), search).toEqual([]);
      expect(res.data.users.totalCount, search).toBe(0);
    }
    expect(names(await t.gql(LIST, { search: '_', first: 500 }, 'admin'))).toEqual(['sw3_lit']);
    expect(names(await t.gql(LIST, { search: 'w3_l', first: 500 }, 'admin'))).toEqual(['sw3_lit']);
    // Still a search inside the name, regardless of case.
    expect(names(await t.gql(LIST, { search: 'DISPATCH', first: 500 }, 'admin'))).toEqual(['dispatcher']);
  });
});

describe('sweep-3 L6: a keeper’s scope is stores — a region given for one is refused, not dropped', () => {
  const KEEPER_REGION = '库管员的权限范围是仓库，不填区划';

  it('L6: createUser of a KEEPER with a regionCode is BAD_USER_INPUT at input.regionCode (system-wide and regional administrator), nothing written, audited', async () => {
    const input = { username: 'sw3-keep-region', displayName: '库管员', password: 'Keeper-2026', role: 'KEEPER', storeIds: [WEIHUI] };
    await expectRefusedUnchanged(
      t,
      'createUser',
      () => t.gql(CREATE, { input: { ...input, regionCode: '410781' } }, 'admin'),
      'BAD_USER_INPUT',
      KEEPER_REGION,
      {
        field: 'input.regionCode',
      },
    );
    // The finding's case: a regional administrator giving a region outside its own.
    await expectRefusedUnchanged(
      t,
      'createUser',
      () => withToken(regional, CREATE, { input: { ...input, regionCode: '410700' } }),
      'BAD_USER_INPUT',
      KEEPER_REGION,
      { field: 'input.regionCode' },
    );
    expect(await idOf('sw3-keep-region')).toBeUndefined();
  });

  it('L6: updateUser giving a keeper a regionCode is refused and changes nothing; a dispatcher made keeper (no region given) keeps none', async () => {
    const keeper = await create({ username: 'sw3-keep-upd', password: 'Keeper-2026', role: 'KEEPER', storeIds: [WEIHUI] });
    const before = await userState(keeper);
    for (const input of [{ regionCode: '410781' }, { role: 'KEEPER', regionCode: '410781', storeIds: [WEIHUI] }]) {
      await expectRefusedUnchanged(t, 'updateUser', () => t.gql(UPDATE, { id: keeper, input }, 'admin'), 'BAD_USER_INPUT', KEEPER_REGION, {
        field: 'input.regionCode',
      });
      expect(await userState(keeper)).toEqual(before);
    }
    // What the console sends for a keeper: stores, no region (a null region is no region).
    expect((await t.gql(UPDATE, { id: keeper, input: { role: 'KEEPER', storeIds: [WEIHUI], regionCode: null } }, 'admin')).errors).toBeUndefined();
    const dispatcher = await create({ username: 'sw3-disp-keep', password: 'Dispatch-2026', role: 'DISPATCHER', regionCode: '410781' });
    const made = await t.gql(UPDATE, { id: dispatcher, input: { role: 'KEEPER', storeIds: [WEIHUI] } }, 'admin');
    expect(made.errors).toBeUndefined();
    expect(made.data.updateUser).toMatchObject({ role: 'KEEPER', region: null, stores: [{ id: WEIHUI }] });
  });
});

describe('sweep-3 L7: a regional administrator lists only the users it may manage (coversUser, as updateUser)', () => {
  it('L7: a keeper of a 卫辉 store and a 新乡市 store is not listed to 卫辉’s administrator (whose updateUser refuses it), but to 新乡市’s and the system-wide one', async () => {
    const mixed = await create({ username: 'sw3-mixkeeper', password: 'Keeper-2026', role: 'KEEPER', storeIds: [WEIHUI, XINXIANG] });
    const list = await withToken(regional, LIST, { first: 500 });
    expect(list.errors).toBeUndefined();
    expect(names(list)).not.toContain('sw3-mixkeeper');
    // The demo keeper (卫辉's store only) and 卫辉's own users are listed; the count is the rows'.
    expect(names(list)).toEqual(expect.arrayContaining(['keeper', 'sw3-weihui-admin']));
    expect(list.data.users.totalCount).toBe(names(list).length);
    expect(names(await withToken(regional, LIST, { search: 'mixkeeper' }))).toEqual([]);
    expect(errorCode(await withToken(regional, UPDATE, { id: mixed, input: { active: false } }))).toBe('FORBIDDEN');
    // Every user the list gives, updateUser accepts (the same rule): a harmless change for each.
    for (const username of names(list).filter((n) => n !== 'sw3-weihui-admin')) {
      const res = await withToken(regional, UPDATE, { id: await idOf(username), input: { displayName: `卫辉 ${username}` } });
      expect(res.errors, username).toBeUndefined();
    }

    await create({ username: 'sw3-xinxiang-admin', password: 'Xinxiang-Admin-2026', role: 'ADMIN', regionCode: '410700' });
    const city = await withToken(await login('sw3-xinxiang-admin', 'Xinxiang-Admin-2026'), LIST, { first: 500 });
    expect(names(city)).toEqual(expect.arrayContaining(['sw3-mixkeeper', 'keeper', 'dispatcher']));
    expect(names(city)).not.toContain('jincheng');
    expect(names(await t.gql(LIST, { search: 'mixkeeper' }, 'admin'))).toEqual(['sw3-mixkeeper']);
  });
});

describe('sweep-3 L9: every signed-in user changes their own password with the old one (changePassword)', () => {
  const auditInput = async () =>
    (
      await queryRows<{ input: Record<string, unknown>; outcome: string; username: string }>(
        t.database.db,
        sql`SELECT input, outcome, username FROM audit_log WHERE operation = 'changePassword' ORDER BY id DESC LIMIT 1`,
      )
    )[0];

  it('L9: a keeper changes theirs: earlier sessions end, the answered token works, the old password fails and the new signs in; audited masked; D24 set by themself', async () => {
    const id = await create({ username: 'sw3-self-keep', password: 'Keeper-Old-1', role: 'KEEPER', storeIds: [WEIHUI] });
    const a = (await login('sw3-self-keep', 'Keeper-Old-1'))!;
    const b = (await login('sw3-self-keep', 'Keeper-Old-1'))!; // another device
    const res = await withToken(a, CHANGE, { old: 'Keeper-Old-1', new: 'Keeper-New-22' });
    expect(res.errors).toBeUndefined();
    expect(res.data.changePassword.user).toMatchObject({ id, username: 'sw3-self-keep', role: 'KEEPER' });
    const c = res.data.changePassword.token as string;
    for (const ended of [a, b]) expect(errorCode(await withToken(ended, ME))).toBe('UNAUTHENTICATED');
    expect((await withToken(c, ME)).data.me.username).toBe('sw3-self-keep');
    expect(errorCode(await t.gql(LOGIN, { u: 'sw3-self-keep', p: 'Keeper-Old-1' }))).toBe('UNAUTHENTICATED');
    expect(await login('sw3-self-keep', 'Keeper-New-22')).toBeTruthy();
    expect(await auditInput()).toEqual({ input: { oldPassword: '***', newPassword: '***' }, outcome: 'OK', username: 'sw3-self-keep' });
    // D24: the administrator chose the first password, the user the second: both sets are kept (password_sets).
    const { passwordSets } = await userState(id);
    expect(passwordSets).toHaveLength(2);
    expect(passwordSets[1]).toMatchObject({ set_by: id });
    expect(passwordSets[0].set_by).not.toBe(id);
  });

  it('L9: a wrong old password is BAD_USER_INPUT at oldPassword — nothing changed, the session goes on, the refusal audited with the passwords masked', async () => {
    const id = await create({ username: 'sw3-self-wrong', password: 'Auditor-Old-1', role: 'AUDITOR', regionCode: '410781' });
    const token = (await login('sw3-self-wrong', 'Auditor-Old-1'))!;
    const before = await userState(id);
    await expectRefusedUnchanged(
      t,
      'changePassword',
      () => withToken(token, CHANGE, { old: 'Auditor-Old-2', new: 'Auditor-New-22' }),
      'BAD_USER_INPUT',
      '原密码不正确',
      {
        field: 'oldPassword',
      },
    );
    expect(await auditInput()).toEqual({ input: { oldPassword: '***', newPassword: '***' }, outcome: 'BAD_USER_INPUT', username: 'sw3-self-wrong' });
    expect(await userState(id)).toEqual(before);
    expect((await withToken(token, ME)).data.me.username).toBe('sw3-self-wrong');
    // An auditor writes nothing in the books, but their own password is theirs to change.
    expect((await withToken(token, CHANGE, { old: 'Auditor-Old-1', new: 'Auditor-New-22' })).errors).toBeUndefined();
  });

  it('L9: the new password follows the role’s rule (an administrator’s at least 12 characters, others 8) and differs from the old; each refusal unchanged and audited', async () => {
    const keeper = await create({ username: 'sw3-self-rules', password: 'Keeper-Old-1', role: 'KEEPER', storeIds: [WEIHUI] });
    const token = (await login('sw3-self-rules', 'Keeper-Old-1'))!;
    const before = await userState(keeper);
    await expectRefusedUnchanged(
      t,
      'changePassword',
      () => withToken(token, CHANGE, { old: 'Keeper-Old-1', new: 'Short-1' }),
      'BAD_USER_INPUT',
      '新密码至少 8 位',
      {
        field: 'newPassword',
      },
    );
    await expectRefusedUnchanged(
      t,
      'changePassword',
      () => withToken(token, CHANGE, { old: 'Keeper-Old-1', new: 'Keeper-Old-1' }),
      'BAD_USER_INPUT',
      '新密码不能与原密码相同',
      { field: 'newPassword' },
    );
    expect(await userState(keeper)).toEqual(before);

    const admin = (await idOf('sw3-weihui-admin'))!;
    const adminBefore = await userState(admin);
    await expectRefusedUnchanged(
      t,
      'changePassword',
      () => withToken(regional, CHANGE, { old: REGIONAL_PASSWORD, new: 'Eleven-Char' }),
      'BAD_USER_INPUT',
      '管理员密码至少 12 位',
      { field: 'newPassword' },
    );
    expect(await userState(admin)).toEqual(adminBefore);
  });

  it('L9: an administrator changes their own with the old one; anonymous callers are UNAUTHENTICATED (audited)', async () => {
    await create({ username: 'sw3-self-admin', password: 'Admin-Old-2026', role: 'ADMIN', regionCode: '410781' });
    const token = (await login('sw3-self-admin', 'Admin-Old-2026'))!;
    const res = await withToken(token, CHANGE, { old: 'Admin-Old-2026', new: 'Admin-New-20266' });
    expect(res.errors).toBeUndefined();
    expect((await withToken(res.data.changePassword.token, ME)).data.me).toEqual({ username: 'sw3-self-admin', role: 'ADMIN' });
    expect(errorCode(await withToken(token, ME))).toBe('UNAUTHENTICATED');

    expect(errorCode(await withToken(undefined, CHANGE, { old: 'x', new: 'Whatever-2026' }))).toBe('UNAUTHENTICATED');
    expect((await lastAudit(t, 'changePassword')).outcome).toBe('UNAUTHENTICATED');
  });
});
