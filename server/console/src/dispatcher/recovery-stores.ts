// D12, D23, D24, D30 (sweep 19a F11): the stores 回收清点 may book good stock into, as the server takes them
// (server/relief/recovery.ts). No query here: the unit tests read these rules as they are.

/** What the rules read of a recovery line (recovery.ts RecoveryLine). */
export interface RecoveredBatch {
  batchId: string;
  /** The batch's 产权单位 (D3). */
  owner: { kind: string; name: string } | null;
  /** The store it reached the 安置点 from; null: none of the incident's plans. */
  shippedFrom: string | null;
  /** The incident's plan lines that took the batch from a store (D25). */
  sources: readonly { planId: string; storeId: string; itemId: string }[];
}

/** A store good stock may be recovered into, as the recovery's store list reads it. */
export interface RecoveryStore {
  id: string;
  kind: string;
  region: { code: string; name: string; level: string; parent?: { name: string; parent?: { name: string } | null } | null };
}

/**
 * A region's government as the server names it (server/inventory/owners.ts governmentNameSql): a village's committee
 * after its county's and township's names, a 街道's 办事处, else its 人民政府. The API gives a batch's owner by name
 * only (Organization has no region), and an organisation's name is unique.
 */
export function governmentOf(region: RecoveryStore['region']): string {
  if (region.level === 'VILLAGE') return `${region.parent?.parent?.name ?? ''}${region.parent?.name ?? ''}${region.name}`;
  return `${region.name}${region.name.endsWith('街道') ? '办事处' : '人民政府'}`;
}

/**
 * D25 (the server's settledOwingRegions): per batch, the regions whose debt for it is settled — the goods are theirs
 * now: a settlement of one of the incident's plan lines that took the batch (by plan, lending store and item), settled
 * with something still owed.
 */
export function settledOwingRegions(
  lines: readonly Pick<RecoveredBatch, 'batchId' | 'sources'>[],
  settlements: readonly { planId?: string | null; quantity: number; store: { id: string }; item: { id: string }; owedBy: { code: string } }[],
): Map<string, Set<string>> {
  const owing = new Map<string, Set<string>>();
  for (const l of lines) {
    const regions = settlements
      .filter((st) => st.quantity > 0 && l.sources.some((src) => src.planId === st.planId && src.storeId === st.store.id && src.itemId === st.item.id))
      .map((st) => st.owedBy.code);
    owing.set(l.batchId, new Set([...(owing.get(l.batchId) ?? []), ...regions]));
  }
  return owing;
}

/**
 * D12, D23, D24, D30 (sweep 19a F11), as the server takes a store named for good stock (relief/recovery.ts:
 * assertRecoveryDestination, then assertRecoveredToOwner per batch): a government or entrusted store — never a 安置点 or
 * an agreement store — that is the store the batch was shipped from, or one of the very region whose government owns it
 * (D3), or, for goods whose settlement is settled, one of the owing region (D25). `owing`: settledOwingRegions.
 */
export function recoveryStoreAccepts(
  store: RecoveryStore,
  line: Pick<RecoveredBatch, 'batchId' | 'owner' | 'shippedFrom'>,
  owing: ReadonlyMap<string, ReadonlySet<string>>,
): boolean {
  if (store.kind !== 'GOVERNMENT' && store.kind !== 'ENTRUSTED') return false;
  if (store.id === line.shippedFrom) return true;
  if (line.owner?.kind === 'GOVERNMENT' && line.owner.name === governmentOf(store.region)) return true;
  return owing.get(line.batchId)?.has(store.region.code) ?? false;
}
