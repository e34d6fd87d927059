import type { Express, Request, Response } from 'express';
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import type { Principal } from '../auth/principal.ts';
import { ZONE } from '../clock.ts';
import type { AppServices } from '../context.ts';
import { authenticate } from '../users/service.ts';
import { badInput } from '../errors.ts';
import { DIMENSIONS, isInTransitGroup, valuation, type Dimension } from '../audit/valuation.ts';
import { DIMENSION_HEADINGS, dimensionNames, JOURNAL_COLUMNS, journalCells, journalRows, parseInstant } from '../audit/export-rows.ts';
import { httpError } from './errors.ts';
import { recordUser } from './logging.ts';

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

async function sendXlsx(
  res: Response,
  name: string,
  sheet: string,
  columns: [string, string, number][],
  rows: Record<string, unknown>[],
  numberKeys: string[],
) {
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
      recordUser(req, user);
      if (!user) {
        res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: '请先登录' } });
        return;
      }
      await fn(req, res, user);
    } catch (error) {
      const { status, body } = httpError(error, services.log, { route: req.path });
      res.status(status).json(body);
    }
  };
  // A repeated parameter (?from=a&from=b) arrives as an array: refused rather than guessed.
  const query = (req: Request) =>
    Object.fromEntries(
      Object.entries(req.query).map(([k, v]) => {
        if (typeof v !== 'string') throw badInput(k, `参数 ${k} 只能出现一次`);
        return [k, v];
      }),
    ) as Record<string, string | undefined>;

  app.get(
    '/exports/journal.:format',
    handle(async (req, res, user) => {
      const rows = (await journalRows(services.database.db, user, query(req))).map(journalCells);
      const stamp = DateTime.now().setZone(ZONE).toFormat('yyyyLLdd');
      if (req.params.format === 'csv') {
        sendCsv(
          res,
          `journal-${stamp}`,
          JOURNAL_COLUMNS.map(([h]) => h),
          rows.map((r) => JOURNAL_COLUMNS.map(([, k]) => (r as Record<string, unknown>)[k])),
        );
      } else if (req.params.format === 'xlsx') {
        await sendXlsx(res, `journal-${stamp}`, '出入库流水', JOURNAL_COLUMNS, rows, ['quantity', 'unitPrice', 'value']);
      } else res.status(404).json({ error: { code: 'NOT_FOUND', message: '格式应为 csv 或 xlsx' } });
    }),
  );

  app.get(
    '/exports/valuation.:format',
    handle(async (req, res, user) => {
      const q = query(req);
      const groupBy = (q.groupBy ?? 'STORE').split(',').filter(Boolean) as Dimension[];
      const bad = groupBy.find((g) => !DIMENSIONS.includes(g));
      if (bad) throw badInput('groupBy', `groupBy：未知维度 ${bad}`);
      const v = await valuation(
        { db: services.database.db, actor: user, clock: services.clock },
        { asOf: q.asOf ? new Date(parseInstant(q.asOf, 'asOf')) : null, regionCode: q.regionCode, groupBy },
      );
      const names = await dimensionNames(
        services.database.db,
        groupBy,
        v.groups.map((g) => g.key),
      );
      const headers = [...groupBy.map((g) => DIMENSION_HEADINGS[g]), '在库数量', '在库金额（元）', '在途数量', '在途金额（元）'];
      // The sheet shows in-transit stock per row in its own columns: the 在途 group (D21) would count it twice.
      const body = v.groups
        .filter((g) => !isInTransitGroup(g))
        .map((g) => [...g.key.map((k, i) => names[i].get(k) ?? k), g.quantity, g.value, g.inTransitQuantity, g.inTransitValue]);
      const footer = [...groupBy.map((_, i) => (i === 0 ? '合计' : '')), '', v.onHand, '', v.inTransit];
      const stamp = DateTime.fromJSDate(v.asOf).setZone(ZONE).toFormat('yyyyLLdd-HHmm');
      if (req.params.format === 'csv') sendCsv(res, `valuation-${stamp}`, headers, [...body, footer]);
      else if (req.params.format === 'xlsx') {
        const columns = headers.map((h, i): [string, string, number] => [h, `c${i}`, i < groupBy.length ? 24 : 16]);
        const rows = [...body, footer].map((r) => Object.fromEntries(r.map((c, i) => [`c${i}`, c])));
        const numeric = headers.map((_, i) => `c${i}`).slice(groupBy.length);
        await sendXlsx(res, `valuation-${stamp}`, '储备物资估值', columns, rows, numeric);
      } else res.status(404).json({ error: { code: 'NOT_FOUND', message: '格式应为 csv 或 xlsx' } });
    }),
  );
}
