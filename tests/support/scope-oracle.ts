import { sql } from 'drizzle-orm';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { stableId } from '../../server/ids.ts';
import { entryField, formatPath, walkResponse, type IdentityFields, type VisitedObject } from './schema-walk.ts';

// The scope oracle of the schema walk (DESIGN.md "Auth — one mechanism"): who may see which record, decided here from
// the database with its own SQL and rules, independently of server/auth, so that the walk checks the server against a
// second opinion instead of against itself.

export type Role = 'ADMIN' | 'DISPATCHER' | 'KEEPER' | 'AUDITOR';

export interface Principal {
  username: string;
  role: Role;
  /** 12-digit code of the scope region; null for keepers and for an administrator of everything. */
  regionCode: string | null;
  storeIds: ReadonlySet<string>;
}

/** 统计用区划代码: the subtree of a code is every code starting with it minus its trailing level zeros (2/4/6/9/12). */
export function subtreePrefixOf(code: string): string {
  const c = code.length === 6 ? `${code}000000` : code;
  for (const n of [2, 4, 6, 9]) if (/^0+$/.test(c.slice(n))) return c.slice(0, n);
  return c;
}

/** Everything the rules read, loaded in one go (a few hundred rows for the demo data). */
export interface ScopeSnapshot {
  storeRegion: Map<string, string>;
  storeIncident: Map<string, string>; // 安置点 → the incident it serves
  /** Stores with a balances row (any quantity, in transit too) for the batch. */
  batchStores: Map<string, Set<string>>;
  documents: Map<string, { storeId: string; counterpartStoreId: string | null }>;
  movements: Map<string, string>; // id → store
  transfers: Map<string, { fromStoreId: string; toStoreId: string }>;
  agreements: Map<string, string>; // id → region
  agreementChecks: Map<string, string>; // id → agreement
  incidents: Map<string, string>; // id → region
  plans: Map<string, string>; // id → incident
  callOffs: Map<string, string>; // id → plan
  // id → the actor's and the subject's regions (after, before a move, and the others it touches: sweep 19c F3)
  auditEntries: Map<string, { actor: string | null; subject: string | null; subjectBefore: string | null; subjectOthers: string[] }>;
  orders: Map<string, string>; // id → store
  approvals: Map<string, { regionCode: string; storeId: string | null; requestedBy: string }>;
  settlements: Map<string, { owedTo: string; owedBy: string }>;
  jointAgreements: Map<string, string[]>; // id → regions
  users: Map<string, string>; // username → id
  distributions: Map<string, { storeId: string; incidentId: string }>; // id (its document) → 安置点 store and its incident
}

export async function loadPrincipal(db: Db, username: string): Promise<Principal> {
  const [u] = await queryRows<{ id: string; role: Role; region_code: string | null }>(
    db,
    sql`SELECT id, role::text AS role, region_code FROM users WHERE username = ${username}`,
  );
  if (!u) throw new Error(`no user ${username}`);
  const stores = await queryRows<{ store_id: string }>(db, sql`SELECT store_id FROM user_stores WHERE user_id = ${u.id}::uuid`);
  return { username, role: u.role, regionCode: u.region_code, storeIds: new Set(stores.map((s) => String(s.store_id))) };
}

export async function loadSnapshot(db: Db): Promise<ScopeSnapshot> {
  const rows = <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) => queryRows<T>(db, q);
  const [
    stores,
    balances,
    documents,
    movements,
    transfers,
    agreements,
    checks,
    incidents,
    plans,
    callOffs,
    audit,
    orders,
    approvals,
    settlements,
    joint,
    users,
    handouts,
  ] = await Promise.all([
    rows<{ id: string; region_code: string; incident_id: string | null }>(sql`SELECT id::text, region_code, incident_id::text FROM stores`),
    rows<{ store_id: string; batch_id: string }>(sql`SELECT store_id::text, batch_id::text FROM balances`),
    rows<{ id: string; store_id: string; counterpart_store_id: string | null }>(
      sql`SELECT id::text, store_id::text, counterpart_store_id::text FROM documents`,
    ),
    rows<{ id: string; store_id: string }>(sql`SELECT id::text, store_id::text FROM movements`),
    rows<{ id: string; from_store_id: string; to_store_id: string }>(sql`SELECT id::text, from_store_id::text, to_store_id::text FROM transfers`),
    rows<{ id: string; region_code: string }>(sql`SELECT id::text, region_code FROM agreements`),
    rows<{ id: string; agreement_id: string }>(sql`SELECT id::text, agreement_id::text FROM agreement_checks`),
    rows<{ id: string; region_code: string }>(sql`SELECT id::text, region_code FROM incidents`),
    rows<{ id: string; incident_id: string }>(sql`SELECT id::text, incident_id::text FROM dispatch_plans`),
    rows<{ id: string; plan_id: string }>(sql`SELECT id::text, plan_id::text FROM call_offs`),
    rows<{ id: string; region_code: string | null; subject_region_code: string | null; subject_prior_region_code: string | null; others: string | null }>(
      sql`SELECT id::text, region_code, subject_region_code, subject_prior_region_code, array_to_string(subject_other_region_codes, ',') AS others FROM audit_log`,
    ),
    rows<{ id: string; store_id: string }>(sql`SELECT id::text, store_id::text FROM outbound_orders`),
    rows<{ id: string; region_code: string; store_id: string | null; requested_by: string }>(
      sql`SELECT id::text, region_code, store_id::text, requested_by::text FROM approvals`,
    ),
    rows<{ id: string; owed_to_region: string; owed_by_region: string }>(sql`SELECT id::text, owed_to_region, owed_by_region FROM settlements`),
    rows<{ agreement_id: string; region_code: string }>(sql`SELECT agreement_id::text, region_code FROM joint_reserve_regions`),
    rows<{ id: string; username: string }>(sql`SELECT id::text, username FROM users`),
    rows<{ id: string; store_id: string; incident_id: string }>(sql`SELECT document_id::text AS id, store_id::text, incident_id::text FROM distributions`),
  ]);
  const jointAgreements = new Map<string, string[]>();
  for (const j of joint) jointAgreements.set(j.agreement_id, [...(jointAgreements.get(j.agreement_id) ?? []), j.region_code]);
  const batchStores = new Map<string, Set<string>>();
  for (const b of balances) {
    if (!batchStores.has(b.batch_id)) batchStores.set(b.batch_id, new Set());
    batchStores.get(b.batch_id)!.add(b.store_id);
  }
  return {
    storeRegion: new Map(stores.map((s) => [s.id, s.region_code])),
    storeIncident: new Map(stores.flatMap((s) => (s.incident_id ? [[s.id, s.incident_id] as [string, string]] : []))),
    batchStores,
    documents: new Map(documents.map((d) => [d.id, { storeId: d.store_id, counterpartStoreId: d.counterpart_store_id }])),
    // Movement and AuditEntry ids are the API's UUIDs of their sequence numbers (API.md: IDs are UUIDs).
    movements: new Map(movements.map((m) => [stableId('movement', m.id), m.store_id])),
    transfers: new Map(transfers.map((x) => [x.id, { fromStoreId: x.from_store_id, toStoreId: x.to_store_id }])),
    agreements: new Map(agreements.map((a) => [a.id, a.region_code])),
    agreementChecks: new Map(checks.map((c) => [c.id, c.agreement_id])),
    incidents: new Map(incidents.map((i) => [i.id, i.region_code])),
    plans: new Map(plans.map((p) => [p.id, p.incident_id])),
    callOffs: new Map(callOffs.map((c) => [c.id, c.plan_id])),
    auditEntries: new Map(
      audit.map((a) => [
        stableId('audit-entry', a.id),
        {
          actor: a.region_code,
          subject: a.subject_region_code,
          subjectBefore: a.subject_prior_region_code,
          subjectOthers: a.others ? a.others.split(',') : [],
        },
      ]),
    ),
    orders: new Map(orders.map((o) => [o.id, o.store_id])),
    approvals: new Map(approvals.map((a) => [a.id, { regionCode: a.region_code, storeId: a.store_id, requestedBy: a.requested_by }])),
    settlements: new Map(settlements.map((x) => [x.id, { owedTo: x.owed_to_region, owedBy: x.owed_by_region }])),
    jointAgreements,
    users: new Map(users.map((u) => [u.username, u.id])),
    distributions: new Map(handouts.map((d) => [d.id, { storeId: d.store_id, incidentId: d.incident_id }])),
  };
}

export const emptySnapshot = (): ScopeSnapshot => ({
  storeRegion: new Map(),
  storeIncident: new Map(),
  batchStores: new Map(),
  documents: new Map(),
  movements: new Map(),
  transfers: new Map(),
  agreements: new Map(),
  agreementChecks: new Map(),
  incidents: new Map(),
  plans: new Map(),
  callOffs: new Map(),
  auditEntries: new Map(),
  orders: new Map(),
  approvals: new Map(),
  settlements: new Map(),
  jointAgreements: new Map(),
  users: new Map(),
  distributions: new Map(),
});

/** 'visible', 'hidden', or why the record could not be decided (an unknown id, an object without its identity). */
export type Decision = 'visible' | 'hidden' | { undecided: string };

/** The principal's view of records, one question per kind of scoped record. */
export class ScopeOracle {
  constructor(readonly snap: ScopeSnapshot) {}

  /** A region (12-digit) the principal reads as a whole: keepers never; an unscoped administrator everything. */
  region(p: Principal, code: string | null | undefined): boolean {
    if (p.role === 'KEEPER') return false;
    if (p.regionCode === null) return p.role === 'ADMIN';
    if (!code) return false;
    return code.startsWith(subtreePrefixOf(p.regionCode));
  }

  store(p: Principal, storeId: string): Decision {
    const region = this.snap.storeRegion.get(storeId);
    if (region === undefined) return { undecided: `unknown store ${storeId}` };
    if (p.role === 'KEEPER') return p.storeIds.has(storeId) ? 'visible' : 'hidden';
    return this.region(p, region) ? 'visible' : 'hidden';
  }

  private any(...ds: Decision[]): Decision {
    if (ds.includes('visible')) return 'visible';
    return ds.find((d) => typeof d === 'object') ?? 'hidden';
  }

  batch(p: Principal, batchId: string): Decision {
    if (p.role === 'ADMIN' && p.regionCode === null) return 'visible';
    const stores = this.snap.batchStores.get(batchId);
    if (!stores) return 'hidden'; // no store holds it: nobody but an unscoped administrator
    return this.any(...[...stores].map((s) => this.store(p, s)));
  }

  document(p: Principal, id: string): Decision {
    const d = this.snap.documents.get(id);
    if (!d) return { undecided: `unknown document ${id}` };
    return this.any(this.store(p, d.storeId), d.counterpartStoreId ? this.store(p, d.counterpartStoreId) : 'hidden');
  }

  movement(p: Principal, id: string): Decision {
    const storeId = this.snap.movements.get(id);
    return storeId ? this.store(p, storeId) : { undecided: `unknown movement ${id}` };
  }

  transfer(p: Principal, id: string): Decision {
    const x = this.snap.transfers.get(id);
    return x ? this.any(this.store(p, x.fromStoreId), this.store(p, x.toStoreId)) : { undecided: `unknown transfer ${id}` };
  }

  agreement(p: Principal, id: string): Decision {
    const region = this.snap.agreements.get(id);
    return region === undefined ? { undecided: `unknown agreement ${id}` } : this.region(p, region) ? 'visible' : 'hidden';
  }

  agreementCheck(p: Principal, id: string): Decision {
    const agreement = this.snap.agreementChecks.get(id);
    return agreement ? this.agreement(p, agreement) : { undecided: `unknown agreement check ${id}` };
  }

  /** An incident: its region; a keeper (D23, D29) one their 安置点 serves, or whose region contains or lies within one of their stores'. */
  incident(p: Principal, id: string): Decision {
    const region = this.snap.incidents.get(id);
    if (region === undefined) return { undecided: `unknown incident ${id}` };
    // Sweep 21b F5: one whose region lies inside the incident's reads it too, as reference data.
    if (p.role !== 'KEEPER' && p.regionCode !== null && p.regionCode.startsWith(subtreePrefixOf(region))) return 'visible';
    return this.worksForIncident(p, id);
  }

  /** Who works for an incident (books against it, hands out for it, reads its recovery): its region; a keeper as above. */
  worksForIncident(p: Principal, id: string): Decision {
    const region = this.snap.incidents.get(id);
    if (region === undefined) return { undecided: `unknown incident ${id}` };
    if (p.role !== 'KEEPER') return this.region(p, region) ? 'visible' : 'hidden';
    const within = (code: string, ancestor: string) => code.startsWith(subtreePrefixOf(ancestor));
    const mine = [...p.storeIds].some((s) => {
      const at = this.snap.storeRegion.get(s);
      return this.snap.storeIncident.get(s) === id || (at !== undefined && (within(at, region) || within(region, at)));
    });
    return mine ? 'visible' : 'hidden';
  }

  /** A plan: its incident's region (keepers never). */
  plan(p: Principal, id: string): Decision {
    const incident = this.snap.plans.get(id);
    if (!incident) return { undecided: `unknown dispatch plan ${id}` };
    const region = this.snap.incidents.get(incident);
    return region === undefined ? { undecided: `unknown incident ${incident}` } : this.region(p, region) ? 'visible' : 'hidden';
  }

  callOff(p: Principal, id: string): Decision {
    const plan = this.snap.callOffs.get(id);
    return plan ? this.plan(p, plan) : { undecided: `unknown call-off ${id}` };
  }

  order(p: Principal, id: string): Decision {
    const storeId = this.snap.orders.get(id);
    return storeId ? this.store(p, storeId) : { undecided: `unknown order ${id}` };
  }

  /** An approval: its requester; keepers also their stores'; others their region's. */
  approval(p: Principal, id: string): Decision {
    const a = this.snap.approvals.get(id);
    if (!a) return { undecided: `unknown approval ${id}` };
    if (a.requestedBy === this.snap.users.get(p.username)) return 'visible';
    if (p.role === 'KEEPER') return a.storeId ? this.store(p, a.storeId) : 'hidden';
    return this.region(p, a.regionCode) ? 'visible' : 'hidden';
  }

  settlement(p: Principal, id: string): Decision {
    const x = this.snap.settlements.get(id);
    if (!x) return { undecided: `unknown settlement ${id}` };
    return this.region(p, x.owedTo) || this.region(p, x.owedBy) ? 'visible' : 'hidden';
  }

  /** A 联储 agreement: one of its regions above, at or below the principal's (keepers never). */
  jointAgreement(p: Principal, id: string): Decision {
    const regions = this.snap.jointAgreements.get(id);
    if (!regions) return { undecided: `unknown joint agreement ${id}` };
    if (p.role === 'KEEPER') return 'hidden';
    if (p.regionCode === null) return 'visible';
    const own = p.regionCode;
    return regions.some((r) => r.startsWith(subtreePrefixOf(own)) || own.startsWith(subtreePrefixOf(r))) ? 'visible' : 'hidden';
  }

  /** D20: a partner's stock quantity — headquarters only, of stores in scope or in a region sharing a 联储 agreement. */
  neighbourStore(p: Principal, storeId: string): Decision {
    if (p.role !== 'ADMIN' && p.role !== 'DISPATCHER') return 'hidden';
    if (this.store(p, storeId) === 'visible') return 'visible';
    const region = this.snap.storeRegion.get(storeId) ?? '';
    for (const regions of this.snap.jointAgreements.values()) {
      const mine = regions.some((r) => p.regionCode !== null && p.regionCode.startsWith(subtreePrefixOf(r)));
      if (mine && regions.some((r) => region.startsWith(subtreePrefixOf(r)))) return 'visible';
    }
    return 'hidden';
  }

  /**
   * D29: a distribution's household is personal data — whoever may hand out at the point: its managers and headquarters
   * whose scope holds the point and its incident (sweep 12b F1), never auditors.
   */
  distribution(p: Principal, id: string): Decision {
    const at = this.snap.distributions.get(id);
    if (!at) return { undecided: `unknown distribution ${id}` };
    if (p.role === 'AUDITOR') return 'hidden';
    const [store, incident] = [this.store(p, at.storeId), this.worksForIncident(p, at.incidentId)];
    return store === 'visible' && incident === 'visible' ? 'visible' : typeof store === 'object' ? store : typeof incident === 'object' ? incident : 'hidden';
  }

  auditEntry(p: Principal, id: string): Decision {
    if (p.role !== 'ADMIN' && p.role !== 'AUDITOR') return 'hidden';
    if (!this.snap.auditEntries.has(id)) return { undecided: `unknown audit entry ${id}` };
    // D22: the actor's region or a region of what the mutation acted on (after, or before a move: sweep 12c C6; another
    // region it touches — a keeper's stores, a settlement's owing side, a plan's sources: sweep 19c F3).
    const { actor, subject, subjectBefore, subjectOthers } = this.snap.auditEntries.get(id)!;
    return [actor, subject, subjectBefore, ...subjectOthers].some((code) => this.region(p, code)) ? 'visible' : 'hidden';
  }
}

// ---- the scoped types of the schema and how each is identified and decided

type Obj = Record<string, any>;

export interface ScopedRule {
  /** Object fields to select so that the object can be identified (besides its own id). */
  identity?: readonly string[];
  /** What the report shows as the record's id. */
  key(o: Obj): string;
  decide(oracle: ScopeOracle, p: Principal, o: Obj): Decision;
}

const idOf = (o: Obj | null | undefined): string | undefined => (o && o.id !== null && o.id !== undefined ? String(o.id) : undefined);
const need = (id: string | undefined, what: string, f: (id: string) => Decision): Decision => (id ? f(id) : { undecided: `${what} not in the response` });

export const SCOPED: Readonly<Record<string, ScopedRule>> = {
  // A balance: its store in scope.
  StockLine: {
    identity: ['store', 'batch'],
    key: (o) => `store ${idOf(o.store)} batch ${idOf(o.batch)}`,
    decide: (or, p, o) => need(idOf(o.store), 'StockLine.store.id', (id) => or.store(p, id)),
  },
  // A batch: at least one store in scope holds (or awaits) it.
  Batch: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'Batch.id', (id) => or.batch(p, id)) },
  // D18 trace of a batch: what the batch itself may show.
  BatchTrace: {
    identity: ['batch'],
    key: (o) => `batch ${idOf(o.batch)}`,
    decide: (or, p, o) => need(idOf(o.batch), 'BatchTrace.batch.id', (id) => or.batch(p, id)),
  },
  StockDocument: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'StockDocument.id', (id) => or.document(p, id)) },
  // An issue's recipient is part of its document.
  TraceRecipient: {
    identity: ['document'],
    key: (o) => `document ${idOf(o.document)}`,
    decide: (or, p, o) => need(idOf(o.document), 'TraceRecipient.document.id', (id) => or.document(p, id)),
  },
  Movement: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'Movement.id', (id) => or.movement(p, id)) },
  Transfer: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'Transfer.id', (id) => or.transfer(p, id)) },
  Agreement: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'Agreement.id', (id) => or.agreement(p, id)) },
  AgreementCheck: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'AgreementCheck.id', (id) => or.agreementCheck(p, id)) },
  Incident: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'Incident.id', (id) => or.incident(p, id)) },
  // A plan: its incident in scope; a suggested plan has no id, so its incident decides.
  DispatchPlan: {
    identity: ['incident'],
    key: (o) => (idOf(o) ? String(o.id) : `(suggested) incident ${idOf(o.incident)}`),
    decide: (or, p, o) => (idOf(o) ? or.plan(p, idOf(o)!) : need(idOf(o.incident), 'DispatchPlan.incident.id', (id) => or.worksForIncident(p, id))),
  },
  CallOff: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'CallOff.id', (id) => or.callOff(p, id)) },
  // D12, D30: outstanding recovery of an incident: its incident in scope.
  OutstandingRecoveryLine: {
    identity: ['incident'],
    key: (o) => `incident ${idOf(o.incident)}`,
    decide: (or, p, o) => need(idOf(o.incident), 'OutstandingRecoveryLine.incident.id', (id) => or.worksForIncident(p, id)),
  },
  Distribution: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'Distribution.id', (id) => or.distribution(p, id)) },
  AuditEntry: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'AuditEntry.id', (id) => or.auditEntry(p, id)) },
  // Balances in other clothes: quantities and values per store and batch.
  RotationDueLine: {
    identity: ['store', 'batch'],
    key: (o) => `store ${idOf(o.store)} batch ${idOf(o.batch)}`,
    decide: (or, p, o) => need(idOf(o.store), 'RotationDueLine.store.id', (id) => or.store(p, id)),
  },
  // Issue 13: an alert about a store's stock is the store's; one about a region (an emergency approval) the region's.
  Alert: {
    identity: ['store'],
    key: (o) => String(o.key),
    decide: (or, p, o) =>
      idOf(o.store)
        ? or.store(p, idOf(o.store)!)
        : typeof o.regionCode === 'string'
          ? or.region(p, o.regionCode)
            ? 'visible'
            : 'hidden'
          : { undecided: 'Alert.regionCode not in the response' },
  },
  OutboundOrder: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'OutboundOrder.id', (id) => or.order(p, id)) },
  Approval: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'Approval.id', (id) => or.approval(p, id)) },
  Settlement: { key: (o) => String(o.id), decide: (or, p, o) => need(idOf(o), 'Settlement.id', (id) => or.settlement(p, id)) },
  JointReserveAgreement: {
    key: (o) => String(o.id),
    decide: (or, p, o) => need(idOf(o), 'JointReserveAgreement.id', (id) => or.jointAgreement(p, id)),
  },
  NeighbourStockLine: {
    identity: ['store'],
    key: (o) => `store ${idOf(o.store)}`,
    decide: (or, p, o) => need(idOf(o.store), 'NeighbourStockLine.store.id', (id) => or.neighbourStore(p, id)),
  },
  ReconciliationLine: {
    identity: ['store', 'batch'],
    key: (o) => `store ${idOf(o.store)} batch ${idOf(o.batch)}`,
    decide: (or, p, o) => need(idOf(o.store), 'ReconciliationLine.store.id', (id) => or.store(p, id)),
  },
};

/** Parts of a scoped record, reachable only inside it: the enclosing record's decision covers them. */
export const PART_OF: Readonly<Record<string, readonly string[]>> = {
  AgreementLine: ['Agreement'],
  AgreementCheckLine: ['AgreementCheck'],
  DocumentLine: ['StockDocument', 'Distribution'],
  TransferLine: ['Transfer'],
  DispatchPlanLine: ['DispatchPlan'],
  DispatchSource: ['DispatchPlanLine'],
  IncidentBalanceLine: ['Incident'],
  OutboundOrderLine: ['OutboundOrder'],
  JointReserveAgreementLine: ['JointReserveAgreement'],
  FirstBatchTarget: ['DispatchPlan'],
  BasicNeedsLine: ['Incident'],
  SuggestedDemandLine: ['Incident'],
  Household: ['Distribution'],
  TraceDistribution: ['BatchTrace'],
  AuditReference: ['AuditEntry'], // sweep 22c F7: what an entry's input names, by name only where the reader may read it
};

export const IDENTITY: IdentityFields = Object.fromEntries(
  Object.entries(SCOPED)
    .filter(([, r]) => r.identity)
    .map(([t, r]) => [t, r.identity!]),
);

export interface Leak {
  role: string;
  username: string;
  root: string;
  variant: string;
  path: string;
  type: string;
  id: string;
  why: string;
  /** The field the record came through (`Store.stock`, `Query.batch`): where a policy decision is missing. */
  via: string;
  /** False when an enclosing object already leaked (a consequence of that leak). */
  primary: boolean;
}

/** Every scoped object in `data` the principal may not see, and every part found outside its record. */
export function findLeaks(
  schema: GraphQLSchema,
  query: string | DocumentNode,
  data: unknown,
  principal: Principal,
  oracle: ScopeOracle,
  where: { root: string; variant: string },
  seen?: (o: VisitedObject, decision: Decision | 'part' | 'reference') => void,
): Leak[] {
  const leaks: Leak[] = [];
  const leaked = new WeakSet<object>();
  const leak = (o: VisitedObject, id: string, why: string) => {
    const primary = !o.ancestors.some((a) => leaked.has(a.value));
    leaked.add(o.value);
    leaks.push({
      role: principal.role,
      username: principal.username,
      root: where.root,
      variant: where.variant,
      path: formatPath(o.path),
      type: o.typeName,
      id,
      why,
      via: entryField(o),
      primary,
    });
  };
  walkResponse(schema, query, data, (o) => {
    const rule = SCOPED[o.typeName];
    if (rule) {
      const d = rule.decide(oracle, principal, o.value);
      seen?.(o, d);
      if (d === 'hidden') leak(o, rule.key(o.value), 'out of scope');
      else if (typeof d === 'object') leak(o, rule.key(o.value), `cannot be decided: ${d.undecided}`);
      return;
    }
    const owners = PART_OF[o.typeName];
    if (owners) {
      seen?.(o, 'part');
      // Skip connection wrappers: the record is the nearest enclosing object that is not an edge or connection.
      const parent = [...o.ancestors].reverse().find((a) => !/(Connection|Edge)$/.test(a.typeName));
      if (!parent || !owners.includes(parent.typeName))
        leak(o, '-', `a part of ${owners.join('/')} reached outside it (inside ${parent?.typeName ?? 'the root'}): classify the route`);
      return;
    }
    seen?.(o, 'reference');
  });
  return leaks;
}
