import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { badInput, invalidState } from '../errors.ts';
import { validate, idSchema, shownName } from '../validation.ts';
import { batchesFor, countedQuantitySchema, idempotencyKeySchema, inItemUnits, itemsFor, occurredAtOf, storeForPosting } from './common.ts';
import { lockBalances, postDocument, type LineDraft, type MovementDraft } from './posting.ts';
import { stocktakeDifference } from './rules.ts';
import { stockReasons } from '../../drizzle/schema/index.ts';
import type { ServiceContext } from '../context.ts';
import { pendingDecrease, requestDocumentApproval } from '../authority/pending.ts';
import { uuidList } from '../../drizzle/uuid-list.ts';
import { heldText, holderName, holdersAdvice, pendingDocumentsOn, reservationHolders, type Holder } from './holders.ts';
import { chinaIso, chinaText, chinaTextsApart } from '../clock.ts';
import { assertNoCountAfter } from './counted.ts';

const stocktakeSchema = z.object({
  storeId: idSchema,
  note: z.string().trim().max(500).nullish(),
  occurredAt: z.any().optional(),
  idempotencyKey: z.string().pipe(idempotencyKeySchema),
  counts: z
    .array(
      z.object({
        batchId: idSchema,
        countedQuantity: countedQuantitySchema, // up to what a balance holds (sweep 18c F3)
        reason: z.string().nullish(),
      }),
    )
    .min(1, '至少盘点一个批次')
    .max(1000, '一张盘点单最多 1000 个批次（可分多张）'),
});

/** A reason as the keeper gave it, for the message: as it reads, at most 20 characters (the whole stays in extensions.value). */
const echoed = (given: string) => {
  const shown = shownName(given);
  return [...shown].length > 20 ? `${[...shown].slice(0, 20).join('')}…` : shown;
};

/** D3, D7: what a count that names a batch this store never held is told — nothing about the batch itself. */
export const NOT_HELD_HERE = '本库没有该批次的记录；新发现的物资请办理入库';

/**
 * 盘点 (D9, D27): counted against book quantity at submission (rows locked); every difference needs a reason
 * of the matching direction (盘盈 increase, 盘亏/破损/霉变 … decrease). A count with differences waits for a second
 * person's approval (PENDING_APPROVAL, losses held); a count without differences posts at once.
 *
 * A count names only batches with a balance row at this store (D3: owner ≠ holder — a row is written by every movement
 * and never deleted, so it is the store's ledger history): another store's batch is not this store's to count, and
 * goods found with no record are a receipt (D7), not a gain. A batch with a count still awaiting approval here is not
 * counted again (D9, D27): the pending difference was worked out against the book of its moment, and a second count
 * against the same book would be posted on top of it (80, counted 78 then 70, both approved → 68, never counted).
 * A count dated in the past (occurredAt) is refused when the book has moved since that moment (assertNotMovedSince):
 * the book it is compared with is the one now.
 */
export async function submitStocktake(ctx: ServiceContext, input: unknown) {
  const { db, actor: user, clock } = ctx;
  const v = validate(stocktakeSchema, input);
  const store = await storeForPosting(db, user, v.storeId, 'input.storeId');
  const batchMap = await batchesFor(db, v.counts, 'input.counts');
  const seen = new Set<string>();
  v.counts.forEach((c, i) => {
    if (seen.has(c.batchId)) throw badInput(`input.counts.${i}.batchId`, '同一批次只能盘点一次');
    seen.add(c.batchId);
  });
  const reasons = await db.select().from(stockReasons);
  const occurredAt = occurredAtOf(clock, v.occurredAt);
  /** The count is of a moment the keeper names, not of now (D9): said in the approval's summary, checked under the locks. */
  const backdated = v.occurredAt !== null && v.occurredAt !== undefined;
  return postDocument(db, {
    kind: 'submitStocktake',
    actor: user,
    idempotencyKey: v.idempotencyKey,
    input: v,
    clock,
    occurredAt,
    build: async (tx, { recordedAt }) => {
      const locked = await lockBalances(tx, { keys: v.counts.map((c) => ({ storeId: store.id, batchId: c.batchId })) });
      v.counts.forEach((c, i) => {
        if (!locked.has(`${store.id}|${c.batchId}`)) throw badInput(`input.counts.${i}.batchId`, NOT_HELD_HERE);
      });
      // Under the rows' locks: a post that would move the book after the count's moment waits for this one, or has
      // committed and is seen.
      if (backdated) await assertNotMovedSince(tx, store.id, v.counts, batchMap, occurredAt);
      // Under the rows' locks: a concurrent count of the same batch waits here and then sees this one's document.
      const pending = await pendingCountsOf(
        tx,
        store.id,
        v.counts.map((c) => c.batchId),
      );
      v.counts.forEach((c, i) => {
        const number = pending.get(c.batchId);
        if (number) {
          throw invalidState(`批次 ${batchMap.get(c.batchId)!.batchNo} ${countPending(number)}`, {
            field: `input.counts.${i}.batchId`,
            pendingDocument: number,
          });
        }
      });
      // Sweep 24c F8: the documents awaiting approval that move the counted batches here, one read for all of them.
      const awaitingApproval = await pendingDocumentsOn(
        tx,
        store.id,
        v.counts.map((c) => c.batchId),
      );
      const lines: LineDraft[] = [];
      const moves: MovementDraft[] = [];
      for (const [i, c] of v.counts.entries()) {
        const batch = batchMap.get(c.batchId)!;
        const row = locked.get(`${store.id}|${c.batchId}`);
        const book = row?.onHand ?? 0;
        const diff = stocktakeDifference(book, c.countedQuantity);
        let reasonCode: string | null = null;
        if (diff.direction) {
          const reason = reasons.find((r) => r.code === c.reason);
          const allowed = reasons.filter((r) => r.usages.includes('STOCKTAKE') && r.direction === diff.direction);
          if (!reason || !allowed.includes(reason)) {
            // D9, D11 (sweep 15a F8): a reason given is not asked for again — it is said to be invalid, echoed (an
            // unknown code, or a reason's name where its code belongs), or named when it is a reason of another use or
            // direction (as issueStock says it); only a missing (or blank) one is asked for.
            const given = c.reason?.trim() ? c.reason : null;
            const said = reason ? `原因「${reason.name}」不适用于此处` : given !== null ? `原因「${echoed(given)}」无效` : '差异须说明原因';
            throw badInput(
              `input.counts.${i}.reason`,
              // The names the console's reason list shows; the codes stay in extensions.allowed for clients.
              `账面 ${book}、实盘 ${c.countedQuantity}，${said}（可选：${allowed.map((r) => r.name).join('、')}）`,
              {
                bookQuantity: book,
                countedQuantity: c.countedQuantity,
                ...(given !== null && { value: given }),
                allowed: allowed.map((r) => r.code),
              },
            );
          }
          reasonCode = reason.code;
        } else if (c.reason !== null && c.reason !== undefined) {
          // D9 (sweep 7b L4): a reason on a line without difference is not needed, but one that is no stocktake reason
          // at all (unknown, blank, or of another use) is refused as on a line with one — it was dropped unseen. A
          // stocktake reason of either direction is accepted and not recorded (nothing moves): the 盘点表 upload passes a
          // row's reason as written also where the count agrees with the book.
          const allowed = reasons.filter((r) => r.usages.includes('STOCKTAKE'));
          if (!allowed.some((r) => r.code === c.reason)) {
            throw badInput(
              `input.counts.${i}.reason`,
              `账面 ${book}、实盘 ${c.countedQuantity}，无差异可不填原因；所填原因无效（可选：${allowed.map((r) => r.name).join('、')}）`,
              { bookQuantity: book, countedQuantity: c.countedQuantity, allowed: allowed.map((r) => r.code) },
            );
          }
        }
        if (row && c.countedQuantity < row.reserved) {
          const holders = (await reservationHolders(tx, [store.id], [c.batchId])).get(c.batchId) ?? [];
          throw invalidState(`批次 ${batch.batchNo} ${countBelowReserved(row.reserved, c.countedQuantity, holders)}`, {
            field: `input.counts.${i}.countedQuantity`,
            reserved: row.reserved,
            heldBy: holders.map(holderName),
          });
        }
        // D9, D22, D27 (sweep 24c F8): nor while a document of the batch awaits approval here (a reversal, a scrap), as
        // far as the count reaches: that document posts onto the book it was asked against, and approved after this
        // count it would be refused for ever (assertNoLaterCount) — the count, not the correction, waits.
        const awaiting = awaitingApproval.get(c.batchId) ?? [];
        if (awaiting.length) {
          throw invalidState(`批次 ${batch.batchNo} ${countWhilePending(awaiting)}`, {
            field: `input.counts.${i}.batchId`,
            pendingDocuments: awaiting.map((h) => h.number),
            heldBy: awaiting.map(holderName),
          });
        }
        lines.push({
          itemId: batch.itemId,
          batchId: batch.id,
          quantity: diff.quantity,
          unitPrice: batch.unitPrice,
          reasonCode,
          bookQuantity: book,
          countedQuantity: c.countedQuantity,
        });
        if (diff.quantity !== 0) {
          moves.push({
            storeId: store.id,
            batchId: batch.id,
            itemId: batch.itemId,
            bucket: 'ON_HAND',
            quantity: diff.quantity,
            unitPrice: batch.unitPrice,
            reasonCode,
          });
        }
      }
      if (!moves.length) return { type: 'STOCKTAKE', storeId: store.id, note: v.note, locked, lines, movements: moves };
      const held = pendingDecrease(moves);
      // Counted in each item's own unit (毛毯 in 条, tents in 顶): "盘亏 5 条、2 顶".
      const units = await itemsFor(tx, moves);
      const gains = inItemUnits(units, moves, 1);
      const losses = inItemUnits(units, moves, -1);
      return {
        type: 'STOCKTAKE',
        storeId: store.id,
        note: v.note,
        locked,
        lines,
        movements: moves,
        ...held,
        afterPost: (t, posted) =>
          requestDocumentApproval(t, user, recordedAt, posted, store, {
            kind: 'STOCKTAKE',
            // A count of a past moment says so (D9, D27): the approver sees it is not of today's shelf.
            summary: `${store.name} 盘点 ${posted.number}${backdated ? `（盘点时间 ${minutes(occurredAt)}）` : ''}：盘盈 ${gains}，盘亏 ${losses}，待审批后调账`,
            pending: { movements: moves, reservations: held.reservations },
          }),
      };
    },
  });
}

/** An instant as the messages here say it: China time, to the minute. */
const minutes = (d: Date) => chinaText(d, 'yyyy-LL-dd HH:mm');

/**
 * D9, D21, D22: a count dated in the past is compared with the book now (the locked rows), so it may stand only while
 * the book now is the book of its moment: no on-hand movement of the batch at this store dated after it. Else a count
 * entered late turns into what it never counted — the shelf of 100 counted at 09:00, 20 issued at 10:00, the count
 * entered at 11:00 as a gain of 20 on a book of 80 (the shelf holds 80, the book would say 100), a real loss into a
 * gain, and a count dated before the batch came here a gain in a past valuation (D21, D31). As assertBookAsCounted
 * does at approval, refused rather than recomputed against the book of that moment: the difference would be posted in
 * the past under today's movements, and the keeper who counted then is the one who can say what the shelf holds now.
 *
 * Refused at `input.occurredAt`, not at a count line: every line is a fair count of the book now, and the same counts
 * dated now (or at the moment they were really made, when that is after the movement) are accepted — the date is what
 * is wrong, and what the keeper changes. The message names the first such batch, the count's time and its latest
 * movement's (the details list them all). One statement for all counted batches (index on store, batch, occurred_at);
 * only on-hand movements count (in transit is not on the shelf). A count without a date is of now: never refused here.
 */
async function assertNotMovedSince(
  tx: Db,
  storeId: string,
  counts: readonly { batchId: string }[],
  batches: Map<string, { batchNo: string }>,
  at: Date,
): Promise<void> {
  const rows = await queryRows<{ batch_id: string; first_at: string | Date; last_at: string | Date }>(
    tx,
    sql`SELECT m.batch_id::text AS batch_id, min(m.occurred_at) AS first_at, max(m.occurred_at) AS last_at
          FROM movements m
         WHERE m.store_id = ${storeId}::uuid AND m.bucket = 'ON_HAND' AND m.batch_id IN (${uuidList(counts.map((c) => c.batchId))})
         GROUP BY m.batch_id
        HAVING max(m.occurred_at) > ${at.toISOString()}::timestamptz`,
  );
  if (!rows.length) return;
  // A date in a closed month is refused as such first (D22, the period guard's own words): no count dated there posts,
  // whatever the book did since. The guard the ledger's writes ask (migration 0031), asked only on this refusal's path.
  await queryRows(tx, sql`SELECT assert_open_period(${at.toISOString()}::timestamptz)`);
  const moved = new Map(rows.map((r) => [r.batch_id, { first: new Date(r.first_at), last: new Date(r.last_at) }]));
  const index = counts.findIndex((c) => moved.has(c.batchId));
  const { batchId } = counts[index];
  const { first, last } = moved.get(batchId)!;
  const batchNo = batches.get(batchId)!.batchNo;
  const before = first > at;
  const other = before ? first : last;
  const china = chinaTextsApart(other, at);
  const others = rows.length > 1 ? `；另有 ${rows.length - 1} 个批次在盘点时间之后也有出入库` : '';
  const message = before
    ? `批次 ${batchNo} 在本库最早的入库是 ${china(first)}，盘点时间 ${china(at)}（北京时间）时本库还没有该批次，不能按该时间登记盘点${others}：请核对盘点时间，或现在重新盘点、不填盘点时间登记`
    : `批次 ${batchNo} 在盘点时间 ${china(at)} 之后还有出入库（最近一笔在 ${china(last)}，北京时间），现在的账面已不是盘点时的账面，不能按该时间登记盘点${others}：请现在重新盘点、不填盘点时间登记；如实际是在 ${china(last)} 之后清点的，请填写实际清点时间`;
  throw badInput('input.occurredAt', message, {
    batchId,
    countedAt: chinaIso(at),
    lastMovementAt: chinaIso(last),
    movedBatchIds: counts.filter((c) => moved.has(c.batchId)).map((c) => c.batchId),
  });
}

/** D9, D27: the refusal of a count below what is reserved, naming what holds it (the screen's and the 盘点表's). */
export const countBelowReserved = (reserved: number, counted: number, holders: readonly Holder[]) =>
  holders.length
    ? `已预留 ${reserved}（${heldText(reserved, holders)}），实盘 ${counted} 低于预留量：${holdersAdvice(holders)}，之后再盘`
    : `已预留 ${reserved}，实盘 ${counted} 低于预留量：请先处理预留`;

/** D9, D27 (sweep 24c F8): the refusal of a count of a batch that a document awaiting approval moves (pendingDocumentsOn). */
export const countWhilePending = (pending: readonly Holder[]) =>
  `有${pending.map((h) => `${holderName(h)}（${h.quantity}）`).join('、')}：该单据按盘点前的账面入账，现在盘点会使它无法批准；${holdersAdvice(pending)}，之后再盘`;

/** D9, D27: the refusal of a batch counted again while its last count awaits approval (the screen's and the 盘点表's). */
export const countPending = (pendingNumber: string) => `已有待审批的盘点 ${pendingNumber}，审批后再盘`;

/** The pending stocktakes (by number) that adjust these batches at this store once approved. */
export async function pendingCountsOf(tx: Db, storeId: string, batchIds: string[]): Promise<Map<string, string>> {
  const ids = uuidList(batchIds);
  const rows = await queryRows<{ batch_id: string; number: string }>(
    tx,
    sql`SELECT l.batch_id::text AS batch_id, min(d.number) AS number
          FROM document_lines l JOIN documents d ON d.id = l.document_id
         WHERE d.type = 'STOCKTAKE' AND d.status = 'PENDING_APPROVAL' AND d.store_id = ${storeId}::uuid
           AND l.quantity <> 0 AND l.batch_id IN (${ids})
         GROUP BY l.batch_id`,
  );
  return new Map(rows.map((r) => [r.batch_id, r.number]));
}

/**
 * D9, D27: an approved stocktake posts its differences only while the book is still the one it counted against. A count
 * is a fact about one moment: posted as a delta onto a book that has moved since (a receipt, an issue, another
 * adjustment), it would leave a book that matches no count (counted 5 on a book of 0; 40 received; approved → 45).
 * Refused rather than recomputed as counted − current book: the goods were counted before the later movement, so that
 * number is not what is on the shelf now either; the approver rejects it and the store counts again. Compared under the
 * rows' locks (posting takes the same ones next, in the same transaction), on on-hand: a held loss moves `reserved`, not
 * `onHand`, so a pending count's own hold is not a change of the book.
 */
export async function assertBookAsCounted(tx: Db, documentId: string): Promise<void> {
  const lines = await queryRows<{ store_id: string; batch_id: string; batch_no: string; book_quantity: number }>(
    tx,
    sql`SELECT d.store_id::text AS store_id, l.batch_id::text AS batch_id, b.batch_no, l.book_quantity
          FROM documents d JOIN document_lines l ON l.document_id = d.id JOIN batches b ON b.id = l.batch_id
         WHERE d.id = ${documentId}::uuid AND d.type = 'STOCKTAKE' AND l.quantity <> 0
         ORDER BY l.line_no`,
  );
  if (!lines.length) return;
  const locked = await lockBalances(tx, { keys: lines.map((l) => ({ storeId: l.store_id, batchId: l.batch_id })) });
  for (const l of lines) {
    const now = locked.get(`${l.store_id}|${l.batch_id}`)?.onHand ?? 0;
    if (now !== Number(l.book_quantity)) {
      throw invalidState(`批次 ${l.batch_no} 的账面自盘点后已变动（盘点时 ${l.book_quantity}，现为 ${now}）：请驳回此盘点，重新盘点`, {
        field: 'input.approvalId',
        batchId: l.batch_id,
        bookQuantity: Number(l.book_quantity),
        currentBookQuantity: now,
      });
    }
  }
}

/**
 * D9, D22, D27: the converse of assertBookAsCounted. A pending document (scrap, stocktake difference, reversal) posts at
 * its own business time when approved; if a count of the same batch at the same store was recorded at a later moment in
 * the meantime (posted, or itself awaiting approval), that count's book was the book without this document. Refused
 * (INVALID_STATE at the approval, nothing changed), as the count's own approval is when the book moved since, and as a
 * document posted at once dated before a count is (the rule, counted.ts): the approver rejects it and the keeper files
 * it again dated after the count. Under the rows' locks (the same keys postPendingDocument locks next, so in the same
 * order): a count of these batches waits, or is seen.
 */
export async function assertNoLaterCount(
  tx: Db,
  doc: { id: string; number: string; occurredAt: Date },
  pending: { movements: readonly MovementDraft[]; reservations: readonly { storeId: string; batchId: string }[] },
): Promise<void> {
  if (!pending.movements.some((m) => m.bucket === 'ON_HAND' && m.quantity !== 0)) return;
  const locked = await lockBalances(tx, {
    keys: [...pending.movements, ...pending.reservations].map((k) => ({ storeId: k.storeId, batchId: k.batchId })),
  });
  await assertNoCountAfter(tx, pending.movements, locked, doc.occurredAt, { field: 'input.approvalId', document: doc });
}
