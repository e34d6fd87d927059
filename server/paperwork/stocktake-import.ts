import { sql } from 'drizzle-orm';
import { queryRows } from '../../drizzle/client.ts';
import type { ServiceContext } from '../context.ts';
import { BALANCE_MAX, batchNoSchema, storeForPosting } from '../inventory/common.ts';
import { badInput, isDomainError } from '../errors.ts';
import { countBelowReserved, countPending, NOT_HELD_HERE, pendingCountsOf, submitStocktake } from '../inventory/stocktakes.ts';
import { reservationHolders } from '../inventory/holders.ts';
import { RowErrors } from './row-errors.ts';
import {
  headingsNear,
  integerOf,
  isUncomputedFormula,
  misgroupedNumber,
  normalHeading,
  readUploadSheet,
  rowsBelow,
  textOf,
  uncomputedFormula,
  type Cell,
} from './sheet-reader.ts';
import { perCategoryAdvice, STOCKTAKE_HEADINGS as H, STOCKTAKE_SHEET, stocktakeCategories, stocktakeReasons } from './stocktake-sheet.ts';
import { fileHash, importResult, type ImportResult, type UploadedFile } from './upload.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The headings an upload's header row must hold. */
const HEADER = [H.batchId, H.counted, H.reason];
/** The sheet's 物资编码 column (stocktake-sheet.ts), shown beside the batch number on every row. */
const ITEM_CODE = '物资编码';
/** The columns a counted row is read from, and what each takes (for the refusal of a formula without its value). */
const READ: readonly [string, 'number' | 'text'][] = [
  [ITEM_CODE, 'text'],
  [H.batchNo, 'text'],
  [H.counted, 'number'],
  [H.reason, 'text'],
  [H.batchId, 'text'],
];

/**
 * 盘点表 upload (D9): the counted sheet becomes one stocktake through submitStocktake — the same service (and approval
 * path) as the mutation. Rows without 实盘数 are not counted. Every row is checked first against the store's book (and its
 * printed 账面数 against the book now: a book moved since the sheet was printed is said as such, not asked a reason for);
 * every bad row is reported and nothing is posted unless all are good. A batch the store has no balance row for is a bad
 * row, and so is one with a count awaiting approval (D9, D27) — the same rules as submitStocktake's, whose own refusal
 * (a count submitted meanwhile) is named by its Excel row too.
 *
 * README: the file's SHA-256 is the idempotency key — the same file uploaded again to the store, by whichever of its
 * users, answers with the first stocktake (replayed) before anything is checked against today's book.
 */
export async function importStocktakeSheet(ctx: ServiceContext, storeId: string, file: UploadedFile): Promise<ImportResult> {
  const store = await storeForPosting(ctx.db, ctx.actor, storeId, 'storeId');
  const idempotencyKey = `sheet:${store.id}:${fileHash(file)}`;
  // The file's first stocktake before the file is read: a file posted once is answered with it whatever the reader
  // refuses since (a merged cell, another sheet with content — refused from sweep 16c on).
  const first = await firstStocktakeOfFile(ctx, store.id, idempotencyKey);
  if (first) return importResult(ctx.db, { documentId: first.id, replayed: true }, first.lines);
  const { rows, found } = await perCategoryWhenTooLong(ctx, store.id, () =>
    readUploadSheet(file.content, file.name, { sheetName: STOCKTAKE_SHEET, headings: HEADER }),
  );
  const errors = new RowErrors();
  if (!found) {
    // Only the columns missing from the sheet's header row (sweep 25b F1: a deleted 批次编号 column was reported with
    // 实盘数 and 原因, still there, beside it).
    const held = headingsNear(rows, HEADER);
    const missing = HEADER.filter((h) => !held.has(normalHeading(h)));
    errors.add(0, '', `缺少列：「${missing.join('」、「')}」（请使用本系统下载的盘点表）`);
    errors.throwIfAny();
  }
  const { header, columns } = found!;
  const col = (r: { cells: Cell[] }, h: string): Cell => {
    const at = columns.get(h);
    return at === undefined ? null : (r.cells[at] ?? null);
  };
  const [book, reasons] = await Promise.all([
    queryRows<{ batch_id: string; on_hand: number; reserved: number; item_code: string; item_name: string; batch_no: string }>(
      ctx.db,
      sql`SELECT bal.batch_id::text, bal.on_hand, bal.reserved, i.code AS item_code, i.name AS item_name, b.batch_no
            FROM balances bal JOIN batches b ON b.id = bal.batch_id JOIN items i ON i.id = b.item_id
           WHERE bal.store_id = ${store.id}::uuid`,
    ),
    stocktakeReasons(ctx),
  ]);
  const books = new Map(book.map((b) => [b.batch_id, b]));
  // What holds the reserved stock, for a row counting below it to name (W8: a pending 报废单 is not a 调拨).
  const holders = await reservationHolders(
    ctx.db,
    [store.id],
    book.filter((b) => b.reserved > 0).map((b) => b.batch_id),
  );
  const seen = new Map<string, number>();
  const counts: { batchId: string; countedQuantity: number; reason: string | null }[] = [];
  /** The Excel row each count came from. */
  const countRows: number[] = [];
  const data = await perCategoryWhenTooLong(ctx, store.id, async () => rowsBelow(rows, header));
  for (const r of data) {
    if (col(r, H.counted) === null && col(r, H.reason) === null) continue; // not counted
    // A formula saved without its value: the cell is named as such, and nothing else is said of it.
    for (const [h, takes] of READ) if (isUncomputedFormula(col(r, h))) errors.settle(r.row, h, uncomputedFormula(h, takes));
    const batchId = textOf(col(r, H.batchId))?.toLowerCase() ?? '';
    const counted = integerOf(col(r, H.counted));
    const reasonText = textOf(col(r, H.reason));
    // Sweep 25b F1: a row added below the sheet's for goods found that it does not list has no 批次编号 — the clerk
    // changed nothing; such goods come in by a receipt, as the ledger says of a batch the store has no record of.
    if (col(r, H.batchId) === null) {
      errors.add(r.row, H.batchId, '本行没有批次编号：盘点表只清点表中列出的批次；表中没有的、新发现的物资请办理入库');
      continue;
    }
    if (!UUID.test(batchId)) {
      errors.add(r.row, H.batchId, '批次编号缺失或格式错误（请勿修改本系统下载的盘点表中的批次编号列）');
      continue;
    }
    const held = books.get(batchId);
    if (!held) errors.add(r.row, H.batchId, NOT_HELD_HERE); // the same rule as submitStocktake's (D3)
    // D9: the count is of the batch the keeper saw on the row — the 批次编号 must be that of the row's own 物资编码 and
    // 批号 (a 批次编号 copied from another row would post the count to another batch).
    const mismatched = !!held && !showsBatch(textOf(col(r, ITEM_CODE)), textOf(col(r, H.batchNo)), held);
    if (mismatched) {
      errors.add(
        r.row,
        H.batchId,
        `批次编号与本行的物资编码/批号不符：该编号是 ${held.item_code} ${held.item_name} 批号 ${held.batch_no} 的批次（请勿修改本系统下载的盘点表中的批次编号列）`,
      );
    } else {
      if (seen.has(batchId)) errors.add(r.row, H.batchId, `与第 ${seen.get(batchId)} 行是同一批次`);
      seen.set(batchId, r.row);
    }
    // Sweep 25b F2: a comma that groups no thousands ("2,40") is named as such, not read with the comma dropped (240).
    const grouping = misgroupedNumber(col(r, H.counted));
    if (grouping) {
      errors.add(r.row, H.counted, grouping);
      continue;
    }
    if (counted === null || counted === undefined || counted < 0) {
      errors.add(r.row, H.counted, '实盘数须为不小于 0 的整数');
      continue;
    }
    // D9 (sweep 18c F3): a count may say what a balance may hold — the sheet's own 账面数 is always countable.
    if (counted > BALANCE_MAX) {
      errors.add(r.row, H.counted, `实盘数过大：一个批次的结存最多 ${BALANCE_MAX.toLocaleString('en-US')}，请核对`);
      continue;
    }
    if (!held || mismatched) continue;
    const diff = counted - held.on_hand;
    // D9: the sheet prints the book of its making (账面数); a count that differs from the book now, on a row whose book
    // has moved since (an issue, a receipt in between), cannot be told apart — counted before the movement or after —
    // and a gain or loss reason asked for it would book the movement as one (57 printed, 1 issued, 57 counted: a gain
    // of 1). The row says the book moved and is counted again; one that agrees with the book now is a count of now. A
    // 账面数 left empty or not a number (an old or retyped sheet) compares nothing.
    const printed = integerOf(col(r, H.book));
    if (diff !== 0 && typeof printed === 'number' && printed !== held.on_hand) {
      errors.add(
        r.row,
        H.book,
        `打印盘点表后账面已由 ${printed} 变为 ${held.on_hand}（其间有出入库），实盘 ${counted} 不能判断是变动前还是变动后清点的：请重新下载盘点表，按现在的实存填写实盘数后上传`,
      );
      continue;
    }
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
    countRows.push(r.row);
  }
  if (!counts.length && !errors.list.length) errors.add(0, H.counted, '盘点表中没有填写任何实盘数');
  // D9, D27: a batch whose last count awaits approval is not counted again — every such row named.
  const pending = counts.length
    ? await pendingCountsOf(
        ctx.db,
        store.id,
        counts.map((c) => c.batchId),
      )
    : new Map<string, string>();
  counts.forEach((c, i) => {
    const number = pending.get(c.batchId);
    if (number) errors.add(countRows[i], H.batchId, countPending(number));
  });
  errors.throwIfAny();
  const posted = await submitStocktake(ctx, { storeId: store.id, note: '盘点表导入', idempotencyKey, counts }).catch((error: unknown) => {
    throw asRowError(error, countRows);
  });
  return importResult(ctx.db, posted, counts.length);
}

/**
 * Whether a row's 物资编码 and 批号, as shown, are those of the batch its 批次编号 names. A cell left empty (or a column
 * left out) shows nothing to compare; codes and batch numbers are compared as the ledger writes them (NFKC, batch
 * numbers through batchNoSchema).
 */
function showsBatch(code: string | null, batchNo: string | null, held: { item_code: string; batch_no: string }): boolean {
  if (code !== null && code.normalize('NFKC').trim() !== held.item_code) return false;
  if (batchNo === null) return true;
  const shown = batchNoSchema.safeParse(batchNo);
  return shown.success && shown.data === held.batch_no;
}

/**
 * The stocktake this very file (its key) already became at the store, whoever uploaded it: the first, when a file was
 * posted twice before this rule. Two uploads of one file at once: the second looks once the first has committed (the
 * upload's transaction holds the lock until then).
 */
async function firstStocktakeOfFile(ctx: ServiceContext, storeId: string, key: string): Promise<{ id: string; lines: number } | null> {
  await queryRows(ctx.db, sql`SELECT pg_advisory_xact_lock(hashtext(${key}))`);
  const [first] = await queryRows<{ id: string; lines: number }>(
    ctx.db,
    sql`SELECT d.id::text, (SELECT count(*) FROM document_lines l WHERE l.document_id = d.id)::int AS lines
          FROM documents d
         WHERE d.idempotency_kind = 'submitStocktake' AND d.idempotency_key = ${key} AND d.store_id = ${storeId}::uuid
         ORDER BY d.recorded_at, d.number LIMIT 1`,
  );
  return first ?? null;
}

/** submitStocktake's input fields, by the column each comes from. */
const COLUMN_OF_FIELD: Record<string, string> = { batchId: H.batchId, countedQuantity: H.counted, reason: H.reason };

/**
 * The upload's contract (row, column, what is wrong): a refusal submitStocktake makes at one of its counts
 * (input.counts.N.field — a bad value, or the batch's state: counted meanwhile, reserved below the count) is named by the
 * Excel row that count came from, in the import's own error list. Others pass.
 */
function asRowError(error: unknown, countRows: readonly number[]): unknown {
  if (!isDomainError(error) || (error.code !== 'BAD_USER_INPUT' && error.code !== 'INVALID_STATE')) return error;
  const m = /^input\.counts\.(\d+)(?:\.(\w+))?/.exec(String(error.details.field ?? ''));
  const row = m ? countRows[Number(m[1])] : undefined;
  if (row === undefined) return error;
  const errors = new RowErrors();
  errors.add(row, COLUMN_OF_FIELD[m![2]] ?? '', error.message);
  return errors.asError();
}

/**
 * D9 (sweep 22a F7): a sheet longer than one upload takes — the whole 盘点表 of a store with more batches than that —
 * is refused saying how to count it: per category (the download's ?categoryCode=), with the store's categories and
 * their rows, not only 「请分成多个文件」. The refusal is the reader's (sheet-reader.ts tooManyRows), at `file`.
 */
async function perCategoryWhenTooLong<T>(ctx: ServiceContext, storeId: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const maxRows = isDomainError(error) ? error.details.maxRows : undefined;
    if (typeof maxRows !== 'number') throw error;
    const advice = perCategoryAdvice(await stocktakeCategories(ctx, storeId), maxRows);
    throw badInput('file', `行数超过上限：${advice}；或将行分成多个文件`, { maxRows });
  }
}
