import { asc, eq, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { agreements, organizations, regions } from '../../drizzle/schema/index.ts';
import { invalidState } from '../errors.ts';
import { isInSubtree } from '../regions/codes.ts';
import { RESERVE_MODE_NAMES } from '../paperwork/names.ts';
import type { StoreRow } from './service.ts';

/** How many of the agreements a refusal names; the rest are counted. */
const NAMED = 5;

/**
 * The lock of a store's agreements until the transaction ends: taken by createAgreement (reserves/agreements.ts) before
 * it reads what the store is already committed to, and by a move of the store before it reads the agreements naming it.
 */
export const lockAgreementStore = (db: Db, storeId: string) => queryRows(db, sql`SELECT pg_advisory_xact_lock(hashtext(${`agreement-store|${storeId}`}))`);

/**
 * D6, D21, D22, D31 (sweep 12c C3): an agreement's store lies in the agreement's region — createAgreement refuses any
 * other (「该仓库不在协议所属区域内」), and an entrusted store's stock is that region's 企业代储, valued and planned there.
 * A store named by an agreement therefore does not move out of that agreement's region (within it, it may). Every
 * agreement counts, not only those in force: agreements are never edited or ended early, one not yet started will be
 * in force, and an expired one is still the record of what was entrusted where and of the fees paid for it (D21
 * "with their fees", for past periods) — it reads its store as the store is now. Refused naming the agreements, as
 * updateStore's other refusals of a change (INVALID_STATE). The agreement-store lock (agreements.ts) orders this check
 * and a concurrent createAgreement for the store.
 */
export async function assertAgreementsKeepStore(db: Db, store: StoreRow, region: { code: string; name: string }): Promise<void> {
  await lockAgreementStore(db, store.id);
  const named = await db
    .select({
      id: agreements.id,
      mode: agreements.mode,
      contractNo: agreements.contractNo,
      validFrom: agreements.validFrom,
      validTo: agreements.validTo,
      regionCode: agreements.regionCode,
      regionName: regions.name,
      companyName: organizations.name,
    })
    .from(agreements)
    .innerJoin(organizations, eq(organizations.id, agreements.companyOrgId))
    .innerJoin(regions, eq(regions.code, agreements.regionCode))
    .where(eq(agreements.storeId, store.id))
    .orderBy(asc(agreements.validFrom), asc(agreements.id));
  const left = named.filter((a) => !isInSubtree(region.code, a.regionCode));
  if (!left.length) return;
  const names = left.slice(0, NAMED).map((a) => {
    const contract = a.contractNo ? `合同编号 ${a.contractNo}，` : '';
    return `${a.regionName}与「${a.companyName}」的${RESERVE_MODE_NAMES[a.mode] ?? ''}协议（${contract}${a.validFrom} 至 ${a.validTo}）`;
  });
  const more = left.length > NAMED ? `等 ${left.length} 份协议` : '';
  throw invalidState(
    `仓库「${store.name}」是${names.join('、')}${more}指定的仓库，不能改到协议所属区域以外的「${region.name}」：协议的仓库须在协议所属区域内（其储备按该区域计价和调用）；如仓库确已搬迁，请新建仓库`,
    {
      field: 'input.regionCode',
      regionCode: store.regionCode,
      agreementIds: left.map((a) => a.id),
      contractNos: left.map((a) => a.contractNo).filter((c): c is string => c !== null),
    },
  );
}
