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
