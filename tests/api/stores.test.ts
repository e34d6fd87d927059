import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { errorCode, useTestApp } from '../support/harness.ts';

const WEIHUI = storeId('S-410781-01'); // the demo keeper's store
const HUIXIAN = storeId('S-410782-01'); // another county store in 新乡市
const JINCHENG = storeId('S-140500-01'); // 晋城市 city store, outside the dispatcher's scope

const LIST = `query($regionCode: String, $level: RegionLevel, $kind: StoreKind, $first: Int, $after: String) {
  stores(regionCode: $regionCode, level: $level, kind: $kind, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id code name level kind region { code } } }
  }
}`;
const STORE = `query($id: ID!) {
  store(id: $id) { id code name level kind address capacityM3 region { code name level } location { lat lng } operator { name } }
}`;
const CREATE = `mutation($input: CreateStoreInput!) {
  createStore(input: $input) { id code name level kind region { code name } location { lat lng } operator { name kind } }
}`;
const UPDATE = `mutation($id: ID!, $input: UpdateStoreInput!) {
  updateStore(id: $id, input: $input) { id code name level kind region { code name } location { lat lng } operator { name } }
}`;

const newStore = (over: Record<string, unknown> = {}) => ({
  code: 'S-410781102-02',
  name: '卫辉市孙杏村镇第二储备点',
  regionCode: '410781',
  kind: 'GOVERNMENT',
  location: { lat: 35.352, lng: 114.128 },
  address: '卫辉市孙杏村镇政府院内',
  contactName: '赵磊',
  contactPhone: '0373-4411223',
  capacityM3: 300,
  ...over,
});

describe('D2: stores — listing, scope, and administration', () => {
  const t = useTestApp();
  const storeCount = async () => (await t.gql('{ stores { totalCount } }', {}, 'admin')).data.stores.totalCount as number;

  describe('dispatcher (新乡市) lists stores by level in the region subtree', () => {
    it.each([
      ['CITY', 1, ['S-410700-01']],
      ['COUNTY', 15, ['S-410781-01', 'S-410711-02', 'S-410783-02']],
      ['TOWNSHIP', 20, ['S-410721101-01', 'S-410781100-01', 'S-410781208-01']],
    ])('level %s: %i stores', async (level, n, some) => {
      const res = await t.gql(LIST, { regionCode: '410700', level, first: 100 }, 'dispatcher');
      expect(res.errors).toBeUndefined();
      const nodes = res.data.stores.edges.map((e: any) => e.node);
      expect(res.data.stores.totalCount).toBe(n);
      expect(nodes).toHaveLength(n);
      expect(nodes.every((s: any) => s.level === level && s.region.code.startsWith('4107'))).toBe(true);
      expect(nodes.map((s: any) => s.code)).toEqual(expect.arrayContaining(some));
    });

    it('without filters the dispatcher sees all 36 stores of 新乡市 and nothing outside it', async () => {
      const res = await t.gql(LIST, { first: 500 }, 'dispatcher');
      expect(res.data.stores.totalCount).toBe(36);
      expect(res.data.stores.edges.every((e: any) => e.node.region.code.startsWith('4107'))).toBe(true);
      const codes = res.data.stores.edges.map((e: any) => e.node.code);
      expect(codes).toEqual([...codes].sort()); // ordered by code
    });

    it('D2: kind filter: the AGREEMENT holders in 新乡市', async () => {
      const res = await t.gql(LIST, { regionCode: '410700', kind: 'AGREEMENT' }, 'dispatcher');
      expect(res.data.stores.edges.map((e: any) => e.node.code)).toEqual(['S-410711-02', 'S-410783-02']);
      expect(res.data.stores.totalCount).toBe(2);
    });

    it('a county regionCode narrows to its subtree: 卫辉市 = county store + 13 township stores', async () => {
      const res = await t.gql(LIST, { regionCode: '410781000000' }, 'dispatcher');
      expect(res.data.stores.totalCount).toBe(14);
    });
  });

  describe('API.md: cursor pagination', () => {
    it('first: 5 / after: endCursor walks every page with no duplicates or gaps', async () => {
      const all = (await t.gql(LIST, { regionCode: '410700', first: 500 }, 'dispatcher')).data.stores.edges.map((e: any) => e.node.code);
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const res: any = await t.gql(LIST, { regionCode: '410700', first: 5, after }, 'dispatcher');
        expect(res.errors).toBeUndefined();
        const { edges, pageInfo, totalCount } = res.data.stores;
        expect(totalCount).toBe(36);
        expect(edges.length).toBeLessThanOrEqual(5);
        seen.push(...edges.map((e: any) => e.node.code));
        pages++;
        if (!pageInfo.hasNextPage) break;
        expect(edges).toHaveLength(5);
        expect(pageInfo.endCursor).toBe(edges[4].cursor);
        after = pageInfo.endCursor;
      }
      expect(pages).toBe(8);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual(all);
    });

    it('first: 0 gives an empty page that still reports the total and a next page', async () => {
      const res = await t.gql(LIST, { regionCode: '410700', first: 0 }, 'dispatcher');
      expect(res.data.stores).toMatchObject({ totalCount: 36, edges: [], pageInfo: { hasNextPage: true, endCursor: null } });
    });

    it('first: -1 and first: 501 → BAD_USER_INPUT naming first', async () => {
      for (const first of [-1, 501]) {
        const res = await t.gql(LIST, { first }, 'dispatcher');
        expect(errorCode(res)).toBe('BAD_USER_INPUT');
        expect(res.errors![0].extensions.field).toBe('first');
      }
    });

    it('a bad after cursor → BAD_USER_INPUT naming after', async () => {
      const res = await t.gql(LIST, { first: 5, after: 'not-a-cursor' }, 'dispatcher');
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.field).toBe('after');
    });
  });

  describe('DESIGN.md Auth: a keeper sees only their own store', () => {
    it('stores() lists just 卫辉市救灾物资储备库', async () => {
      const res = await t.gql(LIST, {}, 'keeper');
      expect(res.data.stores.totalCount).toBe(1);
      expect(res.data.stores.edges.map((e: any) => e.node.id)).toEqual([WEIHUI]);
      const filtered = await t.gql(LIST, { regionCode: '410700', level: 'TOWNSHIP' }, 'keeper');
      expect(filtered.data.stores.totalCount).toBe(0);
    });

    it('store(own id) works, with region and location', async () => {
      const res = await t.gql(STORE, { id: WEIHUI }, 'keeper');
      expect(res.errors).toBeUndefined();
      expect(res.data.store).toEqual({
        id: WEIHUI,
        code: 'S-410781-01',
        name: '卫辉市救灾物资储备库',
        level: 'COUNTY',
        kind: 'GOVERNMENT',
        address: '河南省新乡市卫辉市汲水镇比干大道',
        capacityM3: 1600,
        region: { code: '410781000000', name: '卫辉市', level: 'COUNTY' },
        location: { lat: 35.3865, lng: 114.06 },
        operator: null,
      });
    });

    it('store(another store) → FORBIDDEN, even one in the same county', async () => {
      for (const id of [HUIXIAN, storeId('S-410781100-01'), JINCHENG]) {
        const res = await t.gql(STORE, { id }, 'keeper');
        expect(errorCode(res)).toBe('FORBIDDEN');
        expect(res.data?.store ?? null).toBeNull();
      }
    });
  });

  describe('DESIGN.md Auth: a dispatcher acts inside their region', () => {
    it('store(a 晋城市 store) → FORBIDDEN; store(a 新乡市 store) works', async () => {
      expect(errorCode(await t.gql(STORE, { id: JINCHENG }, 'dispatcher'))).toBe('FORBIDDEN');
      expect((await t.gql(STORE, { id: HUIXIAN }, 'dispatcher')).data.store.name).toBe('辉县市应急物资储备库');
    });

    it('stores(regionCode: "140500") → FORBIDDEN', async () => {
      const res = await t.gql(LIST, { regionCode: '140500' }, 'dispatcher');
      expect(errorCode(res)).toBe('FORBIDDEN');
    });

    it('the auditor shares the 新乡市 scope; the admin sees every store', async () => {
      expect(errorCode(await t.gql(STORE, { id: JINCHENG }, 'auditor'))).toBe('FORBIDDEN');
      expect((await t.gql(STORE, { id: JINCHENG }, 'admin')).data.store.name).toBe('晋城市救灾物资储备库');
      expect(await storeCount()).toBe(120);
    });

    it('D3: an entrusted store names its operating company', async () => {
      const res = await t.gql(STORE, { id: storeId('S-410721-02') }, 'dispatcher');
      expect(res.data.store).toMatchObject({ kind: 'ENTRUSTED', operator: { name: '新乡县中原物流仓储有限公司' } });
    });
  });

  describe('D13, D23: transferDestinations — the 调入仓库 a transfer from a store may go to', () => {
    const DESTINATIONS = `query($from: ID!, $first: Int) {
      transferDestinations(fromStoreId: $from, first: $first) { totalCount edges { node { id code name kind region { code } } } }
    }`;
    const nodesOf = (res: any) => res.data.transferDestinations.edges.map((e: any) => e.node);

    it("the keeper, who sees only their store, gets the city's government and entrusted stores (and 安置点) — not their own, not another city's", async () => {
      const res = await t.gql(DESTINATIONS, { from: WEIHUI, first: 500 }, 'keeper');
      expect(res.errors).toBeUndefined();
      const nodes = nodesOf(res);
      // 新乡市: 33 government + 1 entrusted store, less 卫辉市's own.
      expect(res.data.transferDestinations.totalCount).toBe(33);
      expect(nodes).toHaveLength(33);
      expect(nodes.every((s: any) => s.region.code.startsWith('4107') && ['GOVERNMENT', 'ENTRUSTED'].includes(s.kind))).toBe(true);
      const ids = nodes.map((s: any) => s.id);
      expect(ids).toEqual(expect.arrayContaining([HUIXIAN, storeId('S-410700-01'), storeId('S-410721-02')]));
      expect(ids).not.toContain(WEIHUI);
      expect(ids).not.toContain(JINCHENG);
      expect(ids).not.toContain(storeId('S-410711-02')); // an agreement holder's store holds the company's stock
    });

    it('the list pages like every connection (first / after, ordered by code)', async () => {
      const more = `query($from: ID!, $after: String) { transferDestinations(fromStoreId: $from, first: 20, after: $after) { pageInfo { hasNextPage endCursor } edges { node { code } } } }`;
      const page1 = await t.gql(more, { from: WEIHUI }, 'keeper');
      const page2 = await t.gql(more, { from: WEIHUI, after: page1.data.transferDestinations.pageInfo.endCursor }, 'keeper');
      const codes = [...page1.data.transferDestinations.edges, ...page2.data.transferDestinations.edges].map((e: any) => e.node.code);
      expect(page1.errors).toBeUndefined();
      expect(page1.data.transferDestinations.pageInfo.hasNextPage).toBe(true);
      expect(page2.data.transferDestinations.pageInfo.hasNextPage).toBe(false);
      expect(codes).toHaveLength(33);
      expect(codes).toEqual([...new Set(codes)].sort());
    });

    it('a destination is reference data only: the keeper reads its name, not what it holds (FORBIDDEN on stock)', async () => {
      const res = await t.gql(
        `query($from: ID!) { transferDestinations(fromStoreId: $from, first: 3) { edges { node { id name stock(first: 1) { totalCount } } } } }`,
        { from: WEIHUI },
        'keeper',
      );
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(JSON.stringify(res.data ?? {})).not.toMatch(/totalCount":\d/);
      // Nor does the list open store(id) for it.
      expect(errorCode(await t.gql(STORE, { id: HUIXIAN }, 'keeper'))).toBe('FORBIDDEN');
    });

    it('only from a store where the user may post: another store → FORBIDDEN; an auditor → FORBIDDEN', async () => {
      expect(errorCode(await t.gql(DESTINATIONS, { from: HUIXIAN }, 'keeper'))).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(DESTINATIONS, { from: JINCHENG }, 'dispatcher'))).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(DESTINATIONS, { from: WEIHUI }, 'auditor'))).toBe('FORBIDDEN');
    });

    it('a malformed id → BAD_USER_INPUT naming fromStoreId; an unknown one → NOT_FOUND', async () => {
      const bad = await t.gql(DESTINATIONS, { from: 'not-a-uuid' }, 'keeper');
      expect(errorCode(bad)).toBe('BAD_USER_INPUT');
      expect(bad.errors![0].extensions.field).toBe('fromStoreId');
      expect(errorCode(await t.gql(DESTINATIONS, { from: randomUUID() }, 'keeper'))).toBe('NOT_FOUND');
    });

    it('the dispatcher and the administrator get every store of their scope but the source', async () => {
      const dispatcher = await t.gql(DESTINATIONS, { from: WEIHUI, first: 500 }, 'dispatcher');
      // D23: never an agreement holder's store — government stock does not go there (2 in 新乡市, 4 in all).
      expect(dispatcher.data.transferDestinations.totalCount).toBe(33); // the 36 stores of 新乡市
      const admin = await t.gql(DESTINATIONS, { from: WEIHUI, first: 500 }, 'admin');
      expect(admin.data.transferDestinations.totalCount).toBe(115);
      expect(nodesOf(admin).map((s: any) => s.id)).toContain(JINCHENG);
    });

    it('D23: the keeper asks for a transfer to a store picked from the list; the order names it', async () => {
      const picked = nodesOf(await t.gql(DESTINATIONS, { from: WEIHUI, first: 500 }, 'keeper')).find((s: any) => s.id === HUIXIAN);
      const res = await t.gql(
        `mutation($input: OutboundOrderInput!) { requestOutboundOrder(input: $input) { status toStore { id name } } }`,
        {
          input: {
            storeId: WEIHUI,
            purpose: 'TRANSFER',
            toStoreId: picked.id,
            idempotencyKey: randomUUID(),
            lines: [{ itemId: (await t.gql('{ items(first: 1) { edges { node { id } } } }', {}, 'keeper')).data.items.edges[0].node.id, quantity: 1 }],
          },
        },
        'keeper',
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.requestOutboundOrder).toEqual({ status: 'PENDING', toStore: { id: HUIXIAN, name: picked.name } });
    });
  });

  describe('store(id) argument checks', () => {
    it('a malformed id → BAD_USER_INPUT naming id', async () => {
      const res = await t.gql(STORE, { id: 'not-a-uuid' }, 'admin');
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.field).toBe('id');
    });

    it('an unknown id → NOT_FOUND', async () => {
      const id = randomUUID();
      const res = await t.gql(STORE, { id }, 'admin');
      expect(errorCode(res)).toBe('NOT_FOUND');
      expect(res.errors![0].extensions).toMatchObject({ field: 'id', id });
    });
  });

  describe('createStore (administrators only)', () => {
    it('admin creates a store; it takes its level from the region and is then listed', async () => {
      const before = await storeCount();
      const res = await t.gql(CREATE, { input: newStore() }, 'admin');
      expect(res.errors).toBeUndefined();
      expect(res.data.createStore).toMatchObject({
        code: 'S-410781102-02',
        name: '卫辉市孙杏村镇第二储备点',
        level: 'COUNTY',
        kind: 'GOVERNMENT',
        region: { code: '410781000000', name: '卫辉市' },
        location: { lat: 35.352, lng: 114.128 },
        operator: null,
      });
      expect(await storeCount()).toBe(before + 1);
      const listed = await t.gql(LIST, { regionCode: '410781', level: 'COUNTY', first: 100 }, 'dispatcher');
      expect(listed.data.stores.edges.map((e: any) => e.node.id)).toContain(res.data.createStore.id);
    });

    it('D2: an ENTRUSTED store is created with its operating company', async () => {
      const res = await t.gql(
        CREATE,
        { input: newStore({ code: 'S-410781-03', name: '卫辉市救灾物资代储库（测试）', kind: 'ENTRUSTED', operatorName: '卫辉市测试物流有限公司' }) },
        'admin',
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.createStore.operator).toEqual({ name: '卫辉市测试物流有限公司', kind: 'COMPANY' });
    });

    it.each(['dispatcher', 'keeper', 'auditor'])('%s → FORBIDDEN and nothing is created', async (user) => {
      const before = await storeCount();
      const res = await t.gql(CREATE, { input: newStore({ code: `S-X-${user}` }) }, user);
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect(await storeCount()).toBe(before);
    });

    it.each([
      ['lat 95', { location: { lat: 95, lng: 114 } }, 'input.location.lat'],
      ['lng -181', { location: { lat: 35, lng: -181 } }, 'input.location.lng'],
      ['a malformed regionCode', { regionCode: 'abc' }, 'input.regionCode'],
      ['a duplicate code', { code: 'S-410781-01' }, 'input.code'],
      ['a code with spaces', { code: 'S 1' }, 'input.code'],
      ['ENTRUSTED without operatorName', { kind: 'ENTRUSTED' }, 'input.operatorName'],
      ['AGREEMENT without operatorName', { kind: 'AGREEMENT' }, 'input.operatorName'],
      ['a negative capacity', { capacityM3: -1 }, 'input.capacityM3'],
      ['a one-letter name', { name: '库' }, 'input.name'],
    ])('%s → BAD_USER_INPUT naming the field, and the store count is unchanged', async (_label, over, field) => {
      const before = await storeCount();
      const res = await t.gql(CREATE, { input: newStore({ code: 'S-BAD-01', ...over }) }, 'admin');
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.field).toBe(field);
      expect(await storeCount()).toBe(before);
    });

    it('a well-formed regionCode that does not exist → NOT_FOUND naming input.regionCode; nothing created', async () => {
      const before = await storeCount();
      const res = await t.gql(CREATE, { input: newStore({ code: 'S-BAD-02', regionCode: '419999' }) }, 'admin');
      expect(errorCode(res)).toBe('NOT_FOUND');
      expect(res.errors![0].extensions.field).toBe('input.regionCode');
      expect(await storeCount()).toBe(before);
    });

    it('API.md: a failed mutation changes nothing — a rejected ENTRUSTED store leaves no operator company behind', async () => {
      const orgs = async () => (await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM organizations`))[0].n;
      const before = { stores: await storeCount(), orgs: await orgs() };
      const res = await t.gql(CREATE, { input: newStore({ code: 'S-410781-01', kind: 'ENTRUSTED', operatorName: '不应留下的公司' }) }, 'admin');
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect({ stores: await storeCount(), orgs: await orgs() }).toEqual(before);
    });
  });

  describe('updateStore', () => {
    // Each store below its own name: the store createStore made above has newStore's, and a region's stores are told
    // apart by name (sweep 11b B2).
    it('changes name and location', async () => {
      const created = (await t.gql(CREATE, { input: newStore({ code: 'S-UPD-01', name: '卫辉市孙杏村镇更新测试储备点' }) }, 'admin')).data.createStore;
      const res = await t.gql(UPDATE, { id: created.id, input: { name: '卫辉市孙杏村镇储备点（新址）', location: { lat: 35.355, lng: 114.131 } } }, 'admin');
      expect(res.errors).toBeUndefined();
      expect(res.data.updateStore).toMatchObject({
        code: 'S-UPD-01',
        name: '卫辉市孙杏村镇储备点（新址）',
        location: { lat: 35.355, lng: 114.131 },
        level: 'COUNTY',
      });
      const read = await t.gql(STORE, { id: created.id }, 'dispatcher');
      expect(read.data.store.name).toBe('卫辉市孙杏村镇储备点（新址）');
    });

    it('D2: moving a store to a township region updates its level', async () => {
      const created = (await t.gql(CREATE, { input: newStore({ code: 'S-UPD-02', name: '卫辉市孙杏村镇迁址测试储备点' }) }, 'admin')).data.createStore;
      expect(created.level).toBe('COUNTY');
      const res = await t.gql(UPDATE, { id: created.id, input: { regionCode: '410781102000' } }, 'admin');
      expect(res.data.updateStore).toMatchObject({ level: 'TOWNSHIP', region: { code: '410781102000', name: '孙杏村镇' } });
      const listed = await t.gql(LIST, { regionCode: '410781', level: 'TOWNSHIP', first: 100 }, 'dispatcher');
      expect(listed.data.stores.edges.map((e: any) => e.node.id)).toContain(created.id);
      const moved = await t.gql(UPDATE, { id: created.id, input: { regionCode: '410700' } }, 'admin');
      expect(moved.data.updateStore.level).toBe('CITY');
    });

    it('D2: changing a government store to ENTRUSTED without an operator → BAD_USER_INPUT, unchanged', async () => {
      const created = (await t.gql(CREATE, { input: newStore({ code: 'S-UPD-03', name: '卫辉市孙杏村镇类型测试储备点' }) }, 'admin')).data.createStore;
      const res = await t.gql(UPDATE, { id: created.id, input: { kind: 'ENTRUSTED' } }, 'admin');
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.field).toBe('input.operatorName');
      expect((await t.gql(STORE, { id: created.id }, 'admin')).data.store.kind).toBe('GOVERNMENT');
      const ok = await t.gql(UPDATE, { id: created.id, input: { kind: 'ENTRUSTED', operatorName: '卫辉市代储测试有限公司' } }, 'admin');
      expect(ok.data.updateStore).toMatchObject({ kind: 'ENTRUSTED', operator: { name: '卫辉市代储测试有限公司' } });
    });

    it('sweep 9a F0: nothing to change (an empty input) → BAD_USER_INPUT 没有要修改的内容, as updateItem answers; an empty regionCode is refused', async () => {
      const empty = await t.gql(UPDATE, { id: HUIXIAN, input: {} }, 'admin');
      expect(empty.errors?.[0]).toMatchObject({ message: '没有要修改的内容', extensions: { code: 'BAD_USER_INPUT', field: 'input' } });
      const blank = await t.gql(UPDATE, { id: HUIXIAN, input: { regionCode: '' } }, 'admin');
      expect(errorCode(blank)).toBe('BAD_USER_INPUT');
      expect(blank.errors![0].extensions.field).toBe('input.regionCode');
      expect((await t.gql(STORE, { id: HUIXIAN }, 'admin')).data.store).toMatchObject({ code: 'S-410782-01', region: { code: '410782000000' } });
    });

    it('a duplicate code or a bad latitude → BAD_USER_INPUT; the store is unchanged', async () => {
      const dup = await t.gql(UPDATE, { id: HUIXIAN, input: { code: 'S-410781-01' } }, 'admin');
      expect(errorCode(dup)).toBe('BAD_USER_INPUT');
      expect(dup.errors![0].extensions.field).toBe('input.code');
      const lat = await t.gql(UPDATE, { id: HUIXIAN, input: { location: { lat: -91, lng: 113.8 } } }, 'admin');
      expect(errorCode(lat)).toBe('BAD_USER_INPUT');
      expect((await t.gql(STORE, { id: HUIXIAN }, 'admin')).data.store).toMatchObject({ code: 'S-410782-01', location: { lat: 35.4743, lng: 113.8059 } });
    });

    it.each(['dispatcher', 'keeper'])('%s → FORBIDDEN (even at their own store)', async (user) => {
      const res = await t.gql(UPDATE, { id: WEIHUI, input: { name: '改名' } }, user);
      expect(errorCode(res)).toBe('FORBIDDEN');
      expect((await t.gql(STORE, { id: WEIHUI }, 'admin')).data.store.name).toBe('卫辉市救灾物资储备库');
    });
  });
});
