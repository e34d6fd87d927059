import { sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { queryRows, type Db } from '../../drizzle/client.ts';
import { ZONE } from '../clock.ts';
import { badInput } from '../errors.ts';

/**
 * D21, D22, D31 (sweep 12c C2): a closed month's figures never change — its ledger part, which the period guard keeps
 * (assert_open_period, migrations 0029/0031: an entry dated at or before the latest cutoff is refused PERIOD_CLOSED),
 * and its agreement part alike. Valuation reads an agreement's contingent value and fees, and a spot check's count, by
 * date (server/audit/valuation.ts), so an agreement in force from a day of a closed month, or a check dated in one,
 * would re-state that month. Such a date is refused with the ledger's reason. A day is a closed month's when its end
 * (24:00, the next day's 00:00) is at or before the latest cutoff — as an entry dated at the cutoff is the closed
 * month's — so the earliest date allowed is the cutoff's own date, the first day after the close.
 *
 * Run inside the transaction that writes: period closes are locked in share mode, so a close in flight is waited for
 * (and then refuses the date), and a close started meanwhile waits for this write (closePeriod's insert) — a month is
 * never closed under an agreement or check being written into it.
 */
export async function assertAfterClosedMonths(
  tx: Db,
  date: string,
  field: string,
  subject: string,
  unchanged: string,
  /** Days after `date` its effect begins: an agreement ended on a date still binds that day (endAgreement: 1). */
  effectAfterDays = 0,
): Promise<void> {
  await tx.execute(sql`LOCK TABLE period_closes IN SHARE MODE`);
  const [last] = await queryRows<{ month: string; cutoff: Date | string }>(tx, sql`SELECT month::text, cutoff FROM period_closes ORDER BY cutoff DESC LIMIT 1`);
  if (!last) return;
  const earliest = DateTime.fromJSDate(new Date(last.cutoff)).setZone(ZONE).minus({ days: effectAfterDays }).toISODate()!;
  if (date >= earliest) return;
  const closedMonth = last.month.slice(0, 7);
  throw badInput(field, `${subject} ${date} 在已月结的期间内（已结账至 ${closedMonth}），${unchanged}：最早可填 ${earliest}`, {
    reason: 'PERIOD_CLOSED',
    closedMonth,
    earliestDate: earliest,
  });
}
