import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { storeId, WEIHUI_STORE_CODE } from '../../seeds/demo.ts';
import { encodeCursor } from '../../server/pagination.ts';
import { batchIdOf } from '../../server/inventory/batch-ids.ts';
import { itemId } from '../../seeds/reference.ts';
import { ok, purchase, receiveRaw } from '../support/ledger-ops.ts';

// "Nobody sees more than their scope": a refusal says what kind of record was refused, never its name or number, and
// a forged cursor is refused as such before it reaches SQL (no database error code comes back).
const t = useTestApp();

/** A receipt at 卫辉's store and an incident in 卫辉市: records of 新乡 that jincheng may not see. */
async function xinxiangRecords() {
  const receipt = ok(
    await receiveRaw(
      t,
      'keeper',
      purchase(storeId(WEIHUI_STORE_CODE), [{ itemId: itemId('LIV-001'), quantity: 3, batchNo: 'SECRET-BATCH-7', unitPrice: '10.00' }]),
      'id number',
    ),
  ).receiveStock;
  const incident = ok(
    await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id name } }`,
      { i: { name: '卫辉市内涝（保密名称）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.4, lng: 114.06 } } },
      'dispatcher',
    ),
  ).createIncident;
  const batchId = await batchIdOf(t.database.db, itemId('LIV-001'), 'SECRET-BATCH-7');
  return { incident, batch: { id: batchId, batchNo: 'SECRET-BATCH-7' }, document: receipt, storeName: '卫辉市救灾物资储备库' };
}

describe('scope refusals name no record out of scope', () => {
  it('jincheng asking for 新乡 records by id gets FORBIDDEN without their names or numbers', async () => {
    const r = await xinxiangRecords();
    const asked = [
      [`query($id: ID!) { store(id: $id) { stock(first: 1) { totalCount } } }`, storeId(WEIHUI_STORE_CODE), r.storeName],
      [`query($id: ID!) { incident(id: $id) { name } }`, r.incident.id, r.incident.name],
      [`query($id: ID!) { batchTrace(batchId: $id) { batch { batchNo } } }`, r.batch.id, r.batch.batchNo],
      [`query($id: ID!) { batch(id: $id) { batchNo } }`, r.batch.id, r.batch.batchNo],
      [`query($id: ID!) { document(id: $id) { number } }`, r.document.id, r.document.number],
    ] as const;
    for (const [query, id, secret] of asked) {
      const res = await t.gql(query, { id }, 'jincheng');
      expect(res.errors?.[0].extensions.code, query).toBe('FORBIDDEN');
      expect(res.errors?.[0].message, query).toContain('超出您的权限范围');
      expect(res.errors?.[0].message, query).not.toContain(secret);
      // …and names the kind of record refused, the same for a batch read directly and its trace.
      if (query.includes('batch')) expect(res.errors?.[0].message, query).toBe('无权访问：该批次超出您的权限范围');
    }
  });
});

describe('API.md connections: a forged cursor is refused as 分页游标无效', () => {
  const forged = [
    ['movements', `query($after: String) { movements(filter: {}, first: 3, after: $after) { totalCount } }`, ['1 OR 1=1']],
    ['movements', `query($after: String) { movements(filter: {}, first: 3, after: $after) { totalCount } }`, [1e308]],
    ['auditLog', `query($after: String) { auditLog(first: 3, after: $after) { totalCount } }`, ['x']],
    ['incidents', `query($after: String) { incidents(first: 3, after: $after) { totalCount } }`, ['yesterday', 'x']],
    ['stock', `query($after: String) { stock(filter: {}, first: 3, after: $after) { totalCount } }`, ['x', 'y']],
  ] as const;
  it.each(forged)('%s with a cursor of the wrong shape → BAD_USER_INPUT at after, no sqlState', async (list, query, key) => {
    const res = await t.gql(query, { after: encodeCursor(list, [...key]) }, 'admin');
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(res.errors?.[0].message).toContain('分页游标无效');
    expect(res.errors?.[0].extensions.sqlState).toBeUndefined();
  });

  it('a cursor one list gave is refused by another, even with a key of the same shape', async () => {
    const items = await t.gql(`query { items(first: 2) { pageInfo { endCursor } } }`, {}, 'admin');
    const cursor = items.data.items.pageInfo.endCursor;
    for (const query of [
      `query($after: String) { stores(regionCode: "410700", first: 3, after: $after) { totalCount } }`,
      `query($after: String) { users(first: 3, after: $after) { totalCount } }`,
    ]) {
      const res = await t.gql(query, { after: cursor }, 'admin');
      expect(res.errors?.[0].extensions, query).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    const next = await t.gql(`query($after: String) { items(first: 2, after: $after) { edges { node { id } } } }`, { after: cursor }, 'admin');
    expect(next.errors).toBeUndefined();
  });

  it('the cursor a list gave still opens its next page', async () => {
    for (let i = 0; i < 3; i++) ok(await receiveRaw(t, 'keeper', purchase(storeId(WEIHUI_STORE_CODE), [{ itemId: itemId('LIV-001'), quantity: 1 }]), 'id'));
    const first = await t.gql(`query { movements(filter: {}, first: 2) { pageInfo { endCursor } edges { node { id } } } }`, {}, 'admin');
    const next = await t.gql(
      `query($after: String) { movements(filter: {}, first: 2, after: $after) { edges { node { id } } } }`,
      { after: first.data.movements.pageInfo.endCursor },
      'admin',
    );
    expect(next.errors).toBeUndefined();
    expect(next.data.movements.edges[0].node.id).not.toBe(first.data.movements.edges[1].node.id);
  });
});
