import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { useTestApp } from '../support/harness.ts';
import { key, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { createIncident } from '../support/relief.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep 14c HIGH-1: D3 owner ≠ holder, D25 "every use of another level's or region's stock leaves a settlement owed".
// A settlement is owed to whose stock it is — the government that owns the batch — not to the store that holds it: the
// city's own tents kept in 卫辉's store, used by the city, had opened a debt of the city to 卫辉 (109,000 yuan for its
// own tents), while 卫辉's dispatchers using the city's sandbags kept there owed the city nothing.

const t = useTestApp();
const HUIXIAN = { name: '辉县市一中安置点', regionCode: '410782', lat: 35.46, lng: 113.8 };
const TANGZHUANG = { name: '唐庄镇安置点', regionCode: '410781100000', lat: 35.4, lng: 114.06 };
const WEIHUI_DISPATCHER = 'weihui-dispatcher';
const SETTLEMENTS = `query { settlements { quantity value owedTo { code } owedBy { code } store { id } plan { id } } }`;

let itemCount = 0;
let cityGovernment: string;

/** A fresh item, so that nothing but the stock these tests receive can serve its plans. */
async function newItem(): Promise<string> {
  itemCount += 1;
  const input = { categoryCode: 'LIVING', code: `T-OWN-${itemCount}`, name: `结算测试物资 ${itemCount}`, unit: '件' };
  return ok(await t.gql(`mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`, { input }, 'admin')).createItem.id;
}

/** A plan for `quantity` of `item` to `destination`, requested by `as`, approved by the city's director, executed. */
async function executePlan(incidentId: string, destination: Record<string, unknown>, item: string, quantity: number, as: string) {
  const plan = ok(
    await t.gql(
      `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id lines { store { id } quantity needsConsent } } }`,
      { i: { incidentId, deadlineHours: 48, destinations: [{ ...destination, lines: [{ itemId: item, quantity }] }] } },
      as,
    ),
  ).requestDispatch;
  expect(plan.lines).toEqual([{ store: { id: WEIHUI }, quantity, needsConsent: false }]);
  ok(await t.gql(`mutation($p: ID!) { approveDispatchPlan(planId: $p) { id } }`, { p: plan.id }, 'director'));
  ok(await t.gql(`mutation($p: ID!, $k: String!) { executeDispatchPlan(planId: $p, idempotencyKey: $k) { id } }`, { p: plan.id, k: key() }, as));
  return plan.id as string;
}

const settlementsOf = async (planId: string) =>
  ok(await t.gql(SETTLEMENTS, {}, 'admin')).settlements.filter((s: { plan: { id: string } | null }) => s.plan?.id === planId);

beforeAll(async () => {
  // A receipt at the city's store registers the city's government, the owner of what the city buys and keeps anywhere.
  await receive(t, 'admin', XINXIANG, [{ itemId: await newItem(), quantity: 1, batchNo: 'OWN-CITY-REG', unitPrice: '1.00' }]);
  [{ id: cityGovernment }] = await queryRows<{ id: string }>(t.database.db, sql`SELECT id::text FROM organizations WHERE name = '新乡市人民政府'`);
  ok(
    await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username: WEIHUI_DISPATCHER, password: TEST_PASSWORD, displayName: '卫辉市调度员', role: 'DISPATCHER', regionCode: '410781' } },
      'admin',
    ),
  );
});

describe('D3, D25: a settlement is owed to the owner of the stock used, not to the store that holds it (sweep 14c HIGH-1)', () => {
  it('the city’s own stock kept in 卫辉’s store, used by the city for 辉县, owes 卫辉 nothing', async () => {
    const item = await newItem();
    await receive(t, 'admin', WEIHUI, [{ itemId: item, quantity: 20, batchNo: 'OWN-CITY-AT-WH', unitPrice: '2180.00', ownerOrgId: cityGovernment }]);
    const incident = await createIncident(t, { name: '辉县市山洪', regionCode: '410782', location: { lat: 35.46, lng: 113.8 } });
    const planId = await executePlan(incident, HUIXIAN, item, 20, 'dispatcher');
    expect(await settlementsOf(planId)).toEqual([]);
  });

  it('卫辉’s own stock used by the city for 辉县 is owed to 卫辉, as before', async () => {
    const item = await newItem();
    await receive(t, 'admin', WEIHUI, [{ itemId: item, quantity: 8, batchNo: 'OWN-WH-AT-WH', unitPrice: '12.50' }]);
    const incident = await createIncident(t, { name: '辉县市山洪二', regionCode: '410782', location: { lat: 35.46, lng: 113.8 } });
    const planId = await executePlan(incident, HUIXIAN, item, 8, 'dispatcher');
    expect(await settlementsOf(planId)).toEqual([
      { quantity: 8, value: '100.00', owedTo: { code: '410781000000' }, owedBy: { code: '410700000000' }, store: { id: WEIHUI }, plan: { id: planId } },
    ]);
  });

  it('the city’s stock kept in 卫辉’s store, used by 卫辉 for its own incident, is owed to the city', async () => {
    const item = await newItem();
    await receive(t, 'admin', WEIHUI, [{ itemId: item, quantity: 5, batchNo: 'OWN-CITY-AT-WH-2', unitPrice: '33.33', ownerOrgId: cityGovernment }]);
    const incident = await createIncident(t, { name: '卫辉市唐庄镇内涝', regionCode: '410781' }, WEIHUI_DISPATCHER);
    const planId = await executePlan(incident, TANGZHUANG, item, 5, WEIHUI_DISPATCHER);
    expect(await settlementsOf(planId)).toEqual([
      { quantity: 5, value: '166.65', owedTo: { code: '410700000000' }, owedBy: { code: '410781000000' }, store: { id: WEIHUI }, plan: { id: planId } },
    ]);
  });
});
