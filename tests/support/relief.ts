import { userId } from '../../seeds/demo.ts';
import type { TestApp } from './harness.ts';
import { key, QUILT, receive, WEIHUI } from './ledger.ts';
import { ok, receiveTransferRaw, shipRaw } from './ledger-ops.ts';

export { ok };

// Helpers for the relief and dispatch tests (tests/api/relief-*.test.ts and others): an incident, a plan requested for
// it, and stock delivered to its 安置点 by a plan.

export async function createIncident(t: TestApp, input: Record<string, unknown>, as = 'dispatcher'): Promise<string> {
  const res = await t.gql(
    `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
    { i: { name: '卫辉市洪涝灾害', type: 'FLOOD', regionCode: '410781', location: { lat: 35.398, lng: 114.064 }, ...input } },
    as,
  );
  return ok(res).createIncident.id;
}

/** requestDispatch of one item to a new 安置点 at 汲水镇中心小学 (卫辉市), due in 48 h; returns the plan's `fields` (asserting it worked). */
export async function requestPlan(t: TestApp, incidentId: string, itemId: string, quantity: number, fields = 'id', as = 'dispatcher') {
  const destination = { name: '汲水镇中心小学安置点', regionCode: '410781100000', lat: 35.3985, lng: 114.065, lines: [{ itemId, quantity }] };
  return ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { ${fields} } }`,
      { i: { incidentId, deadlineHours: 48, destinations: [destination] } },
      as,
    ),
  ).requestDispatch;
}

export interface Destination {
  name: string;
  regionCode: string;
  lat: number;
  lng: number;
  storeId?: string;
  lines: { itemId: string; quantity: number }[];
}

export const PLAN_FIELDS = `id status lines { destination { index name store { id } } item { id } store { id } batch { id batchNo } quantity etaHours
  transfer { id lines { batch { id } inTransit } } }`;

/** requestDispatch → emergency approval → execution; returns the executed plan. */
export async function executedPlan(t: TestApp, incidentId: string, destinations: Destination[], as = 'dispatcher') {
  const plan = ok(
    await t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`, { i: { incidentId, destinations } }, as),
  ).requestDispatch;
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p, emergency: true) { id } }`, { p: plan.id }, as));
  return ok(
    await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { ${PLAN_FIELDS} } }`, { p: plan.id, k: key() }, as),
  ).executeDispatchPlan;
}

/** Receives every shipment of a plan in full at its destination, at `occurredAt` (default now). */
export async function receiveAll(t: TestApp, plan: any, occurredAt?: string, as = 'dispatcher') {
  const ids = [...new Set(plan.lines.flatMap((l: any) => (l.transfer ? [l.transfer.id] : [])))] as string[];
  for (const id of ids) {
    const tr = plan.lines.find((l: any) => l.transfer?.id === id).transfer;
    ok(
      await t.gql(
        `mutation($i: ReceiveTransferInput!) { receiveTransfer(input: $i) { status } }`,
        { i: { transferId: id, idempotencyKey: key(), occurredAt, lines: tr.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.inTransit })) } },
        as,
      ),
    );
  }
}

/**
 * D29's fixture: an incident in 卫辉市, a 安置点 managed by the demo keeper holding 60 棉被 (batch `batchNo`, shipped from
 * 卫辉市救灾物资储备库), and the region's relief standard for 棉被 of 1 per person.
 */
/** Opens a 安置点 of the incident in 汲水镇 (卫辉市), managed by the demo keeper; `extra` overrides place or capacity. */
export async function openPoint(t: TestApp, incidentId: string, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  return ok(
    await t.gql(
      `mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id } }`,
      { i: { incidentId, name, regionCode: '410781100000', lat: 35.47, lng: 114.01, capacity: 500, managerIds: [userId('keeper')], ...extra } },
      'dispatcher',
    ),
  ).openDistributionPoint.id as string;
}

export async function stockedPoint(t: TestApp, name: string, batchNo: string): Promise<{ incidentId: string; point: string }> {
  await receive(t, 'keeper', WEIHUI, [{ itemId: QUILT, quantity: 60, batchNo, expiryDate: '2031-01-01' }]);
  const incidentId = await createIncident(t, { affectedPopulation: 500, responseLevel: 4 });
  const point = await openPoint(t, incidentId, name);
  const shipped = ok(await shipRaw(t, 'keeper', { fromStoreId: WEIHUI, toStoreId: point, lines: [{ itemId: QUILT, quantity: 60 }] })).shipTransfer;
  ok(await receiveTransferRaw(t, 'keeper', { transferId: shipped.id, lines: shipped.lines.map((l: any) => ({ batchId: l.batch.id, quantity: l.shipped })) }));
  ok(
    await t.gql(
      `mutation($i: ReliefStandardInput!) { upsertReliefStandard(input: $i) { perPerson } }`,
      { i: { regionCode: '410781', itemId: QUILT, perPerson: 1 } },
      'dispatcher',
    ),
  );
  return { incidentId, point };
}

/**
 * D29: hands `quantity` 棉被 to `household` at the stockedPoint fixture's 安置点, as the keeper who manages it; the
 * answer as it came (refusals included). `at` is read at each call: the fixture is made in beforeAll.
 */
export const quiltDistributor =
  (t: TestApp, at: () => { incidentId: string; point: string }, fields: string) =>
  (household: Record<string, unknown>, quantity: number, extra: Record<string, unknown> = {}) =>
    t.gql(
      `mutation($i: DistributeReliefInput!) { distributeRelief(input: $i) { ${fields} } }`,
      { i: { storeId: at().point, incidentId: at().incidentId, household, lines: [{ itemId: QUILT, quantity }], idempotencyKey: key(), ...extra } },
      'keeper',
    );
