import type { GraphQLFieldResolver, GraphQLSchema } from 'graphql';
import type { Context } from '../context.ts';
import { createLoaders } from '../loaders.ts';
import { pgError } from '../../drizzle/client.ts';
import { auditedTransaction, auditRegion, auditSubject, recordAudit, type AuditEntry } from '../audit/log.ts';
import { domainErrorOf, MASKED_MESSAGE } from './errors.ts';

const wrapped = new WeakSet<GraphQLSchema>();

/** A serialization failure or deadlock: the whole mutation is tried again (its transaction rolled back). */
const RETRYABLE = new Set(['40001', '40P01']);
const ATTEMPTS = 3;

/**
 * Ledger posts write no reference data (users, stores, items, reasons). Every other mutation drops this process's
 * reference cache once it has committed, so that the next request here sees its change at once; other processes
 * hear of it through the database (reference-cache.ts).
 */
const POSTS = new Set(['receiveStock', 'issueStock', 'scrapStock', 'shipTransfer', 'receiveTransfer', 'cancelTransfer', 'submitStocktake', 'reverseDocument']);

/**
 * D22: every mutation field runs in one transaction that also writes its audit row, so a committed change always
 * has its row and an audit row never describes a change that did not commit. A refusal rolls the transaction back
 * and is audited on its own. The resolver sees the transaction as `ctx.db` with loaders bound to it; nested fields
 * of the result resolve after the commit, with the request's own loaders.
 */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  if (wrapped.has(schema)) return schema;
  wrapped.add(schema);
  const mutation = schema.getMutationType();
  // No instanceof: graphql may be loaded twice (ESM and CJS copies) and its classes then differ.
  if (!mutation) return schema;
  for (const field of Object.values(mutation.getFields())) {
    const resolve = field.resolve as GraphQLFieldResolver<unknown, Context> | undefined;
    if (!resolve) continue;
    field.resolve = async (root, args, ctx: Context, info) => {
      const entry = await auditEntry(ctx, info.fieldName, args);
      const attempt = () =>
        auditedTransaction(ctx.database.db, entry, (tx, audit) =>
          Promise.resolve(resolve(root, args, { ...ctx, db: tx, loaders: createLoaders(tx), audit }, info)),
        );
      try {
        let result: unknown;
        for (let n = 1; ; n++) {
          try {
            result = await attempt();
            break;
          } catch (error) {
            const { code } = pgError(error);
            if (!(code && RETRYABLE.has(code) && n < ATTEMPTS)) throw error;
          }
        }
        if (!POSTS.has(info.fieldName)) ctx.reference.invalidate();
        return result;
      } catch (error) {
        // What the rolled-back transaction read into the cache may not exist.
        ctx.reference.invalidate();
        const domain = domainErrorOf(error);
        await recordAudit(ctx.database.db, {
          ...entry,
          outcome: domain?.code ?? 'INTERNAL_SERVER_ERROR',
          // Auditors read this: the user's message for a refusal, never the internals of an unexpected error.
          message: domain?.message ?? MASKED_MESSAGE,
        }).catch((auditError) => ctx.log.error('audit write failed', { operation: info.fieldName, error: String(auditError) }));
        throw error;
      }
    };
  }
  return schema;
}

async function auditEntry(ctx: Context, operation: string, args: Record<string, unknown>): Promise<Omit<AuditEntry, 'outcome'>> {
  const user = ctx.user;
  const loginName = operation === 'login' && typeof args.username === 'string' ? args.username : null;
  return {
    at: ctx.clock.now().toJSDate(),
    userId: user?.id ?? null,
    username: user?.username ?? loginName,
    role: user?.role ?? null,
    regionCode: user
      ? await ctx.reference.auditRegion(user.id, () => auditRegion(ctx.database.db, user, null))
      : await auditRegion(ctx.database.db, null, loginName),
    // D22: and what it acted on, whose region's auditors read the row too.
    subject: auditSubject(operation, args),
    operation,
    input: args,
    message: null,
  };
}
