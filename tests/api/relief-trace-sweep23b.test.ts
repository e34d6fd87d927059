import { beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, QUILT, WEIHUI } from '../support/ledger.ts';
import { ok, reverseRaw } from '../support/ledger-ops.ts';
import { openPoint, stockedPoint } from '../support/relief.ts';

// Sweep 23b: a 安置点 edited as any store (F4), a reversed distribution kept on the relief record, marked (F5, D22),
// and one signature slip for one distribution (F8, D29).

const t = useTestApp({ checkLedger: true });

const UPDATE = `mutation($id: ID!, $i: UpdateStoreInput!) { updateStore(id: $id, input: $i) { id name kind address contactName contactPhone operator { name } } }`;

describe('sweep 23b F4 (D2): a 安置点 is edited as any store; the operator rule is the 代储库 and 协议储备库 one', () => {
  let incidentId: string;
  let point: string;
  beforeAll(async () => {
    ({ incidentId } = await stockedPoint(t, '汲水镇F4库存安置点', 'F4-MB'));
    point = await openPoint(t, incidentId, '汲水镇F4编辑安置点');
  });

  it('D2: an administrator corrects a 安置点’s name, address and contact (one without stock and one holding stock)', async () => {
    const edited = ok(
      await t.gql(
        UPDATE,
        { id: point, i: { name: '汲水镇F4编辑安置点（东校区）', address: '汲水镇S23B路 1 号', contactName: '王主任', contactPhone: '0373-4400000' } },
        'admin',
      ),
    ).updateStore;
    expect(edited).toMatchObject({
      name: '汲水镇F4编辑安置点（东校区）',
      kind: 'DISTRIBUTION_POINT',
      address: '汲水镇S23B路 1 号',
      contactName: '王主任',
      contactPhone: '0373-4400000',
      operator: null,
    });
    const stocked = (await queryRows<{ id: string }>(t.database.db, sql`SELECT id::text FROM stores WHERE name = '汲水镇F4库存安置点'`))[0].id;
    expect(ok(await t.gql(UPDATE, { id: stocked, i: { address: '汲水镇中心小学操场' } }, 'admin')).updateStore.address).toBe('汲水镇中心小学操场');
  });

  it('D2: the form sending the 安置点’s own kind back is no change of kind', async () => {
    expect(ok(await t.gql(UPDATE, { id: point, i: { kind: 'DISTRIBUTION_POINT', contactName: '李主任' } }, 'admin')).updateStore).toMatchObject({
      kind: 'DISTRIBUTION_POINT',
      contactName: '李主任',
    });
  });

  it('D30: a 安置点 stays one (INVALID_STATE at input.kind, in words), and no store becomes one (BAD_USER_INPUT at input.kind)', async () => {
    const away = await t.gql(UPDATE, { id: point, i: { kind: 'GOVERNMENT' } }, 'admin');
    expect(errorCode(away)).toBe('INVALID_STATE');
    expect(away.errors![0].extensions.field).toBe('input.kind');
    expect(away.errors![0].message).toContain('是安置点，不能改为其他类型');
    const into = await t.gql(UPDATE, { id: WEIHUI, i: { kind: 'DISTRIBUTION_POINT' } }, 'admin');
    expect(errorCode(into)).toBe('BAD_USER_INPUT');
    expect(into.errors![0].extensions.field).toBe('input.kind');
    expect(into.errors![0].message).toContain('不是安置点，不能改为安置点');
    expect(into.errors![0].message).not.toContain('运营企业');
    const still = ok(await t.gql(`query($id: ID!) { store(id: $id) { kind } }`, { id: WEIHUI }, 'admin')).store;
    expect(still.kind).toBe('GOVERNMENT');
  });

  // Was ['dispatcher', 'keeper']: since sweep 23b's note (D29) the dispatcher whose region covers a 安置点 corrects its
  // name, address and contact (tests/api/distribution-point-edit.test.ts); another region's dispatcher does not.
  it.each(['jincheng', 'keeper'])('a 安置点 is edited by administrators and its region’s dispatchers (%s → FORBIDDEN, unchanged)', async (user) => {
    const res = await t.gql(UPDATE, { id: point, i: { address: '不应保存的地址' } }, user);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(ok(await t.gql(`query($id: ID!) { store(id: $id) { address } }`, { id: point }, 'admin')).store.address).toBe('汲水镇S23B路 1 号');
  });
});

/** What distributeRelief answers here: the fields of before sweep 23b (F8's refusals are shown on the old schema too). */
const POSTED = `id number signatureRef household { headName }`;
const DISTRIBUTION = `${POSTED} status reversalReason reversedBy { id number note status reverses { number } }`;

describe('sweep 23b F5, F8 (D22, D29): a reversed distribution stays on the record, marked; one slip, one distribution', () => {
  let at: { incidentId: string; point: string };
  beforeAll(async () => {
    at = await stockedPoint(t, '汲水镇F5发放安置点', 'F5-MB');
  });

  const distribute = (headName: string, quantity: number, signatureRef: string | null, idempotencyKey = key(), incidentId = at.incidentId, point = at.point) =>
    t.gql(
      `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { ${POSTED} } }`,
      {
        i: {
          storeId: point,
          incidentId,
          household: { headName, size: 4, address: `汲水镇${headName}家` },
          lines: [{ itemId: QUILT, quantity }],
          signatureRef,
          idempotencyKey,
        },
      },
      'keeper',
    );
  const listed = async (filter: Record<string, unknown> = {}) =>
    ok(
      await t.gql(
        `query($f: DistributionFilter!) { distributions(filter: $f, first: 50) { totalCount edges { node { ${DISTRIBUTION} } } } }`,
        { f: { incidentId: at.incidentId, ...filter } },
        'dispatcher',
      ),
    ).distributions;
  const quiltBalance = async () =>
    ok(
      await t.gql(
        `query($id: ID!) { incident(id: $id) { householdsServed balance { item { id } distributed households } } }`,
        { id: at.incidentId },
        'dispatcher',
      ),
    ).incident;
  const documents = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM documents`))[0].n);

  let reversed: any;
  let standing: any;

  it('D22: a distribution reversed (approved) is still listed, marked REVERSED with its 冲销单’s number and reason; the other stands', async () => {
    reversed = ok(await distribute('李测试', 4, 'F5-QS-1')).distributeRelief;
    standing = ok(await distribute('赵测试', 2, 'F5-QS-2')).distributeRelief;
    expect((await listed()).edges.map((e: any) => e.node)).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: reversed.id, status: 'POSTED', reversedBy: null, reversalReason: null })]),
    );
    const reversal = ok(await reverseRaw(t, 'keeper', reversed.id)).reverseDocument;
    const list = await listed();
    expect(list.totalCount).toBe(2);
    const byId = new Map(list.edges.map((e: any) => [e.node.id, e.node]));
    expect(byId.get(standing.id)).toMatchObject({ status: 'POSTED', reversedBy: null, reversalReason: null });
    expect(byId.get(reversed.id)).toMatchObject({
      number: reversed.number,
      status: 'REVERSED',
      reversalReason: '录入错误',
      household: { headName: '李测试' },
      reversedBy: { note: '录入错误', status: 'POSTED', reverses: { number: reversed.number } },
    });
    expect((byId.get(reversed.id) as any).reversedBy).toMatchObject({ id: reversal.id, number: reversal.number });
    expect(reversal.number).toMatch(/^CX-/);
  });

  it('D22: filter.status keeps the list to the distributions that stand, or to the reversed ones', async () => {
    expect((await listed({ status: ['POSTED'] })).edges.map((e: any) => e.node.id)).toEqual([standing.id]);
    expect((await listed({ status: ['REVERSED'] })).edges.map((e: any) => e.node.id)).toEqual([reversed.id]);
    expect((await listed({ status: [] })).totalCount).toBe(2);
  });

  it('D18, D22: the batch trace lists the reversed distribution, marked; households reached and the incident balance count what stands', async () => {
    const batchId = (await queryRows<{ id: string }>(t.database.db, sql`SELECT id::text FROM batches WHERE batch_no = 'F5-MB'`))[0].id;
    const trace = ok(
      await t.gql(
        `query($b: ID!) { batchTrace(batchId: $b) { householdsReached distributions { quantity status distribution { id } } } }`,
        { b: batchId },
        'dispatcher',
      ),
    ).batchTrace;
    expect(trace.householdsReached).toBe(1);
    // Both at the fixed clock's instant: in the trace's order of time, then id — compared here by status.
    const byStatus = (a: { status: string }, b: { status: string }) => b.status.localeCompare(a.status);
    expect(trace.distributions.sort(byStatus).map((d: any) => [d.distribution.id, d.status, d.quantity])).toEqual([
      [reversed.id, 'REVERSED', 4],
      [standing.id, 'POSTED', 2],
    ]);
    // The auditor reads the marks, not the households (D29).
    const forAuditor = ok(
      await t.gql(`query($b: ID!) { batchTrace(batchId: $b) { distributions { status distribution { id } } } }`, { b: batchId }, 'auditor'),
    ).batchTrace;
    expect(forAuditor.distributions.sort(byStatus)).toEqual([
      { status: 'REVERSED', distribution: null },
      { status: 'POSTED', distribution: null },
    ]);
    // Balances keep their meaning: what was handed out and stands.
    const incident = await quiltBalance();
    expect(incident.householdsServed).toBe(1);
    expect(incident.balance.find((b: any) => b.item.id === QUILT)).toMatchObject({ distributed: 2, households: 1 });
  });

  it('D29: a second distribution under the same 签收凭证号 is refused at input.signatureRef, naming the first’s number; nothing posted', async () => {
    const before = await documents();
    for (const ref of ['F5-QS-2', ' f5-qs-2 ', 'Ｆ５－ＱＳ－２']) {
      const again = await distribute('孙测试', 1, ref);
      expect(errorCode(again)).toBe('BAD_USER_INPUT');
      expect(again.errors![0].extensions.field).toBe('input.signatureRef');
      expect(again.errors![0].message).toContain(standing.number);
      expect(again.errors![0].message).toContain('签收凭证号');
    }
    // The same household again under its own slip's number is no new slip either.
    expect(errorCode(await distribute('赵测试', 1, 'F5-QS-2'))).toBe('BAD_USER_INPUT');
    expect(await documents()).toBe(before);
    expect((await listed()).totalCount).toBe(2);
  });

  it('D29, API.md: an idempotent replay answers the first result; the same key with another slip is IDEMPOTENCY_CONFLICT', async () => {
    const k = key();
    const first = ok(await distribute('周测试', 1, 'F5-QS-3', k)).distributeRelief;
    const replay = ok(await distribute('周测试', 1, 'F5-QS-3', k)).distributeRelief;
    expect(replay).toEqual(first);
    expect(errorCode(await distribute('周测试', 1, 'F5-QS-4', k))).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('D22, D29: the slip of a reversed distribution is free again — the hand-out recorded anew cites it', async () => {
    const anew = ok(await distribute('李测试', 3, 'F5-QS-1')).distributeRelief;
    expect(anew).toMatchObject({ household: { headName: '李测试' }, signatureRef: 'F5-QS-1' });
  });

  it('D29: a slip number is the incident’s: another incident’s distribution may carry the same one', async () => {
    const other = await stockedPoint(t, '汲水镇F8另一事件安置点', 'F8-MB');
    const res = ok(await distribute('钱测试', 1, 'F5-QS-2', key(), other.incidentId, other.point)).distributeRelief;
    expect(res.signatureRef).toBe('F5-QS-2');
  });

  it('D29: two households given one slip at once — one is posted, the other refused', async () => {
    const results = await Promise.all([distribute('吴测试', 1, 'F5-QS-RACE'), distribute('郑测试', 1, 'F5-QS-RACE')]);
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.map((r) => (r.errors ? errorCode(r) : 'OK')).sort()).toEqual(['BAD_USER_INPUT', 'OK']);
    await expectLedgerConsistent(t);
  });
});
