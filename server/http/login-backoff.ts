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

/**
 * How long (real time) an attempt held back only by attempts in flight waits for their outcome, and how often it looks
 * again. A password check takes well under a second: eight correct logins of one user at once (a script, a client's
 * parallel requests) all pass — they were refused 「登录失败次数过多」 though none failed (sweep 25b F4) —, while
 * concurrent wrong guesses still cannot slip in under the threshold: those waiting are admitted only as the ones in
 * flight end, and refused by the lock once their failures set it (sweep 11b B4). Not the injectable clock: this is
 * the time requests take, not a date (the clock's time decides locks and windows).
 */
const IN_FLIGHT_WAIT_MS = 5_000;
const IN_FLIGHT_POLL_MS = 50;

/** Admits an attempt (LoginAttempts.begin), waiting up to IN_FLIGHT_WAIT_MS while only attempts in flight hold it back. */
async function admitted(attempts: LoginAttempts, keys: readonly LoginKey[], policy: LoginBackoffPolicy, ctx: Context) {
  const started = performance.now();
  let answer = await attempts.begin(keys, policy, ctx.clock.now().toMillis());
  while (answer.wait > 0 && answer.pending && performance.now() - started < IN_FLIGHT_WAIT_MS) {
    await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_POLL_MS));
    answer = await attempts.begin(keys, policy, ctx.clock.now().toMillis());
  }
  return answer;
}

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
      const { wait, heldBy, pending } = await admitted(attempts, keys, policy, ctx);
      if (wait > 0) {
        // Told what holds it back (sweep 17c F9): the user's own failures, or only the address's — an office behind one
        // network address, many users' failures — so that a user locked by others' failures does not blame their own.
        // Held back only by attempts still in flight (sweep 25b F4), none of which failed yet: too many at once.
        const byAddress = heldBy.every((k) => k === address);
        const cause = pending
          ? `${byAddress ? '此网络地址' : ''}${name === 'login' ? '登录' : '修改密码'}请求过于频繁（同时进行的尝试过多）`
          : `${byAddress ? '此网络地址登录失败' : name === 'login' ? '登录失败' : '原密码错误'}次数过多`;
        const refusal = rateLimited(`${cause}，请 ${wait} 秒后再试`, wait);
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
