import { sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { queryRows } from '../../drizzle/client.ts';
import { plannedEachTime } from '../../drizzle/prepared-statements.ts';
import { type Principal } from '../auth/principal.ts';
import { chinaText, ZONE } from '../clock.ts';
import { badInput, forbidden } from '../errors.ts';
import { formatFen, formatMoney, toFen } from '../money.ts';
import { readablePrefix } from '../regions/service.ts';
import { countedAndDeliveredJoin } from '../reserves/agreements.ts';
import type { ServiceContext } from '../context.ts';
import { companyOwnedSql, heldReserveModeSql } from '../inventory/reserve-mode.ts';

export const DIMENSIONS = ['REGION', 'STORE', 'CATEGORY', 'ITEM', 'RESERVE_MODE', 'FUNDING_SOURCE'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** D21: the key (in every dimension) of the group that holds stock in transit. */
export const IN_TRANSIT_KEY = '在途';
export const isInTransitGroup = (g: { key: readonly string[] }) => g.key.every((k) => k === IN_TRANSIT_KEY);

export interface ValuationGroup {
  key: string[];
  quantity: number;
  value: string;
  inTransitQuantity: number;
  inTransitValue: string;
}

export interface ValuationResult {
  asOf: Date;
  regionCode: string | null;
  total: string;
  onHand: string;
  inTransit: string;
  contingentAgreementValue: string;
  contingentCapacityValue: string;
  feesAccrued: string;
  companyStock: string;
  feesFrom: string;
  snapshotMonth: string | null;
  /** The dimensions each group's key is of, in key order (groupBy, each named once). */
  dimensions: Dimension[];
  groups: ValuationGroup[];
}

/** Who reads value: auditors, administrators and dispatchers in their region; keepers do not. */
export function assertFinanceReader(user: Principal) {
  if (user.role === 'KEEPER') throw forbidden('财务数据');
}

/**
 * D21 (sweep 22b F3): fees accrue over the China days from feesFrom up to the instant; a feesFrom after the instant's
 * China date is an inverted period — a typing mistake, not "no fees owed" (it would read 0.00). Refused at `feesFrom`
 * as the journal refuses a `to` before its `from` (assertPeriodOrder). feesFrom on that date itself is an empty period
 * (no whole day yet), as from = to is one instant. The one check of the valuation query and its export (both call
 * valuation()).
 */
function assertFeePeriodOrder(feesFrom: string | null | undefined, asOf: Date): void {
  if (!feesFrom || feesFrom <= DateTime.fromJSDate(asOf).setZone(ZONE).toISODate()!) return;
  throw badInput('feesFrom', `估值时点 ${chinaText(asOf)} 早于计费起始日期 ${feesFrom}，请检查期间`, { feesFrom, asOf: asOf.toISOString() });
}

/**
 * D21: the exact value of (government-owned, public) reserves at an instant, from the ledger — the latest monthly
 * snapshot at or before it (which holds what is dated up to and including its cutoff, D22/D31: server/audit/periods.ts)
 * plus the movements dated after that cutoff up to and including the instant (by business time). Σ quantity × batch unit price,
 * grouped; in-transit stock included and shown apart; agreement and capacity reserves shown apart as contingent
 * value; agreement fees accrued from the start of the year (or `feesFrom`) to the instant.
 */
export async function valuation(
  ctx: ServiceContext,
  args: { asOf?: Date | null; regionCode?: string | null; groupBy?: Dimension[] | null; feesFrom?: string | null },
): Promise<ValuationResult> {
  const { db, actor: user, clock } = ctx;
  assertFinanceReader(user);
  const asOf = args.asOf ?? clock.now().toJSDate();
  if (asOf > clock.now().toJSDate()) throw badInput('asOf', '估值时点不能晚于当前时间');
  assertFeePeriodOrder(args.feesFrom, asOf);
  const prefix = await readablePrefix(db, user, args.regionCode);
  const regionCode = args.regionCode ? prefix.padEnd(12, '0') : null;
  // REGION groups are the regions one level below the one read.
  const childLength = prefix ? ({ 2: 4, 4: 6, 6: 9, 9: 12, 12: 12 }[prefix.length] ?? 12) : 2;
  const groupBy = [...new Set(args.groupBy ?? [])];

  const [snap] = await queryRows<{ month: string | null; cutoff: string | null }>(
    db,
    sql`SELECT month::text, cutoff FROM period_closes WHERE cutoff <= ${asOf.toISOString()}::timestamptz ORDER BY month DESC LIMIT 1`,
  );
  const keyColumns: Record<Dimension, SQL> = {
    REGION: sql`rpad(substr(s.region_code, 1, ${childLength}), 12, '0')`,
    STORE: sql`s.id::text`,
    CATEGORY: sql`i.category_code`,
    ITEM: sql`i.id::text`,
    RESERVE_MODE: heldReserveModeSql(sql`b.reserve_mode`, sql`s.kind`), // D6: where it is held (reserve-mode.ts)
    FUNDING_SOURCE: sql`b.funding_source::text`,
  };
  const keys = groupBy.map((d, n) => sql`${keyColumns[d]} AS k${sql.raw(String(n))}`);
  const keyList = keys.length ? sql`${sql.join(keys, sql`, `)},` : sql``;
  const withItems = groupBy.includes('CATEGORY') || groupBy.includes('ITEM');
  const withBatches = groupBy.includes('RESERVE_MODE') || groupBy.includes('FUNDING_SOURCE');
  const inRegion = sql`s.region_code LIKE ${`${prefix}%`}`;
  // The quantities held at the instant: the snapshot's rows, then each movement after its cutoff, row by row (a sum
  // distributes over them, so nothing is netted per batch first). A snapshot row is valued at its batch's unit cost;
  // a movement carries that cost itself (posting copies it from the batch, and batches are never repriced, D22 —
  // checkLedger holds it), so the ledger's bulk needs no join with batches unless a batch dimension groups it.
  // D21, D6, D3: the value of public reserves is government-owned stock (实物储备, 企业代储). A company's own stock
  // (协议储备, reserve mode AGREEMENT — the mode follows the owner, reserve-mode.ts) is the company's
  // property: it stays out of the total and of every group; agreement reserves are shown apart, as contingent value,
  // and the company stock the ledger records (in the company's own store, which the journal lists) as companyStock —
  // so that the journal's money over a period equals the change of total plus companyStock (sweep 8a F3).
  // The snapshot rows and the movements after it are marked alike (company: a batch of a company's own), so the snapshot
  // path equals the full replay; the movements' mark is a hashed set of the few company batches, so the ledger's bulk
  // still needs no join — and one scan gives both the public sums (FILTER NOT company) and companyStock.
  const companyBatch = sql`(SELECT cb.id FROM batches cb WHERE ${companyOwnedSql(sql`cb.reserve_mode`)})`;
  const parts: SQL[] = [];
  if (snap) {
    parts.push(sql`SELECT ${keyList} x.on_hand, x.on_hand * b.unit_price AS value, x.in_transit, x.in_transit * b.unit_price AS in_transit_value,
                          ${companyOwnedSql(sql`b.reserve_mode`)} AS company
      FROM balance_snapshots x JOIN stores s ON s.id = x.store_id JOIN batches b ON b.id = x.batch_id
           ${withItems ? sql`JOIN items i ON i.id = b.item_id` : sql``}
     WHERE x.month = ${snap.month}::date AND ${inRegion}`);
  }
  const onHandQty = sql`CASE WHEN m.bucket = 'ON_HAND' THEN m.quantity ELSE 0 END`;
  const inTransitQty = sql`CASE WHEN m.bucket = 'IN_TRANSIT' THEN m.quantity ELSE 0 END`;
  parts.push(sql`SELECT ${keyList} ${onHandQty} AS on_hand, ${onHandQty} * m.unit_price AS value, ${inTransitQty} AS in_transit, ${inTransitQty} * m.unit_price AS in_transit_value,
                        m.batch_id IN ${companyBatch} AS company
      FROM movements m JOIN stores s ON s.id = m.store_id
           ${withItems ? sql`JOIN items i ON i.id = m.item_id` : sql``}
           ${withBatches ? sql`JOIN batches b ON b.id = m.batch_id` : sql``}
     WHERE ${snap ? sql`m.occurred_at > ${new Date(snap.cutoff!).toISOString()}::timestamptz AND ` : sql``}m.occurred_at <= ${asOf.toISOString()}::timestamptz
       AND ${inRegion}`);
  const positions = sql.join(
    groupBy.map((_, n) => sql.raw(String(n + 1))),
    sql`, `,
  );
  const pub = sql`FILTER (WHERE NOT q.company)`;
  const rows = await queryRows<Record<string, unknown>>(
    db,
    plannedEachTime(sql`SELECT ${sql.raw(groupBy.map((_, n) => `q.k${n}, `).join(''))}
               COALESCE(sum(q.on_hand) ${pub}, 0)::bigint AS quantity, COALESCE(sum(q.value) ${pub}, 0)::text AS value,
               COALESCE(sum(q.in_transit) ${pub}, 0)::bigint AS in_transit_quantity, COALESCE(sum(q.in_transit_value) ${pub}, 0)::text AS in_transit_value,
               COALESCE(sum(q.value + q.in_transit_value) FILTER (WHERE q.company), 0)::text AS company_value
          FROM (${sql.join(parts, sql` UNION ALL `)}) q
         ${
           // A group is read while it holds something, public or the company's (companyStock adds up the latter).
           keys.length
             ? sql`GROUP BY ${positions} HAVING sum(q.on_hand) <> 0 OR sum(q.in_transit) <> 0 OR sum(q.value) <> 0 OR sum(q.in_transit_value) <> 0
                   ORDER BY ${positions}`
             : sql``
         }`),
  );
  // A group is listed while it holds public stock (on hand or on its way); one of company stock only is not.
  const holdsPublic = (r: Record<string, unknown>) =>
    Number(r.quantity) !== 0 ||
    Number(r.in_transit_quantity) !== 0 ||
    toFen(formatMoney(String(r.value))) !== 0n ||
    toFen(formatMoney(String(r.in_transit_value))) !== 0n;
  const groups = keys.length
    ? rows.filter(holdsPublic).map((r) => ({
        key: groupBy.map((_, n) => String(r[`k${n}`])),
        quantity: Number(r.quantity),
        value: formatMoney(String(r.value ?? '0')),
        inTransitQuantity: Number(r.in_transit_quantity),
        inTransitValue: formatMoney(String(r.in_transit_value ?? '0')),
      }))
    : [];
  const sumFen = (f: (r: Record<string, unknown>) => unknown) => rows.reduce((s, r) => s + toFen(formatMoney(String(f(r) ?? '0'))), 0n);
  const onHand = sumFen((r) => r.value);
  const inTransit = sumFen((r) => r.in_transit_value);
  // D21: in every grouping the groups add up to the total — stock in transit is a group of its own, 在途 (a key's
  // inTransitQuantity/inTransitValue say how much of it is on its way there, already counted in 在途).
  const inTransitQuantity = rows.reduce((s, r) => s + Number(r.in_transit_quantity), 0);
  if (keys.length && (inTransit !== 0n || inTransitQuantity !== 0)) {
    groups.push({
      key: groupBy.map(() => IN_TRANSIT_KEY),
      quantity: inTransitQuantity,
      value: formatFen(inTransit),
      inTransitQuantity: 0,
      inTransitValue: '0.00',
    });
  }

  // Contingent reserves and fees: agreements of the region valid at the instant (D6, D21); an agreement line counts as
  // its effective quantity on that day (server/reserves/rules.ts effectiveCommitted, the same rule in SQL).
  const day = DateTime.fromJSDate(asOf).setZone(ZONE).toISODate()!;
  // The day in force at the instant, by the ledger's convention (periods.ts): 00:00 is 24:00 of the day before, so a
  // month's cutoff is that month's last instant, and an agreement or spot check dated the 1st does not move the month
  // before's last value — read the China day of the instant a millisecond earlier. A call-off delivery is not dated
  // but timed: it counts from its receipt's instant, as the ledger counts its goods (countedAndDeliveredJoin). Fees need
  // no such step: they count the days completed by the instant, up to `day` exclusive.
  const inForce = DateTime.fromJSDate(asOf).setZone(ZONE).minus({ milliseconds: 1 }).toISODate()!;
  // The fee year is the one the instant ends (sweep 18c F6): 12-31 24:00 is the year's last instant — the year-end
  // report's — and shows its whole year's fees, not the next year's none.
  const feesFrom = args.feesFrom ?? `${inForce.slice(0, 4)}-01-01`;
  // D21 (DOMAIN says no more than "with their fees"): a fee accrues per day elapsed, not per day started — the whole
  // China days completed by the instant, from the later of the agreement's start and feesFrom, up to the end of its
  // last day. At 2025-02-01T00:00+08:00 an agreement valid from 2025-01-01 has accrued 31 days; the asOf day itself
  // counts once it is over. A day is the annual fee ÷ the days of its year (sweep 12c C13), so a whole calendar year
  // accrues exactly the annual fee, leap or not, and days of several years add up their years' parts. A day weighs
  // 366 × 365 ÷ the days of its year (366 in a common year, 365 in a leap one) of 133,590 parts: integers, so the
  // share of the annual fee is exact and is rounded to the fen once per agreement.
  const feeParts = sql`(SELECT COALESCE(sum(GREATEST(0, LEAST(p.till, make_date(y + 1, 1, 1)) - GREATEST(p.since, make_date(y, 1, 1)))
                                            * (133590 / (make_date(y + 1, 1, 1) - make_date(y, 1, 1)))), 0)
                          FROM (SELECT GREATEST(valid_from, ${feesFrom}::date) AS since, LEAST(valid_to + 1, ${day}::date) AS till) p,
                               generate_series(extract(year FROM p.since)::int, extract(year FROM p.till)::int) y)`;
  const [contingent] = await queryRows<{ agreement: string | null; capacity: string | null; fees: string | null }>(
    db,
    sql`WITH a AS (SELECT * FROM agreements WHERE region_code LIKE ${`${prefix}%`}),
             lines AS (
               SELECT a.mode, l.quantity, l.daily_capacity, l.unit_price, lc.last_counted, dl.delivered_since
                 FROM a JOIN agreement_lines l ON l.agreement_id = a.id ${countedAndDeliveredJoin({ day: inForce, instant: asOf })}
                WHERE a.valid_from <= ${inForce}::date AND a.valid_to >= ${inForce}::date)
        SELECT (SELECT sum(GREATEST(0, LEAST(quantity, COALESCE(last_counted, quantity)) - delivered_since) * unit_price)
                  FROM lines WHERE mode = 'AGREEMENT')::text AS agreement,
               (SELECT sum(daily_capacity * unit_price * 1) FROM lines WHERE mode = 'CAPACITY')::text AS capacity,
               (SELECT sum(round(annual_fee * ${feeParts} / 133590.0, 2))
                  FROM a WHERE annual_fee IS NOT NULL)::text AS fees`,
  );
  const companyStock = sumFen((r) => r.company_value);
  return {
    asOf,
    regionCode,
    total: formatFen(onHand + inTransit),
    onHand: formatFen(onHand),
    inTransit: formatFen(inTransit),
    contingentAgreementValue: formatMoney(contingent.agreement ?? '0'),
    contingentCapacityValue: formatMoney(contingent.capacity ?? '0'),
    feesAccrued: formatMoney(contingent.fees ?? '0'),
    companyStock: formatFen(companyStock),
    feesFrom,
    snapshotMonth: snap?.month ? String(snap.month).slice(0, 7) : null,
    dimensions: groupBy,
    groups,
  };
}
