import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { badInput } from '../errors.ts';
import type { StoreRow } from '../stores/service.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';

// D3, D23: who owns the stock decides whether it needs an order to leave, not the kind of store that holds it.
// Government-owned stock (and anything not the holder's own) leaves only against an approved order wherever it is;
// company-owned stock in the company's own agreement store is the company's business. An agreement store therefore
// takes in only its own company's stock, and recovered stock goes back to a store that holds government reserves.

type Custodian = Pick<StoreRow, 'kind' | 'operatorOrgId'>;

/** D23: the company whose own stock may leave `store` without an order — the operator of an agreement store — or null. */
export const ownStockOperator = (store: Custodian): string | null => (store.kind === 'AGREEMENT' ? store.operatorOrgId : null);

/** D3, D23: of these batches, those that are not `store`'s operator's own (all of them unless it is an agreement store). */
export async function notOwnStock(db: Db, store: Custodian, batchIds: readonly string[]): Promise<string[]> {
  const ids = [...new Set(batchIds)];
  const operator = ownStockOperator(store);
  if (!operator || !ids.length) return operator ? [] : ids;
  const rows = await queryRows<{ id: string }>(
    db,
    sql`SELECT id::text FROM batches WHERE id IN (${uuidList(ids)}) AND owner_org_id IS DISTINCT FROM ${operator}::uuid`,
  );
  return rows.map((r) => r.id);
}

const AGREEMENT_HOLDS_OWN = '协议储备库只存放协议企业自有的物资：政府储备物资不能调入或回收到协议企业仓库';

/**
 * D23: a transfer from `from` may go to an agreement store only from another store of the same company — the stock
 * a company moves between its own stores. Listing (transferDestinations) and requests use the same rule.
 */
export function assertTransferDestination(from: Custodian, to: Custodian, field: string): void {
  if (to.kind !== 'AGREEMENT') return;
  const operator = ownStockOperator(from);
  if (!operator || operator !== to.operatorOrgId) throw badInput(field, AGREEMENT_HOLDS_OWN);
}

/** SQL for assertTransferDestination: the stores (columns) a transfer from `from` may go to, as far as custody goes. */
export function transferDestinationsFrom(from: Custodian, store: { kind: SQLWrapper; operatorOrgId: SQLWrapper }): SQL {
  const operator = ownStockOperator(from);
  return operator ? sql`(${store.kind} <> 'AGREEMENT' OR ${store.operatorOrgId} = ${operator}::uuid)` : sql`${store.kind} <> 'AGREEMENT'`;
}

/** D3, D23: what arrives at an agreement store must be its company's own stock (checked on the batches picked). */
export async function assertMayHold(db: Db, to: Custodian, batchIds: readonly string[], field: string): Promise<void> {
  if (to.kind !== 'AGREEMENT') return;
  if (!to.operatorOrgId || (await notOwnStock(db, to, batchIds)).length) throw badInput(field, AGREEMENT_HOLDS_OWN);
}

/**
 * D12, D30: recovered good stock goes back to a store that holds government reserves — a government or entrusted
 * store. Not a 安置点 (that would count it as returned while it stays where it was), not a company's agreement store.
 */
export function assertRecoveryDestination(
  to: Pick<StoreRow, 'kind'>,
  field: string,
  message = '回收入库须入政府储备库或代储库，不能回收到安置点或协议企业仓库',
): void {
  if (to.kind !== 'GOVERNMENT' && to.kind !== 'ENTRUSTED') throw badInput(field, message);
}
