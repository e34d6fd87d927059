import type { Express, Request, Response } from 'express';
import ExcelJS from 'exceljs';
import { sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { type Principal } from '../auth/principal.ts';
import { ZONE } from '../clock.ts';
import type { AppServices } from '../context.ts';
import { authenticate } from '../users/service.ts';
import { badInput } from '../errors.ts';
import { uuidArg } from '../validation.ts';
import { readablePrefix } from '../regions/service.ts';
import { assertFinanceReader, DIMENSIONS, valuation, type Dimension } from './valuation.ts';

const MAX_ROWS = 200_000;

const JOURNAL_COLUMNS: [header: string, key: string, width: number][] = [
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
async function journalRows(db: Db, user: Principal, q: Record<string, string | undefined>) {
  assertFinanceReader(user);
  const prefix = await readablePrefix(db, user, q.regionCode);
  const where: SQL[] = [sql`s.region_code LIKE ${`${prefix}%`}`];
  if (q.from) where.push(sql`m.occurred_at >= ${parseInstant(q.from, 'from')}::timestamptz`);
  if (q.to) where.push(sql`m.occurred_at <= ${parseInstant(q.to, 'to')}::timestamptz`);
  if (q.storeId) where.push(sql`m.store_id = ${uuidArg(q.storeId, 'storeId', '仓库')}::uuid`);
  if (q.itemId) where.push(sql`m.item_id = ${uuidArg(q.itemId, 'itemId', '物资')}::uuid`);
  if (q.documentType) {
    if (!Object.hasOwn(TYPE_NAMES, q.documentType)) throw badInput('documentType', `未知单据类型：${q.documentType}（可用：${Object.keys(TYPE_NAMES).join('、')}）`);
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

function parseInstant(v: string, field: string): string {
  const dt = DateTime.fromISO(v, { zone: ZONE });
  if (!dt.isValid) throw Object.assign(new Error(`${field}: 时间格式错误 ${v}`), { status: 400 });
  return dt.toUTC().toISO()!;
}

function journalCells(r: Record<string, unknown>) {
  return {
    ...r,
    type: TYPE_NAMES[String(r.type)] ?? r.type,
    bucket: r.bucket === 'IN_TRANSIT' ? '在途' : '在库',
    quantity: Number(r.quantity),
    occurredAt: shanghai(r.occurredAt as string),
    recordedAt: shanghai(r.recordedAt as string),
  };
}

const csvCell = (v: unknown) => {
  let s = v === null || v === undefined ? '' : String(v);
  // Text that Excel would run as a formula (=, +, -, @ …, e.g. a batch number typed by a keeper) is quoted with
  // a leading apostrophe; numbers stay numbers.
  if (/^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** CSV with a BOM so that Excel opens the Chinese headings as UTF-8. */
function sendCsv(res: Response, name: string, headers: string[], rows: unknown[][]) {
  res.setHeader('content-type', 'text/csv; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="${name}.csv"`);
  res.send(`\uFEFF${[headers, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`);
}

async function sendXlsx(res: Response, name: string, sheet: string, columns: [string, string, number][], rows: Record<string, unknown>[], numberKeys: string[]) {
  const book = new ExcelJS.Workbook();
  book.creator = '应急物资储备与调度';
  const ws = book.addWorksheet(sheet);
  ws.columns = columns.map(([header, key, width]) => ({ header, key, width }));
  for (const r of rows) ws.addRow(Object.fromEntries(columns.map(([, key]) => [key, numberKeys.includes(key) ? Number(r[key]) : r[key]])));
  ws.getRow(1).font = { bold: true };
  for (const key of numberKeys) if (key !== 'quantity') ws.getColumn(key).numFmt = '#,##0.00';
  res.setHeader('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  res.setHeader('content-disposition', `attachment; filename="${name}.xlsx"`);
  res.send(Buffer.from(await book.xlsx.writeBuffer()));
}

/**
 * Exports for the people who live in Excel (authenticated with the same bearer token):
 * GET /exports/journal.{xlsx,csv}?from&to&regionCode&storeId&itemId&documentType
 * GET /exports/valuation.{xlsx,csv}?asOf&regionCode&groupBy=STORE,CATEGORY
 */
export function registerExports(app: Express, services: AppServices) {
  const keys = { secret: services.config.jwtSecret, ttlHours: services.config.tokenTtlHours };
  const principalOf = (req: Request) => authenticate(services.database.db, keys, req.headers.authorization);
  const handle = (fn: (req: Request, res: Response, user: Principal) => Promise<void>) => async (req: Request, res: Response) => {
    try {
      const user = await principalOf(req);
      if (!user) {
        res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: '请先登录' } });
        return;
      }
      await fn(req, res, user);
    } catch (error) {
      const e = error as { extensions?: { code?: string }; message: string; status?: number };
      const code = e.extensions?.code ?? (e.status === 400 ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR');
      const status = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400 }[code] ?? 500;
      if (status === 500) services.log.error('export failed', { error: String(error) });
      res.status(status).json({ error: { code, message: status === 500 ? 'Unexpected error.' : e.message } });
    }
  };
  const query = (req: Request) => req.query as Record<string, string | undefined>;

  app.get('/exports/journal.:format', handle(async (req, res, user) => {
    const rows = (await journalRows(services.database.db, user, query(req))).map(journalCells);
    const stamp = DateTime.now().setZone(ZONE).toFormat('yyyyLLdd');
    if (req.params.format === 'csv') {
      sendCsv(res, `journal-${stamp}`, JOURNAL_COLUMNS.map(([h]) => h), rows.map((r) => JOURNAL_COLUMNS.map(([, k]) => (r as Record<string, unknown>)[k])));
    } else if (req.params.format === 'xlsx') {
      await sendXlsx(res, `journal-${stamp}`, '出入库流水', JOURNAL_COLUMNS, rows, ['quantity', 'unitPrice', 'value']);
    } else res.status(404).json({ error: { code: 'NOT_FOUND', message: '格式应为 csv 或 xlsx' } });
  }));

  app.get('/exports/valuation.:format', handle(async (req, res, user) => {
    const q = query(req);
    const groupBy = (q.groupBy ?? 'STORE').split(',').filter(Boolean) as Dimension[];
    const bad = groupBy.find((g) => !DIMENSIONS.includes(g));
    if (bad) throw Object.assign(new Error(`groupBy: 未知维度 ${bad}`), { status: 400 });
    const v = await valuation(services.database.db, user, services.clock, { asOf: q.asOf ? new Date(parseInstant(q.asOf, 'asOf')) : null, regionCode: q.regionCode, groupBy });
    const names = await dimensionNames(services.database.db, groupBy, v.groups.map((g) => g.key));
    const headers = [...groupBy.map((g) => DIMENSION_HEADINGS[g]), '在库数量', '在库金额（元）', '在途数量', '在途金额（元）'];
    const body = v.groups.map((g) => [...g.key.map((k, i) => names[i].get(k) ?? k), g.quantity, g.value, g.inTransitQuantity, g.inTransitValue]);
    const footer = [...groupBy.map((_, i) => (i === 0 ? '合计' : '')), '', v.onHand, '', v.inTransit];
    const stamp = DateTime.fromJSDate(v.asOf).setZone(ZONE).toFormat('yyyyLLdd-HHmm');
    if (req.params.format === 'csv') sendCsv(res, `valuation-${stamp}`, headers, [...body, footer]);
    else if (req.params.format === 'xlsx') {
      const columns = headers.map((h, i): [string, string, number] => [h, `c${i}`, i < groupBy.length ? 24 : 16]);
      const rows = [...body, footer].map((r) => Object.fromEntries(r.map((c, i) => [`c${i}`, c])));
      const numeric = headers.map((_, i) => `c${i}`).slice(groupBy.length);
      await sendXlsx(res, `valuation-${stamp}`, '储备物资估值', columns, rows, numeric);
    } else res.status(404).json({ error: { code: 'NOT_FOUND', message: '格式应为 csv 或 xlsx' } });
  }));
}

const DIMENSION_HEADINGS: Record<Dimension, string> = {
  REGION: '区划',
  STORE: '仓库',
  CATEGORY: '类别',
  ITEM: '物资',
  RESERVE_MODE: '储备方式',
  FUNDING_SOURCE: '资金来源',
};

const MODE_NAMES: Record<string, string> = { PHYSICAL: '实物储备', ENTRUSTED: '企业代储', AGREEMENT: '协议储备', CAPACITY: '产能储备' };
const FUNDING_NAMES: Record<string, string> = { CENTRAL: '中央资金', PROVINCE: '省级资金', CITY: '市级资金', COUNTY: '县级资金', TOWNSHIP: '乡级资金', DONATION: '捐赠', ENTERPRISE: '企业' };

/** Human names for group keys (ids and codes) in the export. */
async function dimensionNames(db: Db, dims: Dimension[], keys: string[][]): Promise<Map<string, string>[]> {
  return Promise.all(
    dims.map(async (d, i) => {
      const values = [...new Set(keys.map((k) => k[i]))];
      if (!values.length) return new Map();
      const list = sql.join(values.map((v) => sql`${v}`), sql`, `);
      if (d === 'RESERVE_MODE') return new Map(values.map((v) => [v, MODE_NAMES[v] ?? v]));
      if (d === 'FUNDING_SOURCE') return new Map(values.map((v) => [v, FUNDING_NAMES[v] ?? v]));
      const table = { REGION: sql`SELECT code AS k, name FROM regions WHERE code IN (${list})`, STORE: sql`SELECT id::text AS k, name FROM stores WHERE id::text IN (${list})`, CATEGORY: sql`SELECT code AS k, name FROM categories WHERE code IN (${list})`, ITEM: sql`SELECT id::text AS k, name FROM items WHERE id::text IN (${list})` }[d];
      const rows = await queryRows<{ k: string; name: string }>(db, table);
      return new Map(rows.map((r) => [r.k, r.name]));
    }),
  );
}

