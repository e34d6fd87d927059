import type { ServiceContext } from '../server/context.ts';
import { auditedTransaction, auditRegion, auditSubject } from '../server/audit/log.ts';

/**
 * D22: a demo operation is journaled like the mutation it stands for — run in one transaction with its audit row,
 * through the same writer (a ledger post writes the row in its own statement; a replay is REPLAYED), so that
 * 审计日志 answers "who approved the demo stocktake" as it would for a change made through the API.
 */
export async function audited<P, T>(
  ctx: ServiceContext,
  operation: string,
  service: (ctx: ServiceContext, params: P) => Promise<T>,
  params: P,
  /** The mutation's arguments as the audit row names them: `{ input }` unless the mutation takes others (a plan's id). */
  args: Record<string, unknown> = { input: params },
): Promise<T> {
  const { actor, clock } = ctx;
  const entry = {
    at: clock.now().toJSDate(),
    userId: actor.id,
    username: actor.username,
    role: actor.role,
    regionCode: await auditRegion(ctx.db, actor),
    subject: auditSubject(operation, args),
    operation,
    input: args,
    message: null,
  };
  return auditedTransaction(ctx.db, entry, (tx, audit) => service({ ...ctx, db: tx, audit }, params));
}
