import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { seedDemoReserves } from '../../seeds/demo-reserves.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { expectLedgerConsistent, key, receive } from '../support/ledger.ts';

// Sweep 18a F14 (D3 owner ≠ holder; D6/D17 a company's own stock is used only through its agreement's call-off; D23
// "company-owned stock in a company's own store is the company's business"). A company's own batch (协议储备) received
// at the 代储库 it operates was loaded by the planner as a store source — the store is ENTRUSTED — and planned, approved
// and shipped as the county's government stock: no call-off, no price, nothing owed. It was also listed to 联储 partners
// by neighbourStock, while reserveGaps counted none of it. Store sources are government batches only, by the one rule
// of company-owned stock (companyOwnedSql) that valuation, the stock export and reserveGaps read; a plan made before that
// which names such a batch is refused at approval and execution (assertGovernmentStock).

const t = useTestApp();

const ENTRUSTED_STORE = storeId('S-410721-02'); // 新乡县救灾物资代储库（七里营）, operated by 新乡县中原物流仓储有限公司
const WOODEN_STAKE = itemId('FLD-007'); // 木桩: no demo stock anywhere, so the only sources are this test's
const POINT = { name: '七里营镇安置点', regionCode: '410721103000', lat: 35.14, lng: 113.87 };

const PLAN = `id status lines { tier quantity reason batch { id batchNo } store { id } transfer { id } }
  shortages { requested planned missing } callOffs { id }`;

const ok = <T = any>(res: GqlResult<T>): T => {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
};

let incidentId = '';
let companyBatchId = '';
let governmentBatchId = '';

const destination = (quantity: number) => ({ ...POINT, lines: [{ itemId: WOODEN_STAKE, quantity }] });
const suggest = async (quantity: number) =>
  ok(
    await t.gql(
      `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${PLAN} } }`,
      { i: { incidentId, destinations: [destination(quantity)] } },
      'dispatcher',
    ),
  ).suggestDispatchPlan;
const request = async (quantity: number) =>
  ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`,
      { i: { incidentId, destinations: [destination(quantity)] } },
      'dispatcher',
    ),
  ).requestDispatch;
const approve = (planId: string) =>
  t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: false, approvalRef: "新应急〔2026〕18号") { ${PLAN} } }`, { p: planId }, 'director');
const execute = (planId: string) =>
  t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: planId, k: key() }, 'dispatcher');
const cancel = (planId: string) => t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "测试结束") { id } }`, { p: planId }, 'dispatcher');
const balanceOf = async (batchId: string) =>
  (
    await queryRows<{ on_hand: number; reserved: number }>(
      t.database.db,
      sql`SELECT on_hand, reserved FROM balances WHERE store_id = ${ENTRUSTED_STORE}::uuid AND batch_id = ${batchId}::uuid`,
    )
  ).map((r) => ({ onHand: Number(r.on_hand), reserved: Number(r.reserved) }))[0];
/** A plan made before company batches were left out of planning: its store line names the company's batch. */
const nameCompanyBatch = (planId: string) =>
  t.database.db.execute(sql`UPDATE dispatch_lines SET batch_id = ${companyBatchId}::uuid WHERE plan_id = ${planId}::uuid AND source_kind = 'STORE'`);

beforeAll(async () => {
  await seedDemoReserves(t.database.db, t.clock); // the 新乡–晋城 联储 agreement (every item)
  const [{ operator }] = await queryRows<{ operator: string }>(
    t.database.db,
    sql`SELECT operator_org_id::text AS operator FROM stores WHERE id = ${ENTRUSTED_STORE}::uuid`,
  );
  // The operating company's own 木桩 (owner the company: 协议储备), then the government's (企业代储) in the same store.
  const own = await receive(
    t,
    'admin',
    ENTRUSTED_STORE,
    [{ itemId: WOODEN_STAKE, quantity: 7, batchNo: 'F14-OWN', unitPrice: '35.00', fundingSource: 'ENTERPRISE', ownerOrgId: operator }],
    { reference: 'HT-OWN-1' },
  );
  companyBatchId = own.lines[0].batch.id;
  const gov = await receive(t, 'admin', ENTRUSTED_STORE, [{ itemId: WOODEN_STAKE, quantity: 3, batchNo: 'F14-GOV', unitPrice: '35.00' }]);
  governmentBatchId = gov.lines[0].batch.id;
  const [modes] = await queryRows<{ own: string; gov: string }>(
    t.database.db,
    sql`SELECT (SELECT reserve_mode::text FROM batches WHERE id = ${companyBatchId}::uuid) AS own,
               (SELECT reserve_mode::text FROM batches WHERE id = ${governmentBatchId}::uuid) AS gov`,
  );
  expect(modes).toEqual({ own: 'AGREEMENT', gov: 'ENTRUSTED' });
  incidentId = ok(
    await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      { i: { name: '新乡县洪涝（F14）', type: 'FLOOD', regionCode: '410721', location: { lat: 35.14, lng: 113.87 }, affectedPopulation: 3000 } },
      'dispatcher',
    ),
  ).createIncident.id;
});

describe('sweep 18a F14 (D3, D6/D17, D23): a company’s own stock in its 代储库 is no store source of a plan', () => {
  it('D3, D17: the planner takes the government’s 3 at the 代储库 and none of the company’s 7 — the rest is a shortage', async () => {
    const plan = await suggest(10);
    expect(plan.lines.map((l: any) => [l.batch?.batchNo, l.quantity, l.tier])).toEqual([['F14-GOV', 3, 'LOCAL']]);
    expect(plan.shortages).toEqual([{ requested: 10, planned: 3, missing: 7 }]);
    expect(plan.callOffs).toEqual([]);
  });

  it('D20, D25: a 联储 partner sees only the government’s stock there, not the company’s 7', async () => {
    const lines = ok(await t.gql(`query($i: ID!) { neighbourStock(itemId: $i) { store { id } available } }`, { i: WOODEN_STAKE }, 'jincheng')).neighbourStock;
    expect(lines).toEqual([{ store: { id: ENTRUSTED_STORE }, available: 3 }]);
  });

  it('D23: a plan that names the company’s batch (made before) is refused at approval; nothing is reserved', async () => {
    const plan = await request(3);
    await nameCompanyBatch(plan.id);
    const res = await approve(plan.id);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].message).toContain('F14-OWN');
    expect(res.errors![0].message).toContain('企业自有的协议储备');
    expect(res.errors![0].extensions.lineNos).toEqual([1]);
    expect(await balanceOf(companyBatchId)).toEqual({ onHand: 7, reserved: 0 });
    expect(await balanceOf(governmentBatchId)).toEqual({ onHand: 3, reserved: 0 });
    ok(await cancel(plan.id));
  });

  it('D23: an approved plan whose line names the company’s batch is refused at execution; nothing ships', async () => {
    const plan = await request(3);
    expect(ok(await approve(plan.id)).approveDispatchPlan.status).toBe('APPROVED');
    await nameCompanyBatch(plan.id);
    const res = await execute(plan.id);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].message).toContain('F14-OWN');
    expect((await balanceOf(companyBatchId)).onHand).toBe(7);
    const [{ n }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM transfers WHERE dispatch_plan_id = ${plan.id}::uuid`);
    expect(n).toBe(0);
    // Back to the batch it was approved with (the reservation is the government's), so that the ledger check holds.
    await t.database.db.execute(sql`UPDATE dispatch_lines SET batch_id = ${governmentBatchId}::uuid WHERE plan_id = ${plan.id}::uuid`);
    ok(await cancel(plan.id));
    await expectLedgerConsistent(t);
  });
});
