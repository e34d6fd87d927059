import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { badInput } from '../errors.ts';
import type { StoreRow } from '../stores/service.ts';

// D3 owner ≠ holder: who may be recorded as the owner of goods received at a store. One rule for every receipt a
// keeper enters — receiveStock and the opening-balance import (server/paperwork/opening-import.ts).

/** The name of a region's government, in SQL over regions `r`: a 街道's 街道办事处, else its 人民政府. */
export const governmentNameSql = sql`r.name || CASE WHEN r.name LIKE '%街道' THEN '办事处' ELSE '人民政府' END`;

/** A company runs AGREEMENT and ENTRUSTED stores (D2): its operator may own goods received there. */
const operatorOf = (store: StoreRow) => (store.kind === 'AGREEMENT' || store.kind === 'ENTRUSTED' ? store.operatorOrgId : null);

export interface OwnerChoices {
  /** The registered organisations that may own goods received at the store. */
  ids: Set<string>;
  /** By name, nearest first, with the id if registered (a region's government is registered on first use). */
  byName: Map<string, string | null>;
  /** A receipt's owner stated by id or name that is not one of them: the refusal, which names no one else. */
  refusal: string;
}

/**
 * D3: the owner of goods received at a store is the government of its region (the default owner, receipts.ts defaultOwner), a
 * superior government whose region covers the store (a higher level funding stock kept there), or — in a company's
 * AGREEMENT or ENTRUSTED store — that company. Never another region's government or an unrelated company: the goods
 * would belong to someone who cannot even see them, or a donation would become company property.
 */
export async function ownersAllowedAt(db: Db, store: StoreRow): Promise<OwnerChoices> {
  const operator = operatorOf(store);
  const rows = await queryRows<{ id: string | null; name: string }>(
    db,
    sql`WITH RECURSIVE up AS (
          SELECT code, name, parent_code, 0 AS depth FROM regions WHERE code = ${store.regionCode}
          UNION ALL
          SELECT r.code, r.name, r.parent_code, up.depth + 1 FROM regions r JOIN up ON r.code = up.parent_code AND up.depth < 10)
        SELECT o.id::text AS id, g.name, g.depth FROM (SELECT ${governmentNameSql} AS name, r.depth FROM up r) g
          LEFT JOIN organizations o ON o.name = g.name
        UNION ALL
        SELECT id::text, name, -1 FROM organizations WHERE id = ${operator}::uuid
        ORDER BY 3`,
  );
  const names = rows.map((r) => r.name);
  const refusal = `产权单位只能是本库所在地政府或其上级政府${operator ? '，或本库的运营企业' : ''}` + (names.length ? `（可填：${names.join('、')}）` : '');
  return { ids: new Set(rows.flatMap((r) => (r.id ? [r.id] : []))), byName: new Map(rows.map((r) => [r.name, r.id])), refusal };
}

/** BAD_USER_INPUT at the first line (in order) whose stated owner may not own goods received at the store; else nothing. */
export async function assertOwnersAllowed(db: Db, store: StoreRow, owners: readonly (string | null | undefined)[], field: (i: number) => string) {
  if (!owners.some(Boolean)) return;
  const allowed = await ownersAllowedAt(db, store);
  const at = owners.findIndex((id) => !!id && !allowed.ids.has(id));
  if (at >= 0) throw badInput(field(at), allowed.refusal);
}
