import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { chinaText } from '../clock.ts';
import { DomainError, invalidState } from '../errors.ts';
import { textArg } from '../validation.ts';
import { ledgerError } from '../inventory/posting.ts';
import type { TransferReceivedHook } from '../inventory/transfers.ts';
import { DOCUMENT_TYPE_NAMES } from '../paperwork/names.ts';
import { closeOutboundOrder } from './orders.ts';
import { rejectPendingDocumentOf } from './pending.ts';
import { getApprovalInScope, REQUEST_WITHDRAWN, withdrawApprovals, type ApprovalKind, type ApprovalRow } from './queue.ts';
import type { ServiceContext } from '../context.ts';
import { userNameAt } from '../users/names.ts';

// Sweep 24c F9 (D22, D24, D27): a request filed by mistake — a reversal, a stocktake difference, a scrap, a write-off,
// an outbound order — is withdrawn by the person who filed it, as an outbound order is (closeOutboundOrder, sweep 21a
// N1), instead of freezing its stock until a second person rejects it. A withdrawal only closes: it approves nothing
// (D24 unaffected), changes no posted stock, and releases what the request held.

/** The approvals whose subject is a document awaiting approval (pending.ts requestDocumentApproval). */
const DOCUMENT_KINDS = new Set<ApprovalKind>(['STOCKTAKE', 'SCRAP', 'WRITE_OFF', 'REVERSAL']);

/** What is done instead with a request of a kind that is not withdrawn here. */
const NOT_WITHDRAWN: Partial<Record<ApprovalKind, string>> = {
  DISPATCH_PLAN: '调拨方案不在此撤回：请取消该调拨方案',
  CROSS_REGION_USE: '跨区域调用的同意请求随调拨方案一同撤回：请取消该调拨方案',
  EMERGENCY_WRITTEN_APPROVAL: '紧急调拨的书面审批须在 48 小时内补办，不能撤回',
};

/**
 * withdrawApproval: the requester's own pending request is withdrawn with a reason. A document's approval is closed
 * REJECTED and marked withdrawn (withdrawApprovals: no decider, the reason 申请人已撤回：…), the document follows as on a
 * rejection (rejectPendingDocumentOf: REJECTED, its held stock released, a reversal's original reversible again, a
 * transit loss back in transit) and is marked withdrawn; an outbound order is withdrawn as closeOutboundOrder's 撤回
 * does. Only by its requester (FORBIDDEN to anyone else, approvers included: they reject, with a reason, D24); one
 * decided meanwhile is INVALID_STATE, saying by whom and when. The approval's row is taken first, as decideApproval
 * takes it: a withdrawal and a decision at once do not deadlock — one of them finds the other done.
 */
export async function withdrawApproval(
  ctx: ServiceContext,
  approvalId: string,
  reason: string,
  onTransferSettled?: TransferReceivedHook,
): Promise<ApprovalRow> {
  const { db, actor: user, clock } = ctx;
  const approval = await getApprovalInScope(db, user, approvalId, 'approvalId');
  if (approval.requestedBy !== user.id) {
    throw new DomainError('FORBIDDEN', '只有提交该申请的人可以撤回；不同意的申请请在审批中驳回', { field: 'approvalId' });
  }
  const why = textArg('reason', reason, { required: '须填写撤回原因', max: 500, tooLong: '撤回原因不超过 500 个字' })!;
  if (approval.kind === 'OUTBOUND_ORDER') {
    await closeOutboundOrder(ctx, approval.subjectId, why, true);
    return getApprovalInScope(db, user, approval.id, 'approvalId');
  }
  if (!DOCUMENT_KINDS.has(approval.kind)) throw invalidState(NOT_WITHDRAWN[approval.kind] ?? '该申请不能撤回', { field: 'approvalId', kind: approval.kind });
  const at = clock.now().toJSDate();
  try {
    return await db.transaction(async (tx) => {
      const [closed] = await withdrawApprovals(tx, approval.subjectId, [approval.kind], { by: user.id, at, reason: `${REQUEST_WITHDRAWN}${why}` });
      if (!closed) throw await notWithdrawable(tx, approval);
      const doc = await rejectPendingDocumentOf(tx, closed, at);
      await tx.execute(
        sql`UPDATE documents SET details = COALESCE(details, '{}'::jsonb) || jsonb_build_object('withdrawn', true, 'withdrawReason', ${why}::text)
             WHERE id = ${doc.id}::uuid`,
      );
      if (doc.type === 'WRITE_OFF' && doc.transferId) await onTransferSettled?.(tx, doc.transferId);
      return closed;
    });
  } catch (error) {
    throw ledgerError(error);
  }
}

/** Why a request is no longer withdrawable: decided (by whom, when; a rejection's reason) or withdrawn already. */
async function notWithdrawable(tx: Db, approval: ApprovalRow): Promise<DomainError> {
  const [now] = await queryRows<{
    status: ApprovalRow['status'];
    decided_by: string | null;
    decided_at: Date | string | null;
    reason: string | null;
    withdrawn: boolean | null;
    number: string | null;
    type: string | null;
  }>(
    tx,
    sql`SELECT a.status, ${userNameAt(sql`u.id`, sql`a.decided_at`, sql`u.display_name`)} AS decided_by, a.decided_at, a.reason, (a.payload->>'withdrawn')::boolean AS withdrawn, d.number, d.type::text AS type
          FROM approvals a LEFT JOIN users u ON u.id = a.decided_by LEFT JOIN documents d ON d.id = a.subject_id
         WHERE a.id = ${approval.id}::uuid`,
  );
  const name = now.number ? `${DOCUMENT_TYPE_NAMES[now.type ?? ''] ?? '单据'} ${now.number}` : '该申请';
  const details = { field: 'approvalId', approvalId: approval.id, status: now.status };
  if (now.withdrawn) return invalidState(`${name} 已撤回${now.decided_at ? `（${chinaText(now.decided_at, 'yyyy-LL-dd HH:mm')}）` : ''}，无需再撤回`, details);
  const by = now.decided_by && now.decided_at ? `已于 ${chinaText(now.decided_at, 'yyyy-LL-dd HH:mm')} 由${now.decided_by}` : '已';
  if (now.status === 'APPROVED') return invalidState(`${name} ${by}批准，不能撤回；如有错误，请冲销`, details);
  return invalidState(`${name} ${by}驳回${now.reason ? `（驳回理由：${now.reason}）` : ''}，无需撤回`, details);
}
