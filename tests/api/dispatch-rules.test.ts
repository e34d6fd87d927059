import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId, userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { createAgreement } from '../support/agreements.ts';
import { planStatusStream } from '../support/plan-status-stream.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { issue, JINCHENG, key, receive, stockAt, WEIHUI, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';

// Dispatch rules through GraphQL (D12–D18): who may plan, what is refused, approvals, reservations,
// agreement and capacity sources, shortages, replenishment owed, a 安置点 given by id, travel times and live status.
// Every scenario uses its own item, so the stock one leaves does not change another's plan.

const t = useTestApp({ resetClock: true, checkLedger: true });

const OVERCOAT = itemId('LIV-005'); // 棉大衣: scope and bad input
const BLANKET = itemId('LIV-006'); // 毛毯: approvals
const TOWEL_QUILT = itemId('LIV-007'); // 毛巾被: reservation
const SLEEPING_BAG = itemId('LIV-009'); // 睡袋: agreement and capacity
const FOLDING_BED = itemId('LIV-010'); // 折叠床: replenishment
const FOLDING_TABLE = itemId('LIV-011'); // 折叠桌椅: a 安置点 given by id
const FAMILY_KIT = itemId('LIV-012'); // 家庭应急包: travel time
const TOILET = itemId('LIV-013'); // 简易厕所: shortages
const LAMP = itemId('LIV-015'); // 场地照明灯: subscription
const TARP = itemId('LIV-016'); // 苫布: execution states
const AGREEMENT_STORE = storeId('S-410711-02'); // 新乡市惠民百货配送中心仓库（协议储备）

const WEIHUI_LOC = { lat: 35.3865, lng: 114.06 };
const JISHUI = { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065 };
const TAIGONG = { name: '太公镇中学安置点', regionCode: '410781101000', lat: 35.49, lng: 114.02 };
const ANDU = { name: '安都乡政府安置点', regionCode: '410781203000', lat: 35.46, lng: 114.22 };

const PLAN = `id status emergency approvalDueAt writtenApprovalRef writtenApprovedAt totalQuantity maxEtaHours
  destinations { index name store { id kind } }
  lines { destination { name store { id kind } } item { id } source { kind name agreement { id } } store { id } batch { id batchNo }
          quantity distanceKm etaHours meetsDeadline tier reason transfer { id status lines { batch { id } inTransit } } }
  shortages { destination { name } item { id } requested planned missing }
  callOffs { id status quantity item { id } agreement { id } }`;

const ok = <T = any>(res: GqlResult<T>): T => {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data as T;
};

type Dest = { name: string; regionCode: string; lat: number; lng: number; storeId?: string; lines: { itemId: string; quantity: number }[] };
const dest = (at: typeof JISHUI, lines: [string, number][], extra: Partial<Dest> = {}): Dest => ({
  ...at,
  lines: lines.map(([itemId, quantity]) => ({ itemId, quantity })),
  ...extra,
});

const suggest = (input: Record<string, unknown>, as = 'dispatcher') =>
  t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${PLAN} } }`, { i: input }, as);
const request = (input: Record<string, unknown>, as = 'dispatcher') =>
  t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${PLAN} } }`, { i: input }, as);
const approve = (planId: string, as = 'director', args: { emergency?: boolean; approvalRef?: string } = {}) =>
  t.gql(
    `mutation($p: ID!, $e: Boolean, $r: String) { approveDispatchPlan(planId: $p, emergency: $e, approvalRef: $r) { ${PLAN} } }`,
    { p: planId, e: args.emergency ?? false, r: args.approvalRef },
    as,
  );
const execute = (planId: string, k = key(), as = 'dispatcher') =>
  t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN} } }`, { p: planId, k }, as);
const cancel = (planId: string, as = 'dispatcher') =>
  t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "灾情缓解，取消调拨") { ${PLAN} } }`, { p: planId }, as);
const planById = async (planId: string, as = 'dispatcher') =>
  ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: planId }, as)).dispatchPlan;

async function openIncident(as: string, regionCode: string, location: { lat: number; lng: number }, name = '卫辉市“7·20”洪涝灾害') {
  const res = await t.gql(
    `mutation($i: IncidentInput!) { createIncident(input: $i) { id region { code } } }`,
    { i: { name, type: 'FLOOD', regionCode, location, affectedPopulation: 5000, responseLevel: 3 } },
    as,
  );
  return ok(res).createIncident.id as string;
}

/** Requests and returns a PROPOSED plan (asserting it worked). */
async function proposed(input: Record<string, unknown>) {
  const plan = ok(await request(input)).requestDispatch;
  expect(plan.status).toBe('PROPOSED');
  return plan;
}

/** Row counts of everything a dispatch request persists. */
async function dispatchCounts() {
  const [r] = await queryRows<Record<string, number>>(
    t.database.db,
    sql`SELECT (SELECT count(*)::int FROM dispatch_plans) AS plans, (SELECT count(*)::int FROM dispatch_destinations) AS destinations,
               (SELECT count(*)::int FROM dispatch_demands) AS demands, (SELECT count(*)::int FROM dispatch_lines) AS lines,
               (SELECT count(*)::int FROM stores WHERE kind = 'DISTRIBUTION_POINT') AS points,
               (SELECT count(*)::int FROM call_offs) AS call_offs, (SELECT count(*)::int FROM transfers) AS transfers,
               (SELECT count(*)::int FROM settlements) AS replenishments`,
  );
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)]));
}

const reservedAt = async (store: string, item: string) => (await stockAt(t, store, item)).reduce((s: number, l: any) => s + l.reserved, 0);
const onHandAt = async (store: string, item: string) => (await stockAt(t, store, item)).reduce((s: number, l: any) => s + l.onHand, 0);
const sumBy = (lines: any[], pred: (l: any) => boolean) => lines.filter(pred).reduce((s, l) => s + l.quantity, 0);

let incidentId: string; // 卫辉市, opened by the 新乡市 dispatcher
let jinchengIncidentId: string; // 晋城市泽州县, opened by the administrator

beforeAll(async () => {
  incidentId = await openIncident('dispatcher', '410781', { lat: 35.398, lng: 114.064 });
  jinchengIncidentId = await openIncident('admin', '140525', { lat: 35.442, lng: 112.833 }, '泽州县森林火灾');
});

describe('scope — who may plan and dispatch (D14, DESIGN Auth)', () => {
  let planId: string;
  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: OVERCOAT, quantity: 100, batchNo: 'R-OC-WH', expiryDate: '2031-01-01', unitPrice: '200.00' }]);
    await receive(t, 'admin', JINCHENG, [{ itemId: OVERCOAT, quantity: 50, batchNo: 'R-OC-JC', expiryDate: '2031-01-01', unitPrice: '200.00' }]);
    planId = (await proposed({ incidentId, destinations: [dest(JISHUI, [[OVERCOAT, 5]])] })).id;
  });

  it('D14: a keeper may not open incidents, plan, request, approve or execute (FORBIDDEN)', async () => {
    const input = { incidentId, destinations: [dest(JISHUI, [[OVERCOAT, 5]])] };
    const created = await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      { i: { name: '库管员开事件', type: 'FLOOD', regionCode: '410781', location: WEIHUI_LOC } },
      'keeper',
    );
    expect(errorCode(created)).toBe('FORBIDDEN');
    expect(errorCode(await suggest(input, 'keeper'))).toBe('FORBIDDEN');
    expect(errorCode(await request(input, 'keeper'))).toBe('FORBIDDEN');
    expect(errorCode(await approve(planId, 'keeper'))).toBe('FORBIDDEN');
    expect(errorCode(await execute(planId, key(), 'keeper'))).toBe('FORBIDDEN');
    expect((await planById(planId)).status).toBe('PROPOSED');
  });

  it('D14: a 新乡市 dispatcher may not plan for an incident in 晋城市, nor open one there (FORBIDDEN)', async () => {
    const input = {
      incidentId: jinchengIncidentId,
      destinations: [dest({ name: '南村镇安置点', regionCode: '140525100000', lat: 35.44, lng: 112.84 }, [[OVERCOAT, 5]])],
    };
    expect(ok(await suggest(input, 'admin')).suggestDispatchPlan.totalQuantity).toBe(5); // the administrator may
    const before = await dispatchCounts();
    expect(errorCode(await suggest(input))).toBe('FORBIDDEN');
    expect(errorCode(await request(input))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(`query($id: ID!) { incident(id: $id) { id } }`, { id: jinchengIncidentId }, 'dispatcher'))).toBe('FORBIDDEN');
    const created = await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      { i: { name: '越权事件', type: 'FIRE', regionCode: '140525', location: { lat: 35.44, lng: 112.84 } } },
      'dispatcher',
    );
    expect(errorCode(created)).toBe('FORBIDDEN');
    expect(await dispatchCounts()).toEqual(before);
  });

  it('D14: a dispatcher may not send to a destination outside 新乡市, nor into a store outside it (FORBIDDEN)', async () => {
    const before = await dispatchCounts();
    const outside = {
      incidentId,
      destinations: [dest(JISHUI, [[OVERCOAT, 5]]), dest({ name: '南村镇安置点', regionCode: '140525100000', lat: 35.44, lng: 112.84 }, [[OVERCOAT, 5]])],
    };
    expect(errorCode(await suggest(outside))).toBe('FORBIDDEN');
    expect(errorCode(await request(outside))).toBe('FORBIDDEN');
    // A destination in 卫辉市 whose receiving store is 晋城市's: the stock would land outside the dispatcher's region.
    const intoJincheng = { incidentId, destinations: [dest(JISHUI, [[OVERCOAT, 5]], { storeId: JINCHENG })] };
    expect(errorCode(await request(intoJincheng))).toBe('FORBIDDEN');
    expect(await dispatchCounts()).toEqual(before);
  });

  it('D14: an auditor reads incidents and plans but may not request or approve (FORBIDDEN)', async () => {
    const read = ok(
      await t.gql(
        `query($id: ID!, $p: ID!) { incident(id: $id) { id plans { id } } dispatchPlan(id: $p) { id status } }`,
        { id: incidentId, p: planId },
        'auditor',
      ),
    );
    expect(read.incident.id).toBe(incidentId);
    expect(read.incident.plans.map((p: any) => p.id)).toContain(planId);
    expect(read.dispatchPlan).toEqual({ id: planId, status: 'PROPOSED' });
    const before = await dispatchCounts();
    expect(errorCode(await request({ incidentId, destinations: [dest(JISHUI, [[OVERCOAT, 5]])] }, 'auditor'))).toBe('FORBIDDEN');
    expect(errorCode(await approve(planId, 'auditor'))).toBe('FORBIDDEN');
    expect(await dispatchCounts()).toEqual(before);
  });
});

describe('bad input — a coded error and nothing persisted', () => {
  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: OVERCOAT, quantity: 10, batchNo: 'R-OC-WH2', expiryDate: '2031-06-01', unitPrice: '200.00' }]);
  });

  const cases: [string, () => Record<string, unknown>, string][] = [
    ['no destinations', () => ({ incidentId, destinations: [] }), 'BAD_USER_INPUT'],
    ['a destination with no lines', () => ({ incidentId, destinations: [dest(JISHUI, [])] }), 'BAD_USER_INPUT'],
    ['quantity 0', () => ({ incidentId, destinations: [dest(JISHUI, [[OVERCOAT, 0]])] }), 'BAD_USER_INPUT'],
    ['quantity -1', () => ({ incidentId, destinations: [dest(JISHUI, [[OVERCOAT, -1]])] }), 'BAD_USER_INPUT'],
    ['an unknown item', () => ({ incidentId, destinations: [dest(JISHUI, [[randomUUID(), 5]])] }), 'NOT_FOUND'],
    ['an unknown incident', () => ({ incidentId: randomUUID(), destinations: [dest(JISHUI, [[OVERCOAT, 5]])] }), 'NOT_FOUND'],
    ['deadlineHours 0', () => ({ incidentId, deadlineHours: 0, destinations: [dest(JISHUI, [[OVERCOAT, 5]])] }), 'BAD_USER_INPUT'],
    ['deadlineHours -5', () => ({ incidentId, deadlineHours: -5, destinations: [dest(JISHUI, [[OVERCOAT, 5]])] }), 'BAD_USER_INPUT'],
    ['a malformed regionCode', () => ({ incidentId, destinations: [dest({ ...JISHUI, regionCode: '41078X' }, [[OVERCOAT, 5]])] }), 'BAD_USER_INPUT'],
    ['an unknown regionCode', () => ({ incidentId, destinations: [dest({ ...JISHUI, regionCode: '419999' }, [[OVERCOAT, 5]])] }), 'NOT_FOUND'],
    ['lat 200', () => ({ incidentId, destinations: [dest({ ...JISHUI, lat: 200 }, [[OVERCOAT, 5]])] }), 'BAD_USER_INPUT'],
    [
      'the same item twice at one destination',
      () => ({
        incidentId,
        destinations: [
          dest(JISHUI, [
            [OVERCOAT, 5],
            [OVERCOAT, 3],
          ]),
        ],
      }),
      'BAD_USER_INPUT',
    ],
    [
      'an agreement company store as receiving store',
      () => ({ incidentId, destinations: [dest(JISHUI, [[OVERCOAT, 5]], { storeId: AGREEMENT_STORE })] }),
      'BAD_USER_INPUT',
    ],
    ['an unknown receiving store', () => ({ incidentId, destinations: [dest(JISHUI, [[OVERCOAT, 5]], { storeId: randomUUID() })] }), 'NOT_FOUND'],
    // A bad second destination spoils the whole request: the first one's distribution point is not created either.
    [
      'a bad second destination',
      () => ({ incidentId, destinations: [dest(JISHUI, [[OVERCOAT, 5]]), dest({ ...TAIGONG, lng: 500 }, [[OVERCOAT, 5]])] }),
      'BAD_USER_INPUT',
    ],
  ];

  for (const [what, input, code] of cases) {
    it(`requestDispatch and suggestDispatchPlan refuse ${what} (${code}); nothing is persisted`, async () => {
      const before = await dispatchCounts();
      expect(errorCode(await request(input()))).toBe(code);
      expect(errorCode(await suggest(input()))).toBe(code);
      expect(await dispatchCounts()).toEqual(before);
    });
  }

  it('D14: unknown and malformed plan ids are NOT_FOUND / BAD_USER_INPUT', async () => {
    expect(errorCode(await approve(randomUUID()))).toBe('NOT_FOUND');
    expect(errorCode(await execute(randomUUID()))).toBe('NOT_FOUND');
    expect(errorCode(await t.gql(`query { dispatchPlan(id: "not-a-uuid") { id } }`, {}, 'dispatcher'))).toBe('BAD_USER_INPUT');
  });
});

describe('plan states — approve, execute, cancel (D14)', () => {
  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: TARP, quantity: 100, batchNo: 'R-TP-WH', expiryDate: '2032-01-01', unitPrice: '60.00' }]);
  });

  it('D14: approving twice is INVALID_STATE and reserves only once', async () => {
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[TARP, 10]])] });
    expect(ok(await approve(plan.id)).approveDispatchPlan.status).toBe('APPROVED');
    expect(await reservedAt(WEIHUI, TARP)).toBe(10);
    expect(errorCode(await approve(plan.id))).toBe('INVALID_STATE');
    expect(errorCode(await approve(plan.id, 'dispatcher', { emergency: true }))).toBe('INVALID_STATE');
    expect(await reservedAt(WEIHUI, TARP)).toBe(10);
    ok(await cancel(plan.id));
    expect(await reservedAt(WEIHUI, TARP)).toBe(0);
  });

  it('D14: a PROPOSED (unapproved) plan cannot be executed (INVALID_STATE); nothing ships', async () => {
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[TARP, 10]])] });
    const before = await dispatchCounts();
    const refused = await execute(plan.id);
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(refused.errors![0].extensions).toMatchObject({ field: 'planId', status: 'PROPOSED' });
    // The status in words only, as the dispatcher reads it (extensions.status stays the code).
    expect(refused.errors![0].message).toBe('调拨方案状态为待批准，只有已批准的方案可以执行');
    expect(await dispatchCounts()).toEqual(before);
    expect(await onHandAt(WEIHUI, TARP)).toBe(100);
    expect((await planById(plan.id)).status).toBe('PROPOSED');
  });

  it('D14: after execution, another key is INVALID_STATE, the same key replays; an EXECUTING plan cannot be cancelled', async () => {
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[TARP, 10]])] });
    ok(await approve(plan.id));
    const k = key();
    const executed = ok(await execute(plan.id, k)).executeDispatchPlan;
    expect(executed.status).toBe('EXECUTING');
    const before = await dispatchCounts();
    expect(errorCode(await execute(plan.id, key()))).toBe('INVALID_STATE');
    const replay = ok(await execute(plan.id, k)).executeDispatchPlan;
    expect(replay.lines.map((l: any) => l.transfer.id)).toEqual(executed.lines.map((l: any) => l.transfer.id));
    expect(errorCode(await cancel(plan.id))).toBe('INVALID_STATE');
    expect(await dispatchCounts()).toEqual(before);
    expect((await planById(plan.id)).status).toBe('EXECUTING');
    expect(await onHandAt(WEIHUI, TARP)).toBe(90);
  });

  it('D14: a cancelled plan can be neither approved nor executed', async () => {
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[TARP, 5]])] });
    expect(ok(await cancel(plan.id)).cancelDispatchPlan.status).toBe('CANCELLED');
    expect(errorCode(await approve(plan.id))).toBe('INVALID_STATE');
    expect(errorCode(await execute(plan.id))).toBe('INVALID_STATE');
    expect(errorCode(await cancel(plan.id))).toBe('INVALID_STATE');
  });
});

describe('approval (D14): written approval, emergency approval due in 48 h', () => {
  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: BLANKET, quantity: 100, batchNo: 'R-BL-WH', expiryDate: '2032-01-01', unitPrice: '90.00' }]);
  });
  const overdue = async () =>
    ok(await t.gql(`query { overdueEmergencyApprovals(regionCode: "410700") { id } }`, {}, 'dispatcher')).overdueEmergencyApprovals.map((p: any) => p.id);

  it('D14: a normal approval records the written approval reference; no due date', async () => {
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[BLANKET, 5]])] });
    const approved = ok(await approve(plan.id, 'director', { approvalRef: '新应急调〔2026〕18号' })).approveDispatchPlan;
    expect(approved).toMatchObject({ status: 'APPROVED', emergency: false, approvalDueAt: null, writtenApprovalRef: '新应急调〔2026〕18号' });
    expect(approved.writtenApprovedAt).toBe('2026-07-20T10:00:00+08:00');
    // Nothing to follow up: recording a written approval is INVALID_STATE, and it is never overdue.
    expect(errorCode(await t.gql(`mutation($p: ID!) { recordWrittenApproval(planId: $p, approvalRef: "补") { id } }`, { p: plan.id }, 'dispatcher'))).toBe(
      'INVALID_STATE',
    );
    t.clock.advance(100);
    expect(await overdue()).not.toContain(plan.id);
  });

  it('D14: an emergency approval is due 48 h after the execution (none before it); overdue only after that; not once the written approval is recorded', async () => {
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[BLANKET, 5]])] });
    t.clock.advance(2); // approved (and executed) two hours after the request: the 48 h run from the execution
    const approved = ok(await approve(plan.id, 'dispatcher', { emergency: true })).approveDispatchPlan;
    expect(approved).toMatchObject({ status: 'APPROVED', emergency: true, writtenApprovalRef: null, writtenApprovedAt: null });
    expect(approved.approvalDueAt).toBeNull(); // API.md: execution time + 48 h — not yet executed
    // 先调拨后补手续: it may be executed at once.
    const executed = ok(await execute(plan.id)).executeDispatchPlan;
    expect(executed.status).toBe('EXECUTING');
    expect(executed.approvalDueAt).toBe('2026-07-22T12:00:00+08:00'); // 2026-07-20T04:00Z + 48 h, shown in Asia/Shanghai
    expect(await overdue()).not.toContain(plan.id);
    t.clock.advance(47);
    expect(await overdue()).not.toContain(plan.id);
    t.clock.advance(2); // 49 h after the execution
    expect(await overdue()).toContain(plan.id);
    // The auditor of 新乡市 sees it in the list for their region.
    expect(ok(await t.gql(`query { overdueEmergencyApprovals { id } }`, {}, 'auditor')).overdueEmergencyApprovals.map((p: any) => p.id)).toContain(plan.id);
    // D24: not by the dispatcher who approved it in the emergency; by another person with authority.
    const record = (as: string) =>
      t.gql(
        `mutation($p: ID!) { recordWrittenApproval(planId: $p, approvalRef: "新应急调〔2026〕19号") { writtenApprovalRef writtenApprovedAt } }`,
        { p: plan.id },
        as,
      );
    expect(errorCode(await record('dispatcher'))).toBe('FORBIDDEN');
    const written = ok(await record('director'));
    expect(written.recordWrittenApproval.writtenApprovalRef).toBe('新应急调〔2026〕19号');
    expect(await overdue()).not.toContain(plan.id);
    // Recorded an hour late: no longer overdue, but the record keeps that the 48 h were missed (sweep 8b F7).
    const writtenApproval = async () =>
      ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { writtenApproval { status overdue decidedLate dueAt decidedAt } } }`, { p: plan.id }, 'auditor'))
        .dispatchPlan.writtenApproval;
    expect(await writtenApproval()).toEqual({
      status: 'APPROVED',
      overdue: false,
      decidedLate: true,
      dueAt: '2026-07-22T12:00:00+08:00',
      decidedAt: '2026-07-22T13:00:00+08:00',
    });
    // Once recorded, there is nothing left to record.
    expect(errorCode(await t.gql(`mutation($p: ID!) { recordWrittenApproval(planId: $p, approvalRef: "再补") { id } }`, { p: plan.id }, 'director'))).toBe(
      'INVALID_STATE',
    );
  });

  it('D14: a written approval recorded within the 48 h is not decidedLate; one still pending is neither late nor overdue yet', async () => {
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[BLANKET, 5]])] });
    ok(await approve(plan.id, 'dispatcher', { emergency: true }));
    ok(await execute(plan.id));
    const state = async () =>
      ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { writtenApproval { status overdue decidedLate } } }`, { p: plan.id }, 'director')).dispatchPlan
        .writtenApproval;
    expect(await state()).toEqual({ status: 'PENDING', overdue: false, decidedLate: false });
    t.clock.advance(47);
    ok(await t.gql(`mutation($p: ID!) { recordWrittenApproval(planId: $p, approvalRef: "新应急调〔2026〕20号") { id } }`, { p: plan.id }, 'director'));
    expect(await state()).toEqual({ status: 'APPROVED', overdue: false, decidedLate: false });
  });

  it('D24 (sweep 9a F1): the approver needs authority over the plan’s sources — a county dispatcher may not approve the city’s stock, nor record its written approval', async () => {
    const CITY_ONLY = itemId('LIV-014');
    await receive(t, 'admin', XINXIANG, [{ itemId: CITY_ONLY, quantity: 50, batchNo: 'R-CITY-ONLY', expiryDate: '2032-01-01', unitPrice: '30.00' }]);
    const created = await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username: 'wh-approver', displayName: '卫辉市应急管理局调度员', password: TEST_PASSWORD, role: 'DISPATCHER', regionCode: '410781000000' } },
      'admin',
    );
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
    // 新乡市's dispatcher plans the city's stock for 卫辉's incident: its own jurisdiction's, so no consent is asked.
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[CITY_ONLY, 10]])] });
    expect(plan.lines.map((l: any) => l.store?.id)).toEqual([XINXIANG]);
    const refusal = '无权批准：方案动用了「新乡市救灾物资储备库」的储备，须由辖区包含其所在地区的调度员或管理员批准';
    const byCounty = await approve(plan.id, 'wh-approver');
    expect(byCounty.errors?.[0]).toMatchObject({ message: refusal, extensions: { code: 'FORBIDDEN', field: 'planId' } });
    expect((await planById(plan.id)).status).toBe('PROPOSED');
    // Through the approvals queue, the same.
    const queued = ok(
      await t.gql(`query { approvals(filter: { status: PENDING, kind: DISPATCH_PLAN }, first: 500) { edges { node { id subjectId } } } }`, {}, 'wh-approver'),
    ).approvals.edges.find((e: any) => e.node.subjectId === plan.id);
    const decided = await t.gql(
      `mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { status } }`,
      { i: { approvalId: queued.node.id, decision: 'APPROVE', approvalRef: '卫应急〔2026〕1号' } },
      'wh-approver',
    );
    expect(decided.errors?.[0]).toMatchObject({ message: refusal, extensions: { code: 'FORBIDDEN' } });
    expect((await planById(plan.id)).status).toBe('PROPOSED');
    // The emergency path: the city's requester approves and executes; the written approval is the city's to record.
    ok(await approve(plan.id, 'dispatcher', { emergency: true }));
    ok(await execute(plan.id));
    const record = (as: string) => t.gql(`mutation($p: ID!) { recordWrittenApproval(planId: $p, approvalRef: "补〔2026〕1号") { id } }`, { p: plan.id }, as);
    expect((await record('wh-approver')).errors?.[0]).toMatchObject({
      message: '无权补办书面审批：方案动用了「新乡市救灾物资储备库」的储备，须由辖区包含其所在地区的调度员或管理员补办书面审批',
      extensions: { code: 'FORBIDDEN' },
    });
    expect(ok(await record('director')).recordWrittenApproval.id).toBe(plan.id);
  });

  it('D24, D25: a county dispatcher approves a plan of its own county’s stores', async () => {
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[BLANKET, 5]])] });
    expect(new Set(plan.lines.map((l: any) => l.store?.id))).toEqual(new Set([WEIHUI]));
    expect(ok(await approve(plan.id, 'wh-approver')).approveDispatchPlan.status).toBe('APPROVED');
    ok(await cancel(plan.id));
  });

  it('D14: recordWrittenApproval needs a reference and a headquarters user', async () => {
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[BLANKET, 5]])] });
    ok(await approve(plan.id, 'dispatcher', { emergency: true }));
    expect(errorCode(await t.gql(`mutation($p: ID!) { recordWrittenApproval(planId: $p, approvalRef: "  ") { id } }`, { p: plan.id }, 'director'))).toBe(
      'BAD_USER_INPUT',
    );
    expect(errorCode(await t.gql(`mutation($p: ID!) { recordWrittenApproval(planId: $p, approvalRef: "X") { id } }`, { p: plan.id }, 'auditor'))).toBe(
      'FORBIDDEN',
    );
    ok(await cancel(plan.id));
  });
});

describe('reservation — approval reserves the planned batches', () => {
  it('D14: approval reserves; an issue needing reserved stock is INSUFFICIENT_STOCK; cancelling releases it', async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: TOWEL_QUILT, quantity: 20, batchNo: 'R-TQ-WH', expiryDate: '2032-01-01', unitPrice: '50.00' }]);
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[TOWEL_QUILT, 20]])] });
    expect(plan.lines.map((l: any) => [l.store.id, l.batch.batchNo, l.quantity])).toEqual([[WEIHUI, 'R-TQ-WH', 20]]);
    expect(await reservedAt(WEIHUI, TOWEL_QUILT)).toBe(0); // a proposal reserves nothing
    ok(await approve(plan.id));
    const [line] = await stockAt(t, WEIHUI, TOWEL_QUILT);
    expect(line).toMatchObject({ onHand: 20, reserved: 20, available: 0 });
    const refused = await issue(t, 'keeper', WEIHUI, [{ itemId: TOWEL_QUILT, quantity: 1 }]);
    expect(errorCode(refused)).toBe('INSUFFICIENT_STOCK');
    const byBatch = await issue(t, 'keeper', WEIHUI, [{ itemId: TOWEL_QUILT, quantity: 1, batchId: line.batch.id }]);
    expect(errorCode(byBatch)).toBe('INSUFFICIENT_STOCK');
    const cancelled = ok(await cancel(plan.id)).cancelDispatchPlan;
    expect(cancelled.status).toBe('CANCELLED');
    expect((await stockAt(t, WEIHUI, TOWEL_QUILT))[0]).toMatchObject({ onHand: 20, reserved: 0, available: 20 });
    ok(await issue(t, 'keeper', WEIHUI, [{ itemId: TOWEL_QUILT, quantity: 1 }]));
    expect(await onHandAt(WEIHUI, TOWEL_QUILT)).toBe(19);
  });

  it('D14: approval fails (INSUFFICIENT_STOCK) when the planned stock went elsewhere meanwhile, and changes nothing', async () => {
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[TOWEL_QUILT, 19]])] });
    ok(await issue(t, 'keeper', WEIHUI, [{ itemId: TOWEL_QUILT, quantity: 5 }]));
    // The refusal says what to do with a plan gone stale, normally and as an emergency approval; same details.
    for (const refused of [await approve(plan.id), await approve(plan.id, 'dispatcher', { emergency: true })]) {
      expect(errorCode(refused)).toBe('INSUFFICIENT_STOCK');
      // Sweep 22c F6: a refusal writes each quantity with the item's unit (quantityText), as every other message does.
      expect(refused.errors![0].message).toMatch(/^库存不足：批次 .+ 可用 14 条；方案生成后库存已变动，请取消本方案并重新生成$/);
      expect(refused.errors![0].extensions).toMatchObject({ requested: 19, available: 14 });
    }
    expect((await planById(plan.id)).status).toBe('PROPOSED');
    expect(await reservedAt(WEIHUI, TOWEL_QUILT)).toBe(0);
    ok(await cancel(plan.id));
  });
});

describe('agreement and capacity sources (D17)', () => {
  let agreementId: string;
  let capacityId: string;
  const input = () => ({ incidentId, destinations: [dest(TAIGONG, [[SLEEPING_BAG, 150]])] });

  beforeAll(async () => {
    agreementId = await createAgreement(t, {
      mode: 'AGREEMENT',
      companyName: '新乡市惠民百货配送有限公司',
      regionCode: '410711',
      storeId: AGREEMENT_STORE,
      lines: [{ itemId: SLEEPING_BAG, quantity: 100, unitPrice: '80.00', responseHours: 6 }],
    });
    capacityId = await createAgreement(t, {
      mode: 'CAPACITY',
      companyName: '卫辉市民安被服有限公司',
      regionCode: '410781',
      lines: [{ itemId: SLEEPING_BAG, dailyCapacity: 50, leadDays: 1, unitPrice: '85.00' }],
    });
  });

  it('D17: with no store stock the plan takes the agreement first (after its response hours), then capacity', async () => {
    const plan = ok(await suggest(input())).suggestDispatchPlan;
    expect(plan.shortages).toEqual([]);
    const agreementLines = plan.lines.filter((l: any) => l.tier === 'AGREEMENT');
    const capacityLines = plan.lines.filter((l: any) => l.tier === 'CAPACITY');
    expect(sumBy(agreementLines, () => true)).toBe(100);
    expect(sumBy(capacityLines, () => true)).toBe(50);
    expect(agreementLines[0].source).toMatchObject({ kind: 'AGREEMENT', name: '新乡市惠民百货配送有限公司', agreement: { id: agreementId } });
    expect(agreementLines[0].store).toBeNull();
    expect(agreementLines[0].etaHours).toBeGreaterThan(6.5); // 0.5 h handling + 6 h response + the road
    expect(agreementLines[0].meetsDeadline).toBe(true);
    expect(capacityLines[0].source).toMatchObject({ kind: 'CAPACITY', agreement: { id: capacityId } });
    expect(capacityLines[0].etaHours).toBeGreaterThan(48.5); // 1 day lead + the first day's output
    expect(capacityLines[0].meetsDeadline).toBe(false);
  });

  it('D17/D6: a spot check counting fewer lowers what the plan takes from the agreement to min(committed, counted)', async () => {
    ok(
      await t.gql(
        `mutation($i: AgreementCheckInput!) { recordAgreementCheck(input: $i) { id } }`,
        { i: { agreementId, checkedOn: '2026-07-19', findings: '库存不足协议数量', lines: [{ itemId: SLEEPING_BAG, countedQuantity: 60 }] } },
        'admin',
      ),
    );
    const plan = ok(await suggest(input())).suggestDispatchPlan;
    expect(sumBy(plan.lines, (l) => l.tier === 'AGREEMENT')).toBe(60);
    expect(sumBy(plan.lines, (l) => l.tier === 'CAPACITY')).toBe(90);
    // A count above the commitment does not raise it.
    ok(
      await t.gql(
        `mutation($i: AgreementCheckInput!) { recordAgreementCheck(input: $i) { id } }`,
        { i: { agreementId, checkedOn: '2026-07-20', lines: [{ itemId: SLEEPING_BAG, countedQuantity: 70 }] } },
        'admin',
      ),
    );
    expect(sumBy(ok(await suggest(input())).suggestDispatchPlan.lines, (l) => l.tier === 'AGREEMENT')).toBe(70);
  });

  it('D17: execution issues call-offs; deliveries become ledger stock at the destination; the plan completes', async () => {
    const plan = await proposed(input());
    expect(sumBy(plan.lines, (l) => l.tier === 'AGREEMENT')).toBe(70);
    ok(await approve(plan.id, 'dispatcher', { emergency: true }));
    const executed = ok(await execute(plan.id)).executeDispatchPlan;
    expect(executed.status).toBe('EXECUTING');
    expect(executed.lines.every((l: any) => l.transfer === null)).toBe(true);
    const callOffs = executed.callOffs;
    expect(callOffs.map((c: any) => [c.agreement.id, c.quantity, c.status]).sort()).toEqual(
      [
        [agreementId, 70, 'ISSUED'],
        [capacityId, 80, 'ISSUED'],
      ].sort(),
    );
    const point = executed.destinations[0].store;
    expect(point.kind).toBe('DISTRIBUTION_POINT');
    expect(await onHandAt(point.id, SLEEPING_BAG)).toBe(0);

    const deliver = (callOffId: string, k = key(), batchNo = `CO-${callOffId.slice(0, 6)}`) =>
      t.gql(
        `mutation($i: CallOffDeliveryInput!) { confirmCallOffDelivery(input: $i) { id type store { id } lines { quantity unitPrice batch { batchNo fundingSource reserveMode owner { name } } } } }`,
        { i: { callOffId, batchNo, expiryDate: '2031-07-01', idempotencyKey: k } },
        // D14, D24 (sweep 19c F6): not the dispatcher who approved the plan alone in the emergency — another person.
        'director',
      );
    const fromAgreement = callOffs.find((c: any) => c.agreement.id === agreementId);
    const fromCapacity = callOffs.find((c: any) => c.agreement.id === capacityId);
    const k1 = key();
    const doc = ok(await deliver(fromAgreement.id, k1)).confirmCallOffDelivery;
    expect(doc).toMatchObject({ type: 'RECEIPT', store: { id: point.id } });
    // D3, D21: the goods are the contracting government's (牧野区's agreement), from its level's funds, though delivered in 卫辉;
    // once delivered they are the government's physical stock, not 协议储备 (which valuation shows apart, D6).
    expect(doc.lines).toEqual([
      {
        quantity: 70,
        unitPrice: '80.00',
        batch: { batchNo: `CO-${fromAgreement.id.slice(0, 6)}`, fundingSource: 'COUNTY', reserveMode: 'PHYSICAL', owner: { name: '牧野区人民政府' } },
      },
    ]);
    expect(await onHandAt(point.id, SLEEPING_BAG)).toBe(70);
    let now = await planById(plan.id);
    expect(now.status).toBe('EXECUTING'); // the capacity order is still open
    expect(now.callOffs.find((c: any) => c.id === fromAgreement.id).status).toBe('DELIVERED');
    // The same delivery again: the same key replays the first receipt; another key is INVALID_STATE. Stock is booked once.
    expect(ok(await deliver(fromAgreement.id, k1)).confirmCallOffDelivery.id).toBe(doc.id);
    expect(errorCode(await deliver(fromAgreement.id))).toBe('INVALID_STATE');
    expect(await onHandAt(point.id, SLEEPING_BAG)).toBe(70);

    ok(await deliver(fromCapacity.id));
    expect(await onHandAt(point.id, SLEEPING_BAG)).toBe(150);
    now = await planById(plan.id);
    expect(now.status).toBe('COMPLETED');
    expect(now.callOffs.every((c: any) => c.status === 'DELIVERED')).toBe(true);
    const balance = ok(
      await t.gql(`query($id: ID!) { incident(id: $id) { balance { item { id } planned shipped received } } }`, { id: incidentId }, 'dispatcher'),
    );
    expect(balance.incident.balance.find((b: any) => b.item.id === SLEEPING_BAG)).toMatchObject({ planned: 150, shipped: 150, received: 150 });
  });

  it('D17: agreement stock promised to an approved plan or an open call-off is not offered again', async () => {
    // The company has restocked: a new spot check counts the full commitment.
    ok(
      await t.gql(
        `mutation($i: AgreementCheckInput!) { recordAgreementCheck(input: $i) { id } }`,
        { i: { agreementId, checkedOn: '2026-07-20', findings: '已补足', lines: [{ itemId: SLEEPING_BAG, countedQuantity: 100 }] } },
        'admin',
      ),
    );
    const first = await proposed({ incidentId, destinations: [dest(JISHUI, [[SLEEPING_BAG, 80]])] });
    expect(sumBy(first.lines, (l) => l.tier === 'AGREEMENT')).toBe(80);
    // Only proposed: nothing is promised yet.
    expect(
      sumBy(ok(await suggest({ incidentId, destinations: [dest(JISHUI, [[SLEEPING_BAG, 50]])] })).suggestDispatchPlan.lines, (l) => l.tier === 'AGREEMENT'),
    ).toBe(50);
    ok(await approve(first.id));
    // Approved: 80 of the 100 are promised.
    const second = ok(await suggest({ incidentId, destinations: [dest(JISHUI, [[SLEEPING_BAG, 50]])] })).suggestDispatchPlan;
    expect(sumBy(second.lines, (l) => l.tier === 'AGREEMENT')).toBe(20);
    expect(sumBy(second.lines, (l) => l.tier === 'CAPACITY')).toBe(30);
    ok(await execute(first.id));
    // Executed: the call-off for 80 is open.
    const third = ok(await suggest({ incidentId, destinations: [dest(JISHUI, [[SLEEPING_BAG, 50]])] })).suggestDispatchPlan;
    expect(sumBy(third.lines, (l) => l.tier === 'AGREEMENT')).toBe(20);
  });
});

describe('shortages are explicit', () => {
  it('D16: demand above all stock → planned lines for what exists and a shortage with requested, planned, missing', async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: TOILET, quantity: 10, batchNo: 'R-WC-WH', expiryDate: '2032-01-01', unitPrice: '300.00' }]);
    await receive(t, 'admin', XINXIANG, [{ itemId: TOILET, quantity: 5, batchNo: 'R-WC-XX', expiryDate: '2032-01-01', unitPrice: '300.00' }]);
    const input = { incidentId, destinations: [dest(JISHUI, [[TOILET, 30]]), dest(TAIGONG, [[TOILET, 10]])] };
    const suggested = ok(await suggest(input)).suggestDispatchPlan;
    const plan = await proposed(input);
    for (const p of [suggested, plan]) {
      expect(p.totalQuantity).toBe(15);
      expect(sumBy(p.lines, (l) => l.store.id === WEIHUI)).toBe(10);
      expect(sumBy(p.lines, (l) => l.store.id === XINXIANG)).toBe(5);
      const missing = p.shortages.reduce((s: number, x: any) => s + x.missing, 0);
      expect(missing).toBe(25);
      for (const s of p.shortages) {
        expect(s.item.id).toBe(TOILET);
        expect(s.planned + s.missing).toBe(s.requested);
        expect(s.planned).toBe(sumBy(p.lines, (l) => l.destination.name === s.destination.name));
      }
      for (const d of input.destinations) {
        const planned = sumBy(p.lines, (l) => l.destination.name === d.name);
        const requested = d.lines[0].quantity;
        const shortage = p.shortages.find((s: any) => s.destination.name === d.name);
        if (planned < requested) expect(shortage).toMatchObject({ requested, planned, missing: requested - planned });
        else expect(shortage).toBeUndefined();
      }
    }
    // The stored plan shows the same shortages as the suggestion.
    expect(plan.shortages).toEqual(suggested.shortages);
    ok(await cancel(plan.id));
  });
});

describe("another jurisdiction's stock in a plan (D25, DESIGN Auth)", () => {
  it("a plan line from 晋城's store names neither its batch nor its batch number: both a plain null (D20: no batches of a partner's stock)", async () => {
    const PUMP = itemId('MIN-001'); // 潜水泵: 晋城 holds it under the demo 联储 agreement
    const [{ n }] = await queryRows<{ n: number }>(
      t.database.db,
      sql`SELECT COALESCE(sum(b.on_hand - b.reserved), 0)::int AS n FROM balances b JOIN stores s ON s.id = b.store_id
           WHERE s.region_code LIKE '4107%' AND b.item_id = ${PUMP}::uuid`,
    );
    await receive(t, 'admin', JINCHENG, [{ itemId: PUMP, quantity: 40, batchNo: 'R-JC-PUMP', expiryDate: '2035-01-01', unitPrice: '800.00' }]);
    const res = await t.gql(
      `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { lines { store { id } batchNo batch { batchNo } quantity } } }`,
      { i: { incidentId, destinations: [dest(JISHUI, [[PUMP, n + 10]])] } },
      'dispatcher',
    );
    expect(res.data, JSON.stringify(res.errors)).not.toBeNull();
    const lines = res.data!.suggestDispatchPlan.lines as { store: { id: string }; batchNo: string | null; batch: { batchNo: string } | null }[];
    const partner = lines.filter((l) => l.store.id === JINCHENG);
    expect(partner.length).toBeGreaterThan(0);
    expect(partner.map((l) => [l.batchNo, l.batch])).toEqual(partner.map(() => [null, null]));
    // D20: hidden by the policy's rule for plan lines (readableOrNull), not refused: no FORBIDDEN in a plan the user may see.
    expect(res.errors).toBeUndefined();
    // Lines of the dispatcher's own region give both.
    for (const l of lines.filter((x) => x.store.id !== JINCHENG)) expect(l.batch?.batchNo).toBe(l.batchNo);
  });
});

describe('replenishment owed (D15)', () => {
  it('D15: a county store of 新乡县 serving 卫辉市 once 卫辉 stock is exhausted is owed replenishment', async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: FOLDING_BED, quantity: 10, batchNo: 'R-FB-WH', expiryDate: '2032-01-01', unitPrice: '120.00' }]);
    await receive(t, 'admin', XINXIANG_COUNTY, [{ itemId: FOLDING_BED, quantity: 30, batchNo: 'R-FB-XXX', expiryDate: '2032-01-01', unitPrice: '120.00' }]);
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[FOLDING_BED, 25]])] });
    expect(plan.lines.map((l: any) => [l.store.id, l.tier, l.quantity]).sort()).toEqual(
      [
        [WEIHUI, 'LOCAL', 10],
        [XINXIANG_COUNTY, 'NEIGHBOUR', 15],
      ].sort(),
    );
    const owed = async () =>
      ok(
        await t.gql(`query { replenishmentsOwed(regionCode: "410700") { store { id } item { id } quantity planId settledAt } }`, {}, 'dispatcher'),
      ).replenishmentsOwed.filter((r: any) => r.item.id === FOLDING_BED);
    expect(await owed()).toEqual([]); // nothing owed before execution
    ok(await approve(plan.id));
    expect(await owed()).toEqual([]);
    ok(await execute(plan.id));
    expect(await owed()).toEqual([{ store: { id: XINXIANG_COUNTY }, item: { id: FOLDING_BED }, quantity: 15, planId: plan.id, settledAt: null }]);
    // By region: 新乡县 sees it, 卫辉市 (whose own store served its own county) owes itself nothing.
    const county = ok(await t.gql(`query { replenishmentsOwed(regionCode: "410721") { store { id } quantity } }`, {}, 'dispatcher')).replenishmentsOwed;
    expect(county).toContainEqual({ store: { id: XINXIANG_COUNTY }, quantity: 15 });
    const weihui = ok(await t.gql(`query { replenishmentsOwed(regionCode: "410781") { store { id } } }`, {}, 'dispatcher')).replenishmentsOwed;
    expect(weihui).toEqual([]);
    expect(errorCode(await t.gql(`query { replenishmentsOwed(regionCode: "140500") { id } }`, {}, 'dispatcher'))).toBe('FORBIDDEN');
  });
});

describe('a destination given by id: the incident’s own 安置点', () => {
  // Sweep 14c MEDIUM-2: this test once sent the plan into 卫辉市救灾物资储备库, an ordinary store; a plan's destination is
  // now one of the incident's 安置点 (an ordinary store is refused: tests/api/plan-destinations.test.ts).
  it('D14, D29: a destination given as the incident’s 安置点 receives into that point; no new distribution point', async () => {
    await receive(t, 'admin', XINXIANG, [{ itemId: FOLDING_TABLE, quantity: 40, batchNo: 'R-FT-XX', expiryDate: '2032-01-01', unitPrice: '150.00' }]);
    const point = ok(
      await t.gql(
        `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id } }`,
        { i: { incidentId, name: '卫辉市第一中学安置点', regionCode: '410781', ...WEIHUI_LOC, managerIds: [userId('keeper')] } },
        'dispatcher',
      ),
    ).openDistributionPoint.id as string;
    const before = await dispatchCounts();
    const plan = await proposed({
      incidentId,
      destinations: [dest({ name: '卫辉市第一中学安置点', regionCode: '410781', ...WEIHUI_LOC }, [[FOLDING_TABLE, 30]], { storeId: point })],
    });
    const after = await dispatchCounts();
    expect(after.points).toBe(before.points);
    expect(after.plans).toBe(before.plans + 1);
    expect(plan.destinations[0].store).toEqual({ id: point, kind: 'DISTRIBUTION_POINT' });
    expect(plan.lines.every((l: any) => l.store.id === XINXIANG && l.destination.store.id === point)).toBe(true);
    expect(plan.totalQuantity).toBe(30);
    ok(await approve(plan.id));
    const executed = ok(await execute(plan.id)).executeDispatchPlan;
    const transfer = executed.lines[0].transfer;
    expect(transfer.status).toBe('IN_TRANSIT');
    // The point's manager receives it.
    const received = await t.gql(
      `mutation($i: ReceiveTransferInput!) { receiveTransfer(input: $i) { status toStore { id } } }`,
      { i: { transferId: transfer.id, idempotencyKey: key(), lines: transfer.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.inTransit })) } },
      'keeper',
    );
    expect(ok(received).receiveTransfer).toEqual({ status: 'RECEIVED', toStore: { id: point } });
    expect(await onHandAt(point, FOLDING_TABLE)).toBe(30);
    expect(await onHandAt(XINXIANG, FOLDING_TABLE)).toBe(10);
    expect((await planById(plan.id)).status).toBe('COMPLETED');
  });
});

describe('travel times (DESIGN: a store → region table overrides the estimate)', () => {
  it('setTravelTime (administrator) changes the ETA for that store and region; a dispatcher is FORBIDDEN', async () => {
    await receive(t, 'admin', XINXIANG, [{ itemId: FAMILY_KIT, quantity: 10, batchNo: 'R-FK-XX', expiryDate: '2032-01-01', unitPrice: '260.00' }]);
    const input = { incidentId, destinations: [dest(ANDU, [[FAMILY_KIT, 5]])] };
    const line = async () => ok(await suggest(input)).suggestDispatchPlan.lines[0];
    const estimated = await line();
    expect(estimated.store.id).toBe(XINXIANG);
    expect(estimated.etaHours).toBeLessThan(3); // about 35 km
    const set = (hours: number, as: string) =>
      t.gql(
        `mutation($s: ID!, $h: Float!) { setTravelTime(storeId: $s, regionCode: "410781203000", hours: $h) { storeId regionCode hours } }`,
        { s: XINXIANG, h: hours },
        as,
      );
    expect(errorCode(await set(7.5, 'dispatcher'))).toBe('FORBIDDEN');
    expect((await line()).etaHours).toBe(estimated.etaHours);
    expect(ok(await set(7.5, 'admin')).setTravelTime).toEqual({ storeId: XINXIANG, regionCode: '410781203000', hours: 7.5 });
    const overridden = await line();
    expect(overridden.etaHours).toBeCloseTo(0.5 + 7.5, 2); // handling + the table's hours
    expect(overridden.meetsDeadline).toBe(true);
    // Updating the entry, beyond the deadline: the line is flagged.
    ok(await set(12, 'admin'));
    expect((await line()).meetsDeadline).toBe(false);
    expect(errorCode(await set(0, 'admin'))).toBe('BAD_USER_INPUT');
    // Another township of 卫辉市 keeps the estimate.
    const other = ok(await suggest({ incidentId, destinations: [dest(TAIGONG, [[FAMILY_KIT, 5]])] })).suggestDispatchPlan.lines[0];
    expect(other.etaHours).toBeLessThan(3);
  });
});

describe('live plan status (GraphQL over SSE)', () => {
  it('D18: dispatchPlanStatus streams APPROVED when the plan is approved', async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: LAMP, quantity: 10, batchNo: 'R-LP-WH', expiryDate: '2032-01-01', unitPrice: '800.00' }]);
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[LAMP, 4]])] });
    const server = t.app.listen(0);
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 8000);
    try {
      const stream = await planStatusStream(`http://127.0.0.1:${port}/graphql`, plan.id, await t.token('dispatcher'), abort.signal);
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get('content-type')).toContain('text/event-stream');
      // The first chunk (a ping) means the subscription is set up.
      expect(await stream.readUntil((s) => s.length > 0)).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(ok(await approve(plan.id)).approveDispatchPlan.status).toBe('APPROVED');
      expect(await stream.readUntil((s) => s.includes('"status":"APPROVED"'))).toBe(true);
      const event = stream.text.split('\n').find((l) => l.startsWith('data: ') && l.includes('APPROVED'))!;
      expect(JSON.parse(event.slice(6))).toEqual({ data: { dispatchPlanStatus: { planId: plan.id, status: 'APPROVED' } } });
      await stream.close();
    } finally {
      clearTimeout(timer);
      abort.abort();
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r(undefined)));
    }
    ok(await cancel(plan.id));
  });

  it('D18: who may read the plan may subscribe (as dispatchPlan(id)): a keeper is FORBIDDEN, no token is UNAUTHENTICATED', async () => {
    const plan = await proposed({ incidentId, destinations: [dest(JISHUI, [[LAMP, 1]])] });
    const server = t.app.listen(0);
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port } = server.address() as AddressInfo;
    const open = async (planId: string, as?: string) => {
      const query = `subscription{dispatchPlanStatus(planId:"${planId}"){planId status}}`;
      const headers: Record<string, string> = { accept: 'text/event-stream', 'content-type': 'application/json' };
      if (as) headers.authorization = `Bearer ${await t.token(as)}`;
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query }),
        signal: AbortSignal.timeout(5000),
      });
      const data = (await res.text()).split('\n').find((l) => l.startsWith('data: {'));
      return JSON.parse(data!.slice(6)) as GqlResult;
    };
    try {
      // The answers of dispatchPlan(id) (policy mayRead.plan): a plan that does not exist is NOT_FOUND to anyone.
      expect(errorCode(await open(plan.id, 'keeper'))).toBe('FORBIDDEN');
      expect(errorCode(await open(randomUUID(), 'keeper'))).toBe('NOT_FOUND');
      expect(errorCode(await open(plan.id))).toBe('UNAUTHENTICATED');
      expect(errorCode(await open(randomUUID(), 'dispatcher'))).toBe('NOT_FOUND');
    } finally {
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r(undefined)));
    }
    ok(await cancel(plan.id));
  });
});
