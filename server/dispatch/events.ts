import { EventEmitter, on } from 'node:events';
import { afterCommit } from '../../drizzle/after-commit.ts';

// Plan status changes for the live subscription. Within one process an emitter delivers them; with several API
// processes a relay (notify.ts: PostgreSQL LISTEN/NOTIFY) carries each change to every process, this one included,
// which delivers it to its own subscribers — publishPlanStatus and planStatusEvents stay the same.
export interface PlanStatusEvent {
  planId: string;
  status: string;
}

/** Carries a change to every API process; each hands it back through deliverPlanStatus. */
export interface PlanStatusRelay {
  publish(event: PlanStatusEvent): void;
}

const bus = new EventEmitter();
bus.setMaxListeners(0);
let relay: PlanStatusRelay | null = null;

/** Routes changes through a relay (null: this process only). */
export function relayPlanStatus(r: PlanStatusRelay | null) {
  relay = r;
}

/**
 * A plan's new status, told to subscribers once the transaction that set it has committed (afterCommit), in the order
 * the changes were made: a change that rolls back is never told, and the last event a subscriber hears is the plan's
 * state. Called where the status is written, inside its transaction.
 */
export function publishPlanStatus(planId: string, status: string) {
  const event: PlanStatusEvent = { planId, status };
  afterCommit(() => {
    if (relay) relay.publish(event);
    else deliverPlanStatus(event);
  });
}

/** Hands a change to this process's subscribers. */
export function deliverPlanStatus(event: PlanStatusEvent) {
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
