import { and, asc, eq, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { dispatchLines, settlements } from '../../drizzle/schema/index.ts';
import { mayRead, regionsInScope, settlementConfirmationBar } from '../auth/policy.ts';
import type { Principal } from '../auth/principal.ts';
import { badInput, DomainError, forbidden, invalidState, notFound } from '../errors.ts';
import { stableId } from '../ids.ts';
import { isInSubtree, subtreePrefix } from '../regions/codes.ts';
import { getRegionInScope } from '../regions/service.ts';
import { idSchema, uuidArg, validate } from '../validation.ts';
import type { ServiceContext } from '../context.ts';
import { chinaIso, chinaText } from '../clock.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';

// D15, D25: every use of another level's or region's stock leaves a settlement owed (归还 in kind or compensation in
// money) until it is settled by a recorded document or reference.

export type SettlementRow = typeof settlements.$inferSelect;
export type SettlementStatus = SettlementRow['status'];

/**
 * Does shipping stock held in `sourceRegion` to an incident in `incidentRegion`, for the jurisdiction `owedBy` that
 * planned it, leave a settlement? Yes unless the stock serves its own area (its region is the incident's or one above
 * it) for its own jurisdiction or one above: another region's stock, a lower level's stock used for somebody else
 * (D15), and a higher level's stock used by a lower one (D25: "another level's" — sweep 11c F3: the province's
 * reserves, used by 新乡市 with the province's consent, were owed nothing) are owed back.
 */
export const owesSettlement = (sourceRegion: string, incidentRegion: string, owedBy: string) =>
  !isInSubtree(incidentRegion, sourceRegion) || !isInSubtree(sourceRegion, owedBy);

/**
 * D3, D25: whose stock a batch is — the region of the government that owns it, where that is recorded — for the
 * settlement its use leaves. Owner ≠ holder: the city's tents kept in a county's store are the city's (its use by the
 * city owes the county nothing; the county's use of them owes the city). A batch with no government owner on record is
 * its holder's, the source store's region, as before.
 */
export async function ownerRegionsOf(tx: Db, batchIds: readonly string[]): Promise<Map<string, string>> {
  if (!batchIds.length) return new Map();
  const rows = await queryRows<{ batch_id: string; region_code: string }>(
    tx,
    sql`SELECT b.id::text AS batch_id, o.region_code FROM batches b JOIN organizations o ON o.id = b.owner_org_id
         WHERE b.id IN (${uuidList([...new Set(batchIds)])}) AND o.kind = 'GOVERNMENT' AND o.region_code IS NOT NULL`,
  );
  return new Map(rows.map((r) => [r.batch_id, r.region_code]));
}

export interface SettlementDraft {
  planId: string;
  lineNo: number;
  owedToRegion: string;
  owedByRegion: string;
  storeId: string;
  itemId: string;
  quantity: number;
  value: string;
  jointAgreementId: string | null;
}

export async function openSettlement(tx: Db, d: SettlementDraft, at: Date): Promise<void> {
  await tx.insert(settlements).values({
    id: stableId('settlement', `${d.planId}/${d.lineNo}`),
    status: 'OPEN',
    owedToRegion: d.owedToRegion,
    owedByRegion: d.owedByRegion,
    storeId: d.storeId,
    itemId: d.itemId,
    quantity: d.quantity,
    value: d.value,
    planId: d.planId,
    jointAgreementId: d.jointAgreementId,
    createdAt: at,
  });
}

/** settlements(regionCode, status): owed to or by regions in scope. */
export async function listSettlements(ctx: ServiceContext, regionCode?: string | null, status?: SettlementStatus | null): Promise<SettlementRow[]> {
  const { db, actor: user } = ctx;
  const where: (SQL | undefined)[] = [or(regionsInScope(user, settlements.owedToRegion), regionsInScope(user, settlements.owedByRegion))];
  if (regionCode) {
    const prefix = `${subtreePrefix((await getRegionInScope(db, user, regionCode)).code)}%`;
    where.push(or(sql`${settlements.owedToRegion} LIKE ${prefix}`, sql`${settlements.owedByRegion} LIKE ${prefix}`));
  }
  if (status) where.push(eq(settlements.status, status));
  return db
    .select()
    .from(settlements)
    .where(and(...where))
    .orderBy(asc(settlements.createdAt), asc(settlements.id));
}

const settleSchema = z
  .object({
    settlementId: idSchema,
    reference: z.string().trim().max(128).nullish(),
    documentId: idSchema.nullish(),
  })
  .refine((v) => v.reference || v.documentId, { path: ['reference'], message: '须填写结算依据（归还入库单或拨款文号）' });

/** D24, D25: the side owed confirms that it was repaid, never the owing side (settlementConfirmationBar says who). */
function assertMayConfirmSettlement(user: Principal, row: SettlementRow): void {
  const bar = settlementConfirmationBar(user, row);
  if (bar === 'NOT_OWED_SIDE') throw forbidden('结算（须由被欠方的调度员或管理员确认）');
  if (bar === 'OWING_SIDE') {
    throw new DomainError('FORBIDDEN', '不相容岗位分离：欠方辖区的人员不能确认本方欠款已结清，须由被欠方确认', { field: 'input.settlementId' });
  }
}

/**
 * D25: which side of a settlement a region is on — the nearer (deeper) of the owed and owing regions whose subtree
 * holds it. A nested debt splits the outer region's subtree: a township owed by its own city is in the city's subtree,
 * yet it is the lender (as settlementConfirmationBar reads it); a county owing its city (sweep 15b F3) is in the city's
 * subtree, yet its stores are the owing side's, not the city's. null: neither side.
 */
const sideOf = (region: string | null, row: Pick<SettlementRow, 'owedToRegion' | 'owedByRegion'>): 'OWED' | 'OWING' | null => {
  if (region === null) return null;
  const owed = isInSubtree(region, row.owedToRegion);
  const owing = isInSubtree(region, row.owedByRegion);
  if (owed && owing) return isInSubtree(row.owedToRegion, row.owedByRegion) ? 'OWED' : 'OWING';
  return owed ? 'OWED' : owing ? 'OWING' : null;
};

/** What a settling document must be, said to the dispatcher who named the wrong one (D25). */
const RETURN_DOCUMENT_RULE = '须为欠方归还的入库单（物资归欠方政府所有）或从欠方辖区仓库调入的调拨入库单';

/**
 * D25: a settlement closed by a document needs one that returned the item into the owed region (归还 in kind) from the
 * owing side: a posted transfer-in from a store of the owing side, or a posted receipt whose goods (batches) belong to
 * the owing side's government (the owing side bought them for the lender, as a call-off's goods are the contracting
 * government's wherever delivered) — never the owed side's own purchase, donation or stock. At one of the owed
 * side's stores (sideOf: not a store of the owing side nested in the owed region), recorded since the debt, with at
 * least the quantity owed of the settlement's item (counting only the owing side's goods), and not used to settle
 * another settlement. (Partial repayment is not recorded: a smaller return is refused.) Compensation in money is
 * settled by its reference (拨款文号), not by a document.
 */
async function assertReturnDocument(tx: Db, user: Principal, row: SettlementRow, documentId: string): Promise<void> {
  const field = 'input.documentId';
  // One document settles one settlement, and a document being reversed settles none (assertNotSettling): concurrent
  // settles citing it, and the approval of its reversal, take turns here — before its status is read.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`settlement-document|${documentId}`}))`);
  const [doc] = await queryRows<{ number: string; type: string; status: string; region: string; from_region: string | null; recorded_at: string | Date }>(
    tx,
    sql`SELECT d.number, d.type, d.status, s.region_code AS region, c.region_code AS from_region, d.recorded_at
          FROM documents d JOIN stores s ON s.id = d.store_id LEFT JOIN stores c ON c.id = d.counterpart_store_id
         WHERE d.id = ${documentId}::uuid`,
  );
  // A document beyond the user's region is not theirs to name: FORBIDDEN, as every reference out of scope (sweep 12b F8).
  if (!doc) throw notFound(field, '单据', documentId);
  if (user.regionCode !== null && !isInSubtree(doc.region, user.regionCode)) throw forbidden('该单据', field);
  const refuse = (why: string) => badInput(field, `单据 ${doc.number} 不能作为结算依据：${why}`);
  if (doc.type !== 'RECEIPT' && doc.type !== 'TRANSFER_IN') throw refuse(RETURN_DOCUMENT_RULE);
  if (doc.status !== 'POSTED') throw refuse('单据未入账或已冲销');
  // Into a store of the owed side: one of the owing side's own stores, though inside the owed region (a county's store
  // under its city), is where the goods already were — they never reached the side owed (sweep 15b F3).
  const into = sideOf(doc.region, row);
  if (into === 'OWING') throw refuse(`入库仓库属于欠方辖区，物资仍在欠方，没有归还到被欠方的仓库；${RETURN_DOCUMENT_RULE}`);
  if (into !== 'OWED') throw refuse('物资须归还到被欠方辖区的仓库');
  const from = doc.type === 'TRANSFER_IN' ? sideOf(doc.from_region, row) : null;
  if (doc.type === 'TRANSFER_IN' && from !== 'OWING') {
    throw refuse(from === 'OWED' ? `被欠方辖区内部的调拨不是归还；${RETURN_DOCUMENT_RULE}` : `调出仓库不属于欠方辖区；${RETURN_DOCUMENT_RULE}`);
  }
  if (new Date(doc.recorded_at) < row.createdAt) throw refuse('单据早于该笔欠款');
  // Only the owing side's goods repay: a batch owned by a government on the owing side (sideOf, in SQL), on a receipt or
  // a transfer-in alike — the owed side's own goods moved back to it are not a return (sweep 15b F3). A transferred
  // batch with no government owner on record is its holder's: the owing side's store it came from.
  const owedPrefix = `${subtreePrefix(row.owedToRegion)}%`;
  const ownerOnOwingSide = sql`o.kind = 'GOVERNMENT' AND o.region_code LIKE ${`${subtreePrefix(row.owedByRegion)}%`}
    AND ${isInSubtree(row.owedToRegion, row.owedByRegion) ? sql`o.region_code NOT LIKE ${owedPrefix}` : sql`TRUE`}`;
  const [lines] = await queryRows<{ quantity: number; owing: number }>(
    tx,
    sql`SELECT coalesce(sum(l.quantity), 0)::bigint AS quantity,
               coalesce(sum(l.quantity) FILTER (WHERE (${ownerOnOwingSide})${doc.type === 'TRANSFER_IN' ? sql` OR o.kind IS DISTINCT FROM 'GOVERNMENT'` : sql``}), 0)::bigint AS owing
          FROM document_lines l JOIN batches b ON b.id = l.batch_id LEFT JOIN organizations o ON o.id = b.owner_org_id
         WHERE l.document_id = ${documentId}::uuid AND l.item_id = ${row.itemId}::uuid`,
  );
  const returned = Number(lines.owing);
  if (returned === 0 && Number(lines.quantity) > 0) {
    throw refuse(
      doc.type === 'RECEIPT'
        ? `入库的物资不归欠方所有（被欠方自购、受赠或他方物资不是归还）；${RETURN_DOCUMENT_RULE}`
        : `调入的物资不归欠方所有（被欠方自己的物资调回不是归还）；${RETURN_DOCUMENT_RULE}`,
    );
  }
  if (returned < row.quantity) throw refuse(`归还该物资 ${returned}，少于所欠 ${row.quantity}`);
  const [used] = await tx
    .select({ id: settlements.id })
    .from(settlements)
    .where(and(eq(settlements.documentId, documentId), ne(settlements.id, row.id)));
  if (used) throw refuse('已用于结清另一笔结算');
}

/**
 * D22, D25: a document that settled a settlement (归还 in kind) is not reversed — the repayment would vanish from the
 * books while the debt stays closed. Refused like a cancellation whose settlement is settled
 * (reduceSettlementsOfCancelledTransfer): the repayment stands as recorded; goods recorded wrongly are corrected by
 * a document of their own (a transfer back, a stocktake). Checked when the reversal is asked (reverseDocument) and
 * again when it is approved (a settle may come between); in the caller's transaction, taking the lock settle takes
 * on the document, so the two never cross. A recovery that gave goods back to the store they were taken from, reducing
 * a settlement (repayingRecoveries, D30), is refused the same way.
 */
export async function assertNotSettling(tx: Db, doc: { id: string; number: string }, field: string, approving = false): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`settlement-document|${doc.id}`}))`);
  const settled = await queryRows<{ id: string; settled_at: string | Date; owed_to: string; owed_by: string; item: string; quantity: number; unit: string }>(
    tx,
    sql`SELECT s.id, s.settled_at, rt.name AS owed_to, rb.name AS owed_by, i.name AS item, s.quantity, i.unit
          FROM settlements s JOIN regions rt ON rt.code = s.owed_to_region JOIN regions rb ON rb.code = s.owed_by_region
          JOIN items i ON i.id = s.item_id
         WHERE s.document_id = ${doc.id}::uuid AND s.status = 'SETTLED' ORDER BY s.id`,
  );
  if (!settled.length) {
    const repaid = await repayingRecoveries(tx, [doc.id]);
    if (!repaid.length) return;
    const r = repaid[0];
    throw invalidState(
      `${doc.number} 已将完好物资回收到出借仓库，冲减了跨区域结算（结算 ${r.id}：${r.owed_by}欠${r.owed_to} ${r.item}），不能冲销${approving ? '，请驳回该冲销申请' : ''}：如清点有误，请另行调拨或盘点更正`,
      { field, settlementIds: [...new Set(repaid.map((x) => x.id))] },
    );
  }
  const first = settled[0];
  throw invalidState(
    `${doc.number} 已作为归还单据于 ${chinaText(first.settled_at)}（北京时间）结清跨区域结算（结算 ${first.id}：${first.owed_by}欠${first.owed_to} ${first.item} ${first.quantity}${first.unit}），不能冲销${approving ? '，请驳回该冲销申请' : ''}：如入库有误，请另行调拨或盘点更正`,
    { field, settlementIds: settled.map((s) => s.id), settledAt: chinaIso(new Date(first.settled_at)) },
  );
}

/** Of `documentIds`, those that settled or repaid a settlement (assertNotSettling refuses their reversal); for StockDocument.reversible. */
export async function settlingDocuments(db: Db, documentIds: readonly string[]): Promise<{ documentId: string }[]> {
  const settling = await db
    .selectDistinct({ documentId: sql<string>`${settlements.documentId}` })
    .from(settlements)
    .where(and(inArray(settlements.documentId, [...documentIds]), eq(settlements.status, 'SETTLED')));
  // D30: a recovery that repaid a settlement in kind (repayingRecoveries) is refused the same way.
  const repaid = new Set((await repayingRecoveries(db, documentIds)).map((r) => r.document_id));
  return [...settling, ...[...repaid].map((documentId) => ({ documentId }))];
}

/** settle: the region owed (its dispatcher or administrator) records what settled it — a receipt document or a reference. */
export async function settle(ctx: ServiceContext, input: unknown): Promise<SettlementRow> {
  const { db, actor: user, clock } = ctx;
  const v = validate(settleSchema, input);
  uuidArg(v.settlementId, 'input.settlementId', '结算');
  if (v.documentId) uuidArg(v.documentId, 'input.documentId', '单据');
  const [row] = await db.select().from(settlements).where(eq(settlements.id, v.settlementId));
  if (!row) throw notFound('input.settlementId', '结算', v.settlementId);
  // Neither side's: refused as another region's records are (sweep 8c F2), not as an unknown one.
  if (!mayRead.settlement(user, row)) throw forbidden('该结算');
  assertMayConfirmSettlement(user, row);
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(settlements).where(eq(settlements.id, row.id)).for('update');
    if (current.status !== 'OPEN') throw invalidState('该结算已结清', { field: 'input.settlementId' });
    if (v.documentId) await assertReturnDocument(tx, user, current, v.documentId);
    const [done] = await tx
      .update(settlements)
      .set({
        status: 'SETTLED',
        settledBy: user.id,
        settledAt: clock.now().toJSDate(),
        reference: v.reference ?? null,
        documentId: v.documentId ?? null,
      })
      .where(and(eq(settlements.id, row.id), eq(settlements.status, 'OPEN')))
      .returning();
    return done;
  });
}

/**
 * D15, D25: the one way what is owed goes down without being settled — goods that were never used or came back (a
 * cancelled shipment, a call-off not delivered, a recovery into the lender's store): the open settlement `s` (locked by
 * the caller) is reduced by `by`, never below zero, its value in proportion; one reduced to nothing is closed (SETTLED,
 * quantity 0, `reference` saying why — migration 0013), and replenishmentsOwed no longer lists it.
 */
async function reduceOwed(tx: Db, s: SettlementRow, by: number, reference: string, actorId: string, at: Date): Promise<number> {
  const quantity = Math.max(s.quantity - by, 0);
  const closed = sql`, status = 'SETTLED', settled_by = ${actorId}::uuid, settled_at = ${at.toISOString()}::timestamptz, reference = ${reference}`;
  await tx.execute(sql`UPDATE settlements SET quantity = ${quantity}::int, value = round(value * ${quantity}::int / quantity, 2) ${quantity === 0 ? closed : sql``}
                        WHERE id = ${s.id}::uuid`);
  return s.quantity - quantity;
}

/**
 * D15, D25, D30 (sweep 4, M2): good stock recovered from a 安置点 into the store it was taken from — the lender's, D30's
 * default — is given back in kind: the open settlements of the incident's plan lines that shipped those batches from
 * that store are reduced by what came back, per batch, the lines shipped to this 安置点 first, then the oldest plan
 * first; one reduced to nothing is closed (reduceOwed). Lost and damaged stock stays owed (used up on the borrowing
 * side's account), and a recovery into any other store reduces nothing. In the recovery's transaction, after its
 * document (whose number closes a settlement) and the balances; the settlement rows locked last, as a cancellation does.
 *
 * A settlement already settled (repaid in kind or in money, confirmed by the lender) is not reopened: goods coming back
 * to the lender beyond what is still open would repay it twice. Such a recovery is refused; the goods go to a store of
 * the borrowing side (`toStoreId`), which has paid for them.
 */
export async function reduceSettlementsOfRecovery(
  tx: Db,
  c: {
    incidentId: string;
    pointId: string;
    toStoreId: string;
    recoveryNumber: string;
    returned: readonly { batchId: string; quantity: number }[];
    actorId: string;
    at: Date;
    field: string;
  },
): Promise<void> {
  if (!c.returned.length) return;
  const lines = await queryRows<{ plan_id: string; line_no: number; batch_id: string }>(
    tx,
    sql`SELECT l.plan_id, l.line_no, l.batch_id
          FROM dispatch_lines l JOIN dispatch_plans p ON p.id = l.plan_id LEFT JOIN transfers t ON t.id = l.transfer_id
         WHERE p.incident_id = ${c.incidentId}::uuid AND l.source_kind = 'STORE' AND l.store_id = ${c.toStoreId}::uuid
           AND l.batch_id IN (${uuidList(c.returned.map((r) => r.batchId))})
         ORDER BY (t.to_store_id IS NOT DISTINCT FROM ${c.pointId}::uuid) DESC, p.executed_at, l.plan_id, l.line_no`,
  );
  if (!lines.length) return;
  const idOf = (l: { plan_id: string; line_no: number }) => stableId('settlement', `${l.plan_id}/${l.line_no}`);
  const rows = await tx
    .select()
    .from(settlements)
    .where(and(inArray(settlements.id, lines.map(idOf)), eq(settlements.storeId, c.toStoreId)))
    .orderBy(asc(settlements.id))
    .for('update');
  if (!rows.length) return;
  const byId = new Map(rows.map((s) => [s.id, s]));
  const left = new Map<string, number>();
  for (const r of c.returned) left.set(r.batchId, (left.get(r.batchId) ?? 0) + r.quantity);
  const reference = `回收单 ${c.recoveryNumber} 已将物资退回出借仓库，无需归还`;
  for (const l of lines) {
    const s = byId.get(idOf(l));
    const back = Math.min(left.get(l.batch_id) ?? 0, s?.status === 'OPEN' ? s.quantity : 0);
    if (!s || back <= 0) continue;
    left.set(l.batch_id, left.get(l.batch_id)! - (await reduceOwed(tx, s, back, reference, c.actorId, c.at)));
  }
  // What still came back of a batch whose settlement was settled: that repayment would be made twice.
  const settled = lines.flatMap((l) => {
    const s = byId.get(idOf(l));
    return s && s.status === 'SETTLED' && s.quantity > 0 && (left.get(l.batch_id) ?? 0) > 0 ? [s] : [];
  });
  if (!settled.length) return;
  const first = settled[0];
  const [names] = await queryRows<{ owed_to: string; owed_by: string; store: string; item: string; unit: string }>(
    tx,
    sql`SELECT rt.name AS owed_to, rb.name AS owed_by, st.name AS store, i.name AS item, i.unit
          FROM regions rt, regions rb, stores st, items i
         WHERE rt.code = ${first.owedToRegion} AND rb.code = ${first.owedByRegion} AND st.id = ${first.storeId}::uuid AND i.id = ${first.itemId}::uuid`,
  );
  throw invalidState(
    `${names.owed_by}欠${names.owed_to}的${names.item} ${first.quantity}${names.unit}已于 ${chinaText(first.settledAt!)}（北京时间）结清（${first.reference ?? '归还单据'}），` +
      `完好物资再回收到${names.store}将重复归还：请指定本方的储备库（toStoreId）回收入库`,
    { field: c.field, settlementIds: [...new Set(settled.map((s) => s.id))], settledAt: chinaIso(first.settledAt!) },
  );
}

/**
 * D25, D30: the owing regions of settlements already settled — repaid in kind or in money, not reduced to nothing — for
 * plan lines of `incidentId` that took `batchId` from a store. Those goods are the owing side's now: a recovery of them
 * into the lender's store is refused (reduceSettlementsOfRecovery) and they go to the owing side's store instead.
 */
export async function settledOwingRegions(tx: Db, incidentId: string, batchId: string): Promise<string[]> {
  const lines = await queryRows<{ plan_id: string; line_no: number }>(
    tx,
    sql`SELECT l.plan_id, l.line_no FROM dispatch_lines l JOIN dispatch_plans p ON p.id = l.plan_id
         WHERE p.incident_id = ${incidentId}::uuid AND l.source_kind = 'STORE' AND l.batch_id = ${batchId}::uuid`,
  );
  if (!lines.length) return [];
  const rows = await tx
    .select({ owedBy: settlements.owedByRegion })
    .from(settlements)
    .where(
      and(
        inArray(
          settlements.id,
          lines.map((l) => stableId('settlement', `${l.plan_id}/${l.line_no}`)),
        ),
        eq(settlements.status, 'SETTLED'),
        sql`${settlements.quantity} > 0`,
      ),
    );
  return [...new Set(rows.map((r) => r.owedBy))];
}

/**
 * D22, D25, D30: recoveries among `documentIds` that brought goods back into the store a plan of their incident took them
 * from under a settlement recorded before them — what reduceSettlementsOfRecovery counts as repaid in kind —, with the
 * settlements concerned. Like a document that settled a settlement, such a recovery is not reversed: the settlement
 * would stay reduced, or closed, for goods no longer returned.
 */
async function repayingRecoveries(db: Db, documentIds: readonly string[]) {
  if (!documentIds.length) return [];
  return queryRows<{ document_id: string; id: string; owed_to: string; owed_by: string; item: string }>(
    db,
    sql`SELECT DISTINCT d.id AS document_id, s.id, rt.name AS owed_to, rb.name AS owed_by, i.name AS item
          FROM documents d
          JOIN movements m ON m.document_id = d.id AND m.store_id = d.counterpart_store_id AND m.quantity > 0
          JOIN dispatch_plans p ON p.incident_id = d.incident_id
          JOIN dispatch_lines l ON l.plan_id = p.id AND l.source_kind = 'STORE' AND l.store_id = m.store_id AND l.batch_id = m.batch_id
          JOIN settlements s ON s.plan_id = l.plan_id AND s.store_id = l.store_id AND s.item_id = l.item_id AND s.created_at <= d.recorded_at
          JOIN regions rt ON rt.code = s.owed_to_region JOIN regions rb ON rb.code = s.owed_by_region JOIN items i ON i.id = s.item_id
         WHERE d.type = 'RECOVERY' AND d.id IN (${uuidList([...documentIds])})
         ORDER BY d.id, s.id`,
  );
}

/**
 * D25: stock whose shipment was cancelled went back to its source and was never used: the open settlements of the plan
 * lines the transfer shipped are reduced by what went back, batch by batch in line order; one reduced to nothing is
 * closed (SETTLED, quantity 0, the cancellation as its reference — migration 0013). In the cancelling transaction,
 * the settlement rows locked last. Goods lost in transit and written off were used up on the borrowing side's
 * account: they stay owed.
 *
 * A settlement already settled (the borrowing side returned or paid for the goods, the lender confirmed it) refuses
 * the cancellation: undoing it would need a settlement owed the other way, and the books would then say "repaid"
 * for goods that were never received. Refused, the repayment stands as recorded; the goods are received at their
 * destination, and what is not needed there goes back by a transfer of its own — every step a document.
 */
export async function reduceSettlementsOfCancelledTransfer(
  tx: Db,
  c: {
    transfer: { id: string; number: string; dispatchPlanId: string | null };
    cancelNumber: string;
    returned: readonly { batchId: string; quantity: number }[];
    actorId: string;
    at: Date;
  },
): Promise<void> {
  if (!c.transfer.dispatchPlanId) return;
  const lines = await tx
    .select({ planId: dispatchLines.planId, lineNo: dispatchLines.lineNo, batchId: dispatchLines.batchId, quantity: dispatchLines.quantity })
    .from(dispatchLines)
    .where(and(eq(dispatchLines.planId, c.transfer.dispatchPlanId), eq(dispatchLines.transferId, c.transfer.id)))
    .orderBy(asc(dispatchLines.lineNo));
  if (!lines.length) return;
  const idOf = (l: { planId: string; lineNo: number }) => stableId('settlement', `${l.planId}/${l.lineNo}`);
  const rows = await tx
    .select()
    .from(settlements)
    .where(inArray(settlements.id, lines.map(idOf)))
    .orderBy(asc(settlements.id))
    .for('update');
  const settled = rows.filter((s) => s.status === 'SETTLED' && s.quantity > 0);
  if (settled.length) {
    const first = settled[0];
    throw invalidState(
      `调拨单 ${c.transfer.number} 的物资已按跨区域结算于 ${chinaText(first.settledAt!)}（北京时间）结清（${first.reference ?? '归还单据'}），不能撤销：请收货后，如不需要再另行调拨退回`,
      { field: 'transferId', settlementIds: settled.map((s) => s.id), settledAt: chinaIso(first.settledAt!) },
    );
  }
  const open = new Map(rows.filter((s) => s.status === 'OPEN').map((s) => [s.id, s]));
  const left = new Map<string, number>();
  for (const r of c.returned) left.set(r.batchId, (left.get(r.batchId) ?? 0) + r.quantity);
  for (const l of lines) {
    const s = open.get(idOf(l));
    const back = Math.min(left.get(l.batchId ?? '') ?? 0, l.quantity, s?.quantity ?? 0);
    if (!s || back <= 0) continue;
    left.set(l.batchId!, left.get(l.batchId!)! - back);
    const reference = `调拨单 ${c.transfer.number} 已撤销（${c.cancelNumber}），物资已退回，无需归还`;
    await reduceOwed(tx, s, back, reference, c.actorId, c.at);
  }
}

/**
 * D25, D17: a call-off (调用单) of another region's (or a lower level's) agreement reserve left a settlement owed for
 * what it called off; what the company never delivered — the whole call-off cancelled, or the rest of one delivered in
 * part — was never used: its settlement is reduced by it, and one reduced to nothing is closed, as for a cancelled
 * shipment (reduceSettlementsOfCancelledTransfer). One already settled refuses the change, for the same reason.
 */
export async function reduceSettlementOfCallOff(
  tx: Db,
  c: { planId: string; lineNo: number; undelivered: number; reference: string; actorId: string; at: Date; field: string },
): Promise<void> {
  if (c.undelivered <= 0) return;
  const [s] = await tx
    .select()
    .from(settlements)
    .where(eq(settlements.id, stableId('settlement', `${c.planId}/${c.lineNo}`)))
    .for('update');
  if (!s) return;
  if (s.status === 'SETTLED' && s.quantity > 0) {
    throw invalidState(
      `该调用单的跨区域结算已于 ${chinaText(s.settledAt!)}（北京时间）结清（${s.reference ?? '归还单据'}），不能再减少调用数量：请按调用数量确认到货`,
      { field: c.field, settlementIds: [s.id], settledAt: chinaIso(s.settledAt!) },
    );
  }
  if (s.status !== 'OPEN') return;
  await reduceOwed(tx, s, c.undelivered, c.reference, c.actorId, c.at);
}
