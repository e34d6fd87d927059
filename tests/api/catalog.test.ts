import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { itemSeeds } from '../../seeds/data/catalog.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';

const ITEM_FIELDS = 'id code gbCode name spec unit category { code name } referencePrice storageLifeMonths rotationLeadMonths recoveryKind recoveryMonths';
const ITEMS = `query($categoryCode: String, $search: String, $first: Int, $after: String) {
  items(categoryCode: $categoryCode, search: $search, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${ITEM_FIELDS} } }
  }
}`;
const CREATE = `mutation($input: CreateItemInput!) { createItem(input: $input) { ${ITEM_FIELDS} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateItemInput!) { updateItem(id: $id, input: $input) { ${ITEM_FIELDS} } }`;
const MONEY = /^-?\d+\.\d{2}$/;
/** The seeded catalog: the plans' 专栏 items (D4), counted from the seed data. */
const SEEDED = itemSeeds.length;
const seededIn = (category: string) => itemSeeds.filter((i) => i.categoryCode === category).length;

const newItem = (over: Record<string, unknown> = {}) => ({
  code: 'LIV-T01',
  categoryCode: 'LIVING',
  name: '保暖内衣',
  spec: '成人均码 加绒',
  unit: '套',
  referencePrice: '89.5',
  storageLifeMonths: 60,
  ...over,
});

describe('D4/D5: the catalog', () => {
  const t = useTestApp();
  const itemCount = async () => (await t.gql('{ items { totalCount } }', {}, 'admin')).data.items.totalCount as number;

  describe('categories', () => {
    it('D4: the five plan (专栏) categories, in plan order, each with its items', async () => {
      const res = await t.gql('{ categories { code name items { code name category { code } } } }', {}, 'keeper');
      expect(res.errors).toBeUndefined();
      const cats = res.data.categories;
      expect(cats.map((c: any) => [c.code, c.name])).toEqual([
        ['LIVING', '生活类救灾物资'],
        ['FIREFIGHTING', '综合性消防救援应急物资装备'],
        ['FOREST_FIRE', '森林草原防灭火物资装备'],
        ['FLOOD', '防汛抗旱物资装备'],
        ['MINE_RESCUE', '矿山事故救援物资装备'],
      ]);
      expect(cats.map((c: any) => c.items.length)).toEqual(['LIVING', 'FIREFIGHTING', 'FOREST_FIRE', 'FLOOD', 'MINE_RESCUE'].map(seededIn));
      for (const c of cats) expect(c.items.every((i: any) => i.category.code === c.code)).toBe(true);
      expect(cats[0].items.map((i: any) => i.name)).toEqual(expect.arrayContaining(['棉帐篷', '单帐篷', '棉被', '折叠床']));
      expect(cats[4].items.map((i: any) => i.name)).toEqual(expect.arrayContaining(['潜水泵', '排水管路', '应急电源', '矿山救援帐篷']));
    });
  });

  describe('items', () => {
    it('categoryCode filter: FLOOD has all its seeded items, all 防汛抗旱', async () => {
      const res = await t.gql(ITEMS, { categoryCode: 'FLOOD', first: 100 }, 'dispatcher');
      expect(res.data.items.totalCount).toBe(seededIn('FLOOD'));
      const nodes = res.data.items.edges.map((e: any) => e.node);
      expect(nodes).toHaveLength(seededIn('FLOOD'));
      expect(nodes.every((i: any) => i.category.code === 'FLOOD')).toBe(true);
      expect(nodes.map((i: any) => i.name)).toEqual(expect.arrayContaining(['编织袋', '冲锋舟', '救生衣', '排涝泵']));
    });

    it('search "帐篷" finds every tent across categories and nothing else', async () => {
      const res = await t.gql(ITEMS, { search: '帐篷' }, 'dispatcher');
      // ordered by item code: FOR-014, LIV-001…003, MIN-004
      expect(res.data.items.edges.map((e: any) => e.node.name)).toEqual(['森林消防帐篷', '棉帐篷', '单帐篷', '救灾指挥帐篷', '矿山救援帐篷']);
      expect(res.data.items.totalCount).toBe(5);
    });

    it('search matches codes and specifications too, and treats % and _ literally', async () => {
      // the oracle: case-insensitive substring of name, code or spec, straight from the seed data
      const expected = (q: string) => itemSeeds.filter((i) => [i.name, i.code, i.spec].some((f) => f.toLowerCase().includes(q.toLowerCase()))).length;
      const found = async (search: string) => (await t.gql(ITEMS, { search }, 'dispatcher')).data.items.totalCount;
      expect(await found('fld-00')).toBe(9);
      expect((await t.gql(ITEMS, { search: '聚丙烯' }, 'dispatcher')).data.items.edges.map((e: any) => e.node.code)).toContain('FLD-001');
      expect(expected('%')).toBeGreaterThan(0); // specs such as 含羊毛30%
      expect(await found('%')).toBe(expected('%'));
      expect(expected('%')).toBeLessThan(SEEDED);
      expect(await found('_')).toBe(expected('_')); // unescaped, _ would match every item
      expect(await found('_')).toBeLessThan(SEEDED);
    });

    it('category and search combine', async () => {
      const res = await t.gql(ITEMS, { categoryCode: 'FOREST_FIRE', search: '帐篷' }, 'auditor');
      expect(res.data.items.edges.map((e: any) => e.node.code)).toEqual(['FOR-014']);
    });

    it('pagination walks all the seeded items, 20 at a time, with no duplicates or gaps', async () => {
      const all = (await t.gql(ITEMS, { first: 500 }, 'keeper')).data.items.edges.map((e: any) => e.node.code);
      expect(all).toHaveLength(SEEDED);
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const res: any = await t.gql(ITEMS, { first: 20, after }, 'keeper');
        seen.push(...res.data.items.edges.map((e: any) => e.node.code));
        pages++;
        if (!res.data.items.pageInfo.hasNextPage) break;
        after = res.data.items.pageInfo.endCursor;
      }
      expect(pages).toBe(Math.ceil(SEEDED / 20));
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(SEEDED);
    });

    it('first: 501 → BAD_USER_INPUT naming first; a bad cursor → naming after', async () => {
      const big = await t.gql(ITEMS, { first: 501 }, 'keeper');
      expect(errorCode(big)).toBe('BAD_USER_INPUT');
      expect(big.errors![0].extensions.field).toBe('first');
      const bad = await t.gql(ITEMS, { after: '%%%' }, 'keeper');
      expect(errorCode(bad)).toBe('BAD_USER_INPUT');
      expect(bad.errors![0].extensions.field).toBe('after');
    });

    it('an unknown category → NOT_FOUND naming categoryCode', async () => {
      const res = await t.gql(ITEMS, { categoryCode: 'NOPE' }, 'dispatcher');
      expect(errorCode(res)).toBe('NOT_FOUND');
      expect(res.errors![0].extensions.field).toBe('categoryCode');
    });

    it('D4/D10/D12: item fields — unit, spec, Money reference price, storage life, rotation lead, recovery', async () => {
      const res = await t.gql(`query($id: ID!) { item(id: $id) { ${ITEM_FIELDS} } }`, { id: itemId('LIV-001') }, 'keeper');
      expect(res.data.item).toEqual({
        id: itemId('LIV-001'),
        code: 'LIV-001',
        gbCode: null,
        name: '棉帐篷',
        spec: '12平方米 单层棉 框架式 外帐涤棉防水布 内衬保温棉 带门窗及烟囱口',
        unit: '顶',
        category: { code: 'LIVING', name: '生活类救灾物资' },
        referencePrice: '2180.00',
        storageLifeMonths: 96,
        rotationLeadMonths: 12,
        recoveryKind: 'WITHIN_MONTHS',
        recoveryMonths: 12,
      });
      const sandbag = await t.gql(`query($id: ID!) { item(id: $id) { unit referencePrice } }`, { id: itemId('FLD-002') }, 'keeper');
      expect(sandbag.data.item).toEqual({ unit: '平方米', referencePrice: '4.50' });
    });

    it('every reference price is a two-place Money string', async () => {
      const res = await t.gql(ITEMS, { first: 500 }, 'auditor');
      for (const { node } of res.data.items.edges) if (node.referencePrice !== null) expect(node.referencePrice, node.code).toMatch(MONEY);
    });

    it('item(id): a malformed id → BAD_USER_INPUT, an unknown one → NOT_FOUND', async () => {
      expect(errorCode(await t.gql('{ item(id: "x") { name } }', {}, 'keeper'))).toBe('BAD_USER_INPUT');
      expect(errorCode(await t.gql(`{ item(id: "${randomUUID()}") { name } }`, {}, 'keeper'))).toBe('NOT_FOUND');
    });
  });

  describe('createItem (administrators only)', () => {
    it('D5: admin creates an item with a valid GB/T 38565 code "1010101"; defaults apply', async () => {
      const before = await itemCount();
      const res = await t.gql(CREATE, { input: newItem({ gbCode: '1010101' }) }, 'admin');
      expect(res.errors).toBeUndefined();
      expect(res.data.createItem).toMatchObject({
        code: 'LIV-T01',
        gbCode: '1010101',
        name: '保暖内衣',
        unit: '套',
        category: { code: 'LIVING' },
        referencePrice: '89.50',
        storageLifeMonths: 60,
        rotationLeadMonths: 12, // D10: default rotation lead
        recoveryKind: 'NEVER',
        recoveryMonths: null,
      });
      expect(await itemCount()).toBe(before + 1);
      const listed = await t.gql(ITEMS, { categoryCode: 'LIVING', search: '保暖内衣' }, 'keeper');
      expect(listed.data.items.edges.map((e: any) => e.node.id)).toEqual([res.data.createItem.id]);
    });

    it('D12: a recovery rule is stored with the item', async () => {
      const res = await t.gql(
        CREATE,
        { input: newItem({ code: 'LIV-T02', name: '双层帐篷', unit: '顶', recovery: { kind: 'WITHIN_MONTHS', months: 12 } }) },
        'admin',
      );
      expect(res.data.createItem).toMatchObject({ recoveryKind: 'WITHIN_MONTHS', recoveryMonths: 12 });
    });

    it.each([
      ['D5: gbCode "4010101" (大类 must be 1–3)', { gbCode: '4010101' }, 'input.gbCode'],
      ['D5: gbCode "1000101" (中类 00)', { gbCode: '1000101' }, 'input.gbCode'],
      ['D5: gbCode "1010100" (细类 00)', { gbCode: '1010100' }, 'input.gbCode'],
      ['D5: gbCode "101010" (6 digits)', { gbCode: '101010' }, 'input.gbCode'],
      ['a negative referencePrice', { referencePrice: '-5.00' }, 'input.referencePrice'],
      ['storageLifeMonths 0', { storageLifeMonths: 0 }, 'input.storageLifeMonths'],
      ['a negative rotationLeadMonths', { rotationLeadMonths: -1 }, 'input.rotationLeadMonths'],
      ['an empty unit', { unit: ' ' }, 'input.unit'],
      ['a duplicate code', { code: 'LIV-001' }, 'input.code'],
      ['WITHIN_MONTHS recovery without months', { recovery: { kind: 'WITHIN_MONTHS' } }, 'input.recovery.months'],
    ])('%s → BAD_USER_INPUT naming the field; nothing created', async (_label, over, field) => {
      const before = await itemCount();
      const res = await t.gql(CREATE, { input: newItem({ code: 'LIV-BAD', ...over }) }, 'admin');
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.field).toBe(field);
      expect(await itemCount()).toBe(before);
    });

    it('API.md Money: a price with 3 decimals is refused with BAD_USER_INPUT', async () => {
      const before = await itemCount();
      const res = await t.gql(CREATE, { input: newItem({ code: 'LIV-BAD', referencePrice: '12.345' }) }, 'admin');
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(await itemCount()).toBe(before);
    });

    it('an unknown category → NOT_FOUND naming input.categoryCode', async () => {
      const res = await t.gql(CREATE, { input: newItem({ code: 'LIV-BAD', categoryCode: 'NOPE' }) }, 'admin');
      expect(errorCode(res)).toBe('NOT_FOUND');
      expect(res.errors![0].extensions.field).toBe('input.categoryCode');
    });

    it.each(['dispatcher', 'keeper', 'auditor'])('%s → FORBIDDEN', async (user) => {
      const before = await itemCount();
      expect(errorCode(await t.gql(CREATE, { input: newItem({ code: `LIV-${user}` }) }, user))).toBe('FORBIDDEN');
      expect(await itemCount()).toBe(before);
    });
  });

  describe('updateItem', () => {
    it('D10: changes rotationLeadMonths (and keeps the other fields)', async () => {
      const id = itemId('LIV-004');
      const res = await t.gql(UPDATE, { id, input: { rotationLeadMonths: 6 } }, 'admin');
      expect(res.errors).toBeUndefined();
      expect(res.data.updateItem).toMatchObject({
        code: 'LIV-004',
        name: '棉被',
        rotationLeadMonths: 6,
        unit: '床',
        referencePrice: '158.00',
        storageLifeMonths: 72,
      });
      const read = await t.gql(`{ item(id: "${id}") { rotationLeadMonths } }`, {}, 'keeper');
      expect(read.data.item.rotationLeadMonths).toBe(6);
    });

    it('changes the price and the GB code; a bad GB code is refused and changes nothing', async () => {
      const id = itemId('LIV-005');
      const ok = await t.gql(UPDATE, { id, input: { referencePrice: '199.9', gbCode: '1020301' } }, 'admin');
      expect(ok.data.updateItem).toMatchObject({ referencePrice: '199.90', gbCode: '1020301' });
      const bad = await t.gql(UPDATE, { id, input: { gbCode: '0020301', referencePrice: '1.00' } }, 'admin');
      expect(errorCode(bad)).toBe('BAD_USER_INPUT');
      const read = await t.gql(`{ item(id: "${id}") { referencePrice gbCode } }`, {}, 'keeper');
      expect(read.data.item).toEqual({ referencePrice: '199.90', gbCode: '1020301' });
    });

    it('dispatcher → FORBIDDEN; an unknown id → NOT_FOUND', async () => {
      expect(errorCode(await t.gql(UPDATE, { id: itemId('LIV-004'), input: { rotationLeadMonths: 3 } }, 'dispatcher'))).toBe('FORBIDDEN');
      expect(errorCode(await t.gql(UPDATE, { id: randomUUID(), input: { rotationLeadMonths: 3 } }, 'admin'))).toBe('NOT_FOUND');
    });
  });
});
