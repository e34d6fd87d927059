import { desc, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import type { Db } from '../../drizzle/client.ts';
import { plannedEachTime } from '../../drizzle/prepared-statements.ts';
import { periodCloses } from '../../drizzle/schema/index.ts';
import { forbidden, badInput, invalidState } from '../errors.ts';
import { ZONE } from '../clock.ts';
import type { ServiceContext } from '../context.ts';

export type PeriodCloseRow = typeof periodCloses.$inferSelect;

/** The end of a month, as an instant: 00:00 Asia/Shanghai on the first of the next month. */
export const monthCutoff = (month: string) => DateTime.fromISO(`${month}-01`, { zone: ZONE }).plus({ months: 1 }).toUTC().toJSDate();

/**
 * 月结: closing a month stores its balance snapshot (the previous snapshot plus the month's movements, by business
 * time) and from then on refuses entries dated before its end. Months close in order; only past months close.
 * The table lock waits for posts in flight and holds new ones back until the snapshot is taken.
 */
export async function closePeriod(ctx: ServiceContext, month: string): Promise<PeriodCloseRow> {
  const { db, actor: user, clock } = ctx;
  if (user.role !== 'ADMIN' || user.regionCode) throw forbidden('月结（须系统管理员）');
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw badInput('month', `月份格式应为 YYYY-MM：${month}`);
  const cutoff = monthCutoff(month);
  if (cutoff > clock.now().toJSDate()) throw badInput('month', `${month} 尚未结束，不能月结`);
  return db.transaction(async (tx) => {
    await tx.execute(sql`LOCK TABLE movements IN SHARE ROW EXCLUSIVE MODE`);
    const [last] = await tx.select().from(periodCloses).orderBy(desc(periodCloses.month)).limit(1);
    const first = `${month}-01`;
    if (last && String(last.month) >= first) throw invalidState(`${month} 已月结（已结至 ${String(last.month).slice(0, 7)}）`);
    if (last) {
      const expected = DateTime.fromISO(String(last.month)).plus({ months: 1 }).toISODate();
      if (expected !== first) throw invalidState(`须按月顺序月结：下一个待结月份是 ${expected!.slice(0, 7)}`);
    }
    const [row] = await tx.insert(periodCloses).values({ month: first, cutoff, closedBy: user.id, closedAt: clock.now().toJSDate() }).returning();
    // Snapshot = previous snapshot + movements dated in (previous cutoff, this cutoff].
    await tx.execute(
      plannedEachTime(sql`INSERT INTO balance_snapshots (month, store_id, batch_id, on_hand, in_transit)
          SELECT ${first}::date, store_id, batch_id, sum(on_hand)::int, sum(in_transit)::int FROM (
            SELECT store_id, batch_id, on_hand, in_transit FROM balance_snapshots WHERE month = ${last ? String(last.month) : null}::date
            UNION ALL
            SELECT store_id, batch_id,
                   CASE WHEN bucket = 'ON_HAND' THEN quantity ELSE 0 END, CASE WHEN bucket = 'IN_TRANSIT' THEN quantity ELSE 0 END
              FROM movements
             WHERE occurred_at < ${cutoff.toISOString()}::timestamptz
               AND (${last ? last.cutoff.toISOString() : null}::timestamptz IS NULL OR occurred_at >= ${last ? last.cutoff.toISOString() : null}::timestamptz)
          ) x GROUP BY store_id, batch_id HAVING sum(on_hand) <> 0 OR sum(in_transit) <> 0`),
    );
    return row;
  });
}

export const listPeriodCloses = (db: Db) => db.select().from(periodCloses).orderBy(desc(periodCloses.month));
