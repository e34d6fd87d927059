import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../../drizzle/client.ts';
import type { ServiceContext } from '../../context.ts';
import { DIMENSIONS, valuation, type Dimension, type ValuationGroup } from '../../audit/valuation.ts';
import { badInput } from '../../errors.ts';
import { formatFen, toFen } from '../../money.ts';
import { DIMENSION_HEADINGS, FUNDING_NAMES, RESERVE_MODE_NAMES } from '../names.ts';
import { instantFileText, instantText, listParam, parseInstant, type Params } from '../params.ts';
import { type Column, type Report, type ReportRow } from '../report.ts';
import { titleBlock } from '../title.ts';

// 储备物资估值 (D21): the valuation query's groups, a 小计 row after each value of the first dimension (when grouped by
// more than one), and a 合计 row with quantities (where they count one item: oneItem) and values; the money sums are
// exact (in fen).

/** Human names for group keys (ids and codes). */
async function dimensionNames(db: Db, dims: Dimension[], keys: string[][]): Promise<Map<string, string>[]> {
  return Promise.all(
    dims.map(async (d, i) => {
      const values = [...new Set(keys.map((k) => k[i]))];
      if (!values.length) return new Map<string, string>();
      if (d === 'RESERVE_MODE') return new Map(values.map((v) => [v, RESERVE_MODE_NAMES[v] ?? v]));
      if (d === 'FUNDING_SOURCE') return new Map(values.map((v) => [v, FUNDING_NAMES[v] ?? v]));
      const list = sql.join(
        values.map((v) => sql`${v}`),
        sql`, `,
      );
      const table = {
        REGION: sql`SELECT code AS k, name FROM regions WHERE code IN (${list})`,
        STORE: sql`SELECT id::text AS k, name FROM stores WHERE id::text IN (${list})`,
        CATEGORY: sql`SELECT code AS k, name FROM categories WHERE code IN (${list})`,
        ITEM: sql`SELECT id::text AS k, name FROM items WHERE id::text IN (${list})`,
      }[d];
      const rows = await queryRows<{ k: string; name: string }>(db, table);
      return new Map(rows.map((r) => [r.k, r.name]));
    }),
  );
}

interface Sums {
  quantity: number;
  value: bigint;
  inTransitQuantity: number;
  inTransitValue: bigint;
}
const zero = (): Sums => ({ quantity: 0, value: 0n, inTransitQuantity: 0, inTransitValue: 0n });
const add = (s: Sums, g: ValuationGroup) => {
  s.quantity += g.quantity;
  s.value += toFen(g.value);
  s.inTransitQuantity += g.inTransitQuantity;
  s.inTransitValue += toFen(g.inTransitValue);
};
/** A sum's cells; its quantities left empty where they would add up several items' units (`counted` false, F8). */
const sumCells = (s: Sums, counted: boolean) => ({
  quantity: counted ? s.quantity : null,
  value: formatFen(s.value),
  inTransitQuantity: counted ? s.inTransitQuantity : null,
  inTransitValue: formatFen(s.inTransitValue),
});

/**
 * Sweep 25c F8 (the console's rule, sweep 22c F8 — ValuationPage quantityShown): a quantity is a count of one unit
 * (顶, 床, 条 …). A group of one item has one; a store's, a category's, a funding source's group holds several items,
 * whose pieces added up mean nothing (151,304 「顶+床+条+张」). So 在库数量 and 在途数量 are printed only where the
 * grouping is by item — on a 小计 or the 合计 only when every group under it is the same item; elsewhere the cell is
 * left empty (the console shows 「—」). The values are printed everywhere.
 */
const oneItem = (groupBy: readonly Dimension[], groups: readonly ValuationGroup[]) => {
  const at = groupBy.indexOf('ITEM');
  return at >= 0 && new Set(groups.map((g) => g.key[at])).size <= 1;
};

export async function valuationReport(ctx: ServiceContext, q: Params): Promise<Report> {
  // A dimension named twice counts once, as the valuation query takes it (its keys have one entry per distinct one).
  const groupBy = [...new Set(listParam(q.groupBy ?? 'STORE'))] as Dimension[];
  const bad = groupBy.find((g) => !DIMENSIONS.includes(g));
  if (bad) throw badInput('groupBy', `汇总方式：未知维度 ${bad}`);
  if (!groupBy.length) throw badInput('groupBy', '汇总方式：至少选一个维度');
  // D21 (sweep 16c F1): a date alone is the end of that China day (24:00, its 00:00 of the next day included), as the
  // journal's `to` — the day's closing value, from which the next day's journal carries on.
  const now = ctx.clock.now().toJSDate();
  const v = await valuation(ctx, { asOf: q.asOf ? new Date(parseInstant(q.asOf, 'asOf', 'end', now)) : null, regionCode: q.regionCode, groupBy });
  const names = await dimensionNames(
    ctx.db,
    groupBy,
    v.groups.map((g) => g.key),
  );
  const columns: Column[] = [
    ...groupBy.map((d, i): Column => ({ header: DIMENSION_HEADINGS[d], key: `k${i}`, width: i === 0 ? 26 : 20, kind: 'text' })),
    { header: '在库数量', key: 'quantity', width: 12, kind: 'int' },
    { header: '在库金额（元）', key: 'value', width: 16, kind: 'money' },
    { header: '在途数量', key: 'inTransitQuantity', width: 12, kind: 'int' },
    { header: '在途金额（元）', key: 'inTransitValue', width: 16, kind: 'money' },
  ];
  const label = (g: ValuationGroup, i: number) => names[i].get(g.key[i]) ?? g.key[i];
  const rows: ReportRow[] = [];
  const total = zero();
  let sub: Sums | null = null;
  let subGroups: ValuationGroup[] = [];
  const closeSubtotal = (first: string) => {
    if (sub) rows.push({ role: 'subtotal', cells: { k0: `${first} 小计`, ...sumCells(sub, oneItem(groupBy, subGroups)) } });
  };
  // Sweep 25c F8: by item, each row is one item's count; otherwise a row mixes units and its quantities are left empty.
  const byItem = groupBy.includes('ITEM');
  // The sheet shows in-transit stock per row in its own columns: the 在途 group (D21) would count it twice.
  const inTransitGroup = (g: ValuationGroup) => g.key.every((k) => k === '在途');
  const groups = v.groups.filter((g) => !inTransitGroup(g));
  groups.forEach((g, n) => {
    const first = label(g, 0);
    if (groupBy.length > 1 && n > 0 && groups[n - 1].key[0] !== g.key[0]) {
      closeSubtotal(label(groups[n - 1], 0));
      sub = null;
      subGroups = [];
    }
    rows.push({
      cells: {
        ...Object.fromEntries(groupBy.map((_, i) => [`k${i}`, i === 0 ? first : label(g, i)])),
        quantity: byItem ? g.quantity : null,
        value: g.value,
        inTransitQuantity: byItem ? g.inTransitQuantity : null,
        inTransitValue: g.inTransitValue,
      },
    });
    add(total, g);
    if (groupBy.length > 1) {
      add((sub ??= zero()), g);
      subGroups.push(g);
    }
  });
  if (groupBy.length > 1 && groups.length) closeSubtotal(label(groups.at(-1)!, 0));
  // The value columns of 合计 are the valuation's own totals; the groups add up to them (a test checks it).
  rows.push({ role: 'total', cells: { k0: '合计', ...sumCells(total, oneItem(groupBy, groups)), value: v.onHand, inTransitValue: v.inTransit } });

  const title = await titleBlock(ctx, q.regionCode);
  return {
    ...title,
    fileName: `valuation-${instantFileText(v.asOf)}`,
    title: '储备物资估值表',
    sheetName: '储备物资估值',
    period: `截至 ${instantText(v.asOf)}`,
    columns,
    rows,
    // D21: agreement reserves apart, as contingent value, with their fees — what the console's 估值 shows beside 合计.
    apart: {
      sheetName: '另列（不计入合计）',
      note: '以上各项另列，不计入估值表合计：协议储备、产能储备为企业承诺的或有价值，企业自有库存为企业财产，协议储备费用为按日计提的代储费、管理费。',
      rows: [
        { label: '协议储备（或有价值）', value: v.contingentAgreementValue },
        { label: '产能储备（一日产能，或有价值）', value: v.contingentCapacityValue },
        { label: '企业自有库存（协议储备企业库）', value: v.companyStock },
        { label: `协议储备费用（${v.feesFrom} 起计提）`, value: v.feesAccrued },
      ],
    },
  };
}
