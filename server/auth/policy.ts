import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import { DomainError, forbidden } from '../errors.ts';
import { CITY_PREFIX_LENGTH, isInSubtree, PREFIX_LENGTHS, subtreePrefix } from '../regions/codes.ts';
import type { Principal, Role } from './principal.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';

// DESIGN "Auth — one mechanism": every scope decision is made here. For each kind of scoped record, one function
// gives the SQL condition for lists and one answers "may this principal see this record". Services, loaders and
// the schema's type-level checks call these; no other module writes scope conditions.
//
// Scope: an administrator without a region sees everything; dispatchers, auditors and regional administrators see
// their region's subtree (and, as reference data, the incidents whose region contains theirs: readsIncidentFromWithin);
// keepers see their stores. Stores themselves are reference data (name, place, kind) that
// any signed-in user may see where a record names them; what a store holds is scoped.

export interface ScopedStore {
  id: string;
  regionCode: string;
  /** A 安置点: the incident it serves (D29). */
  incidentId?: string | null;
}

const unscoped = (p: Principal) => p.role !== 'KEEPER' && p.regionCode === null;

// ---- region-wide reads

/** May the principal read a region (its subtree) as a whole? Keepers read no region as a whole. */
export function canAccessRegion(p: Principal, regionCode: string): boolean {
  if (p.role === 'KEEPER') return false;
  return p.regionCode === null || isInSubtree(regionCode, p.regionCode);
}

export function assertRegionAccess(p: Principal, regionCode: string, what = `区划 ${regionCode}`, field?: string): void {
  if (!canAccessRegion(p, regionCode)) throw forbidden(what, field);
}

/** SQL: `regionCode` lies in the principal's region scope (records scoped by region: incidents, agreements, audit). */
export function regionsInScope(p: Principal, regionCode: SQLWrapper): SQL {
  if (p.role === 'KEEPER') return sql`FALSE`;
  if (p.regionCode === null) return sql`TRUE`;
  return sql`${regionCode} LIKE ${`${subtreePrefix(p.regionCode)}%`}`;
}

/** Operations that act on every region's books at once (D22: a month close fixes every region's valuation). */
const SYSTEM_WIDE_OPERATIONS = ['closePeriod'];

/** SQL: some region of the array `regionCodes` lies in the principal's region scope (audit rows: D22, sweep 19c F3). */
function anyRegionInScope(p: Principal, regionCodes: SQLWrapper): SQL {
  if (p.role === 'KEEPER') return sql`FALSE`;
  if (p.regionCode === null) return sql`TRUE`;
  return sql`EXISTS (SELECT 1 FROM unnest(${regionCodes}) AS r(code) WHERE r.code LIKE ${`${subtreePrefix(p.regionCode)}%`})`;
}

/**
 * SQL: audit rows the principal may read (D22) — auditors and administrators, where the actor's region or a region
 * of what the mutation acted on lies in their scope (a system-wide administrator's change to a county's store is that
 * county's auditors' to read; a store moved out of a township is the township's too: `subjectRegions` are the
 * subject's region after and before the change; `otherSubjectRegions`, an array, the other regions it touches — a
 * keeper's stores, a settlement's owing region, the regions whose stock a plan takes, a 联储 agreement's regions), and
 * the system-wide administrator's operations on every region's books (月结), which every region's auditors read; an
 * unscoped administrator reads all.
 */
export function auditEntriesInScope(
  p: Principal,
  actorRegion: SQLWrapper,
  subjectRegions: readonly SQLWrapper[],
  otherSubjectRegions: SQLWrapper,
  operation: SQLWrapper,
): SQL {
  if (p.role !== 'ADMIN' && p.role !== 'AUDITOR') return sql`FALSE`;
  if (p.regionCode === null) return sql`TRUE`;
  const systemWide = sql`(${actorRegion} IS NULL AND ${operation} IN (${sql.join(
    SYSTEM_WIDE_OPERATIONS.map((o) => sql`${o}`),
    sql`, `,
  )}))`;
  const regions = [actorRegion, ...subjectRegions].map((code) => regionsInScope(p, code));
  return sql`(${sql.join([...regions, anyRegionInScope(p, otherSubjectRegions), systemWide], sql` OR `)})`;
}

// ---- stores and what they hold

/**
 * Auditors read; they write nothing anywhere (posts, orders, transfers, distributions). The refusal says what was
 * refused (README: a refusal names the kind of record), not "审计员只读超出您的权限范围".
 */
export function assertMayPost(p: Principal, what = '登记或修改单据'): void {
  if (!mayPost(p)) throw new DomainError('FORBIDDEN', `无权访问：审计员只读，不能${what}`);
}

/** Auditors read value and journal and write nothing; every other role posts (where its scope reaches). */
export const mayPost = (p: Principal): boolean => p.role !== 'AUDITOR';

/** May the principal see what this store holds (stock, documents, movements) and act there? */
export function canAccessStore(p: Principal, store: ScopedStore): boolean {
  if (p.role === 'KEEPER') return p.storeIds.includes(store.id);
  return p.regionCode === null || isInSubtree(store.regionCode, p.regionCode);
}

export function assertStoreAccess(p: Principal, store: ScopedStore, field?: string): void {
  if (!canAccessStore(p, store)) throw forbidden('该仓库', field);
}

/** SQL: the store (its id and region code columns) is in the principal's scope. */
export function storesInScope(p: Principal, storeId: SQLWrapper, regionCode: SQLWrapper): SQL {
  if (p.role === 'KEEPER') {
    return p.storeIds.length ? sql`${storeId} IN (${uuidList(p.storeIds)})` : sql`FALSE`;
  }
  return regionsInScope(p, regionCode);
}

/**
 * SQL: the stores a transfer from `source` may go to, listed as reference data (name, place, contacts) to whoever may
 * act at the source: every store of the principal's scope, and — D13 统一调拨 within a city — the stores of the source's
 * city (of its own region, above city level) that take government stock: government and entrusted stores, and the
 * 安置点 relief goes to (an agreement holder's store keeps the company's own). Never the source itself. What those
 * stores hold stays scoped (canAccessStore).
 */
export function transferDestinations(p: Principal, source: ScopedStore, store: { id: SQLWrapper; regionCode: SQLWrapper; kind: SQLWrapper }): SQL {
  const area = subtreePrefix(source.regionCode).slice(0, CITY_PREFIX_LENGTH);
  return sql`(${store.id} <> ${source.id}::uuid AND (${storesInScope(p, store.id, store.regionCode)}
              OR (${store.regionCode} LIKE ${`${area}%`} AND ${store.kind} IN ('GOVERNMENT', 'ENTRUSTED', 'DISTRIBUTION_POINT'))))`;
}

// ---- a store's record (D2, D29): who edits it

/**
 * D29: what the command that runs a 安置点 corrects of it — what it is called, its address and whom to call there —
 * the fields updateStore takes, with their names as the console shows them. Its kind, region (and so its level), code
 * and place stay as the incident opened it: those are the administrators'.
 */
export const POINT_FIELDS_DISPATCHERS_EDIT: Readonly<Record<string, string>> = {
  name: '名称',
  address: '地址',
  contactName: '联系人',
  contactPhone: '联系电话',
};

/**
 * May the principal edit any store's record at all? Asked before the store is looked up or the input read, so that an
 * auditor or a keeper is refused for what they are (as the schema's administrators-only scope refused them before
 * sweep 23b), whatever the id or input. Administrators and dispatchers go on to assertMayEditStore.
 */
export function assertMayEditStores(p: Principal): void {
  assertMayPost(p, '修改仓库或安置点的信息');
  if (p.role === 'KEEPER') {
    throw new DomainError('FORBIDDEN', '无权修改：仓库和安置点的名称、地址、联系人由调度员或系统管理员修改，仓库保管员不能修改，请联系他们', { field: 'id' });
  }
}

/**
 * May the principal edit this store's record (updateStore), changing `changing` (the input's fields that change
 * something: a value sent back as it is is no change)? Administrators: any store in their scope, every field.
 * Dispatchers (sweep 23b, D29): a 安置点 whose region their command region covers (canDecide) — they open 安置点 for
 * an incident and are the ones who learn that an address or contact is wrong — its POINT_FIELDS_DISPATCHERS_EDIT only.
 * Keepers and auditors edit no store's record, not even of a store they keep. FORBIDDEN, saying who may.
 */
export function assertMayEditStore(p: Principal, store: ScopedStore & { kind: string }, changing: readonly string[]): void {
  if (p.role === 'ADMIN') return assertStoreAccess(p, store, 'id');
  assertMayEditStores(p);
  if (store.kind !== 'DISTRIBUTION_POINT') {
    throw new DomainError('FORBIDDEN', '无权修改：仓库的信息由系统管理员维护；调度员只能修改本辖区安置点的名称、地址和联系人', { field: 'id' });
  }
  if (!canDecide(p, store)) {
    throw new DomainError('FORBIDDEN', '无权修改：该安置点不在您的辖区内，须由其所在辖区的调度员或系统管理员修改', { field: 'id' });
  }
  const other = changing.find((f) => !(f in POINT_FIELDS_DISPATCHERS_EDIT));
  if (other) {
    throw new DomainError(
      'FORBIDDEN',
      `无权修改：调度员只能修改安置点的${Object.values(POINT_FIELDS_DISPATCHERS_EDIT).join('、')}；其类型、所属区划、代码、位置等由系统管理员修改`,
      { field: `input.${other}` },
    );
  }
}

// ---- the travel-time table (DESIGN: a store → region entry overrides the planner's estimate)

/**
 * A travel time steers the plans made for the region it leads to, from the store it leaves: an administrator sets one
 * only where both the store and the region lie in their scope (H1, sweep 3: a county's administrator had rewritten
 * another province's entries and so the sources and ETAs of its plans). An administrator without a region sets any.
 */
export function assertMaySetTravelTime(p: Principal, store: ScopedStore, region: { code: string; name: string }): void {
  if (p.role !== 'ADMIN') throw forbidden('路程时间表');
  assertStoreAccess(p, store);
  assertRegionAccess(p, region.code, `区划「${region.name}」`, 'regionCode');
}

// ---- users: whose staff the principal administers or assigns (D24, D25)

/**
 * Does the principal's scope cover the user's whole scope — every store a keeper holds, or another role's region? A
 * regional administrator manages only such users (updateUser), and a dispatcher makes only such keepers managers of a
 * 安置点 (D25: another jurisdiction's staff get no store of ours without its consent; were they given one, their own
 * administrator would no longer cover them). An administrator without a region covers everyone; keepers cover no one.
 */
export function coversUser(p: Principal, user: { role: Role; regionCode: string | null }, keeperStores: readonly ScopedStore[]): boolean {
  if (p.role === 'KEEPER') return false;
  if (p.regionCode === null) return true;
  if (user.role === 'KEEPER') return keeperStores.every((s) => isInSubtree(s.regionCode, p.regionCode!));
  return user.regionCode !== null && isInSubtree(user.regionCode, p.regionCode);
}

/**
 * D22 (sweep 24b F2): may the reader of an audit entry be told whose account it names (a user change's account, a
 * creation's new account, an 安置点's managers) — username and 姓名 at the time? Auditors and administrators: the
 * readers of the log, for an entry their scope already admits (mayRead.auditEntry: the account's region, where it was
 * or is, is the entry's). Anyone else: no name (the id stays). The users list stays the administrators'.
 */
export const mayNameAuditedUser = (p: Principal): boolean => p.role === 'AUDITOR' || p.role === 'ADMIN';

// ---- the national catalog (D4, D5)

/**
 * The catalog (items and their categories, units, storage lives) is one list for every region: an edit changes what
 * every region's stock means. Only an administrator without a region scope maintains it.
 */
export const mayEditCatalog = (p: Principal): boolean => p.role === 'ADMIN' && p.regionCode === null;

export function assertMayEditCatalog(p: Principal): void {
  if (!mayEditCatalog(p)) throw forbidden('全国物资目录（须由不限区划的系统管理员维护）');
}

// ---- authority (D24): who may decide

/** Dispatchers and administrators decide approvals; keepers and auditors decide none (D24). */
export const decidesAnything = (p: Principal): boolean => p.role === 'ADMIN' || p.role === 'DISPATCHER';

/**
 * May the principal decide (approve, reject, consent) for this store or region? Dispatchers and administrators whose
 * region covers it; keepers and auditors never. That they did not request it is checked where the request is known.
 */
export function canDecide(p: Principal, target: { regionCode: string }): boolean {
  if (!decidesAnything(p)) return false;
  return p.regionCode === null || isInSubtree(target.regionCode, p.regionCode);
}

/**
 * D14, D17: who carries a dispatch plan out — executes it, confirms its call-offs (调用单) delivered or cancels them:
 * headquarters, dispatchers and administrators (the plan itself in their region: getPlanInScope); keepers receive the
 * shipments, auditors write nothing.
 */
export const mayCarryOutPlans = (p: Principal): boolean => p.role === 'ADMIN' || p.role === 'DISPATCHER';

export function assertMayCarryOutPlans(p: Principal): void {
  if (!mayCarryOutPlans(p)) throw forbidden('调度');
}

/**
 * D14, D17, D24 (sweep 20c F1): who confirms a call-off's delivery (调用单到货) — books what the company delivered as
 * stock at the plan's 安置点: those who carry the plan out (mayCarryOutPlans; the plan in their region: getPlanInScope),
 * and the keeper of that 安置点 (`destinationStoreId`), who stands there when the lorry arrives and receives the plan's
 * shipments there (README: "the 安置点's keeper or another dispatcher does"). A keeper confirms deliveries to their own
 * 安置点 only, and cancels no call-off (cancelCallOff: mayCarryOutPlans). 'KEEPER': the keeper's authority is the
 * destination, not the plan (which keepers do not read). Who approved the plan alone in an emergency still does not
 * confirm (execution.ts assertNotSoleEmergencyApprover): the segregation is the same for everyone.
 */
export function assertMayConfirmCallOffDelivery(p: Principal, destinationStoreId: string | null): 'HEADQUARTERS' | 'KEEPER' {
  if (mayCarryOutPlans(p)) return 'HEADQUARTERS';
  if (p.role === 'KEEPER' && destinationStoreId !== null && p.storeIds.includes(destinationStoreId)) return 'KEEPER';
  throw forbidden(p.role === 'KEEPER' ? '该调用单（仓库保管员只能确认送达本人管理的安置点的协议企业到货）' : '调度');
}

/**
 * D23, D24, D27: who cancels (撤销) a transfer nothing of which was received, its stock back on the source's book. A
 * transfer against an outbound order: the shipping side, whoever may act at the source store (the goods go back to the
 * order, D23). A dispatch plan's shipment was approved and executed by the command (指挥部): no one person undoes it
 * alone, so only a dispatcher or administrator whose region covers the source store (canDecide) cancels it — never its
 * keeper, who is told who does — and where the 调拨令's number is: its shipment's note (备注) names it, nothing the
 * keeper cannot already read on the transfer. Auditors are refused before (assertMayPost).
 */
export function assertMayCancelTransfer(p: Principal, transfer: { number: string; dispatchPlanId: string | null }, source: ScopedStore): void {
  assertStoreAccess(p, source);
  if (transfer.dispatchPlanId && !canDecide(p, source)) {
    throw new DomainError(
      'FORBIDDEN',
      `调拨单 ${transfer.number} 属于指挥部的调拨方案（调拨令号见单据备注），须由指挥部调度员（辖区包含调出仓库的调度员或管理员）撤销，仓库保管员不能撤销`,
      { field: 'transferId' },
    );
  }
}

/** SQL: approvals the principal may read — those they may decide, requested, or (keepers) about their stores; auditors read their region's. */
export function approvalsInScope(p: Principal, a: { regionCode: SQLWrapper; storeId: SQLWrapper; requestedBy: SQLWrapper }): SQL {
  if (p.role === 'KEEPER') return sql`(${a.requestedBy} = ${p.id}::uuid OR ${storesInScope(p, a.storeId, a.regionCode)})`;
  return sql`(${a.requestedBy} = ${p.id}::uuid OR ${regionsInScope(p, a.regionCode)})`;
}

// ---- single records reached anywhere (root fields and relations)

/** What a record decision may need to look up; the request's loaders provide it. */
export interface PolicyLookups {
  store(id: string): Promise<ScopedStore | null>;
  /** The stores that hold or held a batch: every store with a balance row for it (in transit included). */
  storesOfBatch(batchId: string): Promise<readonly ScopedStore[]>;
  incidentRegion(incidentId: string): Promise<string | null>;
}

const storeVisible = async (p: Principal, look: PolicyLookups, id: string | null | undefined) => {
  if (!id) return false;
  const store = await look.store(id);
  return store !== null && canAccessStore(p, store);
};

// ---- personal data (D29)

// D29 (sweep 12b F1): who sees the households served at a 安置点 — names, masked ID numbers, addresses — is who may hand
// out there (distributeRelief): one who may act at the point (canAccessStore: its managers; headquarters whose region
// covers it) and work for the incident it serves (worksForIncident: a township's dispatcher covers the township's point
// and reads the county's incident as reference data — sweep 21b F5 — but does not work for it, and is refused
// distributing at the point for it and its households there). Never auditors. What left
// the point's books — the issue (recipient 受灾群众), the quantities in a batch's trace — is the store's ledger, read by
// whoever may read the store; the household is not on it. mayRead.distribution (a record) and distributionsInScope (a
// list) are this rule.

/** SQL: distributions (their point's id and region code columns, and their incident's id column) the principal may see. */
export function distributionsInScope(p: Principal, d: { storeId: SQLWrapper; regionCode: SQLWrapper; incidentId: SQLWrapper }): SQL {
  if (p.role === 'AUDITOR') return sql`FALSE`;
  if (unscoped(p)) return sql`TRUE`;
  return sql`(${storesInScope(p, d.storeId, d.regionCode)} AND EXISTS (SELECT 1 FROM incidents di WHERE di.id = ${d.incidentId}
              AND ${incidentsWorkedFor(p, { id: sql`di.id`, regionCode: sql`di.region_code` })}))`;
}

/** May the principal see the households served at this point for this incident (a distribution's, or a point's own)? */
export async function maySeeHouseholds(p: Principal, at: { storeId: string; incidentId: string }, look: PolicyLookups): Promise<boolean> {
  if (p.role === 'AUDITOR') return false;
  if (unscoped(p)) return true;
  if (!(await storeVisible(p, look, at.storeId))) return false;
  const regionCode = await look.incidentRegion(at.incidentId);
  return regionCode !== null && worksForIncident(p, { id: at.incidentId, regionCode }, look);
}

/** The distributions of a 安置点 for one who may not see its households (maySeeHouseholds): FORBIDDEN, naming the field. */
export async function assertMaySeeHouseholds(p: Principal, at: { storeId: string; incidentId: string }, look: PolicyLookups, field?: string) {
  if (!(await maySeeHouseholds(p, at, look))) throw forbidden('该安置点的群众发放记录（含个人信息）', field);
}

/**
 * D29 (sweep 12b F4): may the caller read every record the incident holds of a household — maySeeHouseholds at each
 * point where it was served? A point's manager who may not is still to serve the family (relief reaches people wherever
 * they have moved to, within the incident-wide allowance), but is not told those records: the refusals that would read
 * them (the head's name as registered, the size, what was received there) say only that the household is registered
 * elsewhere in the incident and does not match or is over its standard (relief/distributions.ts).
 */
export async function maySeeHouseholdRecords(p: Principal, at: { incidentId: string; storeIds: readonly string[] }, look: PolicyLookups): Promise<boolean> {
  for (const storeId of new Set(at.storeIds)) if (!(await maySeeHouseholds(p, { storeId, incidentId: at.incidentId }, look))) return false;
  return true;
}

// ---- D20, D25: another region's reserve named by a plan

/**
 * What a plan's reader sees of an agreement or capacity reserve that a line or call-off of the plan uses, whichever
 * region holds it: who holds it — the company and the agreement's region — so that a dispatcher knows whose reserve the
 * plan calls off, whose consent it waits for and to whom a settlement is owed. The agreement itself (prices, quantities,
 * fee, contract, checks) stays with those who may read it (mayRead.agreement): D20 shows partners no prices.
 */
export const reserveHolderOf = (a: { companyOrgId: string; regionCode: string }) => ({ companyOrgId: a.companyOrgId, regionCode: a.regionCode });

/**
 * D20, D25 (sweep 12b F3): does a dispatch plan line show the reader its batch (DispatchPlanLine.batch and batchNo, and
 * the printed 调拨令)? Where its source store's stock is the reader's to see (mayRead.stockLine) — decided by the
 * line's store, as the field's contract says, not by the batch: a batch once shipped into the reader's scope is
 * readable (mayRead.batch), but the line of a 联储 partner's or another jurisdiction's store shows its store and quantity,
 * never which batch (and how much of it) that store holds — consent pending or given.
 */
export async function mayShowPlanLineBatch(p: Principal, line: { storeId: string | null; batchId: string | null }, look: PolicyLookups): Promise<boolean> {
  return line.storeId !== null && line.batchId !== null && (await mayRead.stockLine(p, { storeId: line.storeId }, look));
}

/**
 * D20 (finding H2; sweep 12b F7): may the reader see what a dispatch plan line costs? A store line where its batch is
 * shown (mayShowPlanLineBatch: DispatchPlanLine.batch and batchNo), an agreement or capacity line where its agreement
 * may be read (mayRead.agreement, as DispatchSource.agreement; `agreement` null: none priced for its item). A 联储
 * partner's or another jurisdiction's stock is quantity per store and item: no price. The printed 调拨令 prices its
 * lines, and the plan's approvals are valued (Approval.value), by this — each total over the lines priced only: a total
 * over every line would give the hidden ones away by subtraction.
 */
export async function mayPricePlanLine(
  p: Principal,
  line: { storeId: string | null; batchId: string | null },
  agreement: { regionCode: string } | null,
  look: PolicyLookups,
): Promise<boolean> {
  if (line.batchId) return mayShowPlanLineBatch(p, line, look);
  return agreement === null || mayRead.agreement(p, agreement);
}

/**
 * A record another one names, as this reader sees it: the record where they may read it (mayRead[kind]), else null —
 * as documented, not an authorisation error inside a record or list the reader may read. The relations that name a
 * record of another scope ask this:
 * - `batch`: a batch a record names (a plan line's is decided by its store instead: mayShowPlanLineBatch);
 * - D27 `approval`: the approval a document shows (StockDocument.approval): a store's 单据 lists documents of another
 *   store that name it the other side, and that store's approval is its own region's business (console sweep 2, M1)
 *   — but the receiving store's (a 安置点's) write-off of what this store shipped short is this store's to decide (D3,
 *   D24, D27, sweep 17b F1: its approval is the sending store's and region's), so the sending side reads it and the
 *   receiving side only as its requester;
 * - D25 `plan`: the plan a settlement or a consent request names (Settlement.plan, Approval.plan): the side owed, or the
 *   region asked to consent, may not read another region's plan (sweep 6b M1); its id stays readable as
 *   Settlement.planId and Approval.subjectId;
 * - D3, D25 `document`: the issue a settlement names (Settlement.issueDocument, sweep 17b F10): the owner's goods
 *   issued in another jurisdiction's store — the side owed of another region may not read that store's documents (its
 *   other lines, other owners' batches); the number stays readable to whoever reads the settlement
 *   (Settlement.issueDocumentNumber), as a plan's id does.
 */
export async function readableOrNull<K extends ScopedKind, R extends Parameters<(typeof mayRead)[K]>[1]>(
  kind: K,
  p: Principal,
  record: R | null,
  look: PolicyLookups,
): Promise<R | null> {
  if (!record) return null;
  const may = mayRead[kind] as (p: Principal, record: R, look: PolicyLookups) => boolean | Promise<boolean>;
  return (await may(p, record, look)) ? record : null;
}

// ---- incidents (D15, D23, D29): acted on by their region's command; reference data to keepers and to those within

/** SQL: the prefix every code in a region code column's subtree starts with (subtreePrefix, in SQL). */
const subtreePrefixSql = (code: SQLWrapper) =>
  sql`(CASE WHEN substr(${code}, 3) ~ '^0*$' THEN left(${code}, 2) WHEN substr(${code}, 5) ~ '^0*$' THEN left(${code}, 4)
            WHEN substr(${code}, 7) ~ '^0*$' THEN left(${code}, 6) WHEN substr(${code}, 10) ~ '^0*$' THEN left(${code}, 9) ELSE ${code} END)`;

/**
 * D23, D29: a keeper reads an incident — name, type, times, region, place: reference data — when one of their stores
 * serves it (a 安置点 of the incident), or the incident's region contains or lies within one of their stores' regions
 * (relief in their county). What was requested, planned, shipped, received and handed out for it stays with those whose
 * region covers it (assertIncidentFigures).
 */
const keeperSeesIncident = (stores: readonly (ScopedStore | null)[], i: { id: string; regionCode: string }) =>
  stores.some((s) => s !== null && (s.incidentId === i.id || isInSubtree(s.regionCode, i.regionCode) || isInSubtree(i.regionCode, s.regionCode)));

/**
 * D15, D23 (sweep 21b F5): one whose region lies inside an incident's — a township's dispatcher, auditor or regional
 * administrator under the county's flood — reads the incident as reference data (name, type, times, region, place,
 * affected people, response level), as the township's keepers do (keeperSeesIncident): the township's command saw less
 * of a flood covering its township than its own storekeeper. No more: its plans, figures and every step on it (plans,
 * 安置点, distributions, what is booked against it, recovery, closing) stay with its region's command (canAccessRegion).
 */
export const readsIncidentFromWithin = (p: Principal, i: { regionCode: string }): boolean =>
  p.role !== 'KEEPER' && p.regionCode !== null && !canAccessRegion(p, i.regionCode) && isInSubtree(p.regionCode, i.regionCode);

/**
 * Does the principal read the incident as reference data only (a keeper; one within its region: readsIncidentFromWithin)
 * — no figures, no plans, no step on it? Incident.referenceOnly, by which the console offers no action.
 */
export const readsIncidentAsReference = (p: Principal, i: { regionCode: string }): boolean => !canAccessRegion(p, i.regionCode);

/** A 12-digit region code and the codes of the regions above it (统计用区划代码: 2/4/6/9/12 digits), for SQL equality. */
const regionAndAbove = (code12: string): string[] => [...new Set(PREFIX_LENGTHS.map((n) => code12.slice(0, n).padEnd(12, '0')))];

/**
 * D23, D29: does the principal work for the incident — book a receipt, an issue or an outbound order against it, hand
 * out for it at a 安置点 they may act at and see the households served there (maySeeHouseholds)? Its region's command,
 * and the keepers who read it (keeperSeesIncident). One who reads it from within (readsIncidentFromWithin) does not.
 */
export async function worksForIncident(p: Principal, i: { id: string; regionCode: string }, look: PolicyLookups): Promise<boolean> {
  return canAccessRegion(p, i.regionCode) || (p.role === 'KEEPER' && keeperSeesIncident(await Promise.all(p.storeIds.map((id) => look.store(id))), i));
}

/** SQL: incidents (id and region code columns) the principal works for — worksForIncident, row by row. */
function incidentsWorkedFor(p: Principal, i: { id: SQLWrapper; regionCode: SQLWrapper }): SQL {
  if (p.role !== 'KEEPER') return regionsInScope(p, i.regionCode);
  if (!p.storeIds.length) return sql`FALSE`;
  const mine = uuidList(p.storeIds);
  return sql`EXISTS (SELECT 1 FROM stores ks WHERE ks.id IN (${mine}) AND (ks.incident_id = ${i.id}
              OR ks.region_code LIKE ${subtreePrefixSql(i.regionCode)} || '%' OR ${i.regionCode} LIKE ${subtreePrefixSql(sql`ks.region_code`)} || '%'))`;
}

/**
 * SQL: incidents (id and region code columns) the principal may read — mayRead.incident, row by row: those they work
 * for (incidentsWorkedFor) and, sweep 21b F5, those whose region contains theirs (readsIncidentFromWithin).
 */
export function incidentsInScope(p: Principal, i: { id: SQLWrapper; regionCode: SQLWrapper }): SQL {
  if (p.role === 'KEEPER' || p.regionCode === null) return incidentsWorkedFor(p, i);
  const above = regionAndAbove(p.regionCode).map((c) => sql`${c}`);
  return sql`(${incidentsWorkedFor(p, i)} OR ${i.regionCode} IN (${sql.join(above, sql`, `)}))`;
}

/** The refusal to one who reads an incident as reference data of what is its command's (a figure, a step on it). */
function incidentReferenceOnly(p: Principal, i: { name: string }, what: string, field?: string): DomainError {
  const whose = p.role === 'KEEPER' ? '仓库保管员' : '您所在区划在事件范围内，';
  return new DomainError('FORBIDDEN', `无权访问：${what}由事件「${i.name}」所在区划的调度员办理和掌握；${whose}只能查看事件的基本信息`, field ? { field } : {});
}

/**
 * An incident's figures (balance, basic needs, households, suggested demand): those whose region covers it — keepers
 * none, nor those who read it from within (sweep 21b F5), each told why.
 */
export function assertIncidentFigures(p: Principal, i: { name: string; regionCode: string }): void {
  if (canAccessRegion(p, i.regionCode)) return;
  if (p.role === 'KEEPER') throw forbidden('该事件的调运与发放情况（仓库保管员只能查看事件的基本信息）');
  if (readsIncidentFromWithin(p, i)) throw incidentReferenceOnly(p, i, '该事件的调运与发放情况');
  throw forbidden('该事件的调运与发放情况');
}

/**
 * A step on the incident or a record of it (a plan, a 安置点, recovery, closing, its exports): its region's command's
 * (canAccessRegion). One who reads it from within is told whose it is (sweep 21b F5); anyone else gets the usual
 * refusal, which says nothing of it.
 */
export function assertActsOnIncident(p: Principal, i: { name: string; regionCode: string }, what = '该事件', field?: string): void {
  if (canAccessRegion(p, i.regionCode)) return;
  if (readsIncidentFromWithin(p, i)) throw incidentReferenceOnly(p, i, what === '该事件' ? '该事件的调度、安置点、发放和回收' : what, field);
  throw forbidden(what, field);
}

// ---- settlements (D24, D25): who confirms a debt repaid

/**
 * Why the principal may not confirm a settlement settled, or null if they may. The side owed confirms that it was
 * repaid — a dispatcher or administrator with authority over the owed-to region (NOT_OWED_SIDE otherwise) — and never
 * the owing side: one who works for the owing region (its own people, or those of a region inside it) may not mark its
 * debt settled (OWING_SIDE). When the owed region lies inside the owing one (D15: the city took its township's stock),
 * the people of the owed region and of the regions between are the owed side, not the owing one: else no one below
 * the system administrator could confirm it (sweep 10b A17). A superior over both sides (the city between two of its
 * counties) may, as may the administrator of the whole system. The settle mutation refuses by this; Settlement.settleable
 * shows it.
 */
export function settlementConfirmationBar(p: Principal, s: { owedToRegion: string; owedByRegion: string }): 'NOT_OWED_SIDE' | 'OWING_SIDE' | null {
  if (!canDecide(p, { regionCode: s.owedToRegion })) return 'NOT_OWED_SIDE';
  return worksForOwingSide(p.regionCode, s) ? 'OWING_SIDE' : null;
}

/** D25: one whose region is `regionCode` works for the owing side of `s` (settlementConfirmationBar says why). */
export function worksForOwingSide(regionCode: string | null, s: { owedToRegion: string; owedByRegion: string }): boolean {
  if (regionCode === null || !isInSubtree(regionCode, s.owedByRegion)) return false;
  return !(regionCode !== s.owedByRegion && isInSubtree(s.owedToRegion, regionCode));
}

/** "May this principal see this record", for each kind of scoped record. */
export const mayRead = {
  /** A balance line: its store. */
  stockLine: (p: Principal, line: { storeId: string }, look: PolicyLookups) => unscoped(p) || storeVisible(p, look, line.storeId),
  /** A batch (price, supplier, owner): some store in scope holds or held it. Batch ids are predictable; this is the guard. */
  batch: (p: Principal, batch: { id: string }, look: PolicyLookups) =>
    unscoped(p) || look.storesOfBatch(batch.id).then((stores) => stores.some((s) => canAccessStore(p, s))),
  /** A document: its store or its counterpart (the other side of a transfer, the store a recovery went to). */
  document: async (p: Principal, d: { storeId: string; counterpartStoreId: string | null }, look: PolicyLookups) =>
    unscoped(p) || (await storeVisible(p, look, d.storeId)) || storeVisible(p, look, d.counterpartStoreId),
  movement: (p: Principal, m: { storeId: string }, look: PolicyLookups) => unscoped(p) || storeVisible(p, look, m.storeId),
  /** A transfer: either side. */
  transfer: async (p: Principal, t: { fromStoreId: string; toStoreId: string }, look: PolicyLookups) =>
    unscoped(p) || (await storeVisible(p, look, t.fromStoreId)) || storeVisible(p, look, t.toStoreId),
  agreement: (p: Principal, a: { regionCode: string }) => canAccessRegion(p, a.regionCode),
  /**
   * An incident: those who work for it (worksForIncident: its region's command; a keeper as keeperSeesIncident, reference
   * data only) and, as reference data, those whose region lies inside its region (readsIncidentFromWithin, sweep 21b F5).
   */
  incident: async (p: Principal, i: { id: string; regionCode: string }, look: PolicyLookups) => readsIncidentFromWithin(p, i) || worksForIncident(p, i, look),
  /** A dispatch plan: its incident's region. */
  plan: async (p: Principal, plan: { incidentId: string }, look: PolicyLookups) => {
    if (p.role === 'KEEPER') return false;
    const region = await look.incidentRegion(plan.incidentId);
    return region !== null && canAccessRegion(p, region);
  },
  /** An outbound order: its store. */
  order: (p: Principal, o: { storeId: string }, look: PolicyLookups) => unscoped(p) || storeVisible(p, look, o.storeId),
  /** An approval: its requester, whoever may decide it, the region's auditors, and keepers of its store. */
  approval: async (p: Principal, a: { requestedBy: string; regionCode: string; storeId: string | null }, look: PolicyLookups) =>
    unscoped(p) || a.requestedBy === p.id || (p.role === 'KEEPER' ? storeVisible(p, look, a.storeId) : canAccessRegion(p, a.regionCode)),
  /** A settlement: either side's region (keepers: none). */
  settlement: (p: Principal, s: { owedToRegion: string; owedByRegion: string }) => canAccessRegion(p, s.owedToRegion) || canAccessRegion(p, s.owedByRegion),
  /** A 联储 agreement: any of its regions, or a region above or below the principal's (keepers: none). */
  jointAgreement: (p: Principal, a: { regionCodes: string[] }) =>
    p.role !== 'KEEPER' && (p.regionCode === null || a.regionCodes.some((c) => isInSubtree(c, p.regionCode!) || isInSubtree(p.regionCode!, c))),
  /** D29: a distribution to a household (personal data): maySeeHouseholds at its point for its incident. */
  distribution: (p: Principal, d: { storeId: string; incidentId: string }, look: PolicyLookups) => maySeeHouseholds(p, d, look),
  /**
   * An audit entry: auditors and administrators, whose region holds its actor or what it acted on (where it is, or was
   * before the change moved it, or another region it touches), or the system-wide administrator's operation on every
   * region's books (unscoped: all) — auditEntriesInScope, row by row.
   */
  auditEntry: (
    p: Principal,
    e: {
      regionCode: string | null;
      subjectRegionCode: string | null;
      subjectPriorRegionCode: string | null;
      subjectOtherRegionCodes: string[] | null;
      operation: string;
    },
  ) =>
    (p.role === 'ADMIN' || p.role === 'AUDITOR') &&
    (p.regionCode === null ||
      [e.regionCode, e.subjectRegionCode, e.subjectPriorRegionCode, ...(e.subjectOtherRegionCodes ?? [])].some(
        (code) => code !== null && isInSubtree(code, p.regionCode!),
      ) ||
      (e.regionCode === null && SYSTEM_WIDE_OPERATIONS.includes(e.operation))),
};

export type ScopedKind = keyof typeof mayRead;
