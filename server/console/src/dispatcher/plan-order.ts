// An incident's plans in order — 方案 1 the first ever requested — and named as 方案 N with the 调拨令 number, as the
// incident page, 回收清点 and 审批 show them; the demand of a new request its live plans already carry (sweep 19a F7).
// No query here: the unit tests read these rules as they are (tests/unit/console-sweep19a.test.ts).

/**
 * A plan still waiting for someone (批准, 执行, or being executed): the incident page opens on it. Its lines are stock
 * the incident will receive (D23, D24), so requesting them again asks first.
 */
const NEEDS_ACTION: ReadonlySet<string> = new Set(['PROPOSED', 'APPROVED', 'EXECUTING']);

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

/** One 安置点 and item of a new request already planned by a live plan of the incident. */
export interface RepeatedDemand {
  destination: string;
  item: string;
  /** 「方案 2（DL-…，执行中）已安排 100 条」, per live plan that has it. */
  plans: { label: string; status: string; quantity: number; unit: string }[];
}

/**
 * Sweep 19a F7 (D23, D24): the 安置点 and items of a request (`rows`, as DispatchRequestInput names them) that a live plan
 * of the incident (PROPOSED, APPROVED or EXECUTING; `plans` numbered by numberPlans, read from the API) already has lines
 * for — requested again and approved both, the same public stock would ship twice. A 安置点 is one name in an incident
 * (D29: the server takes one name for one 安置点).
 */
export function repeatedDemand(
  rows: readonly { name: string; lines?: readonly ({ itemId?: string | null } | null | undefined)[] | null }[],
  plans: readonly {
    status: string;
    number: string | null;
    no: number;
    lines: readonly { destination: { name: string }; item: { id: string; name: string; unit: string }; quantity: number }[];
  }[],
): RepeatedDemand[] {
  const repeated: RepeatedDemand[] = [];
  for (const row of rows) {
    for (const itemId of new Set((row.lines ?? []).flatMap((l) => (l?.itemId ? [l.itemId] : [])))) {
      const found: RepeatedDemand['plans'] = [];
      let item = '';
      for (const plan of plans) {
        if (!NEEDS_ACTION.has(plan.status)) continue;
        const lines = plan.lines.filter((l) => l.destination.name.trim() === row.name.trim() && l.item.id === itemId);
        if (!lines.length) continue;
        item = lines[0].item.name;
        found.push({ label: planLabel(plan), status: plan.status, quantity: lines.reduce((n, l) => n + l.quantity, 0), unit: lines[0].item.unit });
      }
      if (found.length) repeated.push({ destination: row.name.trim(), item, plans: found });
    }
  }
  return repeated;
}
