import { inArray, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { organizations } from '../../drizzle/schema/index.ts';
import { badInput } from '../errors.ts';
import { assertMayPost } from '../auth/policy.ts';
import type { ServiceContext } from '../context.ts';
import type { RegionLevel } from '../regions/codes.ts';
import type { FundingSource } from './receipts.ts';
import { getStoreInScope, type StoreRow } from '../stores/service.ts';

// D3 owner ≠ holder: who may be recorded as the owner of goods received at a store. One rule for every receipt a
// keeper enters — receiveStock and the opening-balance import (server/paperwork/opening-import.ts).

/**
 * The name of a region's government, in SQL over regions `r`: a 街道's 街道办事处, else its 人民政府 — and a village's
 * 村（居）民委员会 (D1, D2: sweep 19b F1), whose name the dataset gives (科村村委会, 古渡社区居委会), after its county's and
 * township's (卫辉市汲水镇建设路居民委员会): a village has no 人民政府, and its name alone repeats across townships while
 * an organisation's name is unique.
 */
export const governmentNameSql = sql`CASE WHEN r.level = 'VILLAGE'
  THEN COALESCE((SELECT c.name || t.name FROM regions t JOIN regions c ON c.code = t.parent_code WHERE t.code = r.parent_code), '') || r.name
  ELSE r.name || CASE WHEN r.name LIKE '%街道' THEN '办事处' ELSE '人民政府' END END`;

/** A company runs AGREEMENT and ENTRUSTED stores (D2): its operator may own goods received there. */
const operatorOf = (store: StoreRow) => (store.kind === 'AGREEMENT' || store.kind === 'ENTRUSTED' ? store.operatorOrgId : null);

export interface OwnerChoices {
  /** The registered organisations that may own goods received at the store. */
  ids: Set<string>;
  /** By name, nearest first, with the id if registered (a region's government is registered on first use). */
  byName: Map<string, string | null>;
  /** A receipt's owner stated by id or name that is not one of them: the refusal, which names no one else. */
  refusal: string;
  /**
   * Each, nearest first (the store's operator, then the store's government and those above it): a government with its
   * region's code and level, the operator with neither; id null for a government not registered yet.
   */
  choices: { id: string | null; name: string; regionCode: string | null; level: RegionLevel | null }[];
}

/**
 * D3: the owner of goods received at a store is the government of its region (the default owner, receipts.ts defaultOwner), a
 * superior government whose region covers the store (a higher level funding stock kept there: the owner by default of
 * a line its funds bought, fundsOwnedBy), or — in a company's
 * AGREEMENT or ENTRUSTED store — that company. Never another region's government or an unrelated company: the goods
 * would belong to someone who cannot even see them, or a donation would become company property.
 */
export async function ownersAllowedAt(db: Db, store: StoreRow): Promise<OwnerChoices> {
  const operator = operatorOf(store);
  const rows = await queryRows<{ id: string | null; name: string; code: string | null; level: RegionLevel | null }>(
    db,
    sql`WITH RECURSIVE up AS (
          SELECT code, name, level, parent_code, 0 AS depth FROM regions WHERE code = ${store.regionCode}
          UNION ALL
          SELECT r.code, r.name, r.level, r.parent_code, up.depth + 1 FROM regions r JOIN up ON r.code = up.parent_code AND up.depth < 10)
        SELECT o.id::text AS id, g.name, g.code, g.level::text AS level, g.depth
          FROM (SELECT ${governmentNameSql} AS name, r.code, r.level, r.depth FROM up r) g
          LEFT JOIN organizations o ON o.name = g.name
        UNION ALL
        SELECT id::text, name, NULL, NULL, -1 FROM organizations WHERE id = ${operator}::uuid
        ORDER BY 5`,
  );
  const names = rows.map((r) => r.name);
  const refusal = `产权单位只能是本库所在地政府或其上级政府${operator ? '，或本库的运营企业' : ''}` + (names.length ? `（可填：${names.join('、')}）` : '');
  return {
    ids: new Set(rows.flatMap((r) => (r.id ? [r.id] : []))),
    byName: new Map(rows.map((r) => [r.name, r.id])),
    refusal,
    choices: rows.map((r) => ({ id: r.id, name: r.name, regionCode: r.code, level: r.level })),
  };
}

/** BAD_USER_INPUT at the first line (in order) whose stated owner may not own goods received at the store; else nothing. */
export async function assertOwnersAllowed(db: Db, store: StoreRow, owners: readonly (string | null | undefined)[], field: (i: number) => string) {
  if (!owners.some(Boolean)) return;
  const allowed = await ownersAllowedAt(db, store);
  const at = owners.findIndex((id) => !!id && !allowed.ids.has(id));
  if (at >= 0) throw badInput(field(at), allowed.refusal);
}

/** Funds of a government level (D21): goods bought with them are that government's (D3). */
const GOVERNMENT_FUNDS: ReadonlySet<string> = new Set(['CENTRAL', 'PROVINCE', 'CITY', 'COUNTY', 'TOWNSHIP']);

/**
 * D3, D21 (sweep 21b F3): the funding sources for which an owner a receipt at the store may record (an ownersAllowedAt
 * choice) is the owner of a line that names none — whose money bought the goods: a government's, the funds of its
 * level (市级 funds: the city's government); the store's operating company's, ENTERPRISE (its own money, 协议储备).
 * Funds that no choice stands for — CENTRAL (no central government is recorded at a store), DONATION, a level below
 * the store's, ENTERPRISE at a government store — leave the store's default owner (receipts.ts defaultOwner: its
 * government, an agreement store's operator). The one rule of a line's default owner: receiveStock applies it (and so
 * the opening import, 期初建账), receiptOwners shows it (`defaultFor`), and the console's 入库 picks by it.
 */
export function fundsOwnedBy(choice: { level: RegionLevel | null }): FundingSource[] {
  if (choice.level === null) return ['ENTERPRISE'];
  return GOVERNMENT_FUNDS.has(choice.level) ? [choice.level as FundingSource] : [];
}

/** The choice (fundsOwnedBy) that owns a line funded by `funding` which names no owner; undefined: the store's default owner. */
export const fundedOwner = <C extends { level: RegionLevel | null }>(choices: readonly C[], funding: FundingSource | null | undefined): C | undefined =>
  funding ? choices.find((c) => fundsOwnedBy(c).includes(funding)) : undefined;

/**
 * D3, D6, D21, D23 (sweep 15b F7): a receipt line's funding source and its owner must tell the same story. Goods
 * bought with government funds are the government's: received as a company's own (协议储备, owned by the store's
 * operator) they would leave without an order (D23) and no valuation would count them (D21). And goods bought with a
 * company's own money are its 协议储备 stock: booked as a government's (企业代储 or 实物储备, D6's government stock) the
 * government would value and dispatch what it never paid for. DONATION fits either owner. One rule for every receipt
 * (receiveStock, so also the opening import and call-off deliveries; transfers and rotations keep the batch's own
 * funding and owner). `companyOwned`: the line's owner is the store's operator. BAD_USER_INPUT at the first line that
 * contradicts itself, at `field(i)`.
 */
export function assertFundingFitsOwner(
  store: StoreRow,
  lines: readonly { companyOwned: boolean; fundingSource: string }[],
  field: (i: number) => string,
  fundingName: (f: string) => string,
): void {
  for (const [i, l] of lines.entries()) {
    if (l.companyOwned && GOVERNMENT_FUNDS.has(l.fundingSource)) {
      throw badInput(
        field(i),
        `${fundingName(l.fundingSource)}购置的物资归政府所有，不能作为企业自有物资入库：协议储备存放的是企业自有物资；政府物资请入企业代储库或政府储备库，或将产权单位填为出资的政府`,
        { fundingSource: l.fundingSource },
      );
    }
    if (!l.companyOwned && l.fundingSource === 'ENTERPRISE') {
      throw badInput(
        field(i),
        operatorOf(store)
          ? '企业资金购置的物资是企业自有物资（协议储备），不能作为政府物资入库：请将产权单位填为本库运营企业；政府出资的请填写出资政府的资金来源'
          : '企业资金购置的物资是企业自有物资，不能作为政府物资入政府储备库：企业捐赠的请填写资金来源为捐赠；政府出资的请填写出资政府的资金来源',
        { fundingSource: l.fundingSource },
      );
    }
  }
}

export interface ReceiptOwner {
  organization: typeof organizations.$inferSelect;
  /** The government's region level; null for the store's operating company. */
  level: RegionLevel | null;
  /** The funding sources for which a line naming no owner is this one's (fundsOwnedBy; sweep 21b F3). */
  defaultFor: FundingSource[];
}

/**
 * D3 (sweep 18b F11): the owners a receipt at the store may record (ownersAllowedAt: its region's government and those
 * above it, a company store's operator), nearest first, for the receipt form's 产权单位 — for whoever may post at the
 * store (the receipt's own condition), read through the store. A government not registered yet is registered here, as a
 * receipt naming it would register it (receipts.ts governmentOf): the form sends the owner by id. Names of governments
 * and of the store's operator are reference data; nothing of another store is read.
 */
export async function listReceiptOwners(ctx: ServiceContext, storeId: string): Promise<ReceiptOwner[]> {
  const { db, actor } = ctx;
  assertMayPost(actor);
  const store = await getStoreInScope(db, actor, storeId, 'storeId');
  const { choices } = await ownersAllowedAt(db, store);
  const unregistered = choices.filter((c) => !c.id);
  if (unregistered.length) {
    await db
      .insert(organizations)
      .values(unregistered.map((c) => ({ name: c.name, kind: 'GOVERNMENT' as const, regionCode: c.regionCode })))
      .onConflictDoNothing();
  }
  const names = choices.map((c) => c.name);
  const rows = await db.select().from(organizations).where(inArray(organizations.name, names));
  const byName = new Map(rows.map((r) => [r.name, r]));
  return choices.flatMap((c) => {
    const organization = byName.get(c.name);
    return organization ? [{ organization, level: c.level, defaultFor: fundsOwnedBy(c) }] : [];
  });
}
