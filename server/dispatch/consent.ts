import { and, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { agreements, dispatchLines, items, organizations, stores } from '../../drizzle/schema/index.ts';
import { CITY_PREFIX_LENGTH, isInSubtree } from '../regions/codes.ts';
import { agreementsValidOn, coveringAgreement, lockJointAgreements, usedUnder } from '../authority/joint-reserves.ts';
import { invalidState } from '../errors.ts';
import { quantityText } from '../inventory/common.ts';
import type { Access, Source } from './planner.ts';

// D25 跨区域调用: a plan may use stock of the requester's own jurisdiction; a 联储 partner's within the agreement
// (its items, its maximum quantities, while valid); any other jurisdiction's only once that jurisdiction consents.
// A reserve is the jurisdiction's that holds it: a store's stock its store's region, an agreement or capacity reserve
// (D6, D17) the region of the agreement — the government that contracted it — wherever the company is. Consent is
// asked of that region itself — a county's stock of the county, a township's of the township — so that its own
// dispatchers decide, and those above it whose region covers it (canDecide); nobody outside (sweep 13b F7: every
// consent was lifted to the source's city, and 新乡县's dispatcher could neither see nor decide the use of its stock).

export interface ConsentLine {
  itemId: string;
  /** A store line's source store. */
  storeId: string | null;
  /** An agreement or capacity line's agreement. */
  agreementId: string | null;
  quantity: number;
}

export interface ConsentDecision {
  needsConsent: boolean;
  jointAgreementId: string | null;
  /** The region asked to consent, for lines that need it: the source's own (its store's or agreement's region). */
  consentRegion: string | null;
}

/** A part of a line as decided, with its quantity: the whole line, or what a 联储 agreement covers and the rest. */
export interface ConsentPart extends ConsentDecision {
  quantity: number;
}

/** The city a region code lies in (the city itself for a city, the province for a province). */
const cityOf = (code: string) => `${code.slice(0, CITY_PREFIX_LENGTH)}00000000`;

/**
 * D25: the jurisdiction whose own stock a plan uses freely — its requester's region; a system-wide administrator, who
 * is no jurisdiction, plans for the incident's city (sweep 11c F5: an administrator shipped 运城's and the province's
 * reserves with nobody's consent) — as the city's own dispatcher would, whose region covers its counties' stock.
 * Decided once, when the plan is requested, and kept on it (dispatch_plans.jurisdiction_code): a persisted plan is
 * read by that, never by where its requester is now (sweep 19c F5: a requester moved to 晋城 made 晋城 owe for 新乡's
 * plan on 新乡's stock).
 */
export const planningJurisdiction = (requesterRegion: string | null, incidentRegion: string) => requesterRegion ?? cityOf(incidentRegion);

/**
 * D25 for the lines of a plan being made, each as one or two parts (sweeps 15a F12, 15b F6): a 联储 partner's line that
 * passes what the agreement still covers (its maximum less what settlements and approved plans already use) is split
 * there — the covered part under the agreement, the rest asked of the partner — so that the standing agreement is used
 * as far as it goes and a refusal takes only the rest (the whole line needed consent, and a refusal dropped it all).
 * What remains of an agreement's item is given to the lines in their order (the plan's: 安置点, item, ETA), never more
 * than remains in all.
 */
export async function consentOfLines(db: Db, own: string, today: string, lines: readonly ConsentLine[]): Promise<ConsentPart[][]> {
  return decideLines(db, own, today, lines, { exceptPlanId: null, lock: false, split: true });
}

/**
 * D25 for lines used by the jurisdiction `own` (planningJurisdiction), each as its parts (consentOfLines).
 * `exceptPlanId`: the plan decided again, whose own lines are not yet counted as used; `lock`: hold the covering
 * agreements until the transaction ends, so that two approvals do not both count the same remaining quantity; `split`:
 * a line beyond what its agreement still covers is split there (a plan being made) — else it needs consent whole (a
 * persisted line decided again: assertJointLinesCovered).
 */
async function decideLines(
  db: Db,
  own: string,
  today: string,
  lines: readonly ConsentLine[],
  how: { exceptPlanId: string | null; lock: boolean; split: boolean },
): Promise<ConsentPart[][]> {
  const none: ConsentDecision = { needsConsent: false, jointAgreementId: null, consentRegion: null };
  const storeIds = [...new Set(lines.flatMap((l) => (l.storeId ? [l.storeId] : [])))];
  const agreementIds = [...new Set(lines.flatMap((l) => (l.agreementId ? [l.agreementId] : [])))];
  const [storeRows, agreementRows] = await Promise.all([
    storeIds.length ? db.select({ id: stores.id, regionCode: stores.regionCode }).from(stores).where(inArray(stores.id, storeIds)) : [],
    agreementIds.length ? db.select({ id: agreements.id, regionCode: agreements.regionCode }).from(agreements).where(inArray(agreements.id, agreementIds)) : [],
  ]);
  const regionOf = new Map([...storeRows, ...agreementRows].map((r) => [r.id, r.regionCode]));
  const sourceRegion = (l: ConsentLine) => {
    const region = regionOf.get((l.storeId ?? l.agreementId)!);
    if (!region) throw new Error(`consentOfLines: no region for source ${l.storeId ?? l.agreementId}`);
    return region;
  };
  const joint = await agreementsValidOn(db, today);
  if (how.lock) {
    const covering = lines.flatMap((l) => coveringAgreement(joint, own, sourceRegion(l), l.itemId)?.id ?? []);
    await lockJointAgreements(db, covering);
  }
  const used = await usedUnder(
    db,
    joint.map((a) => a.id),
    how.exceptPlanId,
  );
  return lines.map((l) => {
    const region = sourceRegion(l);
    if (isInSubtree(region, own)) return [{ ...none, quantity: l.quantity }];
    const asked: ConsentPart = { needsConsent: true, jointAgreementId: null, consentRegion: region, quantity: l.quantity };
    const covering = coveringAgreement(joint, own, region, l.itemId);
    if (!covering) return [asked];
    // An agreement with lines covers only its items (coveringAgreement), up to their maximum; one without, every item.
    const max = covering.lines.find((x) => x.itemId === l.itemId)?.maxQuantity ?? Infinity;
    const key = `${covering.id}|${l.itemId}`;
    const left = Math.max(0, max - (used.get(key) ?? 0));
    const covered = l.quantity <= left ? l.quantity : how.split ? left : 0;
    if (!covered) return [asked];
    used.set(key, (used.get(key) ?? 0) + covered);
    const agreed: ConsentPart = { needsConsent: false, jointAgreementId: covering.id, consentRegion: null, quantity: covered };
    return covered < l.quantity ? [agreed, { ...asked, quantity: l.quantity - covered }] : [agreed];
  });
}

/**
 * D25: the jurisdictions that refused their consent to a plan of an incident, with the items refused — a region asked
 * for consent (its own or, for a request naming two of its counties, their common region). Sweep 17b F12 left such a
 * source out of every later plan of the incident; sweep 20a F7: consent is given per plan (D25), so a later plan asks
 * again — its stock may have changed, or its own need — after every source the region may use by itself (sweep 24a
 * F2: accessOfSources marks its stock REFUSED_BEFORE, the planner's REFUSED_BEFORE_PENALTY; it had ranked as any
 * other on request, the city that refused above a 联储 partner's stock), and its line says the jurisdiction refused
 * before (refusedBeforeWords). Both by refusedBefore.
 * A request closed with its plan (rejected or cancelled: withdrawPlanApprovals) was withdrawn, not refused.
 */
export async function refusedInIncident(db: Db, incidentId: string): Promise<{ regionCode: string; itemId: string }[]> {
  return queryRows<{ regionCode: string; itemId: string }>(
    db,
    sql`SELECT DISTINCT a.region_code AS "regionCode", l.item_id::text AS "itemId"
          FROM approvals a JOIN dispatch_plans p ON p.id = a.subject_id
          JOIN dispatch_lines l ON l.plan_id = p.id AND a.payload->'lineNos' @> to_jsonb(l.line_no)
         WHERE a.kind = 'CROSS_REGION_USE' AND a.status = 'REJECTED' AND a.payload->>'withdrawn' IS NULL
           AND p.incident_id = ${incidentId}::uuid`,
  );
}

/** D25 (sweep 20a F7): what a line asking again of a jurisdiction that refused the item in the incident adds to its reason. */
export const refusedBeforeWords = '；该辖区曾在本事件中拒绝调用此物资，本方案再次征求同意';

/**
 * Whether a line asking consent of `consentRegion` for the item asks a jurisdiction that refused it in the incident —
 * the one rule for both the planner's order (accessOfSources) and the line's words (plans.ts toView) —
 * that very jurisdiction (sweep 24a F5): a consent is asked of the source's own region (decideLines), so a refusal names
 * the region that refused; the city refusing its own store's tents said nothing of 辉县, a county inside it, which
 * had consented — matched by subtree, 辉县's line was marked refused before.
 */
export const refusedBefore = (refused: readonly { regionCode: string; itemId: string }[], consentRegion: string | null, itemId: string): boolean =>
  consentRegion !== null && refused.some((r) => r.itemId === itemId && r.regionCode === consentRegion);

/**
 * D25 before planning: how a principal of region `own` may use each source — undefined (their own), JOINT (a 联储
 * partner's that an agreement covers, its maximum not yet used up), ON_REQUEST (only with the source jurisdiction's
 * consent, asked per plan) or REFUSED_BEFORE (the same, of a jurisdiction that refused the item to an earlier plan of
 * the incident: `refused`, refusedInIncident) — so that the planner ranks stock needing consent after what the region
 * may use by itself at its level, a refusing jurisdiction's after all of it (README "Consent is asked per plan", sweep
 * 24a F2), and names 联储 only where it applies. The lines of the plan are decided again afterwards by consentOfLines,
 * with their quantities.
 */
export async function accessOfSources(
  db: Db,
  own: string,
  today: string,
  sources: readonly Source[],
  refused: readonly { regionCode: string; itemId: string }[],
): Promise<(Access | undefined)[]> {
  const agreementIds = [...new Set(sources.flatMap((s) => (s.kind === 'STORE' ? [] : [s.agreementId])))];
  const [agreementRows, joint] = await Promise.all([
    agreementIds.length ? db.select({ id: agreements.id, regionCode: agreements.regionCode }).from(agreements).where(inArray(agreements.id, agreementIds)) : [],
    agreementsValidOn(db, today),
  ]);
  const agreementRegion = new Map(agreementRows.map((r) => [r.id, r.regionCode]));
  const used = await usedUnder(
    db,
    joint.map((a) => a.id),
  );
  const decided = new Map<string, Access | undefined>();
  const decide = (region: string, itemId: string): Access | undefined => {
    if (isInSubtree(region, own)) return undefined;
    const covering = coveringAgreement(joint, own, region, itemId);
    const max = covering?.lines.find((x) => x.itemId === itemId)?.maxQuantity;
    if (covering && (max === undefined || (used.get(`${covering.id}|${itemId}`) ?? 0) < max)) return 'JOINT';
    // Asked of the source's own region (decideLines): whether that region refused the item is what the line will say.
    return refusedBefore(refused, region, itemId) ? 'REFUSED_BEFORE' : 'ON_REQUEST';
  };
  return sources.map((s) => {
    const region = s.kind === 'STORE' ? s.regionCode : agreementRegion.get(s.agreementId);
    if (!region) throw new Error(`accessOfSources: no region for source ${s.kind === 'STORE' ? s.storeId : s.agreementId}`);
    const key = `${region}|${s.itemId}`;
    if (!decided.has(key)) decided.set(key, decide(region, s.itemId));
    return decided.get(key);
  });
}

export interface JointPlanLine extends ConsentLine {
  lineNo: number;
  needsConsent: boolean;
  jointAgreementId: string | null;
}

/**
 * D25: a plan's lines that use another jurisdiction's stock under a 联储 agreement are decided again when the plan is
 * approved and when it is executed — decided at request time only, plans requested before the first one executes
 * would all pass the agreement's maximum quantity, and an agreement that expired meanwhile would still ship. Decided
 * for the plan's jurisdiction as fixed at its request (planningJurisdiction, sweep 19c F5), counting what settlements
 * and other approved plans already use; a line that now needs consent is refused (INVALID_STATE, naming it): the plan
 * is cancelled and requested again, which asks for consent. A line now covered by another agreement (one renewed from
 * the day after the old one ended) is recorded under it.
 * `lock` (at approval, where the use grows): the covering agreements are held until the transaction ends.
 */
export async function assertJointLinesCovered(
  tx: Db,
  plan: { id: string; jurisdictionCode: string; lines: readonly JointPlanLine[] },
  today: string,
  step: { verb: '批准' | '执行'; lock: boolean },
): Promise<Map<number, string>> {
  const joint = plan.lines.filter((l) => !l.needsConsent && l.jointAgreementId);
  if (!joint.length) return new Map();
  const own = plan.jurisdictionCode;
  // Each persisted line whole: a covered part made at request (consentOfLines) is exactly what the agreement covered
  // then, and passes unless the agreement was used or ended meanwhile; its part beyond asks consent on its own line.
  const decisions = (await decideLines(tx, own, today, joint, { exceptPlanId: plan.id, lock: step.lock, split: false })).map((parts) => parts[0]);
  const refused = joint.filter((_, i) => decisions[i].needsConsent);
  if (refused.length) {
    const l = refused[0];
    const valid = (await agreementsValidOn(tx, today)).some((a) => a.id === l.jointAgreementId);
    const why = valid ? '该物资的最大数量已被已批准或已执行的方案用完' : '已不在有效期内';
    throw invalidState(
      `方案第 ${refused.map((x) => x.lineNo).join('、')} 行（${await lineName(tx, l)}）所依据的联储协议${why}：须经对方辖区同意（跨区域调用）才能使用，不能${step.verb}。请取消本方案并重新编制，以征得对方同意`,
      { field: 'planId', lineNos: refused.map((x) => x.lineNo), jointAgreementId: l.jointAgreementId },
    );
  }
  const now = new Map<number, string>();
  for (const [i, l] of joint.entries()) {
    const id = decisions[i].jointAgreementId!;
    now.set(l.lineNo, id);
    if (id !== l.jointAgreementId) {
      await tx
        .update(dispatchLines)
        .set({ jointAgreementId: id })
        .where(and(eq(dispatchLines.planId, plan.id), eq(dispatchLines.lineNo, l.lineNo)));
    }
  }
  return now;
}

/** A plan line as a keeper names it: its source (store or company), item and quantity in the item's unit. */
export async function lineName(db: Db, l: ConsentLine): Promise<string> {
  const [source] = l.storeId
    ? await db.select({ name: stores.name }).from(stores).where(eq(stores.id, l.storeId))
    : await db
        .select({ name: organizations.name })
        .from(agreements)
        .innerJoin(organizations, eq(organizations.id, agreements.companyOrgId))
        .where(eq(agreements.id, l.agreementId!));
  const [item] = await db.select({ name: items.name, unit: items.unit }).from(items).where(eq(items.id, l.itemId));
  return `${source?.name ?? ''} ${item?.name ?? ''} ${quantityText(l.quantity)} ${item?.unit ?? ''}`;
}
