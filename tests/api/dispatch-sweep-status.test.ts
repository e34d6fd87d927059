import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { itemId } from '../../seeds/reference.ts';
import { publishPlanStatus } from '../../server/dispatch/events.ts';
import { listenToPlanStatus, planStatusStream, until } from '../support/plan-status-stream.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { createIncident } from '../support/relief.ts';
import { expectLedgerConsistent, key, onHandOf, receive, WEIHUI, XINXIANG_COUNTY } from '../support/ledger.ts';
import { cancelTransferRaw, ok } from '../support/ledger-ops.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';

// Dispatch sweep fixes: live plan status told after commit and in commit order (D18), a cancelled shipment completes its
// plan, a settled settlement refuses its shipment's cancellation (D25), instants in errors in China time, a rejected
// written approval shown on its plan and submitted again (D14), subscriptions over POST only (API.md "The edge").

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const FOLDING_BED = itemId('LIV-010'); // 折叠床: shipments from 新乡县 (settlements owed)
const TENT = itemId('LIV-001'); // emergency plan (written approval)
const JISHUI = { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065 };
const FIELDS = `id status emergency writtenApprovalRef lines { store { id } quantity transfer { id } } shortages { missing }`;

let incidentId: string;
let round = 0;

beforeAll(async () => {
  incidentId = await createIncident(t, { name: '卫辉市调度复核', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } }, 'dispatcher');
});

const requestDispatch = async (lines: { itemId: string; quantity: number }[]) =>
  ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${FIELDS} } }`,
      { i: { incidentId, deadlineHours: 48, destinations: [{ ...JISHUI, lines }] } },
      'dispatcher',
    ),
  ).requestDispatch;
const approve = (planId: string, as = 'director', emergency = false) =>
  t.gql(`mutation($p: ID!, $e: Boolean) { approveDispatchPlan(planId: $p, emergency: $e) { ${FIELDS} } }`, { p: planId, e: emergency }, as);
const execute = (planId: string) =>
  t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${FIELDS} } }`, { p: planId, k: key() }, 'dispatcher');
const planById = async (planId: string, fields = FIELDS) =>
  ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${fields} } }`, { p: planId }, 'dispatcher')).dispatchPlan;
const WRITTEN = `${FIELDS} writtenApproval { status reason }`;

/** 15 folding beds from 新乡县's store to 卫辉 (nothing of its own): executed, one shipment, a settlement owed to 新乡县. */
async function countyShipment() {
  round += 1;
  await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: FOLDING_BED, quantity: 15, batchNo: `SW-FB-${round}`, unitPrice: '120.00', expiryDate: '2032-01-01' }]);
  const plan = await requestDispatch([{ itemId: FOLDING_BED, quantity: 15 }]);
  ok(await approve(plan.id));
  const done = ok(await execute(plan.id)).executeDispatchPlan;
  expect(done.status).toBe('EXECUTING');
  const line = done.lines.find((l: any) => l.store.id === XINXIANG_COUNTY);
  expect(line.quantity).toBe(15);
  return { planId: plan.id as string, transferId: line.transfer.id as string };
}

const settlementOf = async (planId: string) =>
  ok(await t.gql(`query { settlements { id status quantity value reference plan { id } } }`, {}, 'admin')).settlements.find((s: any) => s.plan?.id === planId);

describe('D18: live plan status is told after commit, in commit order', () => {
  it('a change is told only once its outermost transaction commits; a rolled-back one (or savepoint) never', async () => {
    const planId = '00000000-0000-4000-8000-000000000001';
    const sub = listenToPlanStatus(planId);
    await new Promise((r) => setImmediate(r));
    await t.database.db.transaction(async (tx) => {
      await publishPlanStatus(tx, planId, 'EXECUTING');
      await tx
        .transaction(async (sp) => {
          await publishPlanStatus(sp, planId, 'PHANTOM');
          throw new Error('savepoint rolled back');
        })
        .catch(() => undefined);
      await tx.transaction(async (sp) => publishPlanStatus(sp, planId, 'COMPLETED'));
      await new Promise((r) => setTimeout(r, 50));
      expect(sub.heard).toEqual([]); // not before the commit
    });
    await t.database.db
      .transaction(async (tx) => {
        await publishPlanStatus(tx, planId, 'ROLLED_BACK');
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    await publishPlanStatus(t.database.db, planId, 'LAST'); // outside a transaction: told at once
    await until(sub.heard, 'LAST');
    await sub.stop();
    expect(sub.heard).toEqual(['EXECUTING', 'COMPLETED', 'LAST']);
  });

  it('D14: a plan with nothing to ship (all shortage) is not approved: INVALID_STATE, nothing changes', async () => {
    const plan = await requestDispatch([{ itemId: itemId('LIV-003'), quantity: 10 }]);
    expect(plan.lines).toEqual([]);
    for (const emergency of [false, true]) {
      const res = await approve(plan.id, emergency ? 'dispatcher' : 'director', emergency);
      expect(errorCode(res)).toBe('INVALID_STATE');
      expect(res.errors![0].message).toContain('没有可调运的物资');
    }
    expect((await planById(plan.id)).status).toBe('PROPOSED');
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "无物资可调") { id } }`, { p: plan.id }, 'dispatcher'));
  });

  it('D18 over SSE (POST): a shipment cancelled leaves its plan EXECUTING (to ship again); closed short by the dispatcher, the stream ends on COMPLETED', async () => {
    const { planId, transferId } = await countyShipment();
    const server = t.app.listen(0);
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 8000);
    try {
      const stream = await planStatusStream(`http://127.0.0.1:${port}/graphql`, planId, await t.token('dispatcher'), abort.signal);
      expect(stream.res.status).toBe(200);
      expect(await stream.readUntil((s) => s.length > 0)).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      ok(await cancelTransferRaw(t, 'admin', transferId));
      expect((await planById(planId)).status).toBe('EXECUTING');
      const closed = ok(
        await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "折叠床已另行调配，不再补发") { status } }`, { p: planId }, 'dispatcher'),
      );
      expect(closed.cancelDispatchPlan.status).toBe('COMPLETED');
      expect(await stream.readUntil((s) => s.includes('"status":"COMPLETED"'))).toBe(true);
      await stream.close();
    } finally {
      clearTimeout(timer);
      abort.abort();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r(undefined)));
    }
    expect((await planById(planId)).status).toBe('COMPLETED');
    expect(await settlementOf(planId)).toMatchObject({ status: 'SETTLED', quantity: 0 });
  });
});

describe('D25: a shipment whose settlement was settled is not cancelled', () => {
  it('cancelTransfer → INVALID_STATE naming the settlement (China time); stock, transfer, plan and settlement unchanged', async () => {
    const { planId, transferId } = await countyShipment();
    const settlement = await settlementOf(planId);
    ok(
      await t.gql(`mutation($i: SettleInput!) { settle(input: $i) { status } }`, { i: { settlementId: settlement.id, reference: '拨款〔2026〕7号' } }, 'admin'),
    );
    const before = await onHandOf(t, XINXIANG_COUNTY, FOLDING_BED);
    const res = await cancelTransferRaw(t, 'admin', transferId);
    expect(errorCode(res)).toBe('INVALID_STATE');
    expect(res.errors![0].message).toContain('已按跨区域结算');
    expect(res.errors![0].message).toContain('拨款〔2026〕7号');
    expect(res.errors![0].extensions).toMatchObject({ field: 'transferId', settlementIds: [settlement.id] });
    expect(res.errors![0].extensions.settledAt).toMatch(/\+08:00$/);
    expect(await onHandOf(t, XINXIANG_COUNTY, FOLDING_BED)).toBe(before);
    expect(await settlementOf(planId)).toMatchObject({ status: 'SETTLED', quantity: 15, value: '1800.00', reference: '拨款〔2026〕7号' });
    const plan = await planById(planId);
    expect(plan.status).toBe('EXECUTING');
    const transfer = ok(await t.gql(`query($id: ID!) { transfer(id: $id) { status } }`, { id: transferId }, 'admin')).transfer;
    expect(transfer.status).toBe('IN_TRANSIT');
  });
});

describe('instants in errors are China time (API.md: shown in Asia/Shanghai)', () => {
  it('closeIncident twice: extensions.closedAt is +08:00', async () => {
    const id = await createIncident(t, { name: '卫辉市关闭复核', regionCode: '410781', location: { lat: 35.39, lng: 114.06 } }, 'dispatcher');
    const close = () => t.gql(`mutation($id: ID!) { closeIncident(incidentId: $id) { id closedAt } }`, { id }, 'dispatcher');
    const closedAt = ok(await close()).closeIncident.closedAt;
    const again = await close();
    expect(errorCode(again)).toBe('INVALID_STATE');
    expect(again.errors![0].extensions.closedAt).toMatch(/\+08:00$/);
    expect(new Date(again.errors![0].extensions.closedAt as string).getTime()).toBe(new Date(closedAt).getTime());
  });
});

describe('D14: a rejected written approval is shown on its plan and may be submitted again', () => {
  it('REJECTED shows on the plan; recordWrittenApproval says why; the emergency approver submits again; another person approves', async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: TENT, quantity: 5, batchNo: 'SW-TENT-1', unitPrice: '900.00', expiryDate: '2032-01-01' }]);
    const plan = await requestDispatch([{ itemId: TENT, quantity: 5 }]);
    ok(await approve(plan.id, 'dispatcher', true));
    expect((await planById(plan.id, WRITTEN)).writtenApproval).toEqual({ status: 'PENDING', reason: null });
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, plan.id, 'EMERGENCY_WRITTEN_APPROVAL'), 'REJECT', { reason: '书面审批未通过' }));
    expect((await planById(plan.id, WRITTEN)).writtenApproval).toEqual({ status: 'REJECTED', reason: '书面审批未通过' });

    const record = (as: string) => t.gql(`mutation($p: ID!) { recordWrittenApproval(planId: $p, approvalRef: "补-1") { ${WRITTEN} } }`, { p: plan.id }, as);
    const refused = await record('admin');
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(refused.errors![0].message).toContain('已被驳回');

    const again = (as: string): Promise<GqlResult> => t.gql(`mutation($p: ID!) { requestWrittenApproval(planId: $p) { ${WRITTEN} } }`, { p: plan.id }, as);
    expect(errorCode(await again('director'))).toBe('FORBIDDEN'); // neither its emergency approver nor its requester
    expect(ok(await again('dispatcher')).requestWrittenApproval.writtenApproval).toEqual({ status: 'PENDING', reason: null });
    expect(errorCode(await again('dispatcher'))).toBe('INVALID_STATE'); // already waiting
    expect(errorCode(await record('dispatcher'))).toBe('FORBIDDEN'); // D24: not by the emergency approver
    const done = ok(await record('director')).recordWrittenApproval;
    expect(done).toMatchObject({ writtenApprovalRef: '补-1', writtenApproval: { status: 'APPROVED' } });
    expect(errorCode(await again('dispatcher'))).toBe('INVALID_STATE'); // nothing left to submit
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "复核结束") { id } }`, { p: plan.id }, 'dispatcher'));
  });
});

describe('API.md "The edge": GET only for queries', () => {
  it('a subscription over GET → 405, in Chinese, nothing subscribed', async () => {
    const { planId } = await countyShipment();
    const res = await request(t.app)
      .get('/graphql')
      .query({ query: `subscription { dispatchPlanStatus(planId: "${planId}") { status } }` })
      .set('accept', 'application/json')
      .set('authorization', `Bearer ${await t.token('dispatcher')}`);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.body.errors).toEqual([{ message: '订阅只能用 POST 请求提交', extensions: { code: 'BAD_USER_INPUT' } }]);
    const sse = await request(t.app)
      .get('/graphql')
      .query({ query: `subscription { dispatchPlanStatus(planId: "${planId}") { status } }` })
      .set('accept', 'text/event-stream')
      .set('authorization', `Bearer ${await t.token('dispatcher')}`);
    expect(sse.status).toBe(405);
  });
});
