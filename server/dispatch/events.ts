import { EventEmitter, on } from 'node:events';

// Plan status changes for the live subscription. In-process: with several API nodes, a shared bus
// (PostgreSQL LISTEN/NOTIFY) replaces the emitter — publishPlanStatus and planStatusEvents stay the same.
export interface PlanStatusEvent {
  planId: string;
  status: string;
}

const bus = new EventEmitter();
bus.setMaxListeners(0);

export function publishPlanStatus(planId: string, status: string) {
  bus.emit(`plan:${planId}`, { planId, status } satisfies PlanStatusEvent);
}

/** The status changes of one plan, as an async iterable; ends when the consumer returns or the signal aborts. */
export async function* planStatusEvents(planId: string, signal?: AbortSignal): AsyncGenerator<PlanStatusEvent> {
  try {
    for await (const [event] of on(bus, `plan:${planId}`, { signal })) yield event as PlanStatusEvent;
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  }
}
