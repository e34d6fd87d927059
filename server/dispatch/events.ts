import { createPubSub } from 'graphql-yoga';

// Plan status changes for the live subscription (GraphQL over SSE). In-process: with several API nodes,
// replace with a shared bus (e.g. PostgreSQL LISTEN/NOTIFY) — the publish/subscribe calls stay the same.
export interface PlanStatusEvent {
  planId: string;
  status: string;
}

export const dispatchEvents = createPubSub<{ 'dispatchPlan:status': [planId: string, event: PlanStatusEvent] }>();

export function publishPlanStatus(planId: string, status: string) {
  dispatchEvents.publish('dispatchPlan:status', planId, { planId, status });
}
