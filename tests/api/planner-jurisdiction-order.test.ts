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

beforeAll(async () => {
  for (const [username, regionCode] of [
    [COUNTY_D, '410781000000'],
    [TOWNSHIP_D, JISHUI],
  ])
    ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username, displayName: `${username} 调度员`, password: TEST_PASSWORD, role: 'DISPATCHER', regionCode } },
        'admin',
      ),
    );
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
