import { builder } from './builder.ts';
import { must, postedDocument, serviceContext } from './resolve.ts';
import { connectionType } from './connection.ts';
import { Item } from './catalog.ts';
import { Region } from './regions.ts';
import { Organization, Store } from './stores.ts';
import { User } from './users.ts';
import { Batch, ReserveMode, StockDocument } from './inventory.ts';
import type { Context } from '../server/context.ts';
import { scopedType } from './scope.ts';
import { formatFen, moneyTimes, toFen } from '../server/money.ts';
import { todayInChina } from '../server/clock.ts';
import { rotateStock, rotationDue, rotationPlan, type RotationDueRow } from '../server/reserves/rotation.ts';
import { removeQuota, reserveFloor, reserveGaps, upsertQuota, type FloorRegion, type GapRow, type QuotaRow } from '../server/reserves/quotas.ts';
import { coverage, type CoverageRow } from '../server/reserves/coverage.ts';
import {
  createAgreement,
  endAgreement,
  getAgreementInScope,
  listAgreements,
  recordAgreementCheck,
  type AgreementCheckRow,
  type AgreementRow,
  type EffectiveLine,
} from '../server/reserves/agreements.ts';
import { agreementStatus } from '../server/reserves/rules.ts';

// Quotas and agreements are set by administrators (DOMAIN "Who uses it"); dispatchers read them to plan (readers).
const managers = { roles: ['ADMIN'] as const };
const readers = { authenticated: true } as const;

// ---- rotation (D10)

export const RotationDueLine = builder.objectRef<RotationDueRow>('RotationDueLine').implement({
  fields: (t) => ({
    store: t.field({ type: Store, resolve: (l, _a, ctx) => must(ctx.loaders.store.load(l.storeId)) }),
    batch: t.field({ type: Batch, resolve: (l, _a, ctx) => must(ctx.loaders.batch.load(l.batchId)) }),
    quantity: t.exposeInt('quantity'),
    value: t.field({ type: 'Money', resolve: (l) => moneyTimes(l.quantity, l.unitPrice) }),
    rotateBy: t.field({ type: 'Date', resolve: (l) => l.rotateBy }),
    daysLeft: t.exposeInt('daysLeft', { description: 'Negative when overdue' }),
  }),
});

const RotationPlanPeriod = builder.objectRef<{ period: string; lines: RotationDueRow[] }>('RotationPlanPeriod').implement({
  description: 'What is due for rotation in a quarter (or OVERDUE)',
  fields: (t) => ({
    period: t.exposeString('period', { description: 'OVERDUE, or a quarter such as 2027-Q2' }),
    batches: t.int({ resolve: (p) => p.lines.length }),
    quantity: t.int({ resolve: (p) => p.lines.reduce((s, l) => s + l.quantity, 0) }),
    value: t.field({ type: 'Money', resolve: (p) => formatFen(p.lines.reduce((s, l) => s + toFen(l.unitPrice) * BigInt(l.quantity), 0n)) }),
    lines: t.field({ type: [RotationDueLine], resolve: (p) => p.lines }),
  }),
});

const RotationDisposal = builder.enumType('RotationDisposal', { values: ['SALE', 'USE', 'DONATION', 'TRANSFER'] as const });

const NewBatchInput = builder.inputType('NewBatchInput', {
  fields: (t) => ({
    batchNo: t.string({ required: true }),
    productionDate: t.field({ type: 'Date' }),
    expiryDate: t.field({ type: 'Date', description: "Omit to compute it from the item's storage life" }),
    unitPrice: t.field({ type: 'Money', description: "Omit to keep the old batch's price" }),
  }),
});

const RotateStockInput = builder.inputType('RotateStockInput', {
  fields: (t) => ({
    storeId: t.id({ required: true }),
    orderId: t.id({ description: 'D23: the approved rotation order executed (required for government stock)' }),
    batchId: t.id({ required: true }),
    quantity: t.int({ required: true }),
    disposal: t.field({ type: RotationDisposal, required: true }),
    counterpart: t.string({
      description: "Buyer, using unit, recipient of the donation, or receiving unit; defaults to the approved order's recipient (required without an order)",
    }),
    note: t.string(),
    occurredAt: t.field({ type: 'DateTime' }),
    idempotencyKey: t.string({ required: true }),
    newBatch: t.field({ type: NewBatchInput, required: true }),
  }),
});

// ---- quotas, gaps, floor and coverage (D6, D19)

export const Quota = builder.objectRef<QuotaRow>('Quota').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    item: t.field({ type: Item, resolve: (q, _a, ctx) => must(ctx.loaders.item.load(q.itemId)) }),
    store: t.field({ type: Store, nullable: true, resolve: (q, _a, ctx) => (q.storeId ? ctx.loaders.store.load(q.storeId) : null) }),
    region: t.field({ type: Region, nullable: true, resolve: (q, _a, ctx) => (q.regionCode ? ctx.loaders.region.load(q.regionCode) : null) }),
    quantity: t.exposeInt('quantity'),
    updatedAt: t.field({ type: 'DateTime', resolve: (q) => q.updatedAt }),
  }),
});

const gapFields = (t: PothosSchemaTypes.ObjectFieldBuilder<any, GapRow>) => ({
  item: t.field({ type: Item, resolve: (g: GapRow, _a: unknown, ctx: Context) => must(ctx.loaders.item.load(g.itemId)) }),
  store: t.field({ type: Store, nullable: true, resolve: (g: GapRow, _a: unknown, ctx: Context) => (g.storeId ? ctx.loaders.store.load(g.storeId) : null) }),
  region: t.field({
    type: Region,
    nullable: true,
    resolve: (g: GapRow, _a: unknown, ctx: Context) => (g.regionCode ? ctx.loaders.region.load(g.regionCode) : null),
  }),
  quota: t.int({ resolve: (g: GapRow) => g.quota }),
});

export const ReserveGap = builder.objectRef<GapRow>('ReserveGap').implement({
  description: 'D19: quota against available government-owned stock; agreement-committed quantity shown apart',
  fields: (t) => ({
    quotaId: t.exposeID('quotaId', { description: 'The quota this line measures against (removeQuota takes it)' }),
    ...gapFields(t),
    available: t.exposeInt('available', { description: 'Government-owned stock available (physical and entrusted)' }),
    physical: t.exposeInt('physical', { description: 'Government physical stock available (D6)' }),
    agreementCommitted: t.exposeInt('agreementCommitted', { description: 'AGREEMENT lines at min(committed, last counted)' }),
    gap: t.exposeInt('gap'),
  }),
});

const FloorLine = builder.objectRef<FloorRegion['lines'][number]>('ReserveFloorLine').implement({
  fields: (t) => ({
    ...gapFields(t as never),
    physical: t.exposeInt('physical'),
    share: t.exposeFloat('share'),
    meetsFloor: t.exposeBoolean('meetsFloor'),
  }),
});

const FloorRegionType = builder.objectRef<FloorRegion>('ReserveFloor').implement({
  description: 'D6: government physical stock as a share of the region quotas, item by item (target ≥ 50%)',
  fields: (t) => ({
    region: t.field({ type: Region, resolve: (f, _a, ctx) => must(ctx.loaders.region.load(f.regionCode)) }),
    share: t.exposeFloat('share', { description: "The weakest item's share: quantities of different items (units) are not added" }),
    meetsFloor: t.exposeBoolean('meetsFloor', { description: 'Every item holds at least 50% of its quota as government physical stock' }),
    lines: t.field({ type: [FloorLine], resolve: (f) => f.lines }),
  }),
});

export const CoverageLine = builder.objectRef<CoverageRow>('CoverageLine').implement({
  description: 'D19: plan categories and kinds a township holds in stock, against the target (珲春: 6 categories, 300 kinds)',
  fields: (t) => ({
    region: t.field({ type: Region, resolve: (c, _a, ctx) => must(ctx.loaders.region.load(c.regionCode)) }),
    categoriesHeld: t.int({ resolve: (c) => c.categoriesHeld.length }),
    kindsHeld: t.exposeInt('kindsHeld'),
    targetCategories: t.exposeInt('targetCategories'),
    targetKinds: t.exposeInt('targetKinds'),
    meetsTarget: t.boolean({ resolve: (c) => c.categoriesHeld.length >= c.targetCategories && c.kindsHeld >= c.targetKinds }),
    missingCategories: t.stringList({ description: 'Codes of plan categories with nothing in stock', resolve: (c) => c.missingCategories }),
    storeCount: t.int({
      description:
        'D2, D19: the township’s 储备点 — government and entrusted stores of the township and its villages (whose stock it counts), not 安置点 nor a company’s own 协议储备 warehouse; 0: a township without any (「无储备点」), apart from one whose store holds nothing',
      resolve: (c) => c.storeIds.length,
    }),
    stores: t.field({
      type: [Store],
      description: 'D2, D19: those 储备点, by code',
      resolve: (c, _a, ctx) => Promise.all(c.storeIds.map((id) => must(ctx.loaders.store.load(id)))),
    }),
  }),
});

const QuotaInput = builder.inputType('QuotaInput', {
  fields: (t) => ({
    itemId: t.id({ required: true }),
    quantity: t.int({ required: true }),
    storeId: t.id(),
    regionCode: t.string(),
  }),
});

// ---- agreements (D6)

export const AgreementMode = builder.enumType('AgreementMode', { values: ['AGREEMENT', 'ENTRUSTED', 'CAPACITY'] as const });
export const AgreementStatus = builder.enumType('AgreementStatus', {
  description:
    'D6: NOT_STARTED before validFrom; ACTIVE; EXPIRING when it ends within 90 days; EXPIRED after its validTo; ENDED once ended early by endAgreement — after its endOn, and at once for one voided (endOn the day before validFrom)',
  values: ['NOT_STARTED', 'ACTIVE', 'EXPIRING', 'EXPIRED', 'ENDED'] as const,
});

export const AgreementLine = builder.objectRef<EffectiveLine>('AgreementLine').implement({
  fields: (t) => ({
    item: t.field({ type: Item, resolve: (l, _a, ctx) => must(ctx.loaders.item.load(l.itemId)) }),
    quantity: t.exposeInt('quantity', { nullable: true, description: 'Committed (AGREEMENT) or entrusted (ENTRUSTED) quantity' }),
    lastCheckedQuantity: t.exposeInt('lastCounted', { nullable: true }),
    effectiveQuantity: t.exposeInt('effectiveQuantity', {
      description: 'D6, D17: AGREEMENT lines count for min(committed, last counted), less call-offs delivered since that count',
    }),
    dailyCapacity: t.exposeInt('dailyCapacity', { nullable: true }),
    unitPrice: t.field({ type: 'Money', nullable: true, resolve: (l) => l.unitPrice }),
    responseHours: t.float({ nullable: true, resolve: (l) => (l.responseHours === null ? null : Number(l.responseHours)) }),
    leadDays: t.exposeInt('leadDays', { nullable: true }),
    contingentValue: t.field({
      type: 'Money',
      nullable: true,
      description: 'AGREEMENT lines: effective quantity × unit price (not ledger stock until called off)',
      resolve: (l) => (l.mode === 'AGREEMENT' && l.unitPrice ? moneyTimes(l.effectiveQuantity, l.unitPrice) : null),
    }),
  }),
});

export const AgreementCheck = builder.objectRef<AgreementCheckRow>('AgreementCheck').implement({
  description: "抽查: a spot check of an agreement holder's stock",
  fields: (t) => ({
    id: t.exposeID('id'),
    checkedOn: t.field({ type: 'Date', resolve: (c) => c.checkedOn }),
    findings: t.exposeString('findings', { nullable: true }),
    recordedBy: t.field({ type: User, resolve: (c, _a, ctx) => must(ctx.loaders.userAt.load({ id: c.recordedBy, at: c.recordedAt })) }),
    lines: t.field({
      type: [
        builder.objectRef<{ itemId: string; countedQuantity: number }>('AgreementCheckLine').implement({
          fields: (f) => ({
            item: f.field({ type: Item, resolve: (l, _a, ctx) => must(ctx.loaders.item.load(l.itemId)) }),
            countedQuantity: f.exposeInt('countedQuantity'),
          }),
        }),
      ],
      resolve: (c, _a, ctx) => ctx.loaders.agreementCheckLines.load(c.id),
    }),
  }),
});

export const Agreement = builder.objectRef<AgreementRow & { statusOn?: string }>('Agreement').implement({
  description: 'D6: 协议储备 (company stock by contract), 企业代储 (government stock in a company store), 产能储备 (capacity)',
  ...scopedType('agreement'),
  fields: (t) => ({
    id: t.exposeID('id'),
    mode: t.expose('mode', { type: AgreementMode }),
    company: t.field({ type: Organization, resolve: (a, _x, ctx) => must(ctx.loaders.organization.load(a.companyOrgId)) }),
    // Read back as it was given (AgreementInput.companyName, sweep 15a F1): the company's name, as company { name }.
    companyName: t.string({ resolve: async (a, _x, ctx) => (await must(ctx.loaders.organization.load(a.companyOrgId))).name }),
    region: t.field({ type: Region, resolve: (a, _x, ctx) => must(ctx.loaders.region.load(a.regionCode)) }),
    store: t.field({ type: Store, nullable: true, resolve: (a, _x, ctx) => (a.storeId ? ctx.loaders.store.load(a.storeId) : null) }),
    contractNo: t.exposeString('contractNo', { nullable: true }),
    validFrom: t.field({ type: 'Date', resolve: (a) => a.validFrom }),
    validTo: t.field({ type: 'Date', resolve: (a) => a.validTo }),
    annualFee: t.field({ type: 'Money', nullable: true, resolve: (a) => a.annualFee }),
    status: t.field({
      type: AgreementStatus,
      description:
        'On activeOn (or today): EXPIRING when it ends within 90 days; ENDED, not EXPIRED, after the endOn of one ended early (endAgreement), and from the first for one voided (sweep 22b F2)',
      resolve: (a, _x, ctx) => agreementStatus(a.validFrom, a.validTo, a.statusOn ?? todayInChina(ctx.clock), Boolean(a.endedAt)),
    }),
    lines: t.field({ type: [AgreementLine], resolve: (a, _x, ctx) => ctx.loaders.agreementLines.load(a.id) }),
    checks: t.field({ type: [AgreementCheck], resolve: (a, _x, ctx) => ctx.loaders.agreementChecks.load(a.id) }),
    // D6, D22 (sweep 18a F8): an agreement ended early (endAgreement) keeps what the contract said and who ended it, when and why.
    contractValidTo: t.field({
      type: 'Date',
      description: 'The last day the contract named; differs from validTo once the agreement was ended early (endAgreement)',
      resolve: (a) => a.contractValidTo ?? a.validTo,
    }),
    endedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was ended early (endAgreement); null if not', resolve: (a) => a.endedAt }),
    endedBy: t.field({
      type: User,
      nullable: true,
      resolve: (a, _x, ctx) => (a.endedBy && a.endedAt ? ctx.loaders.userAt.load({ id: a.endedBy, at: a.endedAt }) : null),
    }),
    endReason: t.exposeString('endReason', { nullable: true, description: 'Why it was ended early or voided (endAgreement)' }),
  }),
});

export const AgreementConnection = connectionType('Agreement', Agreement);

const AgreementLineInput = builder.inputType('AgreementLineInput', {
  fields: (t) => ({
    itemId: t.id({ required: true }),
    quantity: t.int({ description: 'AGREEMENT: committed quantity; ENTRUSTED: quantity held for the government' }),
    dailyCapacity: t.int({ description: 'CAPACITY: units per day after the lead time' }),
    unitPrice: t.field({
      type: 'Money',
      description:
        'AGREEMENT: the agreed price, above 0, required (D6, D21: call-offs are booked and valued at it); CAPACITY: optional, above 0 when given (else typed at delivery); ENTRUSTED: optional',
    }),
    responseHours: t.float({ description: 'AGREEMENT: hours from call-off to delivery' }),
    leadDays: t.int({ description: 'CAPACITY: days before production starts' }),
  }),
});

const AgreementInput = builder.inputType('AgreementInput', {
  fields: (t) => ({
    mode: t.field({ type: ReserveMode, required: true, description: 'AGREEMENT, ENTRUSTED or CAPACITY' }),
    companyName: t.string({ required: true }),
    regionCode: t.string({ required: true }),
    validFrom: t.field({ type: 'Date', required: true }),
    validTo: t.field({ type: 'Date', required: true }),
    annualFee: t.field({ type: 'Money', description: '代储费/管理费 per year' }),
    storeId: t.id({ description: 'The company store: required for ENTRUSTED, optional for AGREEMENT' }),
    contractNo: t.string(),
    lines: t.field({ type: [AgreementLineInput], required: true }),
    idempotencyKey: t.string({
      description:
        'Optional (sweep 23c): the same key with the same input answers the agreement first recorded (a retry after a lost answer is not refused as recorded already); with other input IDEMPOTENCY_CONFLICT',
    }),
  }),
});

const EndAgreementInput = builder.inputType('EndAgreementInput', {
  fields: (t) => ({
    agreementId: t.id({ required: true }),
    endOn: t.field({
      type: 'Date',
      required: true,
      description: 'The last day it binds (before its validTo); the day before validFrom voids one entered in error',
    }),
    reason: t.string({ required: true, description: '终止原因: the early termination (提前解除) or the error voided' }),
  }),
});

const AgreementCheckInput = builder.inputType('AgreementCheckInput', {
  fields: (t) => ({
    agreementId: t.id({ required: true }),
    checkedOn: t.field({ type: 'Date', required: true }),
    findings: t.string(),
    lines: t.field({
      type: [
        builder.inputType('AgreementCheckLineInput', { fields: (f) => ({ itemId: f.id({ required: true }), countedQuantity: f.int({ required: true }) }) }),
      ],
      required: true,
    }),
  }),
});

builder.queryFields((t) => ({
  rotationDue: t.field({
    type: [RotationDueLine],
    authScopes: readers,
    description:
      'D10, D26: government-owned batches on hand at reserve stores in scope (a keeper: their stores) due for rotation within withinMonths (default 12) or overdue; expired first, then most urgent. Reserve stores are government and entrusted stores (RESERVE_STORE_KINDS): stock at a 安置点 (relief being given out, not kept in reserve; alerts flags its expiring and expired batches) and stock in transit (rotated once received) are not listed',
    args: { regionCode: t.arg.string(), withinMonths: t.arg.int({ defaultValue: 12 }) },
    resolve: (_r, args, ctx) => rotationDue(serviceContext(ctx), args),
  }),
  rotationPlan: t.field({
    type: [RotationPlanPeriod],
    authScopes: readers,
    description:
      'D10: due rotations per quarter (overdue and expired apart) with quantities and values — the lines of rotationDue: on hand at government and entrusted stores only, not at a 安置点 nor in transit',
    args: { regionCode: t.arg.string(), withinMonths: t.arg.int({ defaultValue: 24 }) },
    resolve: (_r, args, ctx) => rotationPlan(serviceContext(ctx), args),
  }),
  reserveGaps: t.field({
    type: [ReserveGap],
    authScopes: readers,
    description:
      'D19: quotas in a region subtree against available own reserve stock (expired left out), agreement commitments apart; worst first. For those whose region covers it',
    args: { regionCode: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => reserveGaps(serviceContext(ctx), args.regionCode),
  }),
  reserveFloor: t.field({
    type: [FloorRegionType],
    authScopes: readers,
    description:
      'D6: per region with region quotas in the subtree, government physical stock as a share of the quota (target at least 50%); for those whose region covers it',
    args: { regionCode: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => reserveFloor(serviceContext(ctx), args.regionCode),
  }),
  coverage: t.field({
    type: [CoverageLine],
    authScopes: readers,
    description:
      'D19: per township in a region subtree, its 储备点 and the plan categories and kinds its reserve stores hold (expired left out) against the targets; for those whose region covers it',
    args: {
      regionCode: t.arg.string({ required: true }),
      targetCategories: t.arg.int({
        description: 'D19: plan categories a township should hold; default COVERAGE_TARGET_CATEGORIES (6), at most the catalog’s categories',
      }),
      targetKinds: t.arg.int({ description: 'D19: kinds (items) a township should hold; default COVERAGE_TARGET_KINDS (300)' }),
    },
    resolve: (_r, args, ctx) =>
      coverage(serviceContext(ctx), args.regionCode, {
        categories: args.targetCategories ?? null,
        defaultCategories: ctx.config.coverageTarget.categories,
        kinds: args.targetKinds ?? ctx.config.coverageTarget.kinds,
      }),
  }),
  agreements: t.field({
    type: AgreementConnection,
    authScopes: readers,
    description:
      'D6: agreement, entrusted and capacity reserves in scope, optionally in a region subtree and valid on activeOn; by region, then start date. Not for keepers',
    args: { regionCode: t.arg.string(), activeOn: t.arg({ type: 'Date' }), first: t.arg.int(), after: t.arg.string() },
    resolve: async (_r, args, ctx) => {
      const page = await listAgreements(serviceContext(ctx), args, args);
      return { ...page, nodes: page.nodes.map((a) => ({ ...a, statusOn: args.activeOn ?? undefined })) };
    },
  }),
  agreement: t.field({
    type: Agreement,
    nullable: true,
    authScopes: readers,
    description:
      'D6: an agreement, entrusted or capacity reserve by id, with its lines, fee and checks; for those whose region covers its region (keepers: none)',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => getAgreementInScope(ctx.db, ctx.user!, String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  rotateStock: t.field({
    type: StockDocument,
    authScopes: { roles: ['ADMIN', 'DISPATCHER', 'KEEPER'] },
    description:
      'D10, D23: rotates a batch — old stock out (sold, used, donated, transferred) and the same quantity of a new batch in, one document; government stock against an approved order',
    args: { input: t.arg({ type: RotateStockInput, required: true }) },
    resolve: (_r, { input }, ctx) => postedDocument(ctx, rotateStock(serviceContext(ctx), input)),
  }),
  upsertQuota: t.field({
    type: Quota,
    authScopes: managers,
    description: 'D19: sets the reserve quota of an item for a store or a region subtree in scope, replacing an earlier one; administrators',
    args: { input: t.arg({ type: QuotaInput, required: true }) },
    resolve: (_r, { input }, ctx) => upsertQuota(serviceContext(ctx), input),
  }),
  removeQuota: t.field({
    type: Quota,
    authScopes: managers,
    description: 'D19: removes a quota that no longer applies (a quota of 0 is no quota); answers it as it was; administrators',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => removeQuota(serviceContext(ctx), String(args.id)),
  }),
  createAgreement: t.field({
    type: Agreement,
    authScopes: managers,
    description: 'D6: records an agreement, entrusted or capacity reserve with a company, in a region in scope (lines, prices, fee, validity); administrators',
    args: { input: t.arg({ type: AgreementInput, required: true }) },
    resolve: (_r, { input }, ctx) => createAgreement(serviceContext(ctx), input),
  }),
  endAgreement: t.field({
    type: Agreement,
    authScopes: managers,
    description:
      'D6, D21, D22: ends an agreement early (提前解除) — it binds through endOn, then is neither planned nor valued nor charged; endOn the day before validFrom voids one entered in error. Not into a closed month, nor while an approved plan or an issued call-off claims it; administrators whose region covers it',
    args: { input: t.arg({ type: EndAgreementInput, required: true }) },
    resolve: (_r, { input }, ctx) => endAgreement(serviceContext(ctx), input),
  }),
  recordAgreementCheck: t.field({
    type: AgreementCheck,
    authScopes: managers,
    description:
      "D6: records a spot check (抽查) of an agreement's stock; an AGREEMENT line then counts for min(committed, counted) until a later check; administrators",
    args: { input: t.arg({ type: AgreementCheckInput, required: true }) },
    resolve: (_r, { input }, ctx) => recordAgreementCheck(serviceContext(ctx), input),
  }),
}));
