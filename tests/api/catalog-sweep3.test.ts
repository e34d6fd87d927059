import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { itemSeeds } from '../../seeds/data/catalog.ts';
import { itemId } from '../../seeds/reference.ts';
import { expectRefusedUnchanged, lastAudit } from '../support/refusals.ts';
import { errorCode, useTestApp, type GqlResult, type TestApp } from '../support/harness.ts';

// Sweep 3 findings M3 and L5 (notes/findings-sweep3.md), D5: the catalog identifies an item by its code, or by its name
// and specification (the 期初建账 template: 物资编码 or 物资名称 + 规格).
// - M3: createItem/updateItem refuse an item whose name and spec equal another item's (trimmed; a missing spec counts
//   as empty), naming the item the catalog holds — the import could otherwise never tell the two apart (it answered
//   「棉被」有 2 种规格 for a row that gave the spec). Decided under a catalog lock, so two writers at once cannot both win.
// - L5: item codes are unique whatever their case (`t-001` beside `T-001`), with the refusal a duplicate code had, naming
//   the code the catalog holds; a unique index on upper(code) (0027) decides between concurrent writers.

const seed = (code: string) => itemSeeds.find((i) => i.code === code)!;
const QUILT = seed('LIV-004'); // 棉被
const TENT = seed('LIV-001'); // 棉帐篷

const ITEM = 'id code name spec';
const CREATE = `mutation($input: CreateItemInput!) { createItem(input: $input) { ${ITEM} } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateItemInput!) { updateItem(id: $id, input: $input) { ${ITEM} } }`;

const appOf = (t: TestApp) => ({
  create: (input: Record<string, unknown>) => t.gql(CREATE, { input: { categoryCode: 'LIVING', unit: '件', ...input } }, 'admin'),
  update: (id: string, input: Record<string, unknown>) => t.gql(UPDATE, { id, input }, 'admin'),
});

const ok = (res: GqlResult) => {
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data;
};

const sameNameSpec = (code: string, name: string, spec: string) => `已有同名同规格的物资 ${code}（${name}，规格「${spec}」），请修改规格或使用该物资`;
const sameNameNoSpec = (code: string, name: string) => `已有同名且未填规格的物资 ${code}（${name}），请填写规格以示区别或使用该物资`;
const codeTaken = (code: string, name: string) => `物资代码已存在（不区分大小写）：${code}（${name}）`;

describe('M3 D5: a name and a specification identify one item', () => {
  const t = useTestApp();
  const { create, update } = appOf(t);

  it('createItem: the name and spec of LIV-004 again (also with spaces around them) → BAD_USER_INPUT at input.spec naming LIV-004; nothing written, refusal audited', async () => {
    for (const [name, spec] of [
      [QUILT.name, QUILT.spec],
      [` ${QUILT.name} `, `  ${QUILT.spec}\t`],
    ]) {
      await expectRefusedUnchanged(
        t,
        'createItem',
        () => create({ code: 'LIV-004B', name, spec, unit: '床' }),
        'BAD_USER_INPUT',
        sameNameSpec('LIV-004', QUILT.name, QUILT.spec),
        { field: 'input.spec', itemCode: 'LIV-004' },
      );
    }
  });

  it('createItem: the same name with another spec, or another name with the same spec, is a different item', async () => {
    ok(await create({ code: 'LIV-004C', name: QUILT.name, spec: `${QUILT.spec} 加厚`, unit: '床' }));
    ok(await create({ code: 'LIV-004D', name: '棉被（儿童）', spec: QUILT.spec, unit: '床' }));
  });

  it('createItem: without a spec, an item of the same name without a spec (null or blank) → refused at input.name', async () => {
    const first = ok(await create({ code: 'T-NOSPEC-1', name: '无规格测试物资' })).createItem;
    expect(first.spec).toBeNull();
    for (const spec of [undefined, null, '', '   ']) {
      await expectRefusedUnchanged(
        t,
        'createItem',
        () => create({ code: 'T-NOSPEC-2', name: '无规格测试物资', ...(spec === undefined ? {} : { spec }) }),
        'BAD_USER_INPUT',
        sameNameNoSpec('T-NOSPEC-1', '无规格测试物资'),
        { field: 'input.name', itemCode: 'T-NOSPEC-1' },
      );
    }
    // A spec tells it apart.
    ok(await create({ code: 'T-NOSPEC-2', name: '无规格测试物资', spec: '大号' }));
  });

  it('updateItem: taking another item’s name and spec → refused (at input.spec, or input.name when only the name changes); the item keeps its own', async () => {
    const item = ok(await create({ code: 'LIV-T31', name: '折叠棉被', spec: QUILT.spec, unit: '床' })).createItem;
    await expectRefusedUnchanged(
      t,
      'updateItem',
      () => update(item.id, { name: QUILT.name }),
      'BAD_USER_INPUT',
      sameNameSpec('LIV-004', QUILT.name, QUILT.spec),
      { field: 'input.name', itemCode: 'LIV-004' },
    );
    await expectRefusedUnchanged(
      t,
      'updateItem',
      () => update(item.id, { name: QUILT.name, spec: ` ${QUILT.spec} ` }),
      'BAD_USER_INPUT',
      sameNameSpec('LIV-004', QUILT.name, QUILT.spec),
      { field: 'input.spec', itemCode: 'LIV-004' },
    );
    // LIV-001 changing its spec to another 棉帐篷's: refused at input.spec.
    const tent = ok(await create({ code: 'LIV-T32', name: TENT.name, spec: '6平方米 单层', unit: '顶' })).createItem;
    await expectRefusedUnchanged(
      t,
      'updateItem',
      () => update(itemId('LIV-001'), { spec: tent.spec }),
      'BAD_USER_INPUT',
      sameNameSpec('LIV-T32', TENT.name, tent.spec),
      { field: 'input.spec', itemCode: 'LIV-T32' },
    );
    const [row] = await queryRows<{ name: string; spec: string }>(t.database.db, sql`SELECT name, spec FROM items WHERE id = ${item.id}`);
    expect(row).toEqual({ name: '折叠棉被', spec: QUILT.spec });
  });

  it('updateItem: clearing the spec of an item whose name another item without a spec has → refused at input.spec', async () => {
    ok(await create({ code: 'T-CLEAR-1', name: '清除规格测试' }));
    const item = ok(await create({ code: 'T-CLEAR-2', name: '清除规格测试', spec: '小号' })).createItem;
    await expectRefusedUnchanged(t, 'updateItem', () => update(item.id, { spec: null }), 'BAD_USER_INPUT', sameNameNoSpec('T-CLEAR-1', '清除规格测试'), {
      field: 'input.spec',
      itemCode: 'T-CLEAR-1',
    });
  });

  it('updateItem: an item keeping its own name and spec passes; so does one of a pair recorded before the rule, for its other fields', async () => {
    ok(await update(itemId('LIV-004'), { name: QUILT.name, spec: QUILT.spec, referencePrice: '160.00' }));
    // A pair from before this rule (the API accepted them): inserted directly, as a database may hold it.
    const [legacy] = await queryRows<{ id: string }>(
      t.database.db,
      sql`INSERT INTO items (code, category_code, name, spec, unit) VALUES ('LIV-004OLD', 'LIVING', ${QUILT.name}, ${QUILT.spec}, '床') RETURNING id::text`,
    );
    expect(ok(await update(legacy.id, { referencePrice: '150.00', unit: '床', name: QUILT.name })).updateItem.code).toBe('LIV-004OLD');
    // Renaming its spec away from the pair is how an administrator resolves it.
    expect(ok(await update(legacy.id, { spec: `${QUILT.spec}（旧款）` })).updateItem.spec).toBe(`${QUILT.spec}（旧款）`);
    expect((await lastAudit(t, 'updateItem')).outcome).toBe('OK');
  });

  it('concurrency: two createItem with the same name and spec at once → one item, the other refused naming it', async () => {
    const results = await Promise.all(['T-RACE-A', 'T-RACE-B', 'T-RACE-C'].map((code) => create({ code, name: '并发测试物资', spec: '同一规格' })));
    const won = results.filter((r) => !r.errors);
    expect(won).toHaveLength(1);
    const winner = won[0].data.createItem.code as string;
    for (const r of results.filter((x) => x.errors)) {
      expect(errorCode(r)).toBe('BAD_USER_INPUT');
      expect(r.errors![0].message).toBe(sameNameSpec(winner, '并发测试物资', '同一规格'));
    }
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM items WHERE name = '并发测试物资'`);
    expect(Number(n.n)).toBe(1);
  });
});

describe('L5 D5: item codes are unique whatever their case', () => {
  const t = useTestApp();
  const { create, update } = appOf(t);

  it('createItem: `t-001` while `T-001` exists → BAD_USER_INPUT at input.code naming T-001; nothing written, refusal audited', async () => {
    ok(await create({ code: 'T-001', name: '大小写测试物资' }));
    for (const code of ['t-001', 'T-001', ' t-001 ']) {
      await expectRefusedUnchanged(t, 'createItem', () => create({ code, name: '另一物资' }), 'BAD_USER_INPUT', codeTaken('T-001', '大小写测试物资'), {
        field: 'input.code',
        itemCode: 'T-001',
      });
    }
    await expectRefusedUnchanged(t, 'createItem', () => create({ code: 'liv-001', name: '另一物资' }), 'BAD_USER_INPUT', codeTaken('LIV-001', TENT.name), {
      field: 'input.code',
      itemCode: 'LIV-001',
    });
  });

  it('updateItem: T-001 → `liv-001` refused naming LIV-001; T-001 → `t-001` (its own code in another case) passes', async () => {
    const id = (await queryRows<{ id: string }>(t.database.db, sql`SELECT id::text FROM items WHERE code = 'T-001'`))[0].id;
    await expectRefusedUnchanged(t, 'updateItem', () => update(id, { code: 'liv-001' }), 'BAD_USER_INPUT', codeTaken('LIV-001', TENT.name), {
      field: 'input.code',
      itemCode: 'LIV-001',
    });
    expect(ok(await update(id, { code: 't-001' })).updateItem.code).toBe('t-001');
    expect(ok(await update(id, { code: 'T-001' })).updateItem.code).toBe('T-001');
  });

  it('0027: the database refuses a second code in another case, whoever writes it', async () => {
    await expect(
      t.database.db.execute(sql`INSERT INTO items (code, category_code, name, unit) VALUES ('Liv-002', 'LIVING', '直接写入', '件')`),
    ).rejects.toThrow();
  });

  it('concurrency: `CC-001` and `cc-001` created at once → one item, the other refused at input.code', async () => {
    const results = await Promise.all(['CC-001', 'cc-001', 'Cc-001'].map((code, i) => create({ code, name: `并发代码物资${i}` })));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of results.filter((x) => x.errors)) {
      expect(errorCode(r)).toBe('BAD_USER_INPUT');
      expect(r.errors![0].extensions.field).toBe('input.code');
      expect(r.errors![0].message).toMatch(/^物资代码已存在（不区分大小写）：(CC|cc|Cc)-001/);
    }
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM items WHERE upper(code) = 'CC-001'`);
    expect(Number(n.n)).toBe(1);
  });
});

describe('0027 on a database that already holds codes differing only in case', () => {
  const t = useTestApp();

  it('keeps the capitals, marks each other one「#重复n」, then builds the index', async () => {
    const db = t.database.db;
    await db.execute(sql`DROP INDEX items_code_upper_uq`);
    await db.execute(sql`INSERT INTO items (code, category_code, name, unit) VALUES
      ('liv-001', 'LIVING', '小写副本', '顶'), ('Liv-001', 'LIVING', '混写副本', '顶'), ('x-1', 'LIVING', '仅小写', '件')`);
    const migration = readFileSync(new URL('../../drizzle/migrations/0027_item_code_unique_any_case.sql', import.meta.url), 'utf8');
    for (const statement of migration.split('--> statement-breakpoint')) await db.execute(sql.raw(statement));
    const rows = await queryRows<{ code: string; name: string }>(
      db,
      sql`SELECT code, name FROM items WHERE upper(code) LIKE 'LIV-001%' OR upper(code) = 'X-1' ORDER BY code COLLATE "C"`,
    );
    expect(rows).toEqual([
      { code: 'LIV-001', name: TENT.name },
      { code: 'Liv-001#重复1', name: '混写副本' },
      { code: 'liv-001#重复2', name: '小写副本' },
      { code: 'x-1', name: '仅小写' },
    ]);
    await expect(db.execute(sql`INSERT INTO items (code, category_code, name, unit) VALUES ('X-1', 'LIVING', 'y', '件')`)).rejects.toThrow();
  });
});
