import { graphql, type ResultOf } from '../graphql/graphql';
import { formatNumber } from '../common/format';

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
      reason
    }
    approvedBy {
      id
    }
    requestedAt
    number
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

// What orders and names an incident's plans, and the repeats of a request (sweep 19a F7): pure, in plan-order.ts.
export { numberPlans, planLabel, repeatedDemand, type RepeatedDemand } from './plan-order.ts';

/** A plan's quantities per unit (「500 床、100 顶」): quantities of different units are not added up. */
export function quantitiesByUnit(lines: readonly { quantity: number; item: { unit: string } }[]): string {
  const byUnit = new Map<string, number>();
  for (const l of lines) byUnit.set(l.item.unit, (byUnit.get(l.item.unit) ?? 0) + l.quantity);
  return [...byUnit].map(([unit, n]) => `${formatNumber(n)} ${unit}`).join('、') || '—';
}
