import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../drizzle/client.ts';
import { callOffs, transfers } from '../../drizzle/schema/index.ts';

/**
 * D14, D17: whether a plan still has goods on their way — a shipment not yet received in full (in transit, or received
 * in part), or a call-off issued and not delivered. Such a plan is still being executed: it does not complete
 * (refreshPlanCompletion), is not closed short, and its incident does not end (closeIncident), for what arrives must
 * still be handed out (D29).
 */
export async function hasOpenShipments(tx: Db, planId: string): Promise<boolean> {
  const [openTransfer] = await tx
    .select({ id: transfers.id })
    .from(transfers)
    .where(and(eq(transfers.dispatchPlanId, planId), inArray(transfers.status, ['IN_TRANSIT', 'PARTIALLY_RECEIVED'])))
    .limit(1);
  if (openTransfer) return true;
  const [openCallOff] = await tx
    .select({ id: callOffs.id })
    .from(callOffs)
    .where(and(eq(callOffs.planId, planId), eq(callOffs.status, 'ISSUED')))
    .limit(1);
  return openCallOff !== undefined;
}
