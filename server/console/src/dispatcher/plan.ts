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
    # Sweep 25c F9 (D16, D28): how fast — shown on the incident page with the hours between.
    approvedAt
    executedAt
    completedAt
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
        store {
          id
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
        region {
          name
        }
        store {
          id
          location {
            lat
            lng
          }
        }
      }
      batch {
        id
      }
      batchNo
      needsConsent
      consent
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

type ConsentFields = Pick<Plan['lines'][number], 'needsConsent' | 'consent'>;

/**
 * D25: where a line stands on another jurisdiction's consent — 'PENDING' while asked (or not yet asked: a suggestion),
 * 'REJECTED' once refused (the line is not planned: nothing of it is reserved or shipped), 'WITHDRAWN' when the request
 * was closed with its cancelled or rejected plan before that jurisdiction answered (sweep 25c F2: no refusal — the line
 * stays counted as put to the approver), null when none is needed or it was given.
 */
export function consentState(l: ConsentFields): 'PENDING' | 'REJECTED' | 'WITHDRAWN' | null {
  if (!l.needsConsent || l.consent === 'APPROVED') return null;
  if (l.consent === 'WITHDRAWN') return 'WITHDRAWN';
  return l.consent === 'REJECTED' ? 'REJECTED' : 'PENDING';
}

/** D25: the lines the plan carries out — all but those whose jurisdiction refused consent (the API's plannedLines). */
export const plannedLines = <L extends ConsentFields>(lines: readonly L[]): L[] => lines.filter((l) => consentState(l) !== 'REJECTED');

/** A plan's quantities per unit (「500 床、100 顶」): quantities of different units are not added up. */
export function quantitiesByUnit(lines: readonly { quantity: number; item: { unit: string } }[]): string {
  const byUnit = new Map<string, number>();
  for (const l of lines) byUnit.set(l.item.unit, (byUnit.get(l.item.unit) ?? 0) + l.quantity);
  return [...byUnit].map(([unit, n]) => `${formatNumber(n)} ${unit}`).join('、') || '—';
}
