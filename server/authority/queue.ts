import { and, asc, desc, eq, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { approvals, dispatchLines, dispatchPlans } from '../../drizzle/schema/index.ts';
import type { Principal } from '../auth/principal.ts';
import { approvalsInScope, canAccessStore, canDecide, decidesAnything } from '../auth/policy.ts';
import { stableId } from '../ids.ts';
import { DomainError, forbidden, invalidState, notFound } from '../errors.ts';
import { pageRequest, toPage, type PageArgs } from '../pagination.ts';
import { uuidArg } from '../validation.ts';
import { subtreePrefix } from '../regions/codes.ts';
import { filterRegion } from '../regions/service.ts';
import type { ServiceContext } from '../context.ts';

// D24, D27: one queue for everything that waits for a second person. Modules that need a decision open an approval
// here; server/authority/decide.ts applies the decision to its subject.

export type ApprovalRow = typeof approvals.$inferSelect;
export type ApprovalKind = ApprovalRow['kind'];
export type ApprovalStatus = ApprovalRow['status'];

export interface ApprovalDraft {
  kind: ApprovalKind;
  subjectId: string;
  summary: string;
  value?: string | null;
  storeId?: string | null;
  /** Whose authority decides. */
  regionCode: string;
  dueAt?: Date | null;
  payload?: unknown;
}

/** Opens an approval in the caller's transaction; its id follows from kind, subject and region (one per subject). */
export async function openApproval(tx: Db, actor: Principal, at: Date, draft: ApprovalDraft): Promise<ApprovalRow> {
  const [row] = await tx
    .insert(approvals)
    .values({
      id: stableId('approval', `${draft.kind}/${draft.subjectId}/${draft.regionCode}/${at.toISOString()}`),
      kind: draft.kind,
      status: 'PENDING',
      subjectId: draft.subjectId,
      summary: draft.summary.slice(0, 500),
      value: draft.value ?? null,
      storeId: draft.storeId ?? null,
      regionCode: draft.regionCode,
      requestedBy: actor.id,
      requestedAt: at,
      dueAt: draft.dueAt ?? null,
      payload: draft.payload ?? null,
    })
    .returning();
  return row;
}

/**
 * An approval by id: NOT_FOUND when unknown, FORBIDDEN when out of the principal's sight — as its order, plan or
 * document answers another region's dispatcher (sweep 8c F2: deciding another city's approval was NOT_FOUND, while
 * outboundOrder and approveDispatchPlan on the same subject said FORBIDDEN).
 */
export async function getApprovalInScope(db: Db, user: Principal, id: string, field = 'input.approvalId'): Promise<ApprovalRow> {
  uuidArg(id, field, '审批');
  const [row] = await db
    .select({ approval: approvals, inScope: sql<boolean>`${approvalsInScope(user, approvals)}` })
    .from(approvals)
    .where(eq(approvals.id, id));
  if (!row) throw notFound(field, '审批', id);
  if (!row.inScope) throw (await transitLossRefusal(db, user, row.approval, field)) ?? forbidden('该审批');
  return row.approval;
}

/**
 * D24, D27, D3 (sweep 17b F1): the write-off of goods lost in transit (a receipt's 核销单, transfers.ts requestWriteOff)
 * is the sending side's to decide — its approval is the sending store's and region's. Likewise (sweep 20c F9) the scrap
 * or write-off of another government's goods counted damaged or lost at a 安置点 at recovery is that government's
 * (pending.ts recoveryLossDeciders). To one on the side holding the document (who may act at its store, the receiving
 * store or the 安置点) who may not decide it, the refusal says why and who does; null for any other approval or reader
 * (their refusal is the usual one).
 */
async function transitLossRefusal(db: Db, user: Principal, a: ApprovalRow, field: string): Promise<DomainError | null> {
  if (a.kind !== 'WRITE_OFF' && a.kind !== 'SCRAP') return null;
  const [loss] = await queryRows<{
    number: string;
    type: string;
    transfer_number: string | null;
    from_name: string | null;
    to_id: string;
    to_region: string;
    decider_region: string;
    owners: string | null;
  }>(
    db,
    sql`SELECT d.number, d.type::text, t.number AS transfer_number, f.name AS from_name, s.id::text AS to_id, s.region_code AS to_region,
               (SELECT r.name FROM regions r WHERE r.code = ${a.regionCode}) AS decider_region,
               (SELECT string_agg(DISTINCT o.name, '、') FROM document_lines l JOIN batches b ON b.id = l.batch_id JOIN organizations o ON o.id = b.owner_org_id
                 WHERE l.document_id = d.id AND o.kind = 'GOVERNMENT' AND o.region_code = ${a.regionCode}) AS owners
          FROM documents d JOIN stores s ON s.id = d.store_id LEFT JOIN transfers t ON t.id = d.transfer_id LEFT JOIN stores f ON f.id = t.from_store_id
         WHERE d.id = ${a.subjectId}::uuid AND d.type IN ('WRITE_OFF', 'SCRAP')`,
  );
  if (!loss || !canAccessStore(user, { id: loss.to_id, regionCode: loss.to_region })) return null;
  if (loss.transfer_number !== null && loss.type === 'WRITE_OFF')
    return new DomainError(
      'FORBIDDEN',
      `核销单 ${loss.number} 核销的是调拨单 ${loss.transfer_number} 在途短少的物资：在途短少须由调出方确认，即由辖区包含调出仓库「${loss.from_name}」的调度员或管理员审批，调入方不能审批`,
      { field },
    );
  // Routed away from the 安置点 (recoveryLossDeciders); one of its own is refused the usual way.
  if (loss.transfer_number !== null || loss.owners === null || a.storeId === loss.to_id) return null;
  const what = loss.type === 'SCRAP' ? '报废单' : '核销单';
  return new DomainError(
    'FORBIDDEN',
    `${what} ${loss.number} 的物资属于${loss.owners}：他方物资的报废、核销须由产权方审批，即由辖区包含「${loss.decider_region}」的调度员或管理员审批，安置点一方不能审批`,
    { field },
  );
}

/** The approvals whose subject is a dispatch plan: its approval, consents (D25) and written approval (D14). */
export const PLAN_APPROVAL_KINDS = ['DISPATCH_PLAN', 'CROSS_REGION_USE', 'EMERGENCY_WRITTEN_APPROVAL'] as const satisfies readonly ApprovalKind[];

/**
 * D24: may this principal decide this approval? Someone with authority over its store or region who did not request
 * it (a write-off of goods lost in transit: the sending store's, D3 — transitLossRefusal tells the receiving side; one of
 * another government's goods counted at recovery: that government's, sweep 20c F9).
 * The written approval after an emergency approval (D14) is the plan's formal approval: neither the emergency approver
 * (who requested it) nor the plan's requester may record it. FORBIDDEN otherwise, naming why. Every route that decides
 * an approval (the queue, recordWrittenApproval) asks here.
 */
export async function assertMayDecide(db: Db, user: Principal, a: ApprovalRow, field = 'input.approvalId'): Promise<void> {
  if (!canDecide(user, a)) throw (await transitLossRefusal(db, user, a, field)) ?? forbidden('审批（须由对该仓库或区划有权限的调度员或管理员审批）');
  if (a.kind === 'EMERGENCY_WRITTEN_APPROVAL') {
    const [plan] = await db.select({ requestedBy: dispatchPlans.requestedBy }).from(dispatchPlans).where(eq(dispatchPlans.id, a.subjectId));
    if (a.requestedBy === user.id || plan?.requestedBy === user.id) {
      throw new DomainError('FORBIDDEN', '不相容岗位分离：补办书面审批须由紧急批准人和调拨方案申请人以外的人员办理', { field });
    }
    await assertNotRequestersAccount(db, user, [a.requestedBy, plan?.requestedBy], field);
  } else if (a.requestedBy === user.id) {
    throw new DomainError('FORBIDDEN', '不相容岗位分离：本人提交的申请不能由本人审批', { field });
  } else {
    await assertNotRequestersAccount(db, user, [a.requestedBy], field);
  }
}

/**
 * D24: the second person is not tied to the requester by an account. One who created the other's account, or ever set
 * the other's password, knows (or chose, or knew) that login — whichever way round: the requester knowing the
 * decider's login, or the decider knowing the requester's (an administrator who reset a dispatcher's password could
 * request as the dispatcher and approve as themself). So does one who set the password of the account that set it,
 * and so on up the chain (sweep 10b A18: a regional administrator created an account, signed in as it to create a
 * third, and approved its own order as the third). A tie is for good, as creation is: the owner's own 修改密码 later
 * does not end it (sweep 16a F3: a regional administrator reset `director`'s password, signed in as director, changed
 * it — now set by director itself — and approved its own request). Either way one person would request and approve.
 * The one rule, as SQL over a decider and a requester (uuid expressions): assertNotRequestersAccount and the queue's
 * TO_DECIDE list both use it.
 */
const accountsTied = (decider: SQL, requester: SQL) =>
  sql`EXISTS (SELECT 1 FROM users me JOIN users r ON r.id = ${requester} WHERE me.id = ${decider} AND r.id <> me.id AND (
        me.created_by = r.id OR r.created_by = me.id OR ${knowsLogin(sql`r.id`, sql`me.id`)} OR ${knowsLogin(sql`me.id`, sql`r.id`)}))`;

/** How far up a chain of password setters knowsLogin looks (accounts are made by administrators, a few levels deep). */
const MAX_SETTER_CHAIN = 8;

/**
 * SQL: `who` knows or knew `whose` login — set a password of it at any time (password_sets: creation, a reset), or set
 * a password of the account that did, and so on. The owner's own sets (修改密码) add no one to the chain, and take
 * no one out of it. UNION, not UNION ALL: one setter of many passwords is followed once per depth.
 */
const knowsLogin = (who: SQL, whose: SQL) =>
  sql`EXISTS (WITH RECURSIVE setters(id, depth) AS (
          SELECT p.set_by, 1 FROM password_sets p WHERE p.user_id = ${whose} AND p.set_by <> p.user_id
          UNION
          SELECT p.set_by, s.depth + 1 FROM setters s JOIN password_sets p ON p.user_id = s.id
           WHERE p.set_by <> p.user_id AND s.depth < ${MAX_SETTER_CHAIN})
        SELECT 1 FROM setters WHERE id = ${who})`;

/**
 * D24, D25: the accounts that made `userId`'s or know or knew its login (knowsLogin), with their regions — whoever could
 * act as that user. Settling a debt asks whether one of them works for the owing side (settlements.ts).
 */
export function loginKnowers(db: Db, userId: string) {
  return queryRows<{ id: string; username: string; display_name: string; region_code: string | null }>(
    db,
    sql`SELECT u.id::text, u.username, u.display_name, u.region_code FROM users u JOIN users me ON me.id = ${userId}::uuid
         WHERE u.id <> me.id AND (me.created_by = u.id OR ${knowsLogin(sql`u.id`, sql`me.id`)})
         ORDER BY u.username`,
  );
}

/**
 * D24: refuses (FORBIDDEN) a decider whose account is tied to a requester's (accountsTied). assertMayDecide and
 * approveDispatchPlan ask here.
 */
export async function assertNotRequestersAccount(db: Db, user: Principal, requesters: readonly (string | null | undefined)[], field: string): Promise<void> {
  const ids = [...new Set(requesters.filter((id): id is string => id != null && id !== user.id))];
  if (!ids.length) return;
  const tied = sql.join(
    ids.map((id) => accountsTied(sql`${user.id}::uuid`, sql`${id}::uuid`)),
    sql` OR `,
  );
  const [row] = await queryRows<{ tied: boolean }>(db, sql`SELECT (${tied}) AS tied`);
  if (row?.tied) {
    throw new DomainError(
      'FORBIDDEN',
      '不相容岗位分离：您与申请人之间一方创建了另一方的账号，或（直接或经由其设置密码的账号）设置过另一方的密码（对方此后自行修改过的也算），不能审批其提交的申请，须由另一位有权限的人员审批',
      {
        field,
      },
    );
  }
}

/** SQL: `userId`'s account is tied (accountsTied) to the approval's requester or, for a written approval, its plan's requester. */
const requesterControls = (userId: string) =>
  sql`(${accountsTied(sql`${userId}::uuid`, sql`${approvals.requestedBy}`)}
        OR (${approvals.kind} = 'EMERGENCY_WRITTEN_APPROVAL' AND EXISTS (SELECT 1 FROM dispatch_plans p WHERE p.id = ${approvals.subjectId}
            AND ${accountsTied(sql`${userId}::uuid`, sql`p.requested_by`)})))`;

/**
 * Marks a pending approval decided, guarded: of two people deciding at once one wins, the other gets INVALID_STATE.
 */
export async function closeApproval(
  tx: Db,
  a: ApprovalRow,
  decision: { status: 'APPROVED' | 'REJECTED'; by: string; at: Date; approvalRef?: string | null; reason?: string | null },
): Promise<ApprovalRow> {
  const [row] = await tx
    .update(approvals)
    .set({
      status: decision.status,
      decidedBy: decision.by,
      decidedAt: decision.at,
      approvalRef: decision.approvalRef ?? null,
      reason: decision.reason ?? null,
    })
    .where(and(eq(approvals.id, a.id), eq(approvals.status, 'PENDING')))
    .returning();
  if (!row) {
    const [current] = await tx.select().from(approvals).where(eq(approvals.id, a.id));
    throw notPendingRefusal(current ?? a);
  }
  return row;
}

/** The reason an outbound order's approval is closed with when its store withdraws the order (closeOutboundOrder). */
export const ORDER_WITHDRAWN = '出库申请已撤回：';

/** The reason a document's approval is closed with when its requester withdraws it (withdrawApproval, sweep 24c F9). */
export const REQUEST_WITHDRAWN = '申请人已撤回：';

/** The reasons a plan's approvals are closed with when the plan is cancelled (cancelDispatchPlan) or rejected (rejectPlanInTx). */
export const PLAN_CANCELLED = '调拨方案已取消：';
export const PLAN_REJECTED = '调拨方案已驳回：';

/**
 * D22, D24 (sweep 24c F9 follow-up): a request withdrawn by whoever filed it — a document's by its requester
 * (withdrawApproval), an outbound order's by its store (closeOutboundOrder's 撤回) — told apart from a rejection: who
 * withdrew it (withdrawApprovals' payload.withdrawnBy; else the decider on record, none when it was the requester),
 * when, and the withdrawal's own reason without its prefix. Sweep 25c F2, F6 (D24, D25): the same for a plan's
 * approvals closed with their plan (withdrawPlanApprovals) — its approval when the plan is cancelled, its consents
 * (CROSS_REGION_USE) and written approval when it is cancelled or rejected: withdrawn by who closed the plan, not
 * refused by the side asked, nor decided by the requester. Null for any other approval — decided or pending (a plan's
 * own approval rejected by its approver is a refusal).
 */
export function withdrawalOf(a: ApprovalRow): { by: string; at: Date; reason: string } | null {
  const payload = a.payload as { withdrawn?: unknown; withdrawnBy?: unknown } | null;
  if (payload?.withdrawn !== true || a.status !== 'REJECTED' || !a.decidedAt || a.reason === null) return null;
  const prefixes =
    a.kind === 'OUTBOUND_ORDER'
      ? [ORDER_WITHDRAWN]
      : (PLAN_APPROVAL_KINDS as readonly ApprovalKind[]).includes(a.kind)
        ? [PLAN_CANCELLED, PLAN_REJECTED]
        : [REQUEST_WITHDRAWN];
  const prefix = prefixes.find((x) => a.reason!.startsWith(x));
  if (!prefix) return null;
  const by = typeof payload.withdrawnBy === 'string' ? payload.withdrawnBy : (a.decidedBy ?? a.requestedBy);
  return { by, at: a.decidedAt, reason: a.reason.slice(prefix.length) };
}

/**
 * D24: a decision on an approval no longer pending is INVALID_STATE at input.approvalId, saying why: withdrawn with its
 * subject (withdrawApprovals) — an outbound order its store withdrew (sweep 21a N1), a document its requester withdrew
 * (sweep 24c F9), a plan cancelled or rejected — or decided by someone.
 */
export function notPendingRefusal(a: ApprovalRow, field = 'input.approvalId'): DomainError {
  const details = { field, approvalId: a.id, status: a.status };
  if ((a.payload as { withdrawn?: unknown } | null)?.withdrawn === true) {
    if (a.kind === 'OUTBOUND_ORDER' && a.reason?.startsWith(ORDER_WITHDRAWN)) {
      return invalidState(`该出库申请已由申请方撤回，不能审批（撤回原因：${a.reason.slice(ORDER_WITHDRAWN.length)}）`, details);
    }
    if (a.reason?.startsWith(REQUEST_WITHDRAWN)) {
      return invalidState(`该申请已由申请人撤回，不能审批（撤回原因：${a.reason.slice(REQUEST_WITHDRAWN.length)}）`, details);
    }
    return invalidState(`该审批已随${a.kind === 'OUTBOUND_ORDER' ? '出库申请' : '调拨方案'}关闭，不能审批（${a.reason ?? ''}）`, details);
  }
  return invalidState('该审批已有决定，不能重复审批', details);
}

/**
 * D14, D23, D24, D25: a subject withdrawn — a plan cancelled or rejected, an outbound order withdrawn by its store —
 * takes its pending approvals of `kinds` with it, in the caller's transaction (taken after the subject's row lock, or
 * before it where the decision takes them in that order: closeOutboundOrder): they are closed REJECTED with the
 * reason and marked withdrawn (payload.withdrawn, who withdrew it payload.withdrawnBy: withdrawalOf), so that none
 * waits for ever or turns overdue, and a decision on one says so (notPendingRefusal). A withdrawal decides nothing
 * (D24, sweep 25c F2, F6): no decider on an approval the acting user requested themselves (the requester is never the
 * decider of their own request — a plan's approval its requester cancels included), nor on a plan's approvals (a
 * consent asked of another jurisdiction is not decided by who cancelled or rejected the plan); an outbound order's
 * names whoever at its store withdrew it, as before.
 */
export const withdrawApprovals = (tx: Db, subjectId: string, kinds: readonly ApprovalKind[], c: { by: string; at: Date; reason: string }) =>
  tx
    .update(approvals)
    .set({
      status: 'REJECTED',
      decidedBy: sql`CASE WHEN ${approvals.requestedBy} = ${c.by}::uuid OR ${approvals.kind} IN (${sql.join(
        PLAN_APPROVAL_KINDS.map((k) => sql`${k}::approval_kind`),
        sql`, `,
      )}) THEN NULL ELSE ${c.by}::uuid END`,
      decidedAt: c.at,
      approvalRef: null,
      reason: c.reason.slice(0, 500),
      // D25: closed with its subject, not refused by the side asked (refusedInIncident reads refusals only).
      payload: sql`COALESCE(${approvals.payload}, '{}'::jsonb) || jsonb_build_object('withdrawn', true, 'withdrawnBy', ${c.by}::text)`,
    })
    .where(and(eq(approvals.subjectId, subjectId), eq(approvals.status, 'PENDING'), inArray(approvals.kind, [...kinds])))
    .returning();

/** withdrawApprovals of a plan cancelled or rejected: its approval, consents (D25) and written approval (D14). */
export const withdrawPlanApprovals = (tx: Db, planId: string, c: { by: string; at: Date; reason: string }) =>
  withdrawApprovals(tx, planId, PLAN_APPROVAL_KINDS, c);

/** The pending approvals of a subject (a plan's consents, a document's write-off). */
export const pendingApprovalsOf = (db: Db, subjectId: string, kind?: ApprovalKind) =>
  db
    .select()
    .from(approvals)
    .where(and(eq(approvals.subjectId, subjectId), eq(approvals.status, 'PENDING'), kind ? eq(approvals.kind, kind) : undefined));

export const approvalsByIds = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(approvals)
    .where(inArray(approvals.id, [...ids]));

/** D27: the approvals whose subject is a document — a stocktake, write-off, scrap or reversal waits for a second person. */
const DOCUMENT_APPROVAL_KINDS = ['STOCKTAKE', 'WRITE_OFF', 'SCRAP', 'REVERSAL'] as const;

/** D14, D23: a plan's approvals that approve its shipments — its approval, and the written approval after an emergency one. */
const PLAN_DECIDING_KINDS = ['DISPATCH_PLAN', 'EMERGENCY_WRITTEN_APPROVAL'] as const satisfies readonly ApprovalKind[];

/**
 * The approvals of these subjects, oldest first — the loader keeps the last of a key, the newest: of documents (each
 * the subject of its own, DOCUMENT_APPROVAL_KINDS), of the outbound orders documents executed (OUTBOUND_ORDER, keyed by
 * the order), and of the dispatch plans documents shipped (keyed by the plan: its approval and written approval, as
 * given — one pending or refused approved nothing; the written approval last) — decidingApproval picks a document's.
 */
export const approvalsOfDocuments = (db: Db, subjectIds: readonly string[]) =>
  db
    .select()
    .from(approvals)
    .where(
      and(
        inArray(approvals.subjectId, [...subjectIds]),
        or(
          inArray(approvals.kind, [...DOCUMENT_APPROVAL_KINDS, 'OUTBOUND_ORDER']),
          and(inArray(approvals.kind, [...PLAN_DECIDING_KINDS]), eq(approvals.status, 'APPROVED')),
        ),
      ),
    )
    // The written approval after the plan's, whatever their instants (a clock that has not moved between them).
    .orderBy(asc(sql`${approvals.kind} = 'EMERGENCY_WRITTEN_APPROVAL'`), asc(approvals.requestedAt));

/**
 * D14, D23: the document that executes a dispatch plan is the 调拨单（调出） of one of its shipments — the plan is its
 * order (a plan's shipment has no outbound order: transfers.ts refuses both). The receipt and cancellation of the
 * shipment are not: as for a transfer under an outbound order, they carry no order either.
 */
const EXECUTES_PLAN = 'TRANSFER_OUT';

/** The document a plan's approval covers: its type and transfer (the shipment's plan is on the transfer). */
export interface DocumentExecuting {
  id: string;
  type: string;
  orderId: string | null;
  transferId: string | null;
}

/**
 * D23, D24, D27: the approval that decided a document — its own (a stocktake, write-off, scrap or reversal that waited
 * for a second person), else that of the order it executed: an outbound order's approver approved what the document
 * sent out (an issue, a transfer, a rotation, a scrap under an approved SCRAP order, which posts at once); a dispatch
 * plan's (D14), what its shipment sent — the plan's approval, or, after an emergency approval (先调拨后补手续), the written
 * approval once recorded: the plan's formal approval, by another person with its 文号, requested in the emergency
 * approver's name (so the row names both); until then the emergency approval itself, by the dispatcher who approved and
 * executed. `load` reads a subject's approval (approvalsOfDocuments), `planOf` a transfer's plan; decidingApprovalSql is
 * the same rule in SQL.
 * D22, D23, D25 (sweep 14a F7): a plan's shipment out of another jurisdiction's store — the lender's — went on the
 * lender's authority: its consent (CROSS_REGION_USE, decided by the lender's own dispatcher: lenderConsentSql) or a
 * standing 联储 agreement (lenderBasisSql, the 依据 — no approval of the lender's). The lender's readers may not read the
 * plan's approval (another region's): for such a reader (`lender.readable` false) the shipment's deciding approval is
 * the lender's consent, where there is one; one who may read the plan's approval sees it, as before.
 */
export async function decidingApproval(
  doc: DocumentExecuting,
  load: (subjectId: string) => Promise<ApprovalRow | null | undefined>,
  planOf: (transferId: string) => Promise<string | null | undefined>,
  lender?: { consentOf: (transferId: string) => Promise<ApprovalRow | null | undefined>; readable: (a: ApprovalRow) => Promise<boolean> },
): Promise<ApprovalRow | null> {
  const planId = doc.type === EXECUTES_PLAN && doc.transferId && !doc.orderId ? await planOf(doc.transferId) : null;
  const [own, ofOrder] = await Promise.all([load(doc.id), doc.orderId ? load(doc.orderId) : planId ? load(planId) : null]);
  const deciding = own ?? ofOrder ?? null;
  // D25 (sweep 14a F7): the lending side's own authority, for a reader who may not read the plan's approval.
  if (!planId || own || !lender || (deciding && (await lender.readable(deciding)))) return deciding;
  return (await lender.consentOf(doc.transferId!)) ?? deciding;
}

/** SQL: the dispatch plan a document executed (as decidingApproval: the plan of a 调拨单（调出）'s transfer), or NULL. */
export const planOfDocumentSql = (doc: { type: SQL; transferId: SQL }) =>
  sql`(SELECT t.dispatch_plan_id FROM transfers t WHERE t.id = ${doc.transferId} AND ${doc.type} = ${EXECUTES_PLAN}::document_type)`;

/**
 * decidingApproval in SQL, for a document row of `doc` (its id, type, order_id and transfer_id columns): a subquery of
 * one approval row or none, to join LATERAL — the journal export and the printed document.
 */
export const decidingApprovalSql = (doc: { id: SQL; type: SQL; orderId: SQL; transferId: SQL }) =>
  sql`(SELECT a.* FROM approvals a
        WHERE (a.subject_id = ${doc.id} AND a.kind IN (${sql.join(
          DOCUMENT_APPROVAL_KINDS.map((k) => sql`${k}::approval_kind`),
          sql`, `,
        )})) OR (a.subject_id = ${doc.orderId} AND a.kind = 'OUTBOUND_ORDER')
           OR (${doc.orderId} IS NULL AND a.subject_id = ${planOfDocumentSql(doc)} AND a.status = 'APPROVED'
               AND a.kind IN (${sql.join(
                 PLAN_DECIDING_KINDS.map((k) => sql`${k}::approval_kind`),
                 sql`, `,
               )}))
        ORDER BY a.subject_id = ${doc.id} DESC, a.kind = 'EMERGENCY_WRITTEN_APPROVAL' DESC, a.requested_at DESC LIMIT 1)`;

/**
 * D25 (sweep 14a F7), SQL for decidingApproval's `lender.consentOf`: the approved consent (CROSS_REGION_USE) covering a
 * plan shipment's lines — asked of the source store's jurisdiction, one per region, its payload naming the lines — a
 * subquery of one approval row or none, to join LATERAL beside decidingApprovalSql.
 */
export const lenderConsentSql = (doc: { type: SQL; transferId: SQL }) =>
  sql`(SELECT a.* FROM approvals a JOIN dispatch_lines l ON l.plan_id = a.subject_id AND a.payload->'lineNos' @> to_jsonb(l.line_no)
        WHERE a.subject_id = ${planOfDocumentSql(doc)} AND l.transfer_id = ${doc.transferId}
          AND a.kind = 'CROSS_REGION_USE' AND a.status = 'APPROVED'
        ORDER BY a.decided_at DESC LIMIT 1)`;

/** lenderConsentSql for the GraphQL loader: each transfer's consent, by transfer id (the newest, should there be two). */
export const lenderConsentsOfTransfers = (db: Db, transferIds: readonly string[]) =>
  db
    .select({ transferId: dispatchLines.transferId, approval: approvals })
    .from(approvals)
    .innerJoin(dispatchLines, and(eq(dispatchLines.planId, approvals.subjectId), sql`${approvals.payload}->'lineNos' @> to_jsonb(${dispatchLines.lineNo})`))
    .where(and(inArray(dispatchLines.transferId, [...transferIds]), eq(approvals.kind, 'CROSS_REGION_USE'), eq(approvals.status, 'APPROVED')))
    .orderBy(asc(approvals.decidedAt));

/**
 * D22, D25 (sweep 14a F7): the 依据 of a plan shipment out of a 联储 partner's store — the standing agreement it used
 * (dispatch_lines.joint_agreement_id, as decided again at execution), by its validity and id — or, its lender having
 * consented for this plan, that consent; NULL otherwise. The journal export's 依据 and the printed 调拨单（调出） cite it
 * where the document itself cites nothing.
 */
export const lenderBasisSql = (doc: { type: SQL; transferId: SQL }) =>
  sql`(SELECT COALESCE(
          (SELECT '联储协议（有效期 ' || to_char(j.valid_from, 'YYYY-MM-DD') || ' 至 ' || to_char(j.valid_to, 'YYYY-MM-DD') || '，协议 ID ' || j.id || '）'
             FROM dispatch_lines l JOIN joint_reserve_agreements j ON j.id = l.joint_agreement_id
            WHERE l.plan_id = ${planOfDocumentSql(doc)} AND l.transfer_id = ${doc.transferId} ORDER BY l.line_no LIMIT 1),
          (SELECT '跨区域调用（调出方辖区同意，' || to_char(c.decided_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') || '）' FROM ${lenderConsentSql(doc)} c)))`;

export interface ApprovalFilter {
  regionCode?: string | null;
  status?: ApprovalStatus | null;
  kind?: ApprovalKind | null;
  /** Only what I may decide (not what I requested). */
  mine?: 'TO_DECIDE' | 'REQUESTED' | null;
  /** Sweep 25c F6: only the withdrawn ones (true) or only the others (false) — withdrawApprovals' mark, as withdrawalOf reads it. */
  withdrawn?: boolean | null;
}

/** approvals(filter): what the principal may decide or requested, newest first (D24). */
export async function listApprovals(ctx: ServiceContext, filter: ApprovalFilter, page: PageArgs) {
  const { db, actor: user } = ctx;
  const req = pageRequest(page, 'approvals', ['timestamp', 'uuid']);
  const where: (SQL | undefined)[] = [approvalsInScope(user, approvals)];
  // The region filter answers as every list's does (filterRegion): unknown NOT_FOUND, outside the caller's region
  // FORBIDDEN (sweep 10c F8: an empty list). What one requested of another region (a consent) lists unfiltered.
  if (filter.regionCode) {
    const { code } = await filterRegion(db, user, filter.regionCode, 'filter.regionCode');
    where.push(sql`${approvals.regionCode} LIKE ${`${subtreePrefix(code)}%`}`);
  }
  if (filter.status) where.push(eq(approvals.status, filter.status));
  if (filter.kind) where.push(eq(approvals.kind, filter.kind));
  if (filter.withdrawn != null) where.push(sql`(COALESCE(${approvals.payload}->>'withdrawn', 'false') = 'true') = ${filter.withdrawn}`);
  if (filter.mine === 'REQUESTED') where.push(eq(approvals.requestedBy, user.id));
  if (filter.mine === 'TO_DECIDE') {
    // A keeper reads the approvals about their stores but decides none of them (sweeps 14a F8, 14c LOW-6: a queue of
    // buttons that all fail).
    if (!decidesAnything(user)) where.push(sql`FALSE`);
    // As assertMayDecide: not one's own request, nor the written approval of a plan one requested, nor a request of
    // one whose account is tied to one's own (accountsTied: either created the other's account or set its password).
    where.push(
      sql`${approvals.requestedBy} <> ${user.id}::uuid`,
      sql`NOT (${approvals.kind} = 'EMERGENCY_WRITTEN_APPROVAL' AND EXISTS (SELECT 1 FROM dispatch_plans p WHERE p.id = ${approvals.subjectId} AND p.requested_by = ${user.id}::uuid))`,
      sql`NOT ${requesterControls(user.id)}`,
    );
  }
  let after: SQL | undefined;
  if (req.after) {
    const [at, id] = req.after as string[];
    after = or(lt(approvals.requestedAt, new Date(at)), and(eq(approvals.requestedAt, new Date(at)), lt(approvals.id, id)));
  }
  const rows = await db
    .select()
    .from(approvals)
    .where(and(...where, after))
    .orderBy(desc(approvals.requestedAt), desc(approvals.id))
    .limit(req.limit + 1);
  return toPage(
    rows,
    req,
    (a) => [a.requestedAt.toISOString(), a.id],
    async () => {
      const [r] = await queryRows<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM approvals WHERE ${and(...where)}`);
      return Number(r.n);
    },
  );
}
