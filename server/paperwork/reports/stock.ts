import { sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { queryRows } from '../../../drizzle/client.ts';
import { batches, items } from '../../../drizzle/schema/index.ts';
import type { ServiceContext } from '../../context.ts';
import { todayInChina, chinaText } from '../../clock.ts';
import { formatFen, toFen } from '../../money.ts';
import { isExpired } from '../../inventory/expiry.ts';
import { stockLineCondition } from '../../inventory/queries.ts';
import { companyOwnedSql, heldReserveModeSql } from '../../inventory/reserve-mode.ts';
import { getCategory, getItem } from '../../catalog/service.ts';
import { storeScopeSql } from '../../reserves/rotation.ts';
import { getStoreInScope } from '../../stores/service.ts';
import { FUNDING_NAMES, RESERVE_MODE_NAMES } from '../names.ts';
import { parseDay, type Params } from '../params.ts';
import { type Column, type Report, type ReportRow } from '../report.ts';
import { titleBlock } from '../title.ts';

// 库存台账: every balance line (store × batch) in the user's scope and filter — what the stock query lists — with its
// batch's dates, price, funding and reserve mode; a 合计 row of the amounts (and of the quantities when the list holds one item).
// D3, D21 (sweep 17b F2): the 合计 is the government's reserves only, as the valuation's 合计 — a company's own stock
// (协议储备) listed here is the company's property: its amounts are a line of their own before the 合计, not in it, as the
// valuation workbook lists it apart (企业自有库存). So the 合计 of a region's list is valuation(regionCode).onHand.
// D7: the batch's whole label (品名, 规格, 产地, 批号, 数量, 生产日期, 入库时间) — 产地 and 入库时间 came last, after the
// columns users and programs already read, so that none of those moved (sweep 12a F3).

const COLUMNS: Column[] = [
  { header: '仓库', key: 'store', width: 26, kind: 'text' },
  { header: '物资编码', key: 'itemCode', width: 10, kind: 'text' },
  { header: '物资', key: 'item', width: 14, kind: 'text' },
  { header: '规格', key: 'spec', width: 18, kind: 'text' },
  { header: '单位', key: 'unit', width: 6, kind: 'text' },
  { header: '批号', key: 'batchNo', width: 16, kind: 'text' },
  { header: '生产日期', key: 'productionDate', width: 11, kind: 'date' },
  { header: '有效期至', key: 'expiryDate', width: 11, kind: 'date' },
  { header: '在库', key: 'onHand', width: 10, kind: 'int' },
  { header: '预留', key: 'reserved', width: 10, kind: 'int' },
  { header: '可用', key: 'available', width: 10, kind: 'int' },
  { header: '在途', key: 'inTransit', width: 10, kind: 'int' },
  { header: '单价（元）', key: 'unitPrice', width: 11, kind: 'money' },
  { header: '在库金额（元）', key: 'value', width: 14, kind: 'money' },
  { header: '资金来源', key: 'funding', width: 10, kind: 'text' },
  { header: '储备方式', key: 'mode', width: 10, kind: 'text' },
  { header: '状态', key: 'state', width: 8, kind: 'text' },
  { header: '产地', key: 'origin', width: 14, kind: 'text' },
  // The batch's own receipt (Batch.receivedAt, FEFO's tie-break, D8) — for stock transferred here, its first 入库.
  { header: '入库时间', key: 'receivedAt', width: 19, kind: 'datetime' },
];

const QUANTITIES = ['onHand', 'reserved', 'available', 'inTransit'] as const;

/** The statement's items i and batches b, for the stock query's conditions on a line's item and batch. */
const SEARCHED_ITEMS = alias(items, 'i');
const SEARCHED_BATCHES = alias(batches, 'b');

/** The line of a company's own stock, before the 合计 and not in it (D3, D21), in the valuation workbook's words. */
export const COMPANY_STOCK_LABEL = '企业自有库存（协议储备）小计，企业财产，不计入合计';

export async function stockReport(ctx: ServiceContext, q: Params): Promise<Report> {
  const { db, actor: user, clock } = ctx;
  const where: SQL[] = [await storeScopeSql(db, user, q.regionCode), sql`(bal.on_hand > 0 OR bal.in_transit > 0)`];
  const store = q.storeId ? await getStoreInScope(db, user, q.storeId, 'storeId') : null;
  if (store) where.push(sql`bal.store_id = ${store.id}::uuid`);
  // An unknown item or category is NOT_FOUND, as the stock query answers it (sweep 17b F8), not an empty sheet.
  const item = q.itemId ? await getItem(db, q.itemId, 'itemId') : null;
  if (item) where.push(sql`bal.item_id = ${item.id}::uuid`);
  const category = q.categoryCode ? await getCategory(db, q.categoryCode, 'categoryCode') : null;
  if (category) where.push(sql`i.category_code = ${category.code}`);
  // Sweep 22a, left over: the word 本库库存 is searched by (StockFilter.search) and its 到期早于 (expiringBefore) — the
  // file held the whole store's lines, then every expiry date, while the page showed those found. The stock query's own
  // condition (stockLineCondition), on this statement's i and b.
  const expiringBefore = parseDay(q.expiringBefore, 'expiringBefore');
  const lineCondition = stockLineCondition({ search: q.search, expiringBefore }, 'search', { items: SEARCHED_ITEMS, batches: SEARCHED_BATCHES });
  if (lineCondition) where.push(lineCondition);
  const today = todayInChina(clock);
  const rows = await queryRows<Record<string, string | number | boolean | null>>(
    db,
    sql`SELECT s.name AS store, i.code AS "itemCode", i.name AS item, i.spec, i.unit, b.batch_no AS "batchNo",
               b.production_date::text AS "productionDate", b.expiry_date::text AS "expiryDate", b.origin, b.received_at AS "receivedAt",
               bal.on_hand AS "onHand", bal.reserved, bal.on_hand - bal.reserved AS available, bal.in_transit AS "inTransit",
               b.unit_price::text AS "unitPrice", (bal.on_hand * b.unit_price)::text AS value,
               b.funding_source::text AS funding, ${heldReserveModeSql(sql`b.reserve_mode`, sql`s.kind`)} AS mode, bal.item_id::text AS "itemId",
               ${companyOwnedSql(sql`b.reserve_mode`)} AS company
          FROM balances bal JOIN stores s ON s.id = bal.store_id JOIN batches b ON b.id = bal.batch_id JOIN items i ON i.id = bal.item_id
         WHERE ${sql.join(where, sql` AND `)}
         ORDER BY s.code, i.code, b.expiry_date NULLS LAST, b.batch_no`,
  );
  const body: ReportRow[] = rows.map(({ company: _company, ...r }) => {
    // D26: from 00:00 China time on its expiry date a batch is frozen (the ledger's own rule, as `stock` says it): none
    // of it is available to issue or transfer, as 储备缺口 and the console's 本库库存 count it.
    const expired = isExpired(r.expiryDate === null ? null : String(r.expiryDate), today);
    return {
      cells: {
        ...r,
        ...Object.fromEntries(QUANTITIES.map((k) => [k, Number(r[k])])),
        ...(expired ? { available: 0 } : {}),
        receivedAt: new Date(r.receivedAt as string),
        funding: FUNDING_NAMES[String(r.funding)] ?? r.funding,
        mode: RESERVE_MODE_NAMES[String(r.mode)] ?? r.mode,
        state: expired ? '已过期' : '正常',
      },
    };
  });
  const oneItem = new Set(rows.map((r) => r.itemId)).size === 1;
  /** The amounts (and, of one item, the quantities) of the rows whose owner is (not) a company. */
  const sums = (company: boolean) => {
    const of = body.filter((_, n) => (rows[n].company === true) === company);
    const quantities = oneItem ? Object.fromEntries(QUANTITIES.map((k) => [k, of.reduce((s, r) => s + Number(r.cells[k]), 0)])) : {};
    return { count: of.length, cells: { ...quantities, value: formatFen(of.reduce((s, r) => s + toFen(String(r.cells.value)), 0n)) } };
  };
  const government = sums(false);
  const companies = sums(true);
  const title = await titleBlock(ctx, { regionCode: q.regionCode, storeId: store?.id });
  return {
    ...title,
    fileName: `stock-${chinaText(title.preparedAt, 'yyyyLLdd-HHmm')}`,
    title: '库存台账',
    sheetName: '库存台账',
    period: `截至 ${chinaText(title.preparedAt, 'yyyy-LL-dd HH:mm')}`,
    // A printed sheet says what it is (sweep 22a, left over): every filter beyond the scope 编制单位 names.
    filters: filtersInWords({ item, category, search: q.search?.trim(), expiringBefore }),
    columns: COLUMNS,
    rows: [
      ...body,
      ...(companies.count ? [{ role: 'subtotal' as const, cells: { store: COMPANY_STOCK_LABEL, ...companies.cells } }] : []),
      { role: 'total', cells: { store: '合计', ...government.cells } },
    ],
  };
}

/**
 * The filters a list was asked for beyond its scope (the store or region 编制单位 names), in the title block's words:
 * 「物资：棉被（…）；类别：…；搜索词：「XS22」；到期早于：2027-01-01（不含当日）」 — undefined when there are none.
 */
function filtersInWords(f: {
  item: { name: string; spec: string | null; code: string } | null;
  category: { name: string } | null;
  search?: string;
  expiringBefore?: string;
}): string | undefined {
  const words = [
    f.item && `物资：${f.item.name}${f.item.spec ? `（${f.item.spec}）` : ''} ${f.item.code}`,
    f.category && `类别：${f.category.name}`,
    f.search && `搜索词：「${f.search}」`,
    f.expiringBefore && `到期早于：${f.expiringBefore}（不含当日）`,
  ].filter(Boolean);
  return words.length ? words.join('；') : undefined;
}
