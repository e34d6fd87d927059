import { asc, desc, eq, inArray, isNotNull, isNull, and, sql } from 'drizzle-orm';
import type { Db } from '../../drizzle/client.ts';
import { agreements, callOffs, dispatchPlans, incidents, settlements, stores, transfers } from '../../drizzle/schema/index.ts';
import { getRegionInScope } from '../regions/service.ts';
import { subtreePrefix } from '../regions/codes.ts';
import { loadPlan, type PlanView } from './plans.ts';
import type { ServiceContext } from '../context.ts';

export type CallOffRow = typeof callOffs.$inferSelect;
export type ReplenishmentRow = typeof settlements.$inferSelect;

export const callOffsOfPlans = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(callOffs)
    .where(inArray(callOffs.planId, [...ids]))
    .orderBy(asc(callOffs.issuedAt), asc(callOffs.id));

/**
 * D14, D27, D28: each plan's shipments — those its execution sent and every 补发 citing it (shipTransfer with
 * dispatchPlanId) — in the order shipped.
 */
export const transfersOfPlans = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(transfers)
    .where(inArray(transfers.dispatchPlanId, [...ids]))
    .orderBy(asc(transfers.shippedAt), asc(transfers.number));

export const incidentsByIds = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(incidents)
    .where(inArray(incidents.id, [...ids]));
export const agreementsByIds = (db: Db, ids: readonly string[]) =>
  db
    .select()
    .from(agreements)
    .where(inArray(agreements.id, [...ids]));

/** The plans of many incidents, newest first (each loaded whole). */
export async function plansOfIncidents(db: Db, ids: readonly string[]): Promise<PlanView[]> {
  const rows = await db
    .select({ id: dispatchPlans.id })
    .from(dispatchPlans)
    .where(inArray(dispatchPlans.incidentId, [...ids]))
    .orderBy(desc(dispatchPlans.requestedAt));
  return Promise.all(rows.map((r) => loadPlan(db, r.id)));
}

/**
 * D15: open settlements of dispatch plans owed to stores in a region subtree (the replenishment a lower level is owed).
 * Owed to the region too: an agreement reserve's settlement recorded against the receiving store is not the receiver's.
 */
export async function replenishmentsOwed(ctx: ServiceContext, regionCode: string): Promise<ReplenishmentRow[]> {
  const { db, actor: user } = ctx;
  const region = await getRegionInScope(db, user, regionCode);
  const prefix = `${subtreePrefix(region.code)}%`;
  const rows = await db
    .select({ r: settlements })
    .from(settlements)
    .innerJoin(stores, eq(stores.id, settlements.storeId))
    .where(
      and(
        isNull(settlements.settledAt),
        isNotNull(settlements.planId),
        sql`${stores.regionCode} LIKE ${prefix}`,
        sql`${settlements.owedToRegion} LIKE ${prefix}`,
      ),
    )
    .orderBy(asc(settlements.createdAt), asc(settlements.id));
  return rows.map((x) => x.r);
}
