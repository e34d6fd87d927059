import { and, asc, eq, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { callOffs, dispatchLines, settlements } from '../../drizzle/schema/index.ts';
import { mayRead, regionsInScope, settlementConfirmationBar, worksForOwingSide } from '../auth/policy.ts';
import { loginKnowers } from './queue.ts';
import type { Principal } from '../auth/principal.ts';
import { badInput, DomainError, forbidden, invalidState, notFound } from '../errors.ts';
import { stableId } from '../ids.ts';
import { isInSubtree, subtreePrefix } from '../regions/codes.ts';
import { getRegionInScope } from '../regions/service.ts';
import { idSchema, uuidArg, validate } from '../validation.ts';
import type { ServiceContext } from '../context.ts';
import { chinaIso, chinaText } from '../clock.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import { callOffCitation } from '../reserves/call-off-citation.ts';
import { moneyTimes } from '../money.ts';
import type { OutboundPurpose } from './orders.ts';

// D15, D25: every use of another level's or region's stock leaves a settlement owed (归还 in kind or compensation in
// money) until it is settled by a recorded document or reference.

export type SettlementRow = typeof settlements.$inferSelect;
export type SettlementStatus = SettlementRow['status'];

/**
 * D6, D17, D25 (sweep 18a F17, F18): the call-off a settlement was opened for — an agreement or capacity reserve of
 * another jurisdiction used by a plan — found by the plan line both are keyed by (execution.ts: `${planId}/${lineNo}`),
 * with the agreement's price and the item's reference price. null for a settlement of store stock.
 */
export interface CallOffOfSettlement {
  callOffId: string;
  lineNo: number;
  status: 'ISSUED' | 'DELIVERED' | 'CANCELLED';
  quantity: number;
  deliveredQuantity: number | null;
  /** The agreement's unit price; null or 0.00: none agreed (a capacity reserve priced at delivery). */
  contractPrice: string | null;
  referencePrice: string | null;
}

/** The call-offs of `rows` (by settlement id); settlements of store stock are absent. */
export async function callOffsOfSettlements(db: Db, rows: readonly Pick<SettlementRow, 'id' | 'planId'>[]): Promise<Map<string, CallOffOfSettlement>> {
  const planIds = [...new Set(rows.flatMap((r) => (r.planId ? [r.planId] : [])))];
  if (!planIds.length) return new Map();
  const lines = await queryRows<{
    plan_id: string;
    line_no: number;
    status: CallOffOfSettlement['status'];
    quantity: number;
    delivered_quantity: number | null;
    call_off_id: string;
    contract_price: string | null;
    reference_price: string | null;
  }>(
    db,
    sql`SELECT l.plan_id::text AS plan_id, l.line_no, c.id::text AS call_off_id, c.status::text AS status, c.quantity, c.delivered_quantity,
               al.unit_price::text AS contract_price, i.reference_price::text AS reference_price
          FROM dispatch_lines l
          JOIN call_offs c ON c.plan_id = l.plan_id AND c.agreement_id = l.agreement_id AND c.item_id = l.item_id AND c.destination_idx = l.destination_idx
          JOIN items i ON i.id = l.item_id
          LEFT JOIN agreement_lines al ON al.agreement_id = l.agreement_id AND al.item_id = l.item_id
         WHERE l.plan_id IN (${uuidList(planIds)}) AND l.source_kind <> 'STORE'`,
  );
  const wanted = new Set(rows.map((r) => r.id));
  const out = new Map<string, CallOffOfSettlement>();
  for (const l of lines) {
    // The call-off of this very line (a plan may call off the same agreement's item twice, on two lines).
    if (l.call_off_id !== stableId('call-off', `${l.plan_id}/${l.line_no}`)) continue;
    const id = stableId('settlement', `${l.plan_id}/${l.line_no}`);
    if (!wanted.has(id)) continue;
    out.set(id, {
      callOffId: l.call_off_id,
      lineNo: Number(l.line_no),
      status: l.status,
      quantity: Number(l.quantity),
      deliveredQuantity: l.delivered_quantity === null ? null : Number(l.delivered_quantity),
      contractPrice: l.contract_price,
      referencePrice: l.reference_price,
    });
  }
  return out;
}

/**
 * D21, D25 (sweep 18a F18): what a settlement's `value` rests on. Store stock: the cost of the batches taken
 * (STOCK_COST). A call-off: the agreement's price (CONTRACT_PRICE) until delivered, then the price the goods were
 * booked at (DELIVERY_PRICE — the contract price where there is one, else the price stated at delivery). A reserve
 * with no price agreed, not yet delivered, is valued at the item's reference price — an estimate (REFERENCE_PRICE) —,
 * or, without one either, not known (UNPRICED: the value 0.00 then means "not yet priced", never "nothing owed").
 */
export type SettlementValueBasis = 'STOCK_COST' | 'CONTRACT_PRICE' | 'DELIVERY_PRICE' | 'REFERENCE_PRICE' | 'UNPRICED';

const priced = (price: string | null): price is string => price !== null && Number(price) > 0;

export function valueBasisOf(c: CallOffOfSettlement | undefined): SettlementValueBasis {
  if (!c) return 'STOCK_COST';
  if (c.status === 'DELIVERED') return 'DELIVERY_PRICE';
  if (priced(c.contractPrice)) return 'CONTRACT_PRICE';
  return priced(c.referencePrice) ? 'REFERENCE_PRICE' : 'UNPRICED';
}

/** The unit price a call-off's settlement is opened at (D25, sweep 18a F18): the contract's, else the item's reference price as an estimate, else 0.00 (UNPRICED). */
export const callOffSettlementPrice = (contractPrice: string | null, referencePrice: string | null): string =>
  priced(contractPrice) ? contractPrice : priced(referencePrice) ? referencePrice : '0';

/**
 * D25, D24 (sweep 18a F3): a settlement closed because nothing is owed — the goods were never used or all came back
 * (a cancelled shipment or call-off, a call-off delivered short, a recovery into the lender's store: reduceOwed) — is
 * SETTLED with quantity 0 (migration 0013). Nobody settled it: it was released. settle() closes only an OPEN
 * settlement, which always owes something, so quantity 0 tells a release from a repayment, for rows recorded before
 * this was said as well.
 */
export const isReleased = (row: Pick<SettlementRow, 'status' | 'quantity'>): boolean => row.status === 'SETTLED' && row.quantity === 0;

/**
 * D17, D25 (sweep 18a F17): a call-off's settlement owes what the company delivered — nothing before it has delivered.
 * Until then it is not settled (settle refuses, `settleable` is false): settled early, the call-off could be neither
 * cancelled nor delivered short (reduceSettlementOfCallOff), and the borrower's plan and incident would be stuck.
 */
export const awaitsDelivery = (c: CallOffOfSettlement | undefined): boolean => c?.status === 'ISSUED';

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

/**
 * D3, D25 (sweep 17b F10): does an issue executing an outbound order of this purpose use the goods it takes — so that
 * another government's goods taken leave a settlement owed to it? Only ISSUE purposes reach an issue (orders.ts
 * EXECUTION_OF); the others are said here to say why they owe nothing when they leave.
 */
const ISSUE_USES_GOODS: Readonly<Record<OutboundPurpose, boolean>> = {
  // 救灾发放: handed out to people — consumed.
  RELIEF: true,
  // 演练: used (and worn) in a drill. What comes back is booked in again; the side owed then confirms it settled.
  DRILL: true,
  // 借用: the holder lends out goods that are not its own — off the owner's books until the borrower returns them, and
  // never returned at all unless somebody sees to it: owed until the side owed confirms the return (settle, with the
  // receipt as its reference), as any use of its stock.
  LOAN: true,
  // 其他: a use the order names in words — a use all the same.
  OTHER: true,
  // 调拨: moves the goods to another store, their owner unchanged (shipTransfer, not an issue): nothing is used yet;
  // an issue at the destination owes then.
  TRANSFER: false,
  // 轮换处置: rotateStock puts the same quantity in, the new batch keeping the old one's owner (reserves/rotation.ts):
  // the owner's stock is replaced in kind by the same document.
  ROTATION_SALE: false,
  // 报废: a write-off of goods that can no longer serve (D11, D27), not a use.
  SCRAP: false,
};

/**
 * D25: the settlement of line `lineNo` of the issue `documentId` (sweep 17b F10). Plans key theirs by
 * `${planId}/${lineNo}` — a UUID first —, so `issue/…` never names a plan's.
 */
export const issueSettlementId = (documentId: string, lineNo: number) => stableId('settlement', `issue/${documentId}/${lineNo}`);

/**
 * D3, D25 (sweep 17b F10): an issue executing an outbound order uses the goods it takes, and another government's
 * goods held in the store (owner ≠ holder) are owed back to it as a plan's are (execution.ts) — by the same rule
 * (owesSettlement), the owner's region the source and the store's region both where the goods are used and the
 * region that owes: the county's tents kept in a township's store, issued by the township's keeper and dispatcher,
 * are owed to the county; the city's, issued by a county store, to the city; the store's own government's owe nothing.
 * One settlement per document line (`lines` in line order: the picks, outboundEntries), at the batch's cost, in the
 * issue's transaction, recorded at its recording time.
 *
 * Not at a 安置点 (DISTRIBUTION_POINT): its goods came there for the incident by a plan, whose execution opened what
 * their use owes — handing them out is that use, not another one (as a distribution, D29, is).
 */
export async function openSettlementsOfIssue(
  tx: Db,
  c: {
    documentId: string;
    store: { id: string; regionCode: string; kind: string };
    purpose: OutboundPurpose;
    lines: readonly { itemId: string; batchId: string; quantity: number; unitPrice: string }[];
    at: Date;
    /** The balance rows the post locked: each batch's owner region read with the lock (issue 11: no query of its own). */
    locked: ReadonlyMap<string, { batchId: string; ownerRegion?: string | null }>;
  },
): Promise<void> {
  if (!ISSUE_USES_GOODS[c.purpose] || c.store.kind === 'DISTRIBUTION_POINT' || !c.lines.length) return;
  const read = [...c.locked.values()];
  const owners = read.every((r) => r.ownerRegion !== undefined)
    ? new Map(read.flatMap((r) => (r.ownerRegion ? [[r.batchId, r.ownerRegion] as const] : [])))
    : await ownerRegionsOf(
        tx,
        c.lines.map((l) => l.batchId),
      );
  const rows = c.lines.flatMap((l, i) => {
    const owner = owners.get(l.batchId);
    if (!owner || !owesSettlement(owner, c.store.regionCode, c.store.regionCode)) return [];
    return [
      {
        id: issueSettlementId(c.documentId, i + 1),
        status: 'OPEN' as const,
        owedToRegion: owner,
        owedByRegion: c.store.regionCode,
        storeId: c.store.id,
        itemId: l.itemId,
        quantity: l.quantity,
        value: moneyTimes(l.quantity, l.unitPrice),
        issueDocumentId: c.documentId,
        createdAt: c.at,
      },
    ];
  });
  if (rows.length) await tx.insert(settlements).values(rows);
}

/**
 * D22, D25 (sweep 17b F10): an issue reversed gave its goods back to the store — they were never used: the open
 * settlements it opened are reduced to nothing and closed (released, as a cancelled shipment's are:
 * reduceSettlementsOfCancelledTransfer), the reversal as their reference. In the approving transaction, after the
 * reversal posted; the settlement rows locked last. One settled meanwhile (the side owed confirmed a repayment after
 * the reversal was asked) refuses the approval, as assertNotSettling refuses the request.
 */
export async function releaseSettlementsOfReversedIssue(
  tx: Db,
  c: { original: { id: string; number: string }; reversalNumber: string; actorId: string; at: Date },
): Promise<void> {
  const rows = await tx.select().from(settlements).where(eq(settlements.issueDocumentId, c.original.id)).orderBy(asc(settlements.id)).for('update');
  const settled = rows.filter((s) => s.status === 'SETTLED' && s.quantity > 0);
  if (settled.length) throw await issueSettledRefusal(tx, c.original, settled, 'input.approvalId', true);
  for (const s of rows) {
    if (s.status !== 'OPEN') continue;
    await reduceOwed(tx, s, s.quantity, `出库单 ${c.original.number} 已冲销（${c.reversalNumber}），物资已退回，无需归还`, c.actorId, c.at);
  }
}

/** A settlement's two regions and its item, by name — for the refusals that cite it. */
async function namesOfSettlement(tx: Db, s: Pick<SettlementRow, 'owedToRegion' | 'owedByRegion' | 'itemId'>) {
  const [names] = await queryRows<{ owed_to: string; owed_by: string; item: string; unit: string }>(
    tx,
    sql`SELECT rt.name AS owed_to, rb.name AS owed_by, i.name AS item, i.unit
          FROM regions rt, regions rb, items i
         WHERE rt.code = ${s.owedToRegion} AND rb.code = ${s.owedByRegion} AND i.id = ${s.itemId}::uuid`,
  );
  return names;
}

/** The refusal of reversing an issue whose settlement was settled (D22, D25): the repayment stands as recorded. */
async function issueSettledRefusal(tx: Db, doc: { number: string }, settled: readonly SettlementRow[], field: string, approving: boolean) {
  const first = settled[0];
  const names = await namesOfSettlement(tx, first);
  return invalidState(
    `${doc.number} 动用的物资已按跨区域结算于 ${chinaText(first.settledAt!)}（北京时间）结清（结算 ${first.id}：${names.owed_by}欠${names.owed_to} ${names.item} ${first.quantity}${names.unit}，${first.reference ?? '归还单据'}），` +
      `不能冲销${approving ? '，请驳回该冲销申请' : ''}：如出库有误，请另行入库或盘点更正`,
    { field, settlementIds: settled.map((s) => s.id), settledAt: chinaIso(first.settledAt!) },
  );
}

/** A settlement as the API shows it: with the call-off it was opened for, if any (valueBasisOf, awaitsDelivery). */
export type SettlementView = SettlementRow & { callOff: CallOffOfSettlement | null };

export async function withCallOffs(db: Db, rows: readonly SettlementRow[]): Promise<SettlementView[]> {
  const of = await callOffsOfSettlements(db, rows);
  return rows.map((r) => ({ ...r, callOff: of.get(r.id) ?? null }));
}

/** settlements(regionCode, status): owed to or by regions in scope. */
export async function listSettlements(ctx: ServiceContext, regionCode?: string | null, status?: SettlementStatus | null): Promise<SettlementView[]> {
  const { db, actor: user } = ctx;
  const where: (SQL | undefined)[] = [or(regionsInScope(user, settlements.owedToRegion), regionsInScope(user, settlements.owedByRegion))];
  if (regionCode) {
    const prefix = `${subtreePrefix((await getRegionInScope(db, user, regionCode)).code)}%`;
    where.push(or(sql`${settlements.owedToRegion} LIKE ${prefix}`, sql`${settlements.owedByRegion} LIKE ${prefix}`));
  }
  if (status) where.push(eq(settlements.status, status));
  const rows = await db
    .select()
    .from(settlements)
    .where(and(...where))
    .orderBy(asc(settlements.createdAt), asc(settlements.id));
  return withCallOffs(db, rows);
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
 * D24, D25 (sweep 19c F4): the owing side does not mark its own debt repaid — not through an account it made or whose
 * password it set either (a regional administrator of the owing city created a dispatcher of the owed county, or reset
 * one's password, and settled as them). Whoever made the settler's account or knows or knew its login (loginKnowers,
 * the chain D24 refuses approvals by) must not work for the owing side (worksForOwingSide). The administrator of the
 * whole system, who made most accounts and belongs to no side, is not counted.
 */
async function assertNotOwingSidesLogin(db: Db, user: Principal, row: SettlementRow): Promise<void> {
  const owing = owingSideKnower(await loginKnowers(db, user.id), row);
  if (!owing) return;
  throw new DomainError(
    'FORBIDDEN',
    `不相容岗位分离：您的账号由欠方辖区的 ${owing.display_name}（${owing.username}）创建或设置过密码，其可以您的身份操作，不能由您确认欠方的欠款已结清：须由被欠方另一位人员确认`,
    { field: 'input.settlementId' },
  );
}

/** Of the people who could act as the settler (loginKnowers), one who works for `row`'s owing side, if any. */
export const owingSideKnower = <K extends { region_code: string | null }>(knowers: readonly K[], row: Pick<SettlementRow, 'owedToRegion' | 'owedByRegion'>) =>
  knowers.find((k) => worksForOwingSide(k.region_code, row));

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
  // D25 (sweep 17b F10): an issue whose use of another government's goods was repaid since — its settlement settled —
  // stands too: reversed, the goods would be back and repaid.
  const opened = await tx
    .select()
    .from(settlements)
    .where(and(eq(settlements.issueDocumentId, doc.id), eq(settlements.status, 'SETTLED'), sql`${settlements.quantity} > 0`))
    .orderBy(asc(settlements.id));
  if (opened.length) throw await issueSettledRefusal(tx, doc, opened, field, approving);
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

/**
 * Of `documentIds`, those that settled or repaid a settlement, or issued goods whose settlement was settled since
 * (assertNotSettling refuses their reversal); for StockDocument.reversible.
 */
export async function settlingDocuments(db: Db, documentIds: readonly string[]): Promise<{ documentId: string }[]> {
  if (!documentIds.length) return [];
  const ids = uuidList([...documentIds]);
  const settling = await queryRows<{ documentId: string }>(
    db,
    sql`SELECT document_id::text AS "documentId" FROM settlements WHERE document_id IN (${ids}) AND status = 'SETTLED'
        UNION
        SELECT issue_document_id::text FROM settlements WHERE issue_document_id IN (${ids}) AND status = 'SETTLED' AND quantity > 0`,
  );
  // D30: a recovery that repaid a settlement in kind (repayingRecoveries) is refused the same way.
  const repaid = new Set((await repayingRecoveries(db, documentIds)).map((r) => r.document_id));
  return [...settling, ...[...repaid].map((documentId) => ({ documentId }))];
}

/**
 * D17, D25 (sweep 18a F17): a call-off's settlement is settled only once the company delivered (awaitsDelivery): what is
 * owed is what arrived. Refused before — INVALID_STATE, nothing changes —, with what the side owed may do meanwhile.
 */
async function assertDelivered(tx: Db, row: SettlementRow, callOff: CallOffOfSettlement): Promise<void> {
  const [now] = await tx.select({ status: callOffs.status }).from(callOffs).where(eq(callOffs.id, callOff.callOffId));
  if (now?.status !== 'ISSUED') return;
  const [plan] = await queryRows<{ requested_at: string | Date; item: string; unit: string }>(
    tx,
    sql`SELECT p.requested_at, i.name AS item, i.unit FROM dispatch_plans p, items i WHERE p.id = ${row.planId}::uuid AND i.id = ${row.itemId}::uuid`,
  );
  const citation = callOffCitation({ planId: row.planId!, requestedAt: new Date(plan.requested_at), lineNo: callOff.lineNo });
  throw invalidState(
    `该结算是${citation}向企业调用的${plan.item} ${callOff.quantity}${plan.unit}，企业尚未交货，不能确认结清：` +
      '到货确认后按实际到货数量结清；企业无法供货的，由调用方取消调用单，这笔结算随之关闭',
    { field: 'input.settlementId', callOffId: callOff.callOffId, callOffStatus: 'ISSUED' },
  );
}

/** settle: the region owed (its dispatcher or administrator) records what settled it — a receipt document or a reference. */
export async function settle(ctx: ServiceContext, input: unknown): Promise<SettlementView> {
  const { db, actor: user, clock } = ctx;
  const v = validate(settleSchema, input);
  uuidArg(v.settlementId, 'input.settlementId', '结算');
  if (v.documentId) uuidArg(v.documentId, 'input.documentId', '单据');
  const [row] = await db.select().from(settlements).where(eq(settlements.id, v.settlementId));
  if (!row) throw notFound('input.settlementId', '结算', v.settlementId);
  // Neither side's: refused as another region's records are (sweep 8c F2), not as an unknown one.
  if (!mayRead.settlement(user, row)) throw forbidden('该结算');
  assertMayConfirmSettlement(user, row);
  await assertNotOwingSidesLogin(db, user, row);
  return db.transaction(async (tx) => {
    // A call-off's settlement (sweep 18a F17): its call-off locked first — as cancelCallOff and a delivery lock it
    // before the settlement —, so that neither changes it between the check below and the settling.
    const callOff = (await callOffsOfSettlements(tx, [row])).get(row.id);
    if (callOff) await queryRows(tx, sql`SELECT id FROM call_offs WHERE id = ${callOff.callOffId}::uuid FOR SHARE`);
    const [current] = await tx.select().from(settlements).where(eq(settlements.id, row.id)).for('update');
    if (current.status !== 'OPEN')
      throw invalidState(isReleased(current) ? '该结算已关闭（物资未动用或已退回，无需归还）' : '该结算已结清', { field: 'input.settlementId' });
    if (callOff) await assertDelivered(tx, current, callOff);
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
    return { ...done, callOff: callOff ?? null };
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
 * D17, D25, D30 (sweep 18a F15): the plan lines of `incidentIds` whose call-off delivered any of `batchIds` — call-off
 * goods came from no store: their batches are those the delivery's receipt booked —, with the 安置点 each was delivered
 * to. Only the call-off of the very line (execution.ts keys both by `${planId}/${lineNo}`).
 */
async function callOffLinesOfBatches(tx: Db, incidentIds: readonly string[], batchIds: readonly string[]) {
  if (!incidentIds.length || !batchIds.length) return [];
  const rows = await queryRows<{ incident_id: string; plan_id: string; line_no: number; batch_id: string; call_off_id: string; point_id: string }>(
    tx,
    sql`SELECT DISTINCT p.incident_id::text AS incident_id, l.plan_id::text AS plan_id, l.line_no, rl.batch_id::text AS batch_id, c.id::text AS call_off_id,
                        rd.store_id::text AS point_id, p.executed_at
          FROM call_offs c JOIN dispatch_plans p ON p.id = c.plan_id
          JOIN dispatch_lines l ON l.plan_id = c.plan_id AND l.source_kind <> 'STORE' AND l.agreement_id = c.agreement_id
                               AND l.item_id = c.item_id AND l.destination_idx = c.destination_idx
          JOIN documents rd ON rd.id = c.receipt_document_id AND rd.status = 'POSTED'
          JOIN document_lines rl ON rl.document_id = rd.id
         WHERE p.incident_id IN (${uuidList([...new Set(incidentIds)])}) AND c.status = 'DELIVERED' AND rl.batch_id IN (${uuidList([...new Set(batchIds)])})
         ORDER BY executed_at, plan_id, line_no`,
  );
  return rows.filter((r) => r.call_off_id === stableId('call-off', `${r.plan_id}/${r.line_no}`));
}

/**
 * D15, D25, D30 (sweep 4, M2): good stock recovered from a 安置点 into the store it was taken from — the lender's, D30's
 * default — is given back in kind: the open settlements of the incident's plan lines that shipped those batches from
 * that store are reduced by what came back, per batch, the lines shipped to this 安置点 first, then the oldest plan
 * first; one reduced to nothing is closed (reduceOwed). Lost and damaged stock stays owed (used up on the borrowing
 * side's account), and a recovery into any other store reduces nothing. In the recovery's transaction, after its
 * document (whose number closes a settlement) and the balances; the settlement rows locked last, as a cancellation does.
 *
 * Call-off goods (sweep 18a F15, D17) were taken from no store: delivered under another jurisdiction's agreement, they
 * are its government's (the batch owner's) and owed to it. Recovered into a store of that side owed — the only place
 * assertRecoveredToOwner lets them go, bar the owing side's once settled — they are given back in kind the same way:
 * the settlement of the call-off's line is reduced by what came back (its delivered batches, this 安置点's first).
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
  const batchIds = c.returned.map((r) => r.batchId);
  const storeLines = await queryRows<{ plan_id: string; line_no: number; batch_id: string }>(
    tx,
    sql`SELECT l.plan_id, l.line_no, l.batch_id
          FROM dispatch_lines l JOIN dispatch_plans p ON p.id = l.plan_id LEFT JOIN transfers t ON t.id = l.transfer_id
         WHERE p.incident_id = ${c.incidentId}::uuid AND l.source_kind = 'STORE' AND l.store_id = ${c.toStoreId}::uuid
           AND l.batch_id IN (${uuidList(batchIds)})
         ORDER BY (t.to_store_id IS NOT DISTINCT FROM ${c.pointId}::uuid) DESC, p.executed_at, l.plan_id, l.line_no`,
  );
  const calledOff = await callOffLinesOfBatches(tx, [c.incidentId], batchIds);
  if (!storeLines.length && !calledOff.length) return;
  const idOf = (l: { plan_id: string; line_no: number }) => stableId('settlement', `${l.plan_id}/${l.line_no}`);
  const [to] = await queryRows<{ region_code: string; name: string }>(tx, sql`SELECT region_code, name FROM stores WHERE id = ${c.toStoreId}::uuid`);
  const storeRows = storeLines.length
    ? await tx
        .select()
        .from(settlements)
        .where(and(inArray(settlements.id, storeLines.map(idOf)), eq(settlements.storeId, c.toStoreId)))
        .orderBy(asc(settlements.id))
        .for('update')
    : [];
  const callOffRows = calledOff.length
    ? (
        await tx
          .select()
          .from(settlements)
          .where(inArray(settlements.id, calledOff.map(idOf)))
          .orderBy(asc(settlements.id))
          .for('update')
      ).filter((s) => sideOf(to.region_code, s) === 'OWED')
    : [];
  const byId = new Map([...storeRows, ...callOffRows].map((s) => [s.id, s]));
  if (!byId.size) return;
  // Store lines first (as before), then call-off lines: those delivered to this 安置点 first, then the oldest plan.
  const lines = [
    ...storeLines.map((l) => ({ ...l, reference: `回收单 ${c.recoveryNumber} 已将物资退回出借仓库，无需归还` })),
    ...[...calledOff.filter((l) => l.point_id === c.pointId), ...calledOff.filter((l) => l.point_id !== c.pointId)].map((l) => ({
      ...l,
      reference: `回收单 ${c.recoveryNumber} 已将调用的物资回收到被欠方的${to.name}，无需归还`,
    })),
  ];
  const left = new Map<string, number>();
  for (const r of c.returned) left.set(r.batchId, (left.get(r.batchId) ?? 0) + r.quantity);
  for (const l of lines) {
    const s = byId.get(idOf(l));
    const back = Math.min(left.get(l.batch_id) ?? 0, s?.status === 'OPEN' ? s.quantity : 0);
    if (!s || back <= 0) continue;
    const reduced = await reduceOwed(tx, s, back, l.reference, c.actorId, c.at);
    left.set(l.batch_id, left.get(l.batch_id)! - reduced);
    // A settlement may stand on two lines' batches (a call-off's receipt of one batch twice): reduce it once per unit.
    byId.set(s.id, { ...s, quantity: s.quantity - reduced, status: s.quantity - reduced === 0 ? 'SETTLED' : s.status });
  }
  // What still came back of a batch whose settlement was settled: that repayment would be made twice.
  const settled = lines.flatMap((l) => {
    const s = byId.get(idOf(l));
    return s && s.status === 'SETTLED' && s.quantity > 0 && (left.get(l.batch_id) ?? 0) > 0 ? [s] : [];
  });
  if (!settled.length) return;
  const first = settled[0];
  const names = await namesOfSettlement(tx, first);
  throw invalidState(
    `${names.owed_by}欠${names.owed_to}的${names.item} ${first.quantity}${names.unit}已于 ${chinaText(first.settledAt!)}（北京时间）结清（${first.reference ?? '归还单据'}），` +
      `完好物资再回收到${to.name}将重复归还：请指定本方的储备库（toStoreId）回收入库`,
    { field: c.field, settlementIds: [...new Set(settled.map((s) => s.id))], settledAt: chinaIso(first.settledAt!) },
  );
}

/**
 * D25, D30: the owing regions of settlements already settled — repaid in kind or in money, not reduced to nothing — for
 * plan lines of `incidentId` that took `batchId` from a store, or whose call-off delivered it (sweep 18a F15). Those
 * goods are the owing side's now: a recovery of them into the lender's store is refused (reduceSettlementsOfRecovery)
 * and they go to the owing side's store instead. For each of `keys` in order, read together (house style 5: the lines
 * awaiting recovery of a list, a recovery's losses): three statements whatever their number — the plan lines that took
 * the batches from a store, those whose call-off delivered them, and the settlements of those lines.
 */
export async function settledOwingRegionsOf(tx: Db, keys: readonly { incidentId: string; batchId: string }[]): Promise<string[][]> {
  if (!keys.length) return [];
  const incidentIds = [...new Set(keys.map((k) => k.incidentId))];
  const batchIds = [...new Set(keys.map((k) => k.batchId))];
  const lines = [
    ...(await queryRows<{ incident_id: string; batch_id: string; plan_id: string; line_no: number }>(
      tx,
      sql`SELECT p.incident_id::text AS incident_id, l.batch_id::text AS batch_id, l.plan_id::text AS plan_id, l.line_no
            FROM dispatch_lines l JOIN dispatch_plans p ON p.id = l.plan_id
           WHERE p.incident_id IN (${uuidList(incidentIds)}) AND l.source_kind = 'STORE' AND l.batch_id IN (${uuidList(batchIds)})`,
    )),
    ...(await callOffLinesOfBatches(tx, incidentIds, batchIds)),
  ];
  // The settlements of each (incident, batch): those of its plan lines (`${planId}/${lineNo}`, execution.ts). Ids as
  // uuid::text spells them (lower case), whoever spelled the keys.
  const keyOf = (incidentId: string, batchId: string) => `${incidentId}|${batchId}`.toLowerCase();
  const settlementsOf = new Map<string, Set<string>>();
  for (const l of lines) {
    const k = keyOf(l.incident_id, l.batch_id);
    settlementsOf.set(k, (settlementsOf.get(k) ?? new Set()).add(stableId('settlement', `${l.plan_id}/${l.line_no}`)));
  }
  const wanted = keys.flatMap((k) => [...(settlementsOf.get(keyOf(k.incidentId, k.batchId)) ?? [])]);
  const rows = wanted.length
    ? await tx
        .select({ id: settlements.id, owedBy: settlements.owedByRegion })
        .from(settlements)
        .where(and(inArray(settlements.id, [...new Set(wanted)]), eq(settlements.status, 'SETTLED'), sql`${settlements.quantity} > 0`))
    : [];
  return keys.map((k) => {
    const of = settlementsOf.get(keyOf(k.incidentId, k.batchId));
    return of ? [...new Set(rows.filter((r) => of.has(r.id)).map((r) => r.owedBy))] : [];
  });
}

/**
 * D22, D25, D30: recoveries among `documentIds` that brought goods back into the store a plan of their incident took them
 * from under a settlement recorded before them — what reduceSettlementsOfRecovery counts as repaid in kind —, with the
 * settlements concerned. Like a document that settled a settlement, such a recovery is not reversed: the settlement
 * would stay reduced, or closed, for goods no longer returned.
 */
async function repayingRecoveries(db: Db, documentIds: readonly string[]) {
  if (!documentIds.length) return [];
  type Row = { document_id: string; id: string; owed_to: string; owed_by: string; item: string };
  const ids = uuidList([...documentIds]);
  const fromStores = await queryRows<Row>(
    db,
    sql`SELECT DISTINCT d.id AS document_id, s.id, rt.name AS owed_to, rb.name AS owed_by, i.name AS item
          FROM documents d
          JOIN movements m ON m.document_id = d.id AND m.store_id = d.counterpart_store_id AND m.quantity > 0
          JOIN dispatch_plans p ON p.incident_id = d.incident_id
          JOIN dispatch_lines l ON l.plan_id = p.id AND l.source_kind = 'STORE' AND l.store_id = m.store_id AND l.batch_id = m.batch_id
          JOIN settlements s ON s.plan_id = l.plan_id AND s.store_id = l.store_id AND s.item_id = l.item_id AND s.created_at <= d.recorded_at
          JOIN regions rt ON rt.code = s.owed_to_region JOIN regions rb ON rb.code = s.owed_by_region JOIN items i ON i.id = s.item_id
         WHERE d.type = 'RECOVERY' AND d.id IN (${ids})
         ORDER BY d.id, s.id`,
  );
  // Sweep 18a F15: call-off goods (the batches a call-off's receipt booked) recovered into a store of the side owed.
  const calledOff = await queryRows<Row & { store_region: string; owed_to_region: string; owed_by_region: string }>(
    db,
    sql`SELECT DISTINCT d.id AS document_id, s.id, rt.name AS owed_to, rb.name AS owed_by, i.name AS item,
                        st.region_code AS store_region, s.owed_to_region, s.owed_by_region
          FROM documents d
          JOIN movements m ON m.document_id = d.id AND m.store_id = d.counterpart_store_id AND m.quantity > 0
          JOIN stores st ON st.id = m.store_id
          JOIN dispatch_plans p ON p.incident_id = d.incident_id
          JOIN call_offs c ON c.plan_id = p.id AND c.status = 'DELIVERED'
          JOIN document_lines rl ON rl.document_id = c.receipt_document_id AND rl.batch_id = m.batch_id
          JOIN settlements s ON s.plan_id = c.plan_id AND s.item_id = c.item_id AND s.created_at <= d.recorded_at
          JOIN regions rt ON rt.code = s.owed_to_region JOIN regions rb ON rb.code = s.owed_by_region JOIN items i ON i.id = s.item_id
         WHERE d.type = 'RECOVERY' AND d.id IN (${ids})
         ORDER BY d.id, s.id`,
  );
  const owed = calledOff
    .filter((r) => sideOf(r.store_region, { owedToRegion: r.owed_to_region, owedByRegion: r.owed_by_region }) === 'OWED')
    .map(({ document_id, id, owed_to, owed_by, item }) => ({ document_id, id, owed_to, owed_by, item }));
  return [...fromStores, ...owed];
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

/**
 * D21, D25 (sweep 18a F18): delivered, a call-off's goods are owed at the price they were booked at — the contract's,
 * or for a reserve with no price agreed the price stated at delivery —, no longer at an estimate (the item's reference
 * price) or 0.00. In the delivery's transaction, after what was not delivered was released (reduceSettlementOfCallOff);
 * an open settlement only: one settled is as it was settled.
 */
export async function priceSettlementOfCallOff(tx: Db, c: { planId: string; lineNo: number; unitPrice: string }): Promise<void> {
  await tx.execute(
    sql`UPDATE settlements SET value = round(quantity * ${c.unitPrice}::numeric, 2)
         WHERE id = ${stableId('settlement', `${c.planId}/${c.lineNo}`)}::uuid AND status = 'OPEN'`,
  );
}
