import { count, inArray } from 'drizzle-orm';
import type { Db } from '../drizzle/client.ts';
import { organizations, stores, userStores, users } from '../drizzle/schema/index.ts';
import { hashPassword, verifyPassword } from '../server/auth/passwords.ts';
import type { Role } from '../server/auth/principal.ts';
import { levelOfCode } from '../server/regions/codes.ts';
import { storeSeeds } from './data/stores.ts';
import { stableId } from '../server/ids.ts';

export const storeId = (code: string) => stableId('store', code);
export const organizationId = (name: string) => stableId('organization', name);
export const userId = (username: string) => stableId('user', username);

/** The county store of 卫辉市, where the demo keeper works. */
export const WEIHUI_STORE_CODE = 'S-410781-01';
export const XINXIANG_CITY = '410700000000';
export const JINCHENG_CITY = '140500000000';

export const demoUsers: readonly { username: string; displayName: string; role: Role; regionCode: string | null; storeCodes: string[]; scope: string }[] = [
  { username: 'admin', displayName: '系统管理员', role: 'ADMIN', regionCode: null, storeCodes: [], scope: '全部' },
  { username: 'dispatcher', displayName: '新乡市应急管理局调度员', role: 'DISPATCHER', regionCode: XINXIANG_CITY, storeCodes: [], scope: '新乡市' },
  {
    username: 'keeper',
    displayName: '卫辉市储备库库管员',
    role: 'KEEPER',
    regionCode: null,
    storeCodes: [WEIHUI_STORE_CODE],
    scope: '卫辉市救灾物资储备库（及演示灾情的两个安置点）',
  },
  { username: 'auditor', displayName: '新乡市财政审计员', role: 'AUDITOR', regionCode: XINXIANG_CITY, storeCodes: [], scope: '新乡市' },
  // D24: the second person who approves what 新乡's keepers and dispatcher request.
  { username: 'director', displayName: '新乡市应急管理局副局长', role: 'DISPATCHER', regionCode: XINXIANG_CITY, storeCodes: [], scope: '新乡市（审批）' },
  { username: 'jincheng', displayName: '晋城市应急管理局调度员', role: 'DISPATCHER', regionCode: JINCHENG_CITY, storeCodes: [], scope: '晋城市' },
];

export async function hasUsers(db: Db): Promise<boolean> {
  const [r] = await db.select({ n: count() }).from(users);
  return r.n > 0;
}

/**
 * The demo users who no longer sign in with `password` (null: there are no demo users). DEMO_PASSWORD is applied when
 * the demo data is first loaded; a later change of it does not alter the seeded users, and a user may change their own
 * (or an administrator reset it): the start-up output must not print a password that does not work for them.
 */
export async function demoPasswordsChanged(db: Db, password: string): Promise<string[] | null> {
  const found = await db
    .select({ username: users.username, passwordHash: users.passwordHash })
    .from(users)
    .where(
      inArray(
        users.id,
        demoUsers.map((u) => userId(u.username)),
      ),
    );
  if (!found.length) return null;
  const works = await Promise.all(found.map((u) => verifyPassword(u.passwordHash, password)));
  // In the banner's order (demoUsers), each demo user whose password is no longer `password` (changed by them or reset).
  const changed = new Set(found.filter((_, i) => !works[i]).map((u) => u.username));
  return demoUsers.filter((u) => changed.has(u.username) || !found.some((f) => f.username === u.username)).map((u) => u.username);
}

/** The demo data set: stores with their operators, and one user per role. Deterministic ids. */
export async function seedDemoData(db: Db, demoPassword: string): Promise<void> {
  const passwordHash = await hashPassword(demoPassword);
  await db.transaction(async (tx) => {
    const operators = [...new Set(storeSeeds.flatMap((s) => (s.operatorName ? [s.operatorName] : [])))];
    if (operators.length) {
      await tx
        .insert(organizations)
        .values(
          operators.map((name) => ({
            id: organizationId(name),
            name,
            kind: 'COMPANY' as const,
            regionCode: storeSeeds.find((s) => s.operatorName === name)!.regionCode,
          })),
        )
        .onConflictDoNothing();
    }
    await tx
      .insert(stores)
      .values(
        storeSeeds.map((s) => ({
          id: storeId(s.code),
          code: s.code,
          name: s.name,
          regionCode: s.regionCode,
          level: levelOfCode(s.regionCode),
          kind: s.kind,
          lat: s.lat,
          lng: s.lng,
          address: s.address,
          contactName: s.contactName,
          contactPhone: s.contactPhone,
          capacityM3: s.capacityM3,
          operatorOrgId: s.operatorName ? organizationId(s.operatorName) : null,
        })),
      )
      .onConflictDoNothing();
    await tx
      .insert(users)
      .values(
        demoUsers.map((u) => ({
          id: userId(u.username),
          username: u.username,
          displayName: u.displayName,
          role: u.role,
          regionCode: u.regionCode,
          passwordHash,
        })),
      )
      .onConflictDoNothing();
    const links = demoUsers.flatMap((u) => u.storeCodes.map((code) => ({ userId: userId(u.username), storeId: storeId(code) })));
    if (links.length) await tx.insert(userStores).values(links).onConflictDoNothing();
  });
}
