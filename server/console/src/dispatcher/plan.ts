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

/** A plan still waiting for someone (批准, 执行, or being executed): the incident page opens on it. */
const NEEDS_ACTION = new Set(['PROPOSED', 'APPROVED', 'EXECUTING']);

/**
 * An incident's saved plans numbered in order of creation (方案 1 is the first ever requested; a new plan never renumbers
 * the old ones), and the plan to open: the newest that needs action, else the newest.
 */
export function numberPlans<P extends { id: string; status: string; requestedAt?: string | null }>(
  plans: P[],
): { numbered: (P & { no: number })[]; current: (P & { no: number }) | undefined } {
  // The API lists them newest first; requestedAt decides, the API's order breaks ties.
  const oldestFirst = plans
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.requestedAt ?? '').localeCompare(b.p.requestedAt ?? '') || b.i - a.i)
    .map(({ p }, i) => ({ ...p, no: i + 1 }));
  const newestFirst = [...oldestFirst].reverse();
  return { numbered: oldestFirst, current: newestFirst.find((p) => NEEDS_ACTION.has(p.status)) ?? newestFirst[0] };
}

/** 方案 N with its 调拨令 number as the API gives it, so the page's name and the server's (结束事件's refusal, 审批) match. */
export const planLabel = (plan: { number: string | null; no: number }) => `方案 ${plan.no}${plan.number ? `（${plan.number}）` : ''}`;

/** A plan's quantities per unit (「500 床、100 顶」): quantities of different units are not added up. */
export function quantitiesByUnit(lines: readonly { quantity: number; item: { unit: string } }[]): string {
  const byUnit = new Map<string, number>();
  for (const l of lines) byUnit.set(l.item.unit, (byUnit.get(l.item.unit) ?? 0) + l.quantity);
  return [...byUnit].map(([unit, n]) => `${formatNumber(n)} ${unit}`).join('、') || '—';
}
