// Sweep 23c F7 (D14, D15, D28): 提交方案 sends the request, and the server plans it afresh against the stock of the
// moment (nothing is reserved for a suggestion). When another plan took the stock meanwhile, the plan submitted has
// other sources, tiers or arrival times than the suggestion the dispatcher reviewed — said here, line by line. Pure:
// no React, no API (tests/unit).

const TIER_WORDS: Record<string, string> = { LOCAL: '本级', UPPER: '上级', NEIGHBOUR: '邻近', AGREEMENT: '协议储备', CAPACITY: '产能储备' };

interface ComparedLine {
  destination: { name: string };
  item: { id: string; name: string; unit: string };
  source: { name: string };
  tier: string;
  quantity: number;
  etaHours: number;
}

interface ComparedShortage {
  destination: { name: string };
  item: { id?: string; name: string; unit: string };
  missing: number;
}

export interface ComparedPlan {
  lines: readonly ComparedLine[];
  shortages: readonly ComparedShortage[];
}

const sourceWords = (l: ComparedLine) => `${l.source.name}（${TIER_WORDS[l.tier] ?? l.tier}）${l.quantity} ${l.item.unit}，${l.etaHours.toFixed(1)} 小时`;

/** One (安置点, item)'s sources in words, in a fixed order, and what is missing. */
function byDemand(plan: ComparedPlan): Map<string, { label: string; sources: string[]; missing: number; unit: string }> {
  const out = new Map<string, { label: string; sources: string[]; missing: number; unit: string }>();
  const at = (destination: string, item: { name: string; unit: string }) => {
    const k = `${destination}|${item.name}`;
    if (!out.has(k)) out.set(k, { label: `${destination} · ${item.name}`, sources: [], missing: 0, unit: item.unit });
    return out.get(k)!;
  };
  // Lines of one source for one demand (several batches) are added up: a batch is FEFO's choice inside the same store.
  const merged = new Map<string, ComparedLine>();
  for (const l of plan.lines) {
    const k = `${l.destination.name}|${l.item.name}|${l.source.name}|${l.tier}`;
    const m = merged.get(k);
    merged.set(k, m ? { ...m, quantity: m.quantity + l.quantity, etaHours: Math.max(m.etaHours, l.etaHours) } : l);
  }
  for (const l of merged.values()) at(l.destination.name, l.item).sources.push(sourceWords(l));
  for (const s of plan.shortages) at(s.destination.name, s.item).missing += s.missing;
  for (const v of out.values()) v.sources.sort();
  return out;
}

/**
 * What the submitted plan changes of the suggestion reviewed: one sentence per 安置点 and item whose sources (store,
 * tier, quantity, ETA to 0.1 h) or shortage differ — 「安置点1 · 棉被：建议 A（本级）30 床，0.8 小时；提交 B（上级）30 床，1.1 小时」.
 * Empty when they are the same.
 */
export function planChanges(suggested: ComparedPlan, submitted: ComparedPlan): string[] {
  const before = byDemand(suggested);
  const after = byDemand(submitted);
  const changes: string[] = [];
  for (const k of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(k);
    const a = after.get(k);
    const words = (x: typeof a) => [...(x?.sources.length ? x.sources : ['无来源']), ...(x?.missing ? [`缺口 ${x.missing} ${x.unit}`] : [])].join('、');
    if (words(b) === words(a)) continue;
    changes.push(`${(a ?? b)!.label}：建议 ${words(b)}；提交 ${words(a)}`);
  }
  return changes;
}
