import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/harness.ts';
import { itemSeeds } from '../../seeds/data/catalog.ts';
import { regionSeeds } from '../../seeds/data/regions.ts';
import { COTTON_TENT, QUILT, receive, SANDBAG, TANGZHUANG, WEIHUI, XINXIANG, XINXIANG_COUNTY } from '../support/ledger.ts';

const TOWNSHIPS = regionSeeds.filter((r) => r.level === 'TOWNSHIP').length; // 71: the five plans' townships and 海东街道
const ITEMS = itemSeeds.length;

/**
 * House style 5 / the issue: relations load through DataLoader, one batch per level of nesting, so the number of SQL
 * statements a nested query sends depends on the query's shape, never on how many rows each level returns.
 * (t.database.stats.statements counts every statement sent to the database.)
 */
describe('House style 5: no N+1 — SQL statements for a nested query do not grow with list size', () => {
  const t = useTestApp();

  /** The SQL statements one request sends, with its data (asserted error-free). */
  async function statements(query: string, as = 'admin'): Promise<{ n: number; data: any }> {
    await t.token(as); // log in first: the login's own statements are not the request's
    await t.gql('{ me { id } }', {}, as); // and be known: the principal is then held in memory (issue 11), not loaded by one request only
    t.database.stats.statements = 0;
    const res = await t.gql(query, {}, as);
    const n = t.database.stats.statements;
    expect(res.errors).toBeUndefined();
    return { n, data: res.data };
  }

  const nestedRegions = (args: string) => `{ regions(${args}) { code stores { name region { name children { name } } } } }`;
  const flatRegions = (args: string) => `{ regions(${args}) { code } }`;

  it('regions(level: CITY) (5) and regions(level: TOWNSHIP) (71) → stores → region → children send the same statements', async () => {
    const small = await statements(nestedRegions('level: CITY'));
    const large = await statements(nestedRegions('level: TOWNSHIP'));
    expect(small.data.regions).toHaveLength(5);
    expect(large.data.regions).toHaveLength(TOWNSHIPS);
    // every level really loaded something (海东街道 has no store of its own)
    expect(small.data.regions.find((r: any) => r.code === '410700000000').stores[0].region.children).toHaveLength(12);
    expect(large.data.regions.filter((r: any) => r.stores.length > 0)).toHaveLength(70);
    expect(large.n).toBe(small.n);
  });

  it('regions(parentCode: "410721") (7 townships) and regions(level: TOWNSHIP) (71): the nesting costs the same 3 statements', async () => {
    // parentCode costs one lookup of the parent (NOT_FOUND when unknown) at the root, whatever the size;
    // so compare what the nested levels add on top of each root query.
    const smallFlat = await statements(flatRegions('parentCode: "410721"'));
    const small = await statements(nestedRegions('parentCode: "410721"'));
    const largeFlat = await statements(flatRegions('level: TOWNSHIP'));
    const large = await statements(nestedRegions('level: TOWNSHIP'));
    expect(small.data.regions).toHaveLength(7);
    expect(large.data.regions).toHaveLength(TOWNSHIPS);
    expect(small.data.regions.map((r: any) => r.stores[0].region.name)).toContain('翟坡镇');
    expect(small.n - smallFlat.n).toBe(3); // stores, their regions, the regions' children: one batch each
    expect(large.n - largeFlat.n).toBe(3);
    expect(small.n).toBeLessThanOrEqual(smallFlat.n + 3);
  });

  const nestedStores = (args: string) => `{ stores(${args}) { edges { node { code region { name parent { name } } operator { name } } } } }`;

  it('stores(first: 5) and stores(first: 100) { edges { node { region { parent { name } } operator { name } } } } send the same statements', async () => {
    const small = await statements(nestedStores('first: 5'));
    const large = await statements(nestedStores('first: 100'));
    const smallNodes = small.data.stores.edges.map((e: any) => e.node);
    const largeNodes = large.data.stores.edges.map((e: any) => e.node);
    expect(smallNodes).toHaveLength(5);
    expect(largeNodes).toHaveLength(100);
    expect(smallNodes.some((s: any) => s.operator !== null)).toBe(true);
    expect(largeNodes.filter((s: any) => s.operator !== null).length).toBeGreaterThan(5);
    expect(largeNodes.filter((s: any) => s.region.parent !== null).length).toBeGreaterThan(90);
    expect(large.n).toBe(small.n);
  });

  it('stores → stock → batch and item (issue 11, P3): the same statements for 2 stores and for 40, each line with its own batch and item', async () => {
    const nested = (n: number) =>
      `{ stores(regionCode: "410700000000", first: ${n}) { edges { node { id stock(first: 20) { edges { node { onHand value batch { id unitPrice } item { id name category { name } } } } } } } } }`;
    for (const store of [XINXIANG, XINXIANG_COUNTY, WEIHUI, TANGZHUANG]) {
      await receive(t, 'admin', store, [
        { itemId: QUILT, quantity: 10, unitPrice: '80.00' },
        { itemId: COTTON_TENT, quantity: 2, unitPrice: '1200.00' },
        { itemId: SANDBAG, quantity: 500, unitPrice: '1.20' },
      ]);
    }
    const small = await statements(nested(2));
    const large = await statements(nested(40));
    expect(large.n).toBe(small.n);
    const lines = large.data.stores.edges.flatMap((s: any) => s.node.stock.edges.map((e: any) => ({ storeId: s.node.id, ...e.node })));
    expect(lines.length).toBe(12);
    // The root stock list reaches the same lines another way (listStock and the loaders): the same item for each.
    const flat = await t.gql(
      `{ stock(filter: {}, first: 500) { edges { node { store { id } batch { id } item { id name category { name } } } } } }`,
      {},
      'admin',
    );
    expect(flat.errors).toBeUndefined();
    const itemOf = new Map(flat.data.stock.edges.map((e: any) => [`${e.node.store.id}|${e.node.batch.id}`, e.node.item]));
    for (const l of lines) expect(itemOf.get(`${l.storeId}|${l.batch.id}`)).toEqual(l.item);
    expect(new Set(lines.map((l: any) => l.item.name)).size).toBe(3);
  });

  it('movements → document → reversible (W6, D24): 2 documents and 12 cost the same statements, each checked against its balances', async () => {
    for (let i = 0; i < 12; i++) await receive(t, 'admin', WEIHUI, [{ itemId: QUILT, quantity: 5 + i, unitPrice: '80.00' }]);
    const query = (n: number) => `{ movements(filter: { storeId: "${WEIHUI}" }, first: ${n}) { edges { node { document { id reversible } } } } }`;
    const small = await statements(query(2));
    const large = await statements(query(12));
    const documents = (r: { data: any }) => new Set(r.data.movements.edges.map((e: any) => e.node.document.id));
    expect(documents(small).size).toBe(2);
    expect(documents(large).size).toBeGreaterThanOrEqual(10);
    expect(large.data.movements.edges.every((e: any) => e.node.document.reversible === true)).toBe(true);
    expect(large.n).toBe(small.n);
  });

  it('each nesting level of stores costs at most one statement, whatever the page size', async () => {
    // A page starting after the province store: its parents are not among its own regions, so every level hits the database.
    const after = (await statements('{ stores(first: 1) { pageInfo { endCursor } } }')).data.stores.pageInfo.endCursor;
    for (const args of [`first: 5, after: "${after}"`, `first: 100, after: "${after}"`, 'first: 500']) {
      const flat = await statements(`{ stores(${args}) { edges { node { code } } } }`);
      const nested = await statements(nestedStores(args));
      expect(nested.data.stores.edges.length).toBeGreaterThanOrEqual(5);
      expect(nested.data.stores.edges.every((e: any) => e.node.region.name)).toBe(true);
      // region, parent, operator: one batch each at most (DataLoader may answer a level from its cache)
      expect(nested.n - flat.n, args).toBeLessThanOrEqual(3);
      expect(nested.n - flat.n, args).toBeGreaterThanOrEqual(1);
    }
    const small = await statements(nestedStores(`first: 5, after: "${after}"`));
    expect(small.data.stores.edges.every((e: any) => e.node.region.parent !== null)).toBe(true);
    expect(small.n - (await statements(`{ stores(first: 5, after: "${after}") { edges { node { code } } } }`)).n).toBe(3);
  });

  it('the same holds for a dispatcher, whose scope filters the list', async () => {
    const query = (first: number) => `{ stores(first: ${first}, kind: GOVERNMENT) { edges { node { region { parent { name } } operator { name } } } } }`;
    const small = await statements(query(2), 'dispatcher');
    const large = await statements(query(100), 'dispatcher');
    expect(small.data.stores.edges).toHaveLength(2);
    expect(large.data.stores.edges).toHaveLength(33);
    expect(large.n).toBe(small.n);
  });

  it('categories { items { category { name } } }: 5 categories and all their items in 2 statements beyond the list', async () => {
    const flat = await statements('{ categories { code } }');
    const nested = await statements('{ categories { name items { name category { name } } } }');
    expect(nested.data.categories).toHaveLength(5);
    expect(nested.data.categories.flatMap((c: any) => c.items)).toHaveLength(ITEMS);
    expect(nested.data.categories[3].items[0].category.name).toBe('防汛抗旱物资装备');
    expect(nested.n).toBe(flat.n + 2);
  });

  it('items(first: 3) and items(first: 100) → category → items send the same statements', async () => {
    const query = (first: number) => `{ items(first: ${first}) { edges { node { name category { name items { name } } } } } }`;
    const small = await statements(query(3));
    const large = await statements(query(100));
    expect(small.data.items.edges).toHaveLength(3);
    expect(large.data.items.edges).toHaveLength(Math.min(100, ITEMS));
    expect(large.n).toBe(small.n);
  });
});
