import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { WEIHUI } from '../support/ledger.ts';
import { createIncident, ok, openPoint } from '../support/relief.ts';

// Sweep 23b (note: a dispatcher cannot correct the address of a 安置点 they opened; administrators only). D29: the
// command that opens a 安置点 for an incident corrects its name, address and contact (policy: assertMayEditStore) — in
// its region only, those fields only; keepers and auditors none. D22: the edit's audit row keeps what it replaced.

const t = useTestApp();

const UPDATE = `mutation($id: ID!, $i: UpdateStoreInput!) { updateStore(id: $id, input: $i) { id name kind address contactName contactPhone region { code } } }`;
const STORE = `query($id: ID!) { store(id: $id) { name kind code address contactName contactPhone region { code } location { lat lng } } }`;
const storeNow = async (id: string) => ok(await t.gql(STORE, { id }, 'admin')).store;

describe('sweep 23b (D29): a dispatcher corrects a 安置点 of their region', () => {
  let incidentId: string;
  let point: string;
  beforeAll(async () => {
    incidentId = await createIncident(t, { name: '卫辉市安置点编辑测试' });
    point = await openPoint(t, incidentId, '汲水镇编辑测试安置点', { address: '汲水镇旧址 1 号' });
  });

  it('D29: the dispatcher whose region covers it corrects its name, address and contact', async () => {
    const input = { name: '汲水镇编辑测试安置点（东校区）', address: '汲水镇新华路 8 号', contactName: '王主任', contactPhone: '0373-4400001' };
    expect(ok(await t.gql(UPDATE, { id: point, i: input }, 'dispatcher')).updateStore).toMatchObject({ ...input, kind: 'DISTRIBUTION_POINT' });
    expect(await storeNow(point)).toMatchObject(input);
  });

  it('D22: the edit is audited with the values it replaced (prior), under the dispatcher', async () => {
    const [{ n }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT coalesce(max(id), 0)::int AS n FROM audit_log`);
    const before = await storeNow(point);
    ok(await t.gql(UPDATE, { id: point, i: { address: '汲水镇新华路 9 号', contactPhone: '0373-4400002' } }, 'dispatcher'));
    const rows = await queryRows<{ operation: string; outcome: string; username: string; input: string }>(
      t.database.db,
      sql`SELECT operation, outcome, username, input::text AS input FROM audit_log WHERE id > ${n} AND operation = 'updateStore' ORDER BY id`,
    );
    expect(rows.map((r) => [r.operation, r.outcome, r.username])).toEqual([['updateStore', 'OK', 'dispatcher']]);
    expect(JSON.parse(rows[0].input)).toEqual({
      id: point,
      input: { address: '汲水镇新华路 9 号', contactPhone: '0373-4400002' },
      prior: { address: before.address, contactPhone: before.contactPhone },
    });
  });

  it('D29: its kind, region and code sent back as they are change nothing and are taken', async () => {
    const now = await storeNow(point);
    const res = await t.gql(
      UPDATE,
      { id: point, i: { kind: 'DISTRIBUTION_POINT', regionCode: now.region.code, code: now.code, contactName: '李主任' } },
      'dispatcher',
    );
    expect(ok(res).updateStore).toMatchObject({ kind: 'DISTRIBUTION_POINT', contactName: '李主任', region: { code: now.region.code } });
  });

  it.each([
    ['kind', { kind: 'GOVERNMENT' }],
    ['regionCode', { regionCode: '410781102000' }],
    ['code', { code: 'AZD-EDITED' }],
    ['location', { location: { lat: 35.4, lng: 114.02 } }],
    ['capacityM3', { capacityM3: 100 }],
  ])('D29: a dispatcher changes no %s of a 安置点 → FORBIDDEN at the field, in words; nothing changes', async (field, change) => {
    const before = await storeNow(point);
    const res = await t.gql(UPDATE, { id: point, i: { address: '不应保存的地址', ...change } }, 'dispatcher');
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].extensions.field).toBe(`input.${field}`);
    expect(res.errors![0].message).toContain('调度员只能修改安置点的名称、地址、联系人、联系电话');
    expect(await storeNow(point)).toEqual(before);
  });

  it.each([
    ['jincheng', '不在您的辖区内'],
    ['keeper', '仓库保管员不能修改'],
    ['auditor', '审计员只读'],
  ])('D24, D29: %s (another region’s dispatcher; the point’s own keeper; an auditor) → FORBIDDEN in words; nothing changes', async (user, words) => {
    const before = await storeNow(point);
    const res = await t.gql(UPDATE, { id: point, i: { address: '不应保存的地址' } }, user);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].message).toContain(words);
    expect(res.errors![0].message).toMatch(/^无权/);
    expect(await storeNow(point)).toEqual(before);
  });

  it('D2: a dispatcher edits no other store (a government store of their region) → FORBIDDEN; nothing changes', async () => {
    const before = await storeNow(WEIHUI);
    const res = await t.gql(UPDATE, { id: WEIHUI, i: { address: '不应保存的地址' } }, 'dispatcher');
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].message).toContain('仓库的信息由系统管理员维护');
    expect(await storeNow(WEIHUI)).toEqual(before);
  });

  it('D29: stores(incidentId) lists the incident’s 安置点 (the incident page offers 编辑 there)', async () => {
    const other = await createIncident(t, { name: '卫辉市另一事件' });
    await openPoint(t, other, '汲水镇另一事件安置点');
    const list = ok(
      await t.gql(`query($id: ID!) { stores(incidentId: $id) { totalCount edges { node { id kind } } } }`, { id: incidentId }, 'dispatcher'),
    ).stores;
    expect(list.edges.map((e: any) => e.node)).toEqual([{ id: point, kind: 'DISTRIBUTION_POINT' }]);
    expect(list.totalCount).toBe(1);
    const bad = await t.gql(`query { stores(incidentId: "nope") { totalCount } }`, {}, 'dispatcher');
    expect([errorCode(bad), bad.errors![0].extensions.field]).toEqual(['BAD_USER_INPUT', 'incidentId']);
  });
});
