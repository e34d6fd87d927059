import { sql, type SQL } from 'drizzle-orm';
import { chinaText } from '../../clock.ts';
import { queryRows } from '../../../drizzle/client.ts';
import { plannedEachTime } from '../../../drizzle/prepared-statements.ts';
import type { ServiceContext } from '../../context.ts';
import { assertFinanceReader } from '../../audit/valuation.ts';
import { approvalsInScope, regionsInScope, storesInScope } from '../../auth/policy.ts';
import { decidingApprovalSql, lenderBasisSql, lenderConsentSql, planOfDocumentSql } from '../../authority/queue.ts';
import { badInput } from '../../errors.ts';
import { readablePrefix } from '../../regions/service.ts';
import { getStoreInScope } from '../../stores/service.ts';
import { getItem } from '../../catalog/service.ts';
import { heldReserveModeSql } from '../../inventory/reserve-mode.ts';
import { MOVEMENT_TYPE_NAMES, RESERVE_MODE_NAMES } from '../names.ts';
import { instantText, periodOf, type Params } from '../params.ts';
import { type Column, type Report, yieldToEventLoop } from '../report.ts';
import { titleBlock } from '../title.ts';
import { planNumber } from '../print/plan.ts';
import { userNameAt } from '../../users/names.ts';

// 出入库流水 (D22): every movement in scope and filter, newest first — the journal query's rows.

export const MAX_JOURNAL_ROWS = 200_000;
/** Movements read by one statement (sweep 22a F8). */
export const JOURNAL_PAGE = 500;

const COLUMNS: Column[] = [
  { header: '单据编号', key: 'number', width: 18, kind: 'text' },
  { header: '单据类型', key: 'type', width: 10, kind: 'text' },
  { header: '仓库', key: 'store', width: 26, kind: 'text' },
  { header: '物资', key: 'item', width: 14, kind: 'text' },
  { header: '规格', key: 'spec', width: 18, kind: 'text' },
  { header: '单位', key: 'unit', width: 6, kind: 'text' },
  { header: '批号', key: 'batchNo', width: 16, kind: 'text' },
  { header: '库存类别', key: 'bucket', width: 8, kind: 'text' },
  { header: '数量', key: 'quantity', width: 10, kind: 'int' },
  { header: '单价（元）', key: 'unitPrice', width: 12, kind: 'money' },
  { header: '金额（元）', key: 'value', width: 14, kind: 'money' },
  { header: '原因', key: 'reason', width: 10, kind: 'text' },
  { header: '经办人', key: 'actor', width: 14, kind: 'text' },
  { header: '业务时间', key: 'occurredAt', width: 19, kind: 'datetime' },
  { header: '记账时间', key: 'recordedAt', width: 19, kind: 'datetime' },
  // D22, D23, D27: the second person — last, so that the columns before keep their places.
  { header: '批准人', key: 'approver', width: 14, kind: 'text' },
  { header: '批准文号', key: 'approvalRef', width: 20, kind: 'text' },
  { header: '出库申请', key: 'orderNumber', width: 18, kind: 'text' },
  // D3, D21 (sweep 12c C10): the reserve mode where the movement's stock is held (reserve-mode.ts, as the stock list and
  // the valuation say it) — a company's own stock (协议储备) is the company's, apart from the government's reserves, and
  // the auditor filters it out to reconcile with the valuation. D7, D22 (C11): the document's contract number and what
  // it cites (依据), e.g. the 调拨令 line and agreement a call-off's receipt was bought under. Last, as above.
  { header: '储备方式', key: 'mode', width: 10, kind: 'text' },
  { header: '合同编号', key: 'contractNo', width: 18, kind: 'text' },
  { header: '依据', key: 'reference', width: 36, kind: 'text' },
];

export async function journalReport(ctx: ServiceContext, q: Params): Promise<Report> {
  const { db, actor: user } = ctx;
  assertFinanceReader(user);
  // Another region's or an unknown store is FORBIDDEN / NOT_FOUND, as the journal query answers (the same check, first).
  const store = q.storeId ? await getStoreInScope(db, user, q.storeId, 'storeId') : null;
  const prefix = await readablePrefix(db, user, q.regionCode);
  const where: SQL[] = [sql`s.region_code LIKE ${`${prefix}%`}`];
  const period = periodOf(q, ctx.clock.now().toJSDate());
  if (period.from) where.push(sql`m.occurred_at > ${period.from}::timestamptz`); // (from, to], as the journal query
  if (period.to) where.push(sql`m.occurred_at <= ${period.to}::timestamptz`);
  if (store) where.push(sql`m.store_id = ${store.id}::uuid`);
  // An unknown item is NOT_FOUND, as the journal query answers it (sweep 17b F4, F8), not an empty sheet.
  if (q.itemId) where.push(sql`m.item_id = ${(await getItem(db, q.itemId, 'itemId')).id}::uuid`);
  if (q.documentType) {
    if (!Object.hasOwn(MOVEMENT_TYPE_NAMES, q.documentType))
      throw badInput('documentType', `未知单据类型：${q.documentType}（可选：${Object.values(MOVEMENT_TYPE_NAMES).join('、')}）`, {
        allowed: Object.keys(MOVEMENT_TYPE_NAMES),
      });
    where.push(sql`m.type = ${q.documentType}::document_type`);
  }
  // D22, D23, D27: who approved the movement's document — its own approval or its order's — and the order, where the
  // policy lets the reader see them (as StockDocument.approval: an in-transit leg at a store in scope may belong to
  // another region's document, whose approval and order are that region's). D14: a plan's shipment cites the plan — its
  // 调拨令's printed number, under 出库申请 — where the reader may read the plan (mayRead.plan: its incident's region;
  // the journal has no keeper readers). D22, D25 (sweep 14a F7): another region's plan shipping the reader's stock (the
  // lender's) went out on the lender's authority: for a reader who may not read the plan's approval, its consent
  // (lenderConsentSql, as decidingApproval) names 批准人 and 批准文号, and 依据 cites the consent or the 联储 agreement
  // (lenderBasisSql) where the document cites nothing; 出库申请 the 调拨令's number, which the shipment's own note
  // (备注) names to whoever reads the document. D22 (sweep 16c F2): a reversal's rows cite what they reverse — 依据
  // 「冲销 RK-…」, as its print — and 原因 the reversal's own reason (its 备注), not the reversed lines' reason code.
  const planSeen = regionsInScope(user, sql`pi.region_code`);
  const approvalSeen = sql`(ap.id IS NOT NULL AND ${approvalsInScope(user, { regionCode: sql`ap.region_code`, storeId: sql`ap.store_id`, requestedBy: sql`ap.requested_by` })})`;
  const consentSeen = approvalsInScope(user, { regionCode: sql`lc.region_code`, storeId: sql`lc.store_id`, requestedBy: sql`lc.requested_by` });
  const docRef = { type: sql`d.type`, transferId: sql`d.transfer_id` };
  const orderSeen = storesInScope(user, sql`so.store_id`, sql`os.region_code`);
  // Sweep 22a F8: read in pages of JOURNAL_PAGE by the movement id (newest first, as before), letting the event loop go
  // between pages — one statement over a county's ~6,000 movements held it 2–7 s (PGlite runs in this process). The
  // movements are never changed (D22: a correction is a reversal, a new movement), and a movement posted meanwhile has
  // a higher id than the first page's: the pages are the list as it stood at the first, without gaps or repeats. The
  // page's movements are chosen first (by the filters, all on the movement and its store), and only they are joined to
  // their approvals and plans: those per-row look-ups over every movement in scope were most of the statement's time.
  const page = (before: number | null, limit: number) =>
    queryRows<Record<string, string | number | Date | null>>(
      db,
      plannedEachTime(sql`SELECT m.id AS "movementId", d.number, m.type::text AS type, s.name AS store, i.name AS item, i.spec, i.unit, b.batch_no AS "batchNo",
               m.bucket::text AS bucket, m.quantity, m.unit_price::text AS "unitPrice", (m.quantity * m.unit_price)::text AS value,
               CASE WHEN d.type IN ('REVERSAL', 'TRANSFER_CANCEL') THEN d.note ELSE r.name END AS reason, ${userNameAt(sql`u.id`, sql`m.recorded_at`, sql`u.display_name`)} AS actor, m.occurred_at AS "occurredAt", m.recorded_at AS "recordedAt",
               CASE WHEN ${approvalSeen} THEN ${userNameAt(sql`au.id`, sql`ap.decided_at`, sql`au.display_name`)}
                    WHEN ${consentSeen} THEN ${userNameAt(sql`lu.id`, sql`lc.decided_at`, sql`lu.display_name`)} END AS approver,
               CASE WHEN ${approvalSeen} THEN ap.approval_ref WHEN ${consentSeen} THEN lc.approval_ref END AS "approvalRef",
               CASE WHEN ${orderSeen} THEN so.number END AS "orderNumber",
               CASE WHEN ${planSeen} OR NOT ${approvalSeen} THEN sp.id::text END AS "planId", sp.requested_at AS "planRequestedAt",
               ${heldReserveModeSql(sql`b.reserve_mode`, sql`s.kind`)} AS mode, d.contract_no AS "contractNo",
               COALESCE(d.reference, CASE WHEN d.type = 'TRANSFER_CANCEL' THEN '撤销调拨 ' ELSE '冲销 ' END || rv.number, CASE WHEN NOT ${approvalSeen} THEN ${lenderBasisSql(docRef)} END) AS reference
          FROM (SELECT m.* FROM movements m JOIN stores s ON s.id = m.store_id
                 WHERE ${sql.join([...where, ...(before === null ? [] : [sql`m.id < ${before}`])], sql` AND `)}
                 ORDER BY m.id DESC LIMIT ${limit}) m
          JOIN documents d ON d.id = m.document_id JOIN stores s ON s.id = m.store_id
          JOIN items i ON i.id = m.item_id JOIN batches b ON b.id = m.batch_id JOIN users u ON u.id = m.actor_id
          LEFT JOIN stock_reasons r ON r.code = m.reason_code LEFT JOIN documents rv ON rv.id = d.reverses_document_id
          LEFT JOIN outbound_orders so ON so.id = d.order_id LEFT JOIN stores os ON os.id = so.store_id
          LEFT JOIN LATERAL ${decidingApprovalSql({ id: sql`d.id`, type: sql`d.type`, orderId: sql`d.order_id`, transferId: sql`d.transfer_id` })} ap
                 ON ap.status = 'APPROVED'
          LEFT JOIN users au ON au.id = ap.decided_by
          LEFT JOIN LATERAL ${lenderConsentSql(docRef)} lc ON TRUE LEFT JOIN users lu ON lu.id = lc.decided_by
          LEFT JOIN dispatch_plans sp ON sp.id = ${planOfDocumentSql(docRef)}
          LEFT JOIN dispatch_plans dp ON dp.id = ap.subject_id AND ap.kind IN ('DISPATCH_PLAN', 'EMERGENCY_WRITTEN_APPROVAL')
          LEFT JOIN incidents pi ON pi.id = dp.incident_id
         ORDER BY m.id DESC`),
    );
  const rows: Record<string, string | number | Date | null>[] = [];
  for (;;) {
    const limit = Math.min(JOURNAL_PAGE, MAX_JOURNAL_ROWS - rows.length);
    const got = await page(rows.length ? Number(rows[rows.length - 1].movementId) : null, limit);
    rows.push(...got);
    if (got.length < limit || rows.length >= MAX_JOURNAL_ROWS) break;
    await yieldToEventLoop();
  }
  const title = await titleBlock(ctx, { regionCode: q.regionCode, storeId: store?.id });
  // (from, to] in words (sweep 16c F1): the start's own instant is the previous period's — 「2026-11-01 00:00 后」 — and
  // a day's end is its 24:00, as the valuation's 截至 says it.
  const from = period.from ? `${instantText(period.from, 'start')} 后` : '最早 ';
  const to = instantText(period.to ?? title.preparedAt);
  return {
    ...title,
    fileName: `journal-${chinaText(title.preparedAt, 'yyyyLLdd')}`,
    title: '出入库流水',
    sheetName: '出入库流水',
    period: `${from}至 ${to}`,
    columns: COLUMNS,
    rows: rows.map(({ movementId: _movementId, planId, planRequestedAt, ...r }) => ({
      cells: {
        ...r,
        orderNumber: r.orderNumber ?? (planId ? planNumber(String(planId), new Date(planRequestedAt as string)) : null),
        type: MOVEMENT_TYPE_NAMES[String(r.type)] ?? r.type,
        bucket: r.bucket === 'IN_TRANSIT' ? '在途' : '在库',
        mode: RESERVE_MODE_NAMES[String(r.mode)] ?? r.mode,
        quantity: Number(r.quantity),
        occurredAt: new Date(r.occurredAt as string),
        recordedAt: new Date(r.recordedAt as string),
      },
    })),
  };
}
