import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { expectLedgerConsistent, key, receive, WEIHUI } from '../support/ledger.ts';
import { lineOf, reverseRaw } from '../support/ledger-ops.ts';
import { createIncident, executedPlan, ok, receiveAll } from '../support/relief.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';

// D30, D22: what is outstanding after a recovery (or its scrap) is reversed; and which box a refused count names.

const COMMAND_TENT = itemId('LIV-003'); // 救灾指挥帐篷: always recovered (D12)

describe('D30, D22: a reversed recovery is as if it had not happened in what is outstanding', () => {
  const t = useTestApp();
  afterEach(() => expectLedgerConsistent(t));
  let plan: any;
  let incidentId: string;
  let batchId: string;
  let point: string;

  beforeAll(async () => {
    const received = await receive(t, 'admin', WEIHUI, [{ itemId: COMMAND_TENT, quantity: 10, batchNo: 'RRV-WH-ZHZP', expiryDate: '2033-01-01' }]);
    batchId = received.lines[0].batch.id;
    incidentId = await createIncident(t, { affectedPopulation: 200 });
    plan = await executedPlan(t, incidentId, [
      { name: '汲水镇冲销测试安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId: COMMAND_TENT, quantity: 10 }] },
    ]);
    await receiveAll(t, plan);
    point = plan.lines[0].destination.store.id;
    expect((await lineOf(t, point, COMMAND_TENT, batchId))!.onHand).toBe(10);
  });

  const line = async () => {
    const lines = ok(
      await t.gql(
        `query($id: ID!) { outstandingRecovery(incidentId: $id) { store { id } batch { id } received returned outstanding } }`,
        { id: incidentId },
        'dispatcher',
      ),
    ).outstandingRecovery as any[];
    const l = lines.find((x) => x.store.id === point && x.batch.id === batchId);
    return l && { received: l.received, returned: l.returned, outstanding: l.outstanding };
  };
  const recover = (l: Record<string, unknown>) =>
    t.gql(
      `mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`,
      { i: { planId: plan.id, idempotencyKey: key(), lines: [{ batchId, storeId: point, ...l }] } },
      'dispatcher',
    );
  /** The newest document of `type` with a movement at the point (the ledger lists the newest recorded first). */
  const newestAtPoint = async (type: string) =>
    ok(
      await t.gql(
        `query($f: MovementFilter!) { movements(filter: $f, first: 1) { edges { node { document { id number status } } } } }`,
        { f: { storeId: point, batchId, type } },
        'admin',
      ),
    ).movements.edges[0].node.document as { id: string; number: string; status: string };

  it('D22, D30: after an approved reversal of a recovery, returned and outstanding are as before it; counting again does not hide what is still out', async () => {
    ok(await recover({ good: 3 }));
    ok(await recover({ good: 3 }));
    expect(await line()).toEqual({ received: 10, returned: 6, outstanding: 4 });
    const second = await newestAtPoint('RECOVERY');

    // Asked, not yet approved: the recovery still stands (its stock held at the owner's store).
    const asked = ok(await reverseRaw(t, 'dispatcher', second.id, key(), false)).reverseDocument;
    expect(asked.status).toBe('PENDING_APPROVAL');
    expect(await line()).toEqual({ received: 10, returned: 6, outstanding: 4 });

    ok(await decideRaw(t, 'admin', await pendingApprovalOf(t, asked.id, 'REVERSAL'), 'APPROVE'));
    expect((await newestAtPoint('RECOVERY')).status).toBe('REVERSED');
    expect((await lineOf(t, point, COMMAND_TENT, batchId))!.onHand).toBe(7);
    expect(await line()).toEqual({ received: 10, returned: 3, outstanding: 7 });

    // The 7 back at the point: 6 of them recovered again — one is still out and still listed.
    ok(await recover({ good: 6 }));
    expect(await line()).toEqual({ received: 10, returned: 9, outstanding: 1 });
  });

  it('D22, D27, D30: a damaged count approved as scrap and then reversed is owed again', async () => {
    const before = await line();
    const held = (await lineOf(t, point, COMMAND_TENT, batchId))!.onHand;
    expect(held).toBeGreaterThan(0);
    ok(await recover({ damaged: 1 }));
    // A pending scrap has no movements yet: found by its approval.
    const pending = ok(
      await t.gql(`{ approvals(filter: { status: PENDING, kind: SCRAP }, first: 50) { edges { node { id subjectId summary } } } }`, {}, 'admin'),
    ).approvals.edges.map((e: any) => e.node) as any[];
    const approval = pending.find((a) => a.summary.includes('汲水镇冲销测试安置点'));
    ok(await decideRaw(t, 'admin', approval.id, 'APPROVE'));
    expect((await newestAtPoint('SCRAP')).id).toBe(approval.subjectId);
    // Approved, the damaged tent counts as returned (the line goes when nothing more is out).
    const scrapped = before!.outstanding > 1 ? { ...before, returned: before!.returned + 1, outstanding: before!.outstanding - 1 } : undefined;
    expect(await line()).toEqual(scrapped);
    ok(await reverseRaw(t, 'dispatcher', approval.subjectId));
    expect((await lineOf(t, point, COMMAND_TENT, batchId))!.onHand).toBe(held);
    expect(await line()).toEqual(before);
  });

  it('D30: a refused count names the box that carries the quantity — lost or damaged, or the first counted when several', async () => {
    const before = await line();
    const held = (await lineOf(t, point, COMMAND_TENT, batchId))!.available;
    const over = held + 1;
    for (const [l, field] of [
      [{ lost: over }, 'input.lines.0.lost'],
      [{ damaged: over }, 'input.lines.0.damaged'],
      [{ good: over }, 'input.lines.0.good'],
      [{ good: 1, lost: held }, 'input.lines.0.good'],
      [{ damaged: 1, lost: held }, 'input.lines.0.damaged'],
    ] as const) {
      const res = await recover(l);
      expect(errorCode(res), JSON.stringify(l)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions, JSON.stringify(l)).toMatchObject({ field, held, requested: over });
    }
    expect(await line()).toEqual(before);
  });
});
