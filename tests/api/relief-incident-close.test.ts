import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, QUILT, receive, stockAt, WEIHUI } from '../support/ledger.ts';
import { createIncident, executedPlan, ok, receiveAll } from '../support/relief.ts';

// D29: an incident that is over moves no more stock. It closes only when none of its plans still awaits approval or
// execution (an approved plan holds its stock reserved) or has goods on their way to a 安置点, and no plan is approved
// or executed once it has closed.

const ext = (res: { errors?: { extensions: Record<string, unknown> }[] }) => res.errors?.[0]?.extensions ?? {};
const DESTINATION = { name: '汲水镇安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: QUILT, quantity: 4 }] };

describe('D29: closing an incident with plans still pending', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));

  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 30, batchNo: 'CLOSE-MB-01', expiryDate: '2032-01-01' }]);
  });

  const request = async (incidentId: string) =>
    ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        { i: { incidentId, destinations: [DESTINATION] } },
        'dispatcher',
      ),
    ).requestDispatch.id as string;
  const close = (incidentId: string) => t.gql(`mutation($id: ID!) { closeIncident(incidentId: $id) { id closedAt } }`, { id: incidentId }, 'dispatcher');
  const closedAt = async (incidentId: string) =>
    ok(await t.gql(`query($id: ID!) { incident(id: $id) { closedAt } }`, { id: incidentId }, 'dispatcher')).incident.closedAt;
  const reserved = async () => (await stockAt(t, WEIHUI, QUILT)).find((l: any) => l.batch.batchNo === 'CLOSE-MB-01').reserved as number;

  it('D29: closeIncident is refused while a plan awaits approval, then while it is approved but not executed, naming it; after it is cancelled the incident closes', async () => {
    const incidentId = await createIncident(t, { name: '结束前有待批方案的事件' });
    const planId = await request(incidentId);

    const proposed = await close(incidentId);
    expect(errorCode(proposed)).toBe('INVALID_STATE');
    expect(proposed.errors![0].message).toMatch(/还有 1 个调拨方案未执行：DL-\d{8}-[0-9A-F]{8}（待审批）/);
    expect(ext(proposed)).toMatchObject({ field: 'incidentId', planIds: [planId] });
    // The plan carries the number the message names it by (DispatchPlan.number; the console shows it, sweep 16b).
    const { number } = ok(await t.gql(`query($id: ID!) { dispatchPlan(id: $id) { number } }`, { id: planId }, 'dispatcher')).dispatchPlan;
    expect(number).toMatch(/^DL-\d{8}-[0-9A-F]{8}$/);
    expect(proposed.errors![0].message).toContain(`未执行：${number}（待审批）`);
    const suggestion = ok(
      await t.gql(
        `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { id number } }`,
        { i: { incidentId, destinations: [DESTINATION] } },
        'dispatcher',
      ),
    ).suggestDispatchPlan;
    expect(suggestion).toEqual({ id: null, number: null });
    expect(await closedAt(incidentId)).toBeNull();

    // D24: approved by another person; the plan's stock is now reserved for it.
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { status } }`, { p: planId }, 'director'));
    expect(await reserved()).toBe(4);
    const approved = await close(incidentId);
    expect(errorCode(approved)).toBe('INVALID_STATE');
    expect(approved.errors![0].message).toContain('（已批准未执行）');
    expect(await closedAt(incidentId)).toBeNull();
    expect(await reserved()).toBe(4);

    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "灾情缓解，不再调拨") { status } }`, { p: planId }, 'dispatcher'));
    expect(await reserved()).toBe(0);
    const closed = ok(await close(incidentId)).closeIncident;
    expect(closed.closedAt).not.toBeNull();
    // Closed again: said so (sweep L15), not in the words that refuse what a closed incident takes.
    const again = await close(incidentId);
    expect(errorCode(again)).toBe('INVALID_STATE');
    expect(again.errors![0].message).toMatch(/已结束（\d{4}-\d{2}-\d{2} \d{2}:\d{2}），无需再次结束$/);
    // Each refusal was audited; the close that committed has its row too.
    const audit = ok(
      await t.gql(`{ auditLog(filter: { operation: "closeIncident" }, first: 20) { edges { node { outcome } } } }`, {}, 'admin'),
    ).auditLog.edges.map((e: any) => e.node.outcome);
    expect(audit.filter((o: string) => o === 'OK')).toHaveLength(1);
    expect(audit.filter((o: string) => o !== 'OK').length).toBeGreaterThanOrEqual(2);
  });

  it('D29, D14 (sweep 8b F1): closeIncident is refused while an executed plan has goods in transit, naming it; once they are received the incident closes', async () => {
    const incidentId = await createIncident(t, { name: '结束前尚有在途物资的事件' });
    const plan = await executedPlan(t, incidentId, [DESTINATION]);
    expect(plan.status).toBe('EXECUTING');

    // Closed now, the 安置点 could not hand out what arrives (D29): the close waits for it.
    const underway = await close(incidentId);
    expect(errorCode(underway)).toBe('INVALID_STATE');
    expect(underway.errors![0].message).toMatch(/还有 1 个调拨方案的物资在途或未到货：DL-\d{8}-[0-9A-F]{8}。请先收货，或撤销在途调拨、取消调用单，再结束事件$/);
    expect(ext(underway)).toMatchObject({ field: 'incidentId', planIds: [plan.id] });
    expect(await closedAt(incidentId)).toBeNull();

    await receiveAll(t, plan);
    expect(ok(await close(incidentId)).closeIncident.closedAt).not.toBeNull();
  });

  it('D29: a plan is neither approved nor executed once its incident has closed (a close that came first), and nothing is reserved or shipped', async () => {
    const incidentId = await createIncident(t, { name: '方案审批前已结束的事件' });
    const toApprove = await request(incidentId);
    const toExecute = await request(incidentId);
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { status } }`, { p: toExecute }, 'director'));
    expect(await reserved()).toBe(4);
    // The close that won a race with these steps: closeIncident itself refuses while they are pending.
    await queryRows(t.database.db, sql`UPDATE incidents SET closed_at = now() WHERE id = ${incidentId}::uuid`);

    const approval = await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { status } }`, { p: toApprove }, 'director');
    expect(errorCode(approval)).toBe('INVALID_STATE');
    expect(approval.errors![0].message).toContain('已结束');
    expect(ext(approval).field).toBe('planId');
    const execution = await t.gql(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { status } }`,
      { p: toExecute, k: key() },
      'dispatcher',
    );
    expect(errorCode(execution)).toBe('INVALID_STATE');
    expect(ext(execution).field).toBe('planId');

    const statuses = ok(await t.gql(`query($id: ID!) { incident(id: $id) { plans { id status } } }`, { id: incidentId }, 'dispatcher')).incident.plans.map(
      (p: any) => [p.id, p.status],
    );
    expect(Object.fromEntries(statuses)).toEqual({ [toApprove]: 'PROPOSED', [toExecute]: 'APPROVED' });
    // Only the plan approved before the close holds stock; it can still be cancelled to release it.
    expect(await reserved()).toBe(4);
    ok(await t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "事件已结束") { status } }`, { p: toExecute }, 'dispatcher'));
    expect(await reserved()).toBe(0);
  });
});
