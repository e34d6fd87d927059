import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { storeId, userId } from '../../seeds/demo.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';

const CREATE = `mutation($input: CreateUserInput!) {
  createUser(input: $input) { id username displayName role active region { code name } stores { id name } }
}`;
const UPDATE = `mutation($id: ID!, $input: UpdateUserInput!) {
  updateUser(id: $id, input: $input) { id role region { code } stores { id name } }
}`;
const LOGIN = `mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { username role stores { name } } } }`;
const STORES = '{ stores(first: 500) { totalCount edges { node { id name } } } }';
const STORE = 'query($id: ID!) { store(id: $id) { id name } }';

const HUOJIA = storeId('S-410724-01'); // 获嘉县应急物资储备库
const YUANYANG = storeId('S-410725-01'); // 原阳县救灾物资储备库

describe('Users: administrators manage accounts; scope is data (DESIGN.md Auth)', () => {
  const t = useTestApp();

  /** Logs in with a password and runs a query with that token. */
  async function asLogin(username: string, password: string, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
    const login = await t.gql(LOGIN, { u: username, p: password });
    expect(login.errors).toBeUndefined();
    const res = await request(t.app)
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${login.data.login.token}`)
      .send({ query, variables });
    return res.body as GqlResult;
  }

  it('admin creates a KEEPER with storeIds; the keeper logs in and sees only that store', async () => {
    const res = await t.gql(
      CREATE,
      { input: { username: 'keeper.huojia', displayName: '获嘉县库管员', password: 'Keeper-Pass-1', role: 'KEEPER', storeIds: [HUOJIA] } },
      'admin',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.createUser).toMatchObject({
      username: 'keeper.huojia',
      displayName: '获嘉县库管员',
      role: 'KEEPER',
      active: true,
      region: null,
      stores: [{ id: HUOJIA, name: '获嘉县应急物资储备库' }],
    });
    const list = await asLogin('keeper.huojia', 'Keeper-Pass-1', STORES);
    expect(list.data.stores.totalCount).toBe(1);
    expect(list.data.stores.edges.map((e: any) => e.node.id)).toEqual([HUOJIA]);
    const other = await asLogin('keeper.huojia', 'Keeper-Pass-1', STORE, { id: storeId('S-410781-01') });
    expect(errorCode(other)).toBe('FORBIDDEN');
  });

  it('admin creates a DISPATCHER with a regionCode; the dispatcher sees only that subtree', async () => {
    const res = await t.gql(
      CREATE,
      { input: { username: 'dispatcher.weihui', displayName: '卫辉市调度员', password: 'Dispatch-Pass-1', role: 'DISPATCHER', regionCode: '410781' } },
      'admin',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.createUser).toMatchObject({ role: 'DISPATCHER', region: { code: '410781000000', name: '卫辉市' }, stores: [] });
    const list = await asLogin('dispatcher.weihui', 'Dispatch-Pass-1', STORES);
    expect(list.data.stores.totalCount).toBe(14); // 卫辉市: the county store and 13 township stores
    expect(errorCode(await asLogin('dispatcher.weihui', 'Dispatch-Pass-1', STORE, { id: HUOJIA }))).toBe('FORBIDDEN');
  });

  it.each([
    ['a KEEPER without stores', { role: 'KEEPER' }, 'input.storeIds'],
    ['a KEEPER with an empty store list', { role: 'KEEPER', storeIds: [] }, 'input.storeIds'],
    ['a KEEPER with a malformed store id', { role: 'KEEPER', storeIds: ['nope'] }, 'input.storeIds.0'],
    ['a KEEPER with a store named twice (refused at the repeat)', { role: 'KEEPER', storeIds: [HUOJIA, HUOJIA] }, 'input.storeIds.1'],
    ['a DISPATCHER without a region', { role: 'DISPATCHER' }, 'input.regionCode'],
    ['an AUDITOR without a region', { role: 'AUDITOR' }, 'input.regionCode'],
    ['a DISPATCHER with stores', { role: 'DISPATCHER', regionCode: '410700', storeIds: [HUOJIA] }, 'input.storeIds'],
    ['a duplicate username', { username: 'dispatcher', role: 'DISPATCHER', regionCode: '410700' }, 'input.username'],
    ['a short password', { password: 'short', role: 'DISPATCHER', regionCode: '410700' }, 'input.password'],
    ['a username with spaces', { username: 'bad name', role: 'DISPATCHER', regionCode: '410700' }, 'input.username'],
    ['a malformed region code', { role: 'DISPATCHER', regionCode: '41' }, 'input.regionCode'],
  ])('%s → BAD_USER_INPUT naming the field, and no account is created', async (_label, over, field) => {
    const input = { username: 'new.user', displayName: '新用户', password: 'Long-Enough-1', ...over };
    const res = await t.gql(CREATE, { input }, 'admin');
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions.field).toBe(field);
    if (input.username !== 'dispatcher') expect(errorCode(await t.gql(LOGIN, { u: input.username, p: input.password }))).toBe('UNAUTHENTICATED');
  });

  it('a KEEPER with an unknown store → NOT_FOUND naming the store', async () => {
    const res = await t.gql(
      CREATE,
      {
        input: { username: 'keeper.ghost', displayName: '无库', password: 'Long-Enough-1', role: 'KEEPER', storeIds: ['00000000-0000-4000-8000-000000000000'] },
      },
      'admin',
    );
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect(res.errors![0].extensions.field).toBe('input.storeIds.0');
  });

  it.each(['dispatcher', 'keeper', 'auditor'])('%s calling createUser → FORBIDDEN', async (user) => {
    const input = { username: `made.by.${user}`, displayName: 'x', password: 'Long-Enough-1', role: 'ADMIN' };
    expect(errorCode(await t.gql(CREATE, { input }, user))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(LOGIN, { u: input.username, p: input.password }))).toBe('UNAUTHENTICATED');
  });

  it('dispatcher calling updateUser → FORBIDDEN and the target is unchanged', async () => {
    const res = await t.gql(UPDATE, { id: userId('keeper'), input: { storeIds: [HUOJIA] } }, 'dispatcher');
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect((await t.gql('{ me { stores { code } } }', {}, 'keeper')).data.me.stores).toEqual([{ code: 'S-410781-01' }]);
  });

  it("updateUser changes a keeper's stores: with the same token, the keeper sees the new store and is FORBIDDEN at the old", async () => {
    const created = await t.gql(
      CREATE,
      { input: { username: 'keeper.move', displayName: '调岗库管员', password: 'Keeper-Pass-2', role: 'KEEPER', storeIds: [HUOJIA] } },
      'admin',
    );
    const id = created.data.createUser.id;
    const { token } = (await t.gql(LOGIN, { u: 'keeper.move', p: 'Keeper-Pass-2' })).data.login;
    const as = async (query: string, variables: Record<string, unknown> = {}) =>
      (await request(t.app).post('/graphql').set('authorization', `Bearer ${token}`).send({ query, variables })).body as GqlResult;

    expect((await as(STORE, { id: HUOJIA })).data.store.id).toBe(HUOJIA);
    const moved = await t.gql(UPDATE, { id, input: { storeIds: [YUANYANG] } }, 'admin');
    expect(moved.errors).toBeUndefined();
    expect(moved.data.updateUser.stores).toEqual([{ id: YUANYANG, name: '原阳县救灾物资储备库' }]);

    expect((await as(STORE, { id: YUANYANG })).data.store.name).toBe('原阳县救灾物资储备库');
    expect(errorCode(await as(STORE, { id: HUOJIA }))).toBe('FORBIDDEN');
    const list = await as(STORES);
    expect(list.data.stores.edges.map((e: any) => e.node.id)).toEqual([YUANYANG]);
  });

  it('updateUser can give a keeper several stores, and refuses to empty the list (BAD_USER_INPUT)', async () => {
    const id = userId('keeper');
    const both = await t.gql(UPDATE, { id, input: { storeIds: [storeId('S-410781-01'), storeId('S-410781100-01')] } }, 'admin');
    expect(both.data.updateUser.stores.map((s: any) => s.id).sort()).toEqual([storeId('S-410781-01'), storeId('S-410781100-01')].sort());
    expect((await t.gql('{ stores { totalCount } }', {}, 'keeper')).data.stores.totalCount).toBe(2);
    const none = await t.gql(UPDATE, { id, input: { storeIds: [] } }, 'admin');
    expect(errorCode(none)).toBe('BAD_USER_INPUT');
    expect((await t.gql('{ stores { totalCount } }', {}, 'keeper')).data.stores.totalCount).toBe(2);
  });

  it("updateUser changes a dispatcher's region; the scope follows at once", async () => {
    const id = (
      await t.gql(
        CREATE,
        { input: { username: 'dispatcher.move', displayName: '调度员', password: 'Dispatch-Pass-2', role: 'DISPATCHER', regionCode: '410781' } },
        'admin',
      )
    ).data.createUser.id;
    const { token } = (await t.gql(LOGIN, { u: 'dispatcher.move', p: 'Dispatch-Pass-2' })).data.login;
    const count = async () =>
      ((await request(t.app).post('/graphql').set('authorization', `Bearer ${token}`).send({ query: STORES })).body as GqlResult).data.stores.totalCount;
    expect(await count()).toBe(14);
    const res = await t.gql(UPDATE, { id, input: { regionCode: '410721' } }, 'admin');
    expect(res.data.updateUser.region).toEqual({ code: '410721000000' });
    expect(await count()).toBe(9); // 新乡县: county store, its 代储库, 7 township stores
  });

  it('updateUser changes the password: the old one stops working', async () => {
    const id = (
      await t.gql(
        CREATE,
        { input: { username: 'auditor.pw', displayName: '审计员', password: 'Old-Password-1', role: 'AUDITOR', regionCode: '410700' } },
        'admin',
      )
    ).data.createUser.id;
    await t.gql(UPDATE, { id, input: { password: 'New-Password-1' } }, 'admin');
    expect(errorCode(await t.gql(LOGIN, { u: 'auditor.pw', p: 'Old-Password-1' }))).toBe('UNAUTHENTICATED');
    expect((await t.gql(LOGIN, { u: 'auditor.pw', p: 'New-Password-1' })).data.login.user.username).toBe('auditor.pw');
  });
});
