import { graphql, type ResultOf } from '../graphql/graphql';

export const PlanFields = graphql(`
  fragment PlanFields on DispatchPlan {
    id
    status
    totalQuantity
    maxEtaHours
    meetsDeadline
    deadlineHours
    emergency
    approvalDueAt
    cancelledAt
    cancelReason
    writtenApproval {
      status
      overdue
      decidedLate
      decidedAt
      approvalRef
    }
    requestedAt
    requestedBy {
      id
    }
    destinations {
      index
      name
      location {
        lat
        lng
      }
    }
    lines {
      destination {
        index
        name
        location {
          lat
          lng
        }
      }
      item {
        id
        name
        unit
      }
      source {
        kind
        name
        store {
          location {
            lat
            lng
          }
        }
      }
      batchNo
      quantity
      distanceKm
      etaHours
      meetsDeadline
      arrivesAt
      hoursSinceIncident
      meetsBasicNeedsTarget
      arrivesInFull
      receivedQuantity
      tier
      reason
    }
    shortages {
      destination {
        name
      }
      item {
        name
        unit
      }
      requested
      planned
      missing
    }
  }
`);

export type Plan = ResultOf<typeof PlanFields>;

/** A plan still waiting for someone (批准, 执行, or being executed): the incident page opens on it. */
const NEEDS_ACTION = new Set(['PROPOSED', 'APPROVED', 'EXECUTING']);

/**
 * An incident's saved plans numbered in order of creation (方案 1 is the first ever requested; a new plan never renumbers
 * the old ones), and the plan to open: the newest that needs action, else the newest.
 */
export function numberPlans<P extends Plan & { id: string }>(plans: P[]): { numbered: (P & { no: number })[]; current: (P & { no: number }) | undefined } {
  // The API lists them newest first; requestedAt decides, the API's order breaks ties.
  const oldestFirst = plans
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.requestedAt ?? '').localeCompare(b.p.requestedAt ?? '') || b.i - a.i)
    .map(({ p }, i) => ({ ...p, no: i + 1 }));
  const newestFirst = [...oldestFirst].reverse();
  return { numbered: oldestFirst, current: newestFirst.find((p) => NEEDS_ACTION.has(p.status)) ?? newestFirst[0] };
}
