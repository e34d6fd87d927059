import { sql } from 'drizzle-orm';
import { queryRows } from '../../drizzle/client.ts';
import type { ServiceContext } from '../context.ts';
import { storeForPosting } from '../inventory/common.ts';
import { countBelowReserved, NOT_HELD_HERE, reservationHolders, submitStocktake } from '../inventory/stocktakes.ts';
import { RowErrors } from './row-errors.ts';
import { findHeader, integerOf, readFirstSheet, textOf } from './sheet-reader.ts';
import { STOCKTAKE_HEADINGS as H, stocktakeReasons } from './stocktake-sheet.ts';
import { fileHash, importResult, type ImportResult, type UploadedFile } from './upload.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * 盘点表 upload (D9): the counted sheet becomes one stocktake through submitStocktake — the same service (and approval
 * path) as the mutation. Rows without 实盘数 are not counted. Every row is checked first against the store's book;
 * every bad row is reported and nothing is posted unless all are good. A batch the store has no balance row for is a bad
 * row, and one with a count awaiting approval is refused by submitStocktake (D9, D27) — not here, so that the same file
 * uploaded again still answers with its first stocktake.
 */
export async function importStocktakeSheet(ctx: ServiceContext, storeId: string, file: UploadedFile): Promise<ImportResult> {
  const store = await storeForPosting(ctx.db, ctx.actor, storeId, 'storeId');
  const rows = await readFirstSheet(file.content, file.name);
  const errors = new RowErrors();
  const found = findHeader(rows, [H.batchId, H.counted, H.reason]);
  if (!found) {
    errors.add(0, '', `缺少列：${[H.batchId, H.counted, H.reason].join('、')}（请使用本系统下载的盘点表）`);
    errors.throwIfAny();
  }
  const { header, columns } = found!;
  const col = (r: { cells: unknown[] }, h: string) => (r.cells[columns.get(h)!] ?? null) as Parameters<typeof textOf>[0];
  const [book, reasons] = await Promise.all([
    queryRows<{ batch_id: string; on_hand: number; reserved: number }>(
      ctx.db,
      sql`SELECT batch_id::text, on_hand, reserved FROM balances WHERE store_id = ${store.id}::uuid`,
    ),
    stocktakeReasons(ctx),
  ]);
  const books = new Map(book.map((b) => [b.batch_id, b]));
  // What holds the reserved stock, for a row counting below it to name (W8: a pending 报废单 is not a 调拨).
  const holders = await reservationHolders(
    ctx.db,
    store.id,
    book.filter((b) => b.reserved > 0).map((b) => b.batch_id),
  );
  const seen = new Map<string, number>();
  const counts: { batchId: string; countedQuantity: number; reason: string | null }[] = [];
  for (const r of rows.filter((x) => x.row > header.row)) {
    const batchId = textOf(col(r, H.batchId))?.toLowerCase() ?? '';
    const counted = integerOf(col(r, H.counted));
    const reasonText = textOf(col(r, H.reason));
    if (counted === null && reasonText === null) continue; // not counted
    if (!UUID.test(batchId)) {
      errors.add(r.row, H.batchId, '批次编号缺失或格式错误（请勿修改本系统下载的盘点表中的批次编号列）');
      continue;
    }
    const held = books.get(batchId);
    if (!held) errors.add(r.row, H.batchId, NOT_HELD_HERE); // the same rule as submitStocktake's (D3)
    if (seen.has(batchId)) errors.add(r.row, H.batchId, `与第 ${seen.get(batchId)} 行是同一批次`);
    seen.set(batchId, r.row);
    if (counted === null || counted === undefined || counted < 0 || counted > 100_000_000) {
      errors.add(r.row, H.counted, '实盘数须为不小于 0 的整数');
      continue;
    }
    if (!held) continue;
    const diff = counted - held.on_hand;
    const direction = diff > 0 ? 'INCREASE' : 'DECREASE';
    const allowed = reasons.filter((x) => x.direction === direction);
    const reason = reasonText === null ? null : reasons.find((x) => x.name === reasonText || x.code === reasonText);
    if (reasonText !== null && !reason) {
      errors.add(r.row, H.reason, `未知原因「${reasonText}」（可选：${reasons.map((x) => x.name).join('、')}）`);
      continue;
    }
    if (diff !== 0 && (!reason || reason.direction !== direction)) {
      errors.add(
        r.row,
        H.reason,
        `账面 ${held.on_hand}、实盘 ${counted}，须填写${diff > 0 ? '盘盈' : '盘亏'}原因（可选：${allowed.map((x) => x.name).join('、')}）`,
      );
      continue;
    }
    if (counted < held.reserved) errors.add(r.row, H.counted, `该批次${countBelowReserved(held.reserved, counted, holders.get(batchId) ?? [])}`);
    // The reason as written (also where the count agrees): the stocktake's input follows from the file alone, so that
    // the same file uploaded again is the same request and answers with the first stocktake.
    counts.push({ batchId, countedQuantity: counted, reason: reason?.code ?? null });
  }
  if (!counts.length && !errors.list.length) errors.add(0, H.counted, '盘点表中没有填写任何实盘数');
  errors.throwIfAny();
  const posted = await submitStocktake(ctx, {
    storeId: store.id,
    note: '盘点表导入',
    idempotencyKey: `sheet:${store.id}:${fileHash(file)}`,
    counts,
  });
  return importResult(ctx.db, posted, counts.length);
}
