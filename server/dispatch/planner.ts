import * as highsModule from 'highs';

// The dispatch planner (DESIGN "The dispatch planner", D8, D15–D17): a pure function of its input, no I/O.
// Per item it solves a transportation problem across all destinations exactly (an LP whose optimal vertex is
// integral, solved by HiGHS): minimise Σ quantity × (ETA + tier penalty), lateness penalised above every tier,
// shortage penalised above everything, so stock that exists is always used and shortages are explicit.

export type Tier = 'LOCAL' | 'UPPER' | 'NEIGHBOUR' | 'AGREEMENT' | 'CAPACITY';
export const TIER_ORDER: readonly Tier[] = ['LOCAL', 'UPPER', 'NEIGHBOUR', 'AGREEMENT', 'CAPACITY'];

export interface LatLng {
  lat: number;
  lng: number;
}

export interface Destination extends LatLng {
  name: string;
  regionCode: string;
  lines: { itemId: string; quantity: number }[];
}

/** A batch held at a store (FEFO inside the store, D8). */
export interface StoreBatchSource extends LatLng {
  kind: 'STORE';
  storeId: string;
  storeName: string;
  regionCode: string;
  batchId: string;
  itemId: string;
  available: number;
  expiryDate: string | null;
  receivedAt: string;
}

/** D17: an agreement (协议储备) line, at min(committed, last counted), after its response time. */
export interface AgreementSource extends LatLng {
  kind: 'AGREEMENT';
  agreementId: string;
  companyName: string;
  itemId: string;
  available: number;
  responseHours: number;
}

/** D17: capacity (产能储备): daily output after a lead time, over the planning horizon. */
export interface CapacitySource extends LatLng {
  kind: 'CAPACITY';
  agreementId: string;
  companyName: string;
  itemId: string;
  dailyCapacity: number;
  leadDays: number;
}

export type Source = StoreBatchSource | AgreementSource | CapacitySource;

export interface PlannerPolicy {
  detourFactor: number;
  speedKmh: number;
  handlingHours: number;
  /** Each destination considers its K cheapest sources per item (widened while a shortage could still be met). */
  nearestK: number;
  /** Days of production counted for capacity reserves. */
  capacityHorizonDays: number;
  /** Hours by road from a store to a region, overriding the distance estimate (key `${storeId}|${regionCode}`). */
  travelOverrides?: ReadonlyMap<string, number>;
}

export const DEFAULT_POLICY: PlannerPolicy = {
  detourFactor: 1.3,
  speedKmh: 60,
  handlingHours: 0.5,
  nearestK: 12,
  capacityHorizonDays: 3,
};

export interface PlannerInput {
  destinations: Destination[];
  sources: Source[];
  deadlineHours: number;
  policy?: Partial<PlannerPolicy>;
}

export interface PlanLine {
  destinationIndex: number;
  itemId: string;
  source: Source;
  quantity: number;
  distanceKm: number;
  etaHours: number;
  meetsDeadline: boolean;
  tier: Tier;
  reason: string;
}

export interface Shortage {
  destinationIndex: number;
  itemId: string;
  requested: number;
  planned: number;
  missing: number;
}

export interface Plan {
  lines: PlanLine[];
  shortages: Shortage[];
  totalQuantity: number;
  maxEtaHours: number;
  /** Σ quantity × (ETA + tier penalty): what the planner minimises (lateness and shortage counted apart). */
  cost: number;
}

// Penalties in hours: a tier step outweighs any travel time, lateness outweighs every tier, shortage everything.
const TIER_PENALTY: Record<Tier, number> = { LOCAL: 0, UPPER: 1_000, NEIGHBOUR: 2_000, AGREEMENT: 3_000, CAPACITY: 4_000 };
const LATE_PENALTY = 10_000;
const SHORTAGE_PENALTY = 1_000_000;

/** Great-circle distance in km (haversine, mean Earth radius). */
export function greatCircleKm(a: LatLng, b: LatLng): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}

const countyOf = (code: string) => code.slice(0, 6);
/** D15: the destination's county first, then its city and province stores, then neighbours. */
export function tierOf(source: Source, destination: Destination): Tier {
  if (source.kind !== 'STORE') return source.kind;
  if (countyOf(source.regionCode) === countyOf(destination.regionCode)) return 'LOCAL';
  // A city or province store above the destination (its code's non-zero prefix contains the destination's).
  const level = source.regionCode.endsWith('0000000000') ? 2 : source.regionCode.endsWith('00000000') ? 4 : 0;
  if (level && destination.regionCode.startsWith(source.regionCode.slice(0, level))) return 'UPPER';
  return 'NEIGHBOUR';
}

interface Arc {
  destinationIndex: number;
  sourceIndex: number;
  distanceKm: number;
  etaHours: number;
  tier: Tier;
  unitCost: number;
}

function arcFor(source: Source, sourceIndex: number, destination: Destination, destinationIndex: number, policy: PlannerPolicy, deadline: number): Arc {
  const distanceKm = greatCircleKm(source, destination) * policy.detourFactor;
  const override = source.kind === 'STORE' ? overrideHours(policy, source.storeId, destination.regionCode) : undefined;
  const travel = override ?? distanceKm / policy.speedKmh;
  const lead = source.kind === 'AGREEMENT' ? source.responseHours : source.kind === 'CAPACITY' ? source.leadDays * 24 + 24 : 0;
  const etaHours = policy.handlingHours + lead + travel;
  const tier = tierOf(source, destination);
  const unitCost = etaHours + TIER_PENALTY[tier] + (etaHours > deadline ? LATE_PENALTY : 0);
  return { destinationIndex, sourceIndex, distanceKm, etaHours, tier, unitCost };
}

function overrideHours(policy: PlannerPolicy, storeId: string, regionCode: string): number | undefined {
  const table = policy.travelOverrides;
  if (!table) return undefined;
  // The most specific region first: township, county, city, province.
  for (const length of [12, 9, 6, 4, 2]) {
    const code = regionCode.slice(0, length).padEnd(12, '0');
    const hours = table.get(`${storeId}|${code}`);
    if (hours !== undefined) return hours;
  }
  return undefined;
}

/** Supply of one source over the planning horizon. */
const supplyOf = (s: Source, policy: PlannerPolicy) => (s.kind === 'CAPACITY' ? s.dailyCapacity * policy.capacityHorizonDays : s.available);

/** Stores pool their batches per item in the LP; the store's allocation is split across batches FEFO afterwards. */
interface Pool {
  key: string;
  representative: Source;
  members: Source[];
  supply: number;
}

function poolsOf(sources: Source[], policy: PlannerPolicy): Pool[] {
  const pools = new Map<string, Pool>();
  for (const s of sources) {
    const key = s.kind === 'STORE' ? `S|${s.storeId}` : `${s.kind}|${s.agreementId}`;
    const supply = supplyOf(s, policy);
    if (supply <= 0) continue;
    const pool = pools.get(key);
    if (pool) {
      pool.members.push(s);
      pool.supply += supply;
    } else pools.set(key, { key, representative: s, members: [s], supply });
  }
  return [...pools.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// highs ships one CommonJS-typed declaration for both its builds: take the loader from whichever shape arrives.
type HighsSolver = { solve(lp: string, options?: object): { Status: string; Columns: Record<string, { Primal?: number }> } };
type HighsLoader = () => Promise<HighsSolver>;
const highsExport = (highsModule as unknown as { default: HighsLoader | { default: HighsLoader } }).default;
const loadHighs: HighsLoader = typeof highsExport === 'function' ? highsExport : highsExport.default;
let highsInstance: ReturnType<HighsLoader> | undefined;
const highs = () => (highsInstance ??= loadHighs());

/** Solves one item's transportation problem; returns flow per arc index and shortage per destination. */
async function solveTransportation(arcs: Arc[], supply: number[], demand: number[]): Promise<{ flow: number[]; short: number[] }> {
  const terms = arcs.map((a, i) => `${a.unitCost.toFixed(6)} x${i}`);
  const shortTerms = demand.map((d, j) => (d > 0 ? `${SHORTAGE_PENALTY} s${j}` : ''));
  const objective = [...terms, ...shortTerms].filter(Boolean).join(' + ');
  const rows: string[] = [];
  demand.forEach((d, j) => {
    if (d <= 0) return;
    const vars = arcs.flatMap((a, i) => (a.destinationIndex === j ? [`x${i}`] : []));
    rows.push(` d${j}: ${[...vars, `s${j}`].join(' + ')} = ${d}`);
  });
  supply.forEach((q, p) => {
    const vars = arcs.flatMap((a, i) => (a.sourceIndex === p ? [`x${i}`] : []));
    if (vars.length) rows.push(` p${p}: ${vars.join(' + ')} <= ${q}`);
  });
  const lp = `Minimize\n obj: ${objective}\nSubject To\n${rows.join('\n')}\nEnd\n`;
  const solution = (await highs()).solve(lp, { presolve: 'on', solver: 'simplex', output_flag: false });
  if (solution.Status !== 'Optimal') throw new Error(`dispatch planner: solver returned ${solution.Status}`);
  const value = (name: string) => Math.round(solution.Columns[name]?.Primal ?? 0);
  return { flow: arcs.map((_, i) => value(`x${i}`)), short: demand.map((_, j) => value(`s${j}`)) };
}

/**
 * A store's arc to a destination does not depend on the item: distances, ETAs and tiers are computed once per
 * (destination, store) and the stores ranked once per destination, so each item only walks the ranking.
 */
class StoreRanking {
  private readonly ranked: { storeId: string; arc: Arc }[][];
  constructor(stores: StoreBatchSource[], destinations: Destination[], policy: PlannerPolicy, deadline: number) {
    const unique = [...new Map(stores.map((s) => [s.storeId, s])).values()];
    this.ranked = destinations.map((d, j) =>
      unique
        .map((s) => ({ storeId: s.storeId, arc: arcFor(s, -1, d, j, policy, deadline) }))
        .sort((a, b) => a.arc.unitCost - b.arc.unitCost || (a.storeId < b.storeId ? -1 : a.storeId > b.storeId ? 1 : 0)),
    );
  }
  /** The first `limit` arcs from pools that hold the item, cheapest first. */
  arcsFor(j: number, poolOfStore: Map<string, number>, limit: number): Arc[] {
    const out: Arc[] = [];
    for (const { storeId, arc } of this.ranked[j]) {
      if (out.length >= limit) break;
      const i = poolOfStore.get(storeId);
      if (i !== undefined) out.push({ ...arc, sourceIndex: i });
    }
    return out;
  }
}

/** Merges two lists sorted by unit cost. */
function mergeByCost(a: Arc[], b: Arc[]): Arc[] {
  const out: Arc[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && (a[i].unitCost < b[j].unitCost || (a[i].unitCost === b[j].unitCost && a[i].sourceIndex < b[j].sourceIndex))))
      out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}

/** Plans one item for all destinations: prune to the K cheapest pools, widen while a shortage could be met. */
async function planItem(itemId: string, destinations: Destination[], pools: Pool[], ranking: StoreRanking, policy: PlannerPolicy, deadline: number) {
  const demand = destinations.map((d) => d.lines.filter((l) => l.itemId === itemId).reduce((s, l) => s + l.quantity, 0));
  const poolOfStore = new Map<string, number>();
  const otherPools: number[] = [];
  pools.forEach((p, i) => (p.representative.kind === 'STORE' ? poolOfStore.set(p.representative.storeId, i) : otherPools.push(i)));
  const others = destinations.map((d, j) =>
    otherPools.map((i) => arcFor(pools[i].representative, i, d, j, policy, deadline)).sort((a, b) => a.unitCost - b.unitCost || a.sourceIndex - b.sourceIndex),
  );
  // The K cheapest arcs per destination (one more, to know whether widening could add any).
  const cheapest = (j: number, k: number) => (demand[j] > 0 ? mergeByCost(ranking.arcsFor(j, poolOfStore, k + 1), others[j]).slice(0, k + 1) : []);
  let k = policy.nearestK;
  for (;;) {
    const lists = destinations.map((_, j) => cheapest(j, k));
    const arcs = lists.flatMap((list) => list.slice(0, k));
    const result = await solveTransportation(
      arcs,
      pools.map((p) => p.supply),
      demand,
    );
    const widened = lists.some((list) => list.length > k);
    const short = result.short.some((x) => x > 0);
    if (!short || !widened) return { arcs, ...result, demand };
    k *= 2;
  }
}

/** D8 within a store: the pool's flow to each destination is taken from its batches first-expiry-first-out. */
function splitFefo(members: Source[], flows: { destinationIndex: number; quantity: number }[]) {
  const batches = (members as StoreBatchSource[])
    .map((b) => ({ source: b, left: b.available }))
    .sort(
      (a, b) =>
        compareExpiry(a.source.expiryDate, b.source.expiryDate) ||
        a.source.receivedAt.localeCompare(b.source.receivedAt) ||
        a.source.batchId.localeCompare(b.source.batchId),
    );
  const out: { destinationIndex: number; source: Source; quantity: number }[] = [];
  for (const f of flows) {
    let need = f.quantity;
    for (const b of batches) {
      if (need === 0) break;
      const take = Math.min(need, b.left);
      if (take === 0) continue;
      b.left -= take;
      need -= take;
      out.push({ destinationIndex: f.destinationIndex, source: b.source, quantity: take });
    }
  }
  return out;
}

const compareExpiry = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

const TIER_WORDS: Record<Tier, string> = {
  LOCAL: '本县库存',
  UPPER: '上级储备库',
  NEIGHBOUR: '邻近地区储备库（联储）',
  AGREEMENT: '协议储备',
  CAPACITY: '产能储备',
};

/** Why this source, in words a dispatcher reads, e.g. "卫辉市救灾物资储备库：本地库存，23 km，约 0.6 h". */
export function reasonFor(source: Source, arc: Arc, deadline: number): string {
  const name = source.kind === 'STORE' ? source.storeName : source.companyName;
  const lead = source.kind === 'AGREEMENT' ? `响应 ${source.responseHours} h，` : source.kind === 'CAPACITY' ? `生产准备 ${source.leadDays} 天，` : '';
  const late = arc.etaHours > deadline ? `，超出 ${deadline} h 时限` : '';
  return `${name}（${TIER_WORDS[arc.tier]}），${lead}${Math.round(arc.distanceKm)} km，约 ${arc.etaHours.toFixed(1)} h${late}`;
}

/** Plans a dispatch: exact per item, deterministic, shortages explicit, never more than the sources hold. */
export async function planDispatch(input: PlannerInput): Promise<Plan> {
  const policy: PlannerPolicy = { ...DEFAULT_POLICY, ...input.policy };
  const deadline = input.deadlineHours;
  const items = [...new Set(input.destinations.flatMap((d) => d.lines.map((l) => l.itemId)))].sort();
  const lines: PlanLine[] = [];
  const shortages: Shortage[] = [];
  const ranking = new StoreRanking(
    input.sources.filter((s): s is StoreBatchSource => s.kind === 'STORE'),
    input.destinations,
    policy,
    deadline,
  );
  for (const itemId of items) {
    const pools = poolsOf(
      input.sources.filter((s) => s.itemId === itemId),
      policy,
    );
    const { arcs, flow, short, demand } = await planItem(itemId, input.destinations, pools, ranking, policy, deadline);
    // One pool's flows to all destinations are split across its batches FEFO in one pass (D8).
    const flowsByPool = new Map<number, { arc: Arc; quantity: number }[]>();
    arcs.forEach((arc, i) => {
      if (flow[i] > 0) flowsByPool.set(arc.sourceIndex, [...(flowsByPool.get(arc.sourceIndex) ?? []), { arc, quantity: flow[i] }]);
    });
    for (const [poolIndex, flows] of [...flowsByPool].sort(([a], [b]) => a - b)) {
      const pool = pools[poolIndex];
      flows.sort((a, b) => a.arc.destinationIndex - b.arc.destinationIndex);
      const arcOf = new Map(flows.map((f) => [f.arc.destinationIndex, f.arc]));
      const parts =
        pool.representative.kind === 'STORE'
          ? splitFefo(
              pool.members,
              flows.map((f) => ({ destinationIndex: f.arc.destinationIndex, quantity: f.quantity })),
            )
          : flows.map((f) => ({ destinationIndex: f.arc.destinationIndex, source: pool.representative, quantity: f.quantity }));
      for (const part of parts) {
        const arc = arcOf.get(part.destinationIndex)!;
        lines.push({
          destinationIndex: part.destinationIndex,
          itemId,
          source: part.source,
          quantity: part.quantity,
          distanceKm: Math.round(arc.distanceKm * 10) / 10,
          etaHours: Math.round(arc.etaHours * 100) / 100,
          meetsDeadline: arc.etaHours <= deadline,
          tier: arc.tier,
          reason: reasonFor(part.source, arc, deadline),
        });
      }
    }
    demand.forEach((requested, j) => {
      if (short[j] > 0) shortages.push({ destinationIndex: j, itemId, requested, planned: requested - short[j], missing: short[j] });
    });
  }
  lines.sort((a, b) => a.destinationIndex - b.destinationIndex || a.itemId.localeCompare(b.itemId) || a.etaHours - b.etaHours);
  return {
    lines,
    shortages,
    totalQuantity: lines.reduce((s, l) => s + l.quantity, 0),
    maxEtaHours: lines.reduce((m, l) => Math.max(m, l.etaHours), 0),
    cost: lines.reduce((s, l) => s + l.quantity * (l.etaHours + TIER_PENALTY[l.tier]), 0),
  };
}

/** The baseline to beat (bench only): each destination in turn takes its cheapest sources first. */
export function planGreedy(input: PlannerInput): Plan {
  const policy: PlannerPolicy = { ...DEFAULT_POLICY, ...input.policy };
  const deadline = input.deadlineHours;
  const left = new Map<Source, number>(input.sources.map((s) => [s, supplyOf(s, policy)]));
  const lines: PlanLine[] = [];
  const shortages: Shortage[] = [];
  input.destinations.forEach((d, j) => {
    for (const line of d.lines) {
      const arcs = input.sources
        .map((s, i) => ({ s, arc: arcFor(s, i, d, j, policy, deadline) }))
        .filter(({ s }) => s.itemId === line.itemId && left.get(s)! > 0)
        .sort((a, b) => a.arc.unitCost - b.arc.unitCost);
      let need = line.quantity;
      for (const { s, arc } of arcs) {
        if (need === 0) break;
        const take = Math.min(need, left.get(s)!);
        left.set(s, left.get(s)! - take);
        need -= take;
        lines.push({
          destinationIndex: j,
          itemId: line.itemId,
          source: s,
          quantity: take,
          distanceKm: arc.distanceKm,
          etaHours: arc.etaHours,
          meetsDeadline: arc.etaHours <= deadline,
          tier: arc.tier,
          reason: '',
        });
      }
      if (need > 0) shortages.push({ destinationIndex: j, itemId: line.itemId, requested: line.quantity, planned: line.quantity - need, missing: need });
    }
  });
  return {
    lines,
    shortages,
    totalQuantity: lines.reduce((s, l) => s + l.quantity, 0),
    maxEtaHours: lines.reduce((m, l) => Math.max(m, l.etaHours), 0),
    cost: lines.reduce((s, l) => s + l.quantity * (l.etaHours + TIER_PENALTY[l.tier]), 0),
  };
}

/** The full objective of a plan as the solver sees it (lateness and shortage included), for comparisons. */
export function objectiveOf(plan: Plan, deadline: number): number {
  return (
    plan.lines.reduce((s, l) => s + l.quantity * (l.etaHours + TIER_PENALTY[l.tier] + (l.etaHours > deadline ? LATE_PENALTY : 0)), 0) +
    plan.shortages.reduce((s, x) => s + x.missing * SHORTAGE_PENALTY, 0)
  );
}
