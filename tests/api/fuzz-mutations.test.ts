import { appendFileSync } from 'node:fs';
import { buildClientSchema, getIntrospectionQuery, isEnumType, type GraphQLField, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';
import type { AppConfig } from '../../server/config.ts';
import { buildApp } from '../../server/http/app.ts';
import { createLogger } from '../../server/logger.ts';
import { createAgreement } from '../support/agreements.ts';
import { dbKind, NOW, useTestApp, type TestApp } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import {
  callerOf,
  formatFindings,
  inParallel,
  isFailure,
  ledgerProblems,
  literalOperation,
  logSummary,
  mutateArgs,
  OMIT,
  patched,
  post,
  prng,
  problemsIn,
  seedArgs,
  seedOf,
  selectionOf,
  serveWithLog,
  truncate,
  variablesOperation,
  type Applied,
  type Args,
  type Finding,
  type Guess,
  type LoggedServer,
} from '../support/fuzz.ts';

// Every mutation of the schema, fed 1,000 (FUZZ_PER_MUTATION) deterministic mutations of a valid input built from the
// demo data, shared between the suite's two databases: PGlite runs the even cases, PostgreSQL the odd ones (running
// the same inputs on both had doubled the suite's longest file for inputs mostly refused before any SQL). Whatever the input, the API must answer within 5 s with one of API.md's error codes — never a 5xx or an
// INTERNAL_SERVER_ERROR — and leave the ledger consistent with no negative balance.
//
// FUZZ_SEED picks another deterministic run, FUZZ_CONCURRENCY overrides the requests in flight, FUZZ_FINDINGS_FILE
// collects every finding as JSON lines (with the server's error and warning lines), TEST_LOG echoes the server log.

const PER_MUTATION = Number(process.env.FUZZ_PER_MUTATION ?? 1000);
/** This database's share of the cases: case numbers `first`, `first + 2`, … below PER_MUTATION. */
const FIRST_CASE = dbKind === 'postgres' ? 1 : 0;
const CASES = Math.ceil((PER_MUTATION - FIRST_CASE) / 2);
const RUN_SEED = Number(process.env.FUZZ_SEED ?? 20260720);
const TIMEOUT_MS = 5000;
// PGlite has one connection: concurrent requests would only queue. PostgreSQL serves several at once.
const WIDTH = Number(process.env.FUZZ_CONCURRENCY ?? (dbKind === 'postgres' ? 8 : 1));
const LITERAL_SHARE = 0.25;
// A hang on PGlite holds its only connection, so every later case would hang too.
const MAX_HANGS = 3;
// closePeriod refuses entries dated before the month end: fuzz it after everything that posts.
const RUN_LAST = ['closePeriod'];

type AnyField = GraphQLField<unknown, unknown>;

// Names and authScopes come from the schema module; the types from the API's introspection, because the server may
// run on the other copy of graphql (ESM and CJS) and graphql's type predicates refuse objects of another copy.
// Who sends a mutation when its auth scopes alone would pick someone who may not (a valid seed must be accepted).
// settle: the side owed confirms it (D24); the fixture's debt is owed by 新乡市, whose dispatcher may not confirm it.
// changePassword: a demo user no other case signs in as — its seed changes the password and ends the user's sessions.
// confirmCallOffDelivery admits keepers — of the 安置点 a call-off delivers to (sweep 20c F1); the fixtures' call-offs deliver
// to a 安置点 without managers, so it is fuzzed as the dispatcher, as before.
const CALLERS: Readonly<Record<string, string>> = { settle: 'admin', changePassword: 'jincheng', confirmCallOffDelivery: 'dispatcher' };
// A mutation without arguments has no input to fuzz (logout, which would also end the fuzzing caller's session: it has
// its own tests in session-after-password-reset.test.ts).
const mutations = Object.values(schema.getMutationType()!.getFields())
  .filter((f) => f.args.length > 0)
  .map((f) => ({ name: f.name, caller: CALLERS[f.name] ?? callerOf(f) }))
  .sort((a, b) => Number(RUN_LAST.includes(a.name)) - Number(RUN_LAST.includes(b.name)));

/**
 * The harness's configuration with room for the fuzzing: the fixed clock never refills the request budget, and the
 * login back-off would refuse most login cases before they reach the resolver (edge-*.test.ts test both).
 */
const fuzzConfig = (config: AppConfig): AppConfig => ({
  ...config,
  requestBudget: { perMinute: 1e9, burst: 1e9 },
  loginBackoff: { ...config.loginBackoff, maxFailuresPerUsername: 1e9, maxFailuresPerAddress: 1e9 },
});

// ---------------------------------------------------------------- the data seeds are built from

/** Real ids and codes, looked up (or created) as the users who may see them. */
interface Fixtures {
  /** Ids by kind ("store", "batch", "plan" …); seeds use the first. */
  ids: Record<string, string[]>;
  regionCode: string;
  location: { lat: number; lng: number };
  categoryCode: string;
  reasons: { code: string; usages: string[] }[];
  countedBatch: { id: string; onHand: number };
  incoming: { transferId: string; batchId: string };
  outgoingTransferId: string;
  /** A plan in the state each plan mutation needs. */
  plans: { approve: string; cancel: string; execute: string; recordWrittenApproval: string; requestWrittenApproval: string; recover: string };
  agreementItemId: string;
  /** D6 (sweep 18a F8): an agreement nothing calls off, for endAgreement (the one above has call-offs in flight). */
  endAgreementId: string;
  /** D17: a call-off of its own for cancelCallOff (the others are delivered by confirmCallOffDelivery). */
  cancelCallOffId: string;
  /** Entities the update mutations may change at will. */
  scratch: { itemId: string; storeId: string; userId: string; quotaId: string };
  /** D23: approved orders to execute and close, and an approval waiting for a decision. */
  orders: { issue: string; rotation: string; close: string; pendingApproval: string; ship: string; scrap: string; withdraw: string };
  settlementId: string;
  closableIncidentId: string;
  keeperStoreId: string;
  ownerOrgId: string;
  point: { storeId: string; incidentId: string };
}

/** The data of a fixture request (made through the harness), which must succeed. */
async function data<T = any>(t: TestApp, as: string, query: string, variables: Args = {}): Promise<T> {
  const res = await t.gql<T>(query, variables, as);
  if (res.errors) throw new Error(`fixture request failed: ${query.slice(0, 100)} → ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

/** Runs a query as a user and returns its single root field; a fixture that fails stops the file. */
type RootField = (as: string, query: string, variables?: Args) => Promise<any>;

const nodes = (connection: { edges: { node: any }[] }) => connection.edges.map((e) => e.node);

async function loadFixtures(t: TestApp, run: RootField): Promise<Fixtures> {
  const keeperStore = (await run('keeper', `{ me { stores { id location { lat lng } region { code } } } }`)).stores[0];
  const { region, location } = keeperStore;
  const regionCode: string = region.code;
  const nearby: string[] = nodes(
    await run('dispatcher', `query($r: String) { stores(regionCode: $r, first: 50) { edges { node { id } } } }`, { r: regionCode }),
  )
    .map((s) => s.id)
    .filter((id) => id !== keeperStore.id);
  const stores = nodes(await run('admin', `{ stores(first: 500) { edges { node { id level region { code } operator { id } } } } }`));
  const cityStore = stores.find((s) => s.level === 'CITY' && regionCode.startsWith(s.region.code.slice(0, 4)));
  const organizations = [...new Set(stores.flatMap((s) => (s.operator ? [s.operator.id as string] : [])))];
  const items: string[] = nodes(await run('admin', `{ items(first: 200) { edges { node { id } } } }`)).map((i) => i.id);
  const [mainItem, countedItem, agreementItem] = items;
  const reasons = await run('keeper', `{ stockReasons { code usages } }`);
  const categoryCode = (await run('keeper', `{ categories { code } }`))[0].code;
  const destinationRegion = (await run('dispatcher', `query($p: String) { regions(parentCode: $p) { code } }`, { p: regionCode }))[0].code;

  // Test databases start with empty stores: a batch to draw from and one to count at the keeper's, one at the city's.
  const receive = (as: string, storeId: string, key: string, lines: Args[]) =>
    run(as, `mutation($i: ReceiveStockInput!) { receiveStock(input: $i) { id lines { batch { id } } } }`, {
      i: { storeId, source: 'DONATION', sourceName: '模糊测试捐赠方', idempotencyKey: key, lines },
    });
  const stocked = await receive('keeper', keeperStore.id, 'fixture-keeper', [
    // Expiring before FUZZ-REVERSIBLE, so that plans and issues (FEFO) take from it: at one instant of the test clock two
    // batches of one expiry tie, and the tie is broken by batch id, which is keyed per database (sweep 14a F1).
    { itemId: mainItem, quantity: 100_000, batchNo: 'FUZZ-MAIN', expiryDate: '2031-01-01' },
    { itemId: countedItem, quantity: 1000, batchNo: 'FUZZ-COUNTED' },
  ]);
  const [mainBatch, countedBatch] = stocked.lines.map((l: any) => l.batch.id as string);
  // D3: an owner the keeper's store may record (its own government, the default owner of FUZZ-MAIN).
  const ownerOrgId: string = (await run('keeper', `query($b: ID!) { batch(id: $b) { owner { id } } }`, { b: mainBatch })).owner.id;
  const cityBatch = (await receive('admin', cityStore.id, 'fixture-city', [{ itemId: mainItem, quantity: 10_000, batchNo: 'FUZZ-CITY' }])).lines[0].batch.id;
  const reversible = await receive('keeper', keeperStore.id, 'fixture-reversible', [
    { itemId: mainItem, quantity: 10, batchNo: 'FUZZ-REVERSIBLE', expiryDate: '2032-01-01' },
  ]);

  // Stock on its way to the keeper's store (partial receipts keep it receivable), and some leaving it.
  // D23: each shipment executes a transfer order requested by the shipper and approved by someone else.
  const ship = async (as: string, fromStoreId: string, toStoreId: string, batchId: string, quantity: number) => {
    const lines = [{ itemId: mainItem, batchId, quantity }];
    const order = await run(as, `mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id approval { id } } }`, {
      i: { storeId: fromStoreId, purpose: 'TRANSFER', toStoreId, idempotencyKey: `fixture-order-${fromStoreId}-${toStoreId}`, lines },
    });
    await run(as === 'admin' ? 'director' : 'admin', `mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { id } }`, {
      i: { approvalId: order.approval.id, decision: 'APPROVE' },
    });
    return run(as, `mutation($i: ShipTransferInput!) { shipTransfer(input: $i) { id } }`, {
      i: { fromStoreId, toStoreId, orderId: order.id, idempotencyKey: `fixture-${fromStoreId}-${toStoreId}`, lines },
    });
  };
  const incoming = await ship('admin', cityStore.id, keeperStore.id, cityBatch, 5000);
  const outgoing = await ship('keeper', keeperStore.id, nearby[0], mainBatch, 1);

  const incident = await run('dispatcher', `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
    i: { name: '模糊测试洪涝', type: 'FLOOD', regionCode, location, affectedPopulation: 1000, responseLevel: 3 },
  });
  // An agreement for an item no store holds, so that a plan for it is served by a call-off.
  const agreementId = await createAgreement(
    t,
    {
      companyName: '模糊测试协议企业',
      regionCode,
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      lines: [{ itemId: agreementItem, quantity: 1000, unitPrice: '50.00', responseHours: 4 }],
    },
    'admin',
  );
  // D24: plans are requested by the administrator, so that the dispatcher who approves them and records their written
  // approval is a second person.
  const requestPlan = async (itemId: string, quantity = 1): Promise<string> =>
    (
      await run('admin', `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, {
        i: { incidentId: incident.id, destinations: [{ name: '模糊测试安置点', regionCode: destinationRegion, ...location, lines: [{ itemId, quantity }] }] },
      })
    ).id;
  const approved = async (planId: string) => {
    await run('admin', `mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: planId });
    return planId;
  };
  const execute = (planId: string) =>
    run(
      'dispatcher',
      `mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { lines { transfer { id lines { batch { id } inTransit } } } callOffs { id } } }`,
      {
        p: planId,
        k: `fixture-${planId}`,
      },
    );
  // D14: a plan whose written approval was rejected, so that its emergency approver (the dispatcher) submits it again.
  const writtenRejected = async (): Promise<string> => {
    const planId = await requestPlan(mainItem);
    await run('dispatcher', `mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: planId });
    const pending = await run('admin', `query($f: ApprovalFilter!) { approvals(filter: $f, first: 500) { edges { node { id subjectId } } } }`, {
      f: { status: 'PENDING', kind: 'EMERGENCY_WRITTEN_APPROVAL' },
    });
    const written = pending.edges.find((e: { node: { subjectId: string } }) => e.node.subjectId === planId).node.id;
    await run('director', `mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { id } }`, {
      i: { approvalId: written, decision: 'REJECT', reason: '模糊测试驳回' },
    });
    return planId;
  };
  const plans = {
    approve: await requestPlan(mainItem),
    cancel: await requestPlan(mainItem),
    execute: await approved(await requestPlan(mainItem)),
    recordWrittenApproval: await approved(await requestPlan(mainItem)),
    requestWrittenApproval: await writtenRejected(),
    recover: await approved(await requestPlan(mainItem)),
  };
  // distributeRelief draws from a 安置点 of its own, so that recovery still finds the stock it counts.
  const distributePlan = await approved(await requestPlan(mainItem, 2000));
  for (const { transfer } of [...(await execute(plans.recover)).lines, ...(await execute(distributePlan)).lines]) {
    await run('dispatcher', `mutation($i: ReceiveTransferInput!) { receiveTransfer(input: $i) { id } }`, {
      i: {
        transferId: transfer.id,
        idempotencyKey: `fixture-${transfer.id}`,
        lines: transfer.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.inTransit })),
      },
    });
  }
  const callOffs = (await execute(await approved(await requestPlan(agreementItem, 10)))).callOffs.map((c: any) => c.id as string);
  const cancelCallOffId = (await execute(await approved(await requestPlan(agreementItem, 10)))).callOffs[0].id as string;
  // Made after the plans above, so that none of them draws on it.
  const endAgreementId = await createAgreement(
    t,
    {
      companyName: '模糊测试终止协议企业',
      regionCode,
      validFrom: '2026-01-01',
      validTo: '2026-12-31',
      lines: [{ itemId: agreementItem, quantity: 10, unitPrice: '50.00', responseHours: 4 }],
    },
    'admin',
  );

  // D23: orders the executing mutations name — approved by someone other than the keeper who asked — and one waiting.
  const order = async (i: Args, approve: boolean) => {
    const o = await run('keeper', `mutation($i: OutboundOrderInput!) { requestOutboundOrder(input: $i) { id approval { id } } }`, {
      i: { storeId: keeperStore.id, idempotencyKey: `fixture-order-${String(i.purpose)}-${approve}`, ...i },
    });
    if (approve)
      await run('admin', `mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { id } }`, {
        i: { approvalId: o.approval.id, decision: 'APPROVE', approvalRef: '模糊测试〔2026〕1号' }, // D27: a scrap order needs one
      });
    return o;
  };
  const orders = {
    issue: (await order({ purpose: 'RELIEF', recipient: '模糊测试', lines: [{ itemId: mainItem, quantity: 10_000_000 }] }, true)).id as string,
    rotation: (await order({ purpose: 'ROTATION_SALE', recipient: '模糊测试', lines: [{ itemId: mainItem, batchId: mainBatch, quantity: 10_000_000 }] }, true))
      .id as string,
    close: (await order({ purpose: 'DRILL', recipient: '模糊测试', lines: [{ itemId: mainItem, quantity: 1 }] }, true)).id as string,
    pendingApproval: (await order({ purpose: 'LOAN', recipient: '模糊测试', lines: [{ itemId: mainItem, quantity: 1 }] }, false)).approval.id as string,
    // Sweep 24c F9: a request of the keeper's own, still pending, for withdrawApproval (its requester) to withdraw.
    withdraw: (await order({ purpose: 'DRILL', recipient: '模糊测试', lines: [{ itemId: mainItem, quantity: 1 }] }, false)).approval.id as string,
    ship: (await order({ purpose: 'TRANSFER', toStoreId: nearby[0], lines: [{ itemId: mainItem, quantity: 10_000_000 }] }, true)).id as string,
    // API.md, D23: government stock is scrapped only under an approved scrap order.
    scrap: (await order({ purpose: 'SCRAP', lines: [{ itemId: mainItem, batchId: mainBatch, quantity: 10_000_000 }] }, true)).id as string,
  };
  // D15, D25: a settlement — another county's stock serving this incident, owed back to it.
  const settleItem = items[3];
  const otherCounty = stores.find(
    (s) => s.level === 'COUNTY' && s.region.code.slice(0, 4) === regionCode.slice(0, 4) && !regionCode.startsWith(s.region.code.slice(0, 6)),
  );
  await receive('admin', otherCounty.id, 'fixture-settlement', [{ itemId: settleItem, quantity: 5, batchNo: 'FUZZ-SETTLE' }]);
  await execute(await approved(await requestPlan(settleItem, 5)));
  const settlementId = (await run('dispatcher', `{ settlements(status: OPEN) { id } }`))[0].id as string;
  // D29: the 安置点 the received plan delivered to, which holds stock to distribute.
  const point = (await run('dispatcher', `query($p: ID!) { dispatchPlan(id: $p) { destinations { store { id } } } }`, { p: distributePlan })).destinations[0]
    .store.id as string;
  // closeIncident ends an incident of its own: the others stay open for the relief mutations.
  const closable = await run('dispatcher', `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`, {
    i: { name: '模糊测试已结束事件', type: 'FLOOD', regionCode, location },
  });

  const scratchItem = await run('admin', `mutation($i: CreateItemInput!) { createItem(input: $i) { id } }`, {
    i: { code: 'FUZZ-SCRATCH', categoryCode, name: '模糊测试物资', unit: '个' },
  });
  const scratchStore = await run('admin', `mutation($i: CreateStoreInput!) { createStore(input: $i) { id } }`, {
    i: { code: 'FUZZ-SCRATCH', name: '模糊测试仓库', kind: 'GOVERNMENT', regionCode, location },
  });
  const scratchUser = await run('admin', `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
    i: { username: 'fuzz.scratch', displayName: '模糊测试用户', password: 'Fuzz-Password-2026', role: 'AUDITOR', regionCode },
  });
  // D19: a quota for removeQuota to remove (its seed runs once).
  const scratchQuota = await run('admin', `mutation($i: QuotaInput!) { upsertQuota(input: $i) { id } }`, {
    i: { itemId: mainItem, quantity: 7, storeId: keeperStore.id },
  });

  return {
    ids: {
      store: [keeperStore.id, ...nearby],
      item: [mainItem, ...items.filter((id) => id !== mainItem)],
      batch: [mainBatch, countedBatch],
      incident: [incident.id],
      plan: [plans.approve],
      transfer: [incoming.id],
      document: [reversible.id],
      agreement: [agreementId],
      callOff: callOffs,
      organization: organizations,
      user: [scratchUser.id],
    },
    regionCode,
    location,
    categoryCode,
    reasons,
    countedBatch: { id: countedBatch, onHand: 1000 },
    incoming: { transferId: incoming.id, batchId: cityBatch },
    outgoingTransferId: outgoing.id,
    plans,
    agreementItemId: agreementItem,
    endAgreementId,
    cancelCallOffId,
    scratch: { itemId: scratchItem.id, storeId: scratchStore.id, userId: scratchUser.id, quotaId: scratchQuota.id },
    orders,
    settlementId,
    closableIncidentId: closable.id,
    keeperStoreId: keeperStore.id,
    ownerOrgId,
    point: { storeId: point, incidentId: incident.id as string },
  };
}

// ---------------------------------------------------------------- valid seeds

/** storeId, fromStoreId, storeIds → store; dispatchPlanId → plan; sourceOrgId → organization; updateItem's id → item. */
function idKind(name: string, mutation: string): string {
  const base = name === 'id' ? mutation.replace(/^[a-z]+/, '') : name.replace(/Ids?$/, '').replace(/^(from|to|source|owner|dispatch)(?=[A-Z])/, '');
  const kind = base.charAt(0).toLowerCase() + base.slice(1);
  return kind === 'org' ? 'organization' : kind;
}

/** A valid leaf for the demo data, from the field's name and type; `i` makes unique values unique per case. */
const guess =
  (fx: Fixtures, mutation: string, i: number): Guess =>
  ({ name, owner, type, required }) => {
    if (isEnumType(type)) return type.getValues()[0].name;
    switch (type.name) {
      case 'ID': {
        const pool = fx.ids[idKind(name, mutation)] ?? [];
        // A destination store differs from the source store.
        const id = name.startsWith('to') ? pool[1] : pool[0];
        return id ?? (required ? '00000000-0000-4000-8000-000000000000' : OMIT);
      }
      case 'String':
        return stringFor(fx, name, owner, mutation, i);
      case 'Int':
        return 1;
      case 'Float':
        return name === 'lat' ? fx.location.lat : name === 'lng' ? fx.location.lng : 6;
      case 'Boolean':
        return true;
      case 'Date':
        return /^(expiry|validTo)/.test(name) ? '2030-12-31' : /^(production|validFrom)/.test(name) ? '2026-01-01' : '2026-07-01';
      case 'DateTime':
        return NOW;
      case 'Money':
        return '12.50';
      default:
        return required ? 'fuzz' : OMIT;
    }
  };

function stringFor(fx: Fixtures, name: string, owner: string, mutation: string, i: number): string {
  const unique = `${mutation}-${i < 0 ? 'seed' : i}`;
  if (name === 'idempotencyKey') return `fuzz-${unique}`;
  if (name === 'code') return `FZ-${unique}`;
  if (name === 'spec') return `模糊测试 spec ${unique}`; // a name and a spec identify one item (D5)
  if (name === 'name' && /^(create|update)Store$/.test(mutation)) return `模糊测试 name ${unique}`; // one name per region's stores (sweep 11b B2)
  if (name === 'username') return `fuzz.${unique}`;
  if (name === 'batchNo') return `FUZZ-${mutation}`;
  if (name === 'gbCode') return '1010101';
  if (/phone/i.test(name)) return '13800138000';
  if (name === 'regionCode') return fx.regionCode;
  if (name === 'categoryCode') return fx.categoryCode;
  if (name === 'month') return '2026-06';
  if (name === 'password') return 'Fuzz-Password-2026';
  if (/reason$/i.test(name)) {
    // A reason code where the input type names a usage (IssueStockInput → ISSUE …); free text elsewhere.
    const usage = fx.reasons.flatMap((r) => r.usages).find((u) => owner.toUpperCase().includes(u));
    return usage ? fx.reasons.find((r) => r.usages.includes(usage))!.code : '模糊测试原因';
  }
  return `模糊测试 ${name}`;
}

/** What a valid input needs beyond the generic guess. */
const overrides = (fx: Fixtures): Record<string, Args> => ({
  login: { username: 'auditor', password: TEST_PASSWORD },
  changePassword: { oldPassword: TEST_PASSWORD, newPassword: 'Fuzz-Password-2026' },
  approveDispatchPlan: { planId: fx.plans.approve, approvalRef: OMIT },
  cancelDispatchPlan: { planId: fx.plans.cancel },
  // D29 (sweep 14c MEDIUM-2): a destination given by id is one of the incident's 安置点, not any store.
  requestDispatch: { input: { destinations: [{ storeId: fx.point.storeId }] } },
  executeDispatchPlan: { planId: fx.plans.execute },
  // D21: a call-off delivery is booked at the agreement's price (a different one is refused).
  confirmCallOffDelivery: { input: { unitPrice: OMIT } },
  cancelCallOff: { callOffId: fx.cancelCallOffId },
  recordWrittenApproval: { planId: fx.plans.recordWrittenApproval },
  requestWrittenApproval: { planId: fx.plans.requestWrittenApproval },
  cancelTransfer: { transferId: fx.outgoingTransferId },
  // A discrepancy reason closes the line: without one the transfer stays receivable for the following cases.
  receiveTransfer: { input: { transferId: fx.incoming.transferId, lines: [{ batchId: fx.incoming.batchId, discrepancyReason: OMIT }] } },
  submitStocktake: { input: { counts: [{ batchId: fx.countedBatch.id, countedQuantity: fx.countedBatch.onHand, reason: OMIT }] } },
  recordAgreementCheck: { input: { lines: [{ itemId: fx.agreementItemId }] } },
  // D6 (sweep 18a F8): an agreement no plan or call-off claims, ended within its validity.
  endAgreement: { input: { agreementId: fx.endAgreementId, endOn: '2026-09-30' } },
  // D23: the reason the order's purpose (救灾发放) allows, to the recipient it was approved for (left out: the order's).
  issueStock: { input: { orderId: fx.orders.issue, reason: 'RELIEF', recipient: OMIT } },
  receiveStock: { input: { lines: [{ ownerOrgId: fx.ownerOrgId }] } },
  // D23 (sweep 21b F2): to the counterpart the order was approved for (left out: the order's recipient).
  rotateStock: { input: { orderId: fx.orders.rotation, counterpart: OMIT } },
  scrapStock: { input: { orderId: fx.orders.scrap } },
  // D24 (sweep 23c F1): closing the approved order; `withdraw` (a Boolean, guessed true) is for a pending one only.
  closeOutboundOrder: { orderId: fx.orders.close, withdraw: OMIT },
  decideApproval: { input: { approvalId: fx.orders.pendingApproval, decision: 'APPROVE' } },
  withdrawApproval: { approvalId: fx.orders.withdraw },
  createJointReserveAgreement: { input: { regionCodes: ['410700', '140500'], validFrom: '2026-01-01', validTo: '2027-12-31', lines: OMIT } },
  shipTransfer: { input: { dispatchPlanId: OMIT, orderId: fx.orders.ship } },
  requestOutboundOrder: { input: { storeId: fx.keeperStoreId, toStoreId: OMIT, incidentId: OMIT } },
  openDistributionPoint: { input: { managerIds: OMIT } },
  settle: { input: { settlementId: fx.settlementId, documentId: OMIT } },
  closeIncident: { incidentId: fx.closableIncidentId },
  createDownloadLink: { path: '/exports/stock.csv' },
  loadRegionTree: { code: '410781' },
  // D23, D24, D30: a store named is the owner's or the one the stock was shipped from (the keeper's store, sweep 14c HIGH-2).
  recoverIncidentStock: { input: { planId: fx.plans.recover, lines: OMIT, toStoreId: fx.keeperStoreId } },
  upsertReliefStandard: { input: { perHousehold: OMIT } },
  distributeRelief: { input: { ...fx.point, household: { idNumber: '410781198001020011' } } },
  createAgreement: { input: { mode: 'AGREEMENT', storeId: OMIT, lines: [{ dailyCapacity: OMIT, leadDays: OMIT }] } },
  upsertQuota: { input: { regionCode: OMIT } },
  // D10: the rotation lead is shorter than the storage life.
  createItem: { input: { storageLifeMonths: 36, rotationLeadMonths: 12 } },
  updateItem: { id: fx.scratch.itemId, input: { storageLifeMonths: 36, rotationLeadMonths: 12 } },
  updateStore: { id: fx.scratch.storeId },
  removeQuota: { id: fx.scratch.quotaId },
  createUser: { input: { role: 'KEEPER', regionCode: OMIT } },
  updateUser: { id: fx.scratch.userId, input: { role: 'KEEPER', regionCode: OMIT } },
});

// ---------------------------------------------------------------- the fuzzing

describe(`fuzzing every mutation (${CASES} of ${PER_MUTATION} cases each, seed ${RUN_SEED}, ${WIDTH} at a time)`, () => {
  const t = useTestApp();
  let app: LoggedServer;
  let served: GraphQLSchema;
  let fx: Fixtures;
  let patches: Record<string, Args>;
  const reportedLedgerProblems = new Set<string>();

  beforeAll(async () => {
    const echo = process.env.TEST_LOG ? createLogger('debug') : undefined;
    app = serveWithLog((log) => buildApp({ database: t.database, config: fuzzConfig(t.config), clock: t.clock, log }), echo);
    served = buildClientSchema(await data<IntrospectionQuery>(t, 'admin', getIntrospectionQuery()));
    fx = await loadFixtures(t, async (as, query, variables) => Object.values(await data(t, as, query, variables))[0]);
    patches = overrides(fx);
  });

  afterAll(async () => {
    await new Promise((resolve) => app?.server.close(resolve));
  });

  const seedFor = (field: AnyField, i: number) => patched(seedArgs(field, guess(fx, field.name, i)), patches[field.name] ?? {}) as Args;

  /** Sends one request as the caller and judges the reply: its failures, else the lines the server logged for it. */
  async function attempt(caller: string | null, body: { query: string; variables?: Args }, about: Omit<Finding, 'kind' | 'message'>) {
    const token = caller ? await t.token(caller) : undefined;
    const reply = await post(app.server, about.replay, body, token, TIMEOUT_MS);
    const problems = problemsIn(reply);
    const logged = app.takeLog(about.replay).map(logSummary);
    const findings: Finding[] = problems.length
      ? problems.map((p) => ({ ...about, ...p, log: logged.join('\n') || undefined }))
      : logged.map((summary) => ({ ...about, kind: 'SERVER_LOGGED', message: summary }));
    return { reply, findings };
  }

  async function fuzz(name: string, caller: string | null): Promise<Finding[]> {
    const field = served.getMutationType()!.getFields()[name] as AnyField;
    const selection = selectionOf(field.type);
    const withVariables = variablesOperation(field, selection);
    const about = (which: number | string, applied: Applied[], literal: boolean, input: string) => ({
      mutation: name,
      replay: `${RUN_SEED}:${name}:${which}`,
      applied,
      literal,
      input: truncate(input),
    });

    // Unmutated, the seed must be accepted: otherwise every case only exercises the check that refuses it.
    const seed = seedFor(field, -1);
    const first = await attempt(caller, { query: withVariables, variables: seed }, about('seed', [], false, JSON.stringify(seed)));
    const findings = [...first.findings];
    const refusal = !first.reply.hang && first.reply.body?.errors;
    if (refusal) {
      const message = refusal.map((e) => `${e.extensions?.code}: ${e.message}`).join('; ');
      findings.push({ ...about('seed', [], false, JSON.stringify(seed)), kind: 'SEED_REJECTED', message });
    }

    let hangs = 0;
    await inParallel(CASES, WIDTH, async (n) => {
      if (hangs >= MAX_HANGS) return;
      const i = FIRST_CASE + 2 * n;
      const rng = prng(seedOf(RUN_SEED, name, i));
      const { args, applied } = mutateArgs(seedFor(field, i), field, rng);
      const literal = rng() < LITERAL_SHARE;
      const body = literal ? { query: literalOperation(field, args, selection) } : { query: withVariables, variables: args };
      const { reply, findings: found } = await attempt(caller, body, about(i, applied, literal, literal ? body.query : JSON.stringify(args)));
      if (reply.hang) hangs++;
      findings.push(...found);
    });
    // A broken invariant stays broken: it is reported by the mutation whose cases broke it, not by every later one.
    for (const p of await ledgerProblems(t.database.db)) {
      if (reportedLedgerProblems.has(p.message)) continue;
      reportedLedgerProblems.add(p.message);
      findings.push({ ...about('after', [], false, '(the database after all cases)'), ...p });
    }
    return findings;
  }

  for (const { name, caller } of mutations) {
    it(
      `${name} (as ${caller ?? 'anonymous'})`,
      async () => {
        const findings = await fuzz(name, caller);
        if (process.env.FUZZ_FINDINGS_FILE) {
          appendFileSync(process.env.FUZZ_FINDINGS_FILE, findings.map((f) => `${JSON.stringify({ db: dbKind, ...f })}\n`).join(''));
        }
        const failures = findings.filter(isFailure);
        expect(failures.length, `${failures.length} failures (FUZZ_SEED=${RUN_SEED})\n${formatFindings(failures)}`).toBe(0);
      },
      CASES * 1000 + 60_000,
    );
  }
});
