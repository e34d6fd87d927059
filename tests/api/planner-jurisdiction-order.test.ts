import { beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { useTestApp } from '../support/harness.ts';
import { key, receive, WEIHUI, XINXIANG } from '../support/ledger.ts';
import { createIncident, ok } from '../support/relief.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep 17b F7 (D15, D25): the planner ranks and labels sources for the plan's requester's jurisdiction — a township
// dispatcher's plan called the county's store and another township's store LOCAL / 「本县库存（须对方辖区同意）」.

const t = useTestApp({ resetClock: true });

const JISHUI_STORE = storeId('S-410781100-01'); // 卫辉市汲水镇应急物资储备点 (410781100000)
const TAIGONG_STORE = storeId('S-410781101-01'); // 卫辉市太公镇应急物资储备点 (410781101000)
const JISHUI = '410781100000';
const COUNTY_D = 'wh17b-d'; // 卫辉市
const TOWNSHIP_D = 'js17b-d'; // 汲水镇
// A line's source by name: `store` is null for another jurisdiction's store (D20), `source` names it.
const LINES = `lines { quantity tier needsConsent reason source { kind name } }`;
const N = {
  jishui: '卫辉市汲水镇应急物资储备点',
  county: '卫辉市救灾物资储备库',
  taigong: '卫辉市太公镇应急物资储备点',
  city: '新乡市救灾物资储备库',
  xinxiangCounty: '新乡县救灾物资储备库',
  company: '卫辉市17b协议储备商贸有限公司',
};

let incidentId: string;
let itemCount = 0;

async function newItem(): Promise<string> {
  itemCount += 1;
  const input = { categoryCode: 'LIVING', code: `T-17B-${itemCount}`, name: `调度层级测试物资 ${itemCount}`, unit: '件' };
  return ok(await t.gql(`mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`, { input }, 'admin')).createItem.id;
}

const stock = (store: string, item: string, quantity: number) =>
  receive(t, 'admin', store, [{ itemId: item, quantity, batchNo: `17B-${key().slice(0, 8)}`, unitPrice: '10.00' }]);

const input = (item: string, quantity: number, place: { lat: number; lng: number } = { lat: 35.3985, lng: 114.065 }) => ({
  incidentId,
  deadlineHours: 10,
  destinations: [{ name: '汲水镇中心小学安置点', regionCode: JISHUI, ...place, lines: [{ itemId: item, quantity }] }],
});

interface Line {
  quantity: number;
  tier: string;
  needsConsent: boolean;
  reason: string;
  source: { kind: string; name: string };
}

const suggest = async (as: string, item: string, quantity: number, place?: { lat: number; lng: number }): Promise<Line[]> =>
  ok(await t.gql(`query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${LINES} } }`, { i: input(item, quantity, place) }, as))
    .suggestDispatchPlan.lines;

/** Per source (store or company) name, the quantity the plan takes from it. */
const takenFrom = (lines: Line[]) => {
  const out: Record<string, number> = {};
  for (const l of lines) out[l.source.name] = (out[l.source.name] ?? 0) + l.quantity;
  return out;
};

/** Dispatchers (username, region code) created by the administrator. */
async function createDispatchers(users: [string, string][]) {
  for (const [username, regionCode] of users)
    ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username, displayName: `${username} 调度员`, password: TEST_PASSWORD, role: 'DISPATCHER', regionCode } },
        'admin',
      ),
    );
}

beforeAll(async () => {
  await createDispatchers([
    [COUNTY_D, '410781000000'],
    [TOWNSHIP_D, JISHUI],
  ]);
  incidentId = await createIncident(t, { name: '卫辉市汲水镇内涝（调度层级测试）', regionCode: JISHUI, location: { lat: 35.3985, lng: 114.065 } });
});

describe('D15, D25: a township’s plan is ranked and labelled for the township (sweep 17b F7)', () => {
  it('D15, D25: for 汲水镇’s dispatcher its own store is LOCAL (本乡镇库存), the county’s and the city’s UPPER, 太公镇’s NEIGHBOUR — reasons match needsConsent; the county’s plan as before', async () => {
    const item = await newItem();
    for (const store of [JISHUI_STORE, WEIHUI, TAIGONG_STORE, XINXIANG]) await stock(store, item, 10);
    const lines = await suggest(TOWNSHIP_D, item, 40);
    const by = (name: string) => lines.find((l) => l.source.name === name)!;
    expect(lines).toHaveLength(4);
    expect(by(N.jishui)).toMatchObject({ quantity: 10, tier: 'LOCAL', needsConsent: false });
    expect(by(N.jishui).reason).toContain('（本乡镇库存）');
    expect(by(N.county)).toMatchObject({ quantity: 10, tier: 'UPPER', needsConsent: true });
    expect(by(N.county).reason).toContain(`${N.county}（上级储备库（须对方辖区同意））`);
    expect(by(N.city)).toMatchObject({ quantity: 10, tier: 'UPPER', needsConsent: true });
    expect(by(N.taigong)).toMatchObject({ quantity: 10, tier: 'NEIGHBOUR', needsConsent: true });
    expect(by(N.taigong).reason).toContain(`${N.taigong}（邻近地区储备库（须对方辖区同意））`);
    for (const l of lines) expect(l.reason).not.toContain('本县库存');
    // D15: the level above (the county, the city) before another township, though 太公镇 is nearer than the city.
    expect(takenFrom(await suggest(TOWNSHIP_D, item, 30))).toEqual({ [N.jishui]: 10, [N.county]: 10, [N.city]: 10 });
    // The county's plan for the same 安置点 is as before: its stores and its townships' LOCAL (本县库存), the city's UPPER.
    const byCounty = await suggest(COUNTY_D, item, 40);
    expect(byCounty).toHaveLength(4);
    for (const name of [N.jishui, N.county, N.taigong]) {
      expect(byCounty.find((l) => l.source.name === name)).toMatchObject({ quantity: 10, tier: 'LOCAL', needsConsent: false });
      expect(byCounty.find((l) => l.source.name === name)!.reason).toContain('（本县库存）');
    }
    expect(byCounty.find((l) => l.source.name === N.city)).toMatchObject({ quantity: 10, tier: 'UPPER', needsConsent: true });
  });
});

// Sweep 21b F1 (D15): for a township's plan the county's stores and the city's were one tier (UPPER), ordered by distance
// only — 狮豹头乡's plan took 77 床 from 新乡市's store (33 km) and none from 卫辉市's (36 km, holding plenty), owing the
// city and asking its consent where the county's would do; a village's plan skipped the county alike. The stores above are
// now taken level by level: the level directly above, then the next.
describe('D15: the levels above a plan’s area, one after the other (sweep 21b F1)', () => {
  const SHIBAOTOU = '410781201000'; // 卫辉市狮豹头乡
  const SHAZHANG = '410781201201'; // 狮豹头乡砂掌村
  const YUANYANG = '410725000000'; // 原阳县, whose south edge lies nearer the province's store in 郑州 than its city's
  const SHIBAOTOU_STORE = storeId('S-410781201-01'); // 卫辉市狮豹头乡应急物资储备点
  const YUANYANG_STORE = storeId('S-410725-01'); // 原阳县救灾物资储备库
  const HENAN_STORE = storeId('S-410000-01'); // 河南省救灾物资储备库 (郑州)
  const [TDISP, VDISP, YDISP] = ['sbt21b-d', 'sz21b-d', 'yy21b-d'];
  const SCHOOL = { lat: 35.56, lng: 113.84 }; // 沙窑村小学安置点: 卫辉市's store about 36 km away, 新乡市's about 33 km
  const names = { township: '卫辉市狮豹头乡应急物资储备点', province: '河南省救灾物资储备库', yuanyang: '原阳县救灾物资储备库' };

  const suggestAt = async (as: string, incident: string, regionCode: string, place: { lat: number; lng: number }, item: string, quantity: number) =>
    ok(
      await t.gql(
        `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${LINES} } }`,
        { i: { incidentId: incident, deadlineHours: 10, destinations: [{ name: '21b安置点', regionCode, ...place, lines: [{ itemId: item, quantity }] }] } },
        as,
      ),
    ).suggestDispatchPlan.lines as Line[];

  let township: string;
  beforeAll(async () => {
    // 砂掌村 is not in the demo tree: loading its township adds its villages (sweep 19b F1).
    ok(await t.gql(`mutation($c: String!) { loadRegionTree(code: $c) { inserted } }`, { c: SHIBAOTOU }, 'admin'));
    await createDispatchers([
      [TDISP, SHIBAOTOU],
      [VDISP, SHAZHANG],
      [YDISP, YUANYANG],
    ]);
    township = await createIncident(t, { name: '狮豹头乡山洪（21b）', regionCode: SHIBAOTOU, location: SCHOOL }, TDISP);
  });

  it('D15, D25: 狮豹头乡’s plan takes 卫辉市’s store (the level above) before 新乡市’s nearer one — the city only for what the county cannot give, and only the county’s consent is asked', async () => {
    const item = await newItem();
    await stock(SHIBAOTOU_STORE, item, 23);
    await stock(WEIHUI, item, 100);
    await stock(XINXIANG, item, 500);
    // The finding: 100 床 → the township's 23, then 77 from 新乡市 (33 km), none from 卫辉市 (36 km).
    const hundred = await suggestAt(TDISP, township, SHIBAOTOU, SCHOOL, item, 100);
    expect(takenFrom(hundred)).toEqual({ [names.township]: 23, [N.county]: 77 });
    const county = hundred.find((l) => l.source.name === N.county)!;
    expect(county).toMatchObject({ tier: 'UPPER', needsConsent: true });
    expect(county.reason).toContain(`${N.county}（上级储备库（须对方辖区同意））`);
    // Beyond what the county holds, the city gives the rest.
    const more = await suggestAt(TDISP, township, SHIBAOTOU, SCHOOL, item, 150);
    expect(takenFrom(more)).toEqual({ [names.township]: 23, [N.county]: 100, [N.city]: 27 });
    expect(more.find((l) => l.source.name === N.city)).toMatchObject({ tier: 'UPPER', needsConsent: true });
    // Requested: the consent is asked of 卫辉市 alone (the finding asked 新乡市's, and left a debt to the city).
    const plan = ok(
      await t.gql(
        `mutation($i: DispatchRequestInput!) { requestDispatch(input: $i) { id } }`,
        {
          i: {
            incidentId: township,
            deadlineHours: 10,
            destinations: [{ name: '沙窑村小学安置点', regionCode: SHIBAOTOU, ...SCHOOL, lines: [{ itemId: item, quantity: 100 }] }],
          },
        },
        TDISP,
      ),
    ).requestDispatch;
    const asked = ok(
      await t.gql(
        `query($f: ApprovalFilter!) { approvals(filter: $f, first: 500) { edges { node { subjectId region { code } } } } }`,
        { f: { status: 'PENDING', kind: 'CROSS_REGION_USE' } },
        'admin',
      ),
    ).approvals.edges.filter((e: any) => e.node.subjectId === plan.id);
    expect(asked.map((e: any) => e.node.region.code)).toEqual(['410781000000']);
    // The county's own plan for the same place: its store and its township's are its own (LOCAL), the city's above.
    const byCounty = await suggestAt(COUNTY_D, township, SHIBAOTOU, SCHOOL, item, 150);
    expect(takenFrom(byCounty)).toEqual({ [names.township]: 23, [N.county]: 100, [N.city]: 27 });
    expect(byCounty.find((l) => l.source.name === N.county)).toMatchObject({ tier: 'LOCAL', needsConsent: false });
  });

  it('D15: 砂掌村’s plan takes its township’s store, then 卫辉市’s, before 新乡市’s', async () => {
    const item = await newItem();
    await stock(SHIBAOTOU_STORE, item, 10);
    await stock(WEIHUI, item, 100);
    await stock(XINXIANG, item, 500);
    const near = { lat: 35.58, lng: 113.8 };
    const village = await createIncident(t, { name: '砂掌村山体滑坡（21b）', regionCode: SHAZHANG, location: near }, VDISP);
    // The finding (150 床 at the same place): the township's, then 新乡市's — 卫辉市's skipped.
    const lines = await suggestAt(VDISP, village, SHAZHANG, near, item, 60);
    expect(takenFrom(lines)).toEqual({ [names.township]: 10, [N.county]: 50 });
    for (const l of lines) expect(l).toMatchObject({ tier: 'UPPER', needsConsent: true });
    expect(takenFrom(await suggestAt(VDISP, village, SHAZHANG, near, item, 150))).toEqual({ [names.township]: 10, [N.county]: 100, [N.city]: 40 });
  });

  it('D15: 原阳县’s plan takes 新乡市’s store (the level above) before the province’s, though the province’s lies nearer', async () => {
    const item = await newItem();
    await stock(YUANYANG_STORE, item, 10);
    await stock(XINXIANG, item, 20);
    await stock(HENAN_STORE, item, 100);
    const bank = { lat: 34.93, lng: 113.72 }; // on the Yellow River: 郑州's store about 15 km away, 新乡市's about 60 km
    const flood = await createIncident(t, { name: '原阳县黄河滩区洪水（21b）', regionCode: YUANYANG, location: bank }, YDISP);
    const thirty = await suggestAt(YDISP, flood, YUANYANG, bank, item, 30);
    expect(takenFrom(thirty)).toEqual({ [names.yuanyang]: 10, [N.city]: 20 });
    expect(thirty.find((l) => l.source.name === N.city)).toMatchObject({ tier: 'UPPER', needsConsent: true });
    const fifty = await suggestAt(YDISP, flood, YUANYANG, bank, item, 50);
    expect(takenFrom(fifty)).toEqual({ [names.yuanyang]: 10, [N.city]: 20, [names.province]: 20 });
  });
});
