import { and, asc, count, desc, eq, gt, gte, inArray, lte, ne, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { pgError, queryRows, type Db } from '../../drizzle/client.ts';
import { agreementCheckLines, agreementChecks, agreementLines, agreements, organizations } from '../../drizzle/schema/index.ts';
import { type Principal } from '../auth/principal.ts';
import { assertRegionAccess, assertStoreAccess, regionsInScope } from '../auth/policy.ts';
import { DateTime } from 'luxon';
import { inYearRange, todayInChina, YEARS, ZONE } from '../clock.ts';
import { badInput, invalidState, notFound } from '../errors.ts';
import { parseMoney, toFen } from '../money.ts';
import { cursorString, pageRequest, toPage, type PageArgs } from '../pagination.ts';
import { getRegionInScope, inRegionSubtree } from '../regions/service.ts';
import { isInSubtree, subtreePrefix } from '../regions/codes.ts';
import { getStoreRow, type StoreRow } from '../stores/service.ts';
import { lockAgreementStore } from '../stores/named-by-agreements.ts';
import { uuidArg, validate, idSchema } from '../validation.ts';
import { idempotencyKeySchema, itemsFor } from '../inventory/common.ts';
import { claimCreateKey } from '../inventory/idempotency.ts';
import { organizationFor } from '../inventory/receipts.ts';
import { RESERVE_MODE_NAMES, STORE_KIND_NAMES } from '../paperwork/names.ts';
import { effectiveCommitted } from './rules.ts';
import { assertReserveManager } from './access.ts';
import { assertAfterClosedMonths } from './closed-months.ts';
import type { ServiceContext } from '../context.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';

export type AgreementRow = typeof agreements.$inferSelect;
export type AgreementLineRow = typeof agreementLines.$inferSelect;
export type AgreementCheckRow = typeof agreementChecks.$inferSelect;

/** A calendar date in the years the project's dates lie in (clock.ts YEARS, the GraphQL Date scalar's rule). */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD')
  .refine((v) => DateTime.fromISO(v).isValid && inYearRange(Number(v.slice(0, 4))), `日期应为 ${YEARS.from}–${YEARS.to} 年间的有效日期`);
const money = (field: string) =>
  z
    .string()
    .transform((v) => parseMoney(v, field))
    .refine((v) => !v.startsWith('-'), '金额不能为负');

/**
 * D6, D19: an agreement commits at most what a quota may require (100,000,000 of an item); a larger figure is a typing
 * slip, and would overflow the sums that plan and value reserves (reserveGaps, valuation). Unit prices are bounded by
 * the Money form (parseMoney).
 */
export const AGREEMENT_QUANTITY_MAX = 100_000_000;

const lineSchema = z.object({
  itemId: idSchema,
  quantity: z.number().int('数量须为整数').positive('数量须大于 0').max(AGREEMENT_QUANTITY_MAX, '数量不能超过 100,000,000').nullish(),
  dailyCapacity: z.number().int('日产能须为整数').positive('日产能须大于 0').max(AGREEMENT_QUANTITY_MAX, '日产能不能超过 100,000,000').nullish(),
  unitPrice: z.string().nullish(),
  // Stored to one decimal (numeric(6,1)): a finer figure would be rounded — to 0 below 0.05, past 720 from 719.95 — and
  // the planner's ETA would use a time the contract does not say.
  responseHours: z
    .number()
    .min(0.1, '响应时间不能少于 0.1 小时')
    .max(720, '响应时间不能超过 720 小时')
    .refine((h) => /^\d+(\.\d)?$/.test(String(h)), '响应时间最多一位小数（如 4.5）')
    .nullish(),
  leadDays: z.number().int().min(0, '生产准备天数不能为负').max(365).nullish(),
});

const agreementSchema = z
  .object({
    mode: z.enum(['AGREEMENT', 'ENTRUSTED', 'CAPACITY'], { message: '储备方式须为协议储备、企业代储或产能储备（实物储备不是协议）' }),
    companyName: z.string().trim().min(2, '须填写企业名称').max(128),
    regionCode: z.string(),
    validFrom: isoDate,
    validTo: isoDate,
    annualFee: z.string().nullish(),
    storeId: idSchema.nullish(),
    // A blank contract number is none (the one-agreement-per-contract rule applies to a number only).
    contractNo: z
      .string()
      .trim()
      .max(64)
      .nullish()
      .transform((c) => c || null),
    lines: z.array(lineSchema).min(1, '至少一个品种').max(500),
    // Sweep 23c (retries): optional (API.md asks it of stock mutations only); given, 保存 sent again after a lost answer
    // answers the agreement first recorded instead of 「…已登记」.
    idempotencyKey: idempotencyKeySchema.nullish(),
  })
  .refine((v) => v.validTo >= v.validFrom, { path: ['validTo'], message: '协议截止日期不能早于起始日期' });

/**
 * D6: one line's rules by mode.
 *
 * 协议储备 (AGREEMENT): D6 names the price among an agreement's terms (item, quantity, price, response time), so it is
 * required, above 0: a delivered call-off is booked at it (D17), the settlement a call-off opens for another region is
 * valued at it (D25), and valuation's contingentAgreementValue is effective quantity × price (D21). Without one, the
 * call-off would be booked at whatever price the person confirming the delivery typed.
 * 产能储备 (CAPACITY): D6 commits production (N units/day after a lead time), not a price — the price of goods not yet
 * made may be settled at delivery, where it is then typed (execution.ts deliveryUnitPrice); given, it is above 0.
 * 企业代储 (ENTRUSTED) lines may leave it out: the goods are government stock already in the ledger, each batch at its
 * own unit cost — what valuation counts (D21). A price there is only what the contract states.
 */
function checkLine(mode: string, l: z.output<typeof lineSchema>, i: number) {
  const field = `input.lines.${i}`;
  const price = l.unitPrice === null || l.unitPrice === undefined ? null : parseMoney(l.unitPrice, `${field}.unitPrice`);
  if (price?.startsWith('-')) throw badInput(`${field}.unitPrice`, '单价不能为负');
  if (mode === 'AGREEMENT') {
    if (!l.quantity) throw badInput(`${field}.quantity`, '协议储备须约定储备数量');
    if (!l.responseHours) throw badInput(`${field}.responseHours`, '协议储备须约定响应时间（小时）');
    if (price === null) throw badInput(`${field}.unitPrice`, '协议储备须约定协议单价');
  }
  if (mode === 'ENTRUSTED' && !l.quantity) throw badInput(`${field}.quantity`, '企业代储须约定代储数量');
  if (mode === 'CAPACITY' && !l.dailyCapacity) throw badInput(`${field}.dailyCapacity`, '产能储备须约定日产能');
  if ((mode === 'AGREEMENT' || mode === 'CAPACITY') && price !== null && toFen(price) <= 0n) {
    throw badInput(`${field}.unitPrice`, `${mode === 'AGREEMENT' ? '协议储备' : '产能储备'}的协议单价须大于 0`);
  }
  // D6 (sweep 18a F13): a field of another mode is refused, not kept — nothing reads it (the planner, gaps and
  // contingent value take a capacity line's daily capacity, an agreement line's quantity and response time), yet it
  // would be shown as a term of the contract: a capacity line "quantity 500, effective 500" commits nothing.
  for (const [key, message] of Object.entries(FOREIGN_FIELDS[mode] ?? {})) {
    if (l[key as keyof typeof l] !== null && l[key as keyof typeof l] !== undefined) throw badInput(`${field}.${key}`, message);
  }
}

/** D6: per mode, the line fields that belong to another mode, and why they are refused (the console's LINE_FIELDS). */
const FOREIGN_FIELDS: Record<string, Partial<Record<keyof z.output<typeof lineSchema>, string>>> = {
  AGREEMENT: {
    dailyCapacity: '协议储备约定的是储备数量，不填日产能（日产能属于产能储备）',
    leadDays: '协议储备按响应时间（小时）交货，不填生产准备天数（属于产能储备）',
  },
  ENTRUSTED: {
    dailyCapacity: '企业代储约定的是代储数量，不填日产能（日产能属于产能储备）',
    leadDays: '企业代储的物资已在代储库，不填生产准备天数（属于产能储备）',
  },
  CAPACITY: {
    quantity: '产能储备约定的是日产能和生产准备天数，不填储备数量（储备数量属于协议储备或企业代储）',
    responseHours: '产能储备按生产准备天数和日产能交货，不填响应时间（小时）（属于协议储备）',
  },
};

export async function createAgreement(ctx: ServiceContext, input: unknown): Promise<AgreementRow> {
  const { db, actor: user, clock } = ctx;
  assertReserveManager(user);
  const v = validate(agreementSchema, input);
  v.lines.forEach((l, i) => checkLine(v.mode, l, i));
  const seen = new Set<string>();
  v.lines.forEach((l, i) => {
    if (seen.has(l.itemId)) throw badInput(`input.lines.${i}.itemId`, '同一品种只能出现一次');
    seen.add(l.itemId);
  });
  const annualFee = v.annualFee ? validate(money('input.annualFee'), v.annualFee, 'input.annualFee') : null;
  const region = await getRegionInScope(db, user, v.regionCode, 'input.regionCode');
  const itemsById = await itemsFor(db, v.lines);
  if (v.storeId) {
    const store = await getStoreRow(db, v.storeId, 'input.storeId');
    assertStoreAccess(user, store, 'input.storeId');
    // The company's store: an entrusted store (代储库) holds government stock, an agreement store its own.
    const expected = v.mode === 'ENTRUSTED' ? 'ENTRUSTED' : v.mode === 'AGREEMENT' ? 'AGREEMENT' : null;
    if (expected && store.kind !== expected)
      throw badInput(
        'input.storeId',
        `该仓库是${STORE_KIND_NAMES[store.kind] ?? '其他类型的仓库'}，${RESERVE_MODE_NAMES[v.mode]}协议须对应${STORE_KIND_NAMES[expected]}`,
      );
    await assertCompanyStore(db, store, v.companyName, region.code);
  } else if (v.mode === 'ENTRUSTED') {
    throw badInput('input.storeId', '企业代储须指定代储库');
  }
  // Sweep 23c (retries, D6): with a key, the same key and input answer the agreement first recorded (audited REPLAYED),
  // other input IDEMPOTENCY_CONFLICT — createIncident's mechanism (server/inventory/idempotency.ts), claimed in this
  // mutation's transaction after the scope checks above and before the duplicate checks (the first call's own
  // agreement would refuse its retry as recorded already). Keys are the caller's: another administrator's same key is a
  // request of their own.
  const { id, first } = await claimCreateKey(db, 'agreement', {
    kind: 'createAgreement',
    actorId: user.id,
    key: v.idempotencyKey,
    input: v,
    resultName: 'agreementId',
    at: clock.now().toJSDate(),
  });
  if (first) return getAgreementInScope(db, user, first, 'input.idempotencyKey');
  return insertAgreement(db, async (tx) => {
    // D21, D31: an agreement counts (contingent value, fees) from its first day; a closed month's figures stay as closed.
    await assertAfterClosedMonths(tx, v.validFrom, 'input.validFrom', '协议起始日期', '已结月份的协议储备价值和费用不能再变动');
    const companyOrgId = (await organizationFor(tx, null, v.companyName, 'COMPANY', 'input.companyName', region.code))!;
    await assertCompany(tx, companyOrgId);
    if (v.contractNo) await assertContractFree(tx, companyOrgId, region.code, v.contractNo);
    if (v.storeId && v.mode !== 'CAPACITY') await assertStoreGoodsFree(tx, v.storeId, v, itemsById);
    // After the store's rule, whose refusal names the store; then the company's (locks: store, then company).
    if (!v.contractNo)
      await assertNotRecordedAlready(
        tx,
        { companyOrgId, companyName: v.companyName, regionCode: region.code, mode: v.mode, validFrom: v.validFrom, validTo: v.validTo, lines: v.lines },
        itemsById,
      );
    const [row] = await tx
      .insert(agreements)
      .values({
        ...(id && { id }),
        mode: v.mode,
        companyOrgId,
        regionCode: region.code,
        storeId: v.storeId ?? null,
        validFrom: v.validFrom,
        validTo: v.validTo,
        annualFee,
        contractNo: v.contractNo ?? null,
        createdBy: user.id,
        createdAt: clock.now().toJSDate(),
      })
      .returning();
    await tx.insert(agreementLines).values(
      v.lines.map((l) => ({
        agreementId: row.id,
        itemId: l.itemId,
        quantity: l.quantity ?? null,
        dailyCapacity: l.dailyCapacity ?? null,
        unitPrice: l.unitPrice ? parseMoney(l.unitPrice, 'unitPrice') : null,
        responseHours: l.responseHours === null || l.responseHours === undefined ? null : String(l.responseHours),
        leadDays: l.leadDays ?? (v.mode === 'CAPACITY' ? 0 : null),
      })),
    );
    return row;
  });
}

/**
 * D6, D2, D20: an agreement's store is the company's own — operated by the company the agreement is with — and lies in
 * the agreement's region; otherwise one warehouse's stock could be committed by two agreements, or by another region's.
 */
async function assertCompanyStore(db: Db, store: StoreRow, companyName: string, regionCode: string) {
  const [operator] = store.operatorOrgId
    ? await db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, store.operatorOrgId))
    : [];
  if (!operator) throw badInput('input.storeId', '该仓库未登记运营企业，不能作为协议企业的仓库');
  if (operator.name !== companyName) throw badInput('input.storeId', `该仓库由「${operator.name}」运营，不是「${companyName}」的仓库`);
  if (!isInSubtree(store.regionCode, regionCode)) throw badInput('input.storeId', '该仓库不在协议所属区域内');
}

/**
 * The first agreement matching `which` with a line for one of `v`'s items and valid on any day of its validity (one
 * voided by endAgreement, never in force, matches nothing): the overlap both createAgreement guards refuse.
 */
async function firstOverlapping(tx: Db, v: { validFrom: string; validTo: string; lines: { itemId: string }[] }, which: SQL[]) {
  const [taken] = await tx
    .select({
      id: agreements.id,
      contractNo: agreements.contractNo,
      validFrom: agreements.validFrom,
      validTo: agreements.validTo,
      itemId: agreementLines.itemId,
    })
    .from(agreements)
    .innerJoin(agreementLines, eq(agreementLines.agreementId, agreements.id))
    .where(
      and(
        ...which,
        gte(agreements.validTo, agreements.validFrom),
        lte(agreements.validFrom, v.validTo),
        gte(agreements.validTo, v.validFrom),
        inArray(
          agreementLines.itemId,
          v.lines.map((l) => l.itemId),
        ),
      ),
    )
    .orderBy(asc(agreements.validFrom), asc(agreements.id))
    .limit(1);
  return taken;
}

/**
 * D6: a company store's goods are committed once at a time. Another agreement that names the same store, holds a line
 * for the same item and is valid on any day of this one's validity would count the same warehouse's stock twice in
 * planning (reserveGaps' agreementCommitted) and valuation. A company may well hold several agreements (other items,
 * other stores, successive periods, another region's contract for stock in another warehouse), so only that overlap
 * of store × item × period is refused. Agreements without a store and CAPACITY agreements (production, not stock)
 * name no goods that could be counted twice. A lock per store decides between concurrent requests.
 */
async function assertStoreGoodsFree(
  tx: Db,
  storeId: string,
  v: { validFrom: string; validTo: string; lines: { itemId: string }[] },
  itemsById: Map<string, { name: string }>,
) {
  await lockAgreementStore(tx, storeId);
  const taken = await firstOverlapping(tx, v, [eq(agreements.storeId, storeId), ne(agreements.mode, 'CAPACITY')]);
  if (!taken) return;
  const i = v.lines.findIndex((l) => l.itemId === taken.itemId);
  const other = taken.contractNo ? `协议（合同编号 ${taken.contractNo}）` : '另一份协议';
  throw badInput(
    `input.lines.${i}.itemId`,
    `该仓库的「${itemsById.get(taken.itemId)?.name ?? '该物资'}」已由${other}承诺储备（${taken.validFrom} 至 ${taken.validTo}），与本协议有效期重叠：同一仓库的物资不能同时承诺给两份协议`,
    { agreementId: taken.id, contractNo: taken.contractNo, validFrom: taken.validFrom, validTo: taken.validTo },
  );
}

/**
 * D6: an agreement reserve is a company's (协议企业): the organisation named must be one of kind COMPANY. A government,
 * donor or other body of that name is refused — an agreement "with" another region's government would be planned and
 * called off as a company's stock.
 */
async function assertCompany(tx: Db, orgId: string) {
  const [org] = await tx.select({ kind: organizations.kind }).from(organizations).where(eq(organizations.id, orgId));
  if (org?.kind !== 'COMPANY') throw badInput('input.companyName', '该名称已登记为政府或其他单位，不是企业：协议储备只能与企业签订');
}

/**
 * D6, D21 (sweep 18a F7): an agreement without a contract number is refused while the same company already has, in
 * the same region, an agreement of the same mode for one of its items valid on any day of its validity. Nothing tells
 * such an entry from the one recorded — a retried or double-submitted request — and recorded twice, the company's
 * commitment is planned and called off twice (D17), its contingent value and fees counted twice (D21); the store rule
 * (assertStoreGoodsFree) does not see it when no store is named. What stays possible: other items, another mode
 * (a company's stock and its production), a period that does not overlap (a renewal from the day after the old one
 * ends), another region's contract (D20, D25: neither refused by nor revealed to it), and a supplementary contract, told
 * apart by a contract number of its own (assertContractFree keeps numbers one per contract). A lock per company and
 * region decides between concurrent requests (a retry racing its original).
 */
async function assertNotRecordedAlready(
  tx: Db,
  v: { companyOrgId: string; companyName: string; regionCode: string; mode: string; validFrom: string; validTo: string; lines: { itemId: string }[] },
  itemsById: Map<string, { name: string }>,
) {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`agreement-company|${v.companyOrgId}|${v.regionCode}`}))`);
  const taken = await firstOverlapping(tx, v, [
    eq(agreements.companyOrgId, v.companyOrgId),
    eq(agreements.regionCode, v.regionCode),
    eq(agreements.mode, v.mode as AgreementRow['mode']),
  ]);
  if (!taken) return;
  const i = v.lines.findIndex((l) => l.itemId === taken.itemId);
  const recorded = `${taken.contractNo ? `合同编号 ${taken.contractNo}` : '无合同编号'}，${taken.validFrom} 至 ${taken.validTo}`;
  throw badInput(
    `input.lines.${i}.itemId`,
    `「${v.companyName}」在本区域已有一份${RESERVE_MODE_NAMES[v.mode] ?? ''}协议（${recorded}）包含「${itemsById.get(taken.itemId)?.name ?? '该物资'}」，` +
      '与本协议有效期重叠：同一企业同一物资同一时期只登记一份协议。重复提交的无需再登记；另签的补充合同请填写其合同编号；续签的请从原协议截止日的次日起算',
    { agreementId: taken.id, contractNo: taken.contractNo, validFrom: taken.validFrom, validTo: taken.validTo },
  );
}

const CONTRACT_TAKEN = '该合同已登记：本区域同一企业的同一合同编号只能登记一份协议';
const CONTRACT_INDEX = 'agreements_company_contract_uq';

/**
 * D6, D17, D21: one agreement per company, region and contract number (a double-submitted agreement would be planned
 * and valued twice). D20, D25: a contract is one region's — another region's agreements with the company are neither
 * refused by nor revealed to it (the refusal would tell which contract numbers that region has). Checked here for the
 * message; the unique index (0017, 0022) decides between concurrent requests. Agreements without a contract number
 * are not checked: nothing tells a duplicate from a supplementary contract.
 */
async function assertContractFree(tx: Db, companyOrgId: string, regionCode: string, contractNo: string) {
  const [taken] = await tx
    .select({ id: agreements.id })
    .from(agreements)
    .where(and(eq(agreements.companyOrgId, companyOrgId), eq(agreements.regionCode, regionCode), eq(agreements.contractNo, contractNo)));
  if (taken) throw badInput('input.contractNo', CONTRACT_TAKEN);
}

/** Runs the insert in its own transaction; the loser of a race on the contract number gets the same refusal. */
async function insertAgreement(db: Db, insert: (tx: Db) => Promise<AgreementRow>): Promise<AgreementRow> {
  try {
    return await db.transaction(insert);
  } catch (error) {
    const { code, constraint } = pgError(error);
    if (code === '23505' && constraint === CONTRACT_INDEX) throw badInput('input.contractNo', CONTRACT_TAKEN);
    throw error;
  }
}

export async function getAgreementInScope(db: Db, user: Principal, id: string, field = 'id'): Promise<AgreementRow> {
  uuidArg(id, field, '协议');
  const [row] = await db.select().from(agreements).where(eq(agreements.id, id));
  if (!row) throw notFound(field, '协议', id);
  assertRegionAccess(user, row.regionCode, '该协议');
  return row;
}

/** Agreements in a region subtree (in scope), optionally only those valid on a date; by region, then start date. */
export async function listAgreements(ctx: ServiceContext, args: { regionCode?: string | null; activeOn?: string | null }, page: PageArgs) {
  const { db, actor: user } = ctx;
  const req = pageRequest(page, 'agreements', ['uuid']);
  const where: (SQL | undefined)[] = [];
  if (args.regionCode) {
    const region = await getRegionInScope(db, user, args.regionCode);
    where.push(inRegionSubtree(agreements.regionCode, region.code));
  } else if (user.role === 'KEEPER') {
    assertRegionAccess(user, '000000000000', '协议');
  }
  where.push(regionsInScope(user, agreements.regionCode));
  if (args.activeOn) where.push(lte(agreements.validFrom, args.activeOn), gte(agreements.validTo, args.activeOn));
  const after = cursorString(req);
  const rows = await db
    .select()
    .from(agreements)
    .where(and(...where, after ? gt(agreements.id, after) : undefined))
    .orderBy(asc(agreements.id))
    .limit(req.limit + 1);
  return toPage(
    rows,
    req,
    (a) => [a.id],
    async () => {
      const [r] = await db
        .select({ n: count() })
        .from(agreements)
        .where(and(...where));
      return r.n;
    },
  );
}

const checkSchema = z.object({
  agreementId: idSchema,
  checkedOn: isoDate,
  findings: z.string().trim().max(2000).nullish(),
  lines: z.array(z.object({ itemId: idSchema, countedQuantity: z.number().int('数量须为整数').min(0, '抽查数量不能为负') })).min(1, '至少一个品种'),
});

/** 抽查: counted quantities per line; an AGREEMENT line then counts for min(committed, counted) until a later check. */
export async function recordAgreementCheck(ctx: ServiceContext, input: unknown): Promise<AgreementCheckRow> {
  const { db, actor: user, clock } = ctx;
  assertReserveManager(user);
  const v = validate(checkSchema, input);
  const agreement = await getAgreementInScope(db, user, v.agreementId, 'input.agreementId');
  if (v.checkedOn > todayInChina(clock)) throw badInput('input.checkedOn', `抽查日期不能晚于今天：${v.checkedOn}`);
  if (v.checkedOn < agreement.validFrom) throw badInput('input.checkedOn', `抽查日期早于协议起始日 ${agreement.validFrom}`);
  // D6: after the agreement ended the company owes no stock; a count then says nothing of a reserve.
  if (v.checkedOn > agreement.validTo) throw badInput('input.checkedOn', `抽查日期晚于协议截止日 ${agreement.validTo}：协议已到期，不再抽查`);
  if (agreement.mode === 'CAPACITY') throw invalidState('产能储备没有库存可抽查', { field: 'input.agreementId' });
  const lines = await db.select().from(agreementLines).where(eq(agreementLines.agreementId, agreement.id));
  const seen = new Set<string>();
  v.lines.forEach((l, i) => {
    if (!lines.some((x) => x.itemId === l.itemId)) throw badInput(`input.lines.${i}.itemId`, '该品种不在此协议中');
    if (seen.has(l.itemId)) throw badInput(`input.lines.${i}.itemId`, '同一品种只能出现一次');
    seen.add(l.itemId);
  });
  return db.transaction(async (tx) => {
    // D21, D31: a count re-values the agreement from its date on; a closed month's contingent value stays as closed.
    await assertAfterClosedMonths(tx, v.checkedOn, 'input.checkedOn', '抽查日期', '已结月份的协议储备价值不能再变动');
    const [row] = await tx
      .insert(agreementChecks)
      .values({ agreementId: agreement.id, checkedOn: v.checkedOn, findings: v.findings ?? null, recordedBy: user.id, recordedAt: clock.now().toJSDate() })
      .returning();
    await tx.insert(agreementCheckLines).values(v.lines.map((l) => ({ checkId: row.id, itemId: l.itemId, countedQuantity: l.countedQuantity })));
    return row;
  });
}

export interface EffectiveLine extends AgreementLineRow {
  mode: 'AGREEMENT' | 'ENTRUSTED' | 'CAPACITY';
  regionCode: string;
  storeId: string | null;
  companyOrgId: string;
  lastCounted: number | null;
  /** AGREEMENT: min(committed, last counted) less call-offs delivered since that count; others: the committed quantity. */
  effectiveQuantity: number;
}

/**
 * D6, D17: joined to agreements `a` and their lines `l`, as known at `at` (null: now) — `lc.last_counted`, the latest
 * spot-check count, and `dl.delivered_since`, what call-offs delivered after that count took from the company (what
 * each delivered, not what it called off: the rest of a call-off delivered in part stays the company's, D17).
 * Until a later check counts the company's stock again, delivered goods are no longer its reserve: they are ours, in the
 * ledger. "After the count" compares instants, not days: a delivery later on the day of a check is not in its count. A
 * check's instant is when it was recorded, or — recorded on a later day for an earlier `checked_on` — the end of that
 * day (a delivery after the day counted is out of it even though the check was entered after the delivery).
 * `at.day` is the China day in force (a check is dated: it counts from its day); a delivery counts from its own instant
 * (`at.instant`), that of its receipt in the ledger — D21 (sweep 18a F2): read by its China day, a delivery left the
 * reserve at 00:00, hours before its goods were booked, and in between they were counted nowhere.
 * One join for the planner and approval (sources.ts), reserveGaps and valuation.
 */
export function countedAndDeliveredJoin(at: { day: string; instant: Date } | null): SQL {
  const checkedBy = at ? sql`AND c.checked_on <= ${at.day}::date` : sql``;
  // The instant the goods entered the ledger: the receipt's business time (its movements'), as valuation reads them.
  const deliveredAt = sql`COALESCE((SELECT rd.occurred_at FROM documents rd WHERE rd.id = o.receipt_document_id), o.delivered_at)`;
  const deliveredBy = at ? sql`AND ${deliveredAt} <= ${at.instant.toISOString()}::timestamptz` : sql``;
  return sql`LEFT JOIN LATERAL (
               SELECT cl.counted_quantity AS last_counted, c.checked_on AS last_checked_on,
                      LEAST(c.recorded_at, (c.checked_on + 1)::timestamp AT TIME ZONE ${ZONE}) AS last_checked_at
                 FROM agreement_checks c JOIN agreement_check_lines cl ON cl.check_id = c.id
                WHERE c.agreement_id = a.id AND cl.item_id = l.item_id ${checkedBy}
                ORDER BY c.checked_on DESC, c.recorded_at DESC LIMIT 1) lc ON TRUE
             CROSS JOIN LATERAL (
               SELECT COALESCE(sum(o.delivered_quantity), 0)::bigint AS delivered_since FROM call_offs o
                WHERE o.agreement_id = a.id AND o.item_id = l.item_id AND o.status = 'DELIVERED' ${deliveredBy}
                  AND ${deliveredAt} > COALESCE(lc.last_checked_at, '-infinity'::timestamptz)) dl`;
}

/** Agreement lines with the last spot-check count per line and what was delivered since (D6), for agreements matching `where`. */
async function effectiveLines(db: Db, where: SQL): Promise<EffectiveLine[]> {
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`SELECT l.*, a.mode, a.region_code, a.store_id, a.company_org_id, lc.last_counted, dl.delivered_since
          FROM agreement_lines l JOIN agreements a ON a.id = l.agreement_id ${countedAndDeliveredJoin(null)}
         WHERE ${where}
         ORDER BY a.id, l.item_id`,
  );
  return rows.map((r) => toEffectiveLine(r));
}

/** Lines of agreements valid on a date in a region subtree (null: everywhere). */
export function activeAgreementLines(db: Db, regionCode: string | null, on: string, mode?: 'AGREEMENT' | 'ENTRUSTED' | 'CAPACITY'): Promise<EffectiveLine[]> {
  return effectiveLines(
    db,
    sql`${regionCode ? sql`a.region_code LIKE ${`${subtreePrefix(regionCode)}%`}` : sql`TRUE`} AND a.valid_from <= ${on}::date AND a.valid_to >= ${on}::date
        ${mode ? sql`AND a.mode = ${mode}` : sql``}`,
  );
}

function toEffectiveLine(r: Record<string, unknown>): EffectiveLine {
  const lastCounted = r.last_counted === null || r.last_counted === undefined ? null : Number(r.last_counted);
  const quantity = r.quantity === null ? null : Number(r.quantity);
  return {
    agreementId: String(r.agreement_id),
    itemId: String(r.item_id),
    quantity,
    dailyCapacity: r.daily_capacity === null ? null : Number(r.daily_capacity),
    unitPrice: r.unit_price === null ? null : String(r.unit_price),
    responseHours: r.response_hours === null ? null : String(r.response_hours),
    leadDays: r.lead_days === null ? null : Number(r.lead_days),
    mode: r.mode as EffectiveLine['mode'],
    regionCode: String(r.region_code),
    storeId: r.store_id === null ? null : String(r.store_id),
    companyOrgId: String(r.company_org_id),
    lastCounted,
    effectiveQuantity: r.mode === 'AGREEMENT' ? effectiveCommitted(quantity ?? 0, lastCounted, Number(r.delivered_since ?? 0)) : (quantity ?? 0),
  };
}

/** Lines of many agreements with their last counts (for the Agreement.lines loader). */
export const linesOfAgreements = (db: Db, ids: readonly string[]) => effectiveLines(db, sql`a.id IN (${uuidList(ids)})`);

export const checksOfAgreements = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(agreementChecks)
    .where(inArray(agreementChecks.agreementId, [...ids]))
    .orderBy(desc(agreementChecks.checkedOn), desc(agreementChecks.recordedAt));
export const linesOfChecks = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(agreementCheckLines)
    .where(inArray(agreementCheckLines.checkId, [...ids]));

const endSchema = z.object({
  agreementId: idSchema,
  endOn: isoDate,
  reason: z.string().trim().min(2, '须填写终止原因（如：合同提前解除、登记有误作废）').max(500, '终止原因不能超过 500 字'),
});

/**
 * D6, D21, D22 (sweep 18a F8): ends an agreement early (提前解除) — it binds through `endOn` and no longer after: the
 * planner does not offer it, its contingent value and fees stop there. `endOn` the day before validFrom voids one entered
 * in error (never in force; migration 0039 allows exactly that validTo < validFrom). Recorded, not edited away: what the
 * contract said (contractValidTo), who ended it, when and why stay on the agreement, and the mutation is audited.
 * Refused: by whoever may not create it (an administrator whose region covers it, as createAgreement); an end after its
 * current last day or before the day before its start; an end whose first day without it lies in a closed month (D21,
 * D31: a closed month stays as closed — instants up to endOn's 24:00 read the same values as before); an agreement
 * already ended; and while an approved plan or an issued call-off still claims it (D17: their goods are promised by it,
 * to be executed or delivered after today — cancelled or delivered first).
 */
export async function endAgreement(ctx: ServiceContext, input: unknown): Promise<AgreementRow> {
  const { db, actor: user, clock } = ctx;
  assertReserveManager(user);
  const v = validate(endSchema, input);
  const current = await getAgreementInScope(db, user, v.agreementId, 'input.agreementId');
  return db.transaction(async (tx) => {
    // One end at a time per agreement; a call-off issued or a plan approved meanwhile waits for it or is seen.
    const [a] = await tx.select().from(agreements).where(eq(agreements.id, current.id)).for('update');
    if (a.endedAt) {
      throw invalidState(`该协议已于 ${DateTime.fromJSDate(a.endedAt).setZone(ZONE).toISODate()} 提前终止（有效至 ${a.validTo}），不能再次终止`, {
        field: 'input.agreementId',
      });
    }
    const dayBefore = DateTime.fromISO(a.validFrom).minus({ days: 1 }).toISODate()!;
    if (v.endOn < dayBefore) {
      throw badInput('input.endOn', `终止日期不能早于协议起始日 ${a.validFrom} 的前一天（${dayBefore}，即作废：协议从未生效）`);
    }
    if (v.endOn >= a.validTo) {
      throw badInput('input.endOn', `终止日期须早于协议截止日 ${a.validTo}：协议本就到 ${a.validTo} 为止，无需提前终止`);
    }
    // D21, D31: the agreement stops counting from the day after endOn; that day may not be a closed month's.
    await assertAfterClosedMonths(tx, v.endOn, 'input.endOn', '协议终止日期', '已结月份的协议储备价值和费用不能再变动（协议在终止日当天仍有效）', 1);
    await assertNotClaimed(tx, a.id);
    const [row] = await tx
      .update(agreements)
      .set({ validTo: v.endOn, contractValidTo: a.validTo, endedAt: clock.now().toJSDate(), endedBy: user.id, endReason: v.reason })
      .where(eq(agreements.id, a.id))
      .returning();
    return row;
  });
}

/**
 * D17: an approved plan not yet executed, or a call-off (production order) issued and not yet delivered or cancelled,
 * promises the agreement's goods for a day after today — when it will be executed or delivered is not known — so the
 * agreement is not ended under it: the plan is cancelled or executed, the call-off delivered or cancelled first.
 */
async function assertNotClaimed(tx: Db, agreementId: string) {
  const claims = await queryRows<{ kind: string; plan_id: string; call_off_id: string | null; incident: string }>(
    tx,
    sql`SELECT DISTINCT 'PLAN' AS kind, p.id AS plan_id, NULL::uuid AS call_off_id, i.name AS incident
          FROM dispatch_lines l JOIN dispatch_plans p ON p.id = l.plan_id JOIN incidents i ON i.id = p.incident_id
         WHERE l.agreement_id = ${agreementId}::uuid AND p.status = 'APPROVED'
        UNION ALL
        SELECT 'CALL_OFF', p.id, o.id, i.name
          FROM call_offs o JOIN dispatch_plans p ON p.id = o.plan_id JOIN incidents i ON i.id = p.incident_id
         WHERE o.agreement_id = ${agreementId}::uuid AND o.status = 'ISSUED'
         ORDER BY 1, 4, 2`,
  );
  if (!claims.length) return;
  const plans = claims.filter((c) => c.kind === 'PLAN');
  const callOffs = claims.filter((c) => c.kind === 'CALL_OFF');
  const named = [
    ...(plans.length ? [`已批准未执行的调拨方案 ${plans.length} 个（${[...new Set(plans.map((c) => `「${c.incident}」`))].join('、')}）`] : []),
    ...(callOffs.length ? [`已下达未到货的调用单 ${callOffs.length} 张（${[...new Set(callOffs.map((c) => `「${c.incident}」`))].join('、')}）`] : []),
  ];
  throw invalidState(`该协议仍有${named.join('、')}在调用，不能提前终止：请先执行或取消方案、确认到货或取消调用单`, {
    field: 'input.agreementId',
    planIds: plans.map((c) => c.plan_id),
    callOffIds: callOffs.map((c) => c.call_off_id),
  });
}
