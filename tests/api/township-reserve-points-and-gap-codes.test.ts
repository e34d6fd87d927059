import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { storeId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { errorCode, useTestApp } from '../support/harness.ts';
import { ok } from '../support/ledger-ops.ts';
import { download, openWorkbook, parseCsv, sheetValues } from '../support/paperwork.ts';
import { createRegionalAdmin } from '../support/regional-admin.ts';
import { stockedPoint } from '../support/relief.ts';

// Sweep 19b F6 (D2, D19): 新乡 plans a 储备库 in every township, 晋城 and 河曲 储备点 in their townships. Each coverage
// line names the township's 储备点 — government, entrusted and agreement stores of the township and below, never a
// 安置点 (D29) — so a township without any reads apart from one whose store is empty, and a township with two is one
// covered township: 「乡镇储备点覆盖率」 is read directly, not computed from `stores(level: TOWNSHIP)`.
// Sweep 19b F8 (D19, D1): the 储备缺口 export labels a region quota's row 「<区划>（辖区合计）」 at every level, and carries the
// 12-digit 区划代码 and the 仓库编码 the API's row has — two townships named 城关镇 in different counties stay apart.

const t = useTestApp();

const HUNCHUN = '222404';
const HAIDONG = '222404006000'; // 海东街道: no store at all
const JINGXIN = '222404101000'; // 敬信镇: 珲春市敬信镇应急物资储备点, holding nothing
const JINHAI = '222404060000'; // 近海街道: a government 储备点 and an entrusted 代储库
const HENAN = '222404003000'; // 河南街道: a government 储备点 and an agreement company's warehouse (协议储备: not a 储备点)
const JISHUI = '410781100000'; // 汲水镇: its 储备点 and the demo flood's 安置点 (汲水镇第一小学安置点)
const TAIGONG = '410781101000'; // 太公镇
const TAIGONG_STORE = storeId('S-410781101-01');
const TENT = itemId('LIV-001');
const COAT = itemId('LIV-005');

const COVERAGE = `query($r: String!) { coverage(regionCode: $r) {
  region { code name } categoriesHeld kindsHeld meetsTarget storeCount stores { code name kind region { code } } } }`;
const coverage = async (regionCode: string, as = 'admin') => ok(await t.gql(COVERAGE, { r: regionCode }, as)).coverage as any[];
const lineOf = (lines: any[], code: string) => lines.find((l) => l.region.code === code);

describe('sweep 19b F6 (D2, D19): each township coverage line names its 储备点', () => {
  it('D19: a township with no store reads storeCount 0, apart from one whose store is empty — both hold nothing', async () => {
    const lines = await coverage(HUNCHUN);
    expect(lineOf(lines, HAIDONG)).toMatchObject({ region: { name: '海东街道' }, categoriesHeld: 0, kindsHeld: 0, storeCount: 0, stores: [] });
    expect(lineOf(lines, JINGXIN)).toMatchObject({
      region: { name: '敬信镇' },
      categoriesHeld: 0,
      kindsHeld: 0,
      storeCount: 1,
      stores: [{ code: 'S-222404101-01', name: '珲春市敬信镇应急物资储备点', kind: 'GOVERNMENT', region: { code: JINGXIN } }],
    });
    // 海东街道 really has no store: not one left out by the line.
    const [{ n }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM stores WHERE region_code LIKE '222404006%'`);
    expect(Number(n)).toBe(0);
  });

  it('D19: a township with two stores is one covered township with 2 储备点; 乡镇储备点覆盖率 of 珲春 reads 13 of 14', async () => {
    const lines = await coverage(HUNCHUN);
    expect(lines).toHaveLength(14);
    expect(lineOf(lines, JINHAI).storeCount).toBe(2);
    expect(lineOf(lines, JINHAI).stores.map((s: any) => [s.code, s.kind])).toEqual([
      ['S-222404060-01', 'GOVERNMENT'],
      ['S-222404060-02', 'ENTRUSTED'],
    ]);
    // An agreement company's warehouse is a 储备点 of its township too (D2, D6: 协议储备).
    expect(lineOf(lines, HENAN).stores.map((s: any) => s.kind)).toEqual(['GOVERNMENT']);
    expect(lines.filter((l) => l.storeCount > 0)).toHaveLength(13);
    // What stores(level: TOWNSHIP) counted (sweep 19b F6): 16 stores for 14 townships.
    const listed = ok(await t.gql(`{ stores(regionCode: "${HUNCHUN}", level: TOWNSHIP) { totalCount } }`, {}, 'admin')).stores.totalCount;
    expect(listed).toBe(16);
    expect(lines.reduce((s, l) => s + l.storeCount, 0)).toBe(15);
  });

  it('D29, D19: a 安置点 is no 储备点 — 汲水镇 with its 储备点 and a flood’s 安置点 (holding 棉被) counts 1', async () => {
    const before = lineOf(await coverage('410781', 'dispatcher'), JISHUI);
    const { point } = await stockedPoint(t, 'F6 汲水镇安置点', 'F6-POINT');
    const [{ kind }] = await queryRows<{ kind: string }>(t.database.db, sql`SELECT kind::text FROM stores WHERE id = ${point}::uuid`);
    expect(kind).toBe('DISTRIBUTION_POINT');
    const [{ n }] = await queryRows<{ n: number }>(t.database.db, sql`SELECT count(*)::int AS n FROM stores WHERE region_code LIKE '410781100%'`);
    expect(Number(n)).toBe(2);
    const line = lineOf(await coverage('410781', 'dispatcher'), JISHUI);
    expect(line).toMatchObject({ storeCount: 1, stores: [{ code: 'S-410781100-01', kind: 'GOVERNMENT' }] });
    expect(line.categoriesHeld).toBe(before.categoriesHeld);
  });

  it('D19: the same readers as the line — a township’s own administrator reads its 储备点; a keeper or another region is refused', async () => {
    await createRegionalAdmin(t, 'f6-taigong-admin', TAIGONG);
    const lines = await coverage(TAIGONG, 'f6-taigong-admin');
    expect(lines).toEqual([expect.objectContaining({ storeCount: 1, stores: [expect.objectContaining({ code: 'S-410781101-01' })] })]);
    expect(errorCode(await t.gql(COVERAGE, { r: '410781' }, 'f6-taigong-admin'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(COVERAGE, { r: TAIGONG }, 'keeper'))).toBe('FORBIDDEN');
    expect(errorCode(await t.gql(COVERAGE, { r: HUNCHUN }, 'dispatcher'))).toBe('FORBIDDEN');
  });

  it('House style 5: coverage → stores → region sends as many statements for 1 township as for 珲春’s 14', async () => {
    const statements = async (regionCode: string) => {
      await t.token('admin');
      await t.gql('{ me { id } }', {}, 'admin');
      t.database.stats.statements = 0;
      const lines = await coverage(regionCode);
      return { n: t.database.stats.statements, lines };
    };
    const one = await statements(JINGXIN);
    const all = await statements(HUNCHUN);
    expect(one.lines).toHaveLength(1);
    expect(all.lines).toHaveLength(14);
    expect(all.n).toBe(one.n);
  });
});

describe('sweep 19b F8 (D19, D1): the 储备缺口 export’s region rows read 「（辖区合计）」 and carry 区划代码 and 仓库编码', () => {
  // Two townships named 城关镇, in 卫辉市 and in 新乡县 (D1: a name repeats across counties, the code does not).
  const CHENGGUAN = ['410781190000', '410721190000'];

  beforeAll(async () => {
    await t.database.db.execute(sql`INSERT INTO regions (code, name, level, parent_code, lat, lng) VALUES
      ('410781190000', '城关镇', 'TOWNSHIP', '410781000000', 35.40, 114.06),
      ('410721190000', '城关镇', 'TOWNSHIP', '410721000000', 35.19, 113.80)`);
    const quota = async (input: Record<string, unknown>) =>
      ok(await t.gql(`mutation($i: QuotaInput!) { upsertQuota(input: $i) { id } }`, { i: input }, 'admin'));
    for (const code of CHENGGUAN) await quota({ regionCode: code, itemId: COAT, quantity: 30 });
    await quota({ regionCode: TAIGONG, itemId: TENT, quantity: 7 });
    await quota({ regionCode: '410781', itemId: TENT, quantity: 40 });
    await quota({ storeId: TAIGONG_STORE, itemId: TENT, quantity: 5 });
  });

  const HEAD = ['定额对象', '区划代码', '仓库编码', '物资编码', '物资', '规格', '单位', '储备定额', '可用库存', '其中实物储备', '协议承储', '缺口'];

  it('D19, D1: the CSV equals reserveGaps row by row — 区划代码 of a region quota, 仓库编码 of a store quota, 「（辖区合计）」 at every level', async () => {
    const gaps = ok(
      await t.gql(`{ reserveGaps(regionCode: "410700") { item { code } store { code name } region { code name } quota available gap } }`, {}, 'dispatcher'),
    ).reserveGaps as any[];
    const res = await download(t, '/exports/reserve-gaps.csv', 'dispatcher', { regionCode: '410700' });
    expect(res.status, res.text).toBe(200);
    const [head, ...rows] = parseCsv(res.text.replace(/^\uFEFF/, ''));
    expect(head).toEqual(HEAD);
    expect(rows.map((r) => [r[0], r[1], r[2], r[3], r[7], r[11]])).toEqual(
      gaps.map((g) => [
        g.store ? g.store.name : `${g.region.name}（辖区合计）`,
        g.region?.code ?? '',
        g.store?.code ?? '',
        g.item.code,
        String(g.quota),
        String(g.gap),
      ]),
    );
    expect(rows.some((r) => r[0].includes('全区'))).toBe(false);
    // The two 城关镇: one name, two codes.
    const chengguan = rows.filter((r) => r[0] === '城关镇（辖区合计）');
    expect(chengguan.map((r) => r[1]).sort()).toEqual([...CHENGGUAN].sort());
    // A township, a county and a city read alike.
    expect(rows.find((r) => r[1] === TAIGONG)).toMatchObject({ 0: '太公镇（辖区合计）', 2: '', 3: 'LIV-001', 7: '7' });
    expect(rows.find((r) => r[2] === 'S-410781101-01' && r[3] === 'LIV-001')).toMatchObject({ 0: '卫辉市太公镇应急物资储备点', 1: '', 7: '5' });
    expect(rows.find((r) => r[1] === '410781000000')).toMatchObject({ 0: '卫辉市（辖区合计）', 2: '', 7: '40' });
  });

  it('D19: the workbook has the same columns, the codes as text (12 digits kept), under its title block', async () => {
    const ws = await openWorkbook((await download(t, '/exports/reserve-gaps.xlsx', 'dispatcher', { regionCode: '410781' })).body as Buffer);
    expect(ws.getCell('A1').value).toBe('储备缺口表');
    expect(ws.getCell('A2').value).toBe('编制单位：卫辉市');
    expect(sheetValues(ws, 4, 4)[0]).toEqual(HEAD);
    const rows = sheetValues(ws, 5);
    const taigong = rows.find((r) => r[1] === TAIGONG)!;
    expect(taigong.slice(0, 4)).toEqual(['太公镇（辖区合计）', TAIGONG, null, 'LIV-001']);
    expect(rows.find((r) => r[1] === '410781190000')?.[0]).toBe('城关镇（辖区合计）');
    expect(rows.find((r) => r[2] === 'S-410781101-01')?.[1]).toBeNull();
  });
});
