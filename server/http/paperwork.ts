import type { Express } from 'express';
import type { AppServices } from '../context.ts';
import { importOpeningBalance, openingBalanceTemplate } from '../paperwork/opening-import.ts';
import type { Report } from '../paperwork/report.ts';
import { stocktakeSheet } from '../paperwork/stocktake-sheet.ts';
import { importStocktakeSheet } from '../paperwork/stocktake-import.ts';
import { renderXlsx, XLSX_TYPE } from '../paperwork/xlsx.ts';
import { printableDocument } from '../paperwork/print/document.ts';
import { renderPrintable } from '../paperwork/print/html.ts';
import { printablePlan } from '../paperwork/print/plan.ts';
import type { Printable } from '../paperwork/print/printable.ts';
import { downloadRoute, singleParams, unknownPaperworkPath } from './downloads.ts';
import { uploadRoute } from './uploads.ts';

/**
 * Excel in (server/paperwork/): 盘点表 download and upload, 期初建账 template and upload.
 * GET  /paperwork/stocktake-sheets/<storeId>.xlsx      — bearer token or download link
 * POST /paperwork/stocktake-sheets/<storeId>           — multipart `file`, bearer token → a stocktake (submitStocktake)
 * GET  /paperwork/opening-balance-template.xlsx
 * POST /paperwork/opening-balances/<storeId>           — multipart `file`, bearer token → one receipt (receiveStock)
 * Printable documents (print-ready A4 HTML), bearer token or download link:
 * GET  /paperwork/documents/<documentId>.html          — 入库单, 出库单, 调拨单, 盘点单, 报废单, 回收单 …
 * GET  /paperwork/dispatch-plans/<planId>.html         — 调拨令
 */
export function registerPaperwork(app: Express, services: AppServices) {
  const sendXlsx = async (res: Parameters<Parameters<typeof downloadRoute>[1]>[1], report: Report) => {
    // Written whole before anything is sent (sweep 22a F8): a failure meanwhile answers as JSON, not a cut attachment.
    const file = await renderXlsx(report);
    res.setHeader('content-type', XLSX_TYPE);
    res.setHeader('content-disposition', `attachment; filename="${report.fileName}.xlsx"`);
    res.send(file);
  };
  app.get(
    '/paperwork/stocktake-sheets/:storeId.xlsx',
    downloadRoute(services, async (req, res, ctx) => sendXlsx(res, await stocktakeSheet(ctx, String(req.params.storeId), singleParams(req)))),
  );
  app.get(
    '/paperwork/opening-balance-template.xlsx',
    downloadRoute(services, async (_req, res, ctx) => sendXlsx(res, await openingBalanceTemplate(ctx))),
  );
  const sendPage = async (res: Parameters<Parameters<typeof downloadRoute>[1]>[1], page: Printable) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    // Nothing on the page loads from elsewhere (the QR code is inline SVG).
    res.setHeader('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    res.send(await renderPrintable(page));
  };
  app.get(
    '/paperwork/documents/:id.html',
    downloadRoute(services, async (req, res, ctx) => sendPage(res, await printableDocument(ctx, String(req.params.id)))),
  );
  app.get(
    '/paperwork/dispatch-plans/:id.html',
    downloadRoute(services, async (req, res, ctx) => sendPage(res, await printablePlan(ctx, String(req.params.id)))),
  );
  app.post(
    '/paperwork/stocktake-sheets/:storeId',
    uploadRoute(services, 'importStocktakeSheet', (ctx, req, file) => importStocktakeSheet(ctx, String(req.params.storeId), file)),
  );
  app.post(
    '/paperwork/opening-balances/:storeId',
    uploadRoute(services, 'importOpeningBalance', (ctx, req, file) => importOpeningBalance(ctx, String(req.params.storeId), file)),
  );
  // Any other path under /paperwork: JSON 404 in Chinese, as the routes above answer.
  app.use(
    '/paperwork',
    unknownPaperworkPath(services, '可用地址见 README「Paperwork」：/paperwork/stocktake-sheets/<仓库编号>.xlsx、/paperwork/documents/<单据编号>.html 等'),
  );
}
