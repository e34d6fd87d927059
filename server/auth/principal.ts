import { forbidden } from '../errors.ts';
import { isInSubtree, subtreePrefix } from '../regions/codes.ts';

export type Role = 'ADMIN' | 'DISPATCHER' | 'KEEPER' | 'AUDITOR';

/** The signed-in user as the rules see them: a role and a scope (a region subtree, or stores for keepers). */
export interface Principal {
  id: string;
  username: string;
  role: Role;
  /** 12-digit region code of the scope; null for an administrator of the whole system. */
  regionCode: string | null;
  storeIds: readonly string[];
}

export interface ScopedStore {
  id: string;
  regionCode: string;
}

/** Region prefixes a principal may read; null = everywhere. Keepers read no region as a whole. */
export function regionScopePrefix(p: Principal): string | null {
  if (p.role === 'KEEPER') return '\u0000'; // matches no code
  return p.regionCode ? subtreePrefix(p.regionCode) : null;
}

export function canAccessRegion(p: Principal, regionCode: string): boolean {
  if (p.role === 'KEEPER') return false;
  return p.regionCode === null || isInSubtree(regionCode, p.regionCode);
}

export function canAccessStore(p: Principal, store: ScopedStore): boolean {
  if (p.role === 'KEEPER') return p.storeIds.includes(store.id);
  return p.regionCode === null || isInSubtree(store.regionCode, p.regionCode);
}

export function assertRegionAccess(p: Principal, regionCode: string, what = `区划 ${regionCode}`): void {
  if (!canAccessRegion(p, regionCode)) throw forbidden(what);
}

export function assertStoreAccess(p: Principal, store: ScopedStore & { name?: string }): void {
  if (!canAccessStore(p, store)) throw forbidden(store.name ? `仓库「${store.name}」` : '该仓库');
}
