import { and, asc, count, eq, gt, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { movements, organizations, stores } from '../../drizzle/schema/index.ts';
import { type Principal } from '../auth/principal.ts';
import {
  assertMayEditStore,
  assertMayEditStores,
  assertMayPost,
  assertRegionAccess,
  assertStoreAccess,
  storesInScope,
  transferDestinations,
} from '../auth/policy.ts';
import { badInput, invalidState, notFound } from '../errors.ts';
import { cursorString, pageRequest, toPage, type PageArgs } from '../pagination.ts';
import { filterRegion, getRegion, getRegionInScope, inRegionSubtree } from '../regions/service.ts';
import { assertInRegion, latitude, longitude } from '../regions/location.ts';
import type { RegionLevel } from '../regions/codes.ts';
import { nameKey, searchPattern, shownName, uuidArg, validate } from '../validation.ts';
import type { ServiceContext } from '../context.ts';
import { transferDestinationsFrom } from '../authority/custody.ts';
import { notClosedPoint } from '../relief/closed-points.ts';
import { assertAgreementsKeepStore } from './named-by-agreements.ts';
import { claimCreateKey } from '../inventory/idempotency.ts';
import { idempotencyKeySchema } from '../inventory/common.ts';

export type StoreRow = typeof stores.$inferSelect;
export type StoreKind = StoreRow['kind'];

export interface StoreFilter {
  regionCode?: string | null;
  level?: RegionLevel | null;
  kind?: StoreKind | null;
  /** A word of the store's name or code (仓库 list, L11 of the console sweep: 123 demo stores, a province's thousands). */
  search?: string | null;
  /**
   * Only these stores (sweep 22a F1): a picker names the stores already chosen — a keeper's scope, a filter — though
   * they are not on its first page of matches. Still in scope only.
   */
  ids?: readonly (string | number)[] | null;
  /** D29: only the 安置点 opened for this incident (sweep 23b: the dispatcher's incident page lists them to edit). */
  incidentId?: string | number | null;
}

/** How many stores `ids` may name: the API's largest page (README: first 0–500). */
const STORE_IDS_MAX = 500;

/** Stores the principal may see, filtered; keepers see their own stores only. */
export async function listStores(ctx: ServiceContext, filter: StoreFilter, page: PageArgs) {
  const { db, actor: user } = ctx;
  const pattern = searchPattern(filter.search);
  const where: (SQL | undefined)[] = [];
  if (filter.ids) {
    if (filter.ids.length > STORE_IDS_MAX) {
      throw badInput('ids', `一次最多查询 ${STORE_IDS_MAX} 个仓库`, { maxLength: STORE_IDS_MAX, length: filter.ids.length });
    }
    where.push(
      filter.ids.length
        ? inArray(
            stores.id,
            filter.ids.map((id) => uuidArg(String(id), 'ids', '仓库')),
          )
        : sql`FALSE`,
    );
  }
  if (filter.regionCode) {
    const region = await filterRegion(db, user, filter.regionCode);
    where.push(inRegionSubtree(stores.regionCode, region.code));
  }
  where.push(storesInScope(user, stores.id, stores.regionCode));
  if (filter.incidentId) where.push(eq(stores.incidentId, uuidArg(String(filter.incidentId), 'incidentId', '事件')));
  if (filter.level) where.push(eq(stores.level, filter.level));
  if (filter.kind) where.push(eq(stores.kind, filter.kind));
  if (pattern) where.push(or(ilike(stores.name, pattern), ilike(stores.code, pattern)));
  return storePage(db, and(...where), page);
}

/**
 * The stores a transfer from this store may go to (policy: transferDestinations), for whoever may post there: what a
 * keeper picks as 调入仓库 when asking for a transfer (D23).
 */
export async function listTransferDestinations(ctx: ServiceContext, fromStoreId: string, page: PageArgs, search?: string | null) {
  const { db, actor: user } = ctx;
  assertMayPost(user);
  // Sweep 22a F1: a word of the name or code, as stores(search) — a city of 500+ stores is picked from by typing.
  const pattern = searchPattern(search);
  const source = await getStoreInScope(db, user, fromStoreId, 'fromStoreId');
  return storePage(
    db,
    and(
      transferDestinations(user, source, stores),
      transferDestinationsFrom(source, stores),
      notClosedPoint(stores),
      pattern ? or(ilike(stores.name, pattern), ilike(stores.code, pattern)) : undefined,
    ),
    page,
  );
}

/** A page of stores by code. */
async function storePage(db: Db, where: SQL | undefined, page: PageArgs) {
  const req = pageRequest(page, 'stores', ['text']);
  const after = cursorString(req);
  const rows = await db
    .select()
    .from(stores)
    .where(and(where, after ? gt(stores.code, after) : undefined))
    .orderBy(asc(stores.code))
    .limit(req.limit + 1);
  return toPage(
    rows,
    req,
    (s) => [s.code],
    async () => {
      const [r] = await db.select({ n: count() }).from(stores).where(where);
      return r.n;
    },
  );
}

export async function getStoreRow(db: Db, id: string, field = 'storeId'): Promise<StoreRow> {
  uuidArg(id, field, '仓库');
  const [row] = await db.select().from(stores).where(eq(stores.id, id));
  if (!row) throw notFound(field, '仓库', id);
  return row;
}

/** A store the principal may act on: NOT_FOUND if absent, FORBIDDEN if outside scope. */
export async function getStoreInScope(db: Db, user: Principal, id: string, field = 'storeId'): Promise<StoreRow> {
  const store = await getStoreRow(db, id, field);
  assertStoreAccess(user, store, field);
  return store;
}

export const organizationsByIds = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(organizations)
    .where(inArray(organizations.id, [...ids]));

export const storesInRegions = (db: Db, regionCodes: readonly string[]) =>
  db
    .select()
    .from(stores)
    .where(inArray(stores.regionCode, [...regionCodes]))
    .orderBy(asc(stores.code));

export const storesByIds = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(stores)
    .where(inArray(stores.id, [...ids]));

const storeFields = {
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{2,32}$/, '仓库代码应为 2–32 位字母、数字或连字符'),
  // Sweep 11b B2: kept as shown — a zero-width character dropped (it hid the name from a search and told two equal
  // names apart), spaces of any kind one plain space.
  name: z.string().transform(shownName).pipe(z.string().min(2, '名称至少 2 个字').max(128)),
  regionCode: z.string(),
  kind: z.enum(['GOVERNMENT', 'ENTRUSTED', 'AGREEMENT']),
  location: z.object({
    lat: latitude,
    lng: longitude,
  }),
  address: z.string().trim().max(256).nullish(),
  contactName: z.string().trim().max(64).nullish(),
  contactPhone: z
    .string()
    .trim()
    .regex(/^[0-9+\- ]{5,32}$/, '电话号码格式错误')
    .nullish(),
  capacityM3: z.number().int().min(0, '容量不能为负').nullish(),
  operatorName: z.string().trim().min(2).max(128).nullish(),
};
const createStoreSchema = z.object({
  ...storeFields,
  // Sweep 23c (D29): a 安置点 belongs to an incident, which gives it its incident and managers — sent here, it was
  // refused in zod's words for an enum; it is said what to do instead.
  kind: z
    .enum(['GOVERNMENT', 'ENTRUSTED', 'AGREEMENT', 'DISTRIBUTION_POINT'])
    .refine(
      (k) => k !== 'DISTRIBUTION_POINT',
      '安置点不能在此新建：安置点须在灾害事件中开设（开设安置点 openDistributionPoint，或事件页「添加安置点」随调拨请求开设），开设时登记所属事件和管理员',
    ),
  // Sweep 23c (retries): optional (API.md asks it of stock mutations only); given, 保存 sent again after a lost answer
  // answers the store first created instead of 「仓库代码已存在」. Lazy: inventory/common.ts imports this module.
  idempotencyKey: z.lazy(() => idempotencyKeySchema).nullish(),
});
// Sweep 23b F4: a 安置点's own kind may be sent back with an edit (the form sends what it shows); changing a store to or
// from one is refused in updateStore, in words.
const updateStoreSchema = z.object({ ...storeFields, kind: z.enum(['GOVERNMENT', 'ENTRUSTED', 'AGREEMENT', 'DISTRIBUTION_POINT']) }).partial();

/** D2: the kinds that are a company's warehouse, and so name their operating company (运营企业). */
const OPERATED_KINDS: readonly StoreKind[] = ['ENTRUSTED', 'AGREEMENT'];

/**
 * The operating company by name, created on first use. D3, D23: an operator is a company — a government (whose stock
 * would then be "the company's own" in its agreement store) or another registered non-company is refused.
 */
async function operatorId(db: Db, name: string | null | undefined, regionCode: string): Promise<string | null | undefined> {
  if (name === undefined || name === null) return name;
  const [org] = await db
    .insert(organizations)
    .values({ name, kind: 'COMPANY', regionCode })
    .onConflictDoUpdate({ target: organizations.name, set: { name } })
    .returning({ id: organizations.id, kind: organizations.kind });
  if (org.kind !== 'COMPANY') throw badInput('input.operatorName', `「${name}」已登记为政府机关或其他非企业单位，不能作为仓库的运营企业`);
  return org.id;
}

async function assertCodeFree(db: Db, code: string, exceptId?: string) {
  const [dup] = await db.select({ id: stores.id }).from(stores).where(eq(stores.code, code));
  if (dup && dup.id !== exceptId) throw badInput('input.code', `仓库代码已存在：${code}`);
}

/**
 * Sweep 11b B2: the stores of a region are told apart by name — a keeper picks 调入仓库 by it (transferDestinations
 * shows names and places only), a dispatcher reads a plan's sources by it. A name that reads the same as another of the
 * region's (nameKey: width, spaces, case) is refused, naming the store that has it. Checked under a lock on the region's
 * names rather than by a unique index: databases may already hold such pairs (the API accepted them), and which one to
 * rename is an administrator's decision, not a migration's. Taken before the code is checked, so that of two requests
 * at once the later is answered as a later one is (the code first).
 */
const lockStoreNames = (db: Db, regionCode: string) => queryRows(db, sql`SELECT pg_advisory_xact_lock(hashtext(${`store-names|${regionCode}`}))`);

async function assertNameFree(db: Db, name: string, regionCode: string, exceptId?: string) {
  const key = nameKey(name);
  const twin = (await db.select({ id: stores.id, code: stores.code, name: stores.name }).from(stores).where(eq(stores.regionCode, regionCode))).find(
    (s) => s.id !== exceptId && nameKey(s.name) === key,
  );
  if (twin) {
    throw badInput('input.name', `本区划已有同名仓库「${twin.name}」（代码 ${twin.code}）：同一区划的仓库名称不能相同，请换一个名称（如加上地点）`, {
      storeCode: twin.code,
    });
  }
}

export async function createStore(ctx: ServiceContext, input: unknown): Promise<StoreRow> {
  const { db, actor: user } = ctx;
  const v = validate(createStoreSchema, input);
  const region = await getRegionInScope(db, user, v.regionCode, 'input.regionCode');
  assertInRegion(region, v.location, 'input.location.lat');
  if (OPERATED_KINDS.includes(v.kind) && !v.operatorName) throw badInput('input.operatorName', '代储库和协议储备库须填写运营企业');
  // Sweep 23c (retries): with a key, the same key and input answer the store first created (audited REPLAYED), other
  // input IDEMPOTENCY_CONFLICT — createIncident's mechanism (server/inventory/idempotency.ts), claimed in this
  // mutation's transaction after the scope checks above and before the code and name checks (the first call's own
  // store would refuse its retry). Keys are the caller's: another administrator's same key is a request of their own.
  const { id, first } = await claimCreateKey(db, 'store', {
    kind: 'createStore',
    actorId: user.id,
    key: v.idempotencyKey,
    input: v,
    resultName: 'storeId',
    at: ctx.clock.now().toJSDate(),
  });
  if (first) return getStoreInScope(db, user, first, 'input.idempotencyKey');
  await lockStoreNames(db, region.code);
  await assertCodeFree(db, v.code);
  await assertNameFree(db, v.name, region.code);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(stores)
      .values({
        ...(id && { id }),
        code: v.code,
        name: v.name,
        regionCode: region.code,
        level: region.level,
        kind: v.kind,
        lat: v.location.lat,
        lng: v.location.lng,
        address: v.address ?? null,
        contactName: v.contactName ?? null,
        contactPhone: v.contactPhone ?? null,
        capacityM3: v.capacityM3 ?? null,
        operatorOrgId: (await operatorId(tx, v.operatorName, region.code)) ?? null,
      })
      .returning();
    return row;
  });
}

export async function updateStore(ctx: ServiceContext, id: string, input: unknown): Promise<StoreRow> {
  const { db, actor: user } = ctx;
  assertMayEditStores(user);
  const v = validate(updateStoreSchema, input);
  const current = await getStoreRow(db, id, 'id');
  // Who edits which store, and which of its fields (sweep 23b: a dispatcher corrects the 安置点 of their region): the policy.
  assertMayEditStore(user, current, fieldsChanged(v, current));
  // As updateItem and updateUser answer (sweep 9a F0: an empty input reached the UPDATE and answered 服务器内部错误).
  if (Object.values(v).every((x) => x === undefined)) throw badInput('input', '没有要修改的内容');
  const region = v.regionCode !== undefined ? await getRegion(db, v.regionCode, 'input.regionCode') : null;
  if (region) assertRegionAccess(user, region.code, `区划「${region.name}」`, 'input.regionCode');
  if (region || v.location) {
    assertInRegion(region ?? (await getRegion(db, current.regionCode)), v.location ?? current, v.location ? 'input.location.lat' : 'input.regionCode');
  }
  // D31: history does not change — a store with ledger history keeps its region (valuation by region at a past instant).
  if (region && region.code !== current.regionCode && (await hasLedgerHistory(db, current.id))) {
    throw invalidState(`仓库「${current.name}」已有库存账目，不能改变所属区划（历史估值不能随之改变）；如已搬迁，请新建仓库并调拨库存`, {
      field: 'input.regionCode',
      regionCode: current.regionCode,
    });
  }
  // D6, D21: a store an agreement names stays in that agreement's region.
  if (region && region.code !== current.regionCode) await assertAgreementsKeepStore(db, current, region);
  // D3, D23: whether stock needs an order to leave follows its owner, and what a store may take in follows its kind: a
  // store that holds or has held stock keeps its kind (a government store turned "agreement" would let its stock out
  // as the company's), and a 安置点 is one for good (its outstanding recovery is counted by kind, D30).
  if (v.kind !== undefined && v.kind !== current.kind) {
    if (current.kind === 'DISTRIBUTION_POINT') {
      throw invalidState(`「${current.name}」是安置点，不能改为其他类型的仓库`, { field: 'input.kind', kind: current.kind });
    }
    // Sweep 23b F4: a 安置点 is opened for an incident (openDistributionPoint, or a dispatch request naming it), which
    // gives it its incident and managers; a store is not turned into one.
    if (v.kind === 'DISTRIBUTION_POINT') {
      throw badInput('input.kind', `「${current.name}」不是安置点，不能改为安置点：安置点须在灾害事件中开设（添加安置点或调拨请求）`, { kind: current.kind });
    }
    if (await hasLedgerHistory(db, current.id)) {
      throw invalidState(`仓库「${current.name}」已有库存账目，不能改变仓库类型（物资的产权与出库审批随之改变）；如需改变，请新建仓库并调拨库存`, {
        field: 'input.kind',
        kind: current.kind,
      });
    }
  }
  // The same for an agreement store's company: its stock is that company's own (custody.ts).
  if (
    current.kind === 'AGREEMENT' &&
    v.operatorName &&
    (await operatorNamed(db, v.operatorName)) !== current.operatorOrgId &&
    (await hasLedgerHistory(db, current.id))
  ) {
    throw invalidState(`协议储备库「${current.name}」已有库存账目，不能更换运营企业（库存物资属于原企业）`, { field: 'input.operatorName' });
  }
  // D2: entrusted and agreement stores are a company's warehouse — the rule createStore applies holds after an update too,
  // and for those kinds only (sweep 23b F4: it refused every edit of a 安置点, which is neither).
  const kind = v.kind ?? current.kind;
  const hasOperator = v.operatorName === undefined ? current.operatorOrgId !== null : Boolean(v.operatorName);
  if (OPERATED_KINDS.includes(kind) && !hasOperator) throw badInput('input.operatorName', '代储库和协议储备库须填写运营企业');
  // A new name, or the name brought into another region: the names there are checked. The form sends the name it
  // shows: the same name again is no new one (a pair the database held before the rule is not refused an address).
  const namedAnew = (v.name !== undefined && nameKey(v.name) !== nameKey(current.name)) || (region !== null && region.code !== current.regionCode);
  if (namedAnew) await lockStoreNames(db, region?.code ?? current.regionCode);
  if (v.code) await assertCodeFree(db, v.code, id);
  if (namedAnew) await assertNameFree(db, v.name ?? current.name, region?.code ?? current.regionCode, id);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(stores)
      .set({
        code: v.code,
        name: v.name,
        regionCode: region?.code,
        level: region?.level,
        kind: v.kind,
        lat: v.location?.lat,
        lng: v.location?.lng,
        address: v.address,
        contactName: v.contactName,
        contactPhone: v.contactPhone,
        capacityM3: v.capacityM3,
        operatorOrgId: await operatorId(tx, v.operatorName, region?.code ?? current.regionCode),
      })
      .where(eq(stores.id, id))
      .returning();
    return row;
  });
}

/**
 * The fields an update input changes: those given, but for the kind, region and code sent back as they are (the form
 * sends what it shows) — what assertMayEditStore judges.
 */
function fieldsChanged(v: z.infer<typeof updateStoreSchema>, current: StoreRow): string[] {
  const same: Partial<Record<keyof typeof v, unknown>> = { kind: current.kind, regionCode: current.regionCode, code: current.code };
  return (Object.keys(v) as (keyof typeof v)[]).filter((f) => v[f] !== undefined && !(f in same && v[f] === same[f]));
}

const operatorNamed = async (db: Db, name: string) =>
  (await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.name, name)))[0]?.id ?? null;

/** Has any stock moved at the store (movements are append-only: once true, always true)? */
async function hasLedgerHistory(db: Db, storeId: string): Promise<boolean> {
  const [row] = await db.select({ id: movements.id }).from(movements).where(eq(movements.storeId, storeId)).limit(1);
  return row !== undefined;
}
