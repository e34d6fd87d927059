import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NOW, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { cancelTransferRaw, shipRaw } from '../support/ledger-ops.ts';
import { createIncident, ok } from '../support/relief.ts';

// Sweep 19a F1 (D14, D27, D28): a 补发 — a shipment citing an executing plan after its own was cancelled or lost — is no
// line's `transfer`, so a plan's shipments listed from its lines never showed it (the console could neither receive nor
// cancel it). DispatchPlan.transfers lists every shipment citing the plan, in the order shipped, to the plan's readers.

const POINT = { name: '补发列表测试安置点', regionCode: '410781105000', lat: 35.45, lng: 113.97 };
const TRANSFERS = `query($p: ID!) { dispatchPlan(id: $p) { transfers { id number status dispatchPlanId lines { shipped inTransit } } } }`;

describe('sweep 19a F1: DispatchPlan.transfers', () => {
  const t = useTestApp();
  afterEach(() => {
    t.clock.set(NOW);
    return expectLedgerConsistent(t);
  });
  let incidentId: string;

  beforeAll(async () => {
    await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 100, batchNo: 'WH-MB-19A', expiryDate: '2030-01-01', unitPrice: '150.00' }]);
    incidentId = await createIncident(t, {});
  });

  it('D27, D28: lists the shipment the execution sent and the 补发 citing the plan, cancelled or in transit, to the plan’s readers', async () => {
    const { requestDispatch: requested } = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id transfers { id } } }`,
        { i: { incidentId, destinations: [{ ...POINT, lines: [{ itemId: QUILT, quantity: 10 }] }] } },
        'dispatcher',
      ),
    );
    expect(requested.transfers).toEqual([]); // nothing shipped before execution
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: requested.id }, 'director'));
    const { executeDispatchPlan: plan } = ok(
      await t.gql(
        `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id lines { batch { id } transfer { id } } destinations { store { id } } } }`,
        { p: requested.id, k: key() },
        'dispatcher',
      ),
    );
    const first = plan.lines[0].transfer.id as string;
    expect(ok(await cancelTransferRaw(t, 'dispatcher', first)).cancelTransfer.status).toBe('CANCELLED');
    const reship = ok(
      await shipRaw(t, 'dispatcher', {
        fromStoreId: WEIHUI,
        toStoreId: plan.destinations[0].store.id,
        dispatchPlanId: plan.id,
        lines: [{ itemId: QUILT, batchId: plan.lines[0].batch.id, quantity: 4 }],
      }),
    ).shipTransfer;

    for (const reader of ['dispatcher', 'director', 'auditor']) {
      const { dispatchPlan } = ok(await t.gql(TRANSFERS, { p: plan.id }, reader));
      expect(dispatchPlan.transfers).toEqual([
        expect.objectContaining({ id: first, status: 'CANCELLED', dispatchPlanId: plan.id }),
        expect.objectContaining({ id: reship.id, status: 'IN_TRANSIT', dispatchPlanId: plan.id, lines: [{ shipped: 4, inTransit: 4 }] }),
      ]);
    }
    // The line still names only its own shipment: the 补发 is found through the plan's list.
    const { dispatchPlan } = ok(await t.gql(`query($p: ID!) { dispatchPlan(id: $p) { lines { transfer { id } } } }`, { p: plan.id }, 'dispatcher'));
    expect(dispatchPlan.lines).toEqual([{ transfer: { id: first } }]);
  });
});
