import { builder } from './builder.ts';
import { serviceContext } from './resolve.ts';
import { Region } from './regions.ts';
import { Store } from './stores.ts';
import { changePassword, createUser, listUsers, login, logout, updateUser, type UserRow } from '../server/users/service.ts';
import { connectionType } from './connection.ts';
import { noteCreated } from '../server/audit/log.ts';

export const Role = builder.enumType('Role', { values: ['ADMIN', 'DISPATCHER', 'KEEPER', 'AUDITOR'] as const });

export const User = builder.objectRef<UserRow>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    username: t.exposeString('username'),
    displayName: t.exposeString('displayName'),
    role: t.expose('role', { type: Role }),
    active: t.exposeBoolean('active'),
    region: t.field({
      type: Region,
      nullable: true,
      description: 'The region subtree of the scope (null for keepers and for a system-wide administrator)',
      resolve: (u, _a, ctx) => (u.regionCode ? ctx.loaders.region.load(u.regionCode) : null),
    }),
    stores: t.field({
      type: [Store],
      description: 'For keepers: the stores they work at',
      resolve: async (u, _a, ctx) => (await ctx.loaders.userStores.load(u.id)).map((r) => r.store),
    }),
  }),
});

const AuthPayload = builder.objectRef<{ token: string; expiresAt: Date; user: UserRow }>('AuthPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token'),
    expiresAt: t.field({ type: 'DateTime', resolve: (p) => p.expiresAt }),
    user: t.field({ type: User, resolve: (p) => p.user }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({
    type: User,
    nullable: true,
    authScopes: { authenticated: true },
    description: "The signed-in user: name, role and scope (a region, or a keeper's stores)",
    resolve: async (_r, _a, ctx) => await ctx.loaders.user.load(ctx.user!.id),
  }),
  users: t.field({
    type: connectionType('User', User),
    authScopes: { roles: ['ADMIN'] },
    description: 'The users an administrator manages (a regional administrator: those scoped inside the region), by username',
    args: { role: t.arg({ type: Role }), search: t.arg.string(), first: t.arg.int(), after: t.arg.string() },
    resolve: (_r, args, ctx) => listUsers(serviceContext(ctx), { role: args.role, search: args.search }, args),
  }),
}));

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    username: t.string({ required: true }),
    displayName: t.string({ required: true }),
    password: t.string({ required: true }),
    role: t.field({ type: Role, required: true }),
    regionCode: t.string({ description: 'Scope for dispatchers, auditors and regional administrators' }),
    storeIds: t.idList({ description: 'Scope for keepers' }),
    active: t.boolean(),
    idempotencyKey: t.string({
      description:
        'Optional (sweep 23c): the same key with the same input (password included) answers the user first created (a retry after a lost answer is not refused as a taken username); with other input IDEMPOTENCY_CONFLICT',
    }),
  }),
});

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  fields: (t) => ({
    displayName: t.string(),
    password: t.string(),
    role: t.field({ type: Role }),
    regionCode: t.string(),
    storeIds: t.idList(),
    active: t.boolean(),
  }),
});

builder.mutationFields((t) => ({
  login: t.field({
    type: AuthPayload,
    authScopes: { public: true },
    description:
      'Signs in with username and password (open to everyone); returns a bearer token and its expiry. A wrong password or an inactive account: UNAUTHENTICATED',
    args: { username: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => login(ctx.db, { secret: ctx.config.jwtSecret, ttlHours: ctx.config.tokenTtlHours }, args.username, args.password),
  }),
  logout: t.boolean({
    description: '退出：结束本人在所有设备上的会话（之前签发的令牌一律失效）',
    authScopes: { authenticated: true },
    resolve: (_r, _a, ctx) => logout(serviceContext(ctx)),
  }),
  changePassword: t.field({
    type: AuthPayload,
    description: '修改密码：本人凭原密码设置新密码（管理员至少 12 位，其他角色至少 8 位）；本人之前的会话一律结束，返回本会话继续使用的新令牌',
    authScopes: { authenticated: true },
    args: { oldPassword: t.arg.string({ required: true }), newPassword: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => changePassword(serviceContext(ctx), { secret: ctx.config.jwtSecret, ttlHours: ctx.config.tokenTtlHours }, args),
  }),
  createUser: t.field({
    type: User,
    authScopes: { roles: ['ADMIN'] },
    description:
      "Creates a user within the administrator's scope (administrators): keepers scoped to stores, dispatchers and auditors to a region, administrators to a region or none; passwords of at least 12 characters for administrators, 8 for others",
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const user = await createUser(serviceContext(ctx), { ...input, storeIds: input.storeIds?.map(String), active: input.active ?? undefined });
      // D22 (sweep 24b F2): the row says which account it made (later rows name it by this id).
      noteCreated(ctx.audit, { userId: user.id });
      return user;
    },
  }),
  updateUser: t.field({
    type: User,
    authScopes: { roles: ['ADMIN'] },
    description:
      "D24: changes a user whose scope the administrator's covers (name, password, role, scope, active); a password set or a reactivation ends the user's sessions. One's own role and scope are changed by another administrator, one's own password by changePassword",
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateUserInput, required: true }) },
    resolve: (_r, { id, input }, ctx) => updateUser(serviceContext(ctx), String(id), { ...input, storeIds: input.storeIds?.map(String) }),
  }),
}));
