import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { queryRows } from '../../drizzle/client.ts';
import { forbidden, invalidState } from '../errors.ts';
import { stableId } from '../ids.ts';
import { validate, idSchema } from '../validation.ts';
import { idempotencyKeySchema, storeForPosting } from '../inventory/common.ts';
import { lockBalances, writeDocument, type LineDraft, type MovementDraft } from '../inventory/posting.ts';
import { requestHash } from '../inventory/rules.ts';
import { claimIdempotencyKey } from '../inventory/idempotency.ts';
import { getPlanInScope, type PlanView } from './plans.ts';
import type { ServiceContext } from '../context.ts';

export type RecoveryRule = { kind: 'ALWAYS' } | { kind: 'WITHIN_MONTHS'; months: number } | { kind: 'NEVER' };

/** D12: always recovered; recovered if used less than N months; or consumed. Pure. */
export function isRecovered(rule: RecoveryRule, arrivedAt: Date, now: Date): boolean {
  if (rule.kind === 'ALWAYS') return true;
  if (rule.kind === 'NEVER') return false;
  const usedMonths = DateTime.fromJSDate(now).diff(DateTime.fromJSDate(arrivedAt), 'months').months;
  return usedMonths < rule.months;
}

const recoverySchema = z.object({
  planId: idSchema,
  toStoreId: idSchema,
  idempotencyKey: idempotencyKeySchema,
});

/**
 * After the incident (D12): at each distribution point of the plan, returnable stock (per the item's rule) is booked
 * back into a store (回收单) and the rest is recorded as distributed to the affected people (出库单), in one transaction.
 */
export async function recoverIncidentStock(ctx: ServiceContext, input: unknown): Promise<PlanView> {
  const { db, actor: user, clock } = ctx;
  if (user.role !== 'ADMIN' && user.role !== 'DISPATCHER') throw forbidden('调度');
  const v = validate(recoverySchema, input);
  const plan = await getPlanInScope(db, user, v.planId, 'input.planId');
  const to = await storeForPosting(db, user, v.toStoreId, 'input.toStoreId');
  if (plan.status !== 'EXECUTING' && plan.status !== 'COMPLETED')
    throw invalidState(`调拨方案状态为 ${plan.status}，尚无可回收的物资`, { status: plan.status });
  const points = plan.destinations.map((d) => d.storeId!);
  const now = clock.now().toJSDate();
  await db.transaction(async (tx) => {
    const { idempotencyKey, ...request } = v;
    // The same key again: already recovered (the same key for another request: IDEMPOTENCY_CONFLICT).
    if (
      await claimIdempotencyKey(tx, {
        kind: 'recoverIncidentStock',
        actorId: user.id,
        key: idempotencyKey,
        input: request,
        resultId: plan.id!,
        resultName: 'planId',
        at: now,
      })
    )
      return;
    const held = await queryRows<Record<string, unknown>>(
      tx,
      sql`SELECT bal.store_id, bal.batch_id, bal.item_id, bal.on_hand - bal.reserved AS quantity, i.recovery_kind, i.recovery_months,
                 (SELECT min(m.occurred_at) FROM movements m WHERE m.store_id = bal.store_id AND m.batch_id = bal.batch_id
                     AND m.type IN ('TRANSFER_IN', 'RECEIPT') AND m.quantity > 0) AS arrived_at
            FROM balances bal JOIN stores s ON s.id = bal.store_id JOIN items i ON i.id = bal.item_id
           WHERE bal.store_id IN (${sql.join(
             points.map((p) => sql`${p}::uuid`),
             sql`, `,
           )}) AND s.kind = 'DISTRIBUTION_POINT'
             AND bal.on_hand > bal.reserved
           ORDER BY bal.store_id, bal.batch_id`,
    );
    if (!held.length) throw invalidState('安置点没有可回收或登记发放的库存', { field: 'input.planId' });
    const locked = await lockBalances(tx, {
      keys: held.flatMap((h) => [
        { storeId: String(h.store_id), batchId: String(h.batch_id) },
        { storeId: to.id, batchId: String(h.batch_id) },
      ]),
    });
    for (const point of points) {
      const rows = held.filter((h) => h.store_id === point);
      const rule = (h: Record<string, unknown>): RecoveryRule =>
        h.recovery_kind === 'WITHIN_MONTHS' ? { kind: 'WITHIN_MONTHS', months: Number(h.recovery_months) } : { kind: h.recovery_kind as 'ALWAYS' | 'NEVER' };
      const price = (h: Record<string, unknown>) => locked.get(`${point}|${String(h.batch_id)}`)!.unitPrice;
      const back = rows.filter((h) => isRecovered(rule(h), new Date((h.arrived_at as string) ?? now), now));
      const used = rows.filter((h) => !back.includes(h));
      const write = async (part: string, draft: Parameters<typeof writeDocument>[2]) => {
        const documentId = stableId('document', `recoverIncidentStock/${user.id}/${idempotencyKey}/${point}/${part}`);
        return writeDocument(
          tx,
          {
            kind: 'recoverIncidentStock',
            actor: user,
            key: documentId,
            hash: requestHash({ ...request, point, part }),
            documentId,
            occurredAt: now,
            recordedAt: now,
          },
          draft,
        );
      };
      if (back.length) {
        await write('recovered', {
          type: 'RECOVERY',
          storeId: point,
          counterpartStoreId: to.id,
          incidentId: plan.incidentId,
          note: `回收入库：${to.name}`,
          locked,
          lines: back.map((h): LineDraft => ({ itemId: String(h.item_id), batchId: String(h.batch_id), quantity: -Number(h.quantity), unitPrice: price(h) })),
          movements: back.flatMap((h): MovementDraft[] => [
            { storeId: point, batchId: String(h.batch_id), itemId: String(h.item_id), bucket: 'ON_HAND', quantity: -Number(h.quantity), unitPrice: price(h) },
            { storeId: to.id, batchId: String(h.batch_id), itemId: String(h.item_id), bucket: 'ON_HAND', quantity: Number(h.quantity), unitPrice: price(h) },
          ]),
        });
      }
      if (used.length) {
        await write('distributed', {
          type: 'ISSUE',
          storeId: point,
          recipient: '受灾群众（发放消耗）',
          reasonCode: 'RELIEF',
          incidentId: plan.incidentId,
          locked,
          lines: used.map((h): LineDraft => ({
            itemId: String(h.item_id),
            batchId: String(h.batch_id),
            quantity: -Number(h.quantity),
            unitPrice: price(h),
            reasonCode: 'RELIEF',
          })),
          movements: used.map((h): MovementDraft => ({
            storeId: point,
            batchId: String(h.batch_id),
            itemId: String(h.item_id),
            bucket: 'ON_HAND',
            quantity: -Number(h.quantity),
            unitPrice: price(h),
            reasonCode: 'RELIEF',
          })),
        });
      }
    }
  });
  return getPlanInScope(db, user, plan.id!);
}
