import { sql } from 'drizzle-orm';
import { queryRows } from '../../drizzle/client.ts';
import type { ServiceContext } from '../context.ts';
import { batchesNotToJoin, batchNumberTaken } from '../inventory/receipts.ts';
import { requestHash } from '../inventory/rules.ts';
import { toFen } from '../money.ts';
import type { RowErrors } from './row-errors.ts';
import { fileHash, type UploadedFile } from './upload.ts';

// 期初建账's batches against the ledger (D7): what a sheet's rows may not do to batches already registered, and the
// idempotency key the import posts under.

/** One line of the opening-balance receipt, with the Excel row it came from. */
export interface OpeningLine {
  row: number;
  line: {
    itemId: string;
    batchNo: string;
    productionDate: string | null;
    expiryDate: string | null;
    unitPrice: string;
    [k: string]: unknown;
  };
}

/**
 * A row's batch as the sheet gives it (item and batch number read), for the checks against batches already registered.
 * Every such row is checked, also one with errors in other cells, so that the first answer names every bad cell
 * (README); a date or price that could not be read is null and not compared.
 */
export interface SheetBatch {
  row: number;
  itemId: string;
  batchNo: string;
  productionDate: string | null;
  expiryDate: string | null;
  unitPrice: string | null;
}

/** The column headings the refusals name. */
export interface OpeningColumns {
  batchNo: string;
  productionDate: string;
  expiryDate: string;
  unitPrice: string;
}

/** Every opening-balance import's idempotency key starts so; the store follows (one place: the key and the lookup). */
const KEY_PREFIX = 'opening:';

/**
 * API.md idempotency, D7: the import's key is its content — the store and the rows as parsed and normalised (item
 * ids, batch numbers, dates, prices, funding, owners in sheet order), not the file's bytes: Excel rewrites a workbook's
 * metadata on every save, so the same sheet saved again is the same request and answers with its first receipt. A
 * receipt posted under the earlier byte-hash key (before keys were by content) is still answered for those same bytes.
 */
export async function openingKey(ctx: ServiceContext, storeId: string, file: UploadedFile, lines: readonly OpeningLine[]): Promise<string> {
  const byBytes = `${KEY_PREFIX}${storeId}:${fileHash(file)}`;
  const [earlier] = await queryRows<{ id: string }>(
    ctx.db,
    sql`SELECT id::text FROM documents
         WHERE idempotency_kind = 'receiveStock' AND actor_id = ${ctx.actor.id}::uuid AND idempotency_key = ${byBytes}`,
  );
  return earlier ? byBytes : `${KEY_PREFIX}${storeId}:${requestHash(lines.map((l) => l.line))}`;
}

/**
 * D7: an opening balance is brought in once. A row whose batch (item and batch number) an earlier 期初建账 import at this
 * store already brought in — one that stands: posted or awaiting approval, not reversed or rejected — is refused at
 * 批号, naming that receipt (a document of the caller's own store). The receipt this request's key names is left out:
 * the same request again answers with it; `key` is null for a file with bad cells, which is no request that posted.
 * Answers the rows so refused.
 */
export async function alreadyOpened(
  ctx: ServiceContext,
  storeId: string,
  key: string | null,
  batches: readonly SheetBatch[],
  errors: RowErrors,
  h: OpeningColumns,
): Promise<Set<number>> {
  const refusedRows = new Set<number>();
  if (!batches.length) return refusedRows;
  // Two opening balances of the store uploaded at once: the second looks once the first has committed (the upload's
  // transaction holds the lock until then).
  await queryRows(ctx.db, sql`SELECT pg_advisory_xact_lock(hashtext(${`${KEY_PREFIX}${storeId}`}))`);
  const pairs = sql.join(
    batches.map((b) => sql`(${b.itemId}::uuid, ${b.batchNo})`),
    sql`, `,
  );
  const opened = await queryRows<{ item_id: string; batch_no: string; number: string }>(
    ctx.db,
    sql`SELECT DISTINCT ON (l.item_id, b.batch_no) l.item_id::text, b.batch_no, d.number
          FROM documents d JOIN document_lines l ON l.document_id = d.id JOIN batches b ON b.id = l.batch_id
         WHERE d.store_id = ${storeId}::uuid AND d.type = 'RECEIPT' AND d.idempotency_kind = 'receiveStock'
           AND left(d.idempotency_key, ${KEY_PREFIX.length}) = ${KEY_PREFIX} AND d.status IN ('POSTED', 'PENDING_APPROVAL')
           ${key === null ? sql`` : sql`AND NOT (d.actor_id = ${ctx.actor.id}::uuid AND d.idempotency_key = ${key})`}
           AND (l.item_id, b.batch_no) IN (${pairs})
         ORDER BY l.item_id, b.batch_no, d.number`,
  );
  for (const { row, itemId, batchNo } of batches) {
    const o = opened.find((x) => x.item_id === itemId && x.batch_no === batchNo);
    if (!o) continue;
    errors.add(row, h.batchNo, `批号 ${batchNo} 已由期初建账 ${o.number} 导入本库，不能重复建账；如需更正，请先冲销该单据`);
    refusedRows.add(row);
  }
  return refusedRows;
}

/**
 * A batch number already registered for the item must be one the user may join, and agree with its recorded dates and
 * price (as receiveStock requires). One out of scope (D3/D18) is refused without a word of its dates or price.
 */
export async function existingBatchConflicts(ctx: ServiceContext, batches: readonly SheetBatch[], errors: RowErrors, h: OpeningColumns) {
  if (!batches.length) return;
  const pairs = sql.join(
    batches.map((b) => sql`(${b.itemId}::uuid, ${b.batchNo})`),
    sql`, `,
  );
  const existing = await queryRows<{
    id: string;
    item_id: string;
    batch_no: string;
    expiry_date: string | null;
    production_date: string | null;
    unit_price: string;
  }>(
    ctx.db,
    sql`SELECT id::text, item_id::text, batch_no, expiry_date::text, production_date::text, unit_price::text FROM batches WHERE (item_id, batch_no) IN (${pairs}) AND retired_at IS NULL`,
  );
  const refused = await batchesNotToJoin(ctx.db, ctx.actor, existing);
  for (const l of batches) {
    const { row } = l;
    const b = existing.find((e) => e.item_id === l.itemId && e.batch_no === l.batchNo);
    if (!b) continue;
    if (refused.has(b.id)) {
      errors.add(row, h.batchNo, batchNumberTaken(b.batch_no));
      continue;
    }
    if (l.expiryDate && b.expiry_date !== l.expiryDate) errors.add(row, h.expiryDate, `批号 ${l.batchNo} 已登记，有效期为 ${b.expiry_date ?? '未填'}`);
    if (l.productionDate && b.production_date !== l.productionDate)
      errors.add(row, h.productionDate, `批号 ${l.batchNo} 已登记，生产日期为 ${b.production_date ?? '未填'}`);
    if (l.unitPrice !== null && toFen(l.unitPrice) !== toFen(b.unit_price)) errors.add(row, h.unitPrice, `批号 ${l.batchNo} 已登记，单价为 ${b.unit_price}`);
  }
}
