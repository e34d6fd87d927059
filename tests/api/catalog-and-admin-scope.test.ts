import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { decideRaw, requestOrderRaw } from '../support/authority.ts';
import { errorCode, type GqlResult, useTestApp } from '../support/harness.ts';
import { QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { createIncident, requestPlan } from '../support/relief.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep A #2 and #3: the national catalog is one for every region, so only an administrator without a region edits it,
// and an item's unit and category keep what its history means (D4, D5, D31). An administrator does not change their own
// role or scope, and does not make their own second person: a user whose account the requester created, or whose
// password the requester last set, does not decide the requester's approvals (D24).

const LIFE_JACKET = itemId('FLD-009');
const ITEM = 'id code name unit category { code } storageLifeMonths';
const CREATE_ITEM = `mutation($input: CreateItemInput!) { createItem(input: $input) { ${ITEM} } }`;
const UPDATE_ITEM = `mutation($id: ID!, $input: UpdateItemInput!) { updateItem(id: $id, input: $input) { ${ITEM} } }`;
const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) { id username role region { code } } }`;
const UPDATE_USER = `mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id role region { code } } }`;

const t = useTestApp();

/** A login of its own (not the harness's cache): a password set again ends the sessions before it. */
async function gqlAsFresh(username: string, query: string, variables: Record<string, unknown> = {}): Promise<GqlResult> {
  const login = await t.gql(`mutation($u:String!,$p:String!){ login(username:$u,password:$p){ token } }`, { u: username, p: TEST_PASSWORD });
  const token = ok(login).login.token as string;
  const res = await request(t.app).post('/graphql').set('authorization', `Bearer ${token}`).send({ query, variables });
  return res.body as GqlResult;
}

const createUser = async (as: string, input: Record<string, unknown>) =>
  ok(await t.gql(CREATE_USER, { input: { password: TEST_PASSWORD, displayName: input.username, ...input } }, as)).createUser as { id: string };

const itemNow = async (id: string) => ok(await t.gql(`query($id: ID!) { item(id: $id) { ${ITEM} } }`, { id }, 'admin')).item;

/** An outbound order requested by `as` at 卫辉市救灾物资储备库; its pending approval's id. */
async function orderApproval(as: string): Promise<string> {
  const res = await requestOrderRaw(t, as, { storeId: WEIHUI, purpose: 'RELIEF', recipient: '汲水镇受灾群众', lines: [{ itemId: QUILT, quantity: 2 }] });
  return ok(res).requestOutboundOrder.approval.id;
}

async function approvalStatus(id: string): Promise<string> {
  const res = await t.gql(`{ approvals(filter: { kind: OUTBOUND_ORDER }, first: 500) { edges { node { id status } } } }`, {}, 'admin');
  return ok(res).approvals.edges.find((e: any) => e.node.id === id).node.status;
}

/** The approvals `username` is offered to decide (approvals(filter:{mine:TO_DECIDE})). */
async function offeredTo(username: string): Promise<string[]> {
  const res = await gqlAsFresh(username, `{ approvals(filter: { status: PENDING, mine: TO_DECIDE }, first: 500) { edges { node { id } } } }`);
  return ok(res).approvals.edges.map((e: any) => e.node.id);
}

let regional: { id: string }; // ADMIN scoped to 卫辉市 410781, created by the system administrator

beforeAll(async () => {
  regional = await createUser('admin', { username: 'wh-admin', role: 'ADMIN', regionCode: '410781' });
});

describe('D4, D5: the national catalog is edited by an administrator without a region scope', () => {
  it('a county administrator is FORBIDDEN to change an item (unit, name, storage life); nothing changes, nothing is named', async () => {
    const before = await itemNow(LIFE_JACKET);
    for (const input of [{ unit: '箱' }, { name: '空气' }, { storageLifeMonths: 600 }]) {
      const res = await t.gql(UPDATE_ITEM, { id: LIFE_JACKET, input }, 'wh-admin');
      expect(errorCode(res), JSON.stringify(input)).toBe('FORBIDDEN');
      expect(res.errors![0].message).not.toContain(before.name);
    }
    // An id that does not exist is refused the same way: the refusal says nothing about which items exist.
    expect(errorCode(await t.gql(UPDATE_ITEM, { id: randomUUID(), input: { name: '空气' } }, 'wh-admin'))).toBe('FORBIDDEN');
    expect(await itemNow(LIFE_JACKET)).toEqual(before);
  });

  it('a county administrator is FORBIDDEN to add an item; none is added', async () => {
    const input = { code: 'LIV-WH1', categoryCode: 'LIVING', name: '卫辉自定物资', unit: '件' };
    expect(errorCode(await t.gql(CREATE_ITEM, { input }, 'wh-admin'))).toBe('FORBIDDEN');
    expect(ok(await t.gql(`{ items(search: "LIV-WH1") { totalCount } }`, {}, 'admin')).items.totalCount).toBe(0);
  });

  it('dispatchers stay FORBIDDEN; the system-wide administrator adds and edits items', async () => {
    expect(errorCode(await t.gql(UPDATE_ITEM, { id: LIFE_JACKET, input: { storageLifeMonths: 96 } }, 'dispatcher'))).toBe('FORBIDDEN');
    const created = ok(await t.gql(CREATE_ITEM, { input: { code: 'LIV-SYS1', categoryCode: 'LIVING', name: '系统新增物资', unit: '件' } }, 'admin')).createItem;
    expect(created).toMatchObject({ code: 'LIV-SYS1', unit: '件' });
    expect(ok(await t.gql(UPDATE_ITEM, { id: LIFE_JACKET, input: { storageLifeMonths: 96 } }, 'admin')).updateItem.storageLifeMonths).toBe(96);
  });
});

describe('D31: an item with ledger history keeps its unit and category', () => {
  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'WH-MB-T31', productionDate: '2026-01-10', unitPrice: '158.00' }]);
  });

  it('changing the unit of an item whose stock has moved → INVALID_STATE at input.unit; the item is unchanged', async () => {
    const before = await itemNow(QUILT);
    const res = await t.gql(UPDATE_ITEM, { id: QUILT, input: { unit: '箱', name: '棉被（改）' } }, 'admin');
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].extensions.field).toBe('input.unit');
    expect(await itemNow(QUILT)).toEqual(before);
  });

  it('moving an item with ledger history to another category → INVALID_STATE at input.categoryCode', async () => {
    const res = await t.gql(UPDATE_ITEM, { id: QUILT, input: { categoryCode: 'FLOOD' } }, 'admin');
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].extensions.field).toBe('input.categoryCode');
    expect((await itemNow(QUILT)).category.code).toBe('LIVING');
  });

  it('the same unit and category restated, or other fields, still change; an item with no movements may change both', async () => {
    const same = ok(await t.gql(UPDATE_ITEM, { id: QUILT, input: { unit: '床', categoryCode: 'LIVING', storageLifeMonths: 60 } }, 'admin')).updateItem;
    expect(same).toMatchObject({ unit: '床', category: { code: 'LIVING' }, storageLifeMonths: 60 });
    const fresh = ok(await t.gql(CREATE_ITEM, { input: { code: 'LIV-SYS2', categoryCode: 'LIVING', name: '未入库物资', unit: '件' } }, 'admin')).createItem;
    const changed = ok(await t.gql(UPDATE_ITEM, { id: fresh.id, input: { unit: '套', categoryCode: 'FLOOD' } }, 'admin')).updateItem;
    expect(changed).toMatchObject({ unit: '套', category: { code: 'FLOOD' } });
  });
});

describe('D24: no one changes their own role or scope', () => {
  it('an administrator changing their own role or region → FORBIDDEN at input.role / input.regionCode; nothing changes', async () => {
    const role = await t.gql(UPDATE_USER, { id: regional.id, input: { role: 'DISPATCHER' } }, 'wh-admin');
    expect(errorCode(role)).toBe('FORBIDDEN');
    expect(role.errors![0].extensions.field).toBe('input.role');
    expect(role.errors![0].message).toContain('不相容岗位分离');
    const region = await t.gql(UPDATE_USER, { id: regional.id, input: { regionCode: '410782' } }, 'wh-admin');
    expect(errorCode(region)).toBe('FORBIDDEN');
    expect(region.errors![0].extensions.field).toBe('input.regionCode');
    const adminId = ok(await t.gql('{ me { id } }', {}, 'admin')).me.id;
    const own = await t.gql(UPDATE_USER, { id: adminId, input: { role: 'AUDITOR', regionCode: '410700' } }, 'admin');
    expect(errorCode(own)).toBe('FORBIDDEN');
    expect(ok(await t.gql('{ me { role region { code } } }', {}, 'wh-admin')).me).toEqual({ role: 'ADMIN', region: { code: '410781000000' } });
    expect(ok(await t.gql('{ me { role region { code } } }', {}, 'admin')).me).toEqual({ role: 'ADMIN', region: null });
  });

  it("restating one's own role and region, or changing one's own name, is no scope change and passes; another admin may change the role", async () => {
    const same = await t.gql(UPDATE_USER, { id: regional.id, input: { role: 'ADMIN', regionCode: '410781', displayName: '卫辉管理员' } }, 'wh-admin');
    expect(same.errors).toBeUndefined();
    const other = await createUser('admin', { username: 'wh-admin-b', role: 'ADMIN', regionCode: '410781' });
    expect(ok(await t.gql(UPDATE_USER, { id: other.id, input: { role: 'AUDITOR' } }, 'wh-admin')).updateUser.role).toBe('AUDITOR');
  });
});

describe('D24: the second person is not an account the requester controls', () => {
  it('a dispatcher created by the requesting administrator may not approve their order (FORBIDDEN 不相容岗位分离); another may', async () => {
    await createUser('wh-admin', { username: 'wh-d1', role: 'DISPATCHER', regionCode: '410781' });
    const approvalId = await orderApproval('wh-admin');
    expect(await offeredTo('wh-d1')).not.toContain(approvalId);
    const res = await gqlAsFresh(
      'wh-d1',
      `mutation($a: ID!) { decideApproval(input: { approvalId: $a, decision: APPROVE, approvalRef: "卫应急〔2026〕99号" }) { status } }`,
      { a: approvalId },
    );
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].message).toMatch(/^不相容岗位分离：/);
    expect(res.errors![0].extensions.field).toBe('input.approvalId');
    expect(await approvalStatus(approvalId)).toBe('PENDING');
    // The created dispatcher still decides other people's requests, and a person the requester does not control decides this one.
    const keepers = await orderApproval('keeper');
    expect(await offeredTo('wh-d1')).toContain(keepers);
    expect(ok(await decideRaw(t, 'director', approvalId, 'APPROVE')).decideApproval.status).toBe('APPROVED');
  });

  it('a user whose password the requester set may not decide, nor after setting their own (D24, sweep 16a F3: a tie for good)', async () => {
    // Created by the system administrator; its password then set by the county administrator, who requests.
    const other = await createUser('admin', { username: 'wh-admin-c', role: 'ADMIN', regionCode: '410781' });
    ok(await t.gql(UPDATE_USER, { id: other.id, input: { password: TEST_PASSWORD } }, 'wh-admin'));
    const approvalId = await orderApproval('wh-admin');
    const decide = `mutation($a: ID!) { decideApproval(input: { approvalId: $a, decision: APPROVE, approvalRef: "卫应急〔2026〕100号" }) { status } }`;
    const refused = await gqlAsFresh('wh-admin-c', decide, { a: approvalId });
    expect(errorCode(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0].message).toContain('不相容岗位分离');
    expect(await approvalStatus(approvalId)).toBe('PENDING');
    // Their own new password does not end the tie: the requester knew the login and could have made the change itself
    // (sweep 16a F3) — set with the current one (changePassword; sweep 7c M4), here twice, so that the account's
    // password is the test's again.
    const changed = ok(await gqlAsFresh('wh-admin-c', `mutation { changePassword(oldPassword: "${TEST_PASSWORD}", newPassword: "Own-Pass-2026-x") { token } }`))
      .changePassword.token as string;
    const back = await request(t.app)
      .post('/graphql')
      .set('authorization', `Bearer ${changed}`)
      .send({ query: `mutation { changePassword(oldPassword: "Own-Pass-2026-x", newPassword: "${TEST_PASSWORD}") { token } }` });
    ok(back.body as GqlResult);
    expect(await offeredTo('wh-admin-c')).not.toContain(approvalId);
    expect(errorCode(await gqlAsFresh('wh-admin-c', decide, { a: approvalId }))).toBe('FORBIDDEN');
    expect(ok(await decideRaw(t, 'director', approvalId, 'APPROVE')).decideApproval.status).toBe('APPROVED');
  });

  it('a dispatch plan requested by an administrator is not approved by a dispatcher that administrator created', async () => {
    await createUser('wh-admin', { username: 'wh-d2', role: 'DISPATCHER', regionCode: '410781' });
    const incident = await createIncident(t, { name: '卫辉市内涝（分离测试）' }, 'wh-admin');
    const plan = await requestPlan(t, incident, QUILT, 5, 'id', 'wh-admin');
    const res = await gqlAsFresh('wh-d2', `mutation($p: ID!) { approveDispatchPlan(planId: $p) { status } }`, { p: plan.id });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].message).toContain('不相容岗位分离');
    expect(ok(await t.gql(`query($id: ID!) { dispatchPlan(id: $id) { status } }`, { id: plan.id }, 'admin')).dispatchPlan.status).toBe('PROPOSED');
    expect(ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { status } }`, { p: plan.id }, 'director')).approveDispatchPlan.status).toBe(
      'APPROVED',
    );
  });
});
