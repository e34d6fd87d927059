import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { errorCode, NOW, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, receive } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';

// Sweep of the reserves (findings-reserves.md #3, #6, #7): capacity reserves (产能储备) are promised only once
// (D6, D17); quotas, gaps and the floor count reserve stores only (D6, D19); township coverage leaves expired batches
// and non-reserve stores out (D19, D26). One database for the file: each scenario uses its own items.

const t = useTestApp();
afterEach(() => t.clock.set(NOW));
afterEach(() => expectLedgerConsistent(t));

const TABLE = itemId('LIV-011'); // 折叠桌椅 — capacity only, nobody holds it
const LAMP = itemId('LIV-015'); // 场地照明灯 — expired at a township store
const TANGZHUANG_TOWNSHIP = '410781100000';
const TAIGONG = storeId('S-410781101-01'); // 卫辉市太公镇 township store (GOVERNMENT)
const TAIGONG_TOWNSHIP = '410781101000';
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库 (AGREEMENT)
const POINT = { name: '唐庄镇中学安置点', regionCode: TANGZHUANG_TOWNSHIP, lat: 35.45, lng: 113.97 };

const PLAN = `id status lines { tier quantity etaHours source { kind agreement { id } } }
  shortages { missing } callOffs { id status quantity agreement { id } } destinations { store { id kind } }`;
const input = (quantity: number, item = TABLE) => ({ incidentId, destinations: [{ ...POINT, lines: [{ itemId: item, quantity }] }] });
const suggest = async (quantity: number) =>
  ok(await t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${PLAN} } }`, { i: input(quantity) }, 'dispatcher')).suggestDispatchPlan;
const request = async (quantity: number) =>
  ok(await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`, { i: input(quantity) }, 'dispatcher')).requestDispatch;
const approve = (planId: string) => t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { ${PLAN} } }`, { p: planId }, 'director');
const execute = async (planId: string) =>
  ok(await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: planId, k: key() }, 'dispatcher'))
    .executeDispatchPlan;
const capacityOf = (plan: any, agreement: string) =>
  plan.lines.filter((l: any) => l.tier === 'CAPACITY' && l.source.agreement.id === agreement).reduce((s: number, l: any) => s + l.quantity, 0);

const GAP_FIELDS = `item { id } store { id } region { code } quota available physical gap`;
const gaps = async (regionCode: string) =>
  ok(await t.gql(`query($r: String!) { reserveGaps(regionCode: $r) { ${GAP_FIELDS} } }`, { r: regionCode }, 'admin')).reserveGaps as any[];
const floor = async (regionCode: string) =>
  ok(
    await t.gql(
      `query($r: String!) { reserveFloor(regionCode: $r) { region { code } share lines { item { id } physical quota } } }`,
      { r: regionCode },
      'admin',
    ),
  ).reserveFloor as any[];
const coverage = async (regionCode: string) =>
  (
    ok(
      await t.gql(`query($r: String!) { coverage(regionCode: $r) { region { code } categoriesHeld kindsHeld missingCategories } }`, { r: regionCode }, 'admin'),
    ).coverage as any[]
  ).find((c) => c.region.code === regionCode);
const upsertQuota = (i: Record<string, unknown>) => t.gql(`mutation($i: QuotaInput!) { upsertQuota(input: $i) { id quantity } }`, { i }, 'admin');
const quotaCount = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM quotas`))[0].n);

let incidentId: string;
let factory: string; // 10 a day, no lead time: 30 over the 3-day horizon

beforeAll(async () => {
  incidentId = ok(
    await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      {
        i: { name: '卫辉市唐庄镇洪涝', type: 'FLOOD', regionCode: '410781', location: { lat: 35.45, lng: 113.97 }, affectedPopulation: 800, responseLevel: 3 },
      },
      'dispatcher',
    ),
  ).createIncident.id;
  factory = await createAgreement(t, {
    mode: 'CAPACITY',
    companyName: '卫辉市产能测试家具厂',
    regionCode: '410781',
    lines: [{ itemId: TABLE, dailyCapacity: 10, leadDays: 0, unitPrice: '120.00' }],
  });
});

describe('D6/D17: a capacity reserve is promised once — approved plans and undelivered production orders occupy it', () => {
  let firstPlan: any;

  it('D17: the planner offers 10 a day over the horizon; an approved plan takes the first days, a second plan gets what is left, later', async () => {
    const fresh = await suggest(100);
    expect(capacityOf(fresh, factory)).toBe(30);
    firstPlan = await request(15);
    expect(capacityOf(firstPlan, factory)).toBe(15);
    ok(await approve(firstPlan.id));
    const next = await suggest(100);
    expect(capacityOf(next, factory)).toBe(15); // 30 − 15 promised
    // The 15 ordered take day 1 and half of day 2: what is left is made on days 2 and 3, so it arrives after day 3's output.
    const last = Math.max(...next.lines.filter((l: any) => l.tier === 'CAPACITY').map((l: any) => l.etaHours));
    expect(last).toBeGreaterThan(72);
    expect(Math.max(...firstPlan.lines.map((l: any) => l.etaHours))).toBeLessThan(last);
  });

  it('D17: an issued, undelivered production order occupies the capacity; two plans offered the same capacity — the second approval is refused', async () => {
    const executed = await execute(firstPlan.id);
    expect(executed.callOffs).toMatchObject([{ status: 'ISSUED', quantity: 15, agreement: { id: factory } }]);
    expect(capacityOf(await suggest(100), factory)).toBe(15);
    const a = await request(15);
    const b = await request(15);
    expect(capacityOf(a, factory)).toBe(15);
    expect(capacityOf(b, factory)).toBe(15);
    ok(await approve(a.id));
    expect(capacityOf(await suggest(100), factory)).toBe(0);
    const refused = await approve(b.id);
    expect(errorCode(refused)).toBe('INSUFFICIENT_STOCK');
    // Sweep 22c F6: a refusal writes each quantity with the item's unit (quantityText), as every other message does.
    expect(refused.errors![0].message).toMatch(/产能储备（卫辉市产能测试家具厂）.*尚可生产 0 套.*本方案需 15 套/);
    expect(refused.errors![0].extensions).toMatchObject({ field: 'planId', agreementId: factory, requested: 15, available: 0 });
    const [row] = await queryRows<{ status: string }>(t.database.db, sql`SELECT status FROM dispatch_plans WHERE id = ${b.id}::uuid`);
    expect(row.status).toBe('PROPOSED'); // the refusal changed nothing
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "产能不足") { id } }`, { p: b.id }, 'dispatcher'));
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "测试结束") { id } }`, { p: a.id }, 'dispatcher'));
  });

  it('D17: a delivered production order frees the capacity it occupied', async () => {
    const [{ id }] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM call_offs WHERE plan_id = ${firstPlan.id}::uuid`);
    ok(
      await t.gql(
        `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id } }`,
        { i: { callOffId: id, batchNo: 'CAP-ZZY-1', productionDate: '2026-07-19', idempotencyKey: key() } },
        'dispatcher',
      ),
    );
    expect(capacityOf(await suggest(100), factory)).toBe(30);
  });
});

describe('D6/D19: quotas, gaps and the floor count reserve stores only — not 安置点, not agreement companies’ stores', () => {
  it('D19: the 15 delivered to a 安置点 do not meet the township’s quota, nor count as government physical stock (D6)', async () => {
    ok(await upsertQuota({ itemId: TABLE, regionCode: TANGZHUANG_TOWNSHIP, quantity: 10 }));
    const [point] = await queryRows<{ on_hand: number }>(
      t.database.db,
      sql`SELECT sum(bal.on_hand)::int AS on_hand FROM balances bal JOIN stores s ON s.id = bal.store_id
           WHERE s.kind = 'DISTRIBUTION_POINT' AND bal.item_id = ${TABLE}::uuid`,
    );
    expect(Number(point.on_hand)).toBe(15); // the relief stock is there, waiting for households
    const line = (await gaps(TANGZHUANG_TOWNSHIP)).find((g) => g.item.id === TABLE && g.region?.code === TANGZHUANG_TOWNSHIP);
    expect(line).toMatchObject({ quota: 10, available: 0, physical: 0, gap: 10 });
    const township = (await floor(TANGZHUANG_TOWNSHIP)).find((f) => f.region.code === TANGZHUANG_TOWNSHIP);
    expect(township.lines.find((l: any) => l.item.id === TABLE)).toMatchObject({ physical: 0, quota: 10 });
  });

  it('D19: a store quota on a 安置点 or an agreement company’s store is refused (BAD_USER_INPUT at input.storeId); nothing is written', async () => {
    const [{ id: pointId }] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM stores WHERE kind = 'DISTRIBUTION_POINT' LIMIT 1`);
    const before = await quotaCount();
    for (const store of [pointId, AGREEMENT_STORE]) {
      const res = await upsertQuota({ itemId: TABLE, storeId: store, quantity: 5 });
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions).toMatchObject({ field: 'input.storeId' });
      expect(res.errors![0].message).toMatch(/不能设储备定额/);
    }
    expect(await quotaCount()).toBe(before);
    ok(await upsertQuota({ itemId: TABLE, storeId: TAIGONG, quantity: 5 })); // a reserve store takes one
    expect(await quotaCount()).toBe(before + 1);
  });
});

describe('D19/D26: township coverage counts usable reserve stock only', () => {
  it('D19: stock at a 安置点 adds no kind to its township’s coverage', async () => {
    const tables = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(*)::int AS n FROM balances bal JOIN stores s ON s.id = bal.store_id
           WHERE s.region_code LIKE '410781100%' AND s.kind IN ('GOVERNMENT', 'ENTRUSTED') AND bal.item_id = ${TABLE}::uuid AND bal.on_hand > 0`,
    );
    expect(Number(tables[0].n)).toBe(0);
    const kinds = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT count(DISTINCT bal.item_id)::int AS n FROM balances bal JOIN stores s ON s.id = bal.store_id JOIN batches b ON b.id = bal.batch_id
           WHERE s.region_code LIKE '410781100%' AND s.kind IN ('GOVERNMENT', 'ENTRUSTED') AND bal.on_hand > 0
             AND (b.expiry_date IS NULL OR b.expiry_date >= '2026-07-20')`,
    );
    expect((await coverage(TANGZHUANG_TOWNSHIP)).kindsHeld).toBe(Number(kinds[0].n));
  });

  it('D26: a batch that expired is frozen and covers nothing — its kind and category leave the township’s coverage', async () => {
    const before = await coverage(TAIGONG_TOWNSHIP);
    await receive(t, 'admin', TAIGONG, [
      { itemId: LAMP, quantity: 10, batchNo: 'EXP-LAMP-0721', productionDate: '2024-07-21', expiryDate: '2026-07-21', unitPrice: '800.00' },
    ]);
    const stocked = await coverage(TAIGONG_TOWNSHIP);
    expect(stocked.kindsHeld).toBe(before.kindsHeld + 1);
    t.clock.set('2026-07-21T02:00:00Z'); // 2026-07-21 China: its expiry date, its last usable day — still covered
    expect((await coverage(TAIGONG_TOWNSHIP)).kindsHeld).toBe(before.kindsHeld + 1);
    t.clock.set('2026-07-22T02:00:00Z'); // 2026-07-22 China: past its expiry date, expired
    const expired = await coverage(TAIGONG_TOWNSHIP);
    expect(expired.kindsHeld).toBe(before.kindsHeld);
    expect(expired).toMatchObject({ categoriesHeld: before.categoriesHeld, missingCategories: before.missingCategories });
  });
});
