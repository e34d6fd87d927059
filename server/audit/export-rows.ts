import { sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { type Principal } from '../auth/principal.ts';
import { ZONE } from '../clock.ts';
import { badInput } from '../errors.ts';
import { uuidArg } from '../validation.ts';
import { readablePrefix } from '../regions/service.ts';
import { assertFinanceReader, type Dimension } from './valuation.ts';

// The rows of the Excel/CSV exports (the HTTP routes that render them live in server/http/exports.ts).

export const MAX_ROWS = 200_000;

export const JOURNAL_COLUMNS: [header: string, key: string, width: number][] = [
  ['单据编号', 'number', 18],
  ['单据类型', 'type', 12],
  ['仓库', 'store', 28],
  ['物资', 'item', 16],
  ['规格', 'spec', 20],
  ['单位', 'unit', 6],
  ['批号', 'batchNo', 18],
  ['库存类别', 'bucket', 10],
  ['数量', 'quantity', 10],
  ['单价（元）', 'unitPrice', 12],
  ['金额（元）', 'value', 14],
  ['原因', 'reason', 10],
  ['经办人', 'actor', 14],
  ['业务时间', 'occurredAt', 20],
  ['记账时间', 'recordedAt', 20],
];

const TYPE_NAMES: Record<string, string> = {
  RECEIPT: '入库',
  ISSUE: '出库',
  TRANSFER_OUT: '调拨出库',
  TRANSFER_IN: '调拨入库',
  TRANSFER_CANCEL: '调拨撤销',
  STOCKTAKE: '盘点',
  SCRAP: '报废',
  REVERSAL: '冲销',
  ROTATION: '轮换',
  RECOVERY: '回收',
};

const shanghai = (d: Date | string) => DateTime.fromJSDate(new Date(d)).setZone(ZONE).toFormat('yyyy-LL-dd HH:mm:ss');

/** The journal rows an export holds: every movement in scope and filter, newest first. */
export async function journalRows(db: Db, user: Principal, q: Record<string, string | undefined>) {
  assertFinanceReader(user);
  const prefix = await readablePrefix(db, user, q.regionCode);
  const where: SQL[] = [sql`s.region_code LIKE ${`${prefix}%`}`];
  if (q.from) where.push(sql`m.occurred_at >= ${parseInstant(q.from, 'from')}::timestamptz`);
  if (q.to) where.push(sql`m.occurred_at <= ${parseInstant(q.to, 'to')}::timestamptz`);
  if (q.storeId) where.push(sql`m.store_id = ${uuidArg(q.storeId, 'storeId', '仓库')}::uuid`);
  if (q.itemId) where.push(sql`m.item_id = ${uuidArg(q.itemId, 'itemId', '物资')}::uuid`);
  if (q.documentType) {
    if (!Object.hasOwn(TYPE_NAMES, q.documentType))
      throw badInput('documentType', `未知单据类型：${q.documentType}（可用：${Object.keys(TYPE_NAMES).join('、')}）`);
    where.push(sql`m.type = ${q.documentType}::document_type`);
  }
  return queryRows<Record<string, unknown>>(
    db,
    sql`SELECT d.number, m.type::text AS type, s.name AS store, i.name AS item, i.spec, i.unit, b.batch_no AS "batchNo",
               m.bucket::text AS bucket, m.quantity, m.unit_price::text AS "unitPrice", (m.quantity * m.unit_price)::text AS value,
               r.name AS reason, u.display_name AS actor, m.occurred_at AS "occurredAt", m.recorded_at AS "recordedAt"
          FROM movements m JOIN documents d ON d.id = m.document_id JOIN stores s ON s.id = m.store_id
          JOIN items i ON i.id = m.item_id JOIN batches b ON b.id = m.batch_id JOIN users u ON u.id = m.actor_id
          LEFT JOIN stock_reasons r ON r.code = m.reason_code
         WHERE ${sql.join(where, sql` AND `)}
         ORDER BY m.id DESC LIMIT ${MAX_ROWS}`,
  );
}

export function parseInstant(v: string, field: string): string {
  const dt = DateTime.fromISO(v, { zone: ZONE });
  if (!dt.isValid) throw badInput(field, `${field}：时间格式错误 ${v}`);
  return dt.toUTC().toISO();
}

export function journalCells(r: Record<string, unknown>) {
  return {
    ...r,
    type: TYPE_NAMES[String(r.type)] ?? r.type,
    bucket: r.bucket === 'IN_TRANSIT' ? '在途' : '在库',
    quantity: Number(r.quantity),
    occurredAt: shanghai(r.occurredAt as string),
    recordedAt: shanghai(r.recordedAt as string),
  };
}

export const DIMENSION_HEADINGS: Record<Dimension, string> = {
  REGION: '区划',
  STORE: '仓库',
  CATEGORY: '类别',
  ITEM: '物资',
  RESERVE_MODE: '储备方式',
  FUNDING_SOURCE: '资金来源',
};

const MODE_NAMES: Record<string, string> = { PHYSICAL: '实物储备', ENTRUSTED: '企业代储', AGREEMENT: '协议储备', CAPACITY: '产能储备' };
const FUNDING_NAMES: Record<string, string> = {
  CENTRAL: '中央资金',
  PROVINCE: '省级资金',
  CITY: '市级资金',
  COUNTY: '县级资金',
  TOWNSHIP: '乡级资金',
  DONATION: '捐赠',
  ENTERPRISE: '企业',
};

/** Human names for group keys (ids and codes) in the export. */
export async function dimensionNames(db: Db, dims: Dimension[], keys: string[][]): Promise<Map<string, string>[]> {
  return Promise.all(
    dims.map(async (d, i) => {
      const values = [...new Set(keys.map((k) => k[i]))];
      if (!values.length) return new Map();
      const list = sql.join(
        values.map((v) => sql`${v}`),
        sql`, `,
      );
      if (d === 'RESERVE_MODE') return new Map(values.map((v) => [v, MODE_NAMES[v] ?? v]));
      if (d === 'FUNDING_SOURCE') return new Map(values.map((v) => [v, FUNDING_NAMES[v] ?? v]));
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
