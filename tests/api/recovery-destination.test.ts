import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { useTestApp } from '../support/harness.ts';
import {
  COTTON_TENT,
  expectLedgerConsistent,
  JINCHENG,
  key,
  onHandOf,
  QUILT,
  receive,
  TANGZHUANG,
  WEIHUI,
  XINXIANG,
  XINXIANG_COUNTY,
} from '../support/ledger.ts';
import { createIncident, executedPlan, ok, receiveAll } from '../support/relief.ts';
import { expectRefusedUnchanged } from '../support/refusals.ts';

// Sweep 14c HIGH-2 (D23, D24, D30): recoverIncidentStock's `toStoreId` let one dispatcher book good stock counted at a
// 安置点 into any store of their region — 500 of the city's quilts into 辉县市's store, another county's — with no order
// and no second person: a transfer outside a plan without an approved outbound order (D23), on one person's word (D24).
// Good stock goes back to its owner's store (D30): a store named explicitly is accepted only if it is a reserve store of
// the very region whose government owns the batch, or the store it was shipped from, or — goods whose settlement is
// already settled — the owing side's store (README). Anything else: BAD_USER_INPUT at input.toStoreId, nothing booked.

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const HUIXIAN = storeId('S-410782-01'); // 辉县市应急物资储备库 — another county's store
const XINXIANG_COUNTY_ENTRUSTED = storeId('S-410721-02'); // 新乡县救灾物资代储库（七里营）: a reserve store of region 410721
const COMMAND_TENT = itemId('LIV-003'); // 救灾指挥帐篷: held only where this file puts it
const FOLDING_TABLE = itemId('LIV-011'); // 折叠桌椅: no store holds it — a plan for it calls off an agreement
const POINT = { regionCode: '410781100000', lat: 35.3985, lng: 114.065 };
const REFUSAL_TAIL = '；调往其他仓库请另行申请出库（调拨）';

const recover = (planId: string, lines: Record<string, unknown>[] | null, toStoreId?: string) =>
  t.gql(
    `mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`,
    { i: { planId, idempotencyKey: key(), ...(lines ? { lines } : {}), ...(toStoreId ? { toStoreId } : {}) } },
    'dispatcher',
  );

// The refusals above, listed ahead (README 回收清点): the line's store of origin and the stores a count may name.
const listed = async (incidentId: string, batchId: string, user = 'dispatcher') => {
  const lines = ok(
    await t.gql(
      `query($i: ID!) { outstandingRecovery(incidentId: $i) { batch { id } shippedFrom { id } recoveryStores { id kind region { code } } } }`,
      { i: incidentId },
      user,
    ),
  ).outstandingRecovery as any[];
  const line = lines.find((l) => l.batch.id === batchId);
  return { shippedFrom: line.shippedFrom?.id ?? null, stores: line.recoveryStores.map((s: any) => s.id) as string[], rows: line.recoveryStores as any[] };
};

const organizationId = async (name: string) =>
  (await queryRows<{ id: string }>(t.database.db, sql`SELECT id::text FROM organizations WHERE name = ${name}`))[0].id;

describe('D23, D24, D30: the city’s quilts at a 安置点 cannot be booked into another county’s store (sweep 14c HIGH-2)', () => {
  let plan: any;
  let point: string;
  let quilts: string;

  beforeAll(async () => {
    // 新乡市救灾物资储备库's quilts, owned by 新乡市人民政府 (its region's government, the receipt's default owner).
    quilts = (await receive(t, 'admin', XINXIANG, [{ itemId: QUILT, quantity: 600, batchNo: 'RD-XX-MB', expiryDate: '2031-01-01' }])).lines[0].batch.id;
    const incidentId = await createIncident(t, { name: '卫辉市洪涝（回收去向）', affectedPopulation: 2000 });
    plan = await executedPlan(t, incidentId, [{ name: '后河镇中学安置点（回收去向）', ...POINT, lines: [{ itemId: QUILT, quantity: 600 }] }]);
    expect(plan.lines).toEqual([expect.objectContaining({ store: { id: XINXIANG }, batch: expect.objectContaining({ id: quilts }), quantity: 600 })]);
    await receiveAll(t, plan);
    point = plan.lines[0].destination.store.id;
  });

  it('HIGH-2, D23, D24: 500 good into 辉县市应急物资储备库 → BAD_USER_INPUT at input.toStoreId naming the owner; nothing booked, the refusal audited', async () => {
    const message = `棉被（批次 RD-XX-MB）的完好物资须回收到产权单位（新乡市人民政府）的储备库或原调出仓库（新乡市救灾物资储备库）${REFUSAL_TAIL}`;
    const before = { point: await onHandOf(t, point, QUILT), huixian: await onHandOf(t, HUIXIAN, QUILT) };
    await expectRefusedUnchanged(
      t,
      'recoverIncidentStock',
      () => recover(plan.id, [{ batchId: quilts, storeId: point, good: 500 }], HUIXIAN),
      'BAD_USER_INPUT',
      message,
      {
        field: 'input.toStoreId',
        batchId: quilts,
      },
    );
    // Nor 卫辉's township store, a reserve store of the region the 安置点 is in, but not the owner's.
    await expectRefusedUnchanged(
      t,
      'recoverIncidentStock',
      () => recover(plan.id, [{ batchId: quilts, storeId: point, good: 1 }], TANGZHUANG),
      'BAD_USER_INPUT',
      message,
      {
        field: 'input.toStoreId',
      },
    );
    // A damaged line with it changes nothing either: the request is refused whole.
    await expectRefusedUnchanged(
      t,
      'recoverIncidentStock',
      () => recover(plan.id, [{ batchId: quilts, storeId: point, good: 5, damaged: 1 }], HUIXIAN),
      'BAD_USER_INPUT',
      message,
      { field: 'input.toStoreId' },
    );
    expect({ point: await onHandOf(t, point, QUILT), huixian: await onHandOf(t, HUIXIAN, QUILT) }).toEqual(before);
  });

  it('D30: damaged and lost only — no good stock goes anywhere — the store named does not matter', async () => {
    ok(await recover(plan.id, [{ batchId: quilts, storeId: point, damaged: 1 }], HUIXIAN));
    expect(await onHandOf(t, HUIXIAN, QUILT)).toBe(0);
  });

  it('D30: named explicitly, the owner’s store (also the one it was shipped from) takes the good quilts back', async () => {
    const before = await onHandOf(t, XINXIANG, QUILT);
    ok(await recover(plan.id, [{ batchId: quilts, storeId: point, good: 500 }], XINXIANG));
    expect(await onHandOf(t, XINXIANG, QUILT)).toBe(before + 500);
  });
});

describe('D3, D30: owner ≠ holder — the city’s command tents kept in 新乡县’s store', () => {
  let plan: any;
  let point: string;
  let tents: string;
  let incidentId: string;

  beforeAll(async () => {
    // Received into 新乡县's store as 新乡市人民政府's (D3): shipped from 新乡县's store, owned by the city.
    const city = await organizationId('新乡市人民政府');
    tents = (
      await receive(t, 'admin', XINXIANG_COUNTY, [
        { itemId: COMMAND_TENT, quantity: 20, batchNo: 'RD-XXX-ZHZP', expiryDate: '2034-01-01', unitPrice: '1000.00', ownerOrgId: city },
      ])
    ).lines[0].batch.id;
    incidentId = await createIncident(t, { name: '卫辉市洪涝（产权单位回收）', affectedPopulation: 500 });
    plan = await executedPlan(t, incidentId, [{ name: '汲水镇产权回收测试安置点', ...POINT, lines: [{ itemId: COMMAND_TENT, quantity: 20 }] }]);
    expect(plan.lines).toEqual([expect.objectContaining({ store: { id: XINXIANG_COUNTY }, batch: expect.objectContaining({ id: tents }), quantity: 20 })]);
    await receiveAll(t, plan);
    point = plan.lines[0].destination.store.id;
  });

  it('D3, D30: listed — the store they came from first, then the owner’s region’s reserve stores; not another store of the holder’s region, nor a 安置点; none to an auditor', async () => {
    const { shippedFrom, stores, rows } = await listed(incidentId, tents);
    expect(shippedFrom).toBe(XINXIANG_COUNTY);
    expect(stores[0]).toBe(XINXIANG_COUNTY);
    expect(stores).toContain(XINXIANG);
    expect(stores).not.toContain(XINXIANG_COUNTY_ENTRUSTED);
    expect(stores).not.toContain(HUIXIAN);
    expect(stores).not.toContain(point);
    for (const s of rows.slice(1)) expect(s).toMatchObject({ kind: expect.stringMatching(/^(GOVERNMENT|ENTRUSTED)$/), region: { code: '410700000000' } });
    expect(await listed(incidentId, tents, 'auditor')).toMatchObject({ shippedFrom: XINXIANG_COUNTY, stores: [] });
  });

  it('D30: the owner’s store (新乡市救灾物资储备库), not the one they came from, takes them back', async () => {
    ok(await recover(plan.id, [{ batchId: tents, storeId: point, good: 5 }], XINXIANG));
    expect(await onHandOf(t, XINXIANG, COMMAND_TENT)).toBe(5);
  });

  it('D30: the store they were shipped from (新乡县救灾物资储备库), named explicitly, takes them back', async () => {
    const before = await onHandOf(t, XINXIANG_COUNTY, COMMAND_TENT);
    ok(await recover(plan.id, [{ batchId: tents, storeId: point, good: 5 }], XINXIANG_COUNTY));
    expect(await onHandOf(t, XINXIANG_COUNTY, COMMAND_TENT)).toBe(before + 5);
  });

  it('D23, D24: another store of the holder’s region (新乡县’s 代储库) is neither → BAD_USER_INPUT; nothing changes', async () => {
    await expectRefusedUnchanged(
      t,
      'recoverIncidentStock',
      () => recover(plan.id, [{ batchId: tents, storeId: point, good: 5 }], XINXIANG_COUNTY_ENTRUSTED),
      'BAD_USER_INPUT',
      `救灾指挥帐篷（批次 RD-XXX-ZHZP）的完好物资须回收到产权单位（新乡市人民政府）的储备库或原调出仓库（新乡县救灾物资储备库）${REFUSAL_TAIL}`,
      { field: 'input.toStoreId', batchId: tents },
    );
  });

  it('D30: a batch with no government owner on record goes back only where it was shipped from', async () => {
    // As data recorded before owners were: the owner unknown.
    await t.database.db.execute(sql`UPDATE batches SET owner_org_id = NULL WHERE id = ${tents}::uuid`);
    await expectRefusedUnchanged(
      t,
      'recoverIncidentStock',
      () => recover(plan.id, [{ batchId: tents, storeId: point, good: 1 }], XINXIANG),
      'BAD_USER_INPUT',
      `救灾指挥帐篷（批次 RD-XXX-ZHZP）的完好物资须回收到原调出仓库（新乡县救灾物资储备库）${REFUSAL_TAIL}`,
      { field: 'input.toStoreId', batchId: tents },
    );
    const before = await onHandOf(t, XINXIANG_COUNTY, COMMAND_TENT);
    ok(await recover(plan.id, [{ batchId: tents, storeId: point, good: 1 }], XINXIANG_COUNTY));
    expect(await onHandOf(t, XINXIANG_COUNTY, COMMAND_TENT)).toBe(before + 1);
  });
});

describe('D25, D30: a 联储 partner’s tents whose settlement is settled go to the owing side’s store (README), and only then', () => {
  let plan: any;
  let point: string;
  let tents: string;
  let settlementId: string;
  let incidentId: string;

  beforeAll(async () => {
    ok(
      await t.gql(
        `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
        { i: { regionCodes: ['410700', '140500'], validFrom: '2025-01-01', validTo: '2028-12-31', note: '豫晋交界地区应急物资联储联调协议' } },
        'admin',
      ),
    );
    // Only 晋城's store holds cotton tents (owned by 晋城市人民政府): 新乡市's plan uses them and owes 晋城 (D25).
    tents = (await receive(t, 'admin', JINCHENG, [{ itemId: COTTON_TENT, quantity: 50, batchNo: 'RD-JC-MZP', unitPrice: '1280.00', expiryDate: '2034-01-01' }]))
      .lines[0].batch.id;
    incidentId = await createIncident(t, { name: '卫辉市洪涝（联储回收去向）', affectedPopulation: 1000 });
    plan = await executedPlan(t, incidentId, [{ name: '联储回收去向测试安置点', ...POINT, lines: [{ itemId: COTTON_TENT, quantity: 50 }] }]);
    await receiveAll(t, plan);
    point = plan.lines[0].destination.store.id;
    const all = ok(await t.gql(`query { settlements { id status plan { id } owedBy { code } } }`, {}, 'admin')).settlements as any[];
    const [owed] = all.filter((s) => s.plan?.id === plan.id);
    expect(owed).toMatchObject({ status: 'OPEN', owedBy: { code: '410700000000' } });
    settlementId = owed.id;
  });

  it('D23, D30: while the settlement is open, 新乡’s store is not the tents’ owner’s → BAD_USER_INPUT; nothing changes', async () => {
    // Listed: they came from 晋城’s store (the default, out of 新乡’s dispatcher’s scope to name); no store 新乡 may name.
    expect(await listed(incidentId, tents)).toMatchObject({ shippedFrom: JINCHENG, stores: [] });
    await expectRefusedUnchanged(
      t,
      'recoverIncidentStock',
      () => recover(plan.id, [{ batchId: tents, storeId: point, good: 10 }], XINXIANG),
      'BAD_USER_INPUT',
      `棉帐篷（批次 RD-JC-MZP）的完好物资须回收到产权单位（晋城市人民政府）的储备库或原调出仓库（晋城市救灾物资储备库）${REFUSAL_TAIL}`,
      { field: 'input.toStoreId', batchId: tents },
    );
  });

  it('D25, D30: settled, the tents go to 新乡’s store (the owing side’s) — not to another county’s', async () => {
    ok(await t.gql(`mutation($i: SettleInput!) { settle(input: $i) { status } }`, { i: { settlementId, reference: '新乡市归还棉帐篷50顶' } }, 'jincheng'));
    const settled = await listed(incidentId, tents);
    expect(settled.stores).toContain(XINXIANG);
    expect(settled.stores).not.toContain(HUIXIAN);
    await expectRefusedUnchanged(
      t,
      'recoverIncidentStock',
      () => recover(plan.id, [{ batchId: tents, storeId: point, good: 10 }], HUIXIAN),
      'BAD_USER_INPUT',
      `棉帐篷（批次 RD-JC-MZP）的完好物资须回收到产权单位（晋城市人民政府）的储备库或原调出仓库（晋城市救灾物资储备库）或欠款已结清的欠方（新乡市）的储备库${REFUSAL_TAIL}`,
      { field: 'input.toStoreId', batchId: tents },
    );
    ok(await recover(plan.id, [{ batchId: tents, storeId: point, good: 10 }], XINXIANG));
    expect(await onHandOf(t, XINXIANG, COTTON_TENT)).toBe(10);
  });
});

describe('D3, D17, D30: call-off goods, shipped from no store, are the contracting government’s and go to its store', () => {
  let plan: any;
  let point: string;
  let tables: string;
  let incidentId: string;

  beforeAll(async () => {
    await createAgreement(t, {
      companyName: '卫辉市回收去向测试商贸有限公司',
      regionCode: '410781',
      contractNo: 'WH-RD-2026-01',
      lines: [{ itemId: FOLDING_TABLE, quantity: 10, unitPrice: '50.00', responseHours: 2 }],
    });
    incidentId = await createIncident(t, { name: '卫辉市洪涝（调用物资回收）', affectedPopulation: 500 });
    plan = await executedPlan(t, incidentId, [{ name: '调用物资回收测试安置点', ...POINT, lines: [{ itemId: FOLDING_TABLE, quantity: 10 }] }]);
    const full = ok(
      await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { callOffs { id } destinations { store { id } } } }`, { p: plan.id }, 'dispatcher'),
    ).dispatchPlan;
    const receipt = ok(
      await t.gql(
        `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { lines { batch { id } } } }`,
        { i: { callOffId: full.callOffs[0].id, batchNo: 'RD-DY-ZY', productionDate: '2026-07-01', idempotencyKey: key() } },
        // D14, D24 (sweep 19c F6): not the dispatcher who approved the plan alone in the emergency — another person.
        'director',
      ),
    ).confirmCallOffDelivery;
    tables = receipt.lines[0].batch.id;
    point = full.destinations[0].store.id;
  });

  it('D17, D30: listed — shipped from no store; 卫辉市’s reserve stores, not 新乡市’s', async () => {
    const { shippedFrom, stores } = await listed(incidentId, tables);
    expect(shippedFrom).toBeNull();
    expect(stores).toContain(WEIHUI);
    expect(stores).not.toContain(XINXIANG);
  });

  it('D23, D30: into 新乡市’s store → BAD_USER_INPUT naming 卫辉市人民政府 (no store it was shipped from); nothing changes', async () => {
    await expectRefusedUnchanged(
      t,
      'recoverIncidentStock',
      () => recover(plan.id, [{ batchId: tables, storeId: point, good: 4 }], XINXIANG),
      'BAD_USER_INPUT',
      `折叠桌椅（批次 RD-DY-ZY）的完好物资须回收到产权单位（卫辉市人民政府）的储备库${REFUSAL_TAIL}`,
      { field: 'input.toStoreId', batchId: tables },
    );
  });

  it('D30: into 卫辉市救灾物资储备库, the contracting government’s store, they are booked', async () => {
    const before = await onHandOf(t, WEIHUI, FOLDING_TABLE);
    ok(await recover(plan.id, [{ batchId: tables, storeId: point, good: 4 }], WEIHUI));
    expect(await onHandOf(t, WEIHUI, FOLDING_TABLE)).toBe(before + 4);
  });
});
