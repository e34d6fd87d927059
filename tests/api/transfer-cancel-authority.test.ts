import { sql } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, onHandOf, QUILT, receive, TANGZHUANG, WEIHUI } from '../support/ledger.ts';
import { cancelTransferRaw, ledgerCounts, ok, shipRaw, transferById } from '../support/ledger-ops.ts';
import { createIncident, requestPlan } from '../support/relief.ts';

// Sweep M2 (D23, D24, D27 "no one person moves reserves alone"): a dispatch plan's shipment, approved by the director and
// executed by the dispatcher, could be cancelled by its source store's keeper alone — the goods back on the keeper's own
// book at once, nobody else involved. Now the command (a dispatcher or administrator whose region covers the source
// store) cancels a plan's shipment; its keeper is refused and told who does. A transfer against an outbound order is
// still the shipping store's to cancel (the goods go back to the order, D23).

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const PLAN = `id status lines { store { id } quantity transfer { id number status } }`;

let incidentId: string;

beforeAll(async () => {
  // Test databases start with empty stores: 卫辉市救灾物资储备库 (the keeper's) holds the only quilts, so it ships them.
  await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 200, batchNo: 'CA-MB-01', expiryDate: '2030-01-01', unitPrice: '150.00' }]);
  incidentId = await createIncident(t, { name: '卫辉市撤销权限测试' });
});

const planById = async (id: string) => ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { ${PLAN} } }`, { p: id }, 'dispatcher')).dispatchPlan;

/** requestDispatch (dispatcher) → approveDispatchPlan (director) → executeDispatchPlan (dispatcher): one shipment from 卫辉. */
async function planShipment(quantity: number) {
  const plan = await requestPlan(t, incidentId, QUILT, quantity);
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
  ok(await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`, { p: plan.id, k: key() }, 'dispatcher'));
  const executed = await planById(plan.id);
  expect(executed.status).toBe('EXECUTING');
  expect(executed.lines).toHaveLength(1);
  const [line] = executed.lines;
  expect(line).toMatchObject({ store: { id: WEIHUI }, quantity, transfer: { status: 'IN_TRANSIT' } });
  return { planId: plan.id as string, transfer: line.transfer as { id: string; number: string } };
}

const auditOf = (transferId: string) =>
  queryRows<{ username: string; outcome: string; message: string | null }>(
    t.database.db,
    sql`SELECT username, outcome, message FROM audit_log WHERE operation = 'cancelTransfer' AND input->>'transferId' = ${transferId} ORDER BY id`,
  );

describe("D24, D27: a dispatch plan's shipment is cancelled by the command, not by its source store's keeper alone", () => {
  it("D24, D27: the source store's keeper → FORBIDDEN naming the transfer and the plan and who cancels it; nothing changes; the refusal is audited", async () => {
    const { planId, transfer } = await planShipment(10);
    const onHand = await onHandOf(t, WEIHUI, QUILT);
    const counts = await ledgerCounts(t);

    const res = await cancelTransferRaw(t, 'keeper', transfer.id);
    expect(errorCode(res)).toBe('FORBIDDEN');
    const message = res.errors![0].message;
    expect(message).toBe(
      `调拨单 ${transfer.number} 属于指挥部的调拨方案（调拨令号见单据备注），须由指挥部调度员（辖区包含调出仓库的调度员或管理员）撤销，仓库保管员不能撤销`,
    );
    expect(res.errors![0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'transferId' });

    // Nothing changed: still in transit, the keeper's book as it was, no document, the plan still executing.
    expect(await transferById(t, transfer.id)).toMatchObject({ status: 'IN_TRANSIT', lines: [{ shipped: 10, cancelled: 0, inTransit: 10 }] });
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(onHand);
    expect(await ledgerCounts(t)).toEqual(counts);
    expect((await planById(planId)).status).toBe('EXECUTING');
    // D22: the refusal has its audit row, with what the keeper was told.
    expect(await auditOf(transfer.id)).toEqual([{ username: 'keeper', outcome: 'FORBIDDEN', message }]);
  });

  it('D24, D25: a dispatcher of another region (晋城) → FORBIDDEN, told nothing of the transfer; nothing changes', async () => {
    const { planId, transfer } = await planShipment(5);
    const onHand = await onHandOf(t, WEIHUI, QUILT);
    const counts = await ledgerCounts(t);
    const res = await cancelTransferRaw(t, 'jincheng', transfer.id);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].message).not.toContain(transfer.number);
    expect(res.errors![0].message).not.toContain(planId.slice(0, 8));
    expect((await transferById(t, transfer.id)).status).toBe('IN_TRANSIT');
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(onHand);
    expect(await ledgerCounts(t)).toEqual(counts);
    expect((await auditOf(transfer.id)).map((r) => [r.username, r.outcome])).toEqual([['jincheng', 'FORBIDDEN']]);
  });

  it('D24, D27: the dispatcher whose region covers the source store cancels it: CANCELLED, the stock back at the source, the plan still EXECUTING', async () => {
    const { planId, transfer } = await planShipment(8);
    const onHand = await onHandOf(t, WEIHUI, QUILT);
    expect(errorCode(await cancelTransferRaw(t, 'keeper', transfer.id))).toBe('FORBIDDEN');
    const cancelled = ok(await cancelTransferRaw(t, 'dispatcher', transfer.id)).cancelTransfer;
    expect(cancelled).toMatchObject({ id: transfer.id, status: 'CANCELLED', lines: [{ shipped: 8, cancelled: 8, inTransit: 0 }] });
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(onHand + 8);
    // The plan waits to be shipped again or closed short (sweep M1), as before.
    expect((await planById(planId)).status).toBe('EXECUTING');
    expect((await auditOf(transfer.id)).map((r) => [r.username, r.outcome])).toEqual([
      ['keeper', 'FORBIDDEN'],
      ['dispatcher', 'OK'],
    ]);
  });

  it('D24: a system administrator (no region: covers every store) cancels a plan shipment too', async () => {
    const { transfer } = await planShipment(3);
    expect(ok(await cancelTransferRaw(t, 'admin', transfer.id)).cancelTransfer.status).toBe('CANCELLED');
  });
});

describe('D23: a transfer against an outbound order is still the shipping store’s to cancel', () => {
  it('D23: the keeper cancels a transfer it shipped against an approved order: CANCELLED, the stock back on hand', async () => {
    const before = await onHandOf(t, WEIHUI, QUILT);
    const shipped = ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: TANGZHUANG, lines: [{ itemId: QUILT, quantity: 6 }] })).shipTransfer;
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(before - 6);
    const cancelled = ok(await cancelTransferRaw(t, 'keeper', shipped.id)).cancelTransfer;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', lines: [{ shipped: 6, cancelled: 6, inTransit: 0 }] });
    expect(await onHandOf(t, WEIHUI, QUILT)).toBe(before);
  });
});
