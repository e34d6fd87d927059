import { beforeAll, describe, expect, it } from 'vitest';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp, type GqlResult } from '../support/harness.ts';
import { createIncident, ok } from '../support/relief.ts';
import { WEIHUI } from '../support/ledger.ts';

// D16, D28, D29: where a dispatch request delivers. An 安置点 of the incident, given by id or by name, is measured
// from where it is, not from typed coordinates; coordinates outside the country or far outside their region are
// refused; one name is one 安置点 (a request reuses it, opening it twice is refused); and a 安置点 opened only for a
// plan since cancelled takes no share of the affected people.

const t = useTestApp();
const QUILT = itemId('LIV-004');
const DEST = `destinations { index name regionCode location { lat lng } store { id code name } }`;

const field = (res: GqlResult) => (res.errors?.[0]?.extensions as any)?.field;
const suggest = (destinations: Record<string, unknown>[]) =>
  t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${DEST} } }`, { i: { incidentId, destinations } }, 'dispatcher');
const request = (destinations: Record<string, unknown>[]) =>
  t.gql(`mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id ${DEST} } }`, { i: { incidentId, destinations } }, 'dispatcher');
const cancel = (planId: string) => t.gql(`mutation($p: ID!) { cancelDispatchPlan(planId: $p, reason: "需求变更") { status } }`, { p: planId }, 'dispatcher');
const openPoint = (input: Record<string, unknown>) =>
  t.gql(`mutation($i: DistributionPointInput!) { openDistributionPoint(input: $i) { id name } }`, { i: { incidentId, ...input } }, 'dispatcher');
const pointsOfIncident = async () =>
  ok(await t.gql(`query { stores(kind: DISTRIBUTION_POINT, first: 500) { edges { node { id name incidentId } } } }`, {}, 'admin'))
    .stores.edges.map((e: any) => e.node)
    .filter((s: any) => s.incidentId === incidentId);
const demand = async () =>
  ok(
    await t.gql(`query($id: ID!) { incident(id: $id) { suggestedDemand { store { id } item { id } people } } }`, { id: incidentId }, 'dispatcher'),
  ).incident.suggestedDemand.filter((l: any) => l.item.id === QUILT);

/** A destination in 卫辉市 (汲水镇), one line of quilts; `over` changes any field. */
const at = (over: Record<string, unknown> = {}) => ({
  name: '汲水镇第二小学安置点',
  regionCode: '410781100000',
  lat: 35.41,
  lng: 114.05,
  lines: [{ itemId: QUILT, quantity: 20 }],
  ...over,
});

let incidentId: string;

beforeAll(async () => {
  incidentId = await createIncident(t, { name: '卫辉市暴雨洪涝（安置点）', affectedPopulation: 3000 });
  const standard = { regionCode: '410781', itemId: QUILT, perPerson: 1 };
  ok(await t.gql(`mutation($i: ReliefStandardInput!) { upsertReliefStandard(input: $i) { perPerson } }`, { i: standard }, 'dispatcher'));
});

describe('a 安置点 given by id is measured from where it is (D16)', () => {
  // Sweep 14c MEDIUM-2: a destination given by id is one of the incident's 安置点 (an ordinary store is refused,
  // tests/api/plan-destinations.test.ts); this one is opened for the incident in 汲水镇.
  let point: string;
  const place = { lat: 35.3985, lng: 114.065 };
  const given = (over: Record<string, unknown>) => at({ name: '汲水镇政府安置点', storeId: point, ...over });
  beforeAll(async () => {
    point = ok(await openPoint({ name: '汲水镇政府安置点', regionCode: '410781100000', ...place })).openDistributionPoint.id;
  });

  it('D16: typed coordinates near the 安置点 are replaced by its own position and region', async () => {
    const near = { lat: place.lat + 0.005, lng: place.lng - 0.005 }; // about 0.7 km off
    const plan = ok(await suggest([given({ regionCode: '410781', ...near })])).suggestDispatchPlan;
    expect(plan.destinations[0]).toMatchObject({ location: place, regionCode: '410781100000', store: { id: point } });
  });

  it('D16: typed coordinates 107 km from the 安置点 are refused at the latitude, naming the distance', async () => {
    const res = await suggest([given({ regionCode: '410781', lat: 35.49, lng: 112.87 })]);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(field(res)).toBe('input.destinations.0.lat');
    expect(res.errors![0].message).toMatch(/相距约 1\d\d\.\d 公里/);
  });

  it('D16: a 安置点 outside the typed region is refused at the region', async () => {
    const res = await suggest([given({ regionCode: '410721', ...place })]);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(field(res)).toBe('input.destinations.0.regionCode');
  });
});

describe('coordinates must lie in the country and near their region (D16, D28)', () => {
  it('D28: 0/0 is refused for a destination, an incident, a 安置点 and a store; nothing is created', async () => {
    const before = (await pointsOfIncident()).length;
    const dest = await request([at({ lat: 0, lng: 0 })]);
    expect([errorCode(dest), field(dest)]).toEqual(['BAD_USER_INPUT', 'input.destinations.0.lat']);
    expect(dest.errors![0].message).toContain('我国境内');
    const incident = await t.gql(
      `mutation($i: IncidentInput!) { createIncident(input: $i) { id } }`,
      { i: { name: '坐标错误的事件', type: 'FLOOD', regionCode: '410781', location: { lat: 0, lng: 0 } } },
      'dispatcher',
    );
    expect([errorCode(incident), field(incident)]).toEqual(['BAD_USER_INPUT', 'input.location.lat']);
    const point = await openPoint({ name: '坐标错误安置点', regionCode: '410781100000', lat: 0, lng: 0 });
    expect([errorCode(point), field(point)]).toEqual(['BAD_USER_INPUT', 'input.lat']);
    const store = await t.gql(
      `mutation($i: CreateStoreInput!) { createStore(input: $i) { id } }`,
      { i: { code: 'S-ZERO-01', name: '坐标错误仓库', regionCode: '410781', kind: 'GOVERNMENT', location: { lat: 0, lng: 0 } } },
      'admin',
    );
    expect([errorCode(store), field(store)]).toEqual(['BAD_USER_INPUT', 'input.location.lat']);
    expect((await pointsOfIncident()).length).toBe(before);
  });

  it('D28: Beijing’s coordinates for a 卫辉市 destination are refused, naming the region and the distance', async () => {
    const res = await suggest([at({ regionCode: '410781', lat: 39.9042, lng: 116.4074 })]);
    expect([errorCode(res), field(res)]).toEqual(['BAD_USER_INPUT', 'input.destinations.0.lat']);
    expect(res.errors![0].message).toMatch(/距卫辉市约 \d+ 公里，不在该区划内/);
  });

  it('D28: a store moved far outside its region is refused at the location', async () => {
    const res = await t.gql(
      `mutation($id: ID!, $i: UpdateStoreInput!) { updateStore(id: $id, input: $i) { id } }`,
      { id: WEIHUI, i: { location: { lat: 31.2304, lng: 121.4737 } } },
      'admin',
    );
    expect([errorCode(res), field(res)]).toEqual(['BAD_USER_INPUT', 'input.location.lat']);
  });
});

describe('one name, one 安置点 (D29)', () => {
  let first: any;

  it('D29: a second request to the same 安置点 name delivers to the same point, whatever the spacing or width', async () => {
    first = ok(await request([at()])).requestDispatch;
    const pointId = first.destinations[0].store.id;
    const again = ok(await request([at({ name: ' 汲水镇第二小学 安置点', lat: 35.4102, lng: 114.0503 })])).requestDispatch;
    expect(again.destinations[0].store.id).toBe(pointId);
    // Sweep 7b M3: an invisible character inside the name (zero-width space) is the same name, not a look-alike second point.
    const invisible = ok(await request([at({ name: '汲水镇第二小学\u200b安置点', lat: 35.4102, lng: 114.0503 })])).requestDispatch;
    expect(invisible.destinations[0].store.id).toBe(pointId);
    expect(again.destinations[0].location).toEqual({ lat: 35.41, lng: 114.05 });
    expect((await pointsOfIncident()).filter((p: any) => p.id === pointId)).toHaveLength(1);
    expect((await pointsOfIncident()).filter((p: any) => p.name.includes('汲水镇第二小学'))).toHaveLength(1);
  });

  it('D29: the same name 10 km away is refused at the name; nothing is created', async () => {
    const before = (await pointsOfIncident()).length;
    const res = await request([at({ lat: 35.5, lng: 114.05 })]);
    expect([errorCode(res), field(res)]).toEqual(['BAD_USER_INPUT', 'input.destinations.0.name']);
    expect(res.errors![0].message).toContain('本事件已有安置点「汲水镇第二小学安置点」');
    expect((await pointsOfIncident()).length).toBe(before);
  });

  it('D29: one name twice in one request is refused at the second', async () => {
    const res = await request([at({ name: '汲水镇第三小学安置点' }), at({ name: '汲水镇第三小学安置点', lines: [{ itemId: QUILT, quantity: 5 }] })]);
    expect([errorCode(res), field(res)]).toEqual(['BAD_USER_INPUT', 'input.destinations.1.name']);
  });

  it('D29: opening a 安置点 under a name the incident already has is refused; nothing is created', async () => {
    const before = (await pointsOfIncident()).length;
    const res = await openPoint({ name: '汲水镇第二小学安置点', regionCode: '410781100000', lat: 35.41, lng: 114.05 });
    expect([errorCode(res), field(res)]).toEqual(['BAD_USER_INPUT', 'input.name']);
    expect((await pointsOfIncident()).length).toBe(before);
    const other = ok(await openPoint({ name: '汲水镇中学安置点', regionCode: '410781100000', lat: 35.42, lng: 114.06 })).openDistributionPoint;
    const twice = await openPoint({ name: '汲水镇中学 安置点', regionCode: '410781100000', lat: 35.42, lng: 114.06 });
    expect([errorCode(twice), field(twice)]).toEqual(['BAD_USER_INPUT', 'input.name']);
    expect((await pointsOfIncident()).filter((p: any) => p.id === other.id)).toHaveLength(1);
  });
});

describe('a 安置点 of a cancelled plan takes no share of the affected people (D28, D29)', () => {
  it('D28: cancelled, it drops out of suggestedDemand; requested again, it is back', async () => {
    const plan = ok(await request([at({ name: '汲水镇卫生院安置点', lat: 35.43, lng: 114.07 })])).requestDispatch;
    const pointId = plan.destinations[0].store.id;
    const shareOf = async (id: string) => (await demand()).find((l: any) => l.store.id === id)?.people;
    const people = async () => (await demand()).reduce((s: number, l: any) => s + l.people, 0);
    expect(await shareOf(pointId)).toBeGreaterThan(0);
    expect(await people()).toBe(3000);

    ok(await cancel(plan.id));
    expect(await shareOf(pointId)).toBeUndefined();
    expect(await people()).toBe(3000); // its share goes to the points still serving

    const again = ok(await request([at({ name: '汲水镇卫生院安置点', lat: 35.43, lng: 114.07 })])).requestDispatch;
    expect(again.destinations[0].store.id).toBe(pointId);
    expect(await shareOf(pointId)).toBeGreaterThan(0);
  });

  it('D29: a 安置点 opened for the incident keeps its share though a plan to it is cancelled', async () => {
    const point = ok(await openPoint({ name: '汲水镇敬老院安置点', regionCode: '410781100000', lat: 35.44, lng: 114.08 })).openDistributionPoint;
    const plan = ok(await request([at({ name: '汲水镇敬老院安置点', lat: 35.44, lng: 114.08 })])).requestDispatch;
    expect(plan.destinations[0].store.id).toBe(point.id);
    ok(await cancel(plan.id));
    expect((await demand()).some((l: any) => l.store.id === point.id)).toBe(true);
  });
});
