import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import {
  agreements,
  approvals,
  dispatchDemands,
  dispatchDestinations,
  dispatchLines,
  dispatchPlans,
  incidents,
  organizations,
  regions,
  stores,
  transfers,
} from '../../drizzle/schema/index.ts';
import { canDecide } from '../auth/policy.ts';
import { type Principal } from '../auth/principal.ts';
import { todayInChina, type Clock } from '../clock.ts';
import type { AppConfig } from '../config.ts';
import { badInput, DomainError, forbidden, invalidState, isDomainError, notFound } from '../errors.ts';
import { readablePrefix } from '../regions/service.ts';
import { textArg, uuidArg, validate, idSchema } from '../validation.ts';
import { inItemUnits, itemsFor } from '../inventory/common.ts';
import { reserveStock } from '../inventory/posting.ts';
import { chinaDateOf } from '../inventory/expiry.ts';
import { assertIncidentOpen, getIncidentInScope, lockOpenIncident } from './incidents.ts';
import { publishPlanStatus } from './events.ts';
import { pricedLinesOfPlans, totalOf } from './plan-value.ts';
import { hasOpenShipments } from './open-shipments.ts';
import { publishPlannerSolved } from '../diagnostics.ts';
import { planDispatch, reasonAsDecided, type Destination, type Plan, type PlannerPolicy } from './planner.ts';
import { assertAgreementStock, assertNotHeldForOtherPlans, loadSources, repickConsentedBatches, travelOverrides, type HeldForConsent } from './sources.ts';
import type { ServiceContext } from '../context.ts';
import { PLAN_STATUS_NAMES, statusText } from '../paperwork/names.ts';
import {
  accessOfSources,
  assertJointLinesCovered,
  consentOfLines,
  lineName,
  planningJurisdiction,
  refusedBefore,
  refusedBeforeWords,
  refusedInIncident,
  type ConsentDecision,
} from './consent.ts';
import { settleDestinations, storeForDestination, type SettledDestination } from './destinations.ts';
import { basicNeedsDeadline } from '../relief/deadlines.ts';
import { latitude, longitude } from '../regions/location.ts';
import {
  assertMayDecide,
  assertNotRequestersAccount,
  closeApproval,
  openApproval,
  pendingApprovalsOf,
  PLAN_CANCELLED,
  PLAN_REJECTED,
  withdrawalOf,
  withdrawPlanApprovals,
  type ApprovalRow,
} from '../authority/queue.ts';

export type DispatchPlanRow = typeof dispatchPlans.$inferSelect;
export type PlanStatus = DispatchPlanRow['status'];

/** A plan as clients see it, whether only suggested (id null) or persisted. */
export interface PlanView {
  id: string | null;
  incidentId: string;
  status: PlanStatus;
  deadlineHours: number;
  row: DispatchPlanRow | null;
  destinations: { idx: number; name: string; regionCode: string; lat: number; lng: number; storeId: string | null }[];
  lines: {
    lineNo: number;
    destinationIdx: number;
    itemId: string;
    sourceKind: 'STORE' | 'AGREEMENT' | 'CAPACITY';
    storeId: string | null;
    batchId: string | null;
    agreementId: string | null;
    quantity: number;
    distanceKm: number;
    etaHours: number;
    meetsDeadline: boolean;
    tier: 'LOCAL' | 'UPPER' | 'NEIGHBOUR' | 'AGREEMENT' | 'CAPACITY';
    reason: string;
    transferId: string | null;
    /** D25: another jurisdiction's stock outside a 联储 agreement: used only with its consent. */
    needsConsent: boolean;
    jointAgreementId: string | null;
    /**
     * The consent's status where one is needed (null while only suggested); WITHDRAWN (sweep 25c F2, D25): closed with
     * its plan, cancelled or rejected, before the jurisdiction asked answered — not its refusal (withdrawalOf).
     */
    consent: 'PENDING' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN' | null;
  }[];
  shortages: {
    destinationIdx: number;
    itemId: string;
    requested: number;
    planned: number;
    missing: number;
    /** D25 (sweep 20a F1): stock held for other plans' pending consents — known when planned (not kept with the plan). */
    reason?: string | null;
    /**
     * D25 (sweep 24a F3): the consents refused for this 安置点 and item, by the region that refused, with its stated
     * reason — which only a reader who may read that approval is told (shortageReason).
     */
    refusals?: Refusal[];
  }[];
}

/** The most one request may ask for, all destinations and items together. */
const MAX_REQUESTED = 100_000_000;

const requestSchema = z.object({
  incidentId: idSchema,
  deadlineHours: z
    .number()
    .positive('时限须大于 0 小时')
    .max(24 * 30, '时限过长')
    .nullish(),
  destinations: z
    .array(
      z
        .object({
          // D14, D29 (sweep 20a F3): a 安置点 given by storeId brings its own name, region and place (settleDestinations);
          // one named without it needs all four — where to open it, or which of the incident's points it is.
          name: z.string().trim().min(1, '安置点须有名称').max(128).nullish(),
          regionCode: z.string().nullish(),
          lat: latitude.nullish(),
          lng: longitude.nullish(),
          storeId: idSchema.nullish(),
          contact: z.string().trim().max(128).nullish(),
          lines: z
            .array(z.object({ itemId: idSchema, quantity: z.number().int('数量须为整数').positive('数量须大于 0').max(10_000_000) }))
            .min(1, '每个安置点至少一个物资需求'),
        })
        .superRefine((d, ctx) => {
          if (d.storeId) return;
          for (const field of ['name', 'regionCode', 'lat', 'lng'] as const) {
            if (d[field] === undefined || d[field] === null) {
              ctx.addIssue({ code: 'custom', path: [field], message: '必填（未选本事件的安置点 storeId 时，须填写安置点的名称、区划和经纬度）' });
            }
          }
        }),
    )
    .min(1, '至少一个安置点')
    .max(50, '一次最多 50 个安置点')
    // A plan's totals are Ints (API.md): beyond them a plan could be saved and not read back (sweep 11c F7).
    .refine((ds) => ds.reduce((sum, d) => sum + d.lines.reduce((s, l) => s + l.quantity, 0), 0) <= MAX_REQUESTED, {
      message: `一次调度申请的需求合计不能超过 ${MAX_REQUESTED.toLocaleString('en-US')}`,
    }),
});

/** A request as validated, its destinations settled: each with its name, region and place (settleDestinations). */
type RequestInput = Omit<z.output<typeof requestSchema>, 'destinations'> & {
  destinations: SettledDestination<z.output<typeof requestSchema>['destinations'][number]>[];
};

/** Headquarters only: dispatchers and administrators, for incidents and destinations in their region. */
function assertDispatcher(user: Principal) {
  if (user.role !== 'ADMIN' && user.role !== 'DISPATCHER') throw forbidden('调度');
}

async function validateRequest(db: Db, user: Principal, input: unknown) {
  assertDispatcher(user);
  const v = validate(requestSchema, input);
  const incident = await getIncidentInScope(db, user, v.incidentId, 'input.incidentId');
  for (const [i, d] of v.destinations.entries()) {
    await itemsFor(db, d.lines, `input.destinations.${i}.lines`);
    const seen = new Set<string>();
    d.lines.forEach((l, j) => {
      if (seen.has(l.itemId)) throw badInput(`input.destinations.${i}.lines.${j}.itemId`, '同一安置点的同一物资只能出现一次');
      seen.add(l.itemId);
    });
  }
  // D29 (sweep 20a F4): a closed incident takes no more requests — nor suggestions of one, which the dispatcher could not submit.
  const destinations = await settleDestinations(db, user, incident, v.destinations);
  assertIncidentOpen(incident);
  return { v: { ...v, destinations }, incident };
}

export function plannerPolicy(config: AppConfig): Partial<PlannerPolicy> {
  return config.planner;
}

/**
 * D6, D17: the days of production a capacity reserve promises — the planner's horizon (PLANNER_CAPACITY_HORIZON_DAYS).
 * Approval, consent and execution re-check a plan's capacity lines over the same days the planner offered them.
 */
export const capacityHorizonDays = (config: AppConfig): number => config.planner.capacityHorizonDays;

async function computePlan(
  db: Db,
  config: AppConfig,
  clock: Clock,
  own: string,
  v: RequestInput,
  occurredAt: Date,
): Promise<{ plan: Plan; destinations: Destination[]; notes: PlanNotes }> {
  const destinations: Destination[] = v.destinations.map((d) => ({ name: d.name, regionCode: d.regionCode, lat: d.lat, lng: d.lng, lines: d.lines }));
  const itemIds = [...new Set(destinations.flatMap((d) => d.lines.map((l) => l.itemId)))];
  // Destinations are 安置点 (settleDestinations), which never supply a plan (loadSources: reserve stores only).
  // D25 (sweep 20a F1): less what approved plans await another jurisdiction's consent for (held).
  const { sources: loaded, held } = await loadSources(db, itemIds, todayInChina(clock));
  // D15, D25: the planner ranks stock needing another jurisdiction's consent after what the region may use by itself.
  // D25 (sweep 20a F7): consent is given per plan — a jurisdiction that refused an earlier plan of the incident is asked
  // again by a later one (its stock may have changed, or its need), its lines saying it refused before (refusedBefore).
  // Sweep 24a F2: such a jurisdiction's stock ranks after every source the region may use by itself (REFUSED_BEFORE).
  const refused = await refusedInIncident(db, v.incidentId);
  const access = await accessOfSources(db, own, todayInChina(clock), loaded, refused);
  const sources = loaded.map((s, i) => (access[i] ? { ...s, access: access[i] } : s));
  const policy = { ...plannerPolicy(config), travelOverrides: await travelOverrides(db) };
  const started = performance.now();
  // D28: the disaster's 10 hours run from its occurredAt, not from this request — what is left of them weighs too.
  const targetHours = (basicNeedsDeadline(occurredAt).getTime() - clock.now().toMillis()) / 3_600_000;
  // D15 (sweep 17b F7): tiers and order for the requester's jurisdiction — a township's own plan is local to the township.
  const plan = await planDispatch({
    destinations,
    sources,
    deadlineHours: v.deadlineHours ?? 10 /* D16: basic needs within 10 hours */,
    targetHours,
    jurisdiction: own,
    policy,
  });
  publishPlannerSolved({ seconds: (performance.now() - started) / 1000, items: itemIds.length, destinations: destinations.length });
  return { plan, destinations, notes: { held, refused } };
}

/** What the planner knew beside the plan, for its words (toView): stock held for consent (F1), earlier refusals (F7). */
interface PlanNotes {
  held: HeldForConsent[];
  refused: { regionCode: string; itemId: string }[];
}

/**
 * D25 (sweep 20a F1): why part of a shortage is missing though the stock is there — it is held for an approved plan's
 * consent still pending (HeldForConsent): 「运城测试库 100」 … . Null when nothing of the item is held.
 */
function heldWords(held: readonly HeldForConsent[], itemId: string): string | null {
  const of = held.filter((h) => h.itemId === itemId);
  if (!of.length) return null;
  return `${of.map((h) => `${h.name} ${h.quantity}`).join('、')} 已由其他已批准的方案申请调用、正等待对方辖区同意，未计入本方案`;
}

function toView(v: RequestInput, plan: Plan, consent: ConsentDecision[], notes: PlanNotes, extra: Partial<PlanView> & { incidentId: string }): PlanView {
  return {
    id: null,
    status: 'PROPOSED',
    deadlineHours: v.deadlineHours ?? 10,
    row: null,
    destinations: v.destinations.map((d, idx) => ({ idx, name: d.name, regionCode: d.regionCode, lat: d.lat, lng: d.lng, storeId: d.storeId ?? null })),
    lines: plan.lines.map((l, i) => ({
      lineNo: i + 1,
      destinationIdx: l.destinationIndex,
      itemId: l.itemId,
      sourceKind: l.source.kind,
      storeId: l.source.kind === 'STORE' ? l.source.storeId : null,
      batchId: l.source.kind === 'STORE' ? l.source.batchId : null,
      agreementId: l.source.kind === 'STORE' ? null : l.source.agreementId,
      quantity: l.quantity,
      distanceKm: l.distanceKm,
      etaHours: l.etaHours,
      meetsDeadline: l.meetsDeadline,
      tier: l.tier,
      // D25 (sweep 20a F7): asked again of a jurisdiction that refused the item in this incident — said so.
      reason:
        reasonAsDecided(l.reason, consent[i].needsConsent) +
        (consent[i].needsConsent && refusedBefore(notes.refused, consent[i].consentRegion, l.itemId) ? refusedBeforeWords : ''),
      transferId: null,
      needsConsent: consent[i].needsConsent,
      jointAgreementId: consent[i].jointAgreementId,
      consent: null,
    })),
    shortages: plan.shortages.map((s) => ({
      destinationIdx: s.destinationIndex,
      itemId: s.itemId,
      requested: s.requested,
      planned: s.planned,
      missing: s.missing,
      reason: heldWords(notes.held, s.itemId),
    })),
    ...extra,
  };
}

/** suggestDispatchPlan: computes only, persists nothing. */
export async function suggestDispatchPlan(ctx: ServiceContext, config: AppConfig, input: unknown): Promise<PlanView> {
  const { db, actor: user, clock } = ctx;
  const { v, incident } = await validateRequest(db, user, input);
  const own = planningJurisdiction(user.regionCode, incident.regionCode);
  const { plan: computed, notes } = await computePlan(db, config, clock, own, v, incident.occurredAt);
  const { plan, consent } = await consentOf(db, own, clock, computed);
  return toView(v, plan, consent, notes, { incidentId: incident.id });
}

/**
 * D25 for each line of a computed plan, after the planner solved (which stays pure): a 联储 partner's line beyond what
 * the agreement still covers becomes two lines, one after the other — the covered part under the agreement （联储）,
 * the rest needing the partner's consent （须对方辖区同意）, so that a refusal takes only the rest (consentOfLines).
 * The parts keep the line's source, batch, route and ETA. The plan's lines, numbered from these, and the decisions
 * correspond one to one.
 */
async function consentOf(db: Db, own: string, clock: Clock, computed: Plan): Promise<{ plan: Plan; consent: ConsentDecision[] }> {
  const parts = await consentOfLines(
    db,
    own,
    todayInChina(clock),
    computed.lines.map((l) => ({
      itemId: l.itemId,
      storeId: l.source.kind === 'STORE' ? l.source.storeId : null,
      agreementId: l.source.kind === 'STORE' ? null : l.source.agreementId,
      quantity: l.quantity,
    })),
  );
  // A split capacity line's days of production (lots) are not divided: nothing after the planner reads them.
  const lines = computed.lines.flatMap((l, i) => (parts[i].length === 1 ? [l] : parts[i].map((p) => ({ ...l, quantity: p.quantity, lots: undefined }))));
  return { plan: { ...computed, lines }, consent: parts.flat() };
}

/** requestDispatch: persists the request and its suggested plan (PROPOSED); a destination without a store gets a distribution point. */
export async function requestDispatch(ctx: ServiceContext, config: AppConfig, input: unknown): Promise<PlanView> {
  const { db, actor: user, clock } = ctx;
  const { v, incident } = await validateRequest(db, user, input);
  const own = planningJurisdiction(user.regionCode, incident.regionCode);
  const { plan: computed, notes } = await computePlan(db, config, clock, own, v, incident.occurredAt);
  const { plan, consent } = await consentOf(db, own, clock, computed);
  const id = randomUUID();
  const now = clock.now().toJSDate();
  await db.transaction(async (tx) => {
    // Asked again under the lock: the incident may have closed while the plan was computed. A request that opens an
    // 安置点 holds the incident against other such requests, so one name never becomes two points.
    const opensPoint = v.destinations.some((d) => !d.storeId);
    await lockOpenIncident(tx, incident.id, opensPoint ? 'no key update' : 'share');
    await tx
      .insert(dispatchPlans)
      // D15, D25 (sweep 19c F5): the jurisdiction it is made for is kept with it — its sources, consents and tiers were
      // decided for it, and a settlement at execution is owed by it, wherever the requester is moved afterwards.
      .values({
        id,
        incidentId: incident.id,
        status: 'PROPOSED',
        deadlineHours: v.deadlineHours ?? 10,
        requestedBy: user.id,
        requestedAt: now,
        jurisdictionCode: own,
      });
    for (const [idx, d] of v.destinations.entries()) {
      const storeId = await storeForDestination(tx, incident, id, idx, d);
      await tx
        .insert(dispatchDestinations)
        .values({ planId: id, idx, name: d.name, regionCode: d.regionCode, lat: d.lat, lng: d.lng, storeId, contact: d.contact ?? null });
      await tx.insert(dispatchDemands).values(d.lines.map((l) => ({ planId: id, destinationIdx: idx, itemId: l.itemId, quantity: l.quantity })));
    }
    const view = toView(v, plan, consent, notes, { incidentId: incident.id });
    if (view.lines.length) {
      await tx.insert(dispatchLines).values(
        view.lines.map((l) => ({
          planId: id,
          lineNo: l.lineNo,
          destinationIdx: l.destinationIdx,
          itemId: l.itemId,
          sourceKind: l.sourceKind,
          storeId: l.storeId,
          batchId: l.batchId,
          agreementId: l.agreementId,
          quantity: l.quantity,
          distanceKm: l.distanceKm,
          etaHours: l.etaHours,
          meetsDeadline: l.meetsDeadline,
          tier: l.tier,
          reason: l.reason.slice(0, 300),
          needsConsent: l.needsConsent,
          jointAgreementId: l.jointAgreementId,
        })),
      );
    }
    await openPlanApprovals(tx, user, now, { id, incident, view, consent });
    await publishPlanStatus(tx, id, 'PROPOSED');
  });
  // D25 (sweep 20a F1): the plan as requested says, as its suggestion did, what of a shortage is held for other plans.
  const requested = await loadPlan(db, id);
  return { ...requested, shortages: requested.shortages.map((x) => ({ ...x, reason: heldWords(notes.held, x.itemId) })) };
}

/** How many lines a consent request names one by one before it says 等 N 行. */
const CONSENT_LINES_NAMED = 5;

/**
 * D24: the plan waits in the queue for a second person; D25: each other jurisdiction whose stock it would use without
 * an agreement is asked for consent (nothing of theirs is reserved or shipped before).
 */
async function openPlanApprovals(
  tx: Db,
  user: Principal,
  at: Date,
  p: { id: string; incident: { name: string; regionCode: string }; view: PlanView; consent: ConsentDecision[] },
) {
  // Quantities in each item's own unit (300 床、200 顶), not added up as 件 across units.
  const units = await itemsFor(tx, p.view.lines);
  const amount = (lines: PlanView['lines']) => `${lines.length} 行共 ${inItemUnits(units, lines, 1)}`;
  // The record of what the lines are worth (plan-value.ts); each reader is shown what they may price (Approval.value).
  const priced = (await pricedLinesOfPlans(tx, [p.id])).get(p.id) ?? [];
  const total = (lines: PlanView['lines']) => totalOf(priced.filter((x) => lines.some((l) => l.lineNo === x.lineNo)));
  await openApproval(tx, user, at, {
    kind: 'DISPATCH_PLAN',
    subjectId: p.id,
    summary: `「${p.incident.name}」调拨方案：${p.view.destinations.length} 个安置点，${amount(p.view.lines)}`,
    value: total(p.view.lines),
    regionCode: p.incident.regionCode,
  });
  const byRegion = new Map<string, number[]>();
  p.consent.forEach((c, i) => {
    if (c.consentRegion) byRegion.set(c.consentRegion, [...(byRegion.get(c.consentRegion) ?? []), p.view.lines[i].lineNo]);
  });
  for (const [regionCode, lineNos] of byRegion) {
    const lines = p.view.lines.filter((l) => lineNos.includes(l.lineNo));
    // D25: the consenting side decides on what is asked of it by name — which store or company, which item, how much —
    // not on a count of lines (sweep 6b M1: 「1 行共 165 顶」 named neither item nor store).
    const named = await Promise.all(lines.slice(0, CONSENT_LINES_NAMED).map((l) => lineName(tx, l)));
    const more = lines.length > CONSENT_LINES_NAMED ? `等 ${lines.length} 行，` : '';
    await openApproval(tx, user, at, {
      kind: 'CROSS_REGION_USE',
      subjectId: p.id,
      summary: `「${p.incident.name}」请求调用本区储备：${named.join('；')}（${more}${amount(lines)}；跨区域调用须本区同意）`,
      value: total(lines),
      regionCode,
      payload: { lineNos },
    });
  }
}

/** A persisted plan with its destinations, lines and computed shortages. */
export async function loadPlan(db: Db, id: string): Promise<PlanView> {
  const [row] = await db.select().from(dispatchPlans).where(eq(dispatchPlans.id, id));
  if (!row) throw notFound('planId', '调拨方案', id);
  const [dests, demands, lines, consents] = await Promise.all([
    db.select().from(dispatchDestinations).where(eq(dispatchDestinations.planId, id)).orderBy(asc(dispatchDestinations.idx)),
    db.select().from(dispatchDemands).where(eq(dispatchDemands.planId, id)),
    db.select().from(dispatchLines).where(eq(dispatchLines.planId, id)).orderBy(asc(dispatchLines.lineNo)),
    db
      .select({ approval: approvals, regionName: regions.name })
      .from(approvals)
      .leftJoin(regions, eq(regions.code, approvals.regionCode))
      .where(and(eq(approvals.subjectId, id), eq(approvals.kind, 'CROSS_REGION_USE')))
      .then((rows) => rows.map((r) => ({ ...r.approval, regionName: r.regionName }))),
  ]);
  const consentRowOf = (lineNo: number) => consents.find((c) => (c.payload as { lineNos: number[] }).lineNos.includes(lineNo));
  // Sweep 25c F2 (D25): a consent closed with its plan (cancelled, or rejected by its own approver) was withdrawn, not
  // refused by the jurisdiction asked: the line stays in the plan as it was put to the approver — its total, its
  // shortages (none for it) — and says WITHDRAWN, not REJECTED (withdrawalOf, the one rule for withdrawn approvals).
  const consentStatus = (c: (typeof consents)[number] | undefined) => (c ? (withdrawalOf(c) ? ('WITHDRAWN' as const) : c.status) : null);
  const viewLines = lines.map((l) => ({ ...l, consent: l.needsConsent ? consentStatus(consentRowOf(l.lineNo)) : null }));
  // D25: a line whose jurisdiction refused is not planned — what it would have brought is missing.
  const planned = plannedLines(viewLines);
  const shortages = demands.flatMap((d) => {
    const quantity = planned.filter((l) => l.destinationIdx === d.destinationIdx && l.itemId === d.itemId).reduce((s, l) => s + l.quantity, 0);
    if (quantity >= d.quantity) return [];
    // D25 (sweep 24a F3): who refused the lines of this 安置点 and item, and how much (withdrawn consents are the plan's own doing).
    const refusals: Refusal[] = [];
    for (const l of viewLines) {
      if (l.destinationIdx !== d.destinationIdx || l.itemId !== d.itemId || !l.needsConsent || l.consent !== 'REJECTED') continue;
      const c = consentRowOf(l.lineNo)!;
      if ((c.payload as { withdrawn?: boolean }).withdrawn) continue;
      const seen = refusals.find((r) => r.regionCode === c.regionCode);
      if (seen) seen.quantity += l.quantity;
      else
        refusals.push({
          regionCode: c.regionCode,
          regionName: c.regionName ?? c.regionCode,
          reason: c.reason,
          requestedBy: c.requestedBy,
          storeId: c.storeId,
          quantity: l.quantity,
        });
    }
    return [
      {
        destinationIdx: d.destinationIdx,
        itemId: d.itemId,
        requested: d.quantity,
        planned: quantity,
        missing: d.quantity - quantity,
        reason: refusals.length ? refusalWords(refusals, () => false) : null,
        refusals,
      },
    ];
  });
  return {
    id: row.id,
    incidentId: row.incidentId,
    status: row.status,
    deadlineHours: row.deadlineHours,
    row,
    destinations: dests.map((d) => ({ idx: d.idx, name: d.name, regionCode: d.regionCode, lat: d.lat, lng: d.lng, storeId: d.storeId })),
    lines: viewLines,
    shortages,
  };
}

/** D25 (sweep 24a F3): a consent refused for some of a shortage's lines — the region that refused, how much, why. */
export interface Refusal {
  regionCode: string;
  regionName: string;
  reason: string | null;
  requestedBy: string;
  storeId: string | null;
  quantity: number;
}

/**
 * D25 (sweep 24a F3): a shortage caused by a refused consent says who refused and how much — 「新乡市 拒绝调用 570：…」
 * — and the refusal's stated reason where the reader may read that approval (`mayReadRefusal`: mayRead.approval — its
 * requester and the refusing side do; another reader of the plan is told who refused, not why).
 */
export function refusalWords(refusals: readonly Refusal[], mayReadRefusal: (r: Refusal) => boolean): string {
  return refusals.map((r) => `${r.regionName} 拒绝调用 ${r.quantity}${r.reason && mayReadRefusal(r) ? `：${r.reason}` : '（未获对方辖区同意）'}`).join('；');
}

/**
 * The shortage's `reason` as a reader reads it: the holds known when planned (heldWords), or the refusals, each refusal's
 * reason where `mayReadRefusal` allows (D25, sweep 24a F3).
 */
export async function shortageReason(s: PlanView['shortages'][number], mayReadRefusal: (r: Refusal) => Promise<boolean>): Promise<string | null> {
  if (!s.refusals?.length) return s.reason ?? null;
  const readable = await Promise.all(s.refusals.map(mayReadRefusal));
  const refused = refusalWords(s.refusals, (r) => readable[s.refusals!.indexOf(r)]);
  const held = s.reason && s.reason !== refusalWords(s.refusals, () => false) ? s.reason : null;
  return held ? `${refused}；${held}` : refused;
}

/**
 * D25: the lines a plan still counts on/**
 * D25: the lines a plan still counts on — all but those whose jurisdiction refused its consent (they ship nothing and
 * are left out of the plan's shortages, total quantity and latest ETA). A consent still pending counts: the plan waits.
 */
export const plannedLines = <L extends Pick<PlanView['lines'][number], 'needsConsent' | 'consent'>>(lines: readonly L[]) =>
  lines.filter((l) => !(l.needsConsent && l.consent === 'REJECTED'));

/** A plan the principal may see: its incident in their region. */
export async function getPlanInScope(db: Db, user: Principal, id: string, field = 'planId'): Promise<PlanView> {
  uuidArg(id, field, '调拨方案');
  const plan = await loadPlan(db, id).catch((e) => {
    throw e.code === 'NOT_FOUND' ? notFound(field, '调拨方案', id) : e;
  });
  // A plan is read through its incident's region; the refusal names the plan (sweep 8b F3: it said 该事件).
  await getIncidentInScope(db, user, plan.incidentId, field, '该调拨方案');
  return plan;
}

/**
 * D24: the approver needs authority over the store — for a plan, over every source it takes on its jurisdiction's own
 * authority: stores and agreement reserves of the jurisdiction it was requested for (where it takes none, over the
 * jurisdiction: assertCoversJurisdiction). A source another jurisdiction consented to (D25: a per-plan consent or a
 * 联储 agreement) is used on that jurisdiction's authority. So a county's dispatcher may not approve (nor record the
 * written approval of) a plan the city's dispatcher made from the city's stores: only someone whose region covers them
 * (sweep 9a F1 — 卫辉's dispatchers approved and executed 5,000 of the city's 编织袋).
 */
async function assertCoversSources(db: Db, user: Principal, plan: PlanView, verb: string): Promise<void> {
  if (user.regionCode === null) return;
  const own = plan.lines.filter((l) => !l.needsConsent && !l.jointAgreementId);
  const storeIds = [...new Set(own.flatMap((l) => (l.storeId ? [l.storeId] : [])))];
  const agreementIds = [...new Set(own.flatMap((l) => (l.sourceKind !== 'STORE' && l.agreementId ? [l.agreementId] : [])))];
  const sources = [
    ...(storeIds.length ? await db.select({ name: stores.name, regionCode: stores.regionCode }).from(stores).where(inArray(stores.id, storeIds)) : []),
    ...(agreementIds.length
      ? await db
          .select({ name: organizations.name, regionCode: agreements.regionCode })
          .from(agreements)
          .innerJoin(organizations, eq(organizations.id, agreements.companyOrgId))
          .where(inArray(agreements.id, agreementIds))
      : []),
  ];
  if (!sources.length) return assertCoversJurisdiction(db, user, plan, verb);
  const outside = sources.filter((s) => !canDecide(user, s)).map((s) => s.name);
  if (outside.length) {
    throw new DomainError('FORBIDDEN', `无权${verb}：方案动用了「${[...new Set(outside)].join('、')}」的储备，须由辖区包含其所在地区的调度员或管理员${verb}`, {
      field: 'planId',
    });
  }
}

/**
 * D24 (sweep 15b F4): a plan that takes nothing on its requester's authority — every line another jurisdiction's stock,
 * by consent or under a 联储 agreement — is approved by someone with authority over the jurisdiction whose plan it is
 * (planningJurisdiction, as fixed at its request: jurisdictionCode — not where its requester is now, sweep 19c F5). It
 * was approved by anyone who could read it: the dispatcher of a township under the county that made it.
 */
async function assertCoversJurisdiction(db: Db, user: Principal, plan: PlanView, verb: string): Promise<void> {
  const jurisdiction = plan.row!.jurisdictionCode;
  if (canDecide(user, { regionCode: jurisdiction })) return;
  const [region] = await db.select({ name: regions.name }).from(regions).where(eq(regions.code, jurisdiction));
  throw new DomainError(
    'FORBIDDEN',
    `无权${verb}：本方案全部动用其他辖区的储备，须由辖区包含「${region?.name ?? jurisdiction}」（方案编制辖区）的调度员或管理员${verb}`,
    {
      field: 'planId',
    },
  );
}

/** Locks the plan row; the caller checks the state it may move from. */
export async function lockPlan(tx: Db, id: string): Promise<DispatchPlanRow> {
  await queryRows(tx, sql`SELECT id FROM dispatch_plans WHERE id = ${id}::uuid FOR UPDATE`);
  const [row] = await tx.select().from(dispatchPlans).where(eq(dispatchPlans.id, id));
  return row;
}

/** D25: the lines a plan may reserve, ship or call off — its own or agreed reserves, or those whose jurisdiction consented. */
export const usableLines = (plan: PlanView) => plan.lines.filter((l) => !l.needsConsent || l.consent === 'APPROVED');

/** D25: the store lines of usableLines. */
export const usableStoreLines = (plan: PlanView) => usableLines(plan).filter((l) => l.sourceKind === 'STORE');

/** The planned store stock of lines as reservation changes (sign +1 reserves, −1 releases). */
export const reservationsOf = (lines: PlanView['lines'], sign: 1 | -1) =>
  lines.filter((l) => l.sourceKind === 'STORE').map((l) => ({ storeId: l.storeId!, batchId: l.batchId!, itemId: l.itemId, quantity: sign * l.quantity }));

/**
 * approveDispatchPlan (D14, D24): a dispatcher in scope other than the requester approves; the plan's usable store
 * stock is reserved so that nothing else can take it. The emergency path lets the requesting dispatcher approve and
 * execute at once; the written approval is then due within 48 h from another person (EMERGENCY_WRITTEN_APPROVAL).
 */
export async function approveDispatchPlan(
  ctx: ServiceContext,
  config: AppConfig,
  planId: string,
  emergency: boolean,
  approvalRef?: string | null,
): Promise<PlanView> {
  const { db, actor: user, clock } = ctx;
  assertDispatcher(user);
  const ref = textArg('approvalRef', approvalRef, { max: 128, tooLong: '审批文号不超过 128 个字符' });
  const plan = await getPlanInScope(db, user, planId);
  if (plan.status !== 'PROPOSED')
    throw invalidState(`调拨方案状态为${statusText(PLAN_STATUS_NAMES, plan.status)}，只有待批准的方案可以批准`, {
      field: 'planId',
      status: plan.status,
    });
  if (!emergency && plan.row!.requestedBy === user.id) {
    throw new DomainError('FORBIDDEN', '不相容岗位分离：本人提交的调拨方案不能由本人批准（紧急情况可用「紧急批准」先调拨后补手续）', { field: 'planId' });
  }
  if (!emergency) await assertNotRequestersAccount(db, user, [plan.row!.requestedBy], 'planId');
  const now = clock.now().toJSDate();
  await db.transaction(async (tx) => {
    await lockPlan(tx, plan.id!); // the plan's row before its approvals (as cancelDispatchPlan)
    const [approval] = await pendingApprovalsOf(tx, plan.id!, 'DISPATCH_PLAN');
    if (approval)
      await closeApproval(tx, approval, {
        status: 'APPROVED',
        by: user.id,
        at: now,
        approvalRef: emergency ? null : ref,
        reason: emergency ? '紧急调拨：先调拨后补手续' : null,
      });
    await approvePlanInTx(tx, config, user, plan.id!, now, emergency, ref);
    await publishPlanStatus(tx, plan.id!, 'APPROVED');
  });
  return loadPlan(db, plan.id!);
}

/**
 * The plan's side of an approval (from approveDispatchPlan or the queue's decideApproval), in the deciding transaction.
 * The plan is read again once locked: a consent decided meanwhile (decideApproval locks the plan too) changes which of
 * its lines are usable, and a view read before the lock would approve without reserving a line just consented to.
 */
export async function approvePlanInTx(tx: Db, config: AppConfig, user: Principal, planId: string, now: Date, emergency: boolean, approvalRef?: string | null) {
  const row = await lockPlan(tx, planId);
  const plan = await loadPlan(tx, planId);
  if (row.status !== 'PROPOSED')
    throw invalidState(`调拨方案状态为${statusText(PLAN_STATUS_NAMES, row.status)}，只有待批准的方案可以批准`, {
      field: 'planId',
      status: row.status,
    });
  assertPlansSomething(plan);
  await assertCoversSources(tx, user, plan, '批准');
  await lockOpenIncident(tx, row.incidentId, 'share', 'planId');
  // D25 (sweep 24a F4): its own lines and those it will hold for consent take nothing another approved plan holds.
  await staleIfShort(assertNotHeldForOtherPlans(tx, plan.id!, plannedLines(plan.lines)));
  await staleIfShort(reserveStock(tx, reservationsOf(usableStoreLines(plan), 1), now));
  // D25: its 联储 lines decided again (the agreement still valid, its maximum not used meanwhile); D17: its agreement
  // stock promised only while there (after the store stock: balances, then agreements, in every transaction).
  const today = chinaDateOf(now);
  await assertJointLinesCovered(tx, { id: plan.id!, jurisdictionCode: row.jurisdictionCode, lines: plan.lines }, today, { verb: '批准', lock: true });
  await staleIfShort(assertAgreementStock(tx, plan.id!, usableLines(plan), today, capacityHorizonDays(config)));
  await staleIfShort(assertAgreementStock(tx, plan.id!, plannedLines(plan.lines), today, capacityHorizonDays(config), { heldByOthers: true }));
  // D14 (API.md: "execution time + 48 h"): no due time until the stock moves — startWrittenApprovalClock sets it, on the
  // plan and its queue item, when the plan is executed (a due time that would move then is not shown before).
  await tx
    .update(dispatchPlans)
    .set({
      status: 'APPROVED',
      approvedBy: user.id,
      approvedAt: now,
      emergency,
      // D14: 先调拨后补手续 — the written approval must follow within 48 hours of execution, from another person (D24).
      approvalDueAt: null,
      writtenApprovalRef: emergency ? null : approvalRef?.trim() || null,
      writtenApprovedAt: emergency ? null : now,
    })
    .where(eq(dispatchPlans.id, plan.id!));
  if (emergency) {
    const [incident] = await tx.select({ name: incidents.name, regionCode: incidents.regionCode }).from(incidents).where(eq(incidents.id, plan.incidentId));
    await openApproval(tx, user, now, {
      kind: 'EMERGENCY_WRITTEN_APPROVAL',
      subjectId: plan.id!,
      summary: `「${incident.name}」的紧急调拨方案已先行批准，须在执行后 48 小时内补办书面审批`,
      regionCode: incident.regionCode,
      dueAt: null, // set at execution (startWrittenApprovalClock)
    });
  }
}

/**
 * D14: a plan is approved with the stock it was generated from. Stock issued or promised to another plan since then
 * makes the approval INSUFFICIENT_STOCK (the same details); the message then says what to do: the plan is stale.
 */
async function staleIfShort<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    // Said once (sweep 18a F11): a refusal that already tells the dispatcher to cancel and plan again keeps its words.
    if (isDomainError(e) && e.code === 'INSUFFICIENT_STOCK' && !e.message.includes('请取消本方案'))
      throw new DomainError(e.code, `${e.message}；方案生成后库存已变动，请取消本方案并重新生成`, { ...e.details });
    throw e;
  }
}

/**
 * D14: a plan approves (and executes) what it ships. One with no line that may still ship — everything short, or
 * refused by the jurisdictions asked — would be "executed" and completed having moved nothing: it is refused.
 */
export function assertPlansSomething(plan: PlanView): void {
  if (plannedLines(plan.lines).length) return;
  throw invalidState('该方案没有可调运的物资（需求全部短缺或调用未获同意），不能批准或执行：请取消方案，待有库存后重新申请', {
    field: 'planId',
    status: plan.status,
  });
}

/** D14: the written approval after an emergency approval is due 48 hours after `from`. */
const writtenApprovalDue = (from: Date) => new Date(from.getTime() + 48 * 3600_000);

/**
 * D14 (API.md: "execution time + 48 h"): stock moved first, papers within 48 hours of it — executing an emergency plan
 * whose written approval is still missing sets its due time, on the plan and on its queue item (null until then).
 */
export async function startWrittenApprovalClock(tx: Db, planId: string, executedAt: Date): Promise<void> {
  const due = writtenApprovalDue(executedAt);
  await tx
    .update(dispatchPlans)
    .set({ approvalDueAt: due })
    .where(and(eq(dispatchPlans.id, planId), eq(dispatchPlans.emergency, true), isNull(dispatchPlans.writtenApprovedAt)));
  await tx
    .update(approvals)
    .set({ dueAt: due })
    .where(and(eq(approvals.subjectId, planId), eq(approvals.kind, 'EMERGENCY_WRITTEN_APPROVAL'), eq(approvals.status, 'PENDING')));
}

/** A rejected plan is cancelled (nothing was reserved); its other pending approvals (consents) are closed with it. */
export async function rejectPlanInTx(tx: Db, user: Principal, planId: string, now: Date, reason: string) {
  const row = await lockPlan(tx, planId);
  if (row.status !== 'PROPOSED')
    throw invalidState(`调拨方案状态为${statusText(PLAN_STATUS_NAMES, row.status)}，只有待批准的方案可以驳回`, {
      field: 'planId',
      status: row.status,
    });
  await tx
    .update(dispatchPlans)
    .set({ status: 'CANCELLED', cancelledAt: now, cancelReason: `审批驳回：${reason}`.slice(0, 500) })
    .where(eq(dispatchPlans.id, planId));
  await withdrawPlanApprovals(tx, planId, { by: user.id, at: now, reason: `${PLAN_REJECTED}${reason}` });
}

/** D14, D24: the written approval that follows an emergency approval, recorded by someone other than its approver. */
export async function recordWrittenApproval(ctx: ServiceContext, planId: string, approvalRef: string): Promise<PlanView> {
  const { db, actor: user, clock } = ctx;
  assertDispatcher(user);
  const ref = textArg('approvalRef', approvalRef, { required: '须填写书面审批文号', max: 128, tooLong: '书面审批文号不超过 128 个字符' })!;
  const plan = await getPlanInScope(db, user, planId);
  const [approval] = await pendingApprovalsOf(db, plan.id!, 'EMERGENCY_WRITTEN_APPROVAL');
  if (!approval) {
    const last = plan.row?.emergency && !plan.row.writtenApprovedAt ? await writtenApprovalOf(db, plan.id!) : null;
    if (last?.status === 'REJECTED') {
      throw invalidState(`该方案的书面审批已被驳回（${last.reason ?? '无理由'}），须由紧急批准人重新提交书面审批后再办理`, {
        field: 'planId',
        status: plan.status,
      });
    }
    throw invalidState('该方案没有待补的书面审批', { field: 'planId', status: plan.status });
  }
  await assertMayDecide(db, user, approval, 'planId');
  const now = clock.now().toJSDate();
  await db.transaction(async (tx) => {
    await lockPlan(tx, plan.id!); // the plan's row before its approvals (as cancelDispatchPlan)
    await closeApproval(tx, approval, { status: 'APPROVED', by: user.id, at: now, approvalRef: ref });
    await recordWrittenApprovalInTx(tx, user, plan.id!, ref, now);
  });
  return loadPlan(db, plan.id!);
}

/**
 * D14: a written approval that was refused leaves the emergency plan without its papers: the emergency approver (or the
 * plan's requester) submits it again — a new queue item, decided under the same rule (not by either of them, D24) and
 * due when the first was (the 48 hours do not start again; overdue stays overdue).
 */
export async function requestWrittenApproval(ctx: ServiceContext, planId: string): Promise<PlanView> {
  const { db, actor: user, clock } = ctx;
  assertDispatcher(user);
  const plan = await getPlanInScope(db, user, planId);
  const now = clock.now().toJSDate();
  await db.transaction(async (tx) => {
    const row = await lockPlan(tx, plan.id!); // the plan's row before its approvals (as cancelDispatchPlan)
    if (!row.emergency || row.status === 'PROPOSED' || row.status === 'CANCELLED' || row.writtenApprovedAt) {
      throw invalidState('该方案没有待补的书面审批：只有紧急批准、尚未补办书面审批的方案可以重新提交', { field: 'planId', status: row.status });
    }
    if (user.id !== row.approvedBy && user.id !== row.requestedBy) {
      throw new DomainError('FORBIDDEN', '书面审批由紧急批准人或调拨方案申请人重新提交', { field: 'planId' });
    }
    const last = await writtenApprovalOf(tx, plan.id!);
    if (last?.status === 'PENDING') throw invalidState('该方案的书面审批已在待审批中，不能重复提交', { field: 'planId', status: row.status });
    const [incident] = await tx.select({ name: incidents.name, regionCode: incidents.regionCode }).from(incidents).where(eq(incidents.id, row.incidentId));
    // Requested in the emergency approver's name, as the first: assertMayDecide keeps both of them from deciding it.
    // openApproval's id follows from the instant: never the previous item's (a clock that has not moved since).
    const at = last && last.requestedAt >= now ? new Date(last.requestedAt.getTime() + 1) : now;
    await openApproval(tx, { ...user, id: row.approvedBy! }, at, {
      kind: 'EMERGENCY_WRITTEN_APPROVAL',
      subjectId: plan.id!,
      summary: `「${incident.name}」的紧急调拨方案书面审批重新提交（上次被驳回${last?.reason ? `：${last.reason}` : ''}），须补办书面审批`,
      regionCode: incident.regionCode,
      dueAt: row.approvalDueAt,
    });
  });
  return loadPlan(db, plan.id!);
}

/** D14: an emergency plan's latest written-approval item — pending, approved, or rejected with its reason — or null. */
export async function writtenApprovalOf(db: Db, planId: string): Promise<ApprovalRow | null> {
  const [row] = await db
    .select()
    .from(approvals)
    .where(and(eq(approvals.subjectId, planId), eq(approvals.kind, 'EMERGENCY_WRITTEN_APPROVAL')))
    .orderBy(desc(approvals.requestedAt))
    .limit(1);
  return row ?? null;
}

export async function recordWrittenApprovalInTx(tx: Db, user: Principal, planId: string, approvalRef: string, now: Date) {
  const row = await lockPlan(tx, planId);
  if (row.status === 'CANCELLED' || row.status === 'PROPOSED')
    throw invalidState(`调拨方案状态为${statusText(PLAN_STATUS_NAMES, row.status)}`, { field: 'planId', status: row.status });
  await assertCoversSources(tx, user, await loadPlan(tx, planId), '补办书面审批');
  await tx.update(dispatchPlans).set({ writtenApprovalRef: approvalRef, writtenApprovedAt: now }).where(eq(dispatchPlans.id, planId));
}

/**
 * D25: a consent given while the plan is approved reserves its lines now (else they are reserved at approval) — D8
 * (sweep 24a F1): from the store's batches as they stand, picked again where the planned batch no longer holds the
 * line (repickConsentedBatches); lines split so are added to the consent (`approvalId`'s lineNos).
 */
export async function consentInTx(tx: Db, config: AppConfig, planId: string, lineNos: number[], now: Date, approvalId?: string) {
  const row = await lockPlan(tx, planId);
  if (row.status !== 'PROPOSED' && row.status !== 'APPROVED') {
    throw invalidState(`调拨方案状态为${statusText(PLAN_STATUS_NAMES, row.status)}，已不能再同意调用`, { field: 'planId', status: row.status });
  }
  if (row.status === 'APPROVED') {
    const consented = await repickConsentedBatches(tx, planId, lineNos, chinaDateOf(now));
    if (approvalId && consented.length > lineNos.length) {
      await tx
        .update(approvals)
        .set({ payload: sql`jsonb_set(COALESCE(${approvals.payload}, '{}'::jsonb), '{lineNos}', ${JSON.stringify(consented)}::jsonb)` })
        .where(eq(approvals.id, approvalId));
    }
    lineNos = consented;
  }
  const plan = await loadPlan(tx, planId); // as locked: what the plan already promised (approvePlanInTx)
  if (row.status === 'APPROVED') {
    await reserveStock(
      tx,
      reservationsOf(
        plan.lines.filter((l) => lineNos.includes(l.lineNo)),
        1,
      ),
      now,
    );
    // D17: a consented agreement line is promised now — with what the plan already promised, while the stock is there.
    const promised = plan.lines.filter((l) => lineNos.includes(l.lineNo) || !l.needsConsent || l.consent === 'APPROVED');
    await assertAgreementStock(tx, plan.id!, promised, chinaDateOf(now), capacityHorizonDays(config));
  }
}

/** D14: emergency approvals whose written approval is overdue (more than 48 h), in the user's region. */
export async function overdueApprovals(ctx: ServiceContext, regionCode?: string | null): Promise<DispatchPlanRow[]> {
  const { db, actor: user, clock } = ctx;
  const prefix = await readablePrefix(db, user, regionCode);
  const rows = await db
    .select({ plan: dispatchPlans })
    .from(dispatchPlans)
    .innerJoin(incidents, eq(incidents.id, dispatchPlans.incidentId))
    .where(
      and(
        eq(dispatchPlans.emergency, true),
        isNull(dispatchPlans.writtenApprovedAt),
        ne(dispatchPlans.status, 'CANCELLED'),
        lt(dispatchPlans.approvalDueAt, clock.now().toJSDate()),
        sql`${incidents.regionCode} LIKE ${`${prefix}%`}`,
      ),
    )
    .orderBy(asc(dispatchPlans.approvalDueAt));
  return rows.map((r) => r.plan);
}

/**
 * Cancels a plan before execution; an approved plan's reservations are released and its pending approvals closed. An
 * executing plan whose cancelled shipments or losses in transit will not be shipped again (补发) is closed short
 * instead (closeShort).
 */
export async function cancelDispatchPlan(ctx: ServiceContext, planId: string, reason: string): Promise<PlanView> {
  const { db, actor: user, clock } = ctx;
  assertDispatcher(user);
  const why = textArg('reason', reason, { required: '须填写取消原因', max: 500, tooLong: '取消原因不超过 500 个字' })!;
  const plan = await getPlanInScope(db, user, planId);
  const now = clock.now().toJSDate();
  await db.transaction(async (tx) => {
    const row = await lockPlan(tx, plan.id!);
    if (row.status === 'CANCELLED') throw invalidState('调拨方案已取消，不能再次取消', { field: 'planId', status: row.status });
    if (row.status === 'EXECUTING') return closeShort(tx, plan.id!, now, why);
    if (row.status !== 'PROPOSED' && row.status !== 'APPROVED') {
      throw invalidState(`调拨方案状态为${statusText(PLAN_STATUS_NAMES, row.status)}，已执行的方案不能取消（可撤销尚未收货的调拨）`, {
        field: 'planId',
        status: row.status,
      });
    }
    if (row.status === 'APPROVED') await reserveStock(tx, reservationsOf(usableStoreLines(plan), -1), now);
    await tx.update(dispatchPlans).set({ status: 'CANCELLED', cancelledAt: now, cancelReason: why }).where(eq(dispatchPlans.id, plan.id!));
    // D14, D24: its approval, consents and written approval no longer wait (nor turn overdue).
    await withdrawPlanApprovals(tx, plan.id!, { by: user.id, at: now, reason: `${PLAN_CANCELLED}${why}` });
    await publishPlanStatus(tx, plan.id!, 'CANCELLED');
  });
  return loadPlan(db, plan.id!);
}

/**
 * EXECUTING → COMPLETED once every shipment is received (in full, or short with the rest reported lost or damaged) and
 * every call-off delivered (or cancelled, D17). A cancelled shipment, or a loss in transit (D27: pending or written
 * off), does not complete its lines (D14, D23, D28): while what a store line approved has not all arrived or is not on
 * its way again (补发: shipTransfer citing the plan, checkPlanShipment), the plan stays EXECUTING while remainingToShip
 * has some left — the one count, by which checkPlanShipment bounds a 补发 too. What will not be made good is closed
 * short by the dispatcher (cancelDispatchPlan → closeShort), with the reason.
 */
export async function refreshPlanCompletion(tx: Db, planId: string, at: Date): Promise<void> {
  const row = await lockPlan(tx, planId);
  if (row.status !== 'EXECUTING') return;
  if (await hasOpenShipments(tx, planId)) return;
  if ((await remainingToShip(tx, planId)).some((r) => r.remaining > 0)) return;
  await tx.update(dispatchPlans).set({ status: 'COMPLETED', completedAt: at }).where(eq(dispatchPlans.id, planId));
  await publishPlanStatus(tx, planId, 'COMPLETED');
}

/**
 * D14, D23: the dispatcher closes short an executing plan whose cancelled shipments or losses in transit will not be
 * shipped again — the batch used or expired meanwhile, the need met otherwise — with the reason (kept as the plan's
 * cancelReason and in the audit row): COMPLETED, its lines showing what arrived and what did not (D28). Whatever is on
 * its way arrives first: open shipments (a loss whose write-off is still pending among them) and call-offs are
 * received, decided or cancelled, before. A plan closed short takes no 补发 (checkPlanShipment: EXECUTING only).
 */
async function closeShort(tx: Db, planId: string, at: Date, reason: string): Promise<void> {
  if (await hasOpenShipments(tx, planId)) {
    throw invalidState('调拨方案尚有在途调拨或未到货的调用单：须先收货或撤销，才能结束方案', { field: 'planId', status: 'EXECUTING' });
  }
  await tx.update(dispatchPlans).set({ status: 'COMPLETED', completedAt: at, cancelReason: reason }).where(eq(dispatchPlans.id, planId));
  await publishPlanStatus(tx, planId, 'COMPLETED');
}

/** What one source store still has to ship of one batch to one 安置点 (its store) for a plan (remainingToShip). */
export interface RemainingToShip {
  fromStoreId: string;
  toStoreId: string;
  batchId: string;
  /**
   * Approved less what arrived or is still on its way: a cancelled shipment gives its quantity back, and so does a loss
   * in transit once written off (D27: approved) where reShipsLoss — 0 when all of it arrived or is on its way (补发).
   */
  remaining: number;
  /** Reported lost or damaged in transit on the plan's shipments of the batch between the two (pending or written off). */
  lostInTransit: number;
  /** Of lostInTransit, what still awaits its write-off's approval (D27): not given back until approved (sweep 20c F8). */
  awaitingWriteOff: number;
  /**
   * D25, D15: false when the source store's stock serves the plan against a settlement (another jurisdiction's stock,
   * or a lower level's used outside its area): its consent and what is owed back name the line's quantity, and the lost
   * goods stay owed (reduceSettlementsOfCancelledTransfer) — replacing them would take more than was agreed.
   */
  reShipsLoss: boolean;
}

/**
 * D14, D23, D27: what an executed plan's store lines still have to ship, per source store, 安置点 (its store) and batch —
 * the one count behind both uses: approved − (shipped − cancelled − lost in transit), over every shipment of the plan
 * between the two of that batch (the one made at execution and any 补发, shipTransfer citing the plan), i.e. approved
 * less what was received or is still on its way. A loss in transit counts once its write-off is approved (D27: a loss
 * is a loss only when a second person says so): the 补发 is covered by the plan's approval for exactly the quantity
 * written off, never more. Sweep 20c F8: counted while still pending, a 补发 went out for it, the write-off was
 * rejected, its goods came back into transit and were received too — 13 left the store on a plan line of 10. A pending
 * loss keeps the plan EXECUTING all the same (its shipment is open: hasOpenShipments). A loss on a line that owes a
 * settlement is not given back (reShipsLoss). refreshPlanCompletion keeps the plan EXECUTING while some row is above 0;
 * checkPlanShipment (execution.ts) bounds a 补发 by its from→to rows. The lines counted are those execution shipped
 * (transfer_id set): its usableStoreLines (D25) — every consent decided by then (executeDispatchPlan waits for a
 * pending one) and none decided after (a decided approval is final), so they stay the plan's usable store lines for as
 * long as it is EXECUTING.
 */
export async function remainingToShip(tx: Db, planId: string): Promise<RemainingToShip[]> {
  const rows = await queryRows<{
    from_store_id: string;
    to_store_id: string;
    batch_id: string;
    sent: number;
    lost: number;
    disputed: number;
    approved: number;
    owes: boolean;
  }>(
    tx,
    sql`SELECT a.store_id AS from_store_id, a.to_store_id, a.batch_id, a.approved::int AS approved,
               COALESCE(s.sent, 0)::int AS sent, COALESCE(s.lost, 0)::int AS lost, COALESCE(s.disputed, 0)::int AS disputed,
               EXISTS (SELECT 1 FROM settlements st WHERE st.plan_id = ${planId}::uuid AND st.store_id = a.store_id AND st.item_id = a.item_id) AS owes
          FROM (SELECT l.store_id, d.store_id AS to_store_id, l.batch_id, l.item_id, sum(l.quantity) AS approved
                  FROM dispatch_lines l JOIN dispatch_destinations d ON d.plan_id = l.plan_id AND d.idx = l.destination_idx
                 WHERE l.plan_id = ${planId}::uuid AND l.source_kind = 'STORE' AND l.transfer_id IS NOT NULL
                 GROUP BY 1, 2, 3, 4) a
          LEFT JOIN LATERAL (SELECT sum(tl.shipped - tl.cancelled) AS sent, sum(tl.lost) AS lost, sum(tl.disputed) AS disputed
                               FROM transfers t JOIN transfer_lines tl ON tl.transfer_id = t.id
                              WHERE t.dispatch_plan_id = ${planId}::uuid AND t.from_store_id = a.store_id
                                AND t.to_store_id = a.to_store_id AND tl.batch_id = a.batch_id) s ON true`,
  );
  return rows.map((r) => {
    const reShipsLoss = r.owes !== true && String(r.owes) !== 't';
    const writtenOff = Number(r.lost);
    const awaitingWriteOff = Number(r.disputed);
    return {
      fromStoreId: String(r.from_store_id),
      toStoreId: String(r.to_store_id),
      batchId: String(r.batch_id),
      remaining: Number(r.approved) - Number(r.sent) + (reShipsLoss ? writtenOff : 0),
      lostInTransit: writtenOff + awaitingWriteOff,
      awaitingWriteOff,
      reShipsLoss,
    };
  });
}

/** A received dispatch shipment may complete its plan (wired to transfer receipts by the composition root). */
export async function completePlanOnTransferReceipt(tx: Db, transferId: string): Promise<void> {
  const [t] = await tx.select({ planId: transfers.dispatchPlanId, at: transfers.updatedAt }).from(transfers).where(eq(transfers.id, transferId));
  if (t?.planId) await refreshPlanCompletion(tx, t.planId, t.at);
}
