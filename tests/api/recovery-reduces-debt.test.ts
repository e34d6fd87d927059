import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { COTTON_TENT, expectLedgerConsistent, JINCHENG, key, onHandOf, receive, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { documentById, reverseRaw } from '../support/ledger-ops.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';
import { createIncident, executedPlan, ok, receiveAll } from '../support/relief.ts';

// Sweep 4, M2 (D15, D25, D30): good stock recovered into the store a plan took it from is given back in kind — the
// settlement owed (settlements) and the replenishment owed to the lower level (replenishmentsOwed) go down by what came
// back there, per batch, never below zero, as for a cancelled shipment; a recovery into any other store reduces nothing.
// A line given back in full is closed (SETTLED, 0, the recovery named). A settlement already settled is not repaid twice:
// a recovery into the lender's store is refused, and goes to the borrowing side's store instead. A recovery that repaid
// a settlement is not reversed (as a settling receipt is not).

const t = useTestApp();
afterEach(() => expectLedgerConsistent(t));

const XINXIANG_COUNTY_ENTRUSTED = storeId('S-410721-02'); // 新乡县救灾物资代储库（七里营）: 新乡县's too (ENTRUSTED, region 410721)
const COMMAND_TENT = itemId('LIV-003'); // 救灾指挥帐篷: held only by 新乡县's store in this file; always recovered (D12)
const SETTLEMENT = `id status quantity value reference documentId owedTo { code } owedBy { code } store { id } item { id } plan { id }`;
const JISHUI = { regionCode: '410781100000', lat: 35.3985, lng: 114.065 };

async function settlementsOf(planId: string) {
  const all = ok(await t.gql(`query { settlements { ${SETTLEMENT} } }`, {}, 'admin')).settlements as any[];
  return all.filter((s) => s.plan?.id === planId);
}

async function replenishments(regionCode: string) {
  return ok(await t.gql(`query($r: String!) { replenishmentsOwed(regionCode: $r) { planId store { id } item { id } quantity } }`, { r: regionCode }, 'admin'))
    .replenishmentsOwed as { planId: string; store: { id: string }; item: { id: string }; quantity: number }[];
}

const recover = (planId: string, lines: Record<string, unknown>[], extra: Record<string, unknown> = {}) =>
  t.gql(`mutation($i: RecoveryInput!) { recoverIncidentStock(input: $i) { id } }`, { i: { planId, idempotencyKey: key(), lines, ...extra } }, 'dispatcher');

/** The newest recovery document that booked `batchId` into `storeId`. */
async function newestRecoveryInto(storeId: string, batchId: string) {
  return ok(
    await t.gql(
      `query($f: MovementFilter!) { movements(filter: $f, first: 1) { edges { node { quantity document { id number status reversible } } } } }`,
      { f: { storeId, batchId, type: 'RECOVERY' } },
      'admin',
    ),
  ).movements.edges[0].node as { quantity: number; document: { id: string; number: string; status: string; reversible: boolean } };
}

describe('D15, D30: a lower level’s stock recovered into its own store reduces the replenishment it is owed', () => {
  let plan: any;
  let batchId: string;
  let point: string;

  beforeAll(async () => {
    // Only 新乡县's store holds command tents: 新乡市's plan for 卫辉 takes 20 of them — 新乡市 owes 新乡县 20 (D15).
    const received = await receive(t, 'admin', XINXIANG_COUNTY, [
      { itemId: COMMAND_TENT, quantity: 20, batchNo: 'RRD-XXX-ZHZP', unitPrice: '1000.00', expiryDate: '2034-01-01' },
    ]);
    batchId = received.lines[0].batch.id;
    const incidentId = await createIncident(t, { name: '卫辉市洪涝（回收冲减补库）', affectedPopulation: 500 });
    plan = await executedPlan(t, incidentId, [{ name: '回收冲减补库测试安置点', ...JISHUI, lines: [{ itemId: COMMAND_TENT, quantity: 20 }] }]);
    expect(plan.lines).toEqual([expect.objectContaining({ store: { id: XINXIANG_COUNTY }, quantity: 20 })]);
    await receiveAll(t, plan);
    point = plan.lines[0].destination.store.id;
    expect(await settlementsOf(plan.id)).toEqual([
      expect.objectContaining({ status: 'OPEN', quantity: 20, value: '20000.00', owedTo: { code: '410721000000' }, owedBy: { code: '410700000000' } }),
    ]);
  });

  it('M2, D30: 12 good back into 新乡县’s store (1 damaged, 1 lost): 8 owed — settlements and replenishmentsOwed alike; the recovery is not reversed', async () => {
    const countyBefore = await onHandOf(t, XINXIANG_COUNTY, COMMAND_TENT);
    ok(await recover(plan.id, [{ batchId, storeId: point, good: 12, damaged: 1, lost: 1 }]));
    expect(await onHandOf(t, XINXIANG_COUNTY, COMMAND_TENT)).toBe(countyBefore + 12);
    const [s] = await settlementsOf(plan.id);
    // Damaged and lost tents were used up on the borrowing side's account: they stay owed.
    expect(s).toMatchObject({ status: 'OPEN', quantity: 8, value: '8000.00', reference: null, store: { id: XINXIANG_COUNTY } });
    expect((await replenishments('410721')).filter((r) => r.planId === plan.id)).toEqual([
      { planId: plan.id, store: { id: XINXIANG_COUNTY }, item: { id: COMMAND_TENT }, quantity: 8 },
    ]);

    // D22, D25: the recovery repaid the debt in kind: it is not offered for reversal, and a reversal is refused.
    const recovery = await newestRecoveryInto(XINXIANG_COUNTY, batchId);
    expect(recovery).toMatchObject({ quantity: 12, document: { status: 'POSTED', reversible: false } });
    const refused = await reverseRaw(t, 'dispatcher', recovery.document.id, key(), false);
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(refused.errors![0].message).toContain(recovery.document.number);
    expect(refused.errors![0].message).toContain('不能冲销');
    expect(refused.errors![0].extensions).toMatchObject({ field: 'documentId', settlementIds: [s.id] });
    expect((await settlementsOf(plan.id))[0]).toMatchObject({ status: 'OPEN', quantity: 8 });
  });

  it('M2, D30: good stock recovered into another store of its owner (新乡县’s 代储库) reduces nothing; that recovery is reversed as before', async () => {
    // D23, D24, D30: another store of the owner, 新乡县 (not another region's, e.g. 卫辉's: refused — recovery-destination.test.ts).
    ok(await recover(plan.id, [{ batchId, storeId: point, good: 3 }], { toStoreId: XINXIANG_COUNTY_ENTRUSTED }));
    expect(await onHandOf(t, XINXIANG_COUNTY_ENTRUSTED, COMMAND_TENT)).toBe(3);
    expect((await settlementsOf(plan.id))[0]).toMatchObject({ status: 'OPEN', quantity: 8, value: '8000.00' });
    expect((await replenishments('410721')).find((r) => r.planId === plan.id)?.quantity).toBe(8);
    const elsewhere = await newestRecoveryInto(XINXIANG_COUNTY_ENTRUSTED, batchId);
    expect(elsewhere.document.reversible).toBe(true);
    const reversal = ok(await reverseRaw(t, 'dispatcher', elsewhere.document.id, key(), false)).reverseDocument;
    ok(await decideRaw(t, 'director', await pendingApprovalOf(t, reversal.id, 'REVERSAL'), 'APPROVE'));
    expect(await documentById(t, elsewhere.document.id)).toMatchObject({ status: 'REVERSED' });
    expect((await settlementsOf(plan.id))[0]).toMatchObject({ status: 'OPEN', quantity: 8 });
  });

  it('M2, D15: the rest recovered into 新乡县’s store leaves what was damaged and lost owed (2); never below it', async () => {
    // 20 − 12 − 1 − 1 = 6 at the point (the 3 of the reversed recovery back there).
    ok(await recover(plan.id, [{ batchId, storeId: point, good: 6 }]));
    expect((await settlementsOf(plan.id))[0]).toMatchObject({ status: 'OPEN', quantity: 2, value: '2000.00' });
    expect((await replenishments('410721')).find((r) => r.planId === plan.id)?.quantity).toBe(2);
  });
});

describe('D25, D30: a 联储 partner’s stock recovered into its store reduces the settlement; given back in full it is closed', () => {
  let incidentId: string;
  let batchId: string;

  beforeAll(async () => {
    ok(
      await t.gql(
        `mutation($i: JointReserveAgreementInput!) { createJointReserveAgreement(input: $i) { id } }`,
        { i: { regionCodes: ['410700', '140500'], validFrom: '2025-01-01', validTo: '2028-12-31', note: '豫晋交界地区应急物资联储联调协议' } },
        'admin',
      ),
    );
    // Only 晋城's store holds cotton tents: 新乡市's plans use them under the agreement, without consent (D25).
    const received = await receive(t, 'admin', JINCHENG, [
      { itemId: COTTON_TENT, quantity: 200, batchNo: 'RRD-JC-MZP', unitPrice: '1280.00', expiryDate: '2034-01-01' },
    ]);
    batchId = received.lines[0].batch.id;
    incidentId = await createIncident(t, { name: '卫辉市洪涝（联储回收）', affectedPopulation: 3000 });
  });

  it('M2, D25: 100 taken, 60 then 40 good back into 晋城’s store: 40 owed, then nothing — closed naming the recovery; replenishmentsOwed agrees', async () => {
    const plan = await executedPlan(t, incidentId, [{ name: '联储回收测试安置点一', ...JISHUI, lines: [{ itemId: COTTON_TENT, quantity: 100 }] }]);
    expect(plan.lines).toEqual([expect.objectContaining({ store: { id: JINCHENG }, quantity: 100 })]);
    await receiveAll(t, plan);
    const point = plan.lines[0].destination.store.id;
    expect(await settlementsOf(plan.id)).toEqual([
      expect.objectContaining({ status: 'OPEN', quantity: 100, value: '128000.00', owedTo: { code: '140500000000' }, owedBy: { code: '410700000000' } }),
    ]);
    const before = await onHandOf(t, JINCHENG, COTTON_TENT);

    ok(await recover(plan.id, [{ batchId, storeId: point, good: 60 }])); // D30: by default back to the store it came from
    expect(await onHandOf(t, JINCHENG, COTTON_TENT)).toBe(before + 60);
    expect(await settlementsOf(plan.id)).toEqual([expect.objectContaining({ status: 'OPEN', quantity: 40, value: '51200.00' })]);
    expect((await replenishments('140500')).filter((r) => r.planId === plan.id)).toEqual([
      { planId: plan.id, store: { id: JINCHENG }, item: { id: COTTON_TENT }, quantity: 40 },
    ]);

    ok(await recover(plan.id, [{ batchId, storeId: point, good: 40 }]));
    const last = await newestRecoveryInto(JINCHENG, batchId);
    const [closed] = await settlementsOf(plan.id);
    expect(closed).toMatchObject({ status: 'SETTLED', quantity: 0, value: '0.00', documentId: null });
    expect(closed.reference).toContain(last.document.number);
    expect((await replenishments('140500')).filter((r) => r.planId === plan.id)).toEqual([]);
  });

  it('M2, D25: a settlement settled by reference is not repaid again — the recovery into 晋城’s store is refused; into 新乡’s store it posts, the settlement unchanged', async () => {
    const plan = await executedPlan(t, incidentId, [{ name: '联储回收测试安置点二', ...JISHUI, lines: [{ itemId: COTTON_TENT, quantity: 50 }] }]);
    await receiveAll(t, plan);
    const point = plan.lines[0].destination.store.id;
    const [owed] = await settlementsOf(plan.id);
    expect(owed).toMatchObject({ status: 'OPEN', quantity: 50 });
    ok(
      await t.gql(
        `mutation($i: SettleInput!) { settle(input: $i) { status } }`,
        { i: { settlementId: owed.id, reference: '新乡市归还棉帐篷50顶' } },
        'jincheng',
      ),
    );
    const jincheng = await onHandOf(t, JINCHENG, COTTON_TENT);

    const refused = await recover(plan.id, [{ batchId, storeId: point, good: 50 }]);
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(refused.errors![0].message).toContain('新乡市归还棉帐篷50顶');
    expect(refused.errors![0].message).toContain('重复归还');
    expect(refused.errors![0].extensions).toMatchObject({ field: 'input.toStoreId', settlementIds: [owed.id] });
    expect(await onHandOf(t, JINCHENG, COTTON_TENT)).toBe(jincheng);

    ok(await recover(plan.id, [{ batchId, storeId: point, good: 50 }], { toStoreId: XINXIANG }));
    expect(await onHandOf(t, XINXIANG, COTTON_TENT)).toBe(50);
    expect(await onHandOf(t, JINCHENG, COTTON_TENT)).toBe(jincheng);
    expect(await settlementsOf(plan.id)).toEqual([
      expect.objectContaining({ status: 'SETTLED', quantity: 50, value: '64000.00', reference: '新乡市归还棉帐篷50顶' }),
    ]);
  });
});
