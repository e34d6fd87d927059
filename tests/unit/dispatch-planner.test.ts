import { describe, expect, it } from 'vitest';
import { greatCircleKm } from '../../server/regions/distance.ts';
import {
  objectiveOf,
  planDispatch,
  planGreedy,
  reasonFor,
  tierOf,
  TIER_ORDER,
  type AgreementSource,
  type CapacitySource,
  type Destination,
  type Plan,
  type PlannerInput,
  type PlannerPolicy,
  type Source,
  type StoreBatchSource,
  type Tier,
} from '../../server/dispatch/planner.ts';

// The dispatch planner (DESIGN "The dispatch planner", D8, D15–D17), tested as the pure function it is.
// Costs are recomputed here independently of the module, from the constants in its comments:
// unit cost = ETA + tier penalty (0/1000/2000/3000/4000 h; an UPPER store 250 h more for each level it lies above the
// local area beyond the first, sweep 21b F1) + 10000 h if the ETA as shown (0.01 h) > deadline; shortage 1e6 per unit.
// D17: a capacity reserve's day d of production (d = 1 … capacityHorizonDays, dailyCapacity units each) arrives after
// (leadDays + d) × 24 h plus the road; a capacity line's ETA is that of its last unit.

const TIER_PENALTY: Record<Tier, number> = { LOCAL: 0, UPPER: 1000, NEIGHBOUR: 2000, AGREEMENT: 3000, CAPACITY: 4000 };
const LEVEL_STEP = 250;
const LATE_PENALTY = 10_000;
const SHORTAGE_PENALTY = 1_000_000;
const EARTH_KM = 6371.0088;

const POLICY: PlannerPolicy = { detourFactor: 1.3, speedKmh: 60, handlingHours: 0.5, nearestK: 1000, capacityHorizonDays: 3 };

// ---------- independent re-implementation of the cost model ----------

/** Great-circle distance through the chord of the unit sphere (a different formula from the module's haversine). */
function chordKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const r = Math.PI / 180;
  const v = (p: { lat: number; lng: number }) => [Math.cos(p.lat * r) * Math.cos(p.lng * r), Math.cos(p.lat * r) * Math.sin(p.lng * r), Math.sin(p.lat * r)];
  const [x1, y1, z1] = v(a);
  const [x2, y2, z2] = v(b);
  const chord = Math.hypot(x1 - x2, y1 - y2, z1 - z2);
  return 2 * EARTH_KM * Math.asin(Math.min(1, chord / 2));
}

/** A region code's own digits: the shortest level prefix (2, 4, 6, 9, 12) followed by zeros only. */
const ownDigits = (code: string) => [2, 4, 6, 9, 12].map((n) => code.slice(0, n)).find((p) => /^0*$/.test(code.slice(p.length)))!;

/**
 * D15 by region level: the local area is the destination's county — a township's plan for its own township (sweep 17b
 * F7): the township —; a store in it → LOCAL; a store whose region contains the area (county, city, province) → UPPER;
 * else NEIGHBOUR.
 */
function expectedTier(s: Source, d: { regionCode: string }, jurisdiction?: string): Tier {
  if (s.kind !== 'STORE') return s.kind;
  const area = expectedArea(d, jurisdiction);
  if (s.regionCode.startsWith(area)) return 'LOCAL';
  if (area.startsWith(ownDigits(s.regionCode))) return 'UPPER';
  return 'NEIGHBOUR';
}

/** The local area's code prefix: the plan's own township (or village) when the destination lies in it, else its county. */
function expectedArea(d: { regionCode: string }, jurisdiction?: string): string {
  const own = jurisdiction === undefined ? '' : ownDigits(jurisdiction);
  return own.length > 6 && d.regionCode.startsWith(own) ? own : d.regionCode.slice(0, 6);
}

/** D15 (sweep 21b F1): an UPPER store's levels above the local area (1: the level directly above); 0 for other tiers. */
function expectedLevels(s: Source, d: { regionCode: string }, jurisdiction?: string): number {
  if (s.kind !== 'STORE' || expectedTier(s, d, jurisdiction) !== 'UPPER') return 0;
  const levels = [2, 4, 6, 9, 12];
  return levels.indexOf(expectedArea(d, jurisdiction).length) - levels.indexOf(ownDigits(s.regionCode).length);
}

/** The penalty of a tier, an UPPER store's by its level (the first level above at 1000 h, each further one 250 h more). */
function expectedPenalty(s: Source, d: { regionCode: string }, jurisdiction?: string): number {
  const tier = expectedTier(s, d, jurisdiction);
  return TIER_PENALTY[tier] + (tier === 'UPPER' ? (expectedLevels(s, d, jurisdiction) - 1) * LEVEL_STEP : 0);
}

function overrideFor(policy: PlannerPolicy, s: Source, regionCode: string): number | undefined {
  if (s.kind !== 'STORE' || !policy.travelOverrides) return undefined;
  const candidates = [
    regionCode,
    regionCode.slice(0, 9) + '000',
    regionCode.slice(0, 6) + '000000',
    regionCode.slice(0, 4) + '00000000',
    regionCode.slice(0, 2) + '0000000000',
  ];
  for (const c of candidates) {
    const h = policy.travelOverrides.get(`${s.storeId}|${c}`);
    if (h !== undefined) return h;
  }
  return undefined;
}

/** `day`: for a capacity source, the day of production (1 = the first day's output). */
function etaOf(s: Source, d: Destination, policy: PlannerPolicy, day = 1): number {
  const travel = overrideFor(policy, s, d.regionCode) ?? (chordKm(s, d) * policy.detourFactor) / policy.speedKmh;
  const lead = s.kind === 'AGREEMENT' ? s.responseHours : s.kind === 'CAPACITY' ? s.leadDays * 24 + day * 24 : 0;
  return policy.handlingHours + lead + travel;
}

function unitCost(s: Source, d: Destination, policy: PlannerPolicy, deadline: number, day = 1, jurisdiction?: string): number {
  const eta = etaOf(s, d, policy, day);
  return eta + expectedPenalty(s, d, jurisdiction) + (Math.round(eta * 100) / 100 > deadline ? LATE_PENALTY : 0);
}

const supplyOf = (s: Source, policy: PlannerPolicy) => (s.kind === 'CAPACITY' ? s.dailyCapacity * policy.capacityHorizonDays : s.available);

/** What the sources supply: a capacity source as one lot per day of production (dailyCapacity each), others whole. */
const lotsOf = (sources: Source[], policy: PlannerPolicy) =>
  sources.flatMap((s): { s: Source; day: number; supply: number }[] =>
    s.kind === 'CAPACITY'
      ? Array.from({ length: policy.capacityHorizonDays }, (_, k) => ({ s, day: k + 1, supply: s.dailyCapacity }))
      : [{ s, day: 1, supply: s.available }],
  );

/** The day a capacity line's last unit is made on (1 for other lines). */
const lastDay = (l: Plan['lines'][number]) => Math.max(1, ...(l.lots ?? []).map((lot) => lot.day));

// ---------- independent solvers ----------

/** Min-cost flow by successive shortest paths (Bellman–Ford on the residual graph): S → source → destination → T, plus S → destination shortage arcs. */
function minCostFlow(supply: number[], demand: number[], cost: number[][]): number {
  const P = supply.length;
  const D = demand.length;
  const S = 0;
  const T = P + D + 1;
  const n = T + 1;
  type Edge = { to: number; cap: number; cost: number; rev: number };
  const g: Edge[][] = Array.from({ length: n }, () => []);
  const add = (u: number, v: number, cap: number, c: number) => {
    g[u].push({ to: v, cap, cost: c, rev: g[v].length });
    g[v].push({ to: u, cap: 0, cost: -c, rev: g[u].length - 1 });
  };
  const total = demand.reduce((a, b) => a + b, 0);
  supply.forEach((q, p) => q > 0 && add(S, 1 + p, q, 0));
  for (let p = 0; p < P; p++) for (let d = 0; d < D; d++) if (demand[d] > 0) add(1 + p, 1 + P + d, total, cost[p][d]);
  demand.forEach((q, d) => {
    if (q <= 0) return;
    add(S, 1 + P + d, q, SHORTAGE_PENALTY);
    add(1 + P + d, T, q, 0);
  });
  let flow = 0;
  let result = 0;
  while (flow < total) {
    const dist = new Array<number>(n).fill(Infinity);
    const prev: [number, number][] = new Array(n);
    dist[S] = 0;
    for (let round = 0; round < n; round++) {
      let changed = false;
      for (let u = 0; u < n; u++) {
        if (dist[u] === Infinity) continue;
        g[u].forEach((e, i) => {
          if (e.cap > 0 && dist[u] + e.cost < dist[e.to] - 1e-9) {
            dist[e.to] = dist[u] + e.cost;
            prev[e.to] = [u, i];
            changed = true;
          }
        });
      }
      if (!changed) break;
    }
    if (dist[T] === Infinity) throw new Error('reference solver: infeasible');
    let push = total - flow;
    for (let v = T; v !== S; v = prev[v][0]) push = Math.min(push, g[prev[v][0]][prev[v][1]].cap);
    for (let v = T; v !== S; v = prev[v][0]) {
      const e = g[prev[v][0]][prev[v][1]];
      e.cap -= push;
      g[v][e.rev].cap += push;
    }
    flow += push;
    result += push * dist[T];
  }
  return result;
}

/** Exhaustive search over integer allocations, for tiny cases (to check the reference solver itself). */
function bruteForce(supply: number[], demand: number[], cost: number[][]): number {
  const P = supply.length;
  const D = demand.length;
  const x: number[][] = Array.from({ length: P }, () => new Array(D).fill(0));
  let best = Infinity;
  const cells = P * D;
  const rec = (k: number) => {
    if (k === cells) {
      let c = 0;
      for (let d = 0; d < D; d++) {
        let got = 0;
        for (let p = 0; p < P; p++) {
          got += x[p][d];
          c += x[p][d] * cost[p][d];
        }
        c += (demand[d] - got) * SHORTAGE_PENALTY;
      }
      best = Math.min(best, c);
      return;
    }
    const p = Math.floor(k / D);
    const d = k % D;
    const usedP = x[p].reduce((a, b) => a + b, 0);
    let usedD = 0;
    for (let q = 0; q < P; q++) usedD += x[q][d];
    const max = Math.min(supply[p] - usedP, demand[d] - usedD);
    for (let v = 0; v <= max; v++) {
      x[p][d] = v;
      rec(k + 1);
    }
    x[p][d] = 0;
  };
  rec(0);
  return best;
}

/** The optimum of the whole input, item by item, with the independent cost model. */
function referenceOptimum(input: PlannerInput, policy: PlannerPolicy): number {
  const items = [...new Set(input.destinations.flatMap((d) => d.lines.map((l) => l.itemId)))];
  let total = 0;
  for (const item of items) {
    const lots = lotsOf(
      input.sources.filter((s) => s.itemId === item),
      policy,
    );
    const demand = input.destinations.map((d) => d.lines.filter((l) => l.itemId === item).reduce((a, l) => a + l.quantity, 0));
    const cost = lots.map(({ s, day }) => input.destinations.map((d) => unitCost(s, d, policy, input.deadlineHours, day, input.jurisdiction)));
    total += minCostFlow(
      lots.map((l) => l.supply),
      demand,
      cost,
    );
  }
  return total;
}

/** A plan's cost under the independent cost model (shortages included); a capacity line by its days of production. */
function independentCost(plan: Plan, input: PlannerInput, policy: PlannerPolicy): number {
  const lineCost = (l: Plan['lines'][number]) => {
    const d = input.destinations[l.destinationIndex];
    const lots = l.lots ?? [{ day: 1, quantity: l.quantity }];
    return lots.reduce((a, lot) => a + lot.quantity * unitCost(l.source, d, policy, input.deadlineHours, lot.day, input.jurisdiction), 0);
  };
  return plan.lines.reduce((a, l) => a + lineCost(l), 0) + plan.shortages.reduce((a, s) => a + s.missing * SHORTAGE_PENALTY, 0);
}

// ---------- random cases ----------

function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DEST_REGIONS = ['410781100000', '410781101000', '410781203000', '410721101000', '410782000000', '410702000000'];
const STORE_REGIONS = [
  '410781000000',
  '410781100000',
  '410721000000',
  '410782000000',
  '410700000000',
  '410000000000',
  '410800000000',
  '140500000000',
  '410702000000',
];
const ITEMS = ['item-a', 'item-b'];

function randomCase(seed: number): { input: PlannerInput; policy: PlannerPolicy } {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const lat = () => 34.9 + rnd() * 0.9;
  const lng = () => 112.9 + rnd() * 1.8;
  const items = ITEMS.slice(0, int(1, 2));
  const destinations: Destination[] = Array.from({ length: int(1, 3) }, (_, j) => {
    const lines = items.filter(() => rnd() < 0.8).map((itemId) => ({ itemId, quantity: int(1, 40) }));
    return {
      name: `安置点${j + 1}`,
      regionCode: pick(DEST_REGIONS),
      lat: lat(),
      lng: lng(),
      lines: lines.length ? lines : [{ itemId: items[0], quantity: int(1, 40) }],
    };
  });
  const sources: Source[] = [];
  const storeCount = int(1, 6);
  for (let s = 0; s < storeCount; s++) {
    const at = { lat: lat(), lng: lng() };
    const regionCode = pick(STORE_REGIONS);
    for (const itemId of items) {
      const batches = int(0, 2);
      for (let b = 0; b < batches; b++) {
        sources.push({
          kind: 'STORE',
          storeId: `store-${s}`,
          storeName: `储备库${s}`,
          regionCode,
          ...at,
          batchId: `batch-${s}-${itemId}-${b}`,
          batchNo: `PC-${s}-${b}`,
          itemId,
          available: int(1, 30),
          expiryDate: rnd() < 0.3 ? null : `20${int(27, 32)}-0${int(1, 9)}-15`,
          receivedAt: `2026-0${int(1, 6)}-01T00:00:00.000Z`,
        });
      }
    }
  }
  for (const itemId of items) {
    if (rnd() < 0.4)
      sources.push({
        kind: 'AGREEMENT',
        agreementId: `agr-${itemId}`,
        companyName: '协议企业',
        itemId,
        ...{ lat: lat(), lng: lng() },
        available: int(1, 40),
        responseHours: int(2, 30),
      });
    if (rnd() < 0.3)
      sources.push({
        kind: 'CAPACITY',
        agreementId: `cap-${itemId}`,
        companyName: '产能企业',
        itemId,
        ...{ lat: lat(), lng: lng() },
        dailyCapacity: int(1, 15),
        leadDays: int(0, 2),
      });
  }
  const policy: PlannerPolicy = {
    detourFactor: 1 + rnd() * 0.6,
    speedKmh: 30 + rnd() * 50,
    handlingHours: rnd() * 2,
    nearestK: 1000,
    capacityHorizonDays: int(1, 4),
  };
  if (rnd() < 0.3 && sources[0]?.kind === 'STORE') {
    policy.travelOverrides = new Map([[`${sources[0].storeId}|${destinations[0].regionCode.slice(0, 6)}000000`, 0.5 + rnd() * 20]]);
  }
  // A deadline no ETA lies within 0.01 h of: the plan reports ETAs to 0.01 h, so a nearer one is ambiguous.
  const etas = destinations.flatMap((d) => lotsOf(sources, policy).map(({ s, day }) => etaOf(s, d, policy, day)));
  let deadlineHours = pick([2, 4, 10, 10, 24, 60, 120]) + rnd();
  while (etas.some((e) => Math.abs(e - deadlineHours) < 0.02)) deadlineHours += 0.05;
  // D15 (sweep 17b F7): some plans are a township's own — the first destination's township, when it is one — or its
  // county's; drawn from a stream of their own, so that the cases are otherwise those drawn before.
  const other = mulberry32(seed + 77_777)();
  const first = destinations[0].regionCode;
  const jurisdiction = other < 0.4 && !first.endsWith('000000') ? `${first.slice(0, 9)}000` : other < 0.6 ? `${first.slice(0, 6)}000000` : undefined;
  return { input: { destinations, sources, deadlineHours, policy, ...(jurisdiction ? { jurisdiction } : {}) }, policy };
}

const RELATIVE = 1e-9;
const near = (a: number, b: number, tolerance: number) => Math.abs(a - b) <= tolerance + RELATIVE * Math.max(Math.abs(a), Math.abs(b));

// ---------- fixtures for the hand-made cases ----------

const WEIHUI_COUNTY = '410781000000';
const DEST: Destination = { name: '汲水镇安置点', regionCode: '410781100000', lat: 35.4, lng: 114.06, lines: [] };
const demand = (quantity: number, itemId = 'quilt'): Destination => ({ ...DEST, lines: [{ itemId, quantity }] });

/** A point `km` great-circle kilometres due north of the destination. */
const north = (km: number, from = DEST) => ({ lat: from.lat + (km / EARTH_KM) * (180 / Math.PI), lng: from.lng });

let batchSeq = 0;
function storeBatch(storeId: string, regionCode: string, km: number, available: number, extra: Partial<StoreBatchSource> = {}): StoreBatchSource {
  return {
    kind: 'STORE',
    storeId,
    storeName: `${storeId}储备库`,
    regionCode,
    ...north(km),
    batchId: `${storeId}-b${++batchSeq}`,
    batchNo: `PC-${batchSeq}`,
    itemId: 'quilt',
    available,
    expiryDate: null,
    receivedAt: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}
const agreement = (km: number, available: number, responseHours: number, extra: Partial<AgreementSource> = {}): AgreementSource => ({
  kind: 'AGREEMENT',
  agreementId: 'agr-1',
  companyName: '新乡市惠民百货配送有限公司',
  itemId: 'quilt',
  ...north(km),
  available,
  responseHours,
  ...extra,
});
const capacity = (km: number, dailyCapacity: number, leadDays: number, extra: Partial<CapacitySource> = {}): CapacitySource => ({
  kind: 'CAPACITY',
  agreementId: 'cap-1',
  companyName: '河南某被服厂',
  itemId: 'quilt',
  ...north(km),
  dailyCapacity,
  leadDays,
  ...extra,
});

const taken = (plan: Plan, pred: (s: Source) => boolean) => plan.lines.filter((l) => pred(l.source)).reduce((a, l) => a + l.quantity, 0);
const byTier = (plan: Plan) => Object.fromEntries(TIER_ORDER.map((t) => [t, plan.lines.filter((l) => l.tier === t).reduce((a, l) => a + l.quantity, 0)]));

function checkInvariants(plan: Plan, input: PlannerInput, policy: PlannerPolicy) {
  // Never more than a source holds (per batch, per agreement line, per capacity horizon).
  const used = new Map<Source, number>();
  for (const l of plan.lines) {
    expect(l.quantity).toBeGreaterThan(0);
    expect(Number.isInteger(l.quantity)).toBe(true);
    expect(l.source.itemId).toBe(l.itemId);
    used.set(l.source, (used.get(l.source) ?? 0) + l.quantity);
  }
  for (const [s, q] of used) expect(q).toBeLessThanOrEqual(supplyOf(s, policy));
  // D17: a capacity line is one per reserve and destination; its days of production add up to it, and no day gives
  // more than the daily capacity across destinations.
  const perDay = new Map<string, number>();
  for (const l of plan.lines) {
    if (l.source.kind !== 'CAPACITY') {
      expect(l.lots).toBeUndefined();
      continue;
    }
    const cap = l.source;
    expect(l.lots!.reduce((a, lot) => a + lot.quantity, 0)).toBe(l.quantity);
    expect(plan.lines.filter((m) => m.source === cap && m.destinationIndex === l.destinationIndex)).toHaveLength(1);
    for (const lot of l.lots!) {
      expect(lot.day).toBeGreaterThanOrEqual(1);
      expect(lot.day).toBeLessThanOrEqual(policy.capacityHorizonDays);
      const key = `${cap.agreementId}|${lot.day}`;
      perDay.set(key, (perDay.get(key) ?? 0) + lot.quantity);
      expect(perDay.get(key)).toBeLessThanOrEqual(cap.dailyCapacity);
    }
  }
  // Never more than demanded; planned + missing = requested; shortages are explicit.
  input.destinations.forEach((d, j) => {
    for (const line of d.lines) {
      const planned = plan.lines.filter((l) => l.destinationIndex === j && l.itemId === line.itemId).reduce((a, l) => a + l.quantity, 0);
      expect(planned).toBeLessThanOrEqual(line.quantity);
      const short = plan.shortages.find((s) => s.destinationIndex === j && s.itemId === line.itemId);
      if (planned < line.quantity)
        expect(short).toEqual({ destinationIndex: j, itemId: line.itemId, requested: line.quantity, planned, missing: line.quantity - planned });
      else expect(short).toBeUndefined();
    }
  });
  expect(plan.totalQuantity).toBe(plan.lines.reduce((a, l) => a + l.quantity, 0));
}

// ---------- tests ----------

describe('greatCircleKm and tierOf', () => {
  it('DESIGN: great-circle distance matches known distances and an independent formula', () => {
    // 北京 → 上海 is about 1067 km along the great circle.
    const beijing = { lat: 39.9042, lng: 116.4074 };
    const shanghai = { lat: 31.2304, lng: 121.4737 };
    expect(greatCircleKm(beijing, shanghai)).toBeGreaterThan(1060);
    expect(greatCircleKm(beijing, shanghai)).toBeLessThan(1075);
    expect(greatCircleKm(beijing, beijing)).toBe(0);
    const rnd = mulberry32(7);
    for (let i = 0; i < 100; i++) {
      const a = { lat: -80 + rnd() * 160, lng: -180 + rnd() * 360 };
      const b = { lat: -80 + rnd() * 160, lng: -180 + rnd() * 360 };
      expect(greatCircleKm(a, b)).toBeCloseTo(chordKm(a, b), 6);
      expect(greatCircleKm(a, b)).toBeCloseTo(greatCircleKm(b, a), 9);
    }
  });

  it('D15: tierOf — same county LOCAL, city/province above UPPER, others NEIGHBOUR; agreement and capacity by kind', () => {
    const s = (regionCode: string) => storeBatch('x', regionCode, 1, 1);
    const d = { ...DEST, regionCode: '410781100000' }; // 卫辉市汲水镇
    expect(tierOf(s('410781000000'), d)).toBe('LOCAL'); // 卫辉市 county store
    expect(tierOf(s('410781203000'), d)).toBe('LOCAL'); // another township of 卫辉市
    expect(tierOf(s('410700000000'), d)).toBe('UPPER'); // 新乡市 city store
    expect(tierOf(s('410000000000'), d)).toBe('UPPER'); // 河南省 province store
    expect(tierOf(s('410721000000'), d)).toBe('NEIGHBOUR'); // 新乡县, a neighbouring county
    expect(tierOf(s('410721101000'), d)).toBe('NEIGHBOUR'); // a township of 新乡县
    expect(tierOf(s('410800000000'), d)).toBe('NEIGHBOUR'); // 焦作市, another city
    expect(tierOf(s('140500000000'), d)).toBe('NEIGHBOUR'); // 晋城市, another province's city
    expect(tierOf(s('140000000000'), d)).toBe('NEIGHBOUR'); // 山西省
    expect(tierOf(agreement(1, 1, 1), d)).toBe('AGREEMENT');
    expect(tierOf(capacity(1, 1, 1), d)).toBe('CAPACITY');
    expect(TIER_ORDER).toEqual(['LOCAL', 'UPPER', 'NEIGHBOUR', 'AGREEMENT', 'CAPACITY']);
  });
});

describe('planDispatch — exact (DESIGN: a transportation problem per item, solved exactly)', () => {
  it('the reference min-cost-flow solver agrees with brute force on tiny cases (checks the checker)', () => {
    const rnd = mulberry32(99);
    for (let c = 0; c < 150; c++) {
      const P = 1 + Math.floor(rnd() * 3);
      const D = 1 + Math.floor(rnd() * 2);
      const supply = Array.from({ length: P }, () => Math.floor(rnd() * 5));
      const dem = Array.from({ length: D }, () => 1 + Math.floor(rnd() * 4));
      const cost = supply.map(() => dem.map(() => Math.round(rnd() * 20000) / 7));
      expect(minCostFlow(supply, dem, cost)).toBeCloseTo(bruteForce(supply, dem, cost), 6);
    }
  });

  it('on 250 random cases the plan costs exactly the independent optimum; objectiveOf agrees', async () => {
    let withShortage = 0;
    let multiDestination = 0;
    let levelsApart = 0;
    for (let seed = 1; seed <= 250; seed++) {
      const { input, policy } = randomCase(seed);
      const plan = await planDispatch(input);
      const optimum = referenceOptimum(input, policy);
      const context = `seed ${seed}`;
      checkInvariants(plan, input, policy);
      // Exact: the allocation, priced by the independent model, is the optimum.
      expect(near(independentCost(plan, input, policy), optimum, 1e-4), `${context}: ${independentCost(plan, input, policy)} vs ${optimum}`).toBe(true);
      // objectiveOf prices lines at their reported ETA (rounded to 0.01 h): within 0.005 h per unit.
      expect(near(objectiveOf(plan, input.deadlineHours), optimum, plan.totalQuantity * 0.005 + 1e-4), `${context}: objectiveOf`).toBe(true);
      // Lines report the independent ETA (a capacity line's: its last unit's), distance, tier and deadline flag.
      for (const l of plan.lines) {
        const d = input.destinations[l.destinationIndex];
        const eta = etaOf(l.source, d, policy, lastDay(l));
        expect(l.etaHours).toBeCloseTo(eta, 2);
        expect(l.distanceKm).toBeCloseTo(chordKm(l.source, d) * policy.detourFactor, 1);
        expect(l.tier).toBe(expectedTier(l.source, d, input.jurisdiction));
        expect(l.levelsAbove ?? 0).toBe(expectedLevels(l.source, d, input.jurisdiction));
        expect(l.meetsDeadline).toBe(Math.round(eta * 100) / 100 <= input.deadlineHours);
      }
      if (plan.shortages.length) withShortage++;
      if (input.destinations.length > 1) multiDestination++;
      // D15 (sweep 21b F1): stores of two levels above one destination, both used — the level step is priced in.
      if (input.destinations.some((_, j) => new Set(plan.lines.filter((l) => l.destinationIndex === j && l.levelsAbove).map((l) => l.levelsAbove)).size > 1))
        levelsApart++;
    }
    // The generator must produce the interesting shapes, or the check above proves little.
    expect(withShortage).toBeGreaterThan(20);
    expect(multiDestination).toBeGreaterThan(100);
    expect(levelsApart).toBeGreaterThan(5);
  });

  it('is deterministic: the same input twice, and the sources shuffled, give the same plan', async () => {
    for (let seed = 300; seed < 340; seed++) {
      const { input } = randomCase(seed);
      const a = await planDispatch(input);
      const b = await planDispatch(structuredClone(input));
      expect(b).toEqual(a);
      const rnd = mulberry32(seed);
      const shuffled = [...input.sources];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      const c = await planDispatch({ ...input, sources: shuffled });
      expect(c).toEqual(a);
    }
  });

  it('DESIGN: greedy nearest-first (the baseline) never beats the exact plan, and is beaten on some cases', async () => {
    let strictlyWorse = 0;
    for (let seed = 1000; seed < 1250; seed++) {
      const { input, policy } = randomCase(seed);
      const exact = await planDispatch(input);
      const greedy = planGreedy(input);
      checkInvariants(greedy, input, policy);
      expect(independentCost(greedy, input, policy)).toBeGreaterThanOrEqual(independentCost(exact, input, policy) - 1e-6);
      // objectiveOf: the exact plan's ETAs are rounded to 0.01 h, so allow 0.005 h per unit.
      expect(objectiveOf(greedy, input.deadlineHours)).toBeGreaterThanOrEqual(objectiveOf(exact, input.deadlineHours) - exact.totalQuantity * 0.005 - 1e-6);
      if (objectiveOf(greedy, input.deadlineHours) > objectiveOf(exact, input.deadlineHours) + 1) strictlyWorse++;
    }
    expect(strictlyWorse).toBeGreaterThan(0);
  });

  it('DESIGN: a hand-made case where nearest-first is worse — the first destination must leave the shared store to the second', async () => {
    // A at 0 km from d0 and d1's only near store; B is 50 km from d0 but 400 km from d1.
    const d0 = { ...DEST, name: 'd0', lines: [{ itemId: 'quilt', quantity: 10 }] };
    const d1 = { ...DEST, name: 'd1', ...north(5), lines: [{ itemId: 'quilt', quantity: 10 }] };
    const a = storeBatch('A', WEIHUI_COUNTY, 2, 10);
    const b = { ...storeBatch('B', WEIHUI_COUNTY, 0, 10), ...north(-50) };
    const input: PlannerInput = { destinations: [d0, d1], sources: [a, b], deadlineHours: 24 };
    const exact = await planDispatch(input);
    const greedy = planGreedy(input);
    expect(exact.lines.map((l) => [l.destinationIndex, (l.source as StoreBatchSource).storeId, l.quantity])).toEqual([
      [0, 'B', 10],
      [1, 'A', 10],
    ]);
    expect(objectiveOf(greedy, 24)).toBeGreaterThan(objectiveOf(exact, 24));
  });
});

describe('planDispatch — supplies, demand and shortages', () => {
  it('never allocates more than a source holds nor more than demanded; shortages state requested, planned, missing', async () => {
    const sources = [storeBatch('A', WEIHUI_COUNTY, 5, 7), storeBatch('A', WEIHUI_COUNTY, 5, 3), storeBatch('B', '410700000000', 30, 4), agreement(20, 6, 4)];
    const plan = await planDispatch({ destinations: [demand(50)], sources, deadlineHours: 10 });
    checkInvariants(plan, { destinations: [demand(50)], sources, deadlineHours: 10 }, { ...POLICY, nearestK: 12 });
    expect(plan.totalQuantity).toBe(20);
    expect(plan.shortages).toEqual([{ destinationIndex: 0, itemId: 'quilt', requested: 50, planned: 20, missing: 30 }]);
    // Enough stock: no shortage, exactly the demand.
    const enough = await planDispatch({ destinations: [demand(12)], sources, deadlineHours: 10 });
    expect(enough.shortages).toEqual([]);
    expect(enough.totalQuantity).toBe(12);
    // No source at all: the whole line is a shortage, not silently dropped.
    const none = await planDispatch({ destinations: [demand(5, 'tent')], sources, deadlineHours: 10 });
    expect(none.lines).toEqual([]);
    expect(none.shortages).toEqual([{ destinationIndex: 0, itemId: 'tent', requested: 5, planned: 0, missing: 5 }]);
  });

  it('D15: a store never supplies another item than its own', async () => {
    const plan = await planDispatch({ destinations: [demand(5, 'tent')], sources: [storeBatch('A', WEIHUI_COUNTY, 1, 100)], deadlineHours: 10 });
    expect(plan.totalQuantity).toBe(0);
    expect(plan.shortages[0].missing).toBe(5);
  });
});

describe('planDispatch — D15 tier order', () => {
  it('D15: LOCAL before UPPER before NEIGHBOUR before AGREEMENT before CAPACITY, even when the higher tier is nearer', async () => {
    // Farther as the tier gets lower: CAPACITY nearest, LOCAL farthest; all on time (deadline 200 h).
    const sources: Source[] = [
      storeBatch('local', '410781000000', 90, 10),
      storeBatch('city', '410700000000', 60, 10),
      storeBatch('neighbour', '410721000000', 30, 10),
      agreement(10, 10, 2),
      capacity(1, 10, 0),
    ];
    for (let n = 1; n <= 5; n++) {
      const plan = await planDispatch({ destinations: [demand(10 * n)], sources, deadlineHours: 200, policy: { capacityHorizonDays: 1 } });
      const expected = Object.fromEntries(TIER_ORDER.map((t, i) => [t, i < n ? 10 : 0]));
      expect(byTier(plan), `demand ${10 * n}`).toEqual(expected);
      expect(plan.lines.every((l) => l.meetsDeadline)).toBe(true);
    }
    // Partly: 15 takes all 10 local, then 5 from the city store.
    const plan = await planDispatch({ destinations: [demand(15)], sources, deadlineHours: 200 });
    expect(byTier(plan)).toMatchObject({ LOCAL: 10, UPPER: 5, NEIGHBOUR: 0 });
  });

  it('D25/D28: stock that needs consent comes before anything late (sweep 11c F1)', async () => {
    const province = storeBatch('province', '410000000000', 60, 20, { access: 'ON_REQUEST' }); // ≈ 1.8 h, needs consent
    const cap = capacity(1, 100, 2); // ≥ 72.5 h: late for 10 h
    const plan = await planDispatch({ destinations: [demand(20)], sources: [province, cap], deadlineHours: 10 });
    expect(taken(plan, (s) => s === province)).toBe(20); // not a 3-day production run
    expect(taken(plan, (s) => s === cap)).toBe(0);
  });

  it('D15/D25 (sweeps 15b F2, 21b F1): stock that needs consent keeps its level’s place — the level above on request before the next level the region may use by itself, and before a 联储 partner', async () => {
    const cityAsked = storeBatch('city', '410700000000', 40, 10, { access: 'ON_REQUEST' }); // ≈ 1.4 h, the city's consent
    const provinceOwn = storeBatch('province-own', '410000000000', 19, 4); // ≈ 0.9 h, a store two levels above the region may use by itself
    const partner = storeBatch('jincheng', '140500000000', 129, 50, { access: 'JOINT' }); // ≈ 3.3 h, under a 联储 agreement
    const soon = capacity(1, 100, 0); // ≈ 24.5 h, the region's own capacity reserve
    const sources = [cityAsked, provinceOwn, partner, soon];
    const take = async (q: number) => {
      const plan = await planDispatch({ destinations: [demand(q)], sources, deadlineHours: 200, policy: { capacityHorizonDays: 1 } });
      return [cityAsked, provinceOwn, partner, soon].map((s) => taken(plan, (x) => x === s));
    };
    // Sweep 21b F1 (D15 level by level): the city's store — the level directly above the county — first, though it needs
    // consent and lies farther than the province's store the region may use by itself (until 21b the stores above were
    // one tier, consent ranking after, and this case took the province's 4 first) …
    expect(await take(4)).toEqual([4, 0, 0, 0]);
    // … then the province's, the next level, before the 联储 partner (D15: the levels above, then neighbours) …
    expect(await take(14)).toEqual([10, 4, 0, 0]);
    // … then the partner, and the region's own capacity last (D17).
    expect(await take(70)).toEqual([10, 4, 50, 6]);
  });

  it('D28 (sweep 15b F2): while the disaster’s 10 hours can still be met, a line missing them weighs as late — from the disaster, not from the order', async () => {
    const local = storeBatch('local', WEIHUI_COUNTY, 100, 10); // ≈ 2.67 h
    const city = storeBatch('city', '410700000000', 30, 10); // ≈ 1.15 h
    const take = async (targetHours?: number) => {
      const plan = await planDispatch({ destinations: [demand(8)], sources: [local, city], deadlineHours: 10, targetHours });
      return byTier(plan);
    };
    // 8 h after the disaster, 2 h are left: the local store's 2.67 h would miss them, the city's 1.15 h not.
    expect(await take(2)).toMatchObject({ LOCAL: 0, UPPER: 8 });
    // With 3 h left both make it, and the local store comes first again (D15); so with no target given …
    expect(await take(3)).toMatchObject({ LOCAL: 8, UPPER: 0 });
    expect(await take()).toMatchObject({ LOCAL: 8, UPPER: 0 });
    // … and once the 10 hours have passed (every line misses them alike): the order's deadline alone.
    expect(await take(-4)).toMatchObject({ LOCAL: 8, UPPER: 0 });
    // The line still shows meetsDeadline against the order's deadline (10 h): on time.
    const plan = await planDispatch({ destinations: [demand(8)], sources: [local, city], deadlineHours: 10, targetHours: 2 });
    expect(plan.lines.every((l) => l.meetsDeadline)).toBe(true);
    expect(objectiveOf(plan, 10, 2)).toBeLessThan(objectiveOf(plan, 10, 1));
  });

  it('D15/D16: an on-time source beats a late one — lateness outweighs every tier', async () => {
    const local = storeBatch('local', WEIHUI_COUNTY, 100, 10); // 0.5 + 130/60 ≈ 2.67 h: late for a 2 h deadline
    const city = storeBatch('city', '410700000000', 30, 6); // ≈ 1.15 h: on time
    const cap = capacity(1, 100, 0); // ≥ 24.5 h: late
    const plan = await planDispatch({ destinations: [demand(8)], sources: [local, city, cap], deadlineHours: 2 });
    expect(byTier(plan)).toMatchObject({ LOCAL: 2, UPPER: 6, CAPACITY: 0 });
    const late = plan.lines.find((l) => l.tier === 'LOCAL')!;
    expect(late.meetsDeadline).toBe(false);
    expect(plan.lines.find((l) => l.tier === 'UPPER')!.meetsDeadline).toBe(true);
    // With a 10 h deadline both are on time and the local store wins again.
    const relaxed = await planDispatch({ destinations: [demand(8)], sources: [local, city, cap], deadlineHours: 10 });
    expect(byTier(relaxed)).toMatchObject({ LOCAL: 8, UPPER: 0 });
  });
});

describe('planDispatch — D16 deadlines and D17 lead times', () => {
  it('D16 (sweep 10c F2): meetsDeadline reads the ETA as the line shows it — 1.052 h is shown 1.05 and meets a 1.05 h deadline', async () => {
    // 0.5 h handling + 0.552 h on the road.
    const s = storeBatch('A', WEIHUI_COUNTY, (0.552 * 60) / 1.3, 10);
    const at = await planDispatch({ destinations: [demand(1)], sources: [s], deadlineHours: 1.05 });
    expect(at.lines[0]).toMatchObject({ etaHours: 1.05, meetsDeadline: true });
    expect(at.lines[0].reason).not.toContain('超出');
    const over = await planDispatch({ destinations: [demand(1)], sources: [s], deadlineHours: 1.04 });
    expect(over.lines[0]).toMatchObject({ etaHours: 1.05, meetsDeadline: false });
    expect(over.lines[0].reason).toContain('超出 1.04 h 时限');
  });

  it('D16 (sweep 11c F6): the planner avoids as late exactly what the line would show as late — 1.004 h (shown 1 h) is on time', async () => {
    const local = storeBatch('local', WEIHUI_COUNTY, (0.504 * 60) / 1.3, 10); // 1.004 h in all
    const neighbour = storeBatch('neighbour', '410721000000', 10, 10); // ≈ 0.72 h
    const plan = await planDispatch({ destinations: [demand(5)], sources: [local, neighbour], deadlineHours: 1 });
    expect(byTier(plan)).toMatchObject({ LOCAL: 5, NEIGHBOUR: 0 });
    expect(plan.lines[0]).toMatchObject({ etaHours: 1, meetsDeadline: true });
  });

  it('D16: meetsDeadline is false exactly when the ETA exceeds the deadline', async () => {
    // 0.5 h handling + 46.15 km × 1.3 / 60 km/h = 1.5 h in all.
    const km = (1.0 * 60) / 1.3;
    const s = storeBatch('A', WEIHUI_COUNTY, km, 10);
    const at = await planDispatch({ destinations: [demand(1)], sources: [s], deadlineHours: 1.6 });
    expect(at.lines[0].etaHours).toBeCloseTo(1.5, 2);
    expect(at.lines[0].meetsDeadline).toBe(true);
    const over = await planDispatch({ destinations: [demand(1)], sources: [s], deadlineHours: 1.4 });
    expect(over.lines[0].meetsDeadline).toBe(false);
    expect(over.lines[0].reason).toContain('超出 1.4 h 时限');
    expect(over.maxEtaHours).toBeCloseTo(1.5, 2);
    // Lateness is not a shortage: the stock still goes.
    expect(over.shortages).toEqual([]);
  });

  it('D17: an agreement source arrives after its response hours', async () => {
    const a = agreement(30, 50, 6);
    const plan = await planDispatch({ destinations: [demand(20)], sources: [a], deadlineHours: 10 });
    const expected = 0.5 + 6 + (chordKm(a, DEST) * 1.3) / 60;
    expect(plan.lines).toHaveLength(1);
    expect(plan.lines[0]).toMatchObject({ tier: 'AGREEMENT', quantity: 20, meetsDeadline: true });
    expect(plan.lines[0].etaHours).toBeCloseTo(expected, 2);
    const slow = await planDispatch({ destinations: [demand(20)], sources: [agreement(30, 50, 12)], deadlineHours: 10 });
    expect(slow.lines[0].meetsDeadline).toBe(false);
  });

  it('D17: capacity supplies dailyCapacity × capacityHorizonDays; its line arrives when the last day’s output does', async () => {
    const c = capacity(12, 10, 2);
    const plan = await planDispatch({ destinations: [demand(100)], sources: [c], deadlineHours: 10 });
    // 30 units at 10 a day: 2 days' lead, then 3 days of production.
    expect(plan.lines).toHaveLength(1);
    expect(plan.lines[0].etaHours).toBeCloseTo(0.5 + 2 * 24 + 3 * 24 + (chordKm(c, DEST) * 1.3) / 60, 2);
    expect(plan.lines[0].meetsDeadline).toBe(false);
    expect(plan.totalQuantity).toBe(30); // 10 a day × the default 3 days
    expect(plan.shortages).toEqual([{ destinationIndex: 0, itemId: 'quilt', requested: 100, planned: 30, missing: 70 }]);
    const longer = await planDispatch({ destinations: [demand(100)], sources: [c], deadlineHours: 10, policy: { capacityHorizonDays: 5 } });
    expect(longer.totalQuantity).toBe(50);
    // Within one day's output: the lead time and one day.
    const oneDay = await planDispatch({ destinations: [demand(10)], sources: [c], deadlineHours: 10 });
    expect(oneDay.lines[0].etaHours).toBeCloseTo(0.5 + 2 * 24 + 24 + (chordKm(c, DEST) * 1.3) / 60, 2);
  });

  it('D17, D16: a capacity line’s ETA is lead days + ceil(quantity / dailyCapacity) days plus the road; meetsDeadline follows it', async () => {
    // The sweep's case (finding 13): 100 a day after 1 day's lead.
    const c = capacity(12, 100, 1);
    const road = 0.5 + (chordKm(c, DEST) * 1.3) / 60;
    for (const [quantity, days] of [
      [100, 1],
      [101, 2],
      [250, 3],
    ]) {
      const plan = await planDispatch({ destinations: [demand(quantity)], sources: [c], deadlineHours: 200 });
      expect(plan.lines, `${quantity}`).toHaveLength(1);
      expect(plan.lines[0].quantity).toBe(quantity);
      expect(plan.lines[0].etaHours, `${quantity}`).toBeCloseTo(24 + days * 24 + road, 2);
      expect(plan.maxEtaHours).toBeCloseTo(24 + days * 24 + road, 2);
    }
    // A 50 h deadline: the first day's 100 arrive in time, 270 do not.
    const first = await planDispatch({ destinations: [demand(100)], sources: [c], deadlineHours: 50 });
    expect(first.lines[0]).toMatchObject({ quantity: 100, meetsDeadline: true });
    const more = await planDispatch({ destinations: [demand(270)], sources: [c], deadlineHours: 50 });
    expect(more.lines[0]).toMatchObject({ quantity: 270, meetsDeadline: false });
    expect(more.lines[0].etaHours).toBeCloseTo(24 + 72 + road, 2);
    expect(more.lines[0].reason).toContain('生产 3 天');
    expect(more.lines[0].reason).toContain('超出 50 h 时限');
  });

  it('D17: two destinations share one factory’s days — together never more than a day’s output per day', async () => {
    const c = capacity(12, 100, 1);
    const road = (d: Destination) => 0.5 + (chordKm(c, d) * 1.3) / 60;
    const d0 = { ...demand(100), name: 'd0' };
    const d1 = { ...demand(100), name: 'd1', ...north(3) };
    const plan = await planDispatch({ destinations: [d0, d1], sources: [c], deadlineHours: 200 });
    expect(plan.lines).toHaveLength(2);
    const days = plan.lines.map((l) => lastDay(l)).sort();
    expect(days).toEqual([1, 2]);
    for (const l of plan.lines) expect(l.etaHours).toBeCloseTo(24 + lastDay(l) * 24 + road([d0, d1][l.destinationIndex]), 1);
  });

  it('DESIGN: policy — detour, speed, handling, and a travel-time override (most specific region first)', async () => {
    const s = storeBatch('A', WEIHUI_COUNTY, 40, 10);
    const km = chordKm(s, DEST);
    const plan = await planDispatch({
      destinations: [demand(1)],
      sources: [s],
      deadlineHours: 10,
      policy: { detourFactor: 1.5, speedKmh: 40, handlingHours: 1 },
    });
    expect(plan.lines[0].etaHours).toBeCloseTo(1 + (km * 1.5) / 40, 2);
    expect(plan.lines[0].distanceKm).toBeCloseTo(km * 1.5, 1);
    const county = new Map([[`A|410781000000`, 3]]);
    const byCounty = await planDispatch({ destinations: [demand(1)], sources: [s], deadlineHours: 10, policy: { travelOverrides: county } });
    expect(byCounty.lines[0].etaHours).toBeCloseTo(0.5 + 3, 2);
    const township = new Map([...county, [`A|410781100000`, 1.25]]);
    const byTownship = await planDispatch({ destinations: [demand(1)], sources: [s], deadlineHours: 10, policy: { travelOverrides: township } });
    expect(byTownship.lines[0].etaHours).toBeCloseTo(0.5 + 1.25, 2);
    // Another store's override does not apply.
    const other = await planDispatch({
      destinations: [demand(1)],
      sources: [s],
      deadlineHours: 10,
      policy: { travelOverrides: new Map([[`B|410781000000`, 9]]) },
    });
    expect(other.lines[0].etaHours).toBeCloseTo(0.5 + (km * 1.3) / 60, 2);
  });
});

describe('planDispatch — D8 FEFO inside a store', () => {
  it('D8: the earliest-expiry batch goes first, undated batches last, ties by earliest received', async () => {
    const sources = [
      storeBatch('A', WEIHUI_COUNTY, 5, 4, { batchId: 'undated', expiryDate: null, receivedAt: '2025-01-01T00:00:00.000Z' }),
      storeBatch('A', WEIHUI_COUNTY, 5, 4, { batchId: 'late', expiryDate: '2030-01-01' }),
      storeBatch('A', WEIHUI_COUNTY, 5, 4, { batchId: 'early-new', expiryDate: '2027-06-30', receivedAt: '2026-05-01T00:00:00.000Z' }),
      storeBatch('A', WEIHUI_COUNTY, 5, 4, { batchId: 'early-old', expiryDate: '2027-06-30', receivedAt: '2026-02-01T00:00:00.000Z' }),
      storeBatch('A', WEIHUI_COUNTY, 5, 4, { batchId: 'earliest', expiryDate: '2026-12-31' }),
    ];
    const take = async (q: number) =>
      (await planDispatch({ destinations: [demand(q)], sources, deadlineHours: 10 })).lines.map((l) => [(l.source as StoreBatchSource).batchId, l.quantity]);
    expect(await take(3)).toEqual([['earliest', 3]]);
    expect(await take(6)).toEqual([
      ['earliest', 4],
      ['early-old', 2],
    ]);
    expect(await take(14)).toEqual([
      ['earliest', 4],
      ['early-old', 4],
      ['early-new', 4],
      ['late', 2],
    ]);
    expect(await take(19)).toEqual([
      ['earliest', 4],
      ['early-old', 4],
      ['early-new', 4],
      ['late', 4],
      ['undated', 3],
    ]);
  });

  it('D8: batches of one expiry received together leave by batch number, whatever their ids (as issueStock takes them)', async () => {
    const tied = { expiryDate: '2028-05-01', receivedAt: '2026-03-01T08:00:00.000Z' };
    const sources = [
      storeBatch('A', WEIHUI_COUNTY, 5, 4, { ...tied, batchId: 'a-id', batchNo: 'PC-003' }),
      storeBatch('A', WEIHUI_COUNTY, 5, 4, { ...tied, batchId: 'b-id', batchNo: 'PC-001' }),
      storeBatch('A', WEIHUI_COUNTY, 5, 4, { ...tied, batchId: 'c-id', batchNo: 'PC-002' }),
    ];
    const plan = await planDispatch({ destinations: [demand(9)], sources, deadlineHours: 10 });
    expect(plan.lines.map((l) => [(l.source as StoreBatchSource).batchNo, l.quantity])).toEqual([
      ['PC-001', 4],
      ['PC-002', 4],
      ['PC-003', 1],
    ]);
  });

  it('D8: several destinations served by one store share its batches FEFO; no batch is given twice', async () => {
    const sources = [
      storeBatch('A', WEIHUI_COUNTY, 5, 5, { batchId: 'b2', expiryDate: '2028-01-01' }),
      storeBatch('A', WEIHUI_COUNTY, 5, 5, { batchId: 'b1', expiryDate: '2027-01-01' }),
      storeBatch('A', WEIHUI_COUNTY, 5, 5, { batchId: 'b3', expiryDate: null }),
    ];
    const destinations = [
      { ...demand(6), name: 'd0' },
      { ...demand(6), name: 'd1', ...north(3) },
    ];
    const plan = await planDispatch({ destinations, sources, deadlineHours: 10 });
    const per = new Map<string, number>();
    for (const l of plan.lines) per.set((l.source as StoreBatchSource).batchId, (per.get((l.source as StoreBatchSource).batchId) ?? 0) + l.quantity);
    expect(Object.fromEntries(per)).toEqual({ b1: 5, b2: 5, b3: 2 });
    expect(plan.shortages).toEqual([]);
    for (const j of [0, 1]) expect(plan.lines.filter((l) => l.destinationIndex === j).reduce((a, l) => a + l.quantity, 0)).toBe(6);
    // Across both destinations, nothing from the undated batch while a dated one has stock left.
    expect(plan.lines.filter((l) => (l.source as StoreBatchSource).batchId === 'b3').reduce((a, l) => a + l.quantity, 0)).toBe(2);
  });
});

describe('planDispatch — pruning to the K nearest sources', () => {
  it('DESIGN: with nearestK 1 and the nearest source short, the planner widens and still meets the demand', async () => {
    const sources = [storeBatch('near', WEIHUI_COUNTY, 2, 5), storeBatch('mid', WEIHUI_COUNTY, 20, 5), storeBatch('far', WEIHUI_COUNTY, 60, 50)];
    const plan = await planDispatch({ destinations: [demand(30)], sources, deadlineHours: 10, policy: { nearestK: 1 } });
    expect(plan.shortages).toEqual([]);
    expect(plan.totalQuantity).toBe(30);
    expect(taken(plan, (s) => (s as StoreBatchSource).storeId === 'near')).toBe(5);
    expect(taken(plan, (s) => (s as StoreBatchSource).storeId === 'mid')).toBe(5);
    expect(taken(plan, (s) => (s as StoreBatchSource).storeId === 'far')).toBe(20);
    // Two destinations competing for the same nearest store.
    const two = await planDispatch({ destinations: [demand(5), { ...demand(5), ...north(1) }], sources, deadlineHours: 10, policy: { nearestK: 1 } });
    expect(two.shortages).toEqual([]);
    expect(two.totalQuantity).toBe(10);
    // A real shortage still ends: every source used, the rest reported.
    const short = await planDispatch({ destinations: [demand(100)], sources, deadlineHours: 10, policy: { nearestK: 1 } });
    expect(short.totalQuantity).toBe(60);
    expect(short.shortages[0].missing).toBe(40);
  });

  it('DESIGN: pruned (nearestK 1–3) on random cases, a shortage is only what all sources together cannot cover', async () => {
    for (let seed = 2000; seed < 2150; seed++) {
      const { input, policy } = randomCase(seed);
      const nearestK = 1 + (seed % 3);
      const pruned = await planDispatch({ ...input, policy: { ...policy, nearestK } });
      checkInvariants(pruned, input, policy);
      for (const item of new Set(input.destinations.flatMap((d) => d.lines.map((l) => l.itemId)))) {
        const wanted = input.destinations
          .flatMap((d) => d.lines)
          .filter((l) => l.itemId === item)
          .reduce((a, l) => a + l.quantity, 0);
        const held = input.sources.filter((s) => s.itemId === item).reduce((a, s) => a + supplyOf(s, policy), 0);
        expect(
          pruned.lines.filter((l) => l.itemId === item).reduce((a, l) => a + l.quantity, 0),
          `seed ${seed}`,
        ).toBe(Math.min(wanted, held));
      }
      // Pruning may cost optimality, never feasibility: never cheaper than the exact optimum.
      expect(independentCost(pruned, input, policy)).toBeGreaterThanOrEqual(referenceOptimum(input, policy) - 1e-4);
    }
  });

  it('DESIGN: exact despite pruning — with nearestK 1 the arcs left out are priced in by the duals, the cost is the optimum', async () => {
    // Destinations compete for one another's nearest stores: pruning alone would leave cheaper arcs out.
    for (let seed = 3000; seed < 3150; seed++) {
      const { input, policy } = randomCase(seed);
      const pruned = await planDispatch({ ...input, policy: { ...policy, nearestK: 1 } });
      checkInvariants(pruned, input, policy);
      expect(independentCost(pruned, input, policy), `seed ${seed}`).toBeCloseTo(referenceOptimum(input, policy), 3);
    }
  });
  it('DESIGN: past the 1,024 stores ranked up front, with co-located stores tied on cost — the full LP’s optimum, whatever the source order', async () => {
    // 1,500 stores in groups of three at one place (equal costs, broken by store id), holding 1–3 units each: the
    // first destination needs more than the cheapest 1,024 stores hold, so its walk goes past the ranked prefix.
    const rnd = mulberry32(4242);
    const sources: Source[] = [];
    for (let g = 0; g < 500; g++) {
      const km = 1 + rnd() * 300;
      const regionCode = g % 4 ? WEIHUI_COUNTY : '410700000000';
      for (const suffix of ['c', 'a', 'b']) sources.push(storeBatch(`s${String(g).padStart(3, '0')}${suffix}`, regionCode, km, 1 + Math.floor(rnd() * 3)));
    }
    const destinations = [demand(2_200), { ...demand(300), ...north(150) }, { ...demand(40), ...north(-80) }];
    const input: PlannerInput = { destinations, sources, deadlineHours: 4, policy: { nearestK: 12 } };
    const pruned = await planDispatch(input);
    const full = await planDispatch({ ...input, policy: { nearestK: Number.MAX_SAFE_INTEGER } });
    const policy = { ...POLICY, nearestK: 12 };
    checkInvariants(pruned, input, policy);
    expect(pruned.totalQuantity).toBe(2_540);
    // Both priced by the independent cost model (reported ETAs are rounded; these are not).
    const [prunedCost, fullCost] = [independentCost(pruned, input, policy), independentCost(full, input, policy)];
    expect(near(prunedCost, fullCost, 1e-6), `${prunedCost} vs ${fullCost}`).toBe(true);
    const rnd2 = mulberry32(7);
    const shuffled = [...sources];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(rnd2() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    expect(await planDispatch({ ...input, sources: shuffled })).toEqual(pruned);
  });
});

describe('reasons — why this source, in Chinese, with km and h', () => {
  it('D15/D17: reasons name the source, its tier in words, km and h; lateness is stated', async () => {
    const sources: Source[] = [
      storeBatch('local', WEIHUI_COUNTY, 10, 1, { storeName: '卫辉市救灾物资储备库' }),
      storeBatch('city', '410700000000', 20, 1, { storeName: '新乡市救灾物资储备库' }),
      storeBatch('neighbour', '410721000000', 30, 1, { storeName: '新乡县救灾物资储备库' }),
      agreement(5, 1, 6),
      capacity(5, 1, 2),
    ];
    const plan = await planDispatch({ destinations: [demand(5)], sources, deadlineHours: 10 });
    const reason = (t: Tier) => plan.lines.find((l) => l.tier === t)!.reason;
    expect(reason('LOCAL')).toContain('卫辉市救灾物资储备库');
    expect(reason('LOCAL')).toContain('本县库存');
    expect(reason('LOCAL')).toMatch(/\d+ km/);
    expect(reason('LOCAL')).toMatch(/约 \d+\.\d h/);
    expect(reason('UPPER')).toContain('上级储备库');
    expect(reason('NEIGHBOUR')).toContain('邻近地区');
    expect(reason('AGREEMENT')).toContain('协议储备');
    expect(reason('AGREEMENT')).toContain('响应 6 h');
    expect(reason('CAPACITY')).toContain('产能储备');
    expect(reason('CAPACITY')).toContain('生产准备 2 天');
    expect(reason('CAPACITY')).toContain('超出 10 h 时限');
    expect(reason('LOCAL')).not.toContain('超出');
    // The km in words is the line's distance, rounded.
    const local = plan.lines.find((l) => l.tier === 'LOCAL')!;
    expect(local.reason).toContain(`${Math.round(local.distanceKm)} km`);
  });

  it('reasonFor is a pure function of source, arc and deadline', () => {
    const s = storeBatch('A', WEIHUI_COUNTY, 1, 1, { storeName: '卫辉市救灾物资储备库' });
    const text = reasonFor(s, { destinationIndex: 0, sourceIndex: 0, distanceKm: 23.4, etaHours: 0.89, tier: 'LOCAL', unitCost: 0.89 }, 10);
    expect(text).toBe('卫辉市救灾物资储备库（本县库存），23 km，约 0.9 h');
  });
});

describe('planDispatch — the requester’s jurisdiction and what needs consent or leaves a debt (sweep 17b)', () => {
  const JISHUI = '410781100000'; // 汲水镇, the destination's township
  const TAIGONG = '410781101000'; // 太公镇, another township of 卫辉市

  it('D15 (sweep 17b F7): for a township’s own plan its township is LOCAL, its county and city are UPPER, another township is NEIGHBOUR', () => {
    const s = (regionCode: string) => storeBatch('x', regionCode, 1, 1);
    const d = { ...DEST, regionCode: JISHUI };
    expect(tierOf(s(JISHUI), d, JISHUI)).toBe('LOCAL');
    expect(tierOf(s(WEIHUI_COUNTY), d, JISHUI)).toBe('UPPER');
    expect(tierOf(s('410700000000'), d, JISHUI)).toBe('UPPER');
    expect(tierOf(s('410000000000'), d, JISHUI)).toBe('UPPER');
    expect(tierOf(s(TAIGONG), d, JISHUI)).toBe('NEIGHBOUR');
    expect(tierOf(s('410721000000'), d, JISHUI)).toBe('NEIGHBOUR');
    expect(tierOf(agreement(1, 1, 1), d, JISHUI)).toBe('AGREEMENT');
    // The county's, the city's and no jurisdiction's plans are as before: the destination's county is LOCAL.
    for (const own of [WEIHUI_COUNTY, '410700000000', undefined]) {
      expect(tierOf(s(WEIHUI_COUNTY), d, own)).toBe('LOCAL');
      expect(tierOf(s(TAIGONG), d, own)).toBe('LOCAL');
      expect(tierOf(s('410700000000'), d, own)).toBe('UPPER');
    }
  });

  it('D15, D25 (sweep 17b F7): a township’s plan labels the county’s store UPPER and another township’s NEIGHBOUR, in words that match', async () => {
    const d = { ...demand(30), regionCode: JISHUI };
    const own = storeBatch('jishui', JISHUI, 20, 10, { storeName: '汲水镇储备点' });
    const county = storeBatch('county', WEIHUI_COUNTY, 10, 10, { storeName: '卫辉市救灾物资储备库', access: 'ON_REQUEST' });
    const sibling = storeBatch('taigong', TAIGONG, 1, 10, { storeName: '太公镇储备点', access: 'ON_REQUEST' });
    const plan = await planDispatch({ destinations: [d], sources: [own, county, sibling], deadlineHours: 10, jurisdiction: JISHUI });
    const line = (s: Source) => plan.lines.find((l) => l.source === s)!;
    expect(line(own)).toMatchObject({ tier: 'LOCAL', quantity: 10 });
    expect(line(own).reason).toContain('（本乡镇库存）');
    expect(line(county)).toMatchObject({ tier: 'UPPER', quantity: 10 });
    expect(line(county).reason).toContain('（上级储备库（须对方辖区同意））');
    expect(line(sibling)).toMatchObject({ tier: 'NEIGHBOUR', quantity: 10 });
    expect(line(sibling).reason).toContain('（邻近地区储备库（须对方辖区同意））');
    for (const l of plan.lines) expect(l.reason).not.toContain('本县库存');
    // D15: the township's own store first, then the county above, the other township last — whatever the distance.
    const twenty = await planDispatch({
      destinations: [{ ...d, lines: [{ itemId: 'quilt', quantity: 20 }] }],
      sources: [own, county, sibling],
      deadlineHours: 10,
      jurisdiction: JISHUI,
    });
    expect([own, county, sibling].map((s) => taken(twenty, (x) => x === s))).toEqual([10, 10, 0]);
    // The county's own plan for the same place: its stores are LOCAL and say 本县库存, as before.
    const byCounty = await planDispatch({
      destinations: [d],
      sources: [own, { ...county, access: undefined }, { ...sibling, access: undefined }],
      deadlineHours: 10,
      jurisdiction: WEIHUI_COUNTY,
    });
    expect(byCounty.lines.map((l) => l.tier)).toEqual(['LOCAL', 'LOCAL', 'LOCAL']);
    for (const l of byCounty.lines) expect(l.reason).toContain('（本县库存）');
  });
});

describe('planDispatch — D15 the levels above, one after the other (sweep 21b F1)', () => {
  const SHIBAOTOU = '410781201000'; // 狮豹头乡, the township of the finding
  const SHAZHANG = '410781201201'; // 砂掌村, a village of it
  const XINXIANG_CITY = '410700000000';
  const HENAN = '410000000000';
  const at = (regionCode: string, quantity: number): Destination => ({ ...demand(quantity), regionCode });
  const lineOf = (plan: Plan, s: Source) => plan.lines.find((l) => l.source === s);

  it('D15 (sweep 21b F1): a township’s plan takes the county’s store (the level above) before the nearer city’s; the city only for what the county cannot give', async () => {
    // The finding's shape: the township's point short, the county's store 36 km away, the city's 33 km — both asked of
    // their jurisdiction (a township may use neither alone, D25).
    const own = storeBatch('shibaotou', SHIBAOTOU, 20, 23, { storeName: '卫辉市狮豹头乡应急物资储备点' });
    const county = storeBatch('county', WEIHUI_COUNTY, 36, 100, { storeName: '卫辉市救灾物资储备库', access: 'ON_REQUEST' });
    const city = storeBatch('city', XINXIANG_CITY, 33, 500, { storeName: '新乡市救灾物资储备库', access: 'ON_REQUEST' });
    const sources = [own, county, city];
    const take = async (quantity: number) => {
      const plan = await planDispatch({ destinations: [at(SHIBAOTOU, quantity)], sources, deadlineHours: 10, jurisdiction: SHIBAOTOU });
      return { plan, taken: sources.map((s) => taken(plan, (x) => x === s)) };
    };
    // 100 床: the township's 23, then 77 from the county — none from the nearer city (the finding took the 77 from the city).
    const hundred = await take(100);
    expect(hundred.taken).toEqual([23, 77, 0]);
    expect(lineOf(hundred.plan, county)).toMatchObject({ tier: 'UPPER', levelsAbove: 1 });
    expect(lineOf(hundred.plan, county)!.reason).toContain('卫辉市救灾物资储备库（上级储备库（须对方辖区同意））');
    // 150: the county's whole 100 before the city gives the remaining 27.
    const more = await take(150);
    expect(more.taken).toEqual([23, 100, 27]);
    expect(lineOf(more.plan, city)).toMatchObject({ tier: 'UPPER', levelsAbove: 2 });
    expect(lineOf(more.plan, city)!.reason).toContain('新乡市救灾物资储备库（上级储备库（须对方辖区同意））');
    expect(lineOf(more.plan, own)!.levelsAbove).toBeUndefined();
    // The same with stock the township may use by itself at both levels (a 联储 agreement with each): the county first.
    const joint = sources.map((s) => (s === own ? s : { ...s, access: 'JOINT' as const }));
    const byJoint = await planDispatch({ destinations: [at(SHIBAOTOU, 100)], sources: joint, deadlineHours: 10, jurisdiction: SHIBAOTOU });
    expect(joint.map((s) => taken(byJoint, (x) => x === s))).toEqual([23, 77, 0]);
    // The county's own plan for the same place: the county's store is LOCAL (本县库存) and the city's the level above.
    const byCounty = await planDispatch({
      destinations: [at(SHIBAOTOU, 150)],
      sources: [own, { ...county, access: undefined }, city],
      deadlineHours: 10,
      jurisdiction: WEIHUI_COUNTY,
    });
    expect(byCounty.lines.filter((l) => l.tier === 'LOCAL').reduce((a, l) => a + l.quantity, 0)).toBe(123);
    expect(byCounty.lines.find((l) => l.tier === 'UPPER')).toMatchObject({ quantity: 27, levelsAbove: 1 });
  });

  it('D15 (sweep 21b F1): a village’s plan — its own, then its township’s, then the county’s, then the city’s, then the province’s, each nearer than the last', async () => {
    const village = storeBatch('village', SHAZHANG, 50, 5, { storeName: '砂掌村储备点' });
    const township = storeBatch('township', SHIBAOTOU, 40, 10, { access: 'ON_REQUEST' });
    const county = storeBatch('county', WEIHUI_COUNTY, 30, 10, { access: 'ON_REQUEST' });
    const city = storeBatch('city', XINXIANG_CITY, 20, 10, { access: 'ON_REQUEST' });
    const province = storeBatch('province', HENAN, 10, 10, { access: 'ON_REQUEST' });
    const sources = [village, township, county, city, province];
    const take = async (quantity: number) => {
      const plan = await planDispatch({ destinations: [at(SHAZHANG, quantity)], sources, deadlineHours: 10, jurisdiction: SHAZHANG });
      return { plan, taken: sources.map((s) => taken(plan, (x) => x === s)) };
    };
    expect((await take(5)).taken).toEqual([5, 0, 0, 0, 0]);
    // The finding: 150 床 for 砂掌村 took the township's, then skipped the county for the city.
    expect((await take(15)).taken).toEqual([5, 10, 0, 0, 0]);
    expect((await take(25)).taken).toEqual([5, 10, 10, 0, 0]);
    expect((await take(35)).taken).toEqual([5, 10, 10, 10, 0]);
    const all = await take(45);
    expect(all.taken).toEqual([5, 10, 10, 10, 10]);
    expect(all.plan.lines.map((l) => [(l.source as StoreBatchSource).storeId, l.tier, l.levelsAbove])).toEqual([
      ['province', 'UPPER', 4],
      ['city', 'UPPER', 3],
      ['county', 'UPPER', 2],
      ['township', 'UPPER', 1],
      ['village', 'LOCAL', undefined],
    ]);
    expect(all.plan.lines.find((l) => l.tier === 'LOCAL')!.reason).toContain('（本村库存）');
    // The farthest level above (the province, on request) still comes before a 联储 neighbour the village may use by itself.
    const neighbour = storeBatch('neighbour', '410721000000', 1, 10, { access: 'JOINT' });
    const plan = await planDispatch({ destinations: [at(SHAZHANG, 45)], sources: [...sources, neighbour], deadlineHours: 10, jurisdiction: SHAZHANG });
    expect(taken(plan, (x) => x === neighbour)).toBe(0);
    expect(taken(plan, (x) => x === province)).toBe(10);
  });

  it('D15 (sweep 21b F1): a county’s plan takes the city’s store (the level above) before the nearer province’s; the province for the rest', async () => {
    const local = storeBatch('local', WEIHUI_COUNTY, 30, 5);
    const city = storeBatch('city', XINXIANG_CITY, 60, 20, { access: 'ON_REQUEST' });
    const province = storeBatch('province', HENAN, 15, 100, { access: 'ON_REQUEST' });
    const sources = [local, city, province];
    // The county's dispatcher's plan, and one made for no jurisdiction (the destination's county is local alike).
    for (const jurisdiction of [WEIHUI_COUNTY, undefined]) {
      const plan20 = await planDispatch({ destinations: [demand(20)], sources, deadlineHours: 10, jurisdiction });
      expect(sources.map((s) => taken(plan20, (x) => x === s))).toEqual([5, 15, 0]);
      const plan40 = await planDispatch({ destinations: [demand(40)], sources, deadlineHours: 10, jurisdiction });
      expect(sources.map((s) => taken(plan40, (x) => x === s))).toEqual([5, 20, 15]);
      expect(plan40.lines.filter((l) => l.tier === 'UPPER').map((l) => [(l.source as StoreBatchSource).storeId, l.levelsAbove])).toEqual([
        ['province', 2],
        ['city', 1],
      ]);
    }
  });

  it('D15/D16 (sweep 21b F1): the levels order what arrives in time — a county store that would be late gives way to the city’s on time', async () => {
    const county = storeBatch('county', WEIHUI_COUNTY, 100, 10, { access: 'ON_REQUEST' }); // ≈ 2.67 h: late for a 2 h deadline
    const city = storeBatch('city', XINXIANG_CITY, 30, 10, { access: 'ON_REQUEST' }); // ≈ 1.15 h: on time
    const plan = await planDispatch({ destinations: [at(SHIBAOTOU, 8)], sources: [county, city], deadlineHours: 2, jurisdiction: SHIBAOTOU });
    expect([county, city].map((s) => taken(plan, (x) => x === s))).toEqual([0, 8]);
    const relaxed = await planDispatch({ destinations: [at(SHIBAOTOU, 8)], sources: [county, city], deadlineHours: 10, jurisdiction: SHIBAOTOU });
    expect([county, city].map((s) => taken(relaxed, (x) => x === s))).toEqual([8, 0]);
  });

  it('D15 (sweep 21b F1): exact — a plan’s cost counts each line’s level, objectiveOf agrees with the full problem when pruned', async () => {
    // Many stores at every level above a township: the pruned plan (nearestK 2) prices the rest in and costs the full optimum.
    const rnd = mulberry32(2121);
    const regions = [SHIBAOTOU, WEIHUI_COUNTY, XINXIANG_CITY, HENAN, '410721000000'];
    const sources = Array.from({ length: 60 }, (_, i) =>
      storeBatch(`s${String(i).padStart(2, '0')}`, regions[i % regions.length], 1 + rnd() * 150, 1 + Math.floor(rnd() * 9)),
    );
    const destinations = [at(SHIBAOTOU, 120), { ...at(SHIBAOTOU, 80), ...north(40) }];
    const input: PlannerInput = { destinations, sources, deadlineHours: 6, jurisdiction: SHIBAOTOU, policy: { nearestK: 2 } };
    const pruned = await planDispatch(input);
    const full = await planDispatch({ ...input, policy: { nearestK: Number.MAX_SAFE_INTEGER } });
    const policy = { ...POLICY, nearestK: 2 };
    checkInvariants(pruned, input, policy);
    expect(near(independentCost(pruned, input, policy), referenceOptimum(input, policy), 1e-4)).toBe(true);
    expect(near(objectiveOf(pruned, 6), objectiveOf(full, 6), pruned.totalQuantity * 0.005 + 1e-4)).toBe(true);
    // cost: Σ quantity × (ETA + the tier's penalty, an UPPER line's by its level).
    const cost = pruned.lines.reduce((a, l) => a + l.quantity * (l.etaHours + expectedPenalty(l.source, destinations[l.destinationIndex], SHIBAOTOU)), 0);
    expect(pruned.cost).toBeCloseTo(cost, 6);
    expect(new Set(pruned.lines.map((l) => l.levelsAbove))).toEqual(new Set([undefined, 1, 2, 3]));
  });
});

describe('planDispatch — D25 a jurisdiction that refused before is asked again last (sweep 24a F2)', () => {
  // README "Consent is asked per plan": a later plan of the incident asks a jurisdiction that refused again — after every
  // source the region may use by itself. Independently of the module: REFUSED_BEFORE adds 5,000 h to the tier's penalty;
  // ON_REQUEST adds LOCAL 500, UPPER 125 (half a level), NEIGHBOUR/AGREEMENT/CAPACITY 5,000 h (planner.ts).
  const XINXIANG_CITY = '410700000000';
  const ON_REQUEST: Record<Tier, number> = { LOCAL: 500, UPPER: LEVEL_STEP / 2, NEIGHBOUR: 5000, AGREEMENT: 5000, CAPACITY: 5000 };
  const REFUSED_BEFORE = 5000;
  const accessPenalty = (s: Source, tier: Tier) => (s.access === 'ON_REQUEST' ? ON_REQUEST[tier] : s.access === 'REFUSED_BEFORE' ? REFUSED_BEFORE : 0);

  /** The finding's shape for 卫辉's plan: the city that refused, 晋城's 联储 stock in two stores, 辉县 never asked before. */
  const sourcesOf = (cityAccess: 'ON_REQUEST' | 'REFUSED_BEFORE') => {
    const city = storeBatch('city', XINXIANG_CITY, 30, 570, { storeName: '新乡市救灾物资储备库', access: cityAccess }); // ≈ 1.2 h
    const jincheng = storeBatch('jincheng', '140500000000', 120, 70, { storeName: '晋城市救灾物资储备库', access: 'JOINT' }); // ≈ 3.1 h
    const taihang = storeBatch('taihang', '140500000000', 124, 100, { storeName: '晋城市救灾物资代储库（太行物流）', access: 'JOINT' });
    const huixian = storeBatch('huixian', '410782000000', 16, 180, { storeName: '辉县市应急物资储备库', access: 'ON_REQUEST' }); // ≈ 0.85 h
    const company = agreement(10, 30, 4); // the region's own agreement reserve, ≈ 4.7 h
    const factory = capacity(5, 300, 0); // the region's own capacity reserve, day 1 ≈ 24.6 h
    return { city, jincheng, taihang, huixian, company, factory, all: [city, jincheng, taihang, huixian, company, factory] };
  };
  const plan48 = (sources: Source[], quantity: number) =>
    planDispatch({ destinations: [demand(quantity)], sources, deadlineHours: 48, jurisdiction: WEIHUI_COUNTY, policy: { capacityHorizonDays: 1 } });

  it('D25 (sweep 24a F2): the city that refused comes after 晋城’s 联储 stock and the region’s own agreement and capacity reserves — and is still asked when nothing else suffices, before a county that never refused', async () => {
    const s = sourcesOf('REFUSED_BEFORE');
    const take = async (quantity: number) => {
      const plan = await plan48(s.all, quantity);
      return [s.city, s.jincheng, s.taihang, s.huixian, s.company, s.factory].map((x) => taken(plan, (y) => y === x));
    };
    // The finding: 570 → city 470, 晋城 100 (70 of the partner's left). Now 晋城's whole 170 before the city …
    expect(await take(170)).toEqual([0, 70, 100, 0, 0, 0]);
    // … the region's agreement (D17) and a day of its own production too …
    expect(await take(500)).toEqual([0, 70, 100, 0, 30, 300]);
    // … then the city for the rest, all it holds, and only then 辉县 (on request, never refused: D15's order among them).
    expect(await take(570)).toEqual([70, 70, 100, 0, 30, 300]);
    expect(await take(1100)).toEqual([570, 70, 100, 30, 30, 300]);
    const plan = await plan48(s.all, 570);
    const city = plan.lines.find((l) => l.source === s.city)!;
    expect(city).toMatchObject({ tier: 'UPPER', levelsAbove: 1, meetsDeadline: true });
    expect(city.reason).toContain('（上级储备库（须对方辖区同意））');
  });

  it('D15, D25: a jurisdiction that did not refuse keeps its place — the city on request, the level above, before 晋城’s 联储 stock (sweep 15b F2)', async () => {
    const s = sourcesOf('ON_REQUEST');
    const plan = await plan48(s.all, 600);
    expect([s.city, s.jincheng, s.taihang, s.huixian, s.company, s.factory].map((x) => taken(plan, (y) => y === x))).toEqual([570, 30, 0, 0, 0, 0]);
  });

  it('D15 among those that refused: LOCAL, UPPER, NEIGHBOUR, AGREEMENT, CAPACITY — the refused LOCAL and UPPER before a neighbour on request that never refused, the refused agreement after it', async () => {
    // Farther as the tier gets lower, all refused but the on-request neighbour; all on time (deadline 200 h).
    const refused = { access: 'REFUSED_BEFORE' as const };
    const local = storeBatch('local', WEIHUI_COUNTY, 90, 10, refused);
    const upper = storeBatch('upper', XINXIANG_CITY, 60, 10, refused);
    const neighbour = storeBatch('neighbour', '410721000000', 30, 10, { access: 'ON_REQUEST' });
    const company = agreement(10, 10, 2, refused);
    const factory = capacity(1, 10, 0, refused);
    const order = [local, upper, neighbour, company, factory];
    for (let n = 1; n <= 5; n++) {
      const plan = await planDispatch({ destinations: [demand(10 * n)], sources: order, deadlineHours: 200, policy: { capacityHorizonDays: 1 } });
      expect(
        order.map((x) => taken(plan, (y) => y === x)),
        `demand ${10 * n}`,
      ).toEqual(order.map((_, i) => (i < n ? 10 : 0)));
    }
    // Any source the region may use by itself first: here its own capacity reserve, a day of production away.
    const own = capacity(1, 10, 0, { agreementId: 'cap-own' });
    const plan = await planDispatch({ destinations: [demand(10)], sources: [...order, own], deadlineHours: 200, policy: { capacityHorizonDays: 1 } });
    expect(taken(plan, (y) => y === own)).toBe(10);
  });

  it('D16, D25: still before lateness — the city that refused, on time, before the region’s own capacity arriving late', async () => {
    const city = storeBatch('city', XINXIANG_CITY, 30, 20, { access: 'REFUSED_BEFORE' }); // ≈ 1.2 h
    const factory = capacity(1, 100, 1); // ≥ 48.5 h: late for 10 h
    const plan = await planDispatch({ destinations: [demand(20)], sources: [city, factory], deadlineHours: 10, jurisdiction: WEIHUI_COUNTY });
    expect(taken(plan, (y) => y === city)).toBe(20);
  });

  it('D25: access is the item’s — the same store’s other item, usable without consent, keeps its place, whichever batch the store lists first', async () => {
    // 晋城's store under a 联储 agreement covering its quilts only: its tents need consent (晋城 refused them before, or
    // not). The planner ranks a store by its first batch: a tent batch gave the quilts the tents' access (5,000 h more),
    // and the region's own agreement reserve (AGREEMENT) was taken before the partner's quilts (NEIGHBOUR).
    for (const tentAccess of ['REFUSED_BEFORE', 'ON_REQUEST'] as const) {
      const tents = storeBatch('jincheng', '140500000000', 14, 8, { itemId: 'tent', access: tentAccess });
      const quilts = { ...storeBatch('jincheng', '140500000000', 14, 22, { access: 'JOINT' }), batchId: 'jincheng-quilts' };
      const company = agreement(1, 33, 20);
      for (const sources of [
        [tents, quilts, company],
        [quilts, tents, company],
      ]) {
        const plan = await planDispatch({ destinations: [demand(21)], sources, deadlineHours: 60, jurisdiction: WEIHUI_COUNTY });
        expect(
          taken(plan, (y) => y === quilts),
          tentAccess,
        ).toBe(21);
        expect(taken(plan, (y) => y === company)).toBe(0);
      }
    }
  });

  it('exact with consent in play: on 150 random cases (access drawn per region and reserve), pruned to nearestK 1, the plan costs the independent optimum; objectiveOf agrees', async () => {
    const ACCESS = [undefined, 'JOINT', 'ON_REQUEST', 'REFUSED_BEFORE'] as const;
    let refusedUsed = 0;
    for (let seed = 5000; seed < 5150; seed++) {
      const { input: drawn, policy } = randomCase(seed);
      const rnd = mulberry32(seed + 24_000);
      // Alike for every batch of a region and item (consent.ts accessOfSources decides per region and item).
      const byRegion = new Map<string, (typeof ACCESS)[number]>();
      const accessOf = (key: string) => {
        if (!byRegion.has(key)) byRegion.set(key, ACCESS[Math.floor(rnd() * ACCESS.length)]);
        return byRegion.get(key);
      };
      const sources = drawn.sources.map((s): Source => {
        const access = accessOf(`${s.kind === 'STORE' ? s.regionCode : s.agreementId}|${s.itemId}`);
        return access ? { ...s, access } : s;
      });
      const input: PlannerInput = { ...drawn, sources, policy: { ...policy, nearestK: 1 } };
      const plan = await planDispatch(input);
      checkInvariants(plan, input, policy);
      const cost = (s: Source, d: Destination, day: number) =>
        unitCost(s, d, policy, input.deadlineHours, day, input.jurisdiction) + accessPenalty(s, expectedTier(s, d, input.jurisdiction));
      let optimum = 0;
      for (const item of new Set(input.destinations.flatMap((d) => d.lines.map((l) => l.itemId)))) {
        const lots = lotsOf(
          sources.filter((s) => s.itemId === item),
          policy,
        );
        const want = input.destinations.map((d) => d.lines.filter((l) => l.itemId === item).reduce((a, l) => a + l.quantity, 0));
        optimum += minCostFlow(
          lots.map((l) => l.supply),
          want,
          lots.map(({ s, day }) => input.destinations.map((d) => cost(s, d, day))),
        );
      }
      const planCost =
        plan.lines.reduce((a, l) => {
          const d = input.destinations[l.destinationIndex];
          return a + (l.lots ?? [{ day: 1, quantity: l.quantity }]).reduce((b, lot) => b + lot.quantity * cost(l.source, d, lot.day), 0);
        }, 0) + plan.shortages.reduce((a, x) => a + x.missing * SHORTAGE_PENALTY, 0);
      expect(near(planCost, optimum, 1e-4), `seed ${seed}: ${planCost} vs ${optimum}`).toBe(true);
      expect(near(objectiveOf(plan, input.deadlineHours), optimum, plan.totalQuantity * 0.005 + 1e-4), `seed ${seed}: objectiveOf`).toBe(true);
      if (plan.lines.some((l) => l.source.access === 'REFUSED_BEFORE')) refusedUsed++;
    }
    expect(refusedUsed).toBeGreaterThan(20);
  });
});
