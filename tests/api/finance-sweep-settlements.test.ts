import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { createIncident } from '../support/relief.ts';
import { key, receive, WEIHUI, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';
import { documentById, ok, reverseRaw } from '../support/ledger-ops.ts';
import { decideRaw, pendingApprovalOf } from '../support/authority.ts';

// Finance sweep, settlements (findings-finance #4, #5, #6, #8):
// - D22, D25: the document that settled a settlement is not reversed — neither asked nor, when a settle came between
//   request and approval, approved — as a shipment whose settlement is settled is not cancelled.
// - D25: a settlement is closed by a document only when the owing side returned the goods: a receipt of goods owned by
//   the owing side's government, or a transfer-in from the owing side's stores; the owed side's own purchase is not.
// - settle's malformed settlementId is called 结算, not 安置点.
// - D22: the system administrator's month close is every region's auditors' to read.

const t = useTestApp();

const FOLDING_BED = itemId('LIV-010');
const SETTLEMENT_FIELDS = `id status quantity documentId owedTo { code } owedBy { code } store { id } plan { id }`;
const JISHUI = { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065 };
let incidentId: string;
let cityGovernment: string; // 新乡市人民政府: the owing side
let round = 0;

async function settlementOf(planId: string) {
  const all = ok(await t.gql(`query { settlements { ${SETTLEMENT_FIELDS} } }`, {}, 'admin')).settlements;
  return all.find((s: any) => s.plan?.id === planId && s.store.id === XINXIANG_COUNTY);
}

/** D15: 15 folding beds from 新乡县's store serve 卫辉 on 新乡市's plan: 新乡市 owes 新乡县 15. */
async function cityOwesCounty() {
  round += 1;
  await receive(t, 'admin', WEIHUI, [{ itemId: FOLDING_BED, quantity: 10, batchNo: `FS-FB-WH-${round}`, unitPrice: '120.00', expiryDate: '2032-01-01' }]);
  await receive(t, 'admin', XINXIANG_COUNTY, [
    // Earlier than the returns below (2032): first-expiry-first-out takes the county's own beds, not a return owned by
    // the city — whose use by the city owes nobody (D3: the owner's, wherever held; sweep 14c HIGH-1).
    { itemId: FOLDING_BED, quantity: 15, batchNo: `FS-FB-XXX-${round}`, unitPrice: '120.00', expiryDate: '2031-06-01' },
  ]);
  const fields = `id status lines { store { id } quantity transfer { id } }`;
  const plan = ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${fields} } }`,
      { i: { incidentId, deadlineHours: 48, destinations: [{ ...JISHUI, lines: [{ itemId: FOLDING_BED, quantity: 25 }] }] } },
      'dispatcher',
    ),
  ).requestDispatch;
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
  ok(await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`, { p: plan.id, k: key() }, 'dispatcher'));
  const settlement = await settlementOf(plan.id);
  expect(settlement).toMatchObject({ status: 'OPEN', quantity: 15, owedTo: { code: '410721000000' }, owedBy: { code: '410700000000' } });
  return { planId: plan.id as string, settlement };
}

/** 归还 in kind: 15 folding beds received at 新乡县's store, owned by `owner` (the store's own government when omitted). */
const returnToCounty = (batchNo: string, owner?: string) =>
  receive(t, 'admin', XINXIANG_COUNTY, [
    { itemId: FOLDING_BED, quantity: 15, batchNo, unitPrice: '120.00', expiryDate: '2032-01-01', ...(owner ? { ownerOrgId: owner } : {}) },
  ]);

const settle = (as: string, input: Record<string, unknown>) =>
  t.gql(`mutation($i: SettleInput!) { settle(input: $i) { status documentId } }`, { i: input }, as);

beforeAll(async () => {
  incidentId = await createIncident(
    t,
    { name: '卫辉市折叠床结算', type: 'FLOOD', regionCode: '410781', location: { lat: 35.39, lng: 114.06 }, affectedPopulation: 3000 },
    'dispatcher',
  );
  // A receipt at the city's store registers the city's government (the owner of what the city buys).
  // (Another item: the city's folding beds would serve the plans before 新乡县's.)
  await receive(t, 'admin', XINXIANG, [{ itemId: itemId('LIV-008'), quantity: 1, batchNo: 'FS-SQ-CITY', unitPrice: '50.00', expiryDate: '2032-01-01' }]);
  [{ id: cityGovernment }] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id FROM organizations WHERE name = '新乡市人民政府'`);
});

describe('D22, D25: the return that settled a settlement is not reversed (findings-finance #4)', () => {
  it('reverseDocument of a settling receipt is refused with INVALID_STATE naming the settlement; nothing changes', async () => {
    const { planId, settlement } = await cityOwesCounty();
    const returned = await returnToCounty('FS-FB-RET-1', cityGovernment);
    const reversible = async () => ok(await t.gql(`query($id: ID!) { document(id: $id) { reversible } }`, { id: returned.id }, 'admin')).document.reversible;
    expect(await reversible()).toBe(true);
    expect(ok(await settle('admin', { settlementId: settlement.id, documentId: returned.id })).settle).toMatchObject({ status: 'SETTLED' });
    // W6: 冲销 is no longer offered for it.
    expect(await reversible()).toBe(false);
    const refused = await reverseRaw(t, 'admin', returned.id, key(), false);
    expect(errorCode(refused)).toBe('INVALID_STATE');
    expect(refused.errors![0].message).toContain(returned.number);
    expect(refused.errors![0].message).toContain(settlement.id);
    expect(refused.errors![0].message).toContain('不能冲销');
    expect(refused.errors![0].extensions).toMatchObject({ field: 'documentId', settlementIds: [settlement.id] });
    expect(refused.errors![0].extensions.settledAt).toMatch(/\+08:00$/);
    // A refusal changes nothing: no reversal pending, the receipt posted, the settlement settled by it.
    expect(await documentById(t, returned.id)).toMatchObject({ status: 'POSTED', reversedBy: null });
    expect(await settlementOf(planId)).toMatchObject({ status: 'SETTLED', documentId: returned.id });
  });

  it('a settle between the reversal’s request and its approval: the approval is refused, the reversal can be rejected', async () => {
    const { planId, settlement } = await cityOwesCounty();
    const returned = await returnToCounty('FS-FB-RET-2', cityGovernment);
    const pending = ok(await reverseRaw(t, 'admin', returned.id, key(), false)).reverseDocument;
    expect(pending.status).toBe('PENDING_APPROVAL');
    // The original is still POSTED while its reversal waits: the owed side may cite it.
    expect(ok(await settle('admin', { settlementId: settlement.id, documentId: returned.id })).settle).toMatchObject({ status: 'SETTLED' });
    const approvalId = await pendingApprovalOf(t, pending.id, 'REVERSAL');
    const approved = await decideRaw(t, 'director', approvalId, 'APPROVE');
    expect(errorCode(approved)).toBe('INVALID_STATE');
    expect(approved.errors![0].message).toContain(settlement.id);
    expect(approved.errors![0].message).toContain('驳回');
    expect(approved.errors![0].extensions).toMatchObject({ field: 'input.approvalId', settlementIds: [settlement.id] });
    expect(await documentById(t, returned.id)).toMatchObject({ status: 'POSTED' });
    expect(await documentById(t, pending.id)).toMatchObject({ status: 'PENDING_APPROVAL' });
    expect(await settlementOf(planId)).toMatchObject({ status: 'SETTLED', documentId: returned.id });
    ok(await decideRaw(t, 'director', approvalId, 'REJECT'));
    expect(await documentById(t, returned.id)).toMatchObject({ status: 'POSTED' });
  });

  it('a receipt that settles nothing is still reversed (the rule touches only settling documents)', async () => {
    const plain = await returnToCounty('FS-FB-PLAIN', cityGovernment);
    expect(ok(await reverseRaw(t, 'admin', plain.id)).reverseDocument).toMatchObject({ status: 'POSTED', reverses: { status: 'REVERSED' } });
  });
});

describe('D25: only the owing side’s return settles a debt (findings-finance #5)', () => {
  it('the owed side’s own purchase is refused with BAD_USER_INPUT on input.documentId saying what is accepted', async () => {
    const { planId, settlement } = await cityOwesCounty();
    const own = await returnToCounty('FS-FB-OWN'); // owner: 新乡县人民政府, the lender itself
    const res = await settle('admin', { settlementId: settlement.id, documentId: own.id });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions.field).toBe('input.documentId');
    expect(res.errors![0].message).toContain('不归欠方所有');
    expect(res.errors![0].message).toContain('欠方辖区仓库调入');
    expect((await settlementOf(planId)).status).toBe('OPEN');
    // The same return, owned by the owing side (新乡市人民政府), settles it.
    const repaid = await returnToCounty('FS-FB-REPAID', cityGovernment);
    expect(ok(await settle('admin', { settlementId: settlement.id, documentId: repaid.id })).settle).toEqual({ status: 'SETTLED', documentId: repaid.id });
  });

  it('a document that is no return at all names what is accepted', async () => {
    const { settlement } = await cityOwesCounty();
    const [shipment] = await queryRows<{ id: string }>(
      t.database.db,
      sql`SELECT d.id FROM documents d JOIN dispatch_lines l ON l.transfer_id = d.transfer_id
           WHERE l.plan_id = (SELECT plan_id FROM settlements WHERE id = ${settlement.id}::uuid) AND d.type = 'TRANSFER_OUT' LIMIT 1`,
    );
    const res = await settle('admin', { settlementId: settlement.id, documentId: shipment.id });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].message).toContain('欠方归还的入库单');
  });
});

describe('field words (findings-finance #6)', () => {
  it('a malformed settlementId is called 结算', async () => {
    const res = await settle('admin', { settlementId: '84b38a29', reference: 'x' });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions.field).toBe('input.settlementId');
    expect(res.errors![0].message).toMatch(/^结算/);
    expect(res.errors![0].message).not.toContain('安置点');
  });
});

describe('D22: a month close is every region’s auditors’ to read (findings-finance #8)', () => {
  it('the regional auditor reads the system administrator’s closePeriod rows', async () => {
    const AUDIT = `query($f: AuditFilter) { auditLog(filter: $f, first: 100) { totalCount edges { node { username operation outcome } } } }`;
    ok(await t.gql(`mutation { closePeriod(month: "2025-07") { month } }`, {}, 'admin'));
    const rows = ok(await t.gql(AUDIT, { f: { operation: 'closePeriod' } }, 'auditor')).auditLog;
    expect(rows.totalCount).toBeGreaterThanOrEqual(1);
    expect(rows.edges.map((e: any) => e.node)).toContainEqual({ username: 'admin', operation: 'closePeriod', outcome: 'OK' });
  });
});

describe('D25: a return named from beyond the settler’s region is out of scope (sweep 12b F8)', () => {
  it('新乡县’s dispatcher citing a 卫辉 receipt → FORBIDDEN at input.documentId, an unknown document NOT_FOUND; the settlement stays open', async () => {
    const { planId, settlement } = await cityOwesCounty();
    ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: 'xxx-dispatcher', password: TEST_PASSWORD, displayName: '新乡县调度员', role: 'DISPATCHER', regionCode: '410721' } },
        'admin',
      ),
    );
    const elsewhere = await receive(t, 'admin', WEIHUI, [
      { itemId: FOLDING_BED, quantity: 15, batchNo: 'FS-FB-WH-ELSE', unitPrice: '120.00', expiryDate: '2032-01-01' },
    ]);
    const res = await settle('xxx-dispatcher', { settlementId: settlement.id, documentId: elsewhere.id });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].extensions.field).toBe('input.documentId');
    expect(res.errors![0].message).not.toContain(elsewhere.number);
    const unknown = await settle('xxx-dispatcher', { settlementId: settlement.id, documentId: randomUUID() });
    expect(errorCode(unknown)).toBe('NOT_FOUND');
    expect((await settlementOf(planId)).status).toBe('OPEN');
  });
});
