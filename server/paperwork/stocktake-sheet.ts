import { sql } from 'drizzle-orm';
import { chinaText } from '../clock.ts';
import { queryRows } from '../../drizzle/client.ts';
import type { ServiceContext } from '../context.ts';
import { storeForPosting } from '../inventory/common.ts';
import { assertMayPost } from '../auth/policy.ts';
import { getCategory } from '../catalog/service.ts';
import { DOWNLOAD_LINK_PARAM } from './download-links.ts';
import { assertKnownParams, type Params } from './params.ts';
import { type Column, type Report } from './report.ts';
import { MAX_UPLOAD_ROWS } from './sheet-reader.ts';
import { titleBlock } from './title.ts';

// 盘点表 (D9): a store's batches with their book quantities, for the keeper to count on paper and upload again. The
// hidden 批次编号 column ties each row back to its batch; 实盘数 and 原因 are the keeper's (原因 from a list).

export const STOCKTAKE_HEADINGS = { batchId: '批次编号', batchNo: '批号', book: '账面数', counted: '实盘数', reason: '原因' } as const;
/** The sheet's one worksheet, the one the upload reads (readUploadSheet). */
export const STOCKTAKE_SHEET = '盘点表';

export async function stocktakeReasons(ctx: ServiceContext) {
  return queryRows<{ code: string; name: string; direction: 'INCREASE' | 'DECREASE' }>(
    ctx.db,
    sql`SELECT code, name, direction::text AS direction FROM stock_reasons WHERE 'STOCKTAKE' = ANY(usages) ORDER BY direction, code NOT LIKE 'STOCKTAKE%', code`,
  );
}

/** The query parameters the 盘点表 download reads (besides a download link's own `dl`). */
export const STOCKTAKE_SHEET_PARAMS = ['categoryCode'] as const;

/** A store's batches on hand per category (for a sheet too long to upload at once: where to cut it). */
export async function stocktakeCategories(ctx: ServiceContext, storeId: string) {
  return queryRows<{ code: string; name: string; batches: number }>(
    ctx.db,
    sql`SELECT c.code, c.name, count(*)::int AS batches
          FROM balances bal JOIN items i ON i.id = bal.item_id JOIN categories c ON c.code = i.category_code
         WHERE bal.store_id = ${storeId}::uuid AND bal.on_hand > 0
         GROUP BY c.code, c.name ORDER BY c.code`,
  );
}

/**
 * D9 (sweep 22a F7): what to do with a sheet longer than one upload takes (MAX_UPLOAD_ROWS): download it per category
 * (?categoryCode=…) and upload each — said in the long sheet's title block and in the upload's refusal.
 */
export function perCategoryAdvice(categories: { code: string; name: string; batches: number }[], maxRows = MAX_UPLOAD_ROWS): string {
  const list = categories.map((c) => `${c.name} ${c.code} ${c.batches} 行`).join('、');
  return `一次最多导入 ${maxRows} 行，请按类别下载盘点表（?categoryCode=…）分别导入${list ? `（本库各类别：${list}）` : ''}`;
}

/**
 * `q`: the download's query parameters — `categoryCode` gives the sheet of one category (a store holding more batches
 * than one upload takes is counted and uploaded per category, sweep 22a F7); any other is refused, as the exports
 * refuse one (assertKnownParams), not ignored.
 */
export async function stocktakeSheet(ctx: ServiceContext, storeId: string, q: Params = {}): Promise<Report> {
  // The sheet is for those who may count there: the same check as a stocktake's, naming the sheet for an auditor.
  assertMayPost(ctx.actor, '下载盘点表（盘点表供盘点填报）');
  assertKnownParams(
    Object.keys(q).filter((k) => k !== DOWNLOAD_LINK_PARAM),
    STOCKTAKE_SHEET_PARAMS,
  );
  const store = await storeForPosting(ctx.db, ctx.actor, storeId, 'storeId');
  // An unknown category is NOT_FOUND, as the stock export answers it, not an empty sheet.
  const category = q.categoryCode ? await getCategory(ctx.db, q.categoryCode, 'categoryCode') : null;
  const [rows, reasons] = await Promise.all([
    queryRows<Record<string, string | number | null>>(
      ctx.db,
      sql`SELECT b.id::text AS "batchId", i.code AS "itemCode", i.name AS item, i.spec, i.unit, b.batch_no AS "batchNo",
                 b.production_date::text AS "productionDate", b.expiry_date::text AS "expiryDate", bal.on_hand AS book
            FROM balances bal JOIN batches b ON b.id = bal.batch_id JOIN items i ON i.id = bal.item_id
           WHERE bal.store_id = ${store.id}::uuid AND bal.on_hand > 0 ${category ? sql`AND i.category_code = ${category.code}` : sql``}
           ORDER BY i.code, b.expiry_date NULLS LAST, b.batch_no`,
    ),
    stocktakeReasons(ctx),
  ]);
  const columns: Column[] = [
    { header: '序号', key: 'n', width: 6, kind: 'int' },
    { header: '物资编码', key: 'itemCode', width: 10, kind: 'text' },
    { header: '物资', key: 'item', width: 14, kind: 'text' },
    { header: '规格', key: 'spec', width: 18, kind: 'text' },
    { header: '单位', key: 'unit', width: 6, kind: 'text' },
    { header: STOCKTAKE_HEADINGS.batchNo, key: 'batchNo', width: 16, kind: 'text' },
    { header: '生产日期', key: 'productionDate', width: 11, kind: 'date' },
    { header: '有效期至', key: 'expiryDate', width: 11, kind: 'date' },
    { header: STOCKTAKE_HEADINGS.book, key: 'book', width: 10, kind: 'int' },
    { header: STOCKTAKE_HEADINGS.counted, key: 'counted', width: 10, kind: 'int', input: {} },
    { header: STOCKTAKE_HEADINGS.reason, key: 'reason', width: 12, kind: 'text', input: { choices: reasons.map((r) => r.name) } },
    { header: STOCKTAKE_HEADINGS.batchId, key: 'batchId', width: 38, kind: 'text', hidden: true },
  ];
  const title = await titleBlock(ctx);
  // Longer than one upload takes: the title block says how to count it in parts (the rows are all there, to print).
  const tooLong = rows.length > MAX_UPLOAD_ROWS ? `；共 ${rows.length} 行，${perCategoryAdvice(await stocktakeCategories(ctx, store.id))}` : '';
  return {
    ...title,
    unit: store.name,
    fileName: `stocktake-${store.code}${category ? `-${category.code}` : ''}-${chinaText(title.preparedAt, 'yyyyLLdd')}`,
    title: `${store.name} 盘点表${category ? `（${category.name}）` : ''}`,
    sheetName: STOCKTAKE_SHEET,
    period: `账面数截至 ${chinaText(title.preparedAt, 'yyyy-LL-dd HH:mm')}${tooLong}`,
    columns,
    rows: rows.map((r, i) => ({ cells: { ...r, n: i + 1, book: Number(r.book), counted: null, reason: null } })),
  };
}
