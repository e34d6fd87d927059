import { builder } from './builder.ts';
import { stableId } from '../server/ids.ts';
import { idOrNull, must, serviceContext } from './resolve.ts';
import { connectionType } from './connection.ts';
import { DocumentType, MovementConnection, Batch } from './inventory.ts';
import { Store } from './stores.ts';
import { policyLookups, scopedType } from './scope.ts';
import { mayNameAuditedUser, readableOrNull } from '../server/auth/policy.ts';
import { listMovements } from '../server/inventory/queries.ts';
import {
  assertFinanceReader,
  DIMENSIONS,
  IN_TRANSIT_KEY,
  valuation,
  type Dimension,
  type ValuationGroup,
  type ValuationResult,
} from '../server/audit/valuation.ts';
import { FUNDING_NAMES, RESERVE_MODE_NAMES } from '../server/paperwork/names.ts';
import type { Context } from '../server/context.ts';
import { reconciliation, type ReconciliationRow } from '../server/audit/reconciliation.ts';
import { AUDIT_REFERENCE_KINDS, auditReferences, listAuditLog, type AuditReference, type AuditRow } from '../server/audit/log.ts';
import { closePeriod, listPeriodCloses, type PeriodCloseRow } from '../server/audit/periods.ts';

const financeReaders = { roles: ['ADMIN', 'DISPATCHER', 'AUDITOR'] as const };

export const ValuationDimension = builder.enumType('ValuationDimension', { values: DIMENSIONS });

/** A group as the API answers it: with the dimensions its keys are of, to name them. */
type ValuationGroupOf = ValuationGroup & { dimensions: readonly Dimension[] };

/**
 * D21 (sweep 22a F2): the name of a group's key in its dimension, as the Excel workbook names it
 * (server/paperwork/reports/valuation.ts) — read through the request's loaders (one statement per dimension however
 * many groups). Names are reference data (stores, regions, catalog); the figures stay the valuation's.
 */
async function keyLabel(ctx: Context, dimension: Dimension, key: string): Promise<string> {
  if (key === IN_TRANSIT_KEY) return key;
  switch (dimension) {
    case 'REGION':
      return (await ctx.loaders.region.load(key))?.name ?? key;
    case 'STORE':
      return (await ctx.loaders.store.load(key))?.name ?? key;
    case 'CATEGORY':
      return (await ctx.loaders.category.load(key))?.name ?? key;
    case 'ITEM':
      return (await ctx.loaders.item.load(key))?.name ?? key;
    case 'RESERVE_MODE':
      return RESERVE_MODE_NAMES[key] ?? key;
    case 'FUNDING_SOURCE':
      return FUNDING_NAMES[key] ?? key;
  }
}

const ValuationGroupType = builder.objectRef<ValuationGroupOf>('ValuationGroup').implement({
  fields: (t) => ({
    key: t.exposeStringList('key', {
      description: 'One value per groupBy dimension: region code, store id, category code, item id, reserve mode, funding source',
    }),
    labels: t.field({
      type: ['String'],
      description:
        'D21: the name of each key, in the same order — region, store, category or item name, reserve mode or funding source in words; 在途 for the in-transit group',
      resolve: (g, _a, ctx) => Promise.all(g.key.map((k, i) => keyLabel(ctx, g.dimensions[i], k))),
    }),
    // Sweep 22c F8: a sum of pieces means something only for one item (one unit): said, so a client shows it only then.
    quantity: t.exposeInt('quantity', {
      description: "On hand, in base units summed over the group's items: a count of one unit only when groupBy includes ITEM",
    }),
    value: t.field({ type: 'Money', description: 'On-hand value', resolve: (g) => g.value }),
    inTransitQuantity: t.exposeInt('inTransitQuantity', { description: 'In transit, summed as quantity is (one unit only when groupBy includes ITEM)' }),
    inTransitValue: t.field({ type: 'Money', resolve: (g) => g.inTransitValue }),
  }),
});

const Valuation = builder.objectRef<ValuationResult>('Valuation').implement({
  description: 'D21: the exact value of reserves at an instant, from the ledger',
  fields: (t) => ({
    asOf: t.field({ type: 'DateTime', resolve: (v) => v.asOf }),
    total: t.field({ type: 'Money', description: 'On hand plus in transit', resolve: (v) => v.total }),
    onHand: t.field({ type: 'Money', resolve: (v) => v.onHand }),
    inTransit: t.field({ type: 'Money', description: 'Shipped and not yet received (included in total)', resolve: (v) => v.inTransit }),
    contingentAgreementValue: t.field({
      type: 'Money',
      description: 'D6: agreement reserves at min(committed, last counted) × price; not ledger stock, not in total',
      resolve: (v) => v.contingentAgreementValue,
    }),
    contingentCapacityValue: t.field({
      type: 'Money',
      description: "Capacity reserves: one day's committed output × price; not in total",
      resolve: (v) => v.contingentCapacityValue,
    }),
    feesAccrued: t.field({ type: 'Money', description: 'Agreement fees (代储费/管理费) accrued from feesFrom to asOf', resolve: (v) => v.feesAccrued }),
    companyStock: t.field({
      type: 'Money',
      description:
        "D3, D6: company-owned stock (协议储备) the ledger records in a company's store at asOf, at its batch prices — the company's property, not in total; the journal lists its movements",
      resolve: (v) => v.companyStock,
    }),
    feesFrom: t.field({ type: 'Date', resolve: (v) => v.feesFrom }),
    snapshotMonth: t.exposeString('snapshotMonth', { nullable: true, description: 'The month-end snapshot the value starts from' }),
    groups: t.field({
      type: [ValuationGroupType],
      // The dimensions valuation() keyed them by (its answer says them).
      resolve: (v) => v.groups.map((g) => ({ ...g, dimensions: v.dimensions })),
    }),
  }),
});

const ReconciliationLine = builder.objectRef<ReconciliationRow>('ReconciliationLine').implement({
  description: 'Ledger vs balance table vs last stocktake per store and batch; ledgerVsBalance must be zero',
  fields: (t) => ({
    store: t.field({ type: Store, resolve: (r, _a, ctx) => must(ctx.loaders.store.load(r.storeId)) }),
    batch: t.field({ type: Batch, resolve: (r, _a, ctx) => must(ctx.loaders.batch.load(r.batchId)) }),
    ledgerOnHand: t.exposeInt('ledgerOnHand'),
    balanceOnHand: t.exposeInt('balanceOnHand'),
    ledgerInTransit: t.exposeInt('ledgerInTransit'),
    balanceInTransit: t.exposeInt('balanceInTransit'),
    ledgerVsBalance: t.exposeInt('ledgerVsBalance', {
      description: 'Units by which ledger and balance table disagree (|Δ on hand| + |Δ in transit|); non-zero is a defect: alarm',
    }),
    lastCountedQuantity: t.exposeInt('lastCountedQuantity', { nullable: true }),
    lastCountedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.lastCountedAt }),
    movementsSinceCount: t.exposeInt('movementsSinceCount', { nullable: true }),
    countVsBalance: t.exposeInt('countVsBalance', { nullable: true }),
  }),
});

/** A record an entry names, with what its reader may be told of it (referenceNames). */
type NamedReference = AuditReference & { name: string | null; code: string | null };

/**
 * Sweep 22c F7: what the reader of an audit entry may be told of a record its input names — through the request's
 * loaders (one statement per kind however many entries; house style 5) and the policy module. Stores, items and
 * regions are reference data: named for every reader (README: stores are reference data wherever a record names
 * them). An incident, document, transfer or batch is named only when the reader may read it (mayRead, the same
 * decision as its own root field): an auditor of 新乡 reads a keeper's refused attempt on a 晋城 incident, never
 * that incident's name. Unknown or out of scope: no name — the id stays for machines.
 */
async function referenceNames(ctx: Context, ref: AuditReference, at: Date): Promise<{ name: string | null; code: string | null }> {
  const none = { name: null, code: null };
  const look = policyLookups(ctx);
  const p = ctx.user!;
  switch (ref.kind) {
    case 'STORE': {
      const s = await ctx.loaders.store.load(ref.id);
      return s ? { name: s.name, code: s.code } : none;
    }
    case 'ITEM': {
      const i = await ctx.loaders.item.load(ref.id);
      return i ? { name: i.name, code: i.code } : none;
    }
    case 'REGION': {
      const r = await ctx.loaders.region.load(ref.id);
      return r ? { name: r.name, code: r.code } : none;
    }
    case 'INCIDENT': {
      const i = await readableOrNull('incident', p, (await ctx.loaders.incident.load(ref.id)) ?? null, look);
      return i ? { name: i.name, code: null } : none;
    }
    case 'DOCUMENT': {
      const d = await readableOrNull('document', p, (await ctx.loaders.document.load(ref.id)) ?? null, look);
      return d ? { name: d.number, code: null } : none;
    }
    case 'TRANSFER': {
      const t = await readableOrNull('transfer', p, (await ctx.loaders.transfer.load(ref.id)) ?? null, look);
      return t ? { name: t.number, code: null } : none;
    }
    case 'BATCH': {
      const b = await readableOrNull('batch', p, (await ctx.loaders.batch.load(ref.id)) ?? null, look);
      return b ? { name: b.batchNo, code: null } : none;
    }
    case 'USER': {
      // Sweep 24b F2 (D22): whose account — its 姓名 when the entry was written (D31: a later rename changes no past
      // entry, as displayName of the actor) and its username, which never changes.
      if (!mayNameAuditedUser(p)) return none;
      const u = await ctx.loaders.userAt.load({ id: ref.id, at });
      return u ? { name: u.displayName, code: u.username } : none;
    }
  }
}

/**
 * Sweep 24c F4 (D22): a decision (decideApproval) names by its input only the approval — the log names the document it
 * decided (a 冲销单, a 盘点单 …: `approvalId.subject`) and, for a 冲销单, the document it reverses or, rejected, tried to
 * (`approvalId.subject.reverses`). Derived, not given: named only when the reader may read the document (policy
 * module, as referenceNames), or not at all.
 */
async function decidedDocuments(ctx: Context, input: unknown): Promise<NamedReference[]> {
  const args = (input ?? {}) as { approvalId?: unknown; input?: { approvalId?: unknown } | null };
  const approvalId = args.approvalId ?? args.input?.approvalId; // decideApproval(input: { approvalId … })
  if (typeof approvalId !== 'string' || !UUID_TEXT.test(approvalId)) return [];
  const approval = await ctx.loaders.approval.load(approvalId.toLowerCase());
  if (!approval) return [];
  const look = policyLookups(ctx);
  const named = async (field: string, id: string | null | undefined) => {
    const d = id ? await readableOrNull('document', ctx.user!, (await ctx.loaders.document.load(id)) ?? null, look) : null;
    return d ? { field, kind: 'DOCUMENT' as const, id: d.id, name: d.number, code: null, doc: d } : null;
  };
  const subject = await named('approvalId.subject', approval.subjectId);
  if (!subject) return [];
  const rejectedOf = (subject.doc.details as { rejectedReversalOf?: string } | null)?.rejectedReversalOf;
  const original = subject.doc.type === 'REVERSAL' ? await named('approvalId.subject.reverses', subject.doc.reversesDocumentId ?? rejectedOf) : null;
  return [subject, original].flatMap((n) => (n ? [{ field: n.field, kind: n.kind, id: n.id, name: n.name, code: n.code }] : []));
}
const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const AuditReferenceKind = builder.enumType('AuditReferenceKind', { values: AUDIT_REFERENCE_KINDS });

const AuditReferenceType = builder.objectRef<NamedReference>('AuditReference').implement({
  description: 'Sweep 22c F7: a record an audit entry’s input names, by what a person recognises it by (as far as the reader may read it)',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'Where the input names it: its path in the entry’s input JSON, e.g. input.lines.0.itemId' }),
    kind: t.field({ type: AuditReferenceKind, resolve: (r) => r.kind }),
    id: t.exposeString('id', { description: 'The id the input gave (a region: its code) — for machines' }),
    name: t.exposeString('name', {
      nullable: true,
      description:
        'A store’s, item’s, region’s or incident’s name, a document’s or transfer’s number, a batch’s number, a user’s 姓名 when the entry was written; null when the record does not exist or the reader may not read it (D22: the log names no more than the reader’s scope allows)',
    }),
    code: t.exposeString('code', { nullable: true, description: 'A store’s, item’s or region’s code, a user’s username; null otherwise' }),
  }),
});

const AuditEntry = builder.objectRef<AuditRow>('AuditEntry').implement({
  description: 'D22: one mutation — who, role, when, what, input summary, outcome',
  ...scopedType('auditEntry'),
  fields: (t) => ({
    // API.md: IDs are UUIDs — the log's sequence number, which tells how many mutations were made in all, is not shown.
    id: t.id({ resolve: (r) => stableId('audit-entry', String(r.id)) }),
    at: t.field({ type: 'DateTime', resolve: (r) => r.at }),
    username: t.exposeString('username', { nullable: true }),
    displayName: t.string({
      nullable: true,
      description:
        'D22, D31: who acted, by name — the 姓名 the account had when the entry was written (a later rename changes no past entry; entries written before this was kept read the account’s name now); username is the login name as it was; null for an attempt with no account (a login with an unknown name)',
      resolve: async (r, _a, ctx) => r.displayName ?? (r.userId ? ((await ctx.loaders.user.load(r.userId))?.displayName ?? null) : null),
    }),
    role: t.exposeString('role', { nullable: true }),
    regionCode: t.exposeString('regionCode', { nullable: true, description: "The actor's region" }),
    subjectRegionCode: t.exposeString('subjectRegionCode', {
      nullable: true,
      description: 'D22: the region of what the mutation acted on (its store, region, user, approval …); its auditors read the entry too',
    }),
    subjectPriorRegionCode: t.exposeString('subjectPriorRegionCode', {
      nullable: true,
      description:
        'D22: where the change moved what it acted on to another region (a store’s or a user’s region), the region it had before — whose auditors read the entry too; null otherwise',
    }),
    subjectRegionCodes: t.stringList({
      description:
        'D22: every region of what the mutation acted on whose auditors read the entry — subjectRegionCode, subjectPriorRegionCode and the others it touches: a keeper’s stores’ regions, a settlement’s owing region, the regions whose stock a dispatch plan takes, a 联储 agreement’s regions',
      resolve: (r) => [...new Set([r.subjectRegionCode, r.subjectPriorRegionCode, ...(r.subjectOtherRegionCodes ?? [])].filter((c) => c !== null))],
    }),
    operation: t.exposeString('operation'),
    input: t.string({
      nullable: true,
      description: 'JSON summary of the arguments (secrets masked)',
      resolve: (r) => (r.input ? JSON.stringify(r.input) : null),
    }),
    outcome: t.exposeString('outcome', {
      description: 'OK, REPLAYED (the same idempotency key and input again: the first result, nothing changed) or the error code',
    }),
    message: t.exposeString('message', { nullable: true }),
    references: t.field({
      type: [AuditReferenceType],
      description:
        'Sweep 22c F7: the stores, items, regions, incidents, documents, transfers, batches and users (sweep 24b F2: the account a user change acted on or a creation made, an 安置点’s managers) the input names (in the order the log keeps the input), each with its name where the reader may read it',
      resolve: async (r, _a, ctx) => [
        ...(await Promise.all(auditReferences(r.operation, r.input).map(async (ref) => ({ ...ref, ...(await referenceNames(ctx, ref, r.at)) })))),
        ...(await decidedDocuments(ctx, r.input)),
      ],
    }),
  }),
});

const AuditEntryConnection = connectionType('AuditEntry', AuditEntry);

const PeriodClose = builder.objectRef<PeriodCloseRow>('PeriodClose').implement({
  fields: (t) => ({
    month: t.string({ resolve: (p) => String(p.month).slice(0, 7) }),
    cutoff: t.field({ type: 'DateTime', resolve: (p) => p.cutoff }),
    closedAt: t.field({ type: 'DateTime', resolve: (p) => p.closedAt }),
  }),
});

const JournalFilter = builder.inputType('JournalFilter', {
  fields: (t) => ({
    from: t.field({
      type: 'DateTime',
      description:
        'Business time (occurredAt) after this instant: a period is (from, to], so that the value at `from` plus its movements is the value at `to` (D21, D22)',
    }),
    to: t.field({ type: 'DateTime', description: 'Business time (occurredAt) up to this instant, inclusive (as valuation(asOf) counts it)' }),
    regionCode: t.string(),
    storeId: t.id(),
    itemId: t.id(),
    documentType: t.field({ type: DocumentType }),
    documentId: t.id(),
  }),
});

const AuditFilter = builder.inputType('AuditFilter', {
  fields: (t) => ({
    from: t.field({ type: 'DateTime' }),
    to: t.field({ type: 'DateTime' }),
    username: t.string(),
    operation: t.string(),
    outcome: t.string(),
    regionCode: t.string({ description: "Entries whose actor's region or a region of their subject (subjectRegionCodes) lies in this region's subtree" }),
  }),
});

builder.queryFields((t) => ({
  valuation: t.field({
    type: Valuation,
    authScopes: financeReaders,
    description:
      'D21: the value of reserves in a region subtree (default: your whole scope) at asOf (default now), grouped by groupBy, with agreement and capacity reserves apart and fees accrued from feesFrom (default 1 January of that year); administrators, dispatchers and auditors',
    args: {
      asOf: t.arg({ type: 'DateTime' }),
      regionCode: t.arg.string(),
      groupBy: t.arg({ type: [ValuationDimension] }),
      feesFrom: t.arg({
        type: 'Date',
        description: "The first day fees accrue; on or before asOf's China date — a later one is refused (BAD_USER_INPUT), not answered 0.00",
      }),
    },
    resolve: (_r, args, ctx) =>
      valuation(serviceContext(ctx), { asOf: args.asOf?.toJSDate(), regionCode: args.regionCode, groupBy: args.groupBy, feesFrom: args.feesFrom }),
  }),
  journal: t.field({
    type: MovementConnection,
    authScopes: financeReaders,
    description: 'D22: every movement with its document number, type, reason, actor, quantity and value',
    args: { filter: t.arg({ type: JournalFilter, required: true }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_r, { filter, ...page }, ctx) => {
      assertFinanceReader(ctx.user!);
      return listMovements(
        serviceContext(ctx),
        {
          regionCode: filter.regionCode,
          storeId: idOrNull(filter.storeId),
          itemId: idOrNull(filter.itemId),
          documentId: idOrNull(filter.documentId),
          type: filter.documentType,
          from: filter.from?.toJSDate(),
          to: filter.to?.toJSDate(),
        },
        page,
      );
    },
  }),
  reconciliation: t.field({
    type: [ReconciliationLine],
    authScopes: financeReaders,
    description:
      'D9, D22: per store and batch in a region subtree (default: your whole scope), ledger vs balance table vs last stocktake — any ledger/balance difference is a defect; administrators, dispatchers and auditors',
    args: {
      regionCode: t.arg.string(),
      differencesOnly: t.arg.boolean({
        description:
          'Only the lines that differ: ledger vs balance (ledgerVsBalance ≠ 0) or balance vs the last count (countVsBalance ≠ 0); default false, every line',
      }),
    },
    resolve: (_r, args, ctx) => reconciliation(serviceContext(ctx), args.regionCode, args.differencesOnly ?? false),
  }),
  auditLog: t.field({
    type: AuditEntryConnection,
    authScopes: { roles: ['ADMIN', 'AUDITOR'] },
    description:
      'D22: the audit log of mutations, newest first, by time, user, operation, outcome or region; for auditors and administrators — entries whose actor or subject lies in their region, and 月结 (an administrator without a region: all)',
    args: { filter: t.arg({ type: AuditFilter }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_r, { filter, ...page }, ctx) =>
      listAuditLog(serviceContext(ctx), { ...filter, from: filter?.from?.toJSDate(), to: filter?.to?.toJSDate() }, page),
  }),
  periodCloses: t.field({
    type: [PeriodClose],
    description: '月结: the months closed, newest first, with their cutoffs; administrators, dispatchers and auditors',
    authScopes: financeReaders,
    resolve: (_r, _a, ctx) => listPeriodCloses(ctx.db),
  }),
}));

builder.mutationFields((t) => ({
  closePeriod: t.field({
    type: PeriodClose,
    authScopes: { roles: ['ADMIN'] },
    description: '月结: snapshot the month-end balances; entries dated before the month end are then refused',
    args: { month: t.arg.string({ required: true, description: 'YYYY-MM' }) },
    resolve: (_r, args, ctx) => closePeriod(serviceContext(ctx), args.month),
  }),
}));
