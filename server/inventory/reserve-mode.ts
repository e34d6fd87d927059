import { sql, type SQL } from 'drizzle-orm';
import type { StoreRow } from '../stores/service.ts';

// D6: 实物储备 is government stock in government stores; 企业代储 government stock in a company's store (an entrusted
// store or an agreement holder's); 协议储备 a company's own stock. So the mode of government stock follows where it is
// held — a batch moved from a government store into a company's keeps its identity (D7) but is 企业代储 there — while
// a company's own stock stays 协议储备 wherever it goes. A batch records the mode it was received under; valuation by
// reserve mode and the 50 % floor read the mode where each balance is held (heldReserveModeSql).

type ReserveMode = 'PHYSICAL' | 'ENTRUSTED' | 'AGREEMENT' | 'CAPACITY';
type StoreKind = StoreRow['kind'];

/** Stores operated by a company: government stock there is 企业代储. */
const COMPANY_STORE_KINDS: readonly StoreKind[] = ['AGREEMENT', 'ENTRUSTED'];

const governmentModeAt = (kind: StoreKind): ReserveMode => (COMPANY_STORE_KINDS.includes(kind) ? 'ENTRUSTED' : 'PHYSICAL');

/**
 * D6, D3: the mode of goods received at a store follows who owns them — the company's own stock (owned by the store's
 * operator, the only company that may own goods received there, owners.ts) is 协议储备; government stock (the owner is
 * a government, or none is named) is 企业代储 or 实物储备 by where it is held.
 */
export const reserveModeOf = (store: Pick<StoreRow, 'kind' | 'operatorOrgId'>, ownerOrgId: string | null): ReserveMode =>
  ownerOrgId && ownerOrgId === store.operatorOrgId ? 'AGREEMENT' : governmentModeAt(store.kind);

/** The mode of a batch (`batchMode`, as received) where a store of `storeKind` holds it: SQL over a row's columns. */
export const heldReserveModeSql = (batchMode: SQL, storeKind: SQL): SQL =>
  sql`(CASE WHEN ${batchMode} IN ('PHYSICAL', 'ENTRUSTED')
            THEN CASE WHEN ${storeKind}::text IN (${sql.raw(COMPANY_STORE_KINDS.map((k) => `'${k}'`).join(', '))}) THEN 'ENTRUSTED' ELSE 'PHYSICAL' END
            ELSE ${batchMode}::text END)`;

/**
 * D3, D21: whether a batch (`batchMode`, its mode as received) is a company's own stock (协议储备: any mode but those of
 * government stock, 实物储备 and 企业代储) — the company's property, wherever it is held. Valuation keeps it out of its
 * total and shows it apart (companyStock); so does the 库存台账's 合计 (sweep 17b F2). SQL over a row's column.
 */
export const companyOwnedSql = (batchMode: SQL): SQL => sql`(${batchMode} NOT IN ('PHYSICAL', 'ENTRUSTED'))`;
