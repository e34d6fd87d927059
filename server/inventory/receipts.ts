import DataLoader from 'dataloader';
import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { batches, incidents, organizations } from '../../drizzle/schema/index.ts';
import { mayRead, type PolicyLookups } from '../auth/policy.ts';
import type { Principal } from '../auth/principal.ts';
import { ZONE } from '../clock.ts';
import { badInput, DomainError, notFound } from '../errors.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import { batchIdWith } from '../ids.ts';
import { batchIdKey, batchIdOf } from './batch-ids.ts';
import { formatFen, formatMoney, parseMoney, toFen } from '../money.ts';
import { storesByIds, type StoreRow } from '../stores/service.ts';
import { invisibleAsBlank, readableText, uuidArg, validate, idSchema } from '../validation.ts';
import { batchNoSchema, idempotencyKeySchema, itemsFor, occurredAtOf, quantitySchema, storeForPosting, type BatchRow, type ItemRow } from './common.ts';
import { lockBalances, postDocument, type DocumentDraft, type LineDraft, type MovementDraft } from './posting.ts';
import { storesOfBatches } from './queries.ts';
import { assertMadeBy, assertNotExpiredOnReceipt, expiryOfNewBatch } from './expiry.ts';
import { assertFundingFitsOwner, assertOwnersAllowed, fundedOwner, governmentNameSql, ownersAllowedAt, type OwnerChoices } from './owners.ts';
import { referencedIncident } from '../dispatch/incidents.ts';
import { assertPointOpenAt } from '../relief/closed-points.ts';
import { FUNDING_NAMES, RECEIPT_SOURCE_NAMES, RESERVE_MODE_NAMES } from '../paperwork/names.ts';
import type { ServiceContext } from '../context.ts';
import { reserveModeOf } from './reserve-mode.ts';

const FUNDING = ['CENTRAL', 'PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP', 'DONATION', 'ENTERPRISE'] as const;
export type FundingSource = (typeof FUNDING)[number];
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

const receiptLine = z.object({
  itemId: idSchema,
  quantity: quantitySchema,
  batchNo: batchNoSchema.nullish(),
  productionDate: isoDate.nullish(),
  expiryDate: isoDate.nullish(),
  unitPrice: z.string().nullish(),
  fundingSource: z.enum(FUNDING).nullish(),
  ownerOrgId: idSchema.nullish(),
  origin: z.string().trim().max(64).nullish(),
});

const receiptFields = z.object({
  storeId: idSchema,
  source: z.enum(['PURCHASE', 'DONATION', 'RECOVERY', 'EMERGENCY_PURCHASE', 'REQUISITION', 'OTHER']),
  sourceOrgId: idSchema.nullish(),
  sourceName: z.string().trim().min(2).max(128).nullish(),
  reference: z.string().trim().max(128).nullish(),
  contractNo: z.string().trim().max(64).nullish(),
  inspectionReportNo: z.string().trim().max(64).nullish(),
  incidentId: idSchema.nullish(),
  note: z.string().trim().max(500).nullish(),
  occurredAt: z.any().optional(),
  idempotencyKey: idempotencyKeySchema,
  lines: z.array(receiptLine).min(1, '至少一行').max(1000, '一张单据最多 1000 行'),
});
type Receipt = z.output<typeof receiptFields>;

/**
 * D7: what a receipt's source must record. A purchase records its contract number — contractNo, or else API.md's
 * binding `reference` taken as it (contractNoOf); the inspection report number is recorded when given; a donation may
 * come from an unknown donor; a requisition names whom it is owed to.
 */
const sourceRecorded = <S extends z.ZodType<Receipt>>(schema: S) =>
  schema
    .refine((v) => v.source !== 'PURCHASE' || v.contractNo !== '', { path: ['contractNo'], message: '采购入库须填写合同编号' })
    .refine((v) => v.source !== 'PURCHASE' || !!v.contractNo || v.contractNo === '' || !!v.reference, {
      path: ['reference'],
      message: '采购入库须填写合同编号（填在合同编号或凭证号中）',
    })
    .refine((v) => v.source !== 'REQUISITION' || !!(v.sourceOrgId || v.sourceName), {
      path: ['sourceName'],
      message: '征用入库须填写被征用单位（应予补偿）',
    });
const receiptSchema = sourceRecorded(receiptFields);

export type ReceiveStockInput = z.input<typeof receiptFields>;

/**
 * A receipt's input, checked: a mistake in its shape is refused with every mistake listed, the source's rules among
 * them. A well-formed receipt is taken as it is; its source's rules are asked by assertSourceRecorded once the store,
 * the items and the lines are known to be right (sweep 8c F1: an unknown store or item, or goods already expired, were
 * hidden behind 「采购入库须填写合同编号」).
 */
function validateReceipt(input: unknown): Receipt {
  const shaped = receiptFields.safeParse(invisibleAsBlank(input));
  return shaped.success ? shaped.data : validate(receiptSchema, input);
}

const sourceRules = sourceRecorded(z.custom<Receipt>());
const assertSourceRecorded = (v: Receipt) => validate(sourceRules, v);

/** D7: the contract number a receipt records — a purchase's contractNo, else its reference (API.md's field for it). */
const contractNoOf = (v: Receipt) => v.contractNo || (v.source === 'PURCHASE' ? v.reference : null) || null;

/** The organisation by id (NOT_FOUND) or by name (created on first use). */
export async function organizationFor(
  db: Db,
  id: string | null | undefined,
  name: string | null | undefined,
  kind: 'GOVERNMENT' | 'COMPANY' | 'DONOR' | 'OTHER',
  field: string,
  regionCode?: string,
) {
  if (id) {
    uuidArg(id, field, '单位');
    const [row] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, id));
    if (!row) throw notFound(field, '单位', id);
    return row.id;
  }
  if (!name) return null;
  // Look up before inserting: an upsert would lock the row until commit and queue every receipt behind it.
  const byName = () => db.select({ id: organizations.id }).from(organizations).where(eq(organizations.name, name));
  const [existing] = await byName();
  if (existing) return existing.id;
  await db
    .insert(organizations)
    .values({ name, kind, regionCode: regionCode ?? null })
    .onConflictDoNothing();
  const [created] = await byName();
  return created.id;
}

/**
 * D3: government stock is owned by the government of the store's region (governmentNameSql: a 街道's 街道办事处, a
 * village's 村（居）委会, else its 人民政府), an agreement store's by its operator — unless another owner is named, or
 * the line's funds say another one the store may record (fundedOwnersOf).
 */
async function defaultOwner(tx: Db, store: StoreRow): Promise<string | null> {
  if (store.kind === 'AGREEMENT') return store.operatorOrgId;
  return governmentOf(tx, store.regionCode);
}

type OwnerChoice = OwnerChoices['choices'][number];

/**
 * D3, D21 (sweep 21b F3): per line, the owner its funds make it when the line names none — the government of its
 * funding level, or for ENTERPRISE the store's operator, where the store may record that owner (owners.ts fundedOwner,
 * the one rule, which receiptOwners' defaultFor shows) — if that is not the store's default owner (defaultOwner);
 * null: the line names its owner, or the store's default owns it. The store's owners are read only when a line's
 * funding may say another owner than the store's default (so a receipt without funding, or with the store's own
 * level's, reads nothing more). A government's id is null when it is not registered yet.
 */
async function fundedOwnersOf(
  db: Db,
  store: StoreRow,
  lines: readonly { fundingSource?: FundingSource | null; ownerOrgId?: string | null }[],
): Promise<(OwnerChoice | null)[]> {
  const storeDefault = (f: FundingSource) => f === 'CENTRAL' || f === 'DONATION' || f === (store.kind === 'AGREEMENT' ? 'ENTERPRISE' : store.level);
  if (!lines.some((l) => !l.ownerOrgId && l.fundingSource && !storeDefault(l.fundingSource))) return lines.map(() => null);
  const { choices } = await ownersAllowedAt(db, store);
  const isStoreDefault = (c: OwnerChoice) => (store.kind === 'AGREEMENT' ? c.level === null : c.regionCode === store.regionCode);
  return lines.map((l) => {
    const choice = l.ownerOrgId ? undefined : fundedOwner(choices, l.fundingSource);
    return choice && !isStoreDefault(choice) ? choice : null;
  });
}

/** The government of a region (a 街道's 街道办事处, a village's 村（居）委会, else its 人民政府: governmentNameSql), registered on first use. */
export async function governmentOf(tx: Db, regionCode: string): Promise<string> {
  const [found] = await queryRows<{ id: string | null; name: string }>(
    tx,
    sql`WITH g AS (SELECT ${governmentNameSql} AS name FROM regions r WHERE r.code = ${regionCode})
        SELECT o.id, g.name FROM g LEFT JOIN organizations o ON o.name = g.name`,
  );
  return found.id ?? (await organizationFor(tx, null, found.name, 'GOVERNMENT', 'owner', regionCode))!;
}

/** Funding follows the store's level unless given (D21): 市/县/乡 funds, donations, enterprise stock. */
export function defaultFunding(store: StoreRow, source: string): FundingSource {
  if (source === 'DONATION') return 'DONATION';
  if (store.kind === 'AGREEMENT') return 'ENTERPRISE';
  return store.level === 'VILLAGE' ? 'TOWNSHIP' : store.level;
}

export interface NewBatch {
  itemId: string;
  batchNo: string;
  productionDate: string | null;
  expiryDate: string | null;
  unitPrice: string;
  fundingSource: FundingSource;
  reserveMode: 'PHYSICAL' | 'ENTRUSTED' | 'AGREEMENT' | 'CAPACITY';
  ownerOrgId: string | null;
  supplierOrgId: string | null;
  origin: string | null;
  receivedAt: Date;
}

export type BatchAttribute = 'expiryDate' | 'productionDate' | 'unitPrice' | 'fundingSource' | 'reserveMode';
const ATTRIBUTE_NAMES: Record<BatchAttribute, string> = {
  expiryDate: '有效期',
  productionDate: '生产日期',
  unitPrice: '单价',
  fundingSource: '资金来源',
  reserveMode: '储备方式',
};

/**
 * Creates the batch, or finds the item's batch with that number; the caller must be allowed to join it
 * (assertMayJoinBatches) and its recorded attributes must agree. `given` names the attributes the client stated;
 * defaults (reference price, computed expiry, the store's funding) only apply to a new batch and are not compared.
 * Omitted = all compared. `ours`: the batches this post created (another line may name the same number); a batch
 * created here is added to it. `owner`: whose goods these are (D3) — by default the owner `b` states (a rotation's new
 * batch keeps the old batch's owner); a receipt says whether its line named the owner, at which store.
 */
export async function batchFor(
  tx: Db,
  actor: Principal,
  b: NewBatch,
  field: string,
  given?: ReadonlySet<BatchAttribute>,
  ours: Set<string> = new Set(),
  owner: Omit<LineOwner, 'owner'> = { stated: true, store: null },
  agrees?: (batch: BatchRow) => void,
): Promise<BatchRow> {
  // (item, batch number) is unique, so the batch id follows from it — keyed with the database's secret (sweep 14a F1).
  const [created] = await tx
    .insert(batches)
    .values({ ...b, id: await batchIdOf(tx, b.itemId, b.batchNo) })
    .onConflictDoNothing()
    .returning();
  if (created) {
    ours.add(created.id);
    return created;
  }
  const [existing] = await tx
    .select()
    .from(batches)
    .where(and(eq(batches.itemId, b.itemId), eq(batches.batchNo, b.batchNo), isNull(batches.retiredAt)));
  // Sweep 24c F1: a spent batch of that number does not hold it against goods that differ from it.
  if (!ours.has(existing.id) && (await spentBatches(tx, [existing.id])).has(existing.id)) {
    return joinedOrReRegistered(tx, actor, existing, b, { field, given, owner: { ...owner, owner: b.ownerOrgId }, agrees, ours });
  }
  if (!ours.has(existing.id)) await assertMayJoinBatches(tx, actor, [{ batch: existing, field, ...owner, owner: b.ownerOrgId }]);
  return agreeingBatch(existing, b, field, given);
}

/**
 * Sweep 24c F1 (D7, D9, D22, D31): of these existing batches, the spent ones — received, and every receipt of them
 * reversed: no document that moved them stands (each is reversed, rejected or withdrawn, or is a posted reversal),
 * nothing of them is on hand, reserved or in transit at any store, and no pending or approved order, nor an open
 * plan, names them. Such a batch is history only: its number is the goods' real 批号, which a receipt that was
 * mistyped (price, expiry, funding, owner) or posted at the wrong store and then reversed must be able to book again.
 * One statement for all.
 */
export async function spentBatches(db: Db, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await queryRows<{ id: string }>(
    db,
    sql`SELECT b.id::text AS id FROM batches b
         WHERE b.id IN (${uuidList([...new Set(ids)])}) AND b.retired_at IS NULL
           AND EXISTS (SELECT 1 FROM document_lines l JOIN documents d ON d.id = l.document_id
                        WHERE l.batch_id = b.id AND d.type = 'RECEIPT' AND d.status = 'REVERSED')
           AND NOT EXISTS (SELECT 1 FROM balances x WHERE x.batch_id = b.id AND (x.on_hand <> 0 OR x.reserved <> 0 OR x.in_transit <> 0))
           AND NOT EXISTS (SELECT 1 FROM document_lines l JOIN documents d ON d.id = l.document_id
                            WHERE l.batch_id = b.id AND l.quantity <> 0
                              AND NOT (d.status IN ('REVERSED', 'REJECTED') OR (d.type = 'REVERSAL' AND d.status = 'POSTED')))
           AND NOT EXISTS (SELECT 1 FROM outbound_order_lines ol JOIN outbound_orders o ON o.id = ol.order_id
                            WHERE ol.batch_id = b.id AND o.status IN ('PENDING', 'APPROVED'))
           AND NOT EXISTS (SELECT 1 FROM dispatch_lines dl JOIN dispatch_plans p ON p.id = dl.plan_id
                            WHERE dl.batch_id = b.id AND p.status IN ('PROPOSED', 'APPROVED', 'EXECUTING'))`,
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Sweep 24c F1 (D7, D22, D31): goods received under the number of a spent batch (spentBatches). Where the receipt may
 * join that batch as it is — the caller may read it, it has the line's own owner, and what the line states agrees with
 * it (agreeingBatch, and the receipt's `agrees`) — it is joined, as before. Otherwise the number is not held hostage by
 * a reversed mistake: the spent batch is retired (kept whole — its attributes, movements, documents and trace stay as
 * posted, so the reversed receipt and its reversal still show what they were posted with, and valuation at any past
 * instant is unchanged) and a new batch is registered under the number with what this receipt states, with an id of
 * its own (the spent batch keeps the id its number gave it). Batches are never repriced (D22): a correction of price,
 * expiry or funding is a new batch, not an edit. `replaced`: the spent batches this post already retired (a later line
 * of the same number joins the new one); a concurrent receipt doing the same meets the unique index and is retried.
 */
async function joinedOrReRegistered(
  tx: Db,
  actor: Principal,
  spent: BatchRow,
  b: NewBatch,
  c: {
    field: string;
    given?: ReadonlySet<BatchAttribute>;
    owner: LineOwner;
    agrees?: (batch: BatchRow) => void;
    ours: Set<string>;
    replaced?: Map<string, BatchRow>;
  },
): Promise<BatchRow> {
  const already = c.replaced?.get(spent.id);
  if (already) return agreeingBatch(already, b, c.field, c.given);
  try {
    // The line's owner exactly (stated): a spent batch is not given to another owner the store might record.
    await assertMayJoinBatches(tx, actor, [{ batch: spent, field: c.field, ...c.owner, stated: true }]);
    agreeingBatch(spent, b, c.field, c.given);
    c.agrees?.(spent);
    return spent;
  } catch (error) {
    if (!(error instanceof DomainError) || error.code !== 'BAD_USER_INPUT') throw error;
  }
  await tx
    .update(batches)
    .set({ retiredAt: b.receivedAt })
    .where(and(eq(batches.id, spent.id), isNull(batches.retiredAt)));
  const [created] = await tx
    .insert(batches)
    .values({ ...b, id: randomUUID() })
    .returning();
  c.ours.add(created.id);
  c.replaced?.set(spent.id, created);
  return created;
}

/**
 * D3/D18 and the scope rule (DESIGN Auth; the policy's batch rule, mayRead.batch): batch ids follow from (item, number)
 * across all stores, so incoming stock joins an existing batch by its number only if the caller may read that batch
 * as it stood before this post — a store in their scope holds or held it. Otherwise another region's or store's batch
 * (its owner, price and trace) would become theirs. The refusal says nothing of that batch: no id, no attributes, and
 * it comes before the attributes are compared. Of these existing batches (not created by this post), the ids the
 * caller may not join. Reading is not all a receipt needs (assertMayJoinBatches also asks whose the batch is).
 */
export async function batchesNotToJoin(db: Db, actor: Principal, existing: readonly { id: string }[]): Promise<Set<string>> {
  if (!existing.length) return new Set();
  // Read in the post's transaction before its balances are written; one query for all the lines.
  const holders = new DataLoader(async (ids: readonly string[]) => {
    const rows = await storesOfBatches(db, ids);
    return ids.map((id) => rows.filter((r) => r.batchId === id));
  });
  const look: PolicyLookups = {
    store: async (id) => (await storesByIds(db, [id]))[0] ?? null,
    storesOfBatch: (id) => holders.load(id),
    incidentRegion: async (id) => (await db.select({ regionCode: incidents.regionCode }).from(incidents).where(eq(incidents.id, id)))[0]?.regionCode ?? null,
  };
  const readable = await Promise.all(existing.map(async (b) => mayRead.batch(actor, b, look)));
  return new Set(existing.filter((_, i) => !readable[i]).map((b) => b.id));
}

/**
 * The refusal of a batch number the caller may not join: it reveals nothing of the batch — not even that the number is
 * registered elsewhere (README: "refused without a word about that batch"; an answer saying so would let anyone probe
 * other jurisdictions' batch numbers): it asks for another number without saying why.
 */
export const batchNumberTaken = (batchNo: string) => `批号 ${batchNo} 不能用于本次入库，请核对批号或另编一个批号`;

/**
 * D3 owner ≠ holder: whose goods a receipt line brings. `owner` is the line's owner; `stated` when it is not the
 * receipt's choice to make — a keeper's ownerOrgId, a call-off delivery's contracting government (execution.ts), a
 * rotated batch's owner — else it is the store's default owner and any owner the store may record (ownersAllowedAt) would
 * do. `store`: the receiving store (null: only the stated owner is joinable).
 */
export interface LineOwner {
  owner: string | null;
  stated: boolean;
  store: StoreRow | null;
}

/**
 * BAD_USER_INPUT at the first line (in order) whose existing batch the caller may not join; nothing is written. One rule
 * for every receipt — receiveStock, a call-off delivery through it, a rotation's new batch (batchFor):
 * 1. the caller may read the batch (batchesNotToJoin, the scope rule);
 * 2. D3, D21: its owner is one the line itself may give the goods — the owner it states, else one the receiving store
 *    may record (its government, a government above it, a company store's operator; receiveStock's own owner rule). A
 *    batch becomes readable once part of it ships into scope (a plan drawing on another region's stock under a 联储
 *    agreement): readable alone, a donation or a company's delivery posted into it would become that government's
 *    property, on its funds and its production date. A call-off delivery states the contracting government, so it
 *    never joins a batch of another government.
 * Refused as taken (batchNumberTaken), naming nothing of the batch, not even its owner — except a batch owned by one
 * the store may record (so named in its own owner refusal), whose differing owner is named as agreeingBatch names
 * a differing price. Both before any attribute is compared.
 */
async function assertMayJoinBatches(db: Db, actor: Principal, joins: readonly ({ batch: BatchRow; field: string } & LineOwner)[]): Promise<void> {
  if (!joins.length) return;
  const unreadable = await batchesNotToJoin(
    db,
    actor,
    joins.map((j) => j.batch),
  );
  // Who the store may record as owner, asked once and only when a batch's owner is not the line's own.
  let allowed: Promise<Set<string>> | undefined;
  const allowedAt = (store: StoreRow | null) => (store ? (allowed ??= ownersAllowedAt(db, store).then((a) => a.ids)) : Promise.resolve(new Set<string>()));
  for (const j of joins) {
    if (unreadable.has(j.batch.id)) throw badInput(`${j.field}.batchNo`, batchNumberTaken(j.batch.batchNo));
    const theirs = j.batch.ownerOrgId;
    if (theirs === j.owner) continue;
    const recordable = theirs !== null && (await allowedAt(j.store)).has(theirs);
    if (recordable && !j.stated) continue; // the store's own government, one above it, or its operator: the receipt's to choose
    if (!recordable) throw badInput(`${j.field}.batchNo`, batchNumberTaken(j.batch.batchNo));
    throw badInput(`${j.field}.batchNo`, `批号 ${j.batch.batchNo} 已存在，且产权单位与已登记的不同`, { batchId: j.batch.id, fields: ['ownerOrgId'] });
  }
}

/** A batch's recorded attribute as a keeper reads it. */
function registeredValue(batch: BatchRow, k: BatchAttribute): string {
  const v = batch[k];
  if (v === null || v === undefined) return '未填';
  if (k === 'unitPrice') return `${formatMoney(String(v))} 元`;
  if (k === 'fundingSource') return FUNDING_NAMES[String(v)] ?? String(v);
  if (k === 'reserveMode') return RESERVE_MODE_NAMES[String(v)] ?? String(v);
  return String(v).slice(0, 10);
}

/** An existing batch with the number of a new one: its recorded attributes must agree with those given. */
function agreeingBatch(existing: BatchRow, b: NewBatch, field: string, given?: ReadonlySet<BatchAttribute>): BatchRow {
  const differs = (['expiryDate', 'productionDate', 'unitPrice', 'fundingSource', 'reserveMode'] as const).filter(
    (k) => b[k] !== null && (!given || given.has(k)) && String(existing[k]) !== String(b[k]) && !(k === 'unitPrice' && Number(existing[k]) === Number(b[k])),
  );
  if (differs.length) {
    const said = differs.map((k) => ATTRIBUTE_NAMES[k]).join('、');
    // Sweep 18c F8: the registered values, so that the keeper can tell which entry is wrong (the batch is readable here:
    // assertMayJoinBatches refused the others as taken, naming nothing).
    const registered = differs.map((k) => `${ATTRIBUTE_NAMES[k]} ${registeredValue(existing, k)}`).join('，');
    throw badInput(`${field}.batchNo`, `批号 ${b.batchNo} 已存在，且${said}与已登记的不同（已登记：${registered}）`, { batchId: existing.id, fields: differs });
  }
  return existing;
}

/** Sources whose goods are paid for (or owed compensation) by a government, never donated. */
const PAID_SOURCES = new Set(['PURCHASE', 'EMERGENCY_PURCHASE', 'REQUISITION']);

/** 产地 as compared: full-width forms, blanks and invisible characters do not make another place. */
const originKey = (origin: string) => readableText(origin).replace(/\s+/g, '');

/**
 * D7, D21 (sweep 7b M2): a receipt line joining an existing batch (agreeingBatch compares what the line states) must
 * not change what the batch says by what it leaves unstated. Each refusal names the attribute and both values, at
 * `input.lines.N.batchNo`; nothing is posted.
 * - Funding (D21, valuation by funding source): a line without fundingSource takes the batch's, except where the
 *   receipt's source itself says whose money it is — a donation is funded DONATION (defaultFunding), so a donation
 *   into a government or enterprise batch would be counted as that money; and a purchase, emergency purchase or
 *   requisition is never donated, so it does not join a DONATION batch unless it states fundingSource DONATION (bought
 *   with donated money). The store's level, the default of a new batch's funding otherwise, is not compared: a city
 *   batch moved to a county store takes more of the city's funds; RECOVERY and OTHER may bring back a batch's own goods.
 * - 产地 (D7, every batch labelled 产地): a line naming an origin other than the batch's (or naming one where the batch
 *   has none recorded) is refused — the batch has one label, and the new one would be dropped. A line without origin
 *   takes the batch's.
 * A batch this line created agrees with it by construction.
 */
function assertReceiptAgrees(
  batch: BatchRow,
  line: { fundingSource: FundingSource | null; origin: string | null },
  source: string,
  store: StoreRow,
  field: string,
): void {
  if (!line.fundingSource && batch.fundingSource !== defaultFunding(store, source)) {
    const effective = defaultFunding(store, source);
    const said = (f: string) => FUNDING_NAMES[f] ?? f;
    if (source === 'DONATION') {
      throw badInput(
        `${field}.batchNo`,
        `批号 ${batch.batchNo} 已存在，登记的资金来源为${said(batch.fundingSource)}，本次捐赠入库的资金来源为捐赠，二者不同：捐赠物资请另编批号`,
        { batchId: batch.id, fields: ['fundingSource'], recorded: batch.fundingSource, received: effective },
      );
    }
    if (batch.fundingSource === 'DONATION' && PAID_SOURCES.has(source)) {
      throw badInput(
        `${field}.batchNo`,
        `批号 ${batch.batchNo} 已存在，登记的资金来源为捐赠，本次${RECEIPT_SOURCE_NAMES[source]}入库未填资金来源，按本库为${said(effective)}，二者不同：请另编批号；确为捐赠资金购置的，请填写资金来源为捐赠`,
        { batchId: batch.id, fields: ['fundingSource'], recorded: batch.fundingSource, received: effective },
      );
    }
  }
  const origin = line.origin ? originKey(line.origin) : '';
  if (origin && (!batch.origin || originKey(batch.origin) !== origin)) {
    const recorded = batch.origin ? `登记的产地为「${batch.origin}」` : '登记时未填产地';
    throw badInput(
      `${field}.batchNo`,
      `批号 ${batch.batchNo} 已存在，${recorded}，本次填写的产地为「${line.origin}」，二者不同：同一批号只有一个产地，请核对产地（不填则沿用该批次的产地）或另编批号`,
      { batchId: batch.id, fields: ['origin'], recorded: batch.origin, received: line.origin },
    );
  }
}

/**
 * 入库 (D7): receipt of new or existing batches at a store; all lines or none. The lines' owners must be ones the store
 * may record (D3, ownersAllowedAt) — except `ownerByAgreement`: a call-off delivery states the contracting government
 * itself, wherever the goods are delivered (execution.ts), not a keeper's choice.
 */
export async function receiveStock(ctx: ServiceContext, input: unknown, opts: { afterPost?: DocumentDraft['afterPost']; ownerByAgreement?: boolean } = {}) {
  const { db, actor: user, clock, reference } = ctx;
  const v = validateReceipt(input);
  const store = await storeForPosting(db, user, v.storeId, 'input.storeId', reference);
  const itemMap = await itemsFor(db, v.lines, 'input.lines', reference);
  // D29: recovered goods may come back after the incident closed.
  if (v.incidentId) await referencedIncident(db, user, v.incidentId);
  const occurredAt = occurredAtOf(clock, v.occurredAt);
  // D21, D28 (sweep 20c F5): nothing is put at a 安置点 before its disaster (a statement for a 安置点's receipt only).
  await assertPointOpenAt(db, store, { at: occurredAt, what: '入库' });
  const receiptDate = DateTime.fromJSDate(occurredAt).setZone(ZONE).toISODate()!;
  const today = clock.now().setZone(ZONE).toISODate()!;
  const prepared = v.lines.map((l, i) => prepareLine(l, i, itemMap.get(l.itemId)!, receiptDate, today));
  assertValueWithinLimit(prepared);
  assertSourceRecorded(v);
  if (!opts.ownerByAgreement)
    await assertOwnersAllowed(
      db,
      store,
      v.lines.map((l) => l.ownerOrgId),
      (i) => `input.lines.${i}.ownerOrgId`,
    );
  // D3, D21 (sweep 21b F3): whose funds bought a line that names no owner.
  const funded = await fundedOwnersOf(db, store, v.lines);
  // The owner each line is known to have before posting: named, its funds' (a government's id may be null, not yet
  // registered: never the operator), else the store's default (an agreement store's operator, else a government).
  const ownerBefore = (i: number) => v.lines[i].ownerOrgId ?? (funded[i] ? funded[i].id : store.kind === 'AGREEMENT' ? store.operatorOrgId : null);
  // D3, D6, D21 (sweep 15b F7): the funding a new batch records agrees with its owner, the 协议储备 mode below.
  assertFundingFitsOwner(
    store,
    v.lines.map((l, i) => ({
      companyOwned: reserveModeOf(store, ownerBefore(i)) === 'AGREEMENT',
      fundingSource: l.fundingSource ?? defaultFunding(store, v.source),
    })),
    (i) => `input.lines.${i}.fundingSource`,
    (f) => FUNDING_NAMES[f] ?? f,
  );
  const newBatch = (
    { given: _given, ...p }: (typeof prepared)[number],
    i: number,
    documentId: string,
    ownerOrgId: string | null,
  ): Omit<NewBatch, 'ownerOrgId' | 'supplierOrgId'> => ({
    ...p,
    batchNo: p.batchNo ?? `B${receiptDate.replaceAll('-', '').slice(2)}-${documentId.slice(0, 6).toUpperCase()}-${i + 1}`,
    fundingSource: p.fundingSource ?? defaultFunding(store, v.source),
    reserveMode: reserveModeOf(store, ownerOrgId),
    receivedAt: occurredAt,
  });
  // Issue 11: without organisations to look up or register, the claim, the owner and the batches take one round
  // trip (ledger_prepare: one owner, the store's default, for every line); the decisions below are the same either way.
  const lean = !v.sourceOrgId && !v.sourceName && v.lines.every((l, i) => !l.ownerOrgId && !funded[i]);
  // The new batches' ids are computed here, before the statement is built (sweep 14a F1: keyed; read once per database).
  const batchKey = await batchIdKey(db);

  return postDocument(db, {
    kind: 'receiveStock',
    actor: user,
    audit: ctx.audit,
    idempotencyKey: v.idempotencyKey,
    input: v,
    clock,
    occurredAt,
    prepare: lean
      ? {
          spec: ({ documentId }) => ({
            ...(store.kind === 'AGREEMENT' ? { ownerOrgId: store.operatorOrgId } : { ownerRegion: store.regionCode }),
            batches: prepared.map((p, i) => {
              // No owner named nor funded otherwise: the default owner (defaultOwner) — an agreement store's operator, else a government.
              const b = { ...newBatch(p, i, documentId, store.kind === 'AGREEMENT' ? store.operatorOrgId : null), supplierOrgId: null };
              return { ...b, id: batchIdWith(batchKey, b.itemId, b.batchNo) };
            }),
          }),
        }
      : undefined,
    build: async (tx, { documentId, prepared: held }) => {
      const supplierOrgId = lean
        ? null
        : await organizationFor(tx, v.sourceOrgId, v.sourceName, v.source === 'DONATION' ? 'DONOR' : 'COMPANY', 'input.sourceOrgId');
      // The region's government as ledger_prepare found it; else (not registered yet, or a company's store) as before.
      const owner = held?.owner?.id ?? (await defaultOwner(tx, store));
      // The batches this post created: a later line may name the same number.
      const ours = new Set(held?.batches?.filter((b) => b.created).map((b) => b.id));
      // Sweep 24c F1: the existing batches that are spent (every receipt reversed): joined only as they are, else their
      // number goes to a new batch (joinedOrReRegistered) — one read for all the lines.
      const spent = await spentBatches(
        tx,
        (held?.batches ?? []).filter((b) => !b.created).map((b) => b.id),
      );
      const replaced = new Map<string, BatchRow>();
      // Before any attribute is compared (agreeingBatch): an existing batch may be joined only within scope, and only
      // if it is owned by one the receipt may give the goods (D3; the lean path names no owner: the store's default).
      await assertMayJoinBatches(
        tx,
        user,
        (held?.batches ?? []).flatMap((batch, i) =>
          ours.has(batch.id) || spent.has(batch.id) ? [] : [{ batch, field: `input.lines.${i}`, owner, stated: false, store }],
        ),
      );
      const lines: LineDraft[] = [];
      const moves: MovementDraft[] = [];
      for (const [i, line] of prepared.entries()) {
        const fundedBy = funded[i];
        const ownerOrgId = v.lines[i].ownerOrgId
          ? await organizationFor(tx, v.lines[i].ownerOrgId, null, 'OTHER', `input.lines.${i}.ownerOrgId`)
          : fundedBy
            ? (fundedBy.id ?? (await governmentOf(tx, fundedBy.regionCode!)))
            : owner;
        const wanted = { ...newBatch(line, i, documentId, ownerOrgId), ownerOrgId, supplierOrgId };
        const found = held?.batches?.[i];
        const agrees = (b: BatchRow) => assertReceiptAgrees(b, line, v.source, store, `input.lines.${i}`);
        const batch = found
          ? found.created
            ? found
            : spent.has(found.id)
              ? await joinedOrReRegistered(tx, user, found, wanted, {
                  field: `input.lines.${i}`,
                  given: line.given,
                  owner: { owner: ownerOrgId, stated: true, store },
                  agrees,
                  ours,
                  replaced,
                })
              : agreeingBatch(found, wanted, `input.lines.${i}`, line.given)
          : await batchFor(tx, user, wanted, `input.lines.${i}`, line.given, ours, { stated: !!v.lines[i].ownerOrgId, store }, agrees);
        agrees(batch);
        lines.push({ itemId: batch.itemId, batchId: batch.id, quantity: line.quantity, unitPrice: batch.unitPrice });
        moves.push({ storeId: store.id, batchId: batch.id, itemId: batch.itemId, bucket: 'ON_HAND', quantity: line.quantity, unitPrice: batch.unitPrice });
      }
      // D9: a receipt dated in the past into a batch the store already holds must not fall before a count of it
      // (counted.ts, checked by the post): the batch's row is locked, which reads when it was counted. A receipt dated
      // now is after every count, and one of new batches has no row to count: neither locks nor reads anything more.
      const joined = v.occurredAt ? moves.filter((m) => !ours.has(m.batchId)) : [];
      const locked = joined.length ? await lockBalances(tx, { keys: joined.map((m) => ({ storeId: m.storeId, batchId: m.batchId })) }) : undefined;
      return {
        type: 'RECEIPT',
        storeId: store.id,
        source: v.source,
        sourceOrgId: supplierOrgId,
        contractNo: contractNoOf(v),
        inspectionReportNo: v.inspectionReportNo || null,
        reference: v.reference,
        incidentId: v.incidentId,
        note: v.note,
        // REQUISITION (征用): the owner is owed compensation for the stock taken.
        details: v.source === 'REQUISITION' ? { compensationOwedTo: supplierOrgId } : null,
        lines,
        movements: moves,
        locked,
        // One line per input line, in order: a balance past the limit is refused at the quantity that takes it there.
        quantityField: (line) => `input.lines.${line}.quantity`,
        afterPost: opts.afterPost,
      };
    },
  });
}

/**
 * D22, D27 (W2): a receipt's value is at most MAX_DOCUMENT_FEN — below 10^14 yuan, which its 大写金额 writes plainly
 * (万亿) and every approval of it (reversal, scrap, order) carries; approvals.value is wider still (migration 0021),
 * for orders and stocktakes that sum several documents. Refused on the line that passes it.
 */
const MAX_DOCUMENT_FEN = 10n ** 16n - 1n;

function assertValueWithinLimit(lines: readonly { quantity: number; unitPrice: string }[]): void {
  let total = 0n;
  lines.forEach((l, i) => {
    total += toFen(l.unitPrice) * BigInt(l.quantity);
    if (total > MAX_DOCUMENT_FEN) {
      throw badInput(
        `input.lines.${i}.unitPrice`,
        `第 ${i + 1} 行数量 × 单价使本单金额超过 ${formatFen(MAX_DOCUMENT_FEN)} 元（一张入库单的上限）：请核对数量和单价，或分单入库`,
        { limit: formatFen(MAX_DOCUMENT_FEN) },
      );
    }
  });
}

function prepareLine(l: z.output<typeof receiptLine>, i: number, item: ItemRow, receiptDate: string, today: string) {
  const field = `input.lines.${i}`;
  assertMadeBy(l.productionDate ?? null, { day: receiptDate, today }, { field: `${field}.productionDate`, dayLabel: '入库时间', whose: `第 ${i + 1} 行的` });
  const expiryDate = expiryOfNewBatch(
    { productionDate: l.productionDate ?? null, expiryDate: l.expiryDate ?? null, storageLifeMonths: item.storageLifeMonths },
    receiptDate,
    `${field}.expiryDate`,
  ); // D7, D10
  // D26: the field the client gave — a computed expiry (production date + storage life) is the production date's fault.
  assertNotExpiredOnReceipt(expiryDate, receiptDate, l.expiryDate ? `${field}.expiryDate` : `${field}.productionDate`);
  const price = l.unitPrice ?? item.referencePrice;
  if (price === null || price === undefined) throw badInput(`${field}.unitPrice`, `「${item.name}」没有参考单价，须填写单价`);
  const unitPrice = parseMoney(String(price), `${field}.unitPrice`);
  if (unitPrice.startsWith('-')) throw badInput(`${field}.unitPrice`, `第 ${i + 1} 行单价不能为负`);
  return {
    itemId: item.id,
    quantity: l.quantity,
    batchNo: l.batchNo ?? null,
    productionDate: l.productionDate ?? null,
    expiryDate,
    unitPrice,
    fundingSource: l.fundingSource ?? null,
    origin: l.origin ?? null,
    // An existing batch number is checked only against what the client stated (the reserve mode follows the store).
    given: new Set<BatchAttribute>([
      'reserveMode',
      ...(l.expiryDate ? (['expiryDate'] as const) : []),
      ...(l.productionDate ? (['productionDate'] as const) : []),
      ...(l.unitPrice !== null && l.unitPrice !== undefined ? (['unitPrice'] as const) : []),
      ...(l.fundingSource ? (['fundingSource'] as const) : []),
    ]),
  };
}
