import { writeFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { GraphQLField, GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { schema } from '../../schema/index.ts';
import { batchIdOf as keyedBatchId } from '../../server/inventory/batch-ids.ts';
import { createLogger } from '../../server/logger.ts';
import { storeId } from '../../seeds/demo.ts';
import { seedDemoReserves } from '../../seeds/demo-reserves.ts';
import { seedDemoStock } from '../../seeds/demo-stock.ts';
import { itemId } from '../../seeds/reference.ts';
import { dbKind, useTestApp, type GqlResult } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import {
  emptySnapshot,
  findLeaks,
  IDENTITY,
  loadPrincipal,
  loadSnapshot,
  PART_OF,
  SCOPED,
  ScopeOracle,
  type Decision,
  type Leak,
  type Principal,
} from '../support/scope-oracle.ts';
import {
  DEFAULT_EXPAND,
  DEFAULT_LIMITS,
  expandType,
  fitToLimits,
  graphql,
  isConnectionWrapper,
  measureQuery,
  objectTypesOf,
  printArgs,
  printSel,
  typesReaching,
  withIdentity,
  withinLimits,
  type EdgeLimits,
  type ExpandOptions,
  type Sel,
  type SkippedField,
} from '../support/schema-walk.ts';

// DESIGN.md "Auth — one mechanism": relations are reads too. This test is generated from the schema: for every root
// field of Query it builds a query that selects every field of every object type (depth-limited), runs it as keeper,
// dispatcher and auditor — on records in and out of their scope — and walks the response with the query's types. Every
// object of a scoped type must be one the role may see by an oracle written here from the database (scope-oracle.ts);
// anything else is a LEAK. The administrator runs the same queries as the positive control: it must see the records,
// which proves that the fixtures reach them. A new object type must be classified below, or the test fails.
//
// Mutations and subscriptions are not walked: their results are what the caller just wrote.
//
// The walk is shared between the suite's two databases, as the fuzzer shares its cases: PGlite walks the even root
// fields of Query (0, 2, … in schema order), PostgreSQL the odd ones, each as the three roles with the administrator as
// the control of that part. Together they walk every role on every root field once (walking all of them on both had
// taken some 140 s a database for the same queries on the same fixtures twice). Each database checks its part: no
// leak; the control answers without errors or null roots and reaches every scoped type its part's queries select (so a
// fixture that reaches nothing is still caught); each role is offered records out of its scope. What needs no query is
// still checked whole on both: every root field filled from the fixtures, every generated query within the edge's
// limits, and every scoped type selected by the queries of one part or the other. A new root field moves those after
// it to the other part. SCOPE_WALK_ALL=1 walks every root field on the database it runs on.
//
// Each database writes what it found to /tmp/scope-leaks-<pglite|postgres>.md (SCOPE_LEAKS_REPORT, with the database
// added before .md): where scoped data escapes (the field a leaked record came through), leaks by role and type, what
// each role was offered out of its scope, and what was left out.
// Knobs: SCOPE_WALK_DEPTH (5), SCOPE_WALK_CONCURRENCY (2), SCOPE_WALK_PROFILE=1 (time per root field), SCOPE_WALK_ALL=1.

/** Reference or derived data, readable by every authenticated user (Store.stock is scoped through StockLine). */
const REFERENCE = [
  'AuthPayload', // login's answer: the token and the user
  'Category',
  'CoverageLine', // D19: counts of categories and kinds per township
  'DispatchDestination', // a plan's 安置点: name, region, location, receiving store
  'DispatchPlanStatusEvent', // subscription payload: plan id and status
  'DownloadLink', // createDownloadLink's answer: the caller's own one-use link
  'Item',
  'LatLng',
  'Organization',
  'PageInfo',
  'PeriodClose',
  'Quota', // upsertQuota's answer
  'ReceiptOwner', // D3: a government or the store's operator a receipt may name as owner (names only)
  'Region',
  'ReliefStandard', // D29: relief standards per region and item (public policy)
  'RegionTreeLoad', // loadRegionTree's answer: counts and region names
  'Replenishment', // D15: quantity owed back per store and item (no prices, batches or documents)
  'ReserveFloor',
  'ReserveFloorLine',
  'ReserveGap', // D19: quota vs available per store/region and item
  'RotationPlanPeriod', // sums per quarter; its lines are RotationDueLine (scoped)
  'Shortage',
  'StockReason',
  'Store', // reference data; its stock is StockLine
  'TravelTime',
  'User',
  'Valuation',
  'ValuationGroup',
];

/** Object types that are neither scoped, nor part of a scoped record, nor reference data (connection wrappers aside). */
function unclassifiedTypes(s: GraphQLSchema): string[] {
  return objectTypesOf(s)
    .filter((type) => !isConnectionWrapper(type))
    .map((type) => type.name)
    .filter((name) => !SCOPED[name] && !PART_OF[name] && !REFERENCE.includes(name));
}

/** Root fields the walk does not run, each with its reason. */
const SKIP_ROOT: Record<string, string> = {};

const ROLES = ['keeper', 'dispatcher', 'auditor'] as const;
const CONTROL = 'admin';
// One level of text depth is kept for the identity fields added after expansion (StockLine.store { id }).
// Types from which no scoped record can be reached (Item, Category, Organization …) are selected with their leaves only.
const CHECKED = typesReaching(schema, new Set([...Object.keys(SCOPED), ...Object.keys(PART_OF)]));
const EXPAND: ExpandOptions = {
  ...DEFAULT_EXPAND,
  maxDepth: Number(process.env.SCOPE_WALK_DEPTH ?? 5),
  maxAstDepth: DEFAULT_LIMITS.maxDepth - 1,
  leavesOnly: (type) => !CHECKED.has(type),
};
/**
 * The edge refuses queries over its limits (API.md: depth 12, tokens 5,000, a cost limit): generated selections are
 * split until each part passes the depth and token limits. The cost limit cannot be met by splitting — one path five
 * objects deep through lists already costs more than it allows — so this file runs its app with the cost limit and the
 * request budget lifted (liftEdgeBudgets): scope does not depend on them. A refused part shows as an error of the control.
 */
const LIMITS: EdgeLimits = { ...DEFAULT_LIMITS, maxCost: Infinity };
/** Queries in flight at once (each as every user). */
const CONCURRENCY = Number(process.env.SCOPE_WALK_CONCURRENCY ?? 2);
/** This database's share of the root fields (see above): their index in schema order modulo 2, or all of them. */
const PART = process.env.SCOPE_WALK_ALL ? 'all' : dbKind === 'postgres' ? 1 : 0;
const inPart = (index: number) => PART === 'all' || index % 2 === PART;
const REPORT = (process.env.SCOPE_LEAKS_REPORT ?? '/tmp/scope-leaks.md').replace(/(\.md)?$/, `-${dbKind}$1`);

const { buildSchema, extendSchema, getNamedType, isNonNullType, isObjectType, parse, TypeInfo, visit, visitWithTypeInfo } = graphql;
const t = useTestApp();

// ---- fixtures: records in and out of each role's scope

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store, 卫辉市
const JINCHENG = storeId('S-140500-01'); // 晋城市
const JINCHENG_DISTRICT = storeId('S-140502-01'); // 晋城市城区
const HUNCHUN = storeId('S-222404-01'); // 珲春市
// As receipts.ts derives them, with this database's key (sweep 14a F1): known once the database is (createFixtures).
const batchIdOf = (itemCode: string, batchNo: string) => keyedBatchId(t.database.db, itemId(itemCode), batchNo);
let JC_TENT_BATCH = ''; // held only in 晋城
let HC_QUILT_BATCH = ''; // 珲春, shipped in part to 卫辉
let WH_QUILT_BATCH = ''; // 卫辉
const XINXIANG = storeId('S-410700-01');

type Labelled = { label: string; value: unknown };
interface Fixtures {
  stores: Labelled[];
  batches: Labelled[];
  documents: Labelled[];
  transfers: Labelled[];
  agreements: Labelled[];
  orders: Labelled[];
  incidents: Labelled[];
  plans: Labelled[];
  items: Labelled[];
  regionCodes: Labelled[];
  regionParents: Labelled[];
  dispatchRequests: Labelled[];
  hcTransfer: string;
  weihuiPlan: string;
  weihuiIncident: string;
  jinchengAgreement: string;
  suggestWeihui: Record<string, unknown>;
}
const fx = {} as Fixtures;

/**
 * t.gql, waiting out the edge's request budget (API.md RATE_LIMITED): the walk sends hundreds of requests, and the
 * test clock stands still, so the wait is taken by moving the clock on.
 */
let rateLimitWaits = 0;
async function ask<T = any>(query: string, variables?: Record<string, unknown>, as?: string): Promise<GqlResult<T>> {
  for (let attempt = 0; ; attempt++) {
    const res = await t.gql<T>(query, variables, as);
    const limited = res.errors?.find((e) => e.extensions?.code === 'RATE_LIMITED');
    if (!limited || attempt >= 5) return res;
    rateLimitWaits++;
    t.clock.advance((Number(limited.extensions.retryAfterSeconds ?? 60) + 1) / 3600);
  }
}

const ok = <T = any>(res: GqlResult<T>, what: string): T => {
  if (res.errors?.length || !res.data) throw new Error(`fixture ${what}: ${JSON.stringify(res.errors)}`);
  return res.data;
};
const rows = <T extends Record<string, unknown>>(q: ReturnType<typeof sql>) => queryRows<T>(t.database.db, q);
let key = 0;
const idem = (what: string) => `scope-walk-${what}-${++key}`;

async function createFixtures() {
  const db = t.database.db;
  await seedDemoStock(db, t.clock);
  await seedDemoReserves(db, t.clock);
  const admin = (q: string, v: Record<string, unknown>, what: string) => ask(q, v, 'admin').then((r) => ok(r, what));
  // Batch ids follow from item and number with the database's key (receipts.ts batchFor): the walk derives them too.
  JC_TENT_BATCH = await batchIdOf('LIV-001', 'JC-MZP-2110');
  HC_QUILT_BATCH = await batchIdOf('LIV-004', 'HC-MB-2211');
  WH_QUILT_BATCH = await batchIdOf('LIV-004', 'WH-MB-2204');
  const [tent] = await rows<{ batch_no: string }>(sql`SELECT batch_no FROM batches WHERE id = ${JC_TENT_BATCH}::uuid`);
  if (tent?.batch_no !== 'JC-MZP-2110') throw new Error('fixture: batch ids no longer derive as batchIdOf(db, itemId, batchNo)');
  const [demoTransfer] = await rows<{ id: string }>(
    sql`SELECT id::text FROM transfers WHERE from_store_id = ${XINXIANG}::uuid AND to_store_id = ${WEIHUI}::uuid`,
  );

  // A keeper of 珲春 ships to 卫辉: the transfer joins a store in the demo keeper's scope to one outside it, and its
  // shipper is a user whose stores are out of scope. The demo keeper receives part of it (a TRANSFER_IN document).
  await admin(
    `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
    { i: { username: 'hc-keeper', displayName: '珲春市储备库库管员', password: TEST_PASSWORD, role: 'KEEPER', storeIds: [HUNCHUN] } },
    'createUser hc-keeper',
  );
  // D23: what leaves a store is ordered by one person and approved by another (the administrator here).
  const approvedOrder = async (as: string, decider: string, i: Record<string, unknown>, what: string) => {
    const o = ok(
      await ask(
        `mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id approval { id } } }`,
        { i: { idempotencyKey: idem(what), ...i } },
        as,
      ),
      `requestOutboundOrder ${what}`,
    ).requestOutboundOrder;
    ok(
      await ask(`mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { id } }`, { i: { approvalId: o.approval.id, decision: 'APPROVE' } }, decider),
      `decideApproval ${what}`,
    );
    return o.id as string;
  };
  // D13, D25: only the unscoped administrator orders stock from 珲春 to 卫辉 outside a plan (a keeper's destinations are
  // their city's), 珲春's dispatcher approves it and 珲春's keeper executes it. D24: an account's creator may not approve its requests nor have it
  // approve theirs, so this one stands as if another administrator had created it.
  await admin(
    `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
    { i: { username: 'hc-director', displayName: '珲春市应急管理局指挥长', password: TEST_PASSWORD, role: 'DISPATCHER', regionCode: '222404' } },
    'createUser hc-director',
  );
  // Its creation forgotten, with the password set then (password_sets is append-only: its guard is lifted for this alone).
  await db.transaction(async (tx) => {
    await tx.execute(sql`UPDATE users SET created_by = NULL WHERE username = 'hc-director'`);
    await tx.execute(sql`ALTER TABLE password_sets DISABLE TRIGGER password_sets_no_update_delete`);
    await tx.execute(sql`DELETE FROM password_sets WHERE user_id = (SELECT id FROM users WHERE username = 'hc-director')`);
    await tx.execute(sql`ALTER TABLE password_sets ENABLE TRIGGER password_sets_no_update_delete`);
  });
  const hcOrder = await approvedOrder(
    'admin',
    'hc-director',
    { storeId: HUNCHUN, purpose: 'TRANSFER', toStoreId: WEIHUI, lines: [{ itemId: itemId('LIV-004'), quantity: 40, batchId: HC_QUILT_BATCH }] },
    'hc',
  );
  const hc = ok(
    await ask(
      `mutation($i: ShipTransferInput!) { shipTransfer(input: $i) { id } }`,
      {
        i: {
          fromStoreId: HUNCHUN,
          toStoreId: WEIHUI,
          orderId: hcOrder,
          idempotencyKey: idem('hc'),
          lines: [{ itemId: itemId('LIV-004'), quantity: 40, batchId: HC_QUILT_BATCH }],
        },
      },
      'hc-keeper',
    ),
    'shipTransfer 珲春 → 卫辉',
  ).shipTransfer.id as string;
  fx.hcTransfer = hc;
  ok(
    await ask(
      `mutation($i: ReceiveTransferInput!) { receiveTransfer(input: $i) { id } }`,
      { i: { transferId: hc, idempotencyKey: idem('hc-in'), lines: [{ batchId: HC_QUILT_BATCH, quantity: 15 }] } },
      'keeper',
    ),
    'receiveTransfer 珲春 → 卫辉 (part)',
  );
  // A transfer inside 晋城: neither end in anyone's scope but the administrator's.
  const jcOrder = await approvedOrder(
    'admin',
    'jincheng',
    { storeId: JINCHENG, purpose: 'TRANSFER', toStoreId: JINCHENG_DISTRICT, lines: [{ itemId: itemId('FIR-001'), quantity: 5 }] },
    'jc',
  );
  const jcTransfer = (
    await admin(
      `mutation($i: ShipTransferInput!) { shipTransfer(input: $i) { id } }`,
      {
        i: {
          fromStoreId: JINCHENG,
          toStoreId: JINCHENG_DISTRICT,
          orderId: jcOrder,
          idempotencyKey: idem('jc'),
          lines: [{ itemId: itemId('FIR-001'), quantity: 5 }],
        },
      },
      'shipTransfer 晋城 → 城区',
    )
  ).shipTransfer.id as string;

  // Agreements of 晋城 (with a spot check) and 运城 (capacity) for an item no store holds: the planner offers them.
  const jcAgreement = (
    await admin(
      `mutation($i: AgreementInput!) { createAgreement(input: $i) { id } }`,
      {
        i: {
          mode: 'AGREEMENT',
          companyName: '晋城市泽州应急物资储备有限公司',
          regionCode: '140500',
          contractNo: 'JC-XY-2026-007',
          validFrom: '2026-01-01',
          validTo: '2027-12-31',
          annualFee: '52000.00',
          lines: [{ itemId: itemId('LIV-003'), quantity: 40, unitPrice: '3200.00', responseHours: 6 }],
        },
      },
      'createAgreement 晋城',
    )
  ).createAgreement.id as string;
  fx.jinchengAgreement = jcAgreement;
  await admin(
    `mutation($i: AgreementCheckInput!) { recordAgreementCheck(input: $i) { id } }`,
    {
      i: {
        agreementId: jcAgreement,
        checkedOn: '2026-06-20',
        findings: '指挥帐篷实存 36 顶，缺 4 顶，企业承诺 7 日内补足',
        lines: [{ itemId: itemId('LIV-003'), countedQuantity: 36 }],
      },
    },
    'recordAgreementCheck 晋城',
  );
  const ycAgreement = (
    await admin(
      `mutation($i: AgreementInput!) { createAgreement(input: $i) { id } }`,
      {
        i: {
          mode: 'CAPACITY',
          companyName: '运城市盐湖帐篷制造有限公司',
          regionCode: '140800',
          contractNo: 'YC-CN-2026-002',
          validFrom: '2026-01-01',
          validTo: '2028-12-31',
          annualFee: '9000.00',
          lines: [{ itemId: itemId('LIV-003'), dailyCapacity: 30, leadDays: 1, unitPrice: '3000.00' }],
        },
      },
      'createAgreement 运城',
    )
  ).createAgreement.id as string;
  const [xxAgreement] = await rows<{ id: string }>(sql`SELECT id::text FROM agreements WHERE contract_no = 'XY-2026-001'`);

  // Incidents in 卫辉 (in the dispatcher's region) and in 泽州县, 晋城 (outside it), each with an executed plan: the
  // 卫辉 plan takes stock and an agreement from 晋城 (more than 新乡 holds of those items).
  const incident = async (name: string, type: string, regionCode: string, location: { lat: number; lng: number }) =>
    (
      await admin(
        `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
        { i: { name, type, regionCode, location, affectedPopulation: 3000, responseLevel: 3 } },
        `createIncident ${name}`,
      )
    ).createIncident.id as string;
  const whIncident = await incident('卫辉市“7·22”山洪', 'FLOOD', '410781', { lat: 35.398, lng: 114.064 });
  const jcIncident = await incident('泽州县“7·18”煤矿透水事故', 'MINE_ACCIDENT', '140525', { lat: 35.442, lng: 112.833 });
  fx.weihuiIncident = whIncident;
  const whDestination = { name: '唐庄镇第一小学安置点', regionCode: '410781100000', lat: 35.475, lng: 114.012 };
  const jcDestination = { name: '南村镇安置点', regionCode: '140525100000', lat: 35.442, lng: 112.833 };
  const lines = (l: [string, number][]) => l.map(([code, quantity]) => ({ itemId: itemId(code), quantity }));
  const plan = async (incidentId: string, destination: object, l: [string, number][], what: string) => {
    const planId = (
      await admin(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        { i: { incidentId, destinations: [{ ...destination, lines: lines(l) }] } },
        `requestDispatch ${what}`,
      )
    ).requestDispatch.id as string;
    // D14: the administrator's emergency path (approve and execute at once; the written approval waits in the queue).
    await admin(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: planId }, `approveDispatchPlan ${what}`);
    await admin(
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`,
      { p: planId, k: idem('exec') },
      `executeDispatchPlan ${what}`,
    );
    return planId;
  };
  const whPlan = await plan(
    whIncident,
    whDestination,
    [
      ['MIN-001', 10],
      ['LIV-003', 20],
      ['FIR-001', 20],
    ],
    '卫辉',
  );
  const jcPlan = await plan(
    jcIncident,
    jcDestination,
    [
      ['MIN-001', 5],
      ['LIV-003', 5],
    ],
    '晋城',
  );
  fx.weihuiPlan = whPlan;
  // D29, D30: the 卫辉 plan's 安置点 receives its shipments and hands relief to a household (personal data, D29);
  // its command tents are then owed back (outstandingRecovery).
  for (const tr of await rows<{ id: string }>(sql`SELECT id::text FROM transfers WHERE dispatch_plan_id = ${whPlan}::uuid ORDER BY number`)) {
    const shipped = await rows<{ batch_id: string; shipped: number }>(
      sql`SELECT batch_id::text, shipped FROM transfer_lines WHERE transfer_id = ${tr.id}::uuid`,
    );
    await admin(
      `mutation($i: ReceiveTransferInput!) { receiveTransfer(input: $i) { id } }`,
      { i: { transferId: tr.id, idempotencyKey: idem('recv'), lines: shipped.map((l) => ({ batchId: l.batch_id, quantity: Number(l.shipped) })) } },
      'receiveTransfer 卫辉 plan',
    );
  }
  const [whPoint] = await rows<{ id: string }>(sql`SELECT store_id::text AS id FROM dispatch_destinations WHERE plan_id = ${whPlan}::uuid`);
  // What the point received (store or agreement sources depend on the planner): one unit of it goes to a household.
  const [held] = await rows<{ item_id: string }>(
    sql`SELECT item_id::text FROM balances WHERE store_id = ${whPoint.id}::uuid AND on_hand > 0 ORDER BY item_id LIMIT 1`,
  );
  await admin(
    `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { id } }`,
    {
      i: {
        storeId: whPoint.id,
        incidentId: whIncident,
        idempotencyKey: idem('dist'),
        household: { headName: '王建国', size: 3, idNumber: '41078119800101123X' },
        lines: [{ itemId: held?.item_id ?? itemId('LIV-003'), quantity: 1 }],
        // Sweep 11a F2: the plan's items are all equipment D12 always recovers, which has no relief standard: handed
        // to a household only with a reason (D29).
        overrideReason: '抢险设备临时交该户使用',
      },
    },
    'distributeRelief 卫辉',
  );
  fx.suggestWeihui = {
    incidentId: whIncident,
    destinations: [
      {
        ...whDestination,
        lines: lines([
          ['MIN-001', 3],
          ['LIV-003', 5],
          ['FIR-001', 5],
          ['LIV-001', 3000],
        ]),
      },
    ],
  };

  const doc = async (label: string, where: ReturnType<typeof sql>) => {
    const [d] = await rows<{ id: string }>(sql`SELECT id::text FROM documents WHERE ${where} ORDER BY recorded_at LIMIT 1`);
    if (!d) throw new Error(`fixture: no document ${label}`);
    return { label, value: d.id };
  };
  fx.stores = [
    { label: '卫辉 store (keeper’s)', value: WEIHUI },
    { label: '晋城 store', value: JINCHENG },
    { label: '珲春 store', value: HUNCHUN },
  ];
  fx.batches = [
    { label: '晋城 batch JC-MZP-2110', value: JC_TENT_BATCH },
    { label: '珲春 batch HC-MB-2211 (part in 卫辉)', value: HC_QUILT_BATCH },
    { label: '卫辉 batch WH-MB-2204', value: WH_QUILT_BATCH },
  ];
  fx.documents = [
    await doc('晋城 receipt', sql`store_id = ${JINCHENG}::uuid AND type = 'RECEIPT'`),
    await doc('珲春 → 卫辉 transfer out', sql`transfer_id = ${hc}::uuid AND type = 'TRANSFER_OUT'`),
    await doc('珲春 → 卫辉 transfer in', sql`transfer_id = ${hc}::uuid AND type = 'TRANSFER_IN'`),
    await doc('晋城 → 城区 transfer out', sql`transfer_id = ${jcTransfer}::uuid`),
    await doc('卫辉 receipt', sql`store_id = ${WEIHUI}::uuid AND type = 'RECEIPT'`),
  ];
  const planTransfers = await rows<{ id: string; plan: string }>(
    sql`SELECT id::text, dispatch_plan_id::text AS plan FROM transfers WHERE dispatch_plan_id IN (${whPlan}::uuid, ${jcPlan}::uuid) ORDER BY number`,
  );
  fx.transfers = [
    { label: '珲春 → 卫辉', value: hc },
    { label: '晋城 → 城区', value: jcTransfer },
    { label: '新乡 → 卫辉 (demo)', value: demoTransfer.id },
    ...planTransfers.map((p) => ({ label: `plan ${p.plan === whPlan ? '卫辉' : '晋城'} transfer`, value: p.id })),
  ];
  fx.orders = [
    { label: '珲春 → 卫辉 order', value: hcOrder },
    { label: '晋城 → 城区 order', value: jcOrder },
  ];
  fx.agreements = [
    { label: '晋城 agreement', value: jcAgreement },
    { label: '运城 capacity', value: ycAgreement },
    { label: '新乡 agreement', value: xxAgreement.id },
  ];
  fx.incidents = [
    { label: '卫辉 incident', value: whIncident },
    { label: '晋城 incident', value: jcIncident },
  ];
  fx.plans = [
    { label: '卫辉 plan (sources in 晋城)', value: whPlan },
    { label: '晋城 plan', value: jcPlan },
  ];
  fx.items = [{ label: 'LIV-001', value: itemId('LIV-001') }];
  fx.regionCodes = [
    { label: '晋城市', value: '140500' },
    { label: '珲春市', value: '222404' },
    { label: '卫辉市', value: '410781' },
  ];
  fx.regionParents = [
    { label: '新乡市', value: '410700' },
    { label: '晋城市', value: '140500' },
  ];
  fx.dispatchRequests = [
    { label: '卫辉, more than 新乡 holds', value: fx.suggestWeihui },
    {
      label: '晋城',
      value: {
        incidentId: jcIncident,
        destinations: [
          {
            ...jcDestination,
            lines: lines([
              ['MIN-001', 2],
              ['LIV-003', 2],
            ]),
          },
        ],
      },
    },
  ];
}

// ---- root-field variants: arguments from the fixtures

interface Variant {
  label: string;
  args: Record<string, unknown>;
}

/** Values for an argument of a root field, or undefined when the fixture has none. */
function fixtureFor(field: GraphQLField<unknown, unknown>, arg: string): Labelled[] | undefined {
  const returns = getNamedType(field.type).name;
  if (arg === 'id') {
    const byType: Record<string, Labelled[]> = {
      Agreement: fx.agreements,
      OutboundOrder: fx.orders,
      Batch: fx.batches,
      DispatchPlan: fx.plans,
      StockDocument: fx.documents,
      Incident: fx.incidents,
      Item: fx.items,
      Store: fx.stores,
      Transfer: fx.transfers,
    };
    return byType[returns];
  }
  if (arg === 'batchId') return fx.batches;
  if (arg === 'fromStoreId' || arg === 'storeId') return fx.stores;
  if (arg === 'itemId') return fx.items;
  if (arg === 'incidentId') return fx.incidents;
  if (arg === 'code') return fx.regionCodes.slice(0, 2);
  if (arg === 'parentCode') return fx.regionParents;
  if (arg === 'regionCode') return fx.regionCodes;
  const def = field.args.find((a) => a.name === arg)!;
  const input = getNamedType(def.type);
  if (input.name === 'DispatchRequestInput') return fx.dispatchRequests;
  if (arg === 'filter' && 'getFields' in input) {
    // One filter per fixture of each field the filter shares with the fixtures, and the empty filter.
    const fields = input.getFields();
    // Stores in and out of scope; for the rest, records out of everyone's scope but the control's (fewer queries).
    const per: Record<string, Labelled[]> = {
      storeId: fx.stores,
      regionCode: fx.regionCodes.slice(0, 1),
      batchId: fx.batches.slice(0, 1),
      documentId: fx.documents.slice(1, 2),
    };
    // The empty filter where the filter allows it (DocumentFilter requires its store).
    const out: Labelled[] = Object.values(fields).some((f) => isNonNullType(f.type)) ? [] : [{ label: '{}', value: {} }];
    for (const [name, values] of Object.entries(per)) {
      if (fields[name]) for (const v of values) out.push({ label: `${name}: ${v.label}`, value: { [name]: v.value } });
    }
    return out;
  }
  return undefined;
}

/** Arguments the walk always passes for a root field (lists that would otherwise be the whole country). */
const ROOT_DEFAULTS: Record<string, Record<string, unknown>> = {
  regions: { parentCode: '410700' },
  // Every store × batch of the country for the control otherwise (megabytes); 卫辉市 is in the regional roles' scope.
  reconciliation: { regionCode: '410781' },
  rotationDue: { regionCode: '410781' },
  rotationPlan: { regionCode: '410781' },
  // The administrator has no region of its own: 新乡's partners under the demo 联储 agreement (晋城).
  neighbourStock: { regionCode: '410700' },
};

function variantsOf(field: GraphQLField<unknown, unknown>): { variants: Variant[]; unfilled: string[] } {
  const base: Record<string, unknown> = { ...(ROOT_DEFAULTS[field.name] ?? {}) };
  if (field.args.some((a) => a.name === 'first')) base.first = EXPAND.listFirst;
  const unfilled: string[] = [];
  const extra: Variant[] = [];
  const baseLabel: string[] = [];
  for (const a of field.args) {
    if (a.name === 'first' || a.name === 'after') continue;
    const required = isNonNullType(a.type) && a.defaultValue === undefined;
    const values = fixtureFor(field, a.name);
    if (!values?.length) {
      if (required) unfilled.push(a.name);
      continue;
    }
    const rest = required ? values.slice(1) : values;
    if (required) {
      base[a.name] = values[0].value;
      baseLabel.push(`${a.name}=${values[0].label}`);
    }
    for (const v of rest) if (base[a.name] !== v.value) extra.push({ label: `${a.name}=${v.label}`, args: { [a.name]: v.value } });
  }
  const variants = [{ label: baseLabel.join(', ') || 'defaults', args: base }, ...extra.map((v) => ({ label: v.label, args: { ...base, ...v.args } }))];
  return { variants: unfilled.length ? [] : variants, unfilled };
}

// ---- running the walk

interface RunRecord {
  root: string;
  variant: string;
  role: string;
  query: string;
  leaks: Leak[];
  errors: { code: string; path: string; message: string }[];
  rootNull: boolean;
  /** Scoped objects seen, with the decision for this role. */
  seen: { type: string; key: string; decision: Decision }[];
}

interface WalkResult {
  runs: RunRecord[];
  skipped: SkippedField[];
  unfilled: { root: string; args: string[] }[];
  /** Root fields walked on this database, and those left to the other. */
  roots: string[];
  otherRoots: string[];
  /** Scoped types the queries of this part select, with the root fields that select them. */
  selected: Map<string, Set<string>>;
  /** Scoped types the queries of either part select. */
  selectedByEither: Set<string>;
  queries: number;
  ms: number;
  /** CPU time of this process during the walk (with PGlite, the database's too): the cost without the machine's load. */
  cpuMs: number;
  largest: number;
  /** Per role and scoped type: ids of out-of-scope records that reached the control's responses. */
  reach: Record<string, Map<string, Set<string>>>;
  /** Generated queries (of either part) that could not be split to fit the edge's limits. */
  overLimits: string[];
}

/** Scoped types a query selects: the types of its fields, whatever the answer. */
function scopedTypesIn(text: string): Set<string> {
  const info = new TypeInfo(schema);
  const types = new Set<string>();
  visit(
    parse(text),
    visitWithTypeInfo(info, {
      Field() {
        const type = info.getType();
        if (type && SCOPED[getNamedType(type).name]) types.add(getNamedType(type).name);
      },
    }),
  );
  return types;
}

let principals: Record<string, Principal>;
let walk: Promise<WalkResult> | undefined;

function decisionsOf(query: string, data: unknown, p: Principal, oracle: ScopeOracle, root: string, variant: string) {
  const seen: RunRecord['seen'] = [];
  const leaks = findLeaks(schema, query, data, p, oracle, { root, variant }, (o, d) => {
    if (d !== 'part' && d !== 'reference') seen.push({ type: o.typeName, key: SCOPED[o.typeName].key(o.value), decision: d });
  });
  return { leaks, seen };
}

function record(job: { root: string; variant: string; text: string }, role: string, res: GqlResult, oracle: ScopeOracle): RunRecord {
  const { leaks, seen } = decisionsOf(job.text, res.data, principals[role], oracle, job.root, job.variant);
  const rootValue = (res.data as Record<string, unknown> | null | undefined)?.[job.root];
  return {
    root: job.root,
    variant: job.variant,
    role,
    query: job.text,
    leaks,
    errors: (res.errors ?? []).map((e) => ({ code: String(e.extensions?.code ?? '?'), path: (e.path ?? []).join('.'), message: e.message })),
    rootNull: rootValue === null || rootValue === undefined,
    seen,
  };
}

async function runWalk(): Promise<WalkResult> {
  const started = Date.now();
  const cpuAtStart = process.cpuUsage();
  const oracle = new ScopeOracle(await loadSnapshot(t.database.db));
  const query = schema.getQueryType()!;
  const skipped: SkippedField[] = [];
  const unfilled: WalkResult['unfilled'] = [];
  const jobs: { root: string; variant: string; text: string }[] = [];
  let largest = 0;
  const overLimits: string[] = [];
  const roots: string[] = [];
  const otherRoots: string[] = [];
  const selected: WalkResult['selected'] = new Map();
  const selectedByEither = new Set<string>();
  // The queries of both parts are generated (it takes no database): the checks that need no answer cover the whole walk.
  for (const [index, field] of Object.values(query.getFields()).entries()) {
    if (SKIP_ROOT[field.name]) continue;
    const mine = inPart(index);
    (mine ? roots : otherRoots).push(field.name);
    const { variants, unfilled: missing } = variantsOf(field);
    if (missing.length) {
      unfilled.push({ root: field.name, args: missing });
      continue;
    }
    const named = getNamedType(field.type);
    const sels = isObjectType(named)
      ? expandType(named, EXPAND, skipped, { depth: 0, astDepth: 2, repeats: new Map(isConnectionWrapper(named) ? [] : [[named.name, 1]]) })
      : [];
    for (const v of variants) {
      const render = (part: Sel[]) =>
        withIdentity(schema, `query { ${field.name}${printArgs(field.args, v.args)}${isObjectType(named) ? ` { ${printSel(part)} }` : ''} }`, IDENTITY);
      const texts = fitToLimits(sels, render, (text) => withinLimits(measureQuery(text), LIMITS));
      texts.forEach((text, i) => {
        const m = measureQuery(text);
        largest = Math.max(largest, m.tokens);
        if (!withinLimits(m, LIMITS)) overLimits.push(`${field.name} (${v.label}): ${JSON.stringify(m)}`);
        for (const type of scopedTypesIn(text)) {
          selectedByEither.add(type);
          if (mine) selected.set(type, (selected.get(type) ?? new Set()).add(field.name));
        }
        if (mine) jobs.push({ root: field.name, variant: texts.length > 1 ? `${v.label} (part ${i + 1}/${texts.length})` : v.label, text });
      });
    }
  }
  const runs: RunRecord[] = [];
  const reach: WalkResult['reach'] = Object.fromEntries(ROLES.map((r) => [r, new Map()]));
  const timing = new Map<string, number>();
  const bytes = new Map<string, number>();
  const runJob = async (job: (typeof jobs)[number]) => {
    // The users of one query side by side; the control first in the list.
    const jobStart = Date.now();
    const results = await Promise.all([CONTROL, ...ROLES].map((role) => ask(job.text, undefined, role)));
    timing.set(job.root, (timing.get(job.root) ?? 0) + Date.now() - jobStart);
    if (process.env.SCOPE_WALK_PROFILE) {
      bytes.set(job.root, (bytes.get(job.root) ?? 0) + JSON.stringify(results[0]).length);
      if (job.root === process.env.SCOPE_WALK_PROFILE)
        writeFileSync(`/tmp/scope-walk-${job.root}.json`, JSON.stringify({ query: job.text, res: results[0] }, null, 1));
    }
    [CONTROL, ...ROLES].forEach((role, i) => runs.push(record(job, role, results[i], oracle)));
    // What the control saw that each role may not: the chances the walk gave the server to leak.
    for (const role of ROLES) {
      for (const l of findLeaks(schema, job.text, results[0].data, principals[role], oracle, job)) {
        if (!reach[role].has(l.type)) reach[role].set(l.type, new Set());
        reach[role].get(l.type)!.add(l.id);
      }
    }
  };
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await runJob(job);
    }),
  );
  if (process.env.SCOPE_WALK_PROFILE)
    console.info(
      [...timing]
        .sort((a, b) => b[1] - a[1])
        .map(([r, ms]) => `${r} ${ms} ms (${jobs.filter((j) => j.root === r).length} queries, control ${Math.round((bytes.get(r) ?? 0) / 1024)} KiB)`)
        .join('\n'),
    );
  const cpu = process.cpuUsage(cpuAtStart);
  return {
    runs,
    skipped,
    unfilled,
    roots,
    otherRoots,
    selected,
    selectedByEither,
    queries: jobs.length,
    ms: Date.now() - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    largest,
    reach,
    overLimits,
  };
}

const walked = () => (walk ??= runWalk().then((w) => (writeReport(w), w)));

/** One line per role × entry field × type of the primary leaks: what the failure shows (the report has the rest). */
function leakSummary(leaks: Leak[]): string[] {
  const lines = new Map<string, string>();
  for (const l of leaks.filter((x) => x.primary)) {
    const k = `${l.role} ${l.via} → ${l.type}`;
    if (!lines.has(k)) lines.set(k, `${k} (e.g. ${l.root}(${l.variant}) ${l.path} ${l.id})`);
  }
  return [...lines.values()].sort();
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

function writeReport(w: WalkResult) {
  const leaks = w.runs.flatMap((r) => r.leaks).filter((l) => l.role !== 'ADMIN');
  const primary = leaks.filter((l) => l.primary);
  const lines: string[] = [
    `# Scope walk: leaks detected (${t.database.kind})`,
    '',
    w.otherRoots.length
      ? `This database's part of the walk: ${w.roots.length} root fields (${w.roots.join(', ')}); the other ${w.otherRoots.length} are walked on the other database, whose report is beside this one.`
      : `The whole walk: ${w.roots.length} root fields.`,
    '',
    `${w.queries} generated queries × ${1 + ROLES.length} users (${CONTROL} as the control), depth ${EXPAND.maxDepth}, ${(w.ms / 1000).toFixed(1)} s (${(w.cpuMs / 1000).toFixed(1)} s CPU in the test process); ` +
      `largest query ${w.largest} tokens; ${rateLimitWaits} waits for the request budget.`,
    '',
    `**${leaks.length} leaked objects**: ${primary.length} where scoped data first escapes, the rest nested inside those; ` +
      `${new Set(leaks.map((l) => `${l.role}|${l.type}|${l.id}`)).size} distinct role × record.`,
    '',
    '| role | queries | answered with data | refusals (FORBIDDEN / NOT_FOUND errors) | other errors |',
    '|---|---|---|---|---|',
    ...[CONTROL, ...ROLES].map((role) => {
      const rs = w.runs.filter((r) => r.role === role);
      const refusals = rs.flatMap((r) => r.errors).filter((e) => e.code === 'FORBIDDEN' || e.code === 'NOT_FOUND').length;
      const other = rs.flatMap((r) => r.errors).length - refusals;
      return `| ${role} | ${rs.length} | ${rs.filter((r) => !r.rootNull).length} | ${refusals} | ${other} |`;
    }),
    '',
    '## Where scoped data escapes: the field each primary leak came through',
    '',
    '| field | exposes | roles | primary leaks | example (role, root field, variant, path) |',
    '|---|---|---|---|---|',
  ];
  const byVia = new Map<string, Leak[]>();
  for (const l of primary) byVia.set(l.via, [...(byVia.get(l.via) ?? []), l]);
  for (const [via, ls] of [...byVia].sort()) {
    const e = ls[0];
    lines.push(
      `| \`${via}\` | ${[...new Set(ls.map((l) => l.type))].join(', ')} | ${[...new Set(ls.map((l) => l.role))].join(', ')} | ${ls.length} | ${e.role} ${e.root} (${cell(e.variant)}) \`${e.path}\` |`,
    );
  }
  lines.push('', '## By role and type (all leaked objects)', '', '| role | type | leaked objects | distinct records | root fields |', '|---|---|---|---|---|');
  const groups = new Map<string, Leak[]>();
  for (const l of leaks) groups.set(`${l.role}|${l.type}`, [...(groups.get(`${l.role}|${l.type}`) ?? []), l]);
  for (const [k, ls] of [...groups].sort()) {
    const [role, type] = k.split('|');
    lines.push(`| ${role} | ${type} | ${ls.length} | ${new Set(ls.map((l) => l.id)).size} | ${[...new Set(ls.map((l) => l.root))].sort().join(', ')} |`);
  }
  lines.push(
    '',
    '## Coverage: out-of-scope records the control reached, and how many leaked',
    '',
    '| role | type | reached (control) | leaked |',
    '|---|---|---|---|',
  );
  for (const role of ROLES) {
    for (const [type, ids] of [...w.reach[role]].sort()) {
      const leaked = new Set(leaks.filter((l) => l.username === role && l.type === type).map((l) => l.id));
      lines.push(`| ${role} | ${type} | ${ids.size} | ${leaked.size} |`);
    }
  }
  lines.push(
    '',
    '## Primary leaks (first of each role × root field × path shape)',
    '',
    '| role | root field | variant | path | type | id |',
    '|---|---|---|---|---|---|',
  );
  const shown = new Set<string>();
  for (const l of primary) {
    const shape = `${l.role}|${l.root}|${l.path.replace(/\[\d+\]/g, '[]')}`;
    if (shown.has(shape)) continue;
    shown.add(shape);
    lines.push(`| ${l.role} | ${l.root} | ${cell(l.variant)} | \`${l.path}\` | ${l.type} | ${l.id} |`);
  }
  const adminProblems = w.runs.filter((r) => r.role === CONTROL && (r.errors.length || r.rootNull));
  lines.push('', '## Control (admin): errors or empty root fields', '');
  if (!adminProblems.length) lines.push('none');
  for (const r of adminProblems)
    lines.push(`- ${r.root} (${r.variant}): ${r.rootNull ? 'root null; ' : ''}${r.errors.map((e) => `${e.code} at ${e.path}: ${e.message}`).join('; ')}`);
  const unexpected = w.runs
    .filter((r) => r.role !== CONTROL)
    .flatMap((r) =>
      r.errors.filter((e) => !['FORBIDDEN', 'NOT_FOUND'].includes(e.code)).map((e) => ({ ...e, role: r.role, root: r.root, variant: r.variant })),
    );
  lines.push('', '## Errors other than FORBIDDEN / NOT_FOUND for the scoped roles', '');
  if (!unexpected.length) lines.push('none');
  for (const e of unexpected.slice(0, 50)) lines.push(`- ${e.role} ${e.root} (${e.variant}): ${e.code} at ${e.path}: ${e.message}`);
  // Not a leak, but not the contract either: a refused record answers null *with* FORBIDDEN or NOT_FOUND.
  const controlRoot = new Map(w.runs.filter((r) => r.role === CONTROL).map((r) => [`${r.root}|${r.variant}`, r.rootNull]));
  const silent = w.runs.filter((r) => r.role !== CONTROL && r.rootNull && !r.errors.length && controlRoot.get(`${r.root}|${r.variant}`) === false);
  lines.push('', '## Root fields answering null without an error where the control got data', '');
  lines.push(...(silent.length ? [...new Set(silent.map((r) => `- ${r.role} ${r.root} (${r.variant.replace(/ \(part .*\)$/, '')})`))] : ['none']));
  lines.push('', '## Generated queries over the edge limits', '');
  lines.push(...(w.overLimits.length ? w.overLimits.map((o) => `- ${o}`) : ['none']));
  lines.push('', '## Fields left out of the generated queries', '');
  for (const s of w.skipped) lines.push(`- ${s.type}.${s.field}: ${s.reason}`);
  for (const u of w.unfilled) lines.push(`- Query.${u.root}: required ${u.args.join(', ')} without a fixture`);
  for (const [root, why] of Object.entries(SKIP_ROOT)) lines.push(`- Query.${root}: skipped — ${why}`);
  if (!w.skipped.length && !w.unfilled.length && !Object.keys(SKIP_ROOT).length) lines.push('none');
  writeFileSync(REPORT, `${lines.join('\n')}\n`);
}

const leakLines = (leaks: Leak[]) => leaks.map((l) => `${l.role} ${l.root} (${l.variant}) ${l.path} ${l.type} ${l.id}: ${l.why}`);

/**
 * The app of this file without a cost limit or request budget (see LIMITS), and LIMITS from the configured depth and
 * token limits. The configuration and app module are looked up at run time: both are changing shape.
 */
async function liftEdgeBudgets() {
  const config: Record<string, any> = { ...t.config };
  const limits = config.queryLimits as { maxDepth?: number; maxTokens?: number; maxCost?: number } | undefined;
  if (!limits && !config.requestBudget) return;
  if (limits) {
    config.queryLimits = { ...limits, maxCost: Number.MAX_SAFE_INTEGER };
    if (limits.maxDepth) LIMITS.maxDepth = Math.min(LIMITS.maxDepth, limits.maxDepth);
    if (limits.maxTokens) LIMITS.maxTokens = Math.min(LIMITS.maxTokens, Math.floor(limits.maxTokens * 0.9));
    EXPAND.maxAstDepth = LIMITS.maxDepth - 1;
  }
  if (config.requestBudget) config.requestBudget = { perMinute: 1_000_000, burst: 1_000_000 };
  let buildApp: ((services: any) => typeof t.app) | undefined;
  for (const path of ['../../server/http/app.ts', '../../server/app.ts']) {
    buildApp ??= await import(/* @vite-ignore */ new URL(path, import.meta.url).href).then(
      (m) => m.buildApp,
      () => undefined,
    );
  }
  if (!buildApp) throw new Error('scope walk: cannot find buildApp to lift the cost limit');
  t.app = buildApp({ database: t.database, config, clock: t.clock, log: createLogger('silent') });
}

beforeAll(async () => {
  await liftEdgeBudgets();
  await createFixtures();
  // Log in first: logins write audit entries, and the oracle's snapshot should know them.
  for (const u of [CONTROL, ...ROLES]) await t.token(u);
  principals = Object.fromEntries(await Promise.all([CONTROL, ...ROLES].map(async (u) => [u, await loadPrincipal(t.database.db, u)])));
}, 120_000);

describe('scope walk: classification', () => {
  it('every object type of the schema is scoped, part of a scoped record, or reference data', () => {
    expect(unclassifiedTypes(schema).map((n) => `classify type ${n} as scoped or reference`)).toEqual([]);
  });

  it('a new object type in neither list fails the check', () => {
    const grown = extendSchema(schema, parse(`type SalvageOrder { id: ID! store: Store! }  extend type Query { salvageOrder(id: ID!): SalvageOrder }`));
    expect(unclassifiedTypes(grown)).toEqual(['SalvageOrder']);
  });

  it('the classification names no type the schema lacks', () => {
    const names = new Set(objectTypesOf(schema).map((type) => type.name));
    expect([...Object.keys(SCOPED), ...Object.keys(PART_OF), ...REFERENCE].filter((n) => !names.has(n))).toEqual([]);
  });

  it('connection wrappers wrap classified node types', () => {
    const wrappers = objectTypesOf(schema).filter((type) => type.name.endsWith('Edge') && isConnectionWrapper(type));
    const nodes = wrappers.map((w) => getNamedType(w.getFields().node.type).name);
    expect(nodes.filter((n) => !SCOPED[n] && !PART_OF[n] && !REFERENCE.includes(n))).toEqual([]);
  });
});

describe('scope walk: the walker is not fooled', () => {
  // A tiny world: store A in 新乡 (410781), store B in 晋城; batch X held only at B.
  const snap = emptySnapshot();
  const A = '00000000-0000-5000-8000-00000000000a';
  const B = '00000000-0000-5000-8000-00000000000b';
  const X = '00000000-0000-5000-8000-0000000000ff';
  snap.storeRegion.set(A, '410781000000').set(B, '140500000000');
  snap.batchStores.set(X, new Set([B]));
  snap.transfers.set('T', { fromStoreId: B, toStoreId: A });
  const oracle = new ScopeOracle(snap);
  const dispatcher: Principal = { username: 'd', role: 'DISPATCHER', regionCode: '410700000000', storeIds: new Set() };
  const keeper: Principal = { username: 'k', role: 'KEEPER', regionCode: null, storeIds: new Set([A]) };
  const query = withIdentity(schema, `query { transfer(id: "T") { fromStore { stock { edges { node { onHand batch { unitPrice } } } } } } }`, IDENTITY);
  const line = (store: string) => ({
    __typename: 'StockLine',
    onHand: 5,
    store: { __typename: 'Store', id: store },
    batch: { __typename: 'Batch', id: X, unitPrice: '1.00' },
  });
  const response = (store: string) => ({
    transfer: {
      __typename: 'Transfer',
      id: 'T',
      fromStore: { __typename: 'Store', id: store, stock: { __typename: 'StockLineConnection', edges: [{ __typename: 'StockLineEdge', node: line(store) }] } },
    },
  });

  it('adds the identity the oracle reads to a hand-written query', () => {
    expect(query).toMatch(/node \{\s*onHand\s*batch \{\s*unitPrice\s*__typename\s*id\s*\}\s*__typename\s*store \{\s*__typename\s*id\s*\}/);
  });

  it('reports the stock line and the batch of an out-of-scope store, with their paths', () => {
    const leaks = findLeaks(schema, query, response(B), dispatcher, oracle, { root: 'transfer', variant: 'fake' });
    expect(leaks.map((l) => [l.path, l.type, l.id, l.via, l.primary])).toEqual([
      ['transfer.fromStore.stock.edges[0].node', 'StockLine', `store ${B} batch ${X}`, 'Store.stock', true],
      ['transfer.fromStore.stock.edges[0].node.batch', 'Batch', X, 'StockLine.batch', false],
    ]);
    expect(findLeaks(schema, query, response(B), keeper, oracle, { root: 'transfer', variant: 'fake' })).toHaveLength(2);
  });

  it('passes what the role may see, and a field refused with null', () => {
    snap.batchStores.get(X)!.add(A);
    try {
      expect(findLeaks(schema, query, response(A), dispatcher, oracle, { root: 'transfer', variant: 'fake' })).toEqual([]);
    } finally {
      snap.batchStores.get(X)!.delete(A);
    }
    const refused = { transfer: { __typename: 'Transfer', id: 'T', fromStore: null } };
    expect(findLeaks(schema, query, refused, dispatcher, oracle, { root: 'transfer', variant: 'fake' })).toEqual([]);
  });

  it('counts an object it cannot identify, or an unknown record, as a leak', () => {
    const anonymous = { transfer: { __typename: 'Transfer', id: 'T', fromStore: { __typename: 'Store', id: B, stock: { edges: [{ node: { onHand: 5 } }] } } } };
    expect(findLeaks(schema, query, anonymous, dispatcher, oracle, { root: 'transfer', variant: 'fake' }).map((l) => l.why)).toEqual([
      'cannot be decided: StockLine.store.id not in the response',
    ]);
    const unknown = { transfer: { __typename: 'Transfer', id: 'nope', fromStore: null } };
    expect(findLeaks(schema, query, unknown, dispatcher, oracle, { root: 'transfer', variant: 'fake' }).map((l) => l.why)).toEqual([
      'cannot be decided: unknown transfer nope',
    ]);
  });

  it('reports a part of a scoped record met outside it', () => {
    // As if a new field Store.lastLine returned a DocumentLine without its document: a route to classify.
    const fake = buildSchema(`type Query { store: Store } type Store { id: ID! lastLine: DocumentLine } type DocumentLine { lineNo: Int }`);
    const q = `query { store { id lastLine { lineNo } } }`;
    const leaks = findLeaks(fake, q, { store: { id: A, lastLine: { lineNo: 1 } } }, dispatcher, oracle, { root: 'store', variant: 'fake' });
    expect(leaks.map((l) => [l.path, l.type])).toEqual([['store.lastLine', 'DocumentLine']]);
    expect(leaks[0].why).toMatch(/part of StockDocument\/Distribution reached outside it/);
    // Inside its document it is covered by the document's decision.
    snap.documents.set('D', { storeId: A, counterpartStoreId: null });
    const inside = `query { document(id: "D") { lines { lineNo } } }`;
    expect(
      findLeaks(
        schema,
        withIdentity(schema, inside, IDENTITY),
        { document: { __typename: 'StockDocument', id: 'D', lines: [{ __typename: 'DocumentLine', lineNo: 1 }] } },
        dispatcher,
        oracle,
        { root: 'document', variant: 'fake' },
      ),
    ).toEqual([]);
  });

  it('the generated walk reaches Store.stock below a transfer', () => {
    const sels = expandType(schema.getType('Transfer') as any, EXPAND, []);
    expect(printSel(sels)).toMatch(/fromStore \{[^]*stock\(first: 3\) \{[^]*edges \{[^]*node \{[^]*onHand/);
  });
});

describe('scope walk: generated from the schema', () => {
  it('no role sees a scoped record out of its scope, on any field reached from any root field (of this database’s part)', async () => {
    const w = await walked();
    const leaks = w.runs.filter((r) => r.role !== CONTROL).flatMap((r) => r.leaks);
    console.info(
      `scope walk (${t.database.kind}): ${w.roots.length} of ${w.roots.length + w.otherRoots.length} root fields, ${w.queries} queries × ${1 + ROLES.length} users in ${(w.ms / 1000).toFixed(1)} s (${(w.cpuMs / 1000).toFixed(1)} s CPU), ${leaks.length} leaked objects; report ${REPORT}`,
    );
    expect(leakSummary(leaks)).toEqual([]);
  }, 300_000);

  it('the control (admin) reaches every record kind its part selects, without errors', async () => {
    const w = await walked();
    const control = w.runs.filter((r) => r.role === CONTROL);
    expect(w.overLimits).toEqual([]);
    expect(control.flatMap((r) => r.errors.map((e) => `${r.root} (${r.variant}): ${e.code} at ${e.path}: ${e.message}`))).toEqual([]);
    expect(control.filter((r) => r.rootNull).map((r) => `${r.root} (${r.variant}): null`)).toEqual([]);
    // The two parts together select every scoped type, and each database's control reaches every one its part selects:
    // between them, every scoped type is reached (with SCOPE_WALK_ALL, on this database alone).
    expect(Object.keys(SCOPED).filter((type) => !w.selectedByEither.has(type))).toEqual([]);
    const reached = new Set(control.flatMap((r) => r.seen.map((s) => s.type)));
    expect(
      [...w.selected].filter(([type]) => !reached.has(type)).map(([type, roots]) => `${type}: selected on ${[...roots].join(', ')}, never reached`),
    ).toEqual([]);
    expect(control.flatMap((r) => r.leaks)).toEqual([]);
    // Each scoped role was offered records out of its scope (else the walk would prove nothing for it) — of the types
    // its part selects: a new root field moves the fields after it, and what they reach, to the other part.
    for (const role of ROLES) expect([...w.reach[role].keys()].sort(), role).toEqual(expect.arrayContaining(['Batch', 'StockLine']));
    expect([...w.reach.dispatcher.keys()].sort()).toEqual(
      expect.arrayContaining(
        ['Agreement', 'AgreementCheck', 'Batch', 'CallOff', 'DispatchPlan', 'Incident', 'Movement', 'StockDocument', 'StockLine', 'Transfer'].filter((type) =>
          w.selected.has(type),
        ),
      ),
    );
  });

  it('every root field with required arguments is filled from the fixtures (or skipped with a reason)', async () => {
    const w = await walked();
    expect(w.unfilled.map((u) => `Query.${u.root}: no fixture for ${u.args.join(', ')}`)).toEqual([]);
  });
});

// ---- the leaks known before the policy module: exact queries

const STOCK = `stock { edges { node { onHand value batch { unitPrice } } } }`;
async function leaksOf(role: string, root: string, query: string, variables?: Record<string, unknown>) {
  const text = withIdentity(schema, query, IDENTITY);
  const res = await ask(text, variables, role);
  const oracle = new ScopeOracle(await loadSnapshot(t.database.db));
  return { res, text, leaks: findLeaks(schema, text, res.data, principals[role], oracle, { root, variant: 'regression' }) };
}
const inline = (q: string, v: Record<string, unknown>) => Object.entries(v).reduce((s, [k, x]) => s.replaceAll(`$${k}`, JSON.stringify(x)), q);

describe('scope walk: known leaks', () => {
  const cases: [string, string, () => [string, string]][] = [
    [
      'keeper: transfer(珲春 → 卫辉) { fromStore { stock } }',
      'keeper',
      () => ['transfer', inline(`query { transfer(id: $id) { fromStore { ${STOCK} } } }`, { id: fx.hcTransfer })],
    ],
    [
      'keeper: batchTrace { movements { store { stock } } }',
      'keeper',
      () => ['batchTrace', inline(`query { batchTrace(batchId: $b) { movements { store { ${STOCK} } } } }`, { b: HC_QUILT_BATCH })],
    ],
    [
      'keeper: movements { document { store { stock } counterpartStore { stock } } }',
      'keeper',
      () => [
        'movements',
        inline(`query { movements(filter: { storeId: $s }, first: 50) { edges { node { document { store { ${STOCK} } counterpartStore { ${STOCK} } } } } } }`, {
          s: WEIHUI,
        }),
      ],
    ],
    [
      'auditor: journal { document { store { stock } } }',
      'auditor',
      () => ['journal', inline(`query { journal(filter: { storeId: $s }, first: 50) { edges { node { document { store { ${STOCK} } } } } } }`, { s: WEIHUI })],
    ],
    [
      'dispatcher: dispatchPlan { lines { store { stock } } }',
      'dispatcher',
      () => ['dispatchPlan', inline(`query { dispatchPlan(id: $p) { lines { store { ${STOCK} } } } }`, { p: fx.weihuiPlan })],
    ],
    [
      'dispatcher: incident { plans { lines { store { stock } } } }',
      'dispatcher',
      () => ['incident', inline(`query { incident(id: $i) { plans { lines { store { ${STOCK} } } } } }`, { i: fx.weihuiIncident })],
    ],
    [
      'keeper: transfer { shippedBy { stores { stock } } }',
      'keeper',
      () => ['transfer', inline(`query { transfer(id: $id) { shippedBy { stores { ${STOCK} } } } }`, { id: fx.hcTransfer })],
    ],
    [
      'keeper: batch(JC-MZP-2110) { unitPrice supplier owner }',
      'keeper',
      () => ['batch', inline(`query { batch(id: $b) { batchNo unitPrice fundingSource supplier { name } owner { name } } }`, { b: JC_TENT_BATCH })],
    ],
  ];

  it.each(cases)('%s', async (_name, role, build) => {
    const [root, query] = build();
    const { res, leaks } = await leaksOf(role, root, query);
    // The control sees the records, among them some out of the role's scope: the case reaches what it is about.
    const control = await leaksOf(CONTROL, root, query);
    expect(control.res.errors, JSON.stringify(control.res.errors)).toBeUndefined();
    const oracle = new ScopeOracle(await loadSnapshot(t.database.db));
    expect(findLeaks(schema, control.text, control.res.data, principals[role], oracle, { root, variant: 'control' }).length).toBeGreaterThan(0);
    expect(leakLines(leaks), JSON.stringify(res.errors ?? [])).toEqual([]);
  });

  it('dispatcher: suggestDispatchPlan { lines { store { stock } source { agreement { contractNo annualFee checks { findings } } } } } with sources in other regions', async () => {
    const query = `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { lines { store { ${STOCK} } source { agreement { contractNo annualFee checks { findings } } } } } }`;
    const text = withIdentity(schema, query, IDENTITY);
    const oracle = new ScopeOracle(await loadSnapshot(t.database.db));
    const control = await ask(text, { i: fx.suggestWeihui }, CONTROL);
    expect(control.errors, JSON.stringify(control.errors)).toBeUndefined();
    // The fixture works: the administrator's plan takes from a 晋城 store and the 晋城 agreement.
    const lines = control.data.suggestDispatchPlan.lines as any[];
    expect(lines.some((l) => l.store?.id === JINCHENG)).toBe(true);
    expect(lines.some((l) => l.source.agreement?.id === fx.jinchengAgreement)).toBe(true);
    expect(findLeaks(schema, text, control.data, principals.dispatcher, oracle, { root: 'suggestDispatchPlan', variant: 'control' }).length).toBeGreaterThan(0);
    const res = await ask(text, { i: fx.suggestWeihui }, 'dispatcher');
    const leaks = findLeaks(schema, text, res.data, principals.dispatcher, oracle, { root: 'suggestDispatchPlan', variant: 'regression' });
    expect(leakLines(leaks), JSON.stringify(res.errors ?? [])).toEqual([]);
  });
});
