import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import type { Context } from '../context.ts';
import type { LoginBackoffPolicy } from '../config.ts';
import { domainErrorOf } from './errors.ts';
import { rateLimited } from '../errors.ts';
import { auditRefusal } from './audited-mutations.ts';
import type { LoginAttempts, LoginKey } from './login-attempts.ts';
import { loginFailureKey, passwordChangeFailureKey } from '../auth/login-failure-keys.ts';

// API.md The edge: repeated failed logins are answered RATE_LIMITED, per username and per client address, with a
// back-off that grows, counted in the database for every API process (login-attempts.ts). The guard wraps the audited
// resolver (audited-mutations.ts): the count is read and written outside the mutation's transaction, whose rollback
// must not undo a failure (and on PGlite, one connection, a statement beside an open transaction would wait for it).
// Its own refusal is audited like any other (D22).

/** What the guard needs from the request; app.ts puts it on the context. */
export interface LoginAttemptSource {
  attempts: LoginAttempts;
  policy: LoginBackoffPolicy;
  clientAddress: string;
}

// A symbol-keyed property survives the audit wrapper's `{ ...ctx, db: tx }` and stays out of the typed Context.
const SOURCE = Symbol('login attempt source');

export function withLoginAttemptSource<C extends object>(ctx: C, source: LoginAttemptSource): C {
  return Object.assign(ctx, { [SOURCE]: source });
}

const wrapped = new WeakSet<GraphQLSchema>();

/**
 * The mutations that check a password a caller types, with the keys their failures count under and what a failure is:
 * a login by the username tried (UNAUTHENTICATED), and 修改密码 by the signed-in user (a wrong current password,
 * BAD_USER_INPUT at oldPassword) — else a stolen session could guess the password it does not know, at full speed.
 * Both by the client address too.
 */
const GUARDED: Record<string, { keyOf: (args: Record<string, unknown>, ctx: Context) => string; failed: (error: unknown) => boolean }> = {
  login: {
    keyOf: (args) => loginFailureKey(String(args.username ?? '')),
    failed: (error) => domainErrorOf(error)?.code === 'UNAUTHENTICATED',
  },
  changePassword: {
    keyOf: (_args, ctx) => passwordChangeFailureKey(ctx.user?.id ?? ''),
    failed: (error) => {
      const e = domainErrorOf(error);
      return e?.code === 'BAD_USER_INPUT' && e.details.field === 'oldPassword';
    },
  },
};

/** Wraps Mutation.login and Mutation.changePassword with the back-off; call after auditMutations (it wraps the audited resolvers). */
export function guardLogins(schema: GraphQLSchema): GraphQLSchema {
  if (wrapped.has(schema)) return schema;
  wrapped.add(schema);
  for (const [name, guard] of Object.entries(GUARDED)) {
    const field = schema.getMutationType()?.getFields()[name];
    const resolve = field?.resolve as GraphQLFieldResolver<unknown, Context> | undefined;
    if (!field || !resolve) throw new Error(`guardLogins: the schema has no Mutation.${name} resolver`);
    field.resolve = async (root, args: Record<string, unknown>, ctx: Context, info) => {
      const source = (ctx as { [SOURCE]?: LoginAttemptSource })[SOURCE];
      if (!source) return resolve(root, args, ctx, info); // a context built outside the HTTP edge
      const { attempts, policy, clientAddress } = source;
      const address = `login-addr:${clientAddress}`;
      const keys: LoginKey[] = [
        { key: guard.keyOf(args, ctx), maxFailures: policy.maxFailuresPerUsername, clearedBySuccess: true },
        // A success leaves the address's count as it was: one valid account must not reset it.
        { key: address, maxFailures: policy.maxFailuresPerAddress },
      ];
      // While locked, even the right password is refused: it is not even checked.
      const { wait, heldBy } = await attempts.begin(keys, policy, ctx.clock.now().toMillis());
      if (wait > 0) {
        // Told what holds it back (sweep 17c F9): the user's own failures, or only the address's — an office behind one
        // network address, many users' failures — so that a user locked by others' failures does not blame their own.
        const cause = heldBy.every((k) => k === address) ? '此网络地址登录失败' : name === 'login' ? '登录失败' : '原密码错误';
        const refusal = rateLimited(`${cause}次数过多，请 ${wait} 秒后再试`, wait);
        await auditRefusal(ctx, name, args, refusal);
        throw refusal;
      }
      let result: unknown;
      try {
        result = await resolve(root, args, ctx, info);
      } catch (error) {
        // Only a wrong password counts; a failure of ours (the database, say) changes nothing.
        await attempts.end(keys, guard.failed(error) ? 'FAILED' : 'VOID', policy, ctx.clock.now().toMillis());
        throw error;
      }
      // A success clears the user's failures and leaves the address's as they were (never locks anything).
      await attempts.end(keys, 'SUCCEEDED', policy, ctx.clock.now().toMillis());
      return result;
    };
  }
  return schema;
}
