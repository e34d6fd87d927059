import type { Loaders } from '../loaders.ts';
import { lineArrival, NOTHING_DELIVERED, type LineArrival } from '../relief/deadlines.ts';
import { plannedLines, type PlanView } from './plans.ts';

// D16, D28: when a plan's line arrives at its 安置点 — one rule for the API's plan lines (schema/relief.ts) and the
// 调拨令 (paperwork/print/plan.ts), so the paper never tells another story than the screen (sweep 25c F10).

type Line = PlanView['lines'][number];

/** When a cancelled (or rejected) plan was cancelled; null for any other plan (sweep 25c F7). */
export const cancelledAt = (plan: PlanView) => (plan.status === 'CANCELLED' ? (plan.row?.cancelledAt ?? null) : null);

/**
 * The line's receipts and what is on its way; null before execution (nothing is received before: no read). A line whose
 * jurisdiction refused consent (D25) is not planned: nothing of it comes, before execution too (sweep 8b F2: it showed
 * arrivesInFull and meetsBasicNeedsTarget true until the plan was executed). A cancelled plan (sweep 25c F7) was never
 * executed (cancelDispatchPlan: closed short instead once executing). One batched read per request for every plan's
 * receipts and shipments (planLineReceipts), so plan lists cost no statement per line.
 */
export async function deliveryOf(plan: PlanView, l: Line, loaders: Pick<Loaders, 'planLineReceipts'>) {
  if (!plannedLines([l]).length || plan.status === 'CANCELLED') return NOTHING_DELIVERED;
  const executed = plan.id && plan.row?.executedAt ? await loaders.planLineReceipts.load(plan.id) : null;
  return executed ? (executed.find((d) => d.lineNo === l.lineNo) ?? NOTHING_DELIVERED) : null;
}

/**
 * D28: when a line arrives — once received at its 安置点, the receipt's occurredAt (lineArrival: the rule the incident's
 * basicNeeds counts by); until then, what is on its way: when it left + ETA (execution time, or a 补发's); nothing on its
 * way (its shipment cancelled) is not arriving. Before execution: now + ETA. Sweep 25c F7 (D16, D28): a cancelled (or
 * rejected) plan brings nothing — none of its lines is arriving (no first batch, no target met), measured at its
 * cancellation, not at a `now` that moves with the clock.
 */
export async function arrivalOf(plan: PlanView, l: Line, loaders: Pick<Loaders, 'planLineReceipts'>, now: Date): Promise<LineArrival> {
  const start = plan.row?.executedAt ?? now;
  return lineArrival(await deliveryOf(plan, l, loaders), l.quantity, l.etaHours, start, cancelledAt(plan) ?? now);
}

/** How much of the line its 安置点 has received so far (0 before execution). */
export async function receivedOf(plan: PlanView, l: Line, loaders: Pick<Loaders, 'planLineReceipts'>) {
  return (await deliveryOf(plan, l, loaders))?.receipts.reduce((sum, r) => sum + r.quantity, 0) ?? 0;
}
