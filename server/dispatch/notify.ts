import postgres from 'postgres';
import { deliverPlanStatus, relayPlanStatus, type PlanStatusEvent } from './events.ts';

// DESIGN "Growing past one machine": plan status changes cross API processes through PostgreSQL LISTEN/NOTIFY.
// Every process listens on one channel on its own connection (postgres.js reconnects it and listens again); a
// change is sent after its transaction committed, and comes back to every listener, the sender's included.

const CHANNEL = 'plan_status';

export interface PlanStatusListener {
  close(): Promise<void>;
}

export async function listenForPlanStatus(databaseUrl: string, onError: (error: unknown) => void): Promise<PlanStatusListener> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  await sql.listen(CHANNEL, (payload) => {
    try {
      const { planId, status } = JSON.parse(payload) as PlanStatusEvent;
      deliverPlanStatus({ planId, status });
    } catch (error) {
      onError(error);
    }
  });
  relayPlanStatus({
    publish: (event) => {
      sql.notify(CHANNEL, JSON.stringify(event)).catch((error: unknown) => {
        // The change is committed; the other processes miss it, this one's subscribers still hear of it.
        onError(error);
        deliverPlanStatus(event);
      });
    },
  });
  return {
    close: async () => {
      relayPlanStatus(null);
      await sql.end({ timeout: 5 });
    },
  };
}
