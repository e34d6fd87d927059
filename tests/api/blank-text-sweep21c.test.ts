import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { approverFor, decideRaw, pendingApprovalOf, requestOrderRaw } from '../support/authority.ts';
import { tableCounts } from '../support/finance.ts';
import { key, QUILT, receive, WEIHUI } from '../support/ledger.ts';
import { ok, receiveRaw, stocktakeRaw } from '../support/ledger-ops.ts';
import { quiltDistributor, stockedPoint } from '../support/relief.ts';

// Sweep 21c F1: text that displays as nothing is blank wherever text is required — the one test of validation.ts
// (isBlank: Unicode White_Space and Default_Ignorable_Code_Point, the braille blank U+2800 and the Hangul fillers). A
// 文号 of a Hangul filler approved a stocktake's loss (D27: approved only with a reference), a soft hyphen was a
// rejection's reason (D24), a braille blank a reversal's 冲销原因 (D22), invisible text a purchase's contract number
// (D7), a disaster's name, a beyond-standard 发放's reason and a household head's name (D29), a user's name — while
// spaces or zero-width spaces alone were refused. Each is refused now in the field's own words, and changes nothing.
// Sweep 21c F6: a blank 文号 or reason on a decision that needs none is stored as none (null), not as "".

const t = useTestApp({ checkLedger: true });

/** Characters that display as nothing, alone and mixed with spaces. */
const INVISIBLE = ['\u3164', '\u00ad', '\u2800', '\ufe0f', '\u115f', '\u1160', '\uffa0', '\u034f', '\u180e', ' \u3164\u2800\u3000', '\u200b\u3164'];

const refusal = (res: GqlResult) => ({ code: errorCode(res), field: res.errors?.[0]?.extensions?.field, message: res.errors?.[0]?.message });

/** Runs `attempt` and expects BAD_USER_INPUT at `field` with `message`, and no table changed (D22: a refusal changes nothing). */
async function expectBlankRefused(attempt: () => Promise<GqlResult>, field: string, message: string | RegExp) {
  const before = await tableCounts(t);
  const got = refusal(await attempt());
  expect(got).toMatchObject({ code: 'BAD_USER_INPUT', field });
  expect(got.message).toMatch(message);
  expect(await tableCounts(t)).toEqual(before);
}

describe('sweep 21c F1: invisible-only text is blank in every required text field', () => {
  it('D27, D24: a stocktake loss is not approved with an invisible 文号, nor rejected with an invisible reason; it stays pending', async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 10, batchNo: 'F1-21C-ST', expiryDate: '2031-01-01' }]);
    const batchId = doc.lines[0].batch.id as string;
    const pending = ok(await stocktakeRaw(t, 'keeper', { storeId: WEIHUI, counts: [{ batchId, countedQuantity: 9, reason: 'DAMAGED' }] }, 'id status', false));
    expect(pending.submitStocktake.status).toBe('PENDING_APPROVAL');
    const approvalId = await pendingApprovalOf(t, pending.submitStocktake.id, 'STOCKTAKE');
    const decider = approverFor('keeper');
    for (const blank of INVISIBLE) {
      await expectBlankRefused(() => decideRaw(t, decider, approvalId, 'APPROVE', { approvalRef: blank }), 'input.approvalRef', /^批准须填写审批文号$/);
      await expectBlankRefused(() => decideRaw(t, decider, approvalId, 'REJECT', { reason: blank }), 'input.reason', /^驳回须填写理由$/);
    }
    const still = ok(await t.gql(`query($id: ID!) { document(id: $id) { status } }`, { id: pending.submitStocktake.id }, 'keeper'));
    expect(still.document.status).toBe('PENDING_APPROVAL');
    // Visible text around an invisible character is a reference.
    expect(ok(await decideRaw(t, decider, approvalId, 'APPROVE', { approvalRef: '卫应急\u00ad〔2026〕3号' })).decideApproval.status).toBe('APPROVED');
  });

  it('D22: reverseDocument with an invisible reason is refused at reason (须填写冲销原因); no reversal is made', async () => {
    const doc = await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 2, batchNo: 'F1-21C-REV', expiryDate: '2031-01-01' }]);
    const REVERSE = `mutation($id: ID!, $r: String!, $k: String!) { reverseDocument(documentId: $id, reason: $r, idempotencyKey: $k) { id status } }`;
    for (const blank of INVISIBLE) {
      await expectBlankRefused(() => t.gql(REVERSE, { id: doc.id, r: blank, k: key() }, 'keeper'), 'reason', /^须填写冲销原因$/);
    }
  });

  it('D7: a purchase whose only contract number is invisible is refused (采购入库须填写合同编号); nothing is received', async () => {
    const line = { itemId: QUILT, quantity: 1, batchNo: 'F1-21C-PUR', expiryDate: '2031-01-01' };
    for (const blank of INVISIBLE) {
      await expectBlankRefused(
        () => receiveRaw(t, 'keeper', { storeId: WEIHUI, source: 'PURCHASE', reference: blank, lines: [line] }),
        'input.reference',
        /采购入库须填写合同编号/,
      );
      await expectBlankRefused(
        () => receiveRaw(t, 'keeper', { storeId: WEIHUI, source: 'PURCHASE', contractNo: blank, lines: [line] }),
        'input.contractNo',
        /采购入库须填写合同编号/,
      );
    }
  });

  it('createIncident with an invisible name is refused at input.name (事件名称至少 2 个字)', async () => {
    const CREATE = `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`;
    for (const blank of [...INVISIBLE, '\u3164\u3164']) {
      const input = { name: blank, type: 'FLOOD', regionCode: '410781', location: { lat: 35.398, lng: 114.064 } };
      await expectBlankRefused(() => t.gql(CREATE, { i: input }, 'dispatcher'), 'input.name', /事件名称至少 2 个字/);
    }
  });

  it('createUser with an invisible display name is refused at input.displayName (姓名不能为空)', async () => {
    const CREATE = `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`;
    for (const [i, blank] of INVISIBLE.entries()) {
      const input = { username: `blank21c${i}`, displayName: blank, password: 'Blank@2026x', role: 'AUDITOR', regionCode: '410700' };
      await expectBlankRefused(() => t.gql(CREATE, { i: input }, 'admin'), 'input.displayName', /姓名不能为空/);
    }
  });

  describe('D29: distributeRelief', () => {
    let at: { incidentId: string; point: string };
    const distribute = (household: Record<string, unknown>, quantity: number, extra: Record<string, unknown> = {}) =>
      quiltDistributor(t, () => at, 'id overrideReason household { headName }')(household, quantity, extra);
    beforeAll(async () => {
      at = await stockedPoint(t, '汲水镇空白文字安置点', 'F1-21C-MB');
    });

    it('beyond the standard with an invisible overrideReason is refused (超标准发放原因); with an invisible head name too (户主姓名)', async () => {
      const household = { headName: '空白甲', size: 2, address: '汲水村二组' };
      for (const blank of INVISIBLE) {
        await expectBlankRefused(() => distribute(household, 50, { overrideReason: blank }), 'input.overrideReason', /^超标准发放原因：不能只填空白/);
        await expectBlankRefused(() => distribute({ ...household, headName: blank }, 1), 'input.household.headName', /须填写户主姓名/);
      }
      // A visible reason is one.
      expect(ok(await distribute(household, 3, { overrideReason: '家中有卧床老人，需加发' })).distributeRelief.overrideReason).toBe('家中有卧床老人，需加发');
    });
  });
});

describe('sweep 21c F6: a blank 文号 or reason where none is needed is stored as none (null), not ""', () => {
  it('D23: an outbound order approved with approvalRef "" (or invisible text) and reason "" keeps null for both', async () => {
    for (const [approvalRef, reason] of [
      ['', ''],
      ['   ', '\u3164'],
    ]) {
      const order = ok(
        await requestOrderRaw(t, 'keeper', { storeId: WEIHUI, purpose: 'DRILL', recipient: '某村演练', lines: [{ itemId: QUILT, quantity: 1 }] }),
      ).requestOutboundOrder;
      const decided = ok(await decideRaw(t, approverFor('keeper'), order.approval.id, 'APPROVE', { approvalRef, reason })).decideApproval;
      expect(decided).toMatchObject({ status: 'APPROVED', approvalRef: null, reason: null });
      const [row] = await queryRows<{ approval_ref: string | null; reason: string | null }>(
        t.database.db,
        sql`SELECT approval_ref, reason FROM approvals WHERE id = ${order.approval.id}::uuid`,
      );
      expect(row).toEqual({ approval_ref: null, reason: null });
    }
  });
});
