import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { decideRaw, requestOrderRaw } from '../support/authority.ts';
import { createIncident, requestPlan } from '../support/relief.ts';

// D29 (sweep 20c F6): a 批准文号 (approvalRef) is printed on documents, in the journal export's 批准文号 column and in
// alerts, read by auditors — an ID number typed there is refused as in every other free-text field (a reason, a note,
// an address), naming the field and where the number belongs; nothing is decided. A 文号 as written is accepted.

const ID18 = '410781199001011234';
const REFUSED = /^批准文号：请勿在此填写身份证号码/;
const REF = '新应急调〔2026〕31号';

describe('D29: 批准文号 refuses an ID number, as every free-text field does (sweep 20c F6)', () => {
  const t = useTestApp();
  let incidentId: string;
  const planStatus = async (id: string) =>
    (
      await queryRows<{ status: string; ref: string | null }>(
        t.database.db,
        sql`SELECT status::text, written_approval_ref AS ref FROM dispatch_plans WHERE id = ${id}::uuid`,
      )
    )[0];

  beforeAll(async () => {
    await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 50, batchNo: 'PZWH-MB-01', expiryDate: '2031-01-01' }]);
    incidentId = await createIncident(t, { name: '卫辉市洪涝（批准文号）' });
  });

  it('decideApproval: APPROVE with an ID number as approvalRef is BAD_USER_INPUT at input.approvalRef, the approval still pending', async () => {
    const order = ok(
      await requestOrderRaw(t, 'keeper', { storeId: WEIHUI, purpose: 'DRILL', recipient: '汲水镇政府', lines: [{ itemId: QUILT, quantity: 1 }] }),
    ).requestOutboundOrder;
    const refused = await decideRaw(t, 'director', order.approval.id, 'APPROVE', { approvalRef: ID18 });
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0].extensions).toMatchObject({ field: 'input.approvalRef' });
    expect(refused.errors![0].message).toMatch(REFUSED);
    const [approval] = await queryRows<{ status: string }>(t.database.db, sql`SELECT status::text FROM approvals WHERE id = ${order.approval.id}::uuid`);
    expect(approval.status).toBe('PENDING');
    expect(ok(await decideRaw(t, 'director', order.approval.id, 'APPROVE', { approvalRef: REF })).decideApproval).toMatchObject({ approvalRef: REF });
  });

  it('approveDispatchPlan and recordWrittenApproval refuse one at approvalRef; nothing is approved or recorded', async () => {
    const plan = await requestPlan(t, incidentId, QUILT, 3);
    const approve = (ref: string) =>
      t.gql(`mutation($p: ID!, $r: String) { approveDispatchPlan(planId: $p, approvalRef: $r) { status } }`, { p: plan.id, r: ref }, 'director');
    const refused = await approve(ID18);
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0].extensions).toMatchObject({ field: 'approvalRef' });
    expect(refused.errors![0].message).toMatch(REFUSED);
    expect((await planStatus(plan.id)).status).toBe('PROPOSED');

    const emergency = await requestPlan(t, incidentId, QUILT, 2);
    ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: emergency.id }, 'dispatcher'));
    const record = (ref: string) =>
      t.gql(
        `mutation($p: ID!, $r: String!) { recordWrittenApproval(planId: $p, approvalRef: $r) { writtenApprovalRef } }`,
        { p: emergency.id, r: ref },
        'director',
      );
    const notRecorded = await record(`${ID18.slice(0, 6)} ${ID18.slice(6)}`);
    expect(errorCode(notRecorded)).toBe('BAD_USER_INPUT');
    expect(notRecorded.errors![0].extensions).toMatchObject({ field: 'approvalRef' });
    expect(notRecorded.errors![0].message).toMatch(REFUSED);
    expect((await planStatus(emergency.id)).ref).toBeNull();
    expect(ok(await record(REF)).recordWrittenApproval.writtenApprovalRef).toBe(REF);
  });

  it('scrapStock refuses one at input.approvalRef', async () => {
    const refused = await t.gql(
      `mutation($i: ScrapStockInput!) { scrapStock(input: $i) { id } }`,
      { i: { storeId: WEIHUI, approvalRef: `鉴定${ID18}`, reason: 'DAMAGED', idempotencyKey: key(), lines: [{ batchId: WEIHUI, quantity: 1 }] } },
      'keeper',
    );
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0].extensions).toMatchObject({ field: 'input.approvalRef' });
    expect(refused.errors![0].message).toMatch(REFUSED);
  });
});
