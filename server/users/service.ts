import { and, asc, count, eq, inArray, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { pgArray, pgError, type Db } from '../../drizzle/client.ts';
import { passwordSets, stores, userNameHistory, userStores, users } from '../../drizzle/schema/index.ts';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../auth/passwords.ts';
import { passwordSchema } from '../auth/password-rules.ts';
import { type Principal, type Role } from '../auth/principal.ts';
import { assertRegionAccess, assertStoreAccess, coversUser, regionsInScope, storesInScope } from '../auth/policy.ts';
import { signToken, verifyTokenSubject, type TokenKeys } from '../auth/tokens.ts';
import { forgetLoginFailures } from '../auth/login-failure-keys.ts';
import { badInput, DomainError, forbidden, notFound, unauthenticated } from '../errors.ts';
import { normalizeRegionCode } from '../regions/codes.ts';
import { getRegion } from '../regions/service.ts';
import { getStoreRow } from '../stores/service.ts';
import { firstRepeat, searchPattern, uuidArg, validate, idSchema } from '../validation.ts';
import type { ServiceContext } from '../context.ts';
import { auditedTransaction } from '../audit/log.ts';
import { claimIdempotencyKey, idempotencyConflict } from '../inventory/idempotency.ts';
import { idempotencyKeySchema } from '../inventory/common.ts';
import { stableId } from '../ids.ts';
import type { Clock } from '../clock.ts';
import type { CachedPrincipal, ReferenceCache } from '../reference-cache.ts';
import { cursorString, pageRequest, toPage, type PageArgs } from '../pagination.ts';

export type UserRow = typeof users.$inferSelect;

/**
 * A username, whatever its case (admin-auth sweep #10): names are unique regardless of case (migration 0020), so one
 * typed `Admin` — a phone keyboard's capital — finds the one account `admin`, and no `ADMIN` can stand beside it. The
 * login back-off keys usernames the same way (http/login-backoff.ts), so case variants share one count.
 */
const usernameIs = (username: string) => sql`lower(${users.username}) = lower(${username.trim()})`;

export async function login(db: Db, keys: TokenKeys, username: string, password: string) {
  const [user] = await db.select().from(users).where(usernameIs(username));
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  if (!user || !ok || !user.active) {
    throw new DomainError('UNAUTHENTICATED', '用户名或密码错误');
  }
  const { token, expiresAt } = await signToken(keys, user.id, user.credentialsVersion);
  return { token, expiresAt, user };
}

/** The principal for a token's user id (one statement); null when the user is gone or deactivated. */
export async function loadPrincipal(db: Db, userId: string): Promise<Principal | null> {
  return (await loadSession(db, userId))?.principal ?? null;
}

/** The principal and the credentials version its tokens must carry; null when the user is gone or deactivated. */
async function loadSession(db: Db, userId: string): Promise<CachedPrincipal | null> {
  const [row] = await db
    .select({ user: users, storeIds: sql<string[] | null>`array_remove(array_agg(${userStores.storeId}), NULL)` })
    .from(users)
    .leftJoin(userStores, eq(userStores.userId, users.id))
    .where(eq(users.id, userId))
    .groupBy(users.id);
  if (!row || !row.user.active) return null;
  const { user } = row;
  const principal: Principal = {
    id: user.id,
    username: user.username,
    role: user.role,
    regionCode: user.regionCode,
    storeIds: user.role === 'KEEPER' ? pgArray(row.storeIds) : [],
  };
  return { principal, credentialsVersion: user.credentialsVersion };
}

export const usersByIds = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(users)
    .where(inArray(users.id, [...ids]));
/** Each user's stores: the stockpiles they keep first, then the 安置点 they manage (D29), each by code — never by chance. */
export const storesOfUsers = (db: Db, userIds: readonly string[]) =>
  db
    .select({ userId: userStores.userId, store: stores })
    .from(userStores)
    .innerJoin(stores, eq(stores.id, userStores.storeId))
    .where(inArray(userStores.userId, [...userIds]))
    .orderBy(sql`${stores.kind} = 'DISTRIBUTION_POINT'`, asc(stores.code));

const userFields = {
  username: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9_.-]{3,64}$/, '用户名应为 3–64 位字母、数字或 _ . -'),
  displayName: z.string().trim().min(1, '姓名不能为空').max(64),
  password: passwordSchema(),
  role: z.enum(['ADMIN', 'DISPATCHER', 'KEEPER', 'AUDITOR']),
  regionCode: z.string().nullish(),
  storeIds: z.array(idSchema).max(100).nullish(),
  active: z.boolean(),
};
const createUserSchema = z.object({
  ...userFields,
  active: userFields.active.default(true),
  // Sweep 23c (retries): optional (API.md asks it of stock mutations only); given, 保存 sent again after a lost answer
  // answers the user first created instead of 「用户名已存在」.
  idempotencyKey: idempotencyKeySchema.nullish(),
});
const updateUserSchema = z.object(userFields).omit({ username: true }).partial();

/** An administrator's password is at least 12 characters (as README's ADMIN_PASSWORD); others' at least 8 (userFields). */
export const ADMIN_PASSWORD_MIN = 12;
function assertPasswordFor(role: Role, password: string | undefined, field = 'input.password') {
  if (role === 'ADMIN' && password !== undefined && password.length < ADMIN_PASSWORD_MIN) {
    throw badInput(field, `管理员密码至少 ${ADMIN_PASSWORD_MIN} 位`);
  }
}

/**
 * D24 (sweep 16a F3, F1): a password set, kept for good (password_sets, append-only). Whoever set an account's password
 * stays tied to it after its owner changes it (authority/queue.ts accountsTied), as its creator does; the alert of an
 * approval reads whose passwords were whose at its moment (paperwork/alerts.ts SHARED_CREDENTIALS).
 */
const recordPasswordSet = (tx: Db, userId: string, setBy: string, at: Date) => tx.insert(passwordSets).values({ userId, setBy, setAt: at });

/** A name taken regardless of case, found before the insert or by the unique index when two arrive at once. */
const usernameTaken = (username: string) => badInput('input.username', `用户名已存在（不区分大小写）：${username}`);
const isUsernameConflict = (error: unknown) => {
  const { code, constraint } = pgError(error);
  return code === '23505' && (constraint === 'users_username_lower_uq' || constraint === 'users_username_unique');
};

/** Scope is data: keepers need stores, dispatchers and auditors a region; an admin's region is optional. */
async function resolveScope(db: Db, actor: Principal, role: Role, regionCode: string | null | undefined, storeIds: readonly string[] | null | undefined) {
  if (role === 'KEEPER') {
    // Sweep-3 L6: a region given for a keeper is a mistake to say, not one to drop in silence (it was stored as nothing).
    if (regionCode) throw badInput('input.regionCode', '库管员的权限范围是仓库，不填区划');
    if (!storeIds?.length) throw badInput('input.storeIds', '库管员至少需要一个仓库');
    const repeat = firstRepeat(storeIds);
    if (repeat >= 0) throw badInput(`input.storeIds.${repeat}`, '同一仓库只能出现一次');
    const rows = [];
    for (const [i, id] of storeIds.entries()) {
      const store = await getStoreRow(db, id, `input.storeIds.${i}`);
      assertStoreAccess(actor, store, `input.storeIds.${i}`);
      rows.push(store);
    }
    return { regionCode: null, storeIds: rows.map((s) => s.id) };
  }
  if (storeIds?.length) throw badInput('input.storeIds', '只有库管员的权限范围是仓库');
  if (!regionCode) {
    if (role !== 'ADMIN') throw badInput('input.regionCode', '调度员和审计员须指定区划');
    if (actor.regionCode) throw badInput('input.regionCode', '须指定区划（您的权限限于本区划）');
    return { regionCode: null, storeIds: [] };
  }
  const region = await getRegion(db, regionCode, 'input.regionCode');
  assertRegionAccess(actor, region.code, `区划「${region.name}」`, 'input.regionCode');
  return { regionCode: region.code, storeIds: [] };
}

export async function createUser(ctx: ServiceContext, input: unknown): Promise<UserRow> {
  const { db, actor } = ctx;
  const v = validate(createUserSchema, input);
  assertPasswordFor(v.role, v.password);
  const scope = await resolveScope(db, actor, v.role, v.regionCode, v.storeIds);
  const id = v.idempotencyKey ? stableId('user', `${actor.id}/${v.idempotencyKey}`) : undefined;
  if (id && v.idempotencyKey) {
    const first = await replayedUser(ctx, v, v.idempotencyKey, id);
    if (first) return first;
  }
  const [dup] = await db.select({ id: users.id }).from(users).where(usernameIs(v.username));
  if (dup) throw usernameTaken(v.username);
  const passwordHash = await hashPassword(v.password);
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(users)
        .values({
          ...(id && { id }),
          username: v.username,
          displayName: v.displayName,
          passwordHash,
          role: v.role,
          regionCode: scope.regionCode,
          active: v.active,
          createdBy: actor.id,
        })
        .returning();
      if (scope.storeIds.length) await tx.insert(userStores).values(scope.storeIds.map((storeId) => ({ userId: row.id, storeId })));
      // D24: the creator chose the password, and knows it: tied to the account for good (accountsTied).
      await recordPasswordSet(tx, row.id, actor.id, ctx.clock.now().toJSDate());
      return row;
    });
  } catch (error) {
    // Two creating the same name at once: the unique index refuses the second.
    if (isUsernameConflict(error)) throw usernameTaken(v.username);
    throw error;
  }
}

/**
 * Sweep 23c (retries): createIncident's mechanism (server/inventory/idempotency.ts) — the same key and input answer the
 * user first created (audited REPLAYED), other input IDEMPOTENCY_CONFLICT; claimed in the mutation's transaction after
 * the scope checks, before the username check (the first call's own user would refuse its retry). The password is
 * compared with the account's hash, never hashed into the key's row (an unsalted digest of it would sit beside the
 * username): one typed differently is other input. Keys are the caller's: another administrator's same key is a
 * request of their own, and the user answered is one the caller's scope still covers. Returns null when claimed.
 */
async function replayedUser(ctx: ServiceContext, v: z.output<typeof createUserSchema>, key: string, id: string): Promise<UserRow | null> {
  const { db, actor } = ctx;
  const claim = { kind: 'createUser', key, resultName: 'userId' as const };
  const firstId = await claimIdempotencyKey(db, {
    ...claim,
    actorId: actor.id,
    input: { ...v, password: undefined },
    resultId: id,
    at: ctx.clock.now().toJSDate(),
  });
  if (!firstId) return null;
  const [first] = await db.select().from(users).where(eq(users.id, firstId));
  if (!first) throw notFound('input.idempotencyKey', '用户', firstId);
  await assertUserInScope(db, actor, first);
  if (!(await verifyPassword(first.passwordHash, v.password))) throw idempotencyConflict(claim, first.id);
  return first;
}

/** An administrator scoped to a region manages only the users whose scope lies inside it (policy: coversUser). */
async function assertUserInScope(db: Db, actor: Principal, user: UserRow) {
  if (!coversUser(actor, user, await storesOfUser(db, user))) throw forbidden('该用户');
}

/** The stores a keeper holds (none for other roles): what coversUser weighs. */
const storesOfUser = async (db: Db, user: { id: string; role: Role }) =>
  user.role === 'KEEPER' ? (await storesOfUsers(db, [user.id])).map((r) => r.store) : [];

/**
 * D24: no one changes their own role or scope — an administrator would otherwise widen or move their own authority
 * alone. Another administrator does it. A value equal to the current one is no change and passes.
 */
function assertNotOwnScope(current: UserRow, v: { role?: Role; regionCode?: string | null; storeIds?: readonly string[] | null }) {
  const refuse = (field: string, what: string) => new DomainError('FORBIDDEN', `不相容岗位分离：不能更改自己的${what}，须由另一位管理员办理`, { field });
  if (v.role !== undefined && v.role !== current.role) throw refuse('input.role', '角色');
  const regionCode = v.regionCode ? normalizeRegionCode(v.regionCode, 'input.regionCode') : v.regionCode === undefined ? current.regionCode : null;
  if (regionCode !== current.regionCode) throw refuse('input.regionCode', '权限区划');
  if (v.storeIds?.length) throw refuse('input.storeIds', '仓库范围');
}

export async function updateUser(ctx: ServiceContext, id: string, input: unknown): Promise<UserRow> {
  const { db, actor } = ctx;
  const v = validate(updateUserSchema, input);
  if (Object.values(v).every((x) => x === undefined)) throw badInput('input', '没有要修改的内容');
  uuidArg(id, 'id', '用户');
  const [current] = await db.select().from(users).where(eq(users.id, id));
  if (!current) throw notFound('id', '用户', id);
  await assertUserInScope(db, actor, current);
  if (actor.id === id) assertNotOwnScope(current, v);
  const scopeChanged = v.role !== undefined || v.regionCode !== undefined || v.storeIds !== undefined;
  const role = v.role ?? current.role;
  // The region the new scope is resolved from: the one given, else the current one — none for a keeper (L6: a region
  // given for a keeper is refused; one left from a former role is not the caller's to answer for).
  const regionCode = v.regionCode !== undefined ? v.regionCode : role === 'KEEPER' ? null : current.regionCode;
  const currentStores =
    scopeChanged && v.storeIds === undefined && role === 'KEEPER'
      ? (await db.select().from(userStores).where(eq(userStores.userId, id))).map((s) => s.storeId)
      : undefined;
  const scope = scopeChanged ? await resolveScope(db, actor, role, regionCode, v.storeIds ?? currentStores) : undefined;
  if (actor.id === id && v.active === false) throw badInput('input.active', '不能停用自己的账号');
  // Sweep 7c M4: one's own password is changed proving the current one (changePassword); set here, a stolen session
  // would take the account over and end its owner's sessions.
  if (actor.id === id && v.password !== undefined) throw badInput('input.password', '修改自己的密码请用「修改密码」，须输入原密码');
  // Sweep-3 M2: an administrator's password is at least 12 characters; the one a user kept from a lesser role may be
  // shorter, and stored hashed it cannot be checked. A promotion to ADMIN therefore sets a new password in the same call.
  if (role === 'ADMIN' && current.role !== 'ADMIN' && (v.password ?? '').length < ADMIN_PASSWORD_MIN) {
    throw badInput('input.password', `提升为管理员须同时设置不少于 ${ADMIN_PASSWORD_MIN} 位的新密码`);
  }
  assertPasswordFor(role, v.password);
  const passwordHash = v.password ? await hashPassword(v.password) : undefined;
  // A password set or reset, or a reactivation, ends every session before it (tokens of the older version are refused).
  const credentialsChanged = passwordHash ? sql`1` : v.active === true ? sql`CASE WHEN ${users.active} THEN 0 ELSE 1 END` : undefined;
  return db.transaction(async (tx) => {
    // D22, D31 (sweep 24b F1): the name a rename replaces is kept with the instant it ends, so that the documents,
    // approvals and distributions of before name the person who handled them then (users/names.ts userNameAt).
    if (v.displayName !== undefined) {
      await tx.execute(
        sql`INSERT INTO ${userNameHistory} (user_id, display_name, until, changed_by)
            SELECT u.id, u.display_name, ${ctx.clock.now().toJSDate().toISOString()}::timestamptz, ${actor.id}::uuid
              FROM ${users} u WHERE u.id = ${id}::uuid AND u.display_name <> ${v.displayName}`,
      );
    }
    const [row] = await tx
      .update(users)
      .set({
        displayName: v.displayName,
        passwordHash,
        role: v.role,
        regionCode: scope?.regionCode,
        active: v.active,
        credentialsVersion: credentialsChanged && sql`${users.credentialsVersion} + ${credentialsChanged}`,
      })
      .where(eq(users.id, id))
      .returning();
    // D24: whoever sets a password knows it — tied to the account for good, not only while it lasts.
    if (passwordHash) await recordPasswordSet(tx, id, actor.id, ctx.clock.now().toJSDate());
    if (scope) {
      await tx.delete(userStores).where(eq(userStores.userId, id));
      if (scope.storeIds.length) await tx.insert(userStores).values(scope.storeIds.map((storeId) => ({ userId: id, storeId })));
    }
    // A password set, or the account reactivated, by an administrator lifts a lock anyone could have set by guessing.
    if (passwordHash || v.active === true) await forgetLoginFailures(tx, row);
    return row;
  });
}

const changePasswordSchema = z.object({
  oldPassword: z.string().min(1, '请填写原密码').max(256),
  newPassword: passwordSchema('新密码'),
});

/**
 * 修改密码 (sweep-3 L9): any signed-in user sets their own password, proving it with the current one — an administrator
 * too (updateUser sets another's password and asks for none). The new one follows the rule of the user's role (an
 * administrator's at least 12 characters). Like a password set by an administrator it ends every earlier session of the
 * user, on every device (the credentials version moves on); the caller's own goes on under the token answered here.
 * D24: the user now alone knows the password; whoever set an earlier one stays tied to the account all the same (sweep
 * 16a F3: the one who reset it could have signed in and made this change itself), and an approval decided before it
 * keeps its SHARED_CREDENTIALS alert (F1). The change is recorded as the others are (recordPasswordSet).
 * A wrong current password is BAD_USER_INPUT at oldPassword, audited as every refusal is (D22; passwords masked).
 */
export async function changePassword(ctx: ServiceContext, keys: TokenKeys, input: { oldPassword: string; newPassword: string }) {
  const { db, actor } = ctx;
  const v = validate(changePasswordSchema, input, '');
  // Locked: a second change at the same moment checks its current password against the password this one sets.
  const [user] = await db.select().from(users).where(eq(users.id, actor.id)).for('update');
  if (!user?.active) throw unauthenticated(true); // authenticate let no such session through; a guard only
  if (!(await verifyPassword(user.passwordHash, v.oldPassword))) throw badInput('oldPassword', '原密码不正确');
  assertPasswordFor(user.role, v.newPassword, 'newPassword');
  if (v.newPassword === v.oldPassword) throw badInput('newPassword', '新密码不能与原密码相同');
  const passwordHash = await hashPassword(v.newPassword);
  const [row] = await db
    .update(users)
    .set({ passwordHash, credentialsVersion: sql`${users.credentialsVersion} + 1` })
    .where(eq(users.id, actor.id))
    .returning();
  await recordPasswordSet(db, actor.id, actor.id, ctx.clock.now().toJSDate());
  const { token, expiresAt } = await signToken(keys, row.id, row.credentialsVersion);
  return { token, expiresAt, user: row };
}

/**
 * 退出 (logout): ends every session of the signed-in user, on every device — their credentials version moves on, so a
 * token copied before leaving a shared duty-room PC (or kept in a proxy log) is refused from now on (authenticate).
 */
export async function logout(ctx: ServiceContext): Promise<boolean> {
  await ctx.db
    .update(users)
    .set({ credentialsVersion: sql`${users.credentialsVersion} + 1` })
    .where(eq(users.id, ctx.actor.id));
  return true;
}

/**
 * The users an administrator manages, by username: all of them for a system-wide administrator; for a regional one
 * those whose region lies in theirs, and keepers all of whose stores lie in it — coversUser, the rule updateUser
 * applies (sweep-3 L7: a keeper holding a store outside the region was listed, then refused when edited).
 */
export async function listUsers(ctx: ServiceContext, filter: { role?: Role | null; search?: string | null }, page: PageArgs) {
  const { db, actor } = ctx;
  const pattern = searchPattern(filter.search);
  const req = pageRequest(page, 'users', ['text']);
  const heldStores = (inScope: SQL) => sql`EXISTS (SELECT 1 FROM ${userStores} JOIN ${stores} ON ${stores.id} = ${userStores.storeId}
    WHERE ${userStores.userId} = ${users.id} AND ${inScope})`;
  const inScope = storesInScope(actor, stores.id, stores.regionCode);
  const admitted = or(regionsInScope(actor, users.regionCode), heldStores(inScope));
  // Keepers admitted for a store in scope who hold another outside it: coversUser decides which of them the actor
  // manages (SQL only finds the few to ask about; for a system-wide administrator there are none).
  const straddling = await db
    .select()
    .from(users)
    .where(and(admitted, eq(users.role, 'KEEPER'), heldStores(sql`NOT (${inScope})`)));
  const straddlingIds = straddling.map((u) => u.id);
  const held = straddlingIds.length ? await storesOfUsers(db, straddlingIds) : [];
  const storesOf = (userId: string) => held.filter((h) => h.userId === userId).map((h) => h.store);
  const notCovered = straddling.filter((u) => !coversUser(actor, u, storesOf(u.id))).map((u) => u.id);
  const where: (SQL | undefined)[] = [
    admitted,
    notCovered.length ? notInArray(users.id, notCovered) : undefined,
    filter.role ? eq(users.role, filter.role) : undefined,
    pattern ? sql`(${users.username} ILIKE ${pattern} OR ${users.displayName} ILIKE ${pattern})` : undefined,
  ];
  const after = cursorString(req);
  const rows = await db
    .select()
    .from(users)
    .where(and(...where, after === null ? undefined : sql`${users.username} > ${after}`))
    .orderBy(asc(users.username))
    .limit(req.limit + 1);
  return toPage(
    rows,
    req,
    (u) => [u.username],
    async () =>
      (
        await db
          .select({ n: count() })
          .from(users)
          .where(and(...where))
      )[0].n,
  );
}

/** The first administrator outside the demo data (ADMIN_USERNAME/ADMIN_PASSWORD or `npm run create-admin`). */
export async function ensureAdministrator(db: Db, clock: Clock, username: string, password: string, source: AdministratorSource): Promise<boolean> {
  const [existing] = await db.select({ id: users.id }).from(users).where(usernameIs(username));
  if (existing) return false;
  const v = validate(createUserSchema.pick({ username: true, password: true }), { username, password });
  assertPasswordFor('ADMIN', v.password);
  const passwordHash = await hashPassword(v.password);
  // D22: no actor signs this change (it is made at the server's console), so the row names where it came from.
  const entry = {
    at: clock.now().toJSDate(),
    userId: null,
    username: null,
    role: null,
    regionCode: null,
    operation: 'createAdministrator',
    input: { username: v.username, source },
    message: null,
  };
  // Two starts on one PostgreSQL (or a start and create-admin) may both find no such user: the second insert finds the
  // first one's row and makes nothing — rolled back with its audit row — rather than stopping start-up on the unique key.
  return auditedTransaction(db, entry, async (tx) => {
    const made = await tx
      .insert(users)
      .values({ username: v.username, displayName: '系统管理员', passwordHash, role: 'ADMIN' })
      .onConflictDoNothing()
      .returning({ id: users.id });
    if (!made.length) throw new AlreadyThere();
    return true;
  }).catch((e: unknown) => {
    if (e instanceof AlreadyThere) return false;
    throw e;
  });
}

/** ensureAdministrator's insert found the user made meanwhile: nothing to make, nothing to audit. */
class AlreadyThere extends Error {}

/** How an administrator was made outside the API: `npm run create-admin`, or ADMIN_USERNAME at start-up. */
export type AdministratorSource = 'create-admin' | 'ADMIN_USERNAME';

/**
 * The principal of an `Authorization: Bearer <token>` header; null when absent, invalid, expired or deactivated, or
 * issued before the user's password was last set or the user reactivated (its credentials version is not the user's).
 * The version is compared on every request: the principal held in memory is dropped when users changes (NOTIFY).
 */
export async function authenticate(db: Db, keys: TokenKeys, authorization: string | null | undefined, reference?: ReferenceCache): Promise<Principal | null> {
  const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
  const subject = token ? await verifyTokenSubject(keys, token) : undefined;
  if (!subject) return null;
  const { userId } = subject;
  const session = reference ? await reference.principal(userId, () => loadSession(db, userId)) : await loadSession(db, userId);
  return session && session.credentialsVersion === subject.credentialsVersion ? session.principal : null;
}
