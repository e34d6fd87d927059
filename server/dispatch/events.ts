import { EventEmitter, on } from 'node:events';
import { sql } from 'drizzle-orm';
import { afterCommit } from '../../drizzle/after-commit.ts';
import type { Database, Db } from '../../drizzle/client.ts';

// Plan status changes for the live subscription (D18). DESIGN "Growing past one machine": every API process listens
// on one LISTEN/NOTIFY channel of its database (PGlite too), and a change is sent on it as a NOTIFY inside the
// transaction that makes it — the database delivers it at commit, in the order transactions commit, to every process,
// whichever made it, and never if it rolls back. Each process hands it to its own subscribers.

export interface PlanStatusEvent {
  planId: string;
  status: string;
}

export const PLAN_STATUS_CHANNEL = 'plan_status';

const bus = new EventEmitter();
bus.setMaxListeners(0);
let listening = false;

/** Hears the database's plan status changes; from then on changes travel as NOTIFY (publishPlanStatus). */
export async function listenForPlanStatus(database: Pick<Database, 'listen'>, onError: (error: unknown) => void): Promise<void> {
  await database.listen(PLAN_STATUS_CHANNEL, (payload) => {
    try {
      const { planId, status } = JSON.parse(payload) as PlanStatusEvent;
      deliverPlanStatus({ planId, status });
    } catch (error) {
      onError(error);
    }
  });
  listening = true;
}

/**
 * A plan's new status, told to subscribers once the transaction that set it has committed, in commit order: a change
 * that rolls back is never told, and the last event a subscriber hears is the plan's state. Called where the status is
 * written, inside its transaction `db`. Until this process listens (start-up, or a listener that failed), it is told
 * to this process's subscribers after the commit (afterCommit).
 */
export async function publishPlanStatus(db: Db, planId: string, status: string): Promise<void> {
  const event: PlanStatusEvent = { planId, status };
  if (listening) await db.execute(sql`SELECT pg_notify(${PLAN_STATUS_CHANNEL}, ${JSON.stringify(event)})`);
  else afterCommit(() => deliverPlanStatus(event));
}

/** Hands a change to this process's subscribers. */
function deliverPlanStatus(event: PlanStatusEvent) {
  bus.emit(`plan:${event.planId}`, event);
}

/** The status changes of one plan, as an async iterable; ends when the consumer returns or the signal aborts. */
export async function* planStatusEvents(planId: string, signal?: AbortSignal): AsyncGenerator<PlanStatusEvent> {
  try {
    for await (const [event] of on(bus, `plan:${planId}`, { signal })) yield event as PlanStatusEvent;
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  }
}
