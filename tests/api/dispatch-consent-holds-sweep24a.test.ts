import { beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { createAgreement } from '../support/agreements.ts';
import { decideRaw, pendingApprovalOf, requestOrderRaw } from '../support/authority.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { receive, stockAt, WEIHUI } from '../support/ledger.ts';
import { createRegionalAdmin } from '../support/regional-admin.ts';
import { createIncident, ok, openPoint } from '../support/relief.ts';

// Sweep 24a (two disasters at once), where plans wait for another jurisdiction's consent (D25, CROSS_REGION_USE).
// F4: approving a plan applies the hold rule the planner applies — what another approved plan holds for its pending
// consent is not claimed twice. F1: a consent is given for the store's stock, batches picked again (D8) when the
// planned one was lent out meanwhile; the lender's outbound order is told what it takes. F6: a refused consent's
// shortfall, asked for again, is not new demand (D28). F3: a shortage caused by a refusal says who refused and why.

const t = useTestApp({ resetClock: true, checkLedger: true });

const YUNCHENG_STORE = storeId('S-140800-01'); // 运城市救灾物资储备库: no 联储 with 新乡, its stock needs 运城's consent
const PLAN = `id status lines { quantity needsConsent consent store { id } batch { batchNo } source { kind name } } shortages { requested planned missing reason }`;

let incidentId: string;
let point: string;

const newItem = async (code: string, name: string) =>
  ok(
    await t.gql(
      `mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`,
      { input: { code, categoryCode: 'LIVING', name, unit: '件' } },
      'admin',
    ),
  ).createItem.id as string;

const request = async (itemId: string, quantity: number, at = point) =>
  ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`,
      { i: { incidentId, deadlineHours: 48, destinations: [{ storeId: at, lines: [{ itemId, quantity }] }] } },
      'dispatcher',
    ),
  ).requestDispatch;
const approveRaw = (planId: string) => t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id status } }`, { p: planId }, 'director');
const readPlan = async (planId: string, as = 'dispatcher') =>
  ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: planId }, as)).dispatchPlan;
const consent = async (planId: string, decision: 'APPROVE' | 'REJECT', extra: Record<string, unknown> = {}) =>
  decideRaw(t, 'admin', await pendingApprovalOf(t, planId, 'CROSS_REGION_USE'), decision, extra);

/** 运城's keeper side lends `quantity` (of `batchId`) against an approved LOAN order (D23); the order's approval summary. */
async function lend(itemId: string, quantity: number, batchId?: string): Promise<string> {
  const lines = [{ itemId, quantity, ...(batchId ? { batchId } : {}) }];
  const order = ok(await requestOrderRaw(t, 'yc_admin24', { storeId: YUNCHENG_STORE, purpose: 'LOAN', recipient: '运城市某单位', lines })).requestOutboundOrder;
  const pending = ok(
    await t.gql(
      `query($f: ApprovalFilter!) { approvals(filter: $f, first: 500) { edges { node { id subjectId summary } } } }`,
      { f: { kind: 'OUTBOUND_ORDER', status: 'PENDING' } },
      'admin',
    ),
  ).approvals.edges.find((e: any) => e.node.subjectId === order.id).node;
  ok(await decideRaw(t, 'yc_second24', pending.id, 'APPROVE'));
  ok(
    await t.gql(
      `mutation($input: IssueStockInput!) { issueStock(input: $input) { id } }`,
      { input: { storeId: YUNCHENG_STORE, orderId: order.id, recipient: '运城市某单位', reason: 'LOAN', idempotencyKey: `s24-loan-${itemId}`, lines } },
      'yc_admin24',
    ),
  );
  return pending.summary;
}

beforeAll(async () => {
  incidentId = await createIncident(
    t,
    { name: '卫辉市洪涝（两灾并发）', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 5000 },
    'admin',
  );
  point = await openPoint(t, incidentId, '汲水镇两灾安置点');
  // 运城's own people for its outbound orders: one requests, the other approves (D24; `admin` created both).
  await createRegionalAdmin(t, 'yc_admin24', '140800');
  await createRegionalAdmin(t, 'yc_second24', '140800');
});

describe('D25 (sweep 24a F4): approval applies the hold rule — what another approved plan awaits consent for is not claimed twice', () => {
  it('D25, D14: two plans proposed on the same stock; the second approval is refused, naming the store and the quantity held; the first consent succeeds', async () => {
    const bag = await newItem('LIV-S24-1', '两灾测试睡袋');
    await receive(t, 'admin', YUNCHENG_STORE, [{ itemId: bag, quantity: 300, batchNo: 'S24-YC-1', expiryDate: '2032-01-01', unitPrice: '100.00' }]);
    const first = await request(bag, 200);
    const second = await request(bag, 200); // proposed plans hold nothing: offered the same stock
    expect(second.lines).toEqual([expect.objectContaining({ quantity: 200, needsConsent: true })]);
    ok(await approveRaw(first.id));
    const refused = await approveRaw(second.id);
    expect(errorCode(refused)).toBe('INSUFFICIENT_STOCK');
    expect(refused.errors![0].message).toContain(
      '运城市救灾物资储备库的「两灾测试睡袋」可用 300 件，其中 200 件 已由其他已批准的方案申请调用、正等待对方辖区同意，本方案需 200 件',
    );
    expect(refused.errors![0].message).toContain('请取消本方案并重新生成');
    expect(refused.errors![0].extensions).toMatchObject({ field: 'planId', requested: 200, available: 100, heldForConsent: 200 });
    expect((await readPlan(second.id)).status).toBe('PROPOSED');
    ok(await consent(first.id, 'APPROVE'));
    expect((await stockAt(t, YUNCHENG_STORE, bag))[0]).toMatchObject({ onHand: 300, reserved: 200 });
  });

  it('D25, D17: another jurisdiction’s agreement reserve likewise — the second approval is refused, naming the company and the quantity held', async () => {
    const pump = await newItem('LIV-S24-2', '两灾测试水泵');
    await createAgreement(t, {
      companyName: '运城市两灾水泵厂',
      regionCode: '140800',
      lines: [{ itemId: pump, quantity: 100, responseHours: 4, unitPrice: '500.00' }],
    });
    const first = await request(pump, 60);
    const second = await request(pump, 60);
    ok(await approveRaw(first.id));
    const refused = await approveRaw(second.id);
    expect(errorCode(refused)).toBe('INSUFFICIENT_STOCK');
    expect(refused.errors![0].message).toContain('运城市两灾水泵厂');
    expect(refused.errors![0].message).toContain('其中 60 件 已由其他已批准的方案申请调用、正等待对方辖区同意');
    ok(await consent(first.id, 'APPROVE'));
  });
});

describe('D25, D8, D23 (sweep 24a F1): stock held for a pending consent, lent out meanwhile', () => {
  it('D8: the consent re-picks the store’s batches, earliest expiry first, when the planned batch was lent out; the plan executes', async () => {
    const cot = await newItem('LIV-S24-3', '两灾测试折叠床');
    await receive(t, 'admin', YUNCHENG_STORE, [
      { itemId: cot, quantity: 100, batchNo: 'S24-YC-A', expiryDate: '2030-01-01', unitPrice: '100.00' },
      { itemId: cot, quantity: 200, batchNo: 'S24-YC-B', expiryDate: '2032-01-01', unitPrice: '100.00' },
    ]);
    const plan = await request(cot, 150);
    expect(plan.lines.map((l: any) => [l.quantity, l.needsConsent])).toEqual([
      [100, true],
      [50, true],
    ]);
    ok(await approveRaw(plan.id));
    const batchA = (await stockAt(t, YUNCHENG_STORE, cot)).find((l: any) => l.batch.batchNo === 'S24-YC-A').batch.id;
    await lend(cot, 60, batchA); // 300 − 60 = 240 ≥ 150 held: the consent can still be given
    ok(await consent(plan.id, 'APPROVE'));
    const after = await readPlan(plan.id, 'admin');
    const byBatch = (lines: any[]) =>
      lines.reduce((m: Record<string, number>, l: any) => ({ ...m, [l.batch.batchNo]: (m[l.batch.batchNo] ?? 0) + l.quantity }), {});
    expect(byBatch(after.lines)).toEqual({ 'S24-YC-A': 40, 'S24-YC-B': 110 });
    expect(after.lines.every((l: any) => l.consent === 'APPROVED')).toBe(true);
    const stock = await stockAt(t, YUNCHENG_STORE, cot);
    expect(stock.map((l: any) => [l.batch.batchNo, l.onHand, l.reserved]).sort()).toEqual([
      ['S24-YC-A', 40, 40],
      ['S24-YC-B', 200, 110],
    ]);
    const executed = ok(
      await t.gql(`mutation($p: ID!) { executeDispatchPlan(planId: $p, idempotencyKey: "s24-f1") { status } }`, { p: plan.id }, 'dispatcher'),
    );
    expect(executed.executeDispatchPlan.status).toBe('EXECUTING');
  });

  it('D23, D25: the lender’s outbound order is told it takes stock held for a pending consent; a consent the store cannot give whole is refused naming the store', async () => {
    const lamp = await newItem('LIV-S24-4', '两灾测试照明灯');
    await receive(t, 'admin', YUNCHENG_STORE, [
      { itemId: lamp, quantity: 100, batchNo: 'S24-YC-C', expiryDate: '2030-01-01', unitPrice: '100.00' },
      { itemId: lamp, quantity: 100, batchNo: 'S24-YC-D', expiryDate: '2032-01-01', unitPrice: '100.00' },
    ]);
    const plan = await request(lamp, 150);
    ok(await approveRaw(plan.id));
    const summary = await lend(lamp, 60);
    expect(summary).toContain('注意：本库两灾测试照明灯 150 件已由已批准的调拨方案申请调用、正等待本区同意');
    const refused = await consent(plan.id, 'APPROVE');
    expect(errorCode(refused)).toBe('INSUFFICIENT_STOCK');
    expect(refused.errors![0].message).toContain('运城市救灾物资储备库的「两灾测试照明灯」现可调用 140 件');
  });
});

describe('D28, D25 (sweep 24a F6, F3): a refused consent’s shortfall asked for again', () => {
  it('D28: counts against what was requested once (basicNeeds and the incident balance alike); D25: the shortage names who refused, and why to whom may read it', async () => {
    const quilt = await newItem('LIV-S24-5', '两灾测试棉被');
    await receive(t, 'admin', WEIHUI, [{ itemId: quilt, quantity: 30, batchNo: 'S24-WH-5', expiryDate: '2032-01-01', unitPrice: '100.00' }]);
    await receive(t, 'admin', YUNCHENG_STORE, [{ itemId: quilt, quantity: 200, batchNo: 'S24-YC-5', expiryDate: '2032-01-01', unitPrice: '100.00' }]);
    const first = await request(quilt, 100);
    expect(first.lines.map((l: any) => [l.quantity, l.needsConsent])).toEqual([
      [30, false],
      [70, true],
    ]);
    ok(await approveRaw(first.id));
    ok(await consent(first.id, 'REJECT', { reason: '本区自用' }));
    // F3: the requester may read the refusal, so is told why; the director, who may not read 运城's approval, who refused.
    expect((await readPlan(first.id)).shortages).toEqual([{ requested: 100, planned: 30, missing: 70, reason: '运城市 拒绝调用 70：本区自用' }]);
    expect((await readPlan(first.id, 'director')).shortages[0].reason).toBe('运城市 拒绝调用 70（未获对方辖区同意）');
    t.clock.advance(0.1); // asked again later (the plans of a 安置点 count in the order requested)
    await request(quilt, 70);
    const read = ok(
      await t.gql(
        `query($i: ID!) { incident(id: $i) { basicNeeds { store { id } item { id } requested } balance { item { id } requested } } }`,
        { i: incidentId },
        'dispatcher',
      ),
    ).incident;
    expect(read.basicNeeds.filter((l: any) => l.item.id === quilt)).toEqual([{ store: { id: point }, item: { id: quilt }, requested: 100 }]);
    expect(read.balance.find((b: any) => b.item.id === quilt).requested).toBe(100);
    // More than the remainder is new need: 30 + 70 planned by the two plans, then 170 asked → 100 + 170 = 270.
    t.clock.advance(0.1);
    await request(quilt, 170);
    const again = ok(await t.gql(`query($i: ID!) { incident(id: $i) { balance { item { id } requested } } }`, { i: incidentId }, 'dispatcher')).incident;
    expect(again.balance.find((b: any) => b.item.id === quilt).requested).toBe(270);
  });
});
