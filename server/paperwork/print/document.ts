import { sql } from 'drizzle-orm';
import { chinaText } from '../../clock.ts';
import { queryRows } from '../../../drizzle/client.ts';
import { mayRead, readableOrNull, type PolicyLookups } from '../../auth/policy.ts';
import { decidingApprovalSql, lenderBasisSql, lenderConsentSql, planOfDocumentSql } from '../../authority/queue.ts';
import type { ServiceContext } from '../../context.ts';
import { forbidden, notFound } from '../../errors.ts';
import { createLoaders } from '../../loaders.ts';
import { formatFen, toFen } from '../../money.ts';
import { uuidArg } from '../../validation.ts';
import { amountInWords } from '../amount-in-words.ts';
import { DOCUMENT_STATUS_NAMES, DOCUMENT_TYPE_NAMES, POSTED_STATUSES } from '../names.ts';
import { bureauOf } from './bureau.ts';
import { planNumber } from './plan.ts';
import { writeOffIdOf } from '../../inventory/transfers.ts';
import { SIGNATURES, type Printable } from './printable.ts';
import { userNameAt } from '../../users/names.ts';

/** Documents whose lines go both ways (a count's gains and losses, a rotation's out and in): quantities keep their sign. */
const SIGNED = new Set(['STOCKTAKE', 'ROTATION', 'REVERSAL']);
/**
 * D7: documents that bring batches into a store (入库单, 调拨单（调入）) print each batch's whole label — 产地 and 生产日期
 * beside 批号 and 有效期至; 入库时间 is the document's own date, at its head (sweep 12a F3).
 */
const LABELLED = new Set(['RECEIPT', 'TRANSFER_IN']);
/**
 * Documents whose counterpart store is where the goods came from (调出仓库): a transfer's receipt and the 核销单 of its
 * loss in transit, written at the receiving store (sweep 16c F8: the 核销单 named the sending store 调入仓库). Every
 * other counterpart — a shipment's, a cancelled transfer's, a recovery's — is where they go (调入仓库).
 */
const FROM_COUNTERPART = new Set(['TRANSFER_IN', 'WRITE_OFF']);
/**
 * D10 (sweep 16c F5): a rotation slip's old batch goes out and its new batch comes in — one net 合计 (数量 0, the price
 * difference as 金额) is neither what left nor what arrived: it totals 出库 and 入库 apart, each in figures and 大写,
 * and names the difference 价值变动. So does a reversal of one (any reversal whose lines go both ways).
 */
const TWO_WAY = new Set(['ROTATION', 'REVERSAL']);

/** A stock document as printed, for those who may see it (its store or its counterpart's, as through GraphQL). */
export async function printableDocument(ctx: ServiceContext, id: string): Promise<Printable> {
  uuidArg(id, 'id', '单据');
  const [doc] = await queryRows<Record<string, string | null>>(
    ctx.db,
    sql`SELECT d.id::text, d.number, d.type::text AS type, d.status::text AS status, d.store_id::text AS "storeId",
               d.counterpart_store_id::text AS "counterpartStoreId", d.occurred_at AS "occurredAt", d.recorded_at AS "recordedAt",
               d.recipient, d.reference, d.source::text AS source, d.contract_no AS "contractNo", d.inspection_report_no AS "inspectionReportNo",
               d.approval_ref AS "approvalRef", d.note, s.name AS store, s.region_code AS "regionCode", c.name AS counterpart,
               o.name AS "sourceOrg", rs.name AS reason, ${userNameAt(sql`u.id`, sql`d.recorded_at`, sql`u.display_name`)} AS actor, inc.name AS incident,
               so.number AS "orderNumber", so.store_id::text AS "orderStoreId",
               ap.status::text AS "approvalStatus", ap.requested_by::text AS "approvalRequestedBy", ap.region_code AS "approvalRegionCode",
               ap.store_id::text AS "approvalStoreId", ap.decided_at AS "decidedAt", ap.approval_ref AS "decidedRef", ap.reason AS "decidedReason", ${userNameAt(sql`au.id`, sql`ap.decided_at`, sql`au.display_name`)} AS approver,
               ap.kind::text AS "approvalKind", ${userNameAt(sql`ar.id`, sql`ap.requested_at`, sql`ar.display_name`)} AS "approvalRequester",
               dp.id::text AS "planId", dp.requested_at AS "planRequestedAt", dp.incident_id::text AS "planIncidentId", CASE WHEN dp.emergency THEN 'true' END AS "planEmergency",
               lc.requested_by::text AS "consentRequestedBy", lc.region_code AS "consentRegionCode", lc.store_id::text AS "consentStoreId",
               lc.decided_at AS "consentDecidedAt", lc.approval_ref AS "consentRef", ${userNameAt(sql`lu.id`, sql`lc.decided_at`, sql`lu.display_name`)} AS "consentApprover",
               ${lenderBasisSql({ type: sql`d.type`, transferId: sql`d.transfer_id` })} AS "lenderBasis",
               rv.number AS "reversesNumber", rv.store_id::text AS "reversesStoreId", rv.counterpart_store_id::text AS "reversesCounterpartId",
               CASE WHEN d.reverses_document_id IS NULL AND rv.id IS NOT NULL THEN 'true' END AS "reversalRejected",
               cx.number AS "reversalNumber", cx.status::text AS "reversalStatus", cx.type::text AS "reversalType", cx.store_id::text AS "reversalStoreId",
               cx.counterpart_store_id::text AS "reversalCounterpartId"
          FROM documents d JOIN stores s ON s.id = d.store_id
          LEFT JOIN stores c ON c.id = d.counterpart_store_id LEFT JOIN organizations o ON o.id = d.source_org_id
          LEFT JOIN stock_reasons rs ON rs.code = d.reason_code JOIN users u ON u.id = d.actor_id
          LEFT JOIN incidents inc ON inc.id = d.incident_id
          LEFT JOIN outbound_orders so ON so.id = d.order_id
          LEFT JOIN LATERAL ${decidingApprovalSql({ id: sql`d.id`, type: sql`d.type`, orderId: sql`d.order_id`, transferId: sql`d.transfer_id` })} ap ON TRUE
          LEFT JOIN users au ON au.id = ap.decided_by LEFT JOIN users ar ON ar.id = ap.requested_by
          LEFT JOIN dispatch_plans dp ON dp.id = ${planOfDocumentSql({ type: sql`d.type`, transferId: sql`d.transfer_id` })}
          LEFT JOIN LATERAL ${lenderConsentSql({ type: sql`d.type`, transferId: sql`d.transfer_id` })} lc ON TRUE LEFT JOIN users lu ON lu.id = lc.decided_by
          -- D22: the document a 冲销单 reverses (a rejected one keeps it in its details only), and the 冲销单 of a
          -- reversed document or one awaiting approval (a rejected reversal no longer names the original).
          LEFT JOIN documents rv ON rv.id = COALESCE(d.reverses_document_id, CASE WHEN d.type = 'REVERSAL' THEN (d.details ->> 'rejectedReversalOf')::uuid END)
          LEFT JOIN documents cx ON cx.reverses_document_id = d.id
         WHERE d.id = ${id}::uuid`,
  );
  if (!doc) throw notFound('id', '单据', id);
  const loaders = createLoaders(ctx.db);
  const lookups = {
    store: (s: string) => loaders.store.load(s),
    storesOfBatch: (b: string) => loaders.batchStores.load(b),
    incidentRegion: async (i: string) => (await loaders.incident.load(i))?.regionCode ?? null,
  };
  if (!(await mayRead.document(ctx.actor, { storeId: doc.storeId!, counterpartStoreId: doc.counterpartStoreId }, lookups))) {
    throw forbidden('该单据');
  }
  const approvalFacts = await approvalFactsOf(ctx, doc, lookups);
  const lines = await queryRows<Record<string, string | number | null>>(
    ctx.db,
    sql`SELECT l.line_no, l.batch_id::text, i.name AS item, i.spec, i.unit, b.batch_no, b.origin, b.production_date::text AS production, b.expiry_date::text AS expiry,
               l.quantity, l.unit_price::text AS unit_price,
               l.book_quantity, l.counted_quantity, rs.name AS reason, l.note
          FROM document_lines l JOIN items i ON i.id = l.item_id JOIN batches b ON b.id = l.batch_id
          LEFT JOIN stock_reasons rs ON rs.code = l.reason_code
         WHERE l.document_id = ${id}::uuid ORDER BY l.line_no`,
  );
  const type = doc.type!;
  const lossNotes = type === 'TRANSFER_IN' ? await writeOffStateOf(ctx, id) : new Map<string, string>();
  const signed = SIGNED.has(type);
  const stocktake = type === 'STOCKTAKE';
  const labelled = LABELLED.has(type);
  const quantityOf = (q: number) => (signed ? q : Math.abs(q));
  const amounts = lines.map((l) => toFen(String(l.unit_price)) * BigInt(quantityOf(Number(l.quantity))));
  const total = formatFen(amounts.reduce((s, a) => s + a, 0n));
  const facts: [string, string][] = [
    ['仓库', doc.store!],
    ...(doc.counterpart ? [[FROM_COUNTERPART.has(type) ? '调出仓库' : '调入仓库', doc.counterpart] as [string, string]] : []),
    ...(doc.recipient ? [['领用/去向', doc.recipient] as [string, string]] : []),
    // D7: a donation may come from an unknown donor — said, not left out.
    ...(doc.sourceOrg || doc.source === 'DONATION' ? [['来源单位', doc.sourceOrg ?? '未填（捐赠方不详）'] as [string, string]] : []),
    ...(doc.contractNo ? [['合同编号', doc.contractNo] as [string, string]] : []),
    ...(doc.inspectionReportNo ? [['验收报告', doc.inspectionReportNo] as [string, string]] : []),
    ...(doc.reason ? [['原因', doc.reason] as [string, string]] : []),
    ...(doc.approvalRef ? [['审批文号', doc.approvalRef] as [string, string]] : []),
    ...approvalFacts,
    ...(doc.incident ? [['事件', doc.incident] as [string, string]] : []),
    ...(doc.reference ? [['依据', doc.reference] as [string, string]] : []),
    ...(await reversalFacts(ctx, doc, lookups)),
    ...(doc.note ? [['备注', doc.note] as [string, string]] : []),
    ['状态', DOCUMENT_STATUS_NAMES[doc.status!] ?? doc.status!],
  ];
  const sides = TWO_WAY.has(type) ? twoWayTotals(lines.map((l, i) => ({ quantity: Number(l.quantity), amount: amounts[i] }))) : undefined;
  return {
    title: DOCUMENT_TYPE_NAMES[type] ?? type,
    bureau: await bureauOf(ctx.db, doc.regionCode!),
    number: doc.number!,
    date: chinaText(doc.occurredAt!, 'yyyy-LL-dd HH:mm'),
    facts,
    headings: [
      '序号',
      '物资',
      '规格',
      '单位',
      '批号',
      ...(labelled ? ['产地', '生产日期'] : []),
      '有效期至',
      ...(stocktake ? ['账面数', '实盘数', '盈亏数'] : ['数量']),
      '单价（元）',
      '金额（元）',
      '原因/说明',
    ],
    // Quantity, price and amount; two columns further right where the label's 产地 and 生产日期 come first.
    numeric: stocktake ? [6, 7, 8, 9, 10] : [6, 7, 8].map((i) => (labelled ? i + 2 : i)),
    lines: lines.map((l, i) => ({
      cells: [
        Number(l.line_no),
        l.item,
        l.spec,
        l.unit,
        l.batch_no,
        ...(labelled ? [l.origin, l.production] : []),
        l.expiry,
        ...(stocktake ? [Number(l.book_quantity), Number(l.counted_quantity)] : []),
        quantityOf(Number(l.quantity)),
        String(l.unit_price),
        formatFen(amounts[i]),
        [l.reason, (Number(l.quantity) === 0 && lossNotes.get(String(l.batch_id))) || l.note].filter(Boolean).join('；') || null,
      ],
    })),
    totalQuantity: lines.reduce((s, l) => s + quantityOf(Number(l.quantity)), 0),
    total,
    totalInWords: amountInWords(total),
    ...(sides ? { sides: sides.sides, netLabel: sides.netLabel } : {}),
    signatures: SIGNATURES,
    // Awaiting approval or rejected, it was submitted, not posted (记账).
    recorded: `${doc.actor} ${POSTED_STATUSES.has(doc.status!) ? '记账于' : '提交于'} ${chinaText(doc.recordedAt!, 'yyyy-LL-dd HH:mm')}`,
  };
}

/**
 * D22 (sweep 16c F2): a correction is a reversing entry that names what it corrects — the 冲销单 its original
 * (「冲销 RK-…」, under 依据, as the journal export's 依据 column), the original its 冲销单 (「已被 CX-… 冲销」, or the one
 * awaiting approval) — for a reader who may read the other document (its store or counterpart's, as the print itself).
 */
async function reversalFacts(ctx: ServiceContext, doc: Record<string, string | null>, lookups: PolicyLookups): Promise<[string, string][]> {
  const readable = (storeId: string | null, counterpartStoreId: string | null) =>
    storeId !== null && mayRead.document(ctx.actor, { storeId, counterpartStoreId }, lookups);
  if (doc.reversesNumber && (await readable(doc.reversesStoreId, doc.reversesCounterpartId))) {
    // Sweep 24c F2: a 调拨撤销单 names the 调拨出库 it undoes the same way.
    if (doc.type === 'TRANSFER_CANCEL') return [['依据', `撤销调拨 ${doc.reversesNumber}`]];
    return [['依据', `冲销 ${doc.reversesNumber}${doc.reversalRejected ? '（冲销已驳回，原单未冲销）' : ''}`]];
  }
  if (doc.reversalNumber && (await readable(doc.reversalStoreId, doc.reversalCounterpartId))) {
    if (doc.reversalType === 'TRANSFER_CANCEL') return [['撤销', `已被 ${doc.reversalNumber} 撤销（调拨撤销，货物退回调出仓库）`]];
    if (doc.reversalStatus === 'PENDING_APPROVAL') return [['冲销', `${doc.reversalNumber} 冲销待审批`]];
    if (doc.status === 'REVERSED') return [['冲销', `已被 ${doc.reversalNumber} 冲销`]];
  }
  return [];
}

/**
 * A two-way document's totals (TWO_WAY): what went out and what came in, each as a positive quantity and amount with
 * its 大写, when its lines go both ways; and the difference, named 价值变动（入库减出库）. One way only: the one 合计.
 */
function twoWayTotals(lines: { quantity: number; amount: bigint }[]): Pick<Printable, 'sides' | 'netLabel'> | undefined {
  const out = lines.filter((l) => l.quantity < 0);
  const into = lines.filter((l) => l.quantity > 0);
  if (!out.length || !into.length) return undefined;
  const side = (label: string, ls: typeof lines) => {
    const amount = formatFen(ls.reduce((s, l) => s + (l.amount < 0n ? -l.amount : l.amount), 0n));
    return { label, quantity: ls.reduce((s, l) => s + Math.abs(l.quantity), 0), amount, inWords: amountInWords(amount) };
  };
  return { sides: [side('出库合计', out), side('入库合计', into)], netLabel: '价值变动（入库减出库）' };
}

/** A 核销单's state, as a receipt's loss line says it. */
const WRITE_OFF_STATE: Record<string, string> = { PENDING_APPROVAL: '待核销审批', POSTED: '已核销', REJECTED: '核销已驳回', REVERSED: '核销已冲销' };

/**
 * D27 (sweep 13b #4): a receipt's loss in transit is recorded on it as a line of no quantity, its note written when
 * the 核销单 was opened (「在途短少 2，待核销审批」). The print says the write-off as it stands now — its number and state
 * (approved, refused) — by batch: a loss line reading 待核销审批 after the approval misleads the keeper.
 */
async function writeOffStateOf(ctx: ServiceContext, receiptId: string): Promise<Map<string, string>> {
  const rows = await queryRows<{ batch_id: string; lost: number; number: string; status: string }>(
    ctx.db,
    sql`SELECT l.batch_id::text, -sum(l.quantity)::bigint AS lost, d.number, d.status::text AS status
          FROM documents d JOIN document_lines l ON l.document_id = d.id
         WHERE d.id = ${writeOffIdOf(receiptId)}::uuid AND d.type = 'WRITE_OFF'
         GROUP BY l.batch_id, d.number, d.status`,
  );
  return new Map(rows.map((r) => [r.batch_id, `在途短少 ${r.lost}，${WRITE_OFF_STATE[r.status] ?? r.status}（核销单 ${r.number}）`]));
}

/**
 * D22, D23, D27: who approved the document, when, with which 批准文号, and the outbound order or dispatch plan (D14)
 * it executed — its own approval, its order's or its plan's (decidingApproval) — for a reader the policy lets see them (as StockDocument.approval: the
 * other side of a transfer reads the document, not the sending store's order or approval).
 */
async function approvalFactsOf(ctx: ServiceContext, doc: Record<string, string | null>, lookups: PolicyLookups): Promise<[string, string][]> {
  const facts: [string, string][] = [];
  if (doc.orderNumber && (await readableOrNull('order', ctx.actor, { storeId: doc.orderStoreId! }, lookups))) facts.push(['出库申请', doc.orderNumber]);
  const approval =
    doc.approvalStatus === 'APPROVED' || doc.approvalStatus === 'REJECTED'
      ? await readableOrNull(
          'approval',
          ctx.actor,
          { requestedBy: doc.approvalRequestedBy!, regionCode: doc.approvalRegionCode!, storeId: doc.approvalStoreId },
          lookups,
        )
      : null;
  // D25 (sweep 14a F7): another region's plan shipping the reader's stock — the lender's, who may not read the plan or
  // its approval — went out on the lender's authority (decidingApproval's `lender`): its consent, or the 联储 agreement.
  const lender = doc.planId !== null && !(approval && doc.approvalStatus === 'APPROVED');
  // D14: a plan's shipment cites its 调拨令 by the printed number (not an id), for a reader who may read the plan — and
  // for the lender, whose copy's 备注 names it already.
  if (doc.planId && (lender || (await readableOrNull('plan', ctx.actor, { incidentId: doc.planIncidentId! }, lookups))))
    facts.push(['调拨令', planNumber(doc.planId, new Date(doc.planRequestedAt!))]);
  if (approval && doc.approvalStatus === 'REJECTED') {
    // Sweep 24c F6 (README 单据: 已驳回 with the approver's reason): a rejected document says who rejected it and why.
    facts.push(['驳回人', `${doc.approver} ${chinaText(doc.decidedAt!, 'yyyy-LL-dd HH:mm')}`]);
    if (doc.decidedReason) facts.push(['驳回理由', doc.decidedReason]);
  } else if (approval) {
    facts.push(['批准人', `${doc.approver} ${chinaText(doc.decidedAt!, 'yyyy-LL-dd HH:mm')}`]);
    // D14: the written approval after an emergency one is requested in the emergency approver's name — both are named.
    if (doc.approvalKind === 'EMERGENCY_WRITTEN_APPROVAL') facts.push(['紧急批准', `${doc.approvalRequester}（先调拨后补手续，书面审批已补办）`]);
    else if (doc.approvalKind === 'DISPATCH_PLAN' && doc.planEmergency) facts.push(['紧急批准', '先调拨后补手续，书面审批待补办']);
    // A count's 文号 is the approver's already (the document takes it on approval): not printed twice.
    if (doc.decidedRef && doc.decidedRef !== doc.approvalRef) facts.push(['批准文号', doc.decidedRef]);
  } else if (
    lender &&
    doc.consentApprover &&
    (await readableOrNull(
      'approval',
      ctx.actor,
      { requestedBy: doc.consentRequestedBy!, regionCode: doc.consentRegionCode!, storeId: doc.consentStoreId },
      lookups,
    ))
  ) {
    facts.push(['批准人', `${doc.consentApprover} ${chinaText(doc.consentDecidedAt!, 'yyyy-LL-dd HH:mm')}（同意跨区域调用）`]);
    if (doc.consentRef) facts.push(['批准文号', doc.consentRef]);
  }
  // The document's own 依据 is printed after; the lender's basis only where it cites none.
  if (lender && doc.lenderBasis && !doc.reference) facts.push(['依据', doc.lenderBasis]);
  return facts;
}
