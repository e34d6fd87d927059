import { graphql, type ResultOf } from '../graphql/graphql';
import { numberPlans, planLabel } from './plan';

// D12, D30 回收清点: what should come back from an incident's 安置点 and has not, and the plans it is recovered under
// (recoverIncidentStock names a plan and counts each batch at the 安置点 where it was counted).

export const IncidentRecoveryQuery = graphql(`
  query IncidentRecovery($id: ID!) {
    outstandingRecovery(incidentId: $id) {
      store {
        id
        name
      }
      item {
        id
        name
        unit
      }
      batch {
        id
        batchNo
      }
      shippedFrom {
        id
      }
      recoveryStores {
        id
        name
        code
      }
      received
      returned
      scrapped
      lost
      pending
      outstanding
      withHouseholds
      rule
    }
    incident(id: $id) {
      id
      plans {
        id
        status
        requestedAt
        number
        destinations {
          index
          store {
            id
          }
        }
      }
    }
  }
`);

export type Outstanding = ResultOf<typeof IncidentRecoveryQuery>['outstandingRecovery'][number];

/**
 * One line of a recovery count: a batch at one of the plan's 安置点, with what is outstanding of it there — on the point's
 * shelves, or (fromHouseholds) handed to households and to be counted back from them (D30).
 */
export interface RecoveryLine {
  storeId: string;
  point: string;
  batchId: string;
  batchNo: string;
  item: Outstanding['item'];
  outstanding: number;
  fromHouseholds: boolean;
  /** The store it reached this 安置点 from (the default destination of good stock, D30); null: shipped from none. */
  shippedFrom: string | null;
  /** The stores a count may name for its good stock (the server's rule: OutstandingRecoveryLine.recoveryStores). */
  recoveryStores: Outstanding['recoveryStores'];
}

/** What a plan's recovery may count: the outstanding lines at its 安置点, per 安置点 and batch. */
export interface RecoverablePlan {
  planId: string;
  /** "方案 n（DL-…）", as the incident page numbers and names its plans. */
  label: string;
  lines: RecoveryLine[];
}

/** D12 in words: always recovered, or tents within their months of use. */
export function ruleLabel(rule: string): string {
  if (rule === 'ALWAYS') return '必须回收';
  const months = /^WITHIN_MONTHS:(\d+)$/.exec(rule)?.[1];
  return months ? `使用未满 ${months} 个月须回收` : rule;
}

/**
 * The outstanding lines grouped by the plan they are recovered under — the first executed (or completed) plan that
 * delivered to their 安置点 — and those under no such plan (stock that reached the point otherwise).
 */
export function recoverablePlans(
  outstanding: readonly Outstanding[],
  saved: readonly {
    id: string | null;
    status: string;
    requestedAt?: string | null;
    number: string | null;
    destinations: readonly { store: { id: string } | null }[];
  }[],
): { plans: RecoverablePlan[]; unplanned: Outstanding[] } {
  const byPlan = new Map<string, RecoverablePlan>();
  const unplanned: Outstanding[] = [];
  // Numbered oldest first, as the incident page does (the API lists them newest first: 方案 1 here was the page's last).
  const { numbered } = numberPlans(saved.filter((p): p is (typeof saved)[number] & { id: string } => Boolean(p.id)));
  for (const line of outstanding) {
    const found = saved.find((p) => p.id && ['EXECUTING', 'COMPLETED'].includes(p.status) && p.destinations.some((d) => d.store?.id === line.store.id));
    const numberedPlan = numbered.find((p) => p.id === found?.id);
    if (!numberedPlan) {
      unplanned.push(line);
      continue;
    }
    const planId = numberedPlan.id;
    const plan = byPlan.get(planId) ?? { planId, label: planLabel(numberedPlan), lines: [] };
    byPlan.set(planId, plan);
    const row = {
      storeId: line.store.id,
      point: line.store.name,
      batchId: line.batch.id,
      batchNo: line.batch.batchNo,
      item: line.item,
      shippedFrom: line.shippedFrom?.id ?? null,
      recoveryStores: line.recoveryStores,
    };
    if (line.outstanding > line.withHouseholds) plan.lines.push({ ...row, outstanding: line.outstanding - line.withHouseholds, fromHouseholds: false });
    if (line.withHouseholds > 0) plan.lines.push({ ...row, outstanding: line.withHouseholds, fromHouseholds: true });
  }
  return { plans: [...byPlan.values()], unplanned };
}
