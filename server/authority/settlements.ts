import { and, asc, eq, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../drizzle/client.ts';
import { documents, settlements } from '../../drizzle/schema/index.ts';
import { canDecide, mayRead, regionsInScope } from '../auth/policy.ts';
import { forbidden, invalidState, notFound } from '../errors.ts';
import { stableId } from '../ids.ts';
import { isInSubtree, subtreePrefix } from '../regions/codes.ts';
import { getRegionInScope } from '../regions/service.ts';
import { idSchema, uuidArg, validate } from '../validation.ts';
import type { ServiceContext } from '../context.ts';

// D15, D25: every use of another level's or region's stock leaves a settlement owed (归还 in kind or compensation in
// money) until it is settled by a recorded document or reference.

export type SettlementRow = typeof settlements.$inferSelect;
export type SettlementStatus = SettlementRow['status'];

/**
 * Does shipping stock held in `sourceRegion` to an incident in `incidentRegion` leave a settlement? Yes unless the stock
 * serves its own area (its region is the incident's or one above it): another region's stock, or a lower level's
 * stock used for somebody else (D15), is owed back.
 */
export const owesSettlement = (sourceRegion: string, incidentRegion: string) => !isInSubtree(incidentRegion, sourceRegion);

export interface SettlementDraft {
  planId: string;
  lineNo: number;
  owedToRegion: string;
  owedByRegion: string;
  storeId: string;
  itemId: string;
  quantity: number;
  value: string;
  jointAgreementId: string | null;
}

export async function openSettlement(tx: Db, d: SettlementDraft, at: Date): Promise<void> {
  await tx.insert(settlements).values({
    id: stableId('settlement', `${d.planId}/${d.lineNo}`),
    status: 'OPEN',
    owedToRegion: d.owedToRegion,
    owedByRegion: d.owedByRegion,
    storeId: d.storeId,
    itemId: d.itemId,
    quantity: d.quantity,
    value: d.value,
    planId: d.planId,
    jointAgreementId: d.jointAgreementId,
    createdAt: at,
  });
}

/** settlements(regionCode, status): owed to or by regions in scope. */
export async function listSettlements(ctx: ServiceContext, regionCode?: string | null, status?: SettlementStatus | null): Promise<SettlementRow[]> {
  const { db, actor: user } = ctx;
  const where: (SQL | undefined)[] = [or(regionsInScope(user, settlements.owedToRegion), regionsInScope(user, settlements.owedByRegion))];
  if (regionCode) {
    const prefix = `${subtreePrefix((await getRegionInScope(db, user, regionCode)).code)}%`;
    where.push(or(sql`${settlements.owedToRegion} LIKE ${prefix}`, sql`${settlements.owedByRegion} LIKE ${prefix}`));
  }
  if (status) where.push(eq(settlements.status, status));
  return db
    .select()
    .from(settlements)
    .where(and(...where))
    .orderBy(asc(settlements.createdAt), asc(settlements.id));
}

const settleSchema = z
  .object({
    settlementId: idSchema,
    reference: z.string().trim().max(128).nullish(),
    documentId: idSchema.nullish(),
  })
  .refine((v) => v.reference || v.documentId, { path: ['reference'], message: '须填写结算依据（归还入库单或拨款文号）' });

/** settle: the region owed (its dispatcher or administrator) records what settled it — a receipt document or a reference. */
export async function settle(ctx: ServiceContext, input: unknown): Promise<SettlementRow> {
  const { db, actor: user, clock } = ctx;
  const v = validate(settleSchema, input);
  uuidArg(v.settlementId, 'input.settlementId', '结算');
  const [row] = await db.select().from(settlements).where(eq(settlements.id, v.settlementId));
  if (!row || !mayRead.settlement(user, row)) throw notFound('input.settlementId', '结算', v.settlementId);
  if (!canDecide(user, { regionCode: row.owedToRegion })) throw forbidden('结算（须由被欠方的调度员或管理员确认）');
  if (v.documentId) {
    const [doc] = await db.select({ id: documents.id }).from(documents).where(eq(documents.id, v.documentId));
    if (!doc) throw notFound('input.documentId', '单据', v.documentId);
  }
  const [done] = await db
    .update(settlements)
    .set({
      status: 'SETTLED',
      settledBy: user.id,
      settledAt: clock.now().toJSDate(),
      reference: v.reference ?? null,
      documentId: v.documentId ?? null,
    })
    .where(and(eq(settlements.id, row.id), eq(settlements.status, 'OPEN')))
    .returning();
  if (!done) throw invalidState('该结算已结清', { field: 'input.settlementId' });
  return done;
}
