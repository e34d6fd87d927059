import { desc, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { plannedEachTime } from '../../drizzle/prepared-statements.ts';
import { periodCloses } from '../../drizzle/schema/index.ts';
import { forbidden, badInput, invalidState } from '../errors.ts';
import { ZONE } from '../clock.ts';
import type { ServiceContext } from '../context.ts';

export type PeriodCloseRow = typeof periodCloses.$inferSelect;

/**
 * The end of a month, as an instant: 00:00 Asia/Shanghai on the first of the next month. D22, D31: the instant itself
 * is the closed month's (valuation and the journal count movements dated at exactly asOf/to, so "as of the 30th 24:00"
 * is the month's end): the snapshot holds what is dated at it, and the period guard (migration 0029) refuses it.
 */
export const monthCutoff = (month: string) => DateTime.fromISO(`${month}-01`, { zone: ZONE }).plus({ months: 1 }).toUTC().toJSDate();

/**
 * 月结: closing a month stores its balance snapshot (the previous snapshot plus the month's movements, by business
 * time, up to and including its end) and from then on refuses entries dated at or before its end. Months close in
 * order; only past months close. The table lock waits for posts in flight and holds new ones back until the snapshot
 * is taken.
 *
 * D27: a document dated up to the cutoff that still awaits a second person (a stocktake difference, a scrap, a loss
 * in transit, a reversal) would post into the month on approval, which the close would then refuse for good: the
 * month closes only once each of them is approved or rejected. A pending document writes no movement, so the lock
 * takes documents too: a pending one submitted meanwhile is either committed before the check (and counted) or waits
 * and is then refused by the period guard like any entry dated in a closed month.
 */
export async function closePeriod(ctx: ServiceContext, month: string): Promise<PeriodCloseRow> {
  const { db, actor: user, clock } = ctx;
  if (user.role !== 'ADMIN' || user.regionCode) throw forbidden('月结（须系统管理员）');
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw badInput('month', `月份格式应为 YYYY-MM：${month}`);
  const cutoff = monthCutoff(month);
  if (cutoff > clock.now().toJSDate()) throw badInput('month', `${month} 尚未结束，不能月结`);
  return db.transaction(async (tx) => {
    await tx.execute(sql`LOCK TABLE movements, documents IN SHARE ROW EXCLUSIVE MODE`);
    const [last] = await tx.select().from(periodCloses).orderBy(desc(periodCloses.month)).limit(1);
    const first = `${month}-01`;
    if (last && String(last.month) >= first) throw invalidState(`${month} 已月结（已结至 ${String(last.month).slice(0, 7)}）`, { field: 'month' });
    if (last) {
      const expected = DateTime.fromISO(String(last.month)).plus({ months: 1 }).toISODate();
      if (expected !== first) throw invalidState(`须按月顺序月结：下一个待结月份是 ${expected!.slice(0, 7)}`, { field: 'month' });
    }
    if (!last) await assertFirstCloseStartsTheBooks(tx, month, clock.now().setZone(ZONE).toFormat('yyyy-LL'));
    await assertNothingPending(tx, month, cutoff);
    const [row] = await tx.insert(periodCloses).values({ month: first, cutoff, closedBy: user.id, closedAt: clock.now().toJSDate() }).returning();
    // Snapshot = previous snapshot + movements dated in (previous cutoff, this cutoff]: the cutoff instant is this month's.
    await tx.execute(
      plannedEachTime(sql`INSERT INTO balance_snapshots (month, store_id, batch_id, on_hand, in_transit)
          SELECT ${first}::date, store_id, batch_id, sum(on_hand)::int, sum(in_transit)::int FROM (
            SELECT store_id, batch_id, on_hand, in_transit FROM balance_snapshots WHERE month = ${last ? String(last.month) : null}::date
            UNION ALL
            SELECT store_id, batch_id,
                   CASE WHEN bucket = 'ON_HAND' THEN quantity ELSE 0 END, CASE WHEN bucket = 'IN_TRANSIT' THEN quantity ELSE 0 END
              FROM movements
             WHERE occurred_at <= ${cutoff.toISOString()}::timestamptz
               AND (${last ? last.cutoff.toISOString() : null}::timestamptz IS NULL OR occurred_at > ${last ? last.cutoff.toISOString() : null}::timestamptz)
          ) x GROUP BY store_id, batch_id HAVING sum(on_hand) <> 0 OR sum(in_transit) <> 0`),
    );
    return row;
  });
}

/** How far a first close may go back before the books begin (the earliest movement's month, else the current one). */
const FIRST_CLOSE_BACK_MONTHS = 12;

/**
 * The first close sets the start of the books for good (nothing reopens a close, and months close in order after it):
 * it may go back at most FIRST_CLOSE_BACK_MONTHS before the month of the earliest movement (the current month while
 * nothing is booked), so that a typo such as 1999-01 does not leave every month since to be closed one by one. Read
 * under the table lock, so no movement is written meanwhile.
 */
async function assertFirstCloseStartsTheBooks(tx: Db, month: string, currentMonth: string): Promise<void> {
  const [first] = await queryRows<{ epoch: number | string | null }>(tx, sql`SELECT extract(epoch FROM min(occurred_at))::float8 AS epoch FROM movements`);
  const booksBegin =
    first?.epoch === null || first?.epoch === undefined ? currentMonth : DateTime.fromSeconds(Number(first.epoch), { zone: ZONE }).toFormat('yyyy-LL');
  const limit = DateTime.fromISO(`${booksBegin}-01`).minus({ months: FIRST_CLOSE_BACK_MONTHS }).toFormat('yyyy-LL');
  if (month < limit) {
    throw badInput('month', `最早业务月份为 ${booksBegin}，首次月结不能早于 ${limit}（最多往前 ${FIRST_CLOSE_BACK_MONTHS} 个月）`, { earliestMonth: limit });
  }
}

const NAMED = 5;

/** D27: refuses the close while a document dated up to the cutoff (included) awaits approval (see closePeriod). */
async function assertNothingPending(tx: Db, month: string, cutoff: Date): Promise<void> {
  const pending = await queryRows<{ id: string; number: string; approval_id: string | null }>(
    tx,
    sql`SELECT d.id, d.number, a.id AS approval_id
          FROM documents d LEFT JOIN approvals a ON a.subject_id = d.id AND a.status = 'PENDING'
         WHERE d.status = 'PENDING_APPROVAL' AND d.occurred_at <= ${cutoff.toISOString()}::timestamptz
         ORDER BY d.occurred_at, d.number`,
  );
  if (!pending.length) return;
  const numbers = pending.slice(0, NAMED).map((d) => d.number);
  const named = numbers.join('、') + (pending.length > NAMED ? ' 等' : '');
  throw invalidState(`${month} 及以前还有 ${pending.length} 张单据待审批（${named}），须先审批通过或驳回，才能月结`, {
    field: 'month',
    pendingCount: pending.length,
    documentIds: pending.map((d) => d.id),
    approvalIds: pending.flatMap((d) => (d.approval_id ? [d.approval_id] : [])),
  });
}

export const listPeriodCloses = (db: Db) => db.select().from(periodCloses).orderBy(desc(periodCloses.month));
