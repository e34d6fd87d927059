import { and, asc, count, eq, exists, gt, ilike, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { pgError, queryRows, type Db } from '../../drizzle/client.ts';
import { batches, categories, items, movements } from '../../drizzle/schema/index.ts';
import { assertMayEditCatalog } from '../auth/policy.ts';
import { badInput, invalidState, notFound } from '../errors.ts';
import { cursorString, pageRequest, toPage, type PageArgs } from '../pagination.ts';
import { searchPattern, uuidArg, validate } from '../validation.ts';
import type { ServiceContext } from '../context.ts';

export type CategoryRow = typeof categories.$inferSelect;
export type ItemRow = typeof items.$inferSelect;
/** An item, with its category where the read that loaded it brought that along (Item.category is then synchronous). */
export type ItemWithCategory = ItemRow & { category?: CategoryRow };

export const listCategories = (db: Db) => db.select().from(categories).orderBy(asc(categories.sortOrder), asc(categories.code));

/**
 * A category asked for by code, as looked up (by a query or a loader): an unknown one is NOT_FOUND — wherever a list is
 * narrowed by category (items, stock, Store.stock), not an empty list that reads as "none held".
 */
export function knownCategory(row: CategoryRow | null | undefined, code: string, field = 'categoryCode'): CategoryRow {
  if (!row) throw notFound(field, '物资类别', code);
  return row;
}

export async function getCategory(db: Db, code: string, field = 'categoryCode'): Promise<CategoryRow> {
  const [row] = await db.select().from(categories).where(eq(categories.code, code));
  return knownCategory(row, code, field);
}

export async function listItems(db: Db, filter: { categoryCode?: string | null; search?: string | null }, page: PageArgs) {
  const pattern = searchPattern(filter.search);
  const req = pageRequest(page, 'items', ['text']);
  const where: (SQL | undefined)[] = [];
  if (filter.categoryCode) where.push(eq(items.categoryCode, (await getCategory(db, filter.categoryCode)).code));
  if (pattern) where.push(or(ilike(items.name, pattern), ilike(items.code, pattern), ilike(items.spec, pattern)));
  const after = cursorString(req);
  const rows = await db
    .select()
    .from(items)
    .where(and(...where, after ? gt(items.code, after) : undefined))
    .orderBy(asc(items.code))
    .limit(req.limit + 1);
  return toPage(
    rows,
    req,
    (i) => [i.code],
    async () => {
      const [r] = await db
        .select({ n: count() })
        .from(items)
        .where(and(...where));
      return r.n;
    },
  );
}

/**
 * An item asked for by id, as looked up (by a query or a loader): an unknown one is NOT_FOUND naming the field — wherever
 * a list is narrowed by item (stock, Store.stock, movements, journal, the exports), as by store, batch or category
 * (sweep 17b F4), not an empty list that reads as "none held".
 */
export function knownItem(row: ItemRow | null | undefined, id: string, field = 'itemId'): ItemRow {
  if (!row) throw notFound(field, '物资', id);
  return row;
}

export async function getItem(db: Db, id: string, field = 'itemId'): Promise<ItemRow> {
  uuidArg(id, field, '物资');
  const [row] = await db.select().from(items).where(eq(items.id, id));
  return knownItem(row, id, field);
}

export const itemsByIds = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(items)
    .where(inArray(items.id, [...ids]));
export const itemsByCategories = (db: Db, codes: readonly string[]) =>
  db
    .select()
    .from(items)
    .where(inArray(items.categoryCode, [...codes]))
    .orderBy(asc(items.code));
export const categoriesByCodes = (db: Db, codes: readonly string[]) =>
  db
    .select()
    .from(categories)
    .where(inArray(categories.code, [...codes]));

// D5: GB/T 38565 code: 大类 1–3, then 中类, 小类, 细类 of two digits 01–99.
export const GB_CODE = /^[123](0[1-9]|[1-9]\d){3}$/;

/**
 * D5, D10: a storage life (储存年限) is years, not ages — 50 years bounds every real one, and keeps expiry dates
 * (production date + storage life, computeExpiry) computable.
 */
export const STORAGE_LIFE_MAX_MONTHS = 600;

const recovery = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ALWAYS') }),
  z.object({ kind: z.literal('NEVER') }),
  z.object({ kind: z.literal('WITHIN_MONTHS'), months: z.number().int().positive('回收月数须为正整数') }),
]);
const itemFields = {
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{2,32}$/, '物资代码应为 2–32 位字母、数字或连字符'),
  categoryCode: z.string().trim().min(1, '须填写类别代码'),
  name: z.string().trim().min(1, '品名不能为空').max(64),
  spec: z.string().trim().max(200).nullish(),
  unit: z.string().trim().min(1, '计量单位不能为空').max(16),
  gbCode: z.string().regex(GB_CODE, 'GB/T 38565 编码应为 7 位：大类 1–3，中类、小类、细类各两位 01–99').nullish(),
  referencePrice: z
    .string()
    .refine((v) => !v.startsWith('-'), '参考单价不能为负')
    .nullish(),
  storageLifeMonths: z
    .number()
    .int()
    .positive('储存年限（月）须为正整数')
    .max(STORAGE_LIFE_MAX_MONTHS, `储存年限最长 ${STORAGE_LIFE_MAX_MONTHS} 个月（50 年）`)
    .nullish(),
  rotationLeadMonths: z.number().int().min(0, '轮换提前期不能为负').max(120),
  recovery,
};
const createItemSchema = z.object({
  ...itemFields,
  rotationLeadMonths: itemFields.rotationLeadMonths.default(12),
  recovery: recovery.default({ kind: 'NEVER' }),
});
const updateItemSchema = z.object(itemFields).partial();

function recoveryColumns(r: z.output<typeof recovery> | undefined) {
  if (!r) return {};
  return { recoveryKind: r.kind, recoveryMonths: r.kind === 'WITHIN_MONTHS' ? r.months : null };
}

/**
 * D10, D26: a batch is due for rotation `rotationLeadMonths` before the end of its storage life, so the lead must be
 * shorter than the life — otherwise a batch would be due for rotation before it was produced, and no rotation's new
 * batch could ever outlive the lead (assertOutlivesRotationLead). Items without a storage life never rotate.
 */
function assertLeadWithinLife(life: number | null | undefined, lead: number, field: string, leadGiven: boolean) {
  if (life === null || life === undefined || lead < life) return;
  const defaulted = leadGiven ? '' : '（未填写时默认 12 个月）';
  throw badInput(field, `轮换提前期 ${lead} 个月${defaulted}须短于储存年限 ${life} 个月：否则新批次入库时就已到轮换期`, {
    storageLifeMonths: life,
    rotationLeadMonths: lead,
  });
}

/**
 * Catalog writes one at a time: the checks below read the whole catalog (who else has this code, this name and spec),
 * so two createItem/updateItem at once would each pass them against the catalog without the other. Only the
 * system-wide administrator writes the catalog, and rarely — one lock costs nothing.
 */
const lockCatalog = (db: Db) => queryRows(db, sql`SELECT pg_advisory_xact_lock(hashtext('catalog-items'))`);

/** The unique indexes on the item code: exact (items_code_unique) and regardless of case (items_code_upper_uq, 0027). */
const CODE_INDEXES: ReadonlySet<string> = new Set(['items_code_unique', 'items_code_upper_uq']);

/**
 * D5: one item per code, regardless of case — `liv-001` beside `LIV-001` would be two items that read as one in
 * exports, the 盘点表 and the 期初建账 import. The message names the code the catalog holds; the index (0027) decides
 * where the lock is not taken (a direct insert).
 */
async function assertItemCodeFree(db: Db, code: string, exceptId?: string) {
  const [dup] = await db
    .select({ code: items.code, name: items.name })
    .from(items)
    .where(and(sql`upper(${items.code}) = upper(${code})`, exceptId ? ne(items.id, exceptId) : undefined))
    .limit(1);
  if (dup) throw codeTaken(dup.code, dup.name);
}
const codeTaken = (code: string, name?: string) =>
  badInput('input.code', `物资代码已存在（不区分大小写）：${code}${name ? `（${name}）` : ''}`, { itemCode: code });

/** The refusal of a write that a code index refused (two writers at once, one of them outside the lock). */
function codeConflict(error: unknown, code: string | undefined): unknown {
  const { code: state, constraint } = pgError(error);
  return state === '23505' && constraint && CODE_INDEXES.has(constraint) && code ? codeTaken(code) : error;
}

/**
 * D5 and the 期初建账 template (物资编码 or 物资名称 + 规格): a name and a specification identify one item. A second item
 * with the same name and spec (a missing spec counts as empty) could never be told apart — the import would find two and
 * ask for the spec the row already gives, and lists and printed documents would show two identical lines. The
 * message names the item the catalog already holds. Checked under the catalog lock rather than by a unique index:
 * databases may already hold such pairs (the API accepted them), and which of two stocked items to rename is an
 * administrator's decision, not a migration's.
 */
async function assertNameSpecFree(db: Db, name: string, spec: string | null | undefined, field: string, exceptId?: string) {
  const wanted = spec?.trim() ?? '';
  const [dup] = await db
    .select({ code: items.code, name: items.name, spec: items.spec })
    .from(items)
    .where(and(sql`btrim(${items.name}) = ${name.trim()}`, sql`coalesce(btrim(${items.spec}), '') = ${wanted}`, exceptId ? ne(items.id, exceptId) : undefined))
    .orderBy(asc(items.code))
    .limit(1);
  if (!dup) return;
  const message = wanted
    ? `已有同名同规格的物资 ${dup.code}（${dup.name}，规格「${wanted}」），请修改规格或使用该物资`
    : `已有同名且未填规格的物资 ${dup.code}（${dup.name}），请填写规格以示区别或使用该物资`;
  throw badInput(field, message, { itemCode: dup.code });
}

export async function createItem({ db, actor }: ServiceContext, input: unknown): Promise<ItemRow> {
  assertMayEditCatalog(actor);
  const v = validate(createItemSchema, input);
  const leadGiven = (input as { rotationLeadMonths?: unknown } | null)?.rotationLeadMonths != null;
  assertLeadWithinLife(v.storageLifeMonths, v.rotationLeadMonths, 'input.rotationLeadMonths', leadGiven);
  await getCategory(db, v.categoryCode, 'input.categoryCode');
  await lockCatalog(db);
  await assertItemCodeFree(db, v.code);
  await assertNameSpecFree(db, v.name, v.spec, v.spec ? 'input.spec' : 'input.name');
  try {
    const [row] = await db
      .insert(items)
      .values({
        code: v.code,
        categoryCode: v.categoryCode,
        name: v.name,
        spec: v.spec ?? null,
        unit: v.unit,
        gbCode: v.gbCode ?? null,
        referencePrice: v.referencePrice ?? null,
        storageLifeMonths: v.storageLifeMonths ?? null,
        rotationLeadMonths: v.rotationLeadMonths,
        ...recoveryColumns(v.recovery),
      })
      .returning();
    return row;
  } catch (error) {
    throw codeConflict(error, v.code);
  }
}

/** Has any stock of the item moved (a batch of it with a ledger movement)? */
async function hasLedgerHistory(db: Db, itemId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: batches.id })
    .from(batches)
    .where(
      and(
        eq(batches.itemId, itemId),
        exists(
          db
            .select({ one: sql`1` })
            .from(movements)
            .where(eq(movements.batchId, batches.id)),
        ),
      ),
    )
    .limit(1);
  return row !== undefined;
}

/** What besides the ledger counts quantities of the item in its unit (its name, for a refusal), or null. */
async function unitUsedBy(db: Db, itemId: string): Promise<string | null> {
  const [row] = await queryRows<{ used_by: string | null }>(
    db,
    sql`SELECT CASE
              WHEN EXISTS (SELECT 1 FROM quotas WHERE item_id = ${itemId}::uuid) THEN '储备定额'
              WHEN EXISTS (SELECT 1 FROM agreement_lines WHERE item_id = ${itemId}::uuid) THEN '协议储备'
              WHEN EXISTS (SELECT 1 FROM joint_reserve_lines WHERE item_id = ${itemId}::uuid) THEN '联储协议'
              WHEN EXISTS (SELECT 1 FROM relief_standards WHERE item_id = ${itemId}::uuid) THEN '救助标准'
              WHEN EXISTS (SELECT 1 FROM outbound_order_lines WHERE item_id = ${itemId}::uuid) THEN '出库申请'
              WHEN EXISTS (SELECT 1 FROM dispatch_demands WHERE item_id = ${itemId}::uuid) THEN '调拨方案'
              WHEN EXISTS (SELECT 1 FROM settlements WHERE item_id = ${itemId}::uuid) THEN '调用结算'
            END AS used_by`,
  );
  return row?.used_by ?? null;
}

/**
 * D31: history does not change — once stock of the item has moved, its unit (what every recorded quantity counts) and
 * its category (where valuation by category put it) stay as they were. A new item is the way to a new unit.
 */
async function assertHistoryKept(db: Db, current: ItemRow, v: { unit?: string; categoryCode?: string }) {
  const unitChanges = v.unit !== undefined && v.unit !== current.unit;
  const categoryChanges = v.categoryCode !== undefined && v.categoryCode !== current.categoryCode;
  if (!unitChanges && !categoryChanges) return;
  const history = await hasLedgerHistory(db, current.id);
  if (unitChanges && history) {
    throw invalidState(`物资「${current.name}」已有库存账目，不能更改计量单位（已记的数量都以「${current.unit}」计）；如需新单位，请新建物资`, {
      field: 'input.unit',
      unit: current.unit,
    });
  }
  // Sweep 12c C12: quotas, agreements, joint-reserve maximums, relief standards, orders, plans and settlements count the
  // item in its unit too: 20 台 of a quota must not become 20 千克, nor 8,000.00 per 台 a price per 千克.
  const usedBy = unitChanges ? await unitUsedBy(db, current.id) : null;
  if (usedBy) {
    throw invalidState(`物资「${current.name}」的${usedBy}以「${current.unit}」计，不能更改计量单位；如需新单位，请新建物资`, {
      field: 'input.unit',
      unit: current.unit,
    });
  }
  if (categoryChanges && history) {
    throw invalidState(`物资「${current.name}」已有库存账目，不能更改所属类别（历史估值按类别汇总，不能随之改变）`, {
      field: 'input.categoryCode',
      categoryCode: current.categoryCode,
    });
  }
}

export async function updateItem({ db, actor }: ServiceContext, id: string, input: unknown): Promise<ItemRow> {
  assertMayEditCatalog(actor);
  const v = validate(updateItemSchema, input);
  if (Object.values(v).every((x) => x === undefined)) throw badInput('input', '没有要修改的内容');
  const current = await getItem(db, id, 'id');
  // D10: the lead against the life the item will have after the change (either may change alone).
  assertLeadWithinLife(
    v.storageLifeMonths !== undefined ? v.storageLifeMonths : current.storageLifeMonths,
    v.rotationLeadMonths ?? current.rotationLeadMonths,
    v.rotationLeadMonths !== undefined ? 'input.rotationLeadMonths' : 'input.storageLifeMonths',
    true,
  );
  if (v.categoryCode !== undefined) await getCategory(db, v.categoryCode, 'input.categoryCode');
  await assertHistoryKept(db, current, v);
  // The name and spec the item will have; checked when either changes (an item that already shares them with another,
  // from before this rule, keeps its other fields editable).
  const name = v.name ?? current.name;
  const spec = v.spec !== undefined ? v.spec : current.spec;
  const identityChanges = name !== current.name || (spec ?? '') !== (current.spec ?? '');
  if (v.code || identityChanges) await lockCatalog(db);
  if (v.code) await assertItemCodeFree(db, v.code, id);
  if (identityChanges) await assertNameSpecFree(db, name, spec, v.spec || v.name === undefined ? 'input.spec' : 'input.name', id);
  // D10, D31 (sweep 12c C4): a new storage life or rotation lead applies to batches received from now on; a batch
  // already received keeps the terms it came in under, and so its rotate-by date (batches_storage_terms, migration 0033).
  try {
    const [row] = await db
      .update(items)
      .set({
        code: v.code,
        categoryCode: v.categoryCode,
        name: v.name,
        spec: v.spec,
        unit: v.unit,
        gbCode: v.gbCode,
        referencePrice: v.referencePrice,
        storageLifeMonths: v.storageLifeMonths,
        rotationLeadMonths: v.rotationLeadMonths,
        ...recoveryColumns(v.recovery),
      })
      .where(eq(items.id, id))
      .returning();
    return row;
  } catch (error) {
    throw codeConflict(error, v.code);
  }
}
