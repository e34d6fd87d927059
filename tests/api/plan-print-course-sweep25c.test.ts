import { beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { NOW, useTestApp } from '../support/harness.ts';
import { key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { createIncident, ok, PLAN_FIELDS, receiveAll } from '../support/relief.ts';
import { download } from '../support/paperwork.ts';

// Sweep 25c: the printed 调拨令 (server/paperwork/print/plan.ts) says what the API says of the plan's course.
// F3 (README paperwork: a rejected document names its 驳回人 and 驳回理由): a plan rejected by its approver prints 驳回, who
//   rejected it (named as at the act), when and why; one withdrawn by its requester prints 撤回, who, when and why.
// F9 (D14, D16, D28): the approval's time and 文号 (the journal's 批准文号 of its shipments), who executed it and when,
//   and when it was completed — DispatchPlan.approvedAt / executedAt / completedAt.
// F10 (D28): a received line prints its actual arrival (the receipt's time) and hours since the disaster, and the 灾后超时
//   verdict is the API's meetsBasicNeedsTarget — not the planned hours, which flipped a met target into 超时.

const t = useTestApp({ resetClock: true, checkLedger: true });

const DIRECTOR = '新乡市应急管理局副局长';
const DISPATCHER = '新乡市应急管理局调度员';
const PLAN_REF = '新应急调〔2026〕25号';
// Next to 卫辉市救灾物资储备库 (as tests/api/relief-arrival-after-receipt.test.ts).
const POINT = { name: '卫辉市区安置点', regionCode: '410781100000', lat: 35.387, lng: 114.061 };

const LINE = 'quantity etaHours arrivesAt hoursSinceIncident meetsBasicNeedsTarget receivedQuantity';
const COURSE = `id status requestedAt approvedAt executedAt completedAt cancelledAt cancelReason meetsBasicNeedsTarget lines { ${LINE} }`;

const later = (minutes: number) => DateTime.fromISO(NOW).plus({ minutes }).toUTC().toISO()!;
/** An instant as the 调拨令 prints it: China time to the minute. */
const printed = (iso: string) => DateTime.fromISO(iso).setZone('Asia/Shanghai').toFormat('yyyy-LL-dd HH:mm');

const print = async (planId: string, as = 'dispatcher') => {
  const res = await download(t, `/paperwork/dispatch-plans/${planId}.html`, as);
  expect(res.status, res.text).toBe(200);
  return res.text;
};
const fact = (html: string, name: string) => new RegExp(`<dt>${name}</dt><dd>([^<]*)</dd>`).exec(html)?.[1];
/** The lines' table: header cells and body rows, as text. */
function lineTable(html: string): { headings: string[]; rows: string[][] } {
  const cells = (part: string, tag: string) => [...part.matchAll(new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);
  const head = /<thead>([\s\S]*?)<\/thead>/.exec(html)![1];
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1];
  return { headings: cells(head, 'th'), rows: [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => cells(m[1], 'td')) };
}

const planOf = async (id: string) => ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${COURSE} } }`, { p: id }, 'dispatcher')).dispatchPlan;
const request = async (incidentId: string, quantity: number) =>
  ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
      { i: { incidentId, destinations: [{ ...POINT, lines: [{ itemId: QUILT, quantity }] }] } },
      'dispatcher',
    ),
  ).requestDispatch;
const approve = async (planId: string) =>
  ok(await t.gql(`mutation($p: ID!, $r: String) { approveDispatchPlan(planId: $p, approvalRef: $r) { id } }`, { p: planId, r: PLAN_REF }, 'director'));
const execute = async (planId: string) =>
  ok(
    await t.gql(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN_FIELDS} } }`,
      { p: planId, k: key() },
      'dispatcher',
    ),
  ).executeDispatchPlan;

beforeAll(async () => {
  await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 100, batchNo: 'S25C-MB-WH', expiryDate: '2032-01-01', unitPrice: '158.00' }]);
});

describe('sweep 25c F9, F10 (D14, D28): the 调拨令 of an approved, executed and completed plan', () => {
  let incidentId: string;
  let planId: string;

  beforeAll(async () => {
    // The disaster was 9 h 55 min ago: the planned arrival (execution + ETA) falls after occurredAt + 10 h.
    incidentId = await createIncident(t, { name: '卫辉市夜间内涝（25c）', occurredAt: DateTime.fromISO(NOW).minus({ hours: 9, minutes: 55 }).toUTC().toISO() });
    planId = (await request(incidentId, 2)).id;
    await approve(planId);
  });

  it('F9, F10: approved — 批准人 with the time, the 批准文号; before execution the line is 预计 and flagged as the API flags it', async () => {
    const plan = await planOf(planId);
    const html = await print(planId);
    expect(fact(html, '批准人')).toBe(`${DIRECTOR} ${printed(plan.approvedAt)}`);
    expect(fact(html, '批准文号')).toBe(PLAN_REF);
    expect(fact(html, '执行')).toBeUndefined();
    const [line] = plan.lines;
    expect(line.meetsBasicNeedsTarget).toBe(false);
    const { headings, rows } = lineTable(html);
    const cell = rows[0][headings.indexOf('到达（灾后小时数）')];
    expect(cell).toBe(`预计 ${printed(line.arrivesAt)}（灾后 ${line.hoursSinceIncident} 小时）`);
    expect(fact(html, '灾后超时')).toBe(`第 1 行预计灾后 ${line.hoursSinceIncident} 小时到达，未能在灾后 10 小时基本生活保障时限内全部到达`);
  });

  it('F9: executed — who executed it and when (DispatchPlan.executedAt); received in full, 完成 with its time', async () => {
    const executed = await execute(planId);
    t.clock.set(later(3)); // received 3 minutes after execution, 2 minutes before occurredAt + 10 h
    await receiveAll(t, executed);
    const plan = await planOf(planId);
    const html = await print(planId);
    expect(fact(html, '执行')).toBe(`${DISPATCHER} ${printed(plan.executedAt)}`);
    expect(fact(html, '完成')).toBe(printed(plan.completedAt));
  });

  it('F10: received before occurredAt + 10 h although planned after it — the print says arrived, met, as the API; F9: 完成 with its time', async () => {
    t.clock.set(later(90)); // read later: the arrival stays the receipt's time
    const plan = await planOf(planId);
    expect(plan.status).toBe('COMPLETED');
    const [line] = plan.lines;
    expect(DateTime.fromISO(line.arrivesAt).toMillis()).toBe(DateTime.fromISO(later(3)).toMillis());
    expect(line).toMatchObject({ hoursSinceIncident: 9.97, meetsBasicNeedsTarget: true, receivedQuantity: 2 });
    expect(plan.meetsBasicNeedsTarget).toBe(true);
    const html = await print(planId);
    // The API's verdict: met — no 灾后超时 (the old print said 「灾后约 10.x 小时到达，超过…」 from execution + ETA).
    expect(fact(html, '灾后超时')).toBeUndefined();
    expect(html).not.toContain('灾后约');
    const { headings, rows } = lineTable(html);
    expect(rows[0][headings.indexOf('到达（灾后小时数）')]).toBe(`${printed(line.arrivesAt)} 已到达（灾后 9.97 小时）`);
    expect(fact(html, '状态')).toBe('已完成');
    expect(fact(html, '完成')).toBe(printed(plan.completedAt));
    expect(fact(html, '批准人')).toBe(`${DIRECTOR} ${printed(plan.approvedAt)}`);
    expect(fact(html, '批准文号')).toBe(PLAN_REF);
  });

  it('F10: planned in time, received after occurredAt + 10 h — 灾后超时 with the actual hours (hoursSinceIncident)', async () => {
    // 9 h 30 min after the disaster: executed now, planned to arrive within the 10 hours (the old print said nothing).
    const incident = await createIncident(t, { name: '卫辉市山洪（25c）', occurredAt: DateTime.fromISO(NOW).minus({ hours: 9, minutes: 30 }).toUTC().toISO() });
    const plan = await request(incident, 1);
    await approve(plan.id);
    const executed = await execute(plan.id);
    expect((await planOf(plan.id)).lines[0].meetsBasicNeedsTarget).toBe(true);
    t.clock.set(later(150)); // received 2 h 30 min after execution: 12 h after the disaster
    await receiveAll(t, executed);
    const [line] = (await planOf(plan.id)).lines;
    expect(line).toMatchObject({ hoursSinceIncident: 12, meetsBasicNeedsTarget: false });
    const html = await print(plan.id);
    expect(fact(html, '灾后超时')).toBe(`第 1 行灾后 12 小时到达，未能在灾后 10 小时基本生活保障时限内全部到达`);
    const { headings, rows } = lineTable(html);
    expect(rows[0][headings.indexOf('到达（灾后小时数）')]).toBe(`${printed(line.arrivesAt)} 已到达（灾后 12 小时）`);
  });
});

describe('sweep 25c F3: the 调拨令 of a plan that was rejected or withdrawn says so — who, when, why', () => {
  let incidentId: string;

  beforeAll(async () => {
    incidentId = await createIncident(t, { name: '卫辉市内涝（25c F3）' });
  });

  it('F3: rejected by its approver — 状态 已取消（审批驳回）, 驳回人 with the time, 驳回理由; no 批准人 「—」', async () => {
    const plan = await request(incidentId, 3);
    const approvalId = await pendingApprovalOf(t, plan.id, 'DISPATCH_PLAN');
    t.clock.set(later(5));
    const reason = '棉被需求量过大，请核实安置人数后重报';
    ok(await decideRaw(t, 'director', approvalId, 'REJECT', { reason }));
    const api = await planOf(plan.id);
    expect(api).toMatchObject({ status: 'CANCELLED', cancelReason: `审批驳回：${reason}` });
    const html = await print(plan.id);
    expect(fact(html, '状态')).toBe('已取消（审批驳回）');
    expect(fact(html, '驳回人')).toBe(`${DIRECTOR} ${printed(api.cancelledAt)}`);
    expect(fact(html, '驳回理由')).toBe(reason);
    expect(fact(html, '批准人')).toBeUndefined();
    // A cancelled plan moves nothing: no arrival, no 灾后 verdict.
    expect(fact(html, '灾后超时')).toBeUndefined();
  });

  it('F3: withdrawn by its requester — 状态 已取消（申请人撤回）, 撤回 with who and when, 撤回理由', async () => {
    const plan = await request(incidentId, 4);
    t.clock.set(later(7));
    const reason = '测试方案撤回';
    ok(await t.gql(`mutation($p: ID!, $r: String!) { cancelDispatchPlan(planId: $p, reason: $r) { id } }`, { p: plan.id, r: reason }, 'dispatcher'));
    const api = await planOf(plan.id);
    const html = await print(plan.id);
    expect(fact(html, '状态')).toBe('已取消（申请人撤回）');
    expect(fact(html, '撤回')).toBe(`${DISPATCHER} ${printed(api.cancelledAt)}`);
    expect(fact(html, '撤回理由')).toBe(reason);
    expect(fact(html, '驳回人')).toBeUndefined();
  });
});
