import type { Express } from 'express';
import type { AppServices } from '../context.ts';
import { notFound } from '../errors.ts';
import { CSV_TYPE, renderCsv } from '../paperwork/csv.ts';
import { DOWNLOAD_LINK_PARAM } from '../paperwork/download-links.ts';
import { assertKnownParams } from '../paperwork/params.ts';
import { REPORTS } from '../paperwork/reports/index.ts';
import { renderXlsx, XLSX_TYPE } from '../paperwork/xlsx.ts';
import { downloadRoute, singleParams, unknownPaperworkPath } from './downloads.ts';

/**
 * Exports for the people who live in Excel: GET /exports/<list>.{xlsx,csv}?<filters> — lists in server/paperwork/reports/
 * (stock, journal, valuation, rotation-due, reserve-gaps, incident-balance), in the user's scope, with the bearer token
 * or a download link.
 */
export function registerExports(app: Express, services: AppServices) {
  app.get(
    '/exports/:report.:format',
    downloadRoute(services, async (req, res, ctx) => {
      const list = Object.hasOwn(REPORTS, String(req.params.report)) ? REPORTS[String(req.params.report)] : undefined;
      const format = String(req.params.format);
      if (!list) throw notFound('report', '报表', String(req.params.report));
      if (format !== 'csv' && format !== 'xlsx') throw notFound('format', '格式（应为 csv 或 xlsx）', format);
      const q = singleParams(req);
      // Sweep 17b F8: a parameter the list does not read (a misspelt `regioncode`) is refused, not ignored; `dl` is the
      // download link's own.
      assertKnownParams(
        Object.keys(q).filter((k) => k !== DOWNLOAD_LINK_PARAM),
        list.params,
      );
      const report = await list.build(ctx, q);
      // Sweep 22a F8: the file is written in chunks that let the event loop go (csv.ts, xlsx.ts), whole before anything
      // is sent: a failure meanwhile answers the error as JSON, never an attachment cut short.
      const file = format === 'csv' ? await renderCsv(report) : await renderXlsx(report);
      res.setHeader('content-type', format === 'csv' ? CSV_TYPE : XLSX_TYPE);
      res.setHeader('content-disposition', `attachment; filename="${report.fileName}.${format}"`);
      res.send(file);
    }),
  );
  // Any other path under /exports (e.g. /exports/stock without its format): JSON 404 in Chinese.
  app.use('/exports', unknownPaperworkPath(services, `导出地址为 GET /exports/<清单>.csv 或 .xlsx，清单：${Object.keys(REPORTS).join('、')}`));
}
