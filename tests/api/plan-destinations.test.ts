import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { TEST_PASSWORD } from '../support/template.ts';
import { WEIHUI } from '../support/ledger.ts';
import { createIncident, ok, openPoint } from '../support/relief.ts';

// Sweep 14c MEDIUM-2 (D14, D23, D29): a dispatch plan delivers to the incident's own 安置点. A destination given by id
// (storeId) that is another incident's 安置点 — the goods would arrive where neither incident hands them out — or an
// ordinary store — one dispatcher's store-to-store transfer outside an outbound order, with the emergency path — is
// refused at input.destinations.N.storeId, by requestDispatch and suggestDispatchPlan alike, and nothing is persisted.

const t = useTestApp();
const SANDBAG = itemId('FLD-001');
const HUIXIAN = storeId('S-410782-01'); // 辉县市应急物资储备库: another county's government store
const POINT_AT = { regionCode: '410781100000', lat: 35.47, lng: 114.01 }; // where openPoint opens its 安置点 (汲水镇)

const DEST = `destinations { index name store { id kind } }`;
const input = (incidentId: string, d: Record<string, unknown>) => ({
  incidentId,
  destinations: [{ name: '汲水镇安置点', ...POINT_AT, lines: [{ itemId: SANDBAG, quantity: 10 }], ...d }],
});
const request = (incidentId: string, d: Record<string, unknown>, as = 'dispatcher') =>
  t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id ${DEST} } }`, { i: input(incidentId, d) }, as);
const suggest = (incidentId: string, d: Record<string, unknown>, as = 'dispatcher') =>
  t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${DEST} } }`, { i: input(incidentId, d) }, as);
const field = (res: GqlResult) => (res.errors?.[0]?.extensions as any)?.field;

/** What a request would persist: plans (with destinations) of the incident, and 安置点 anywhere. */
async function persisted(incidentId: string) {
  const [r] = await queryRows<{ plans: number; destinations: number; points: number }>(
    t.database.db,
    sql`SELECT (SELECT count(*)::int FROM dispatch_plans WHERE incident_id = ${incidentId}) AS plans,
               (SELECT count(*)::int FROM dispatch_destinations d JOIN dispatch_plans p ON p.id = d.plan_id WHERE p.incident_id = ${incidentId}) AS destinations,
               (SELECT count(*)::int FROM stores WHERE kind = 'DISTRIBUTION_POINT') AS points`,
  );
  return { plans: Number(r.plans), destinations: Number(r.destinations), points: Number(r.points) };
}

/** Both calls refused with `code` at the storeId, the message matching `message`; nothing persisted. */
async function expectRefused(incidentId: string, d: Record<string, unknown>, message: RegExp, as = 'dispatcher', code = 'BAD_USER_INPUT') {
  const before = await persisted(incidentId);
  for (const res of [await suggest(incidentId, d, as), await request(incidentId, d, as)]) {
    expect([errorCode(res), field(res)]).toEqual([code, 'input.destinations.0.storeId']);
    expect(res.errors![0].message).toMatch(message);
  }
  expect(await persisted(incidentId)).toEqual(before);
}

let incidentB: string; // the open incident the plans are for

beforeAll(async () => {
  incidentB = await createIncident(t, { name: '卫辉市暴雨（乙）' });
});

describe('another incident’s 安置点 is no destination of this incident’s plan (D29, sweep 14c MEDIUM-2)', () => {
  let incidentA: string;
  let pointA: string;

  beforeAll(async () => {
    incidentA = await createIncident(t, { name: '卫辉市山洪（甲）' });
    pointA = await openPoint(t, incidentA, '后河镇中学安置点');
  });

  it('D29: a 安置点 of another, open incident is refused at the storeId, naming that incident; no plan, no point', async () => {
    await expectRefused(
      incidentB,
      { name: '后河镇中学安置点', storeId: pointA },
      /^安置点「后河镇中学安置点」属于事件「卫辉市山洪（甲）」，不能作为本事件调拨方案的目的地/,
    );
  });

  it('D29: once that incident is closed the refusal says so (the repro: goods stranded where nobody hands them out)', async () => {
    ok(await t.gql(`mutation($id: ID!) { closeIncident(incidentId: $id) { id } }`, { id: incidentA }, 'dispatcher'));
    await expectRefused(incidentB, { name: '后河镇中学安置点', storeId: pointA }, /属于事件「卫辉市山洪（甲）」（已结束），不能作为本事件调拨方案的目的地/);
  });

  it('D29: the same place by name alone opens this incident’s own 安置点 there', async () => {
    const plan = ok(await request(incidentB, { name: '后河镇中学安置点' })).requestDispatch;
    const point = plan.destinations[0].store;
    expect(point.kind).toBe('DISTRIBUTION_POINT');
    expect(point.id).not.toBe(pointA);
    const [row] = await queryRows<{ incident_id: string; opened_by_plan_id: string }>(
      t.database.db,
      sql`SELECT incident_id, opened_by_plan_id FROM stores WHERE id = ${point.id}`,
    );
    expect(row).toEqual({ incident_id: incidentB, opened_by_plan_id: plan.id });
  });

  it('D23: a city incident’s 安置点 in the county is refused to the county’s dispatcher without naming the city incident', async () => {
    const county = await t.gql(
      `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
      { i: { username: 'pd-county', displayName: '卫辉市调度员', password: TEST_PASSWORD, role: 'DISPATCHER', regionCode: '410781' } },
      'admin',
    );
    ok(county);
    const cityIncident = await createIncident(t, { name: '新乡市城区内涝（丙）', regionCode: '410700' });
    const cityPoint = await openPoint(t, cityIncident, '汲水镇体育馆安置点', { managerIds: [] });
    const countyIncident = await createIncident(t, { name: '卫辉市暴雨（丁）' }, 'pd-county');
    await expectRefused(countyIncident, { name: '汲水镇体育馆安置点', storeId: cityPoint }, /^安置点「汲水镇体育馆安置点」属于其他事件，不能作为/, 'pd-county');
    const res = await request(countyIncident, { name: '汲水镇体育馆安置点', storeId: cityPoint }, 'pd-county');
    expect(res.errors![0].message).not.toContain('新乡市城区内涝');
  });
});

describe('an ordinary store is no destination of a plan: stock moves between stores by an outbound order (D23, sweep 14c MEDIUM-2)', () => {
  it('D23: 辉县市应急物资储备库 (another county’s government store) is refused at the storeId, pointing to 出库申请（调拨）; no plan', async () => {
    const huixian = { name: '辉县市应急物资储备库', storeId: HUIXIAN, regionCode: '410782', lat: 35.4743, lng: 113.8059 };
    await expectRefused(incidentB, huixian, /^「辉县市应急物资储备库」是储备仓库，不是本事件的安置点.*出库申请（调拨）/);
  });

  it('D23: the incident’s own county store is refused too', async () => {
    const weihui = ok(await t.gql(`query($id: ID!) { store(id: $id) { name region { code } location { lat lng } } }`, { id: WEIHUI }, 'admin')).store;
    const d = { name: weihui.name, storeId: WEIHUI, regionCode: weihui.region.code, ...weihui.location };
    await expectRefused(incidentB, d, /不是本事件的安置点：调拨方案只能送往本事件的安置点/);
  });
});

describe('this incident’s own 安置点 (D14, D29)', () => {
  it('D29: given by id it is accepted and delivered to; no new 安置点 is opened', async () => {
    const point = await openPoint(t, incidentB, '汲水镇第五小学安置点');
    const before = await persisted(incidentB);
    const suggested = ok(await suggest(incidentB, { name: '汲水镇第五小学安置点', storeId: point })).suggestDispatchPlan;
    expect(suggested.destinations[0].store).toEqual({ id: point, kind: 'DISTRIBUTION_POINT' });
    const plan = ok(await request(incidentB, { name: '汲水镇第五小学安置点', storeId: point })).requestDispatch;
    expect(plan.destinations[0].store).toEqual({ id: point, kind: 'DISTRIBUTION_POINT' });
    expect(await persisted(incidentB)).toEqual({ plans: before.plans + 1, destinations: before.destinations + 1, points: before.points });
  });

  it('D29: a destination by a new name opens a 安置点 of this incident with the request', async () => {
    const before = await persisted(incidentB);
    const plan = ok(await request(incidentB, { name: '汲水镇卫生院安置点' })).requestDispatch;
    expect(await persisted(incidentB)).toEqual({ plans: before.plans + 1, destinations: before.destinations + 1, points: before.points + 1 });
    const [row] = await queryRows<{ incident_id: string; name: string }>(
      t.database.db,
      sql`SELECT incident_id, name FROM stores WHERE id = ${plan.destinations[0].store.id}`,
    );
    expect(row).toEqual({ incident_id: incidentB, name: '汲水镇卫生院安置点' });
  });
});
