import * as highsModule from 'highs';
import type { Highs, ModelData } from 'highs';
import { greatCircleKm, haversineKm, RAD, type LatLng } from '../regions/distance.ts';
import { fefoOrder } from '../inventory/rules.ts';
import { PREFIX_LENGTHS, subtreePrefix } from '../regions/codes.ts';
import { kthSmallest } from './select.ts';
import { SourceIndex } from './source-index.ts';

// The dispatch planner (DESIGN "The dispatch planner", D8, D15–D17): a pure function of its input, no I/O.
// Per item it solves a transportation problem across all destinations exactly (an LP whose optimal vertex is
// integral, solved by HiGHS): minimise Σ quantity × (ETA + tier penalty), the stores above the local area level by
// level (LEVEL_STEP), stock needing another jurisdiction's consent (D25) after what the region may use by itself
// (ON_REQUEST_PENALTY; a jurisdiction's that refused it earlier in the incident after all of that, whatever its tier:
// REFUSED_BEFORE_PENALTY), lateness penalised above every tier — beyond the deadline, and beyond the disaster's 10 hours
// while they can still be met (D28) —, shortage above everything, so stock that exists is always used and shortages
// are explicit.

export type Tier = 'LOCAL' | 'UPPER' | 'NEIGHBOUR' | 'AGREEMENT' | 'CAPACITY';
export const TIER_ORDER: readonly Tier[] = ['LOCAL', 'UPPER', 'NEIGHBOUR', 'AGREEMENT', 'CAPACITY'];

/**
 * D25: how the requesting region may use a reserve — absent: by itself (its own); JOINT: a 联储 partner's, within the
 * agreement; ON_REQUEST: another jurisdiction's outside any 联储 agreement, only once that jurisdiction consents;
 * REFUSED_BEFORE: the same, of a jurisdiction that refused the item to an earlier plan of the incident — asked again,
 * but only after every source the region may use by itself (README, sweep 24a F2; consent.ts refusedBefore decides it).
 */
export type Access = 'JOINT' | 'ON_REQUEST' | 'REFUSED_BEFORE';

/** A reserve the planner may draw on: where it is, and how the requesting region may use it. */
interface Reserve extends LatLng {
  access?: Access;
}

/**
 * D6 (an agreement has a validity), D17: an agreement's validity in whole China days from the day the plan is made —
 * `fromDay` = validFrom − today (≤ 0 once in force), `toDay` = validTo − today. A call-off may be issued at any hour of
 * the day (suggested now, approved and executed later the same day, each re-checking by its own China date): it is
 * issued only while the agreement is in force, and a capacity reserve's output counts only on days that end inside
 * the validity (inForceToday, productionDays). Absent: no bound (the planner's own tests and the bench).
 */
export interface Validity {
  fromDay: number;
  toDay: number;
}

export interface Destination extends LatLng {
  name: string;
  regionCode: string;
  lines: { itemId: string; quantity: number }[];
}

/** A batch held at a store (FEFO inside the store, D8). */
export interface StoreBatchSource extends Reserve {
  kind: 'STORE';
  storeId: string;
  storeName: string;
  regionCode: string;
  batchId: string;
  batchNo: string;
  itemId: string;
  available: number;
  expiryDate: string | null;
  receivedAt: string;
}

/** D17: an agreement (协议储备) line, at min(committed, last counted), after its response time. */
export interface AgreementSource extends Reserve {
  kind: 'AGREEMENT';
  agreementId: string;
  companyName: string;
  itemId: string;
  available: number;
  responseHours: number;
  validity?: Validity;
}

/**
 * D17: capacity (产能储备): daily output after a lead time, over the planning horizon. Day d's output (d = 1, 2, …)
 * leaves the factory leadDays + d days after the order: a line's ETA is that of its last unit.
 */
export interface CapacitySource extends Reserve {
  kind: 'CAPACITY';
  agreementId: string;
  companyName: string;
  itemId: string;
  dailyCapacity: number;
  leadDays: number;
  /**
   * D6/D17: units already ordered (production orders not yet delivered, approved plans' lines): they take the first
   * days' output, so only what is left of the horizon is offered, on the days it is made (capacityOnDay).
   */
  claimed?: number;
  validity?: Validity;
}

export type Source = StoreBatchSource | AgreementSource | CapacitySource;

export interface PlannerPolicy {
  detourFactor: number;
  speedKmh: number;
  handlingHours: number;
  /** Each destination starts from its K cheapest sources per item; the duals then price in any other that pays. */
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
  /**
   * D28: the hours left, when planning, until the disaster's basic-needs target (occurredAt + 10 h); absent, or passed
   * already, only the deadline counts. A line that would miss the target while it can still be met weighs as late.
   */
  targetHours?: number;
  /**
   * D15, D25: the jurisdiction the plan is made for (its requester's, planningJurisdiction). A township's plan counts
   * its own township as local — the county's stores are the level above, another township's are a neighbour's (sweep
   * 17b F7). Absent, or a county or above: each destination's county, as for the county's own plan.
   */
  jurisdiction?: string;
  policy?: Partial<PlannerPolicy>;
}

/**
 * D16, D28: what a line must arrive within to be on time — the plan's deadline from the order, and the disaster's target
 * while it lies ahead (null once passed: every line misses it alike).
 */
interface Due {
  deadline: number;
  target: number | null;
}

const dueOf = (input: Pick<PlannerInput, 'deadlineHours' | 'targetHours'>): Due => ({
  deadline: input.deadlineHours,
  target: input.targetHours !== undefined && input.targetHours > 0 ? input.targetHours : null,
});

export interface PlanLine {
  destinationIndex: number;
  itemId: string;
  source: Source;
  quantity: number;
  distanceKm: number;
  etaHours: number;
  meetsDeadline: boolean;
  tier: Tier;
  /**
   * UPPER only (D15, sweep 21b F1): how many levels the source's region lies above the destination's local area — 1 the
   * level directly above (a township's plan: the county's stores; a county's: the city's), 2 the next, and so on.
   */
  levelsAbove?: number;
  reason: string;
  /** CAPACITY only: the line's units by day of production (1 = the first day after the lead time), each with its ETA. */
  lots?: Lot[];
}

export interface Lot {
  day: number;
  quantity: number;
  etaHours: number;
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
  /**
   * Σ quantity × (ETA + tier penalty, an UPPER line's by its level): what the planner minimises (consent, lateness and
   * shortage counted apart).
   */
  cost: number;
}

// Penalties in hours: a tier step outweighs any travel time, lateness outweighs every tier, shortage everything.
/** D15, D17 (DESIGN "The dispatch planner"): LOCAL → UPPER → NEIGHBOUR → AGREEMENT → CAPACITY. */
const TIER_PENALTY: Record<Tier, number> = { LOCAL: 0, UPPER: 1_000, NEIGHBOUR: 2_000, AGREEMENT: 3_000, CAPACITY: 4_000 };
/**
 * D15 "the affected area uses its own stores first, then the level above" (sweep 21b F1: a township's plan took the
 * city's store, 33 km, and skipped the county's, 36 km, holding plenty — one UPPER tier ordered by distance): the stores
 * above the local area are taken level by level — the level directly above first (a township's plan: its county's; a
 * village's: its township's; a county's: its city's), then the next (the city's, then the province's) — distance deciding
 * only within one level. Each level further up adds LEVEL_STEP to UPPER's penalty.
 * The numbers: a local area lies at most 4 levels below the province (a village: township, county, city, province), so
 * UPPER holds 8 places — each level, by itself and then on request (ON_REQUEST_PENALTY.UPPER, half a step) — spread
 * evenly over the 1,000 h between UPPER and NEIGHBOUR: 1,000 / 1,125 / 1,250 / … / 1,875 h, NEIGHBOUR 125 h above the
 * last. Places 125 h apart outweigh any difference of travel between two stores above one area — 125 h is about
 * 7,500 km by road at the default 60 km/h (5,800 km great-circle at the 1.3 detour), where no province is more than
 * some 2,500 km across (≈ 55 h) —, yet all stay below NEIGHBOUR (2,000 h) and far below lateness (10,000 h) and a shortage.
 */
const LEVEL_STEP = 250;
const LATE_PENALTY = 10_000;
/**
 * D15, D25: stock that needs another jurisdiction's consent ("available on request"). Above the destination's region —
 * its county's stores a township may not use alone, the city's and province's (UPPER) — it keeps D15's order of
 * levels (half a LEVEL_STEP): after what the region may use by itself at that level, before the next level's stock
 * whether that needs consent or not (sweep 21b F1: a township's plan asks the county before the city), and before a
 * 联储 partner's (sweep 15b F2: a county's plan took 晋城's, arriving after the disaster's 10 hours, rather than ask the
 * city 19 km away). A neighbour's outside any 联储 agreement (D15 names only 联储 neighbours), or another
 * jurisdiction's agreement or capacity reserve, ranks after every source the region may use by itself (sweep C9: the
 * region's own agreement reserve before 运城's store). Either way before lateness (D16, D28: sweep 11c F1, a 4-day
 * production run rather than the province's store 2.5 h away) and a shortage.
 */
const ON_REQUEST_PENALTY: Record<Tier, number> = { LOCAL: 500, UPPER: LEVEL_STEP / 2, NEIGHBOUR: 5_000, AGREEMENT: 5_000, CAPACITY: 5_000 };
/**
 * D25 (README "Consent is asked per plan", sweep 24a F2): stock of a jurisdiction that refused the item to an earlier
 * plan of the incident is asked again only after every source the region may use by itself — at any tier: the city
 * that refused (UPPER, which on request keeps its level's place) after a 联储 partner's stock (NEIGHBOUR) and the
 * region's own agreement and capacity reserves; the finding asked the city for 470 while 晋城's 70 went unused. Among
 * such sources, and against those on request that did not refuse, D15's order stays (LOCAL 5,000 h, UPPER 6,000–6,750 h
 * by level, NEIGHBOUR 7,000 h — as a neighbour's on request —, AGREEMENT 8,000 h, CAPACITY 9,000 h). An on-time source
 * the region may use by itself costs less than 5,000 h: at most CAPACITY's 4,000 h plus an ETA within the deadline (at
 * most 720 h, plans.ts). Still before lateness (10,000 h), as any stock on request.
 */
const REFUSED_BEFORE_PENALTY = 5_000;
const SHORTAGE_PENALTY = 1_000_000;

/** A tier's penalty (hours per unit), an UPPER store's by its level (D15, sweep 21b F1: `levels` above the local area). */
const tierPenaltyOf = (tier: Tier, levels: number) => TIER_PENALTY[tier] + (tier === 'UPPER' ? (levels - 1) * LEVEL_STEP : 0);

/**
 * A line's penalty (hours per unit) by where it stands (D15, D25): its tier's (by level), and on request its own — of a
 * jurisdiction that refused before, REFUSED_BEFORE_PENALTY.
 */
const penaltyOf = (tier: Tier, access: Access | null | undefined, levels: number) =>
  tierPenaltyOf(tier, levels) + (access === 'ON_REQUEST' ? ON_REQUEST_PENALTY[tier] : access === 'REFUSED_BEFORE' ? REFUSED_BEFORE_PENALTY : 0);

/** D15: what a destination's plan counts as local — a code prefix — and whether that is a township (or a village). */
interface Area {
  prefix: string;
  township: boolean;
}

/**
 * D15 (sweep 17b F7): a township's plan for its own township is local to the township — a village's (sweep 19b F1), to
 * the village —; every other, to the destination's county.
 */
function areaOf(destination: Destination, jurisdiction?: string): Area {
  const own = jurisdiction === undefined ? '' : subtreePrefix(jurisdiction);
  if (own.length > 6 && destination.regionCode.startsWith(own)) return { prefix: own, township: true };
  return { prefix: destination.regionCode.slice(0, 6), township: false };
}

/** A source's tier for a destination's local area (D15). */
function tierIn(source: Source, area: Area): Tier {
  if (source.kind !== 'STORE') return source.kind;
  if (source.regionCode.startsWith(area.prefix)) return 'LOCAL';
  // A store above the area: the county's (for a township), the city's, the province's.
  if (area.prefix.startsWith(subtreePrefix(source.regionCode))) return 'UPPER';
  return 'NEIGHBOUR';
}

/**
 * D15 (sweep 21b F1): how many levels an UPPER store's region lies above the local area — 1 the level directly above
 * (a county's area: the city; a township's: the county; a village's: the township), 2 the next —; 0 for any other tier.
 * Levels are those of the code (D1: province, city, county, township, village), the area's own being its prefix's.
 */
function levelsIn(source: Source, area: Area, tier: Tier): number {
  if (tier !== 'UPPER' || source.kind !== 'STORE') return 0;
  return PREFIX_LENGTHS.indexOf(area.prefix.length) - PREFIX_LENGTHS.indexOf(subtreePrefix(source.regionCode).length);
}

/**
 * D15: the destination's county first (a township's plan: its township, sweep 17b F7), then the stores above it level by
 * level — for a township its county's, then the city's (sweep 21b F1) —, then neighbours (another county, another
 * township of the county for a township's plan).
 */
export function tierOf(source: Source, destination: Destination, jurisdiction?: string): Tier {
  return tierIn(source, areaOf(destination, jurisdiction));
}

interface Arc {
  destinationIndex: number;
  sourceIndex: number;
  distanceKm: number;
  etaHours: number;
  tier: Tier;
  /** UPPER only (D15, sweep 21b F1): the levels the source lies above the local area (levelsIn). */
  levels?: number;
  /** D15: the destination's local area is a township (a township's own plan): its LOCAL stock is the township's. */
  township?: true;
  /** …or a village (a village's own plan, sweep 19b F1): its LOCAL stock is the village's. */
  village?: true;
  unitCost: number;
  /** CAPACITY: the day of production this arc's units are made on. */
  day?: number;
}

function arcFor(
  source: Source,
  sourceIndex: number,
  destination: Destination,
  destinationIndex: number,
  policy: PlannerPolicy,
  due: Due,
  area: Area,
  tier = tierIn(source, area),
  day = 1,
  // null: the region uses it by itself. The ranking's store is its store's first batch, perhaps of another item, whose
  // access (by region and item, consent.ts) is not this item's: the ranking passes the item's, null for none.
  access: Access | null | undefined = source.access,
  levels = levelsIn(source, area, tier),
): Arc {
  const distanceKm = greatCircleKm(source, destination) * policy.detourFactor;
  const override = source.kind === 'STORE' ? overrideHours(policy, source.storeId, destination.regionCode) : undefined;
  // D17: capacity — the lead time, then `day` days of production (day 1 = the first day's output).
  const lead = source.kind === 'AGREEMENT' ? source.responseHours : source.kind === 'CAPACITY' ? (source.leadDays + day) * 24 : 0;
  const etaHours = etaOf(policy, lead, override ?? distanceKm / policy.speedKmh);
  const arc: Arc = { destinationIndex, sourceIndex, distanceKm, etaHours, tier, unitCost: unitCostOf(etaHours, penaltyOf(tier, access, levels), due) };
  if (tier === 'UPPER') arc.levels = levels;
  if (area.township) arc.township = true;
  if (area.township && area.prefix.length === 12) arc.village = true;
  if (source.kind === 'CAPACITY') arc.day = day;
  return arc;
}

// The ranking computes store costs in bulk with these two, so its costs are exactly those of arcFor.
const etaOf = (policy: PlannerPolicy, leadHours: number, travelHours: number) => policy.handlingHours + leadHours + travelHours;
const unitCostOf = (etaHours: number, penalty: number, due: Due) =>
  etaHours + penalty + (isLate(etaHours, due.deadline) ? LATE_PENALTY : 0) + (due.target !== null && isLate(etaHours, due.target) ? LATE_PENALTY : 0);
/**
 * D16: late is what the line shows as late — its ETA as shown (to 0.01 h) beyond the deadline. The planner avoids exactly
 * the lines meetsDeadline calls late (sweep 11c F6: a 1.0026 h source shown as 1 h and on time was avoided as late).
 */
const shownHours = (etaHours: number) => Math.round(etaHours * 100) / 100;
const isLate = (etaHours: number, deadline: number) => shownHours(etaHours) > deadline;

const OVERRIDE_LENGTHS = [12, 9, 6, 4, 2];

function overrideHours(policy: PlannerPolicy, storeId: string, regionCode: string): number | undefined {
  const table = policy.travelOverrides;
  if (!table) return undefined;
  // The most specific region first: township, county, city, province.
  for (const length of OVERRIDE_LENGTHS) {
    const code = regionCode.slice(0, length).padEnd(12, '0');
    const hours = table.get(`${storeId}|${code}`);
    if (hours !== undefined) return hours;
  }
  return undefined;
}

/**
 * D6 (an agreement has a validity), D17 (sweep 18a F6): whether a reserve may be called off today — its agreement in
 * force (validFrom ≤ today ≤ validTo, China dates). A call-off issued while the agreement is in force binds the company
 * (its stock is delivered after the response time, on the last day too); one in force only from a later day is not
 * called off before it. Without a validity: no bound (the planner's own tests and the bench).
 */
export const inForceToday = (s: { validity?: Validity }): boolean => !s.validity || (s.validity.fromDay <= 0 && s.validity.toDay >= 0);

/**
 * D6, D17 (sweep 18a F6): the days of production (1 = the first after the lead time) a capacity reserve owes within
 * the horizon — none unless its agreement is in force today (inForceToday), and only those that end inside its
 * validity: day d is made from leadDays + d − 1 to leadDays + d days after the order, and counts when it ends by
 * validTo's 24:00 for an order placed at any hour of today (capacity is a daily output the contract commits, not a
 * stock: the days after it ends are not the company's to give). Empty when `first` > `last`.
 */
export function productionDays(s: Pick<CapacitySource, 'leadDays' | 'validity'>, horizonDays: number): { first: number; last: number } {
  if (!s.validity) return { first: 1, last: horizonDays };
  if (!inForceToday(s)) return { first: 1, last: 0 };
  return { first: 1, last: Math.min(horizonDays, s.validity.toDay - s.leadDays) };
}

/**
 * D17: what a capacity reserve can still make on production day `day` — its output less what earlier orders occupy,
 * which take its first days of production (D6: only those inside the agreement's validity, productionDays).
 */
export function capacityOnDay(s: CapacitySource, day: number, horizonDays: number): number {
  const { first, last } = productionDays(s, horizonDays);
  if (day < first || day > last) return 0;
  return Math.max(0, Math.min(s.dailyCapacity, s.dailyCapacity * (day - first + 1) - (s.claimed ?? 0)));
}

/**
 * D6, D17: what a capacity reserve can still make over the horizon inside its agreement's validity, less what earlier
 * orders occupy — what the planner offers, and approval, consent and execution promise (sources.ts assertAgreementStock).
 */
export function capacityWithin(s: Pick<CapacitySource, 'dailyCapacity' | 'leadDays' | 'validity' | 'claimed'>, horizonDays: number): number {
  const { first, last } = productionDays(s, horizonDays);
  return Math.max(0, s.dailyCapacity * Math.max(0, last - first + 1) - (s.claimed ?? 0));
}

/** Supply of one source over the planning horizon (D6: an agreement's only what it owes inside its validity). */
const supplyOf = (s: Source, policy: PlannerPolicy) =>
  s.kind === 'CAPACITY' ? capacityWithin(s, policy.capacityHorizonDays) : s.kind === 'AGREEMENT' && !inForceToday(s) ? 0 : s.available;

/**
 * Stores pool their batches per item in the LP; the store's allocation is split across batches FEFO afterwards.
 * A capacity reserve is one pool per day of production (its `day`), each of one day's output: later days arrive later,
 * so the solver takes the early days first and a line's ETA is that of the last day it needs (D17).
 */
interface Pool {
  key: string;
  representative: Source;
  members: Source[];
  supply: number;
  day?: number;
}

/**
 * One item's pools. Agreements and capacity are few and pooled up front, in key order; a store's pool is made only
 * when the ranking reaches it (most of a province's stores never enter an item's problem), from a chain through the
 * item's entries at that store that costs no allocation per source.
 */
class ItemPools {
  readonly others: Pool[];
  private readonly first: Int32Array;
  /** The item's first entry in the index, and per entry the next one at the same store. */
  private readonly start: number;
  private readonly next: Int32Array;
  private readonly made = new Map<number, Pool | null>();
  constructor(
    private readonly sources: readonly Source[],
    private readonly index: SourceIndex,
    item: number,
    private readonly policy: PlannerPolicy,
  ) {
    this.first = new Int32Array(index.stores.length).fill(-1);
    const start = (this.start = index.start[item]);
    this.next = new Int32Array(index.start[item + 1] - start);
    const others = new Map<string, Pool>();
    for (let k = index.start[item + 1] - 1; k >= start; k--) {
      const n = index.store[k];
      if (n >= 0) {
        this.next[k - start] = this.first[n];
        this.first[n] = k;
        continue;
      }
      const s = sources[index.source[k]];
      if (s.kind === 'STORE' || supplyOf(s, policy) <= 0) continue;
      const lots = s.kind === 'CAPACITY' ? policy.capacityHorizonDays : 1;
      for (let day = 1; day <= lots; day++) {
        const supply = s.kind === 'CAPACITY' ? capacityOnDay(s, day, policy.capacityHorizonDays) : s.available;
        if (supply <= 0) continue;
        const key = s.kind === 'CAPACITY' ? `${s.kind}|${s.agreementId}|${String(day).padStart(4, '0')}` : `${s.kind}|${s.agreementId}`;
        const pool = others.get(key);
        if (pool) {
          pool.members.unshift(s);
          pool.supply += supply;
        } else others.set(key, { key, representative: s, members: [s], supply, ...(s.kind === 'CAPACITY' ? { day } : {}) });
      }
    }
    this.others = [...others.values()].sort(byKey);
  }
  /** The pool of store number n, or null when the store holds none of the item. */
  store(n: number): Pool | null {
    if (this.first[n] < 0) return null;
    let pool = this.made.get(n);
    if (pool === undefined) {
      const members: Source[] = [];
      let supply = 0;
      for (let k = this.first[n]; k >= 0; k = this.next[k - this.start]) {
        const s = this.sources[this.index.source[k]];
        if (supplyOf(s, this.policy) <= 0) continue;
        members.push(s);
        supply += supplyOf(s, this.policy);
      }
      pool = members.length ? { key: `S|${(members[0] as StoreBatchSource).storeId}`, representative: members[0], members, supply } : null;
      this.made.set(n, pool);
    }
    return pool;
  }
}

const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

// highs ships one CommonJS-typed declaration for both its builds: take the loader from whichever shape arrives.
type HighsLoader = () => Promise<Highs>;
const highsExport = (highsModule as unknown as { default: HighsLoader | { default: HighsLoader } }).default;
const loadHighs: HighsLoader = typeof highsExport === 'function' ? highsExport : highsExport.default;
let highsInstance: ReturnType<HighsLoader> | undefined;
const highs = () => (highsInstance ??= loadHighs());
const SOLVER_OPTIONS = { presolve: 'on', solver: 'simplex', output_flag: false };

/** An arc of the restricted problem: the pool it draws on and its cost to one destination. */
interface Candidate {
  pool: Pool;
  arc: Arc;
}

interface Restricted {
  candidates: Candidate[];
  flow: number[];
  short: number[];
  /** Duals of the demand rows (the marginal cost of one more unit at a destination) and of the supply rows. */
  demandDual: number[];
  supplyDual: Map<Pool, number>;
}

/**
 * The transportation problem restricted to `candidates`, as HiGHS's model arrays (built directly: writing and parsing
 * LP text cost more than the solve). Columns: one per candidate, then a shortage column per destination with
 * demand. Rows: the demand rows (= demand), then one supply row per pool in key order (≤ supply).
 */
function transportationModel(candidates: Candidate[], demand: number[], infinity: number) {
  const demandRow = new Int32Array(demand.length).fill(-1);
  let demandRows = 0;
  demand.forEach((d, j) => d > 0 && (demandRow[j] = demandRows++));
  const poolRow = new Map<Pool, number>();
  for (const { pool } of candidates) poolRow.set(pool, -1);
  const pools = [...poolRow.keys()].sort(byKey);
  pools.forEach((pool, p) => poolRow.set(pool, demandRows + p));
  const numCols = candidates.length + demandRows;
  const numRows = demandRows + pools.length;
  const colCost = new Float64Array(numCols);
  const starts = new Int32Array(numCols + 1);
  const indices: number[] = [];
  candidates.forEach(({ pool, arc }, i) => {
    // Costs to 1e-6 h, as the solver always received them.
    colCost[i] = Number(arc.unitCost.toFixed(6));
    const row = demandRow[arc.destinationIndex];
    if (row >= 0) indices.push(row);
    indices.push(poolRow.get(pool)!);
    starts[i + 1] = indices.length;
  });
  const rowLower = new Float64Array(numRows).fill(-infinity);
  const rowUpper = new Float64Array(numRows);
  demand.forEach((d, j) => {
    const row = demandRow[j];
    if (row < 0) return;
    const col = candidates.length + row;
    colCost[col] = SHORTAGE_PENALTY;
    indices.push(row);
    starts[col + 1] = indices.length;
    rowLower[row] = rowUpper[row] = d;
  });
  pools.forEach((pool, p) => (rowUpper[demandRows + p] = pool.supply));
  const model: ModelData = {
    numCols,
    numRows,
    colCost,
    colLower: new Float64Array(numCols),
    colUpper: new Float64Array(numCols).fill(infinity),
    rowLower,
    rowUpper,
    matrix: { format: 'csc', numRows, numCols, starts, indices, values: new Float64Array(indices.length).fill(1) },
  };
  return { model, demandRow, pools, poolRow };
}

/** Solves the transportation problem restricted to `candidates`; returns flows, shortages and the duals. */
async function solveTransportation(candidates: Candidate[], demand: number[]): Promise<Restricted> {
  const solver = await highs();
  const { model, demandRow, pools, poolRow } = transportationModel(candidates, demand, solver.infinity);
  // A fresh solver instance per problem: nothing of one solve (basis, factorisation) carries over to the next.
  const { colValue, rowDual } = solver.withModel(model, (m) => {
    m.options.set(SOLVER_OPTIONS);
    const { modelStatus } = m.run();
    if (modelStatus !== solver.constants.modelStatus.optimal) {
      const name = Object.entries(solver.constants.modelStatus).find(([, code]) => code === modelStatus)?.[0];
      throw new Error(`dispatch planner: solver returned ${name ?? modelStatus}`);
    }
    return m.getSolution();
  });
  const shortageCol = (j: number) => (demandRow[j] < 0 ? -1 : candidates.length + demandRow[j]);
  return {
    candidates,
    flow: candidates.map((_, i) => Math.round(colValue[i])),
    short: demand.map((_, j) => (shortageCol(j) < 0 ? 0 : Math.round(colValue[shortageCol(j)]))),
    demandDual: demand.map((_, j) => (demandRow[j] < 0 ? 0 : rowDual[demandRow[j]])),
    supplyDual: new Map(pools.map((pool) => [pool, rowDual[poolRow.get(pool)!]])),
  };
}

/**
 * A store's arc to a destination does not depend on the item: distances, ETAs and tiers are computed once per
 * (destination, store) and the stores ranked once per destination, so each item only walks the ranking. Stores are
 * numbered by the SourceIndex; equal costs rank by store id, so that numbering order does not matter. The costs are
 * computed in one flat pass over typed arrays (a province has tens of thousands of stores per destination). D25: the
 * regions whose stock of the item needs consent (`asked`, by region code, with their access) rank later
 * (ON_REQUEST_PENALTY; REFUSED_BEFORE_PENALTY for a region that refused it before) — one ranking per such set, shared
 * by the items that have it (most have none).
 */
class StoreRanking {
  readonly storeCount: number;
  /**
   * Each store's region number; its tier depends on its region only (D15): per destination, one
   * tier and one penalty per region.
   */
  private readonly regionOf: Int32Array;
  private readonly tiers: Tier[][];
  /** Per destination and region number: an UPPER region's levels above the destination's area (D15, levelsIn). */
  private readonly levels: Int8Array[];
  private readonly penalties: Float64Array[];
  /** Per region number: how its stock is used where that needs consent (D25: ON_REQUEST, REFUSED_BEFORE), else undefined. */
  private readonly asked: (Access | undefined)[];
  private readonly cost: Float64Array[];
  /** Per destination, store numbers cheapest first: the cheap end only, until a walk goes past it. */
  private readonly order: Int32Array[];
  constructor(
    private readonly stores: readonly StoreBatchSource[],
    private readonly destinations: Destination[],
    private readonly areas: readonly Area[],
    private readonly policy: PlannerPolicy,
    private readonly due: Due,
    asked: ReadonlyMap<string, Access>,
  ) {
    this.storeCount = stores.length;
    const regionNumber = new Map<string, number>();
    const regionStores: StoreBatchSource[] = [];
    this.regionOf = new Int32Array(this.storeCount);
    this.stores.forEach((s, n) => {
      let r = regionNumber.get(s.regionCode);
      if (r === undefined) regionNumber.set(s.regionCode, (r = regionStores.push(s) - 1));
      this.regionOf[n] = r;
    });
    this.tiers = destinations.map((_, j) => regionStores.map((s) => tierIn(s, areas[j])));
    this.levels = this.tiers.map((row, j) => Int8Array.from(row, (tier, r) => levelsIn(regionStores[r], areas[j], tier)));
    this.asked = regionStores.map((s) => asked.get(s.regionCode));
    this.penalties = this.tiers.map((row, j) => Float64Array.from(row, (tier, r) => penaltyOf(tier, this.accessOf(r), this.levels[j][r])));
    this.cost = this.costs();
    this.order = this.cost.map((cost) => this.rank(cost, RANKED_PREFIX));
  }
  /** Every store's unit cost to every destination: the arithmetic of arcFor, without an object per pair. */
  private costs(): Float64Array[] {
    const { policy, stores, regionOf, due } = this;
    const lat = new Float64Array(stores.length);
    const lng = new Float64Array(stores.length);
    const cos = new Float64Array(stores.length);
    for (let n = 0; n < stores.length; n++) {
      lat[n] = stores[n].lat;
      lng[n] = stores[n].lng;
      cos[n] = Math.cos(lat[n] * RAD);
    }
    const numberOf = policy.travelOverrides?.size ? new Map(stores.map((s, n) => [s.storeId, n])) : undefined;
    return this.destinations.map((d, j) => {
      const override = numberOf && this.overrides(d, numberOf);
      const penalties = this.penalties[j];
      const dCos = Math.cos(d.lat * RAD);
      const cost = new Float64Array(stores.length);
      for (let n = 0; n < cost.length; n++) {
        const distanceKm = haversineKm(lat[n], lng[n], cos[n], d.lat, d.lng, dCos) * policy.detourFactor;
        const hours = override ? override[n] : Number.NaN;
        const etaHours = etaOf(policy, 0, Number.isNaN(hours) ? distanceKm / policy.speedKmh : hours);
        cost[n] = unitCostOf(etaHours, penalties[regionOf[n]], due);
      }
      return cost;
    });
  }
  /**
   * Per store number, the travel hours overriding the estimate to destination d (NaN where none applies), as
   * overrideHours finds them: the most specific region first.
   */
  private overrides(d: Destination, numberOf: ReadonlyMap<string, number>): Float64Array {
    const table = this.policy.travelOverrides!;
    const codes = OVERRIDE_LENGTHS.map((length) => d.regionCode.slice(0, length).padEnd(12, '0'));
    const hours = new Float64Array(this.storeCount).fill(Number.NaN);
    const rank = new Int32Array(this.storeCount).fill(codes.length);
    for (const [key, h] of table) {
      const bar = key.lastIndexOf('|');
      const n = numberOf.get(key.slice(0, bar));
      const r = codes.indexOf(key.slice(bar + 1));
      if (n === undefined || r < 0 || r >= rank[n]) continue;
      rank[n] = r;
      hours[n] = h;
    }
    return hours;
  }
  private arc(j: number, n: number): Arc {
    const r = this.regionOf[n];
    return arcFor(this.stores[n], -1, this.destinations[j], j, this.policy, this.due, this.areas[j], this.tiers[j][r], 1, this.accessOf(r), this.levels[j][r]);
  }
  /**
   * D25: how a store's stock of the item needs consent (ON_REQUEST, REFUSED_BEFORE), or null — not undefined, which
   * gave arcFor the access of the store's first batch, perhaps another item's: a 联储 partner's quilts its agreement
   * covers were priced as on request when the store listed first its tents, which it does not (found with sweep 24a F2,
   * where a refusal is the item's: the city's quilts would have ranked as refused with its tents).
   */
  private accessOf(r: number): Access | null {
    return this.asked[r] ?? null;
  }
  /** The `prefix` cheapest store numbers in order (all of them when prefix ≥ the count). */
  private rank(cost: Float64Array, prefix: number): Int32Array {
    const { stores } = this;
    // Answers −1/0/1, not a difference of costs: a fractional result would be allocated on every comparison.
    const byCost = (a: number, b: number) => (cost[a] < cost[b] ? -1 : cost[a] > cost[b] ? 1 : compareIds(stores[a].storeId, stores[b].storeId));
    if (prefix >= cost.length) return Int32Array.from(cost.keys()).sort(byCost);
    // Everything strictly below the prefix-th cost is the cheap end; selecting that cost needs no sort.
    const threshold = kthSmallest(cost.slice(), prefix);
    let count = 0;
    for (let n = 0; n < cost.length; n++) if (cost[n] < threshold) count++;
    const cheap = new Int32Array(count);
    for (let n = 0, k = 0; n < cost.length; n++) if (cost[n] < threshold) cheap[k++] = n;
    return cheap.sort(byCost);
  }
  /** Arcs to destination j from the stores that hold the item, cheapest first. */
  *arcs(j: number, pools: ItemPools): Generator<Candidate> {
    for (let k = 0; ; k++) {
      if (k === this.order[j].length) {
        if (k === this.storeCount) return;
        this.order[j] = this.rank(this.cost[j], this.storeCount);
      }
      const n = this.order[j][k];
      const pool = pools.store(n);
      if (pool) yield { pool, arc: this.arc(j, n) };
    }
  }
}

const compareIds = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** How many stores per destination are ranked up front; a walk past them ranks the rest. */
const RANKED_PREFIX = 1024;

/** Candidates by unit cost, ties by pool key (the order the solver numbers them in). */
const byCost = (a: Candidate, b: Candidate) => a.arc.unitCost - b.arc.unitCost || byKey(a.pool, b.pool);

// Reduced costs below this are treated as zero (the LP text carries costs to 1e-6 h).
const PRICING_TOLERANCE = 1e-6;

/**
 * Plans one item for all destinations, exactly, without building the full problem (column generation): start from
 * each destination's K cheapest pools, solve, then price every left-out arc with the duals — an arc whose cost is
 * below its destination's marginal cost plus its pool's shadow price would lower the total, so it joins and the
 * problem is solved again. When no arc prices in, the restricted optimum is the optimum of the full problem. The
 * pricing walk stops at the destination's marginal cost, so it visits only the near end of the ranking.
 */
async function planItem(
  demand: number[],
  destinations: Destination[],
  areas: readonly Area[],
  pools: ItemPools,
  ranking: StoreRanking,
  policy: PlannerPolicy,
  due: Due,
) {
  const others = destinations.map((d, j) =>
    pools.others.map((pool) => ({ pool, arc: arcFor(pool.representative, -1, d, j, policy, due, areas[j], undefined, pool.day) })).sort(byCost),
  );
  const chosen = destinations.map(() => new Set<Pool>());
  const candidates: Candidate[] = [];
  const choose = (c: Candidate) => {
    chosen[c.arc.destinationIndex].add(c.pool);
    candidates.push(c);
  };
  demand.forEach((d, j) => {
    if (d <= 0) return;
    const nearest: Candidate[] = [];
    for (const c of ranking.arcs(j, pools)) if (nearest.push(c) >= policy.nearestK) break;
    [...nearest, ...others[j]].sort(byCost).slice(0, policy.nearestK).forEach(choose);
  });
  for (;;) {
    const result = await solveTransportation(candidates, demand);
    let priced = 0;
    demand.forEach((d, j) => {
      if (d <= 0) return;
      const marginal = result.demandDual[j];
      const price = (c: Candidate) => {
        if (chosen[j].has(c.pool)) return;
        if (c.arc.unitCost - marginal - (result.supplyDual.get(c.pool) ?? 0) < -PRICING_TOLERANCE) {
          choose(c);
          priced++;
        }
      };
      // Shadow prices of supply rows are ≤ 0, so only arcs cheaper than the marginal cost can price in.
      for (const c of ranking.arcs(j, pools)) {
        if (c.arc.unitCost >= marginal - PRICING_TOLERANCE) break;
        price(c);
      }
      for (const c of others[j]) {
        if (c.arc.unitCost >= marginal - PRICING_TOLERANCE) break;
        price(c);
      }
    });
    if (!priced) return result;
  }
}

/** D8 within a store: the pool's flow to each destination is taken from its batches first-expiry-first-out. */
function splitFefo(members: Source[], flows: { destinationIndex: number; quantity: number }[]) {
  const batches = (members as StoreBatchSource[]).map((b) => ({ source: b, left: b.available })).sort((a, b) => fefoOrder(a.source, b.source));
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

const TIER_WORDS: Record<Tier, string> = {
  LOCAL: '本县库存',
  UPPER: '上级储备库',
  NEIGHBOUR: '邻近地区储备库',
  AGREEMENT: '协议储备',
  CAPACITY: '产能储备',
};

/** D15 (sweep 17b F7): a township's own plan calls its township's stock its own, not the county's — a village's, the village's. */
const TOWNSHIP_LOCAL_WORDS = '本乡镇库存';
const VILLAGE_LOCAL_WORDS = '本村库存';

/**
 * D25: how the region uses it — 联储 only where a 联储 agreement covers it. A jurisdiction that refused before is asked
 * as any other; the line says it refused before by its consent as decided (plans.ts toView, consent.ts refusedBefore).
 */
const ACCESS_WORDS: Record<Access, string> = { JOINT: '（联储）', ON_REQUEST: '（须对方辖区同意）', REFUSED_BEFORE: '（须对方辖区同意）' };

/**
 * D25: a line's reason once its consent is decided with its quantity — a 联储 partner's line beyond what the agreement
 * still covers needs consent, and says so rather than （联储） (sweep 11c F2); the part of it the agreement covers says
 * （联储） (sweeps 15a F12, 15b F6: such a line is split there), whatever the source's access read before planning.
 */
export const reasonAsDecided = (reason: string, needsConsent: boolean): string =>
  needsConsent ? reason.replace(ACCESS_WORDS.JOINT, ACCESS_WORDS.ON_REQUEST) : reason.replace(ACCESS_WORDS.ON_REQUEST, ACCESS_WORDS.JOINT);

/** A line's ETA as the plan shows it (hours, 2 places). */
const shownEta = (arc: Arc) => shownHours(arc.etaHours);
/** D16: a line meets the deadline as its shown ETA reads — a line shown at 1.05 h meets a 1.05 h deadline (sweep 10c F2). */
const meetsDeadlineOf = (arc: Arc, deadline: number) => !isLate(arc.etaHours, deadline);

/** Why this source, in words a dispatcher reads, e.g. "卫辉市救灾物资储备库：本地库存，23 km，约 0.6 h". */
export function reasonFor(source: Source, arc: Arc, deadline: number): string {
  const name = source.kind === 'STORE' ? source.storeName : source.companyName;
  const lead =
    source.kind === 'AGREEMENT'
      ? `响应 ${source.responseHours} h，`
      : source.kind === 'CAPACITY'
        ? `生产准备 ${source.leadDays} 天，生产 ${arc.day ?? 1} 天（日产 ${source.dailyCapacity}），`
        : '';
  const late = meetsDeadlineOf(arc, deadline) ? '' : `，超出 ${deadline} h 时限`;
  const tier = arc.tier !== 'LOCAL' || !arc.township ? TIER_WORDS[arc.tier] : arc.village ? VILLAGE_LOCAL_WORDS : TOWNSHIP_LOCAL_WORDS;
  return `${name}（${tier}${source.access ? ACCESS_WORDS[source.access] : ''}），${lead}${Math.round(arc.distanceKm)} km，约 ${arc.etaHours.toFixed(1)} h${late}`;
}

/** Plans a dispatch: exact per item, deterministic, shortages explicit, never more than the sources hold. */
export async function planDispatch(input: PlannerInput): Promise<Plan> {
  const policy: PlannerPolicy = { ...DEFAULT_POLICY, ...input.policy };
  const deadline = input.deadlineHours;
  const due = dueOf(input);
  const items = [...new Set(input.destinations.flatMap((d) => d.lines.map((l) => l.itemId)))].sort();
  const lines: PlanLine[] = [];
  const shortages: Shortage[] = [];
  const index = new SourceIndex(input.sources, items);
  const areas = input.destinations.map((d) => areaOf(d, input.jurisdiction));
  // D25: one store ranking per set of regions whose stock of the item needs consent, each with how (askedRegions).
  const rankings = new Map<string, StoreRanking>();
  const rankingFor = (item: number) => {
    const regions = askedRegions(input.sources, index, item);
    const key = [...regions]
      .map(([region, access]) => `${region}=${access}`)
      .sort()
      .join('|');
    let ranking = rankings.get(key);
    if (!ranking) rankings.set(key, (ranking = new StoreRanking(index.stores, input.destinations, areas, policy, due, regions)));
    return ranking;
  };
  for (const [item, itemId] of items.entries()) {
    const ranking = rankingFor(item);
    const demand = input.destinations.map((d) => d.lines.reduce((sum, l) => (l.itemId === itemId ? sum + l.quantity : sum), 0));
    const pools = new ItemPools(input.sources, index, item, policy);
    const { candidates, flow, short } = await planItem(demand, input.destinations, areas, pools, ranking, policy, due);
    const itemLines: PlanLine[] = [];
    // One pool's flows to all destinations are split across its batches FEFO in one pass (D8).
    const flowsByPool = new Map<Pool, { arc: Arc; quantity: number }[]>();
    candidates.forEach(({ pool, arc }, i) => {
      if (flow[i] > 0) flowsByPool.set(pool, [...(flowsByPool.get(pool) ?? []), { arc, quantity: flow[i] }]);
    });
    for (const [pool, flows] of [...flowsByPool].sort(([a], [b]) => byKey(a, b))) {
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
        itemLines.push({
          destinationIndex: part.destinationIndex,
          itemId,
          source: part.source,
          quantity: part.quantity,
          distanceKm: Math.round(arc.distanceKm * 10) / 10,
          etaHours: shownEta(arc),
          meetsDeadline: meetsDeadlineOf(arc, deadline),
          tier: arc.tier,
          ...levelsOf(arc),
          reason: reasonFor(part.source, arc, deadline),
          ...lotOf(arc, part.quantity),
        });
      }
    }
    lines.push(...mergeLots(itemLines));
    demand.forEach((requested, j) => {
      if (short[j] > 0) shortages.push({ destinationIndex: j, itemId, requested, planned: requested - short[j], missing: short[j] });
    });
  }
  lines.sort((a, b) => a.destinationIndex - b.destinationIndex || a.itemId.localeCompare(b.itemId) || a.etaHours - b.etaHours);
  return planOf(lines, shortages);
}

/**
 * D25: the regions whose store stock of item number `item` needs consent, with how — on request, or of a jurisdiction
 * that refused it before (the region's and item's, alike for each batch: consent.ts accessOfSources).
 */
function askedRegions(sources: readonly Source[], index: SourceIndex, item: number): Map<string, Access> {
  const regions = new Map<string, Access>();
  for (let k = index.start[item]; k < index.start[item + 1]; k++) {
    const s = sources[index.source[k]];
    if (s.kind === 'STORE' && (s.access === 'ON_REQUEST' || s.access === 'REFUSED_BEFORE')) regions.set(s.regionCode, s.access);
  }
  return regions;
}

const planOf = (lines: PlanLine[], shortages: Shortage[]): Plan => ({
  lines,
  shortages,
  totalQuantity: lines.reduce((s, l) => s + l.quantity, 0),
  maxEtaHours: lines.reduce((m, l) => Math.max(m, l.etaHours), 0),
  cost: lines.reduce((s, l) => s + priced(l, (eta) => eta + tierPenaltyOf(l.tier, l.levelsAbove ?? 0)), 0),
});

/** An UPPER line's levels above the local area (D15, sweep 21b F1), for its cost; nothing on other lines. */
const levelsOf = (arc: Arc): { levelsAbove?: number } => (arc.levels === undefined ? {} : { levelsAbove: arc.levels });

/** Σ quantity × unitCost(ETA) over a line's units: per day of production for a capacity line, else at the line's ETA. */
const priced = (l: PlanLine, unitCost: (etaHours: number) => number) =>
  l.lots ? l.lots.reduce((s, lot) => s + lot.quantity * unitCost(lot.etaHours), 0) : l.quantity * unitCost(l.etaHours);

/** A capacity arc's units as one lot of its day of production. */
const lotOf = (arc: Arc, quantity: number): { lots?: Lot[] } => (arc.day === undefined ? {} : { lots: [{ day: arc.day, quantity, etaHours: shownEta(arc) }] });

/**
 * D17: one line per capacity reserve and destination, whatever days of production it draws on: its quantity is the
 * sum, its ETA (and deadline flag, and reason) that of its last day — when the last unit arrives. Other lines pass.
 */
function mergeLots(lines: PlanLine[]): PlanLine[] {
  const out: PlanLine[] = [];
  const merged = new Map<Source, Map<number, PlanLine>>();
  for (const l of lines) {
    if (!l.lots) {
      out.push(l);
      continue;
    }
    const bySource = merged.get(l.source) ?? merged.set(l.source, new Map()).get(l.source)!;
    const seen = bySource.get(l.destinationIndex);
    if (!seen) {
      const line = { ...l, lots: [...l.lots] };
      bySource.set(l.destinationIndex, line);
      out.push(line);
      continue;
    }
    const last = l.etaHours > seen.etaHours ? l : seen;
    Object.assign(seen, { quantity: seen.quantity + l.quantity, etaHours: last.etaHours, meetsDeadline: last.meetsDeadline, reason: last.reason });
    seen.lots = [...seen.lots!, ...l.lots].sort((a, b) => a.day - b.day);
  }
  return out;
}

/** The baseline to beat (bench only): each destination in turn takes its cheapest sources first. */
export function planGreedy(input: PlannerInput): Plan {
  const policy: PlannerPolicy = { ...DEFAULT_POLICY, ...input.policy };
  const deadline = input.deadlineHours;
  const due = dueOf(input);
  const areas = input.destinations.map((d) => areaOf(d, input.jurisdiction));
  // What each source has left; a capacity reserve per day of production.
  const stocks = input.sources.flatMap((s): { s: Source; day: number; left: number }[] =>
    s.kind === 'CAPACITY'
      ? Array.from({ length: policy.capacityHorizonDays }, (_, k) => ({ s, day: k + 1, left: capacityOnDay(s, k + 1, policy.capacityHorizonDays) }))
      : [{ s, day: 1, left: supplyOf(s, policy) }],
  );
  const lines: PlanLine[] = [];
  const shortages: Shortage[] = [];
  input.destinations.forEach((d, j) => {
    for (const line of d.lines) {
      const arcs = stocks
        .map((stock, i) => ({ stock, arc: arcFor(stock.s, i, d, j, policy, due, areas[j], undefined, stock.day) }))
        .filter(({ stock }) => stock.s.itemId === line.itemId && stock.left > 0)
        .sort((a, b) => a.arc.unitCost - b.arc.unitCost);
      let need = line.quantity;
      for (const { stock, arc } of arcs) {
        if (need === 0) break;
        const take = Math.min(need, stock.left);
        stock.left -= take;
        need -= take;
        lines.push({
          destinationIndex: j,
          itemId: line.itemId,
          source: stock.s,
          quantity: take,
          distanceKm: arc.distanceKm,
          etaHours: arc.etaHours,
          meetsDeadline: arc.etaHours <= deadline,
          tier: arc.tier,
          ...levelsOf(arc),
          reason: '',
          ...(arc.day === undefined ? {} : { lots: [{ day: arc.day, quantity: take, etaHours: arc.etaHours }] }),
        });
      }
      if (need > 0) shortages.push({ destinationIndex: j, itemId: line.itemId, requested: line.quantity, planned: line.quantity - need, missing: need });
    }
  });
  return planOf(mergeLots(lines), shortages);
}

/** The full objective of a plan as the solver sees it (lateness and shortage included), for comparisons. */
export function objectiveOf(plan: Plan, deadline: number, targetHours?: number): number {
  const due = dueOf({ deadlineHours: deadline, targetHours });
  return (
    plan.lines.reduce((s, l) => s + priced(l, (eta) => unitCostOf(eta, penaltyOf(l.tier, l.source.access, l.levelsAbove ?? 0), due)), 0) +
    plan.shortages.reduce((s, x) => s + x.missing * SHORTAGE_PENALTY, 0)
  );
}
