import type { ServiceContext } from '../server/context.ts';
import { AUDIT_OK, auditRegion, auditSubject, recordAudit, withPendingAudit, type PendingAudit } from '../server/audit/log.ts';

/**
 * D22: a demo operation is journaled like the mutation it stands for — run in one transaction with its audit row,
 * through the same writer (a ledger post writes the row in its own statement; a replay is REPLAYED), so that
 * 审计日志 answers "who approved the demo stocktake" as it would for a change made through the API.
 */
export async function audited<P, T>(ctx: ServiceContext, operation: string, service: (ctx: ServiceContext, params: P) => Promise<T>, params: P): Promise<T> {
  const { actor, clock } = ctx;
  const args = { input: params };
  const regionCode = await auditRegion(ctx.db, actor, null);
  return ctx.db.transaction(async (tx) => {
    const audit: PendingAudit = {
      entry: {
        at: clock.now().toJSDate(),
        userId: actor.id,
        username: actor.username,
        role: actor.role,
        regionCode,
        subject: auditSubject(operation, args),
        operation,
        input: args,
        outcome: AUDIT_OK,
        message: null,
      },
      written: false,
    };
    const result = await withPendingAudit(audit, () => service({ ...ctx, db: tx, audit }, params));
    if (!audit.written) await recordAudit(tx, audit.entry);
    return result;
  });
}
