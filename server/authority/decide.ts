import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { outboundOrders } from '../../drizzle/schema/index.ts';
import { todayInChina } from '../clock.ts';
import { badInput, invalidState } from '../errors.ts';
import { idSchema, validate } from '../validation.ts';
import { ledgerError } from '../inventory/posting.ts';
import { assertBookAsCounted } from '../inventory/stocktakes.ts';
import type { TransferReceivedHook } from '../inventory/transfers.ts';
import { publishPlanStatus } from '../dispatch/events.ts';
import { approvePlanInTx, consentInTx, lockPlan, recordWrittenApprovalInTx, rejectPlanInTx } from '../dispatch/plans.ts';
import { assertOrderApprovable } from './orders.ts';
import { approvePendingDocument, rejectPendingDocumentOf } from './pending.ts';
import { assertMayDecide, closeApproval, getApprovalInScope, notPendingRefusal, PLAN_APPROVAL_KINDS, type ApprovalRow } from './queue.ts';
import type { ServiceContext } from '../context.ts';
import type { AppConfig } from '../config.ts';

// D24, D27: one decision for everything in the queue. The approval is closed (guarded: one of two concurrent deciders
// wins) and its subject follows in the same transaction — an approved document posts, a rejected one changes no stock.

const decideSchema = z.object({
  approvalId: idSchema,
  decision: z.enum(['APPROVE', 'REJECT']),
  // Sweep 21c F6: a blank 文号 or reason is none (null), never an empty string that prints as an empty 批准文号.
  approvalRef: z
    .string()
    .trim()
    .max(128, '审批文号不超过 128 个字符')
    .nullish()
    .transform((r) => r || null),
  reason: z
    .string()
    .trim()
    .max(500, '理由不超过 500 个字')
    .nullish()
    .transform((r) => r || null),
});

/**
 * D27: write-offs and adjustments (stocktakes both ways, scrap) are approved with a reference (文号); D14: the written
 * approval is one. A reversal is a D22 correction, decided by a second person (D24) who may give a reference — D27's
 * list does not name it, and a mistyped receipt is corrected without a 文号. A rejection needs a reason, not a reference.
 */
const NEEDS_REFERENCE = new Set<ApprovalRow['kind']>(['STOCKTAKE', 'WRITE_OFF', 'SCRAP', 'EMERGENCY_WRITTEN_APPROVAL']);
const DOCUMENT_KINDS = new Set<ApprovalRow['kind']>(['STOCKTAKE', 'WRITE_OFF', 'SCRAP', 'REVERSAL']);

/**
 * D11, D27 (sweep 18b F12): an outbound order to scrap (报废) is the scrap's approval — the scrap posts at once against
 * it — so it is approved with a reference as a SCRAP approval is; an order for any other purpose needs none.
 */
async function isScrapOrder(db: ServiceContext['db'], approval: ApprovalRow): Promise<boolean> {
  if (approval.kind !== 'OUTBOUND_ORDER') return false;
  const [order] = await db.select({ purpose: outboundOrders.purpose }).from(outboundOrders).where(eq(outboundOrders.id, approval.subjectId));
  return order?.purpose === 'SCRAP';
}

/** `config`: a dispatch plan approved or consented to here is re-checked under the planner's policy (D17 capacity horizon). */
export async function decideApproval(ctx: ServiceContext, config: AppConfig, input: unknown, onTransferSettled?: TransferReceivedHook): Promise<ApprovalRow> {
  const { db, actor: user, clock } = ctx;
  const v = validate(decideSchema, input);
  const approval = await getApprovalInScope(db, user, v.approvalId);
  await assertMayDecide(db, user, approval);
  if (approval.status !== 'PENDING') throw notPendingRefusal(approval); // decided, or withdrawn with its order or plan
  const approve = v.decision === 'APPROVE';
  if (!approve && !v.reason) throw badInput('input.reason', '驳回须填写理由');
  if (approve && !v.approvalRef && (NEEDS_REFERENCE.has(approval.kind) || (await isScrapOrder(db, approval))))
    throw badInput('input.approvalRef', '批准须填写审批文号');
  const now = clock.now().toJSDate();
  let planStatus: 'APPROVED' | 'CANCELLED' | null = null;
  try {
    const decided = await db.transaction(async (tx) => {
      // A plan's row is locked before its approvals, as cancelDispatchPlan does: no deadlock between the two.
      if (PLAN_APPROVAL_KINDS.some((k) => k === approval.kind)) await lockPlan(tx, approval.subjectId);
      const closed = await closeApproval(tx, approval, {
        status: approve ? 'APPROVED' : 'REJECTED',
        by: user.id,
        at: now,
        approvalRef: v.approvalRef ?? null,
        reason: v.reason ?? null,
      });
      if (approval.kind === 'OUTBOUND_ORDER') {
        if (approve) await assertOrderApprovable(tx, approval.subjectId, todayInChina(clock)); // D26: no frozen batch
        const rows = await tx
          .update(outboundOrders)
          .set({ status: approve ? 'APPROVED' : 'REJECTED', approvedAt: approve ? now : null })
          .where(and(eq(outboundOrders.id, approval.subjectId), eq(outboundOrders.status, 'PENDING')))
          .returning({ id: outboundOrders.id });
        if (!rows.length) throw invalidState('出库申请已不在待审批状态');
      } else if (approval.kind === 'DISPATCH_PLAN') {
        if (approve) await approvePlanInTx(tx, config, user, approval.subjectId, now, false, v.approvalRef);
        else await rejectPlanInTx(tx, user, approval.subjectId, now, v.reason!);
        planStatus = approve ? 'APPROVED' : 'CANCELLED';
      } else if (approval.kind === 'CROSS_REGION_USE') {
        if (approve) await consentInTx(tx, config, approval.subjectId, (approval.payload as { lineNos: number[] }).lineNos, now, approval.id);
      } else if (approval.kind === 'EMERGENCY_WRITTEN_APPROVAL') {
        if (approve) await recordWrittenApprovalInTx(tx, user, approval.subjectId, v.approvalRef!, now);
      } else if (DOCUMENT_KINDS.has(approval.kind)) {
        // D9, D27: a stocktake posts only onto the book it counted against, else it is refused (assertBookAsCounted).
        if (approve && approval.kind === 'STOCKTAKE') await assertBookAsCounted(tx, approval.subjectId);
        const doc = approve ? await approvePendingDocument(tx, approval, now, v.approvalRef ?? null) : await rejectPendingDocumentOf(tx, approval, now);
        if (doc.type === 'WRITE_OFF' && doc.transferId) await onTransferSettled?.(tx, doc.transferId);
      }
      if (planStatus) await publishPlanStatus(tx, approval.subjectId, planStatus);
      return closed;
    });
    return decided;
  } catch (error) {
    throw ledgerError(error);
  }
}
