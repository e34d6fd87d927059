import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { queryRows } from '../../drizzle/client.ts';
import { userId } from '../../seeds/demo.ts';
import { itemId } from '../../seeds/reference.ts';
import { useTestApp } from '../support/harness.ts';
import { receive, WEIHUI } from '../support/ledger.ts';
import { ok } from '../support/ledger-ops.ts';
import { download, JOURNAL_HEADINGS, openWorkbook, parseCsv } from '../support/paperwork.ts';

// D21, D22, D31 (sweep 16c F1): a date alone has one meaning in every export. As an end (valuation `asOf`, journal
// `to`) it is the end of that China day — 24:00, i.e. 00:00 of the next day, that instant included, as 月结 gives the
// instant 00:00 on the 1st to the closed month; as a start (`from`) 00:00 of the day, the instant excluded — the
// period is (from, to]. So the closing value of one day plus the next days' journal is the closing value of the last:
// valuation(asOf=10-31) + journal(from=11-01, to=11-30) = valuation(asOf=11-30). (Before, `asOf=D` was 00:00 of D
// and `to=D` D 23:59:59.999999: the movement at 00:00 on 1 December, November's, was in no November journal.)
// F7: an export's 编制单位 names the scope its figures cover — a keeper's stores, the store it is filtered to.

const t = useTestApp({ resetClock: true });
const BOAT = itemId('FLD-023'); // 抢险指挥艇: only this file receives it
const TODAY = '2026-12-06T15:42:00Z'; // 23:42 China time on 6 December
const cents = (v: string) => Math.round(Number(v) * 100);

/** The valuation's 合计 (在库金额) for 卫辉市, by groupBy ITEM, in fen; and the CSV's rows. */
async function valuationTotal(asOf?: string): Promise<number> {
  const res = await download(t, '/exports/valuation.csv', 'auditor', { regionCode: '410781', groupBy: 'ITEM', ...(asOf ? { asOf } : {}) });
  expect(res.status, res.text).toBe(200);
  const total = parseCsv(res.text).find((r) => r[0] === '合计')!;
  return cents(total[2]);
}

/** The journal's amounts of the boat at 卫辉市救灾物资储备库 for a period, by 批号. */
async function journalOf(query: Record<string, string>): Promise<Map<string, number>> {
  const res = await download(t, '/exports/journal.csv', 'auditor', { storeId: WEIHUI, itemId: BOAT, ...query });
  expect(res.status, res.text).toBe(200);
  const [head, ...rows] = parseCsv(res.text);
  expect(head).toEqual(JOURNAL_HEADINGS);
  return new Map(rows.map((r) => [r[JOURNAL_HEADINGS.indexOf('批号')], cents(r[JOURNAL_HEADINGS.indexOf('金额（元）')])]));
}

/** The title block's 期间 and 编制单位 of an xlsx export. */
async function titleOf(path: string, as: string, query: Record<string, string>): Promise<{ unit: string; period: string }> {
  const res = await download(t, path, as, query);
  expect(res.status, String(res.body)).toBe(200);
  const ws = await openWorkbook(res.body as Buffer);
  const texts = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((c) => String(ws.getRow(2).getCell(c).value ?? ''));
  return { unit: texts.find((s) => s.startsWith('编制单位：'))!.slice(5), period: texts.find((s) => s.startsWith('期间：'))!.slice(3) };
}

describe('D21, D22 (sweep 16c F1): a date alone means one thing in every export — as an end, the end of the day (24:00)', () => {
  it('D21, D22, D31: valuation(asOf=10-31) + journal(from=11-01, to=11-30) = valuation(asOf=11-30), with movements exactly at the 00:00 boundaries', async () => {
    t.clock.set(TODAY);
    // One boat each, in 卫辉市: at 00:00 on 1 November (October's end), just after it, at the end of 30 November, at
    // 00:00 on 1 December (November's end) and half an hour later.
    const at = {
      'S16-BND-A': ['2026-11-01T00:00:00+08:00', '444.44'],
      'S16-BND-B': ['2026-11-01T00:00:00.001+08:00', '555.55'],
      'S16-BND-C': ['2026-11-30T23:59:59+08:00', '111.11'],
      'S16-BND-D': ['2026-12-01T00:00:00+08:00', '333.33'],
      'S16-BND-E': ['2026-12-01T00:30:00+08:00', '222.22'],
    };
    for (const [batchNo, [occurredAt, unitPrice]] of Object.entries(at)) {
      await receive(t, 'keeper', WEIHUI, [{ itemId: BOAT, quantity: 1, batchNo, unitPrice, expiryDate: '2040-01-01' }], { occurredAt });
    }

    const october = await valuationTotal('2026-10-31');
    const november = await valuationTotal('2026-11-30');
    const period = await journalOf({ from: '2026-11-01', to: '2026-11-30' });
    // November is B, C and D: A is October's end, E December's.
    expect([...period.keys()].sort()).toEqual(['S16-BND-B', 'S16-BND-C', 'S16-BND-D']);
    const moved = [...period.values()].reduce((s, v) => s + v, 0);
    expect(moved).toBe(99999);
    expect(october + moved).toBe(november);
    // A date alone and the instant it stands for are the same figures: 10-31 is 2026-11-01T00:00+08:00, included.
    expect(await valuationTotal('2026-11-01T00:00:00+08:00')).toBe(october);
    expect(await valuationTotal('2026-12-01T00:00:00+08:00')).toBe(november);
    // The next day's journal starts after November's end: D is not in it, E is.
    expect([...(await journalOf({ from: '2026-12-01', to: '2026-12-01' })).keys()]).toEqual(['S16-BND-E']);
    expect((await valuationTotal('2026-12-01')) - november).toBe(22222);

    // The title block says the instant used, in one way: a day's end is its 24:00; the start's own instant is excluded.
    expect((await titleOf('/exports/valuation.xlsx', 'auditor', { regionCode: '410781', groupBy: 'ITEM', asOf: '2026-11-30' })).period).toBe(
      '截至 2026-11-30 24:00',
    );
    expect((await titleOf('/exports/journal.xlsx', 'auditor', { storeId: WEIHUI, from: '2026-11-01', to: '2026-11-30' })).period).toBe(
      '2026-11-01 00:00 后至 2026-11-30 24:00',
    );
    const file = await download(t, '/exports/valuation.csv', 'auditor', { regionCode: '410781', asOf: '2026-11-30' });
    expect(file.headers['content-disposition']).toContain('valuation-20261130-2400.csv');
    // A browser's download link carries the date as it is, and means the same.
    const link = ok(
      await t.gql(
        `mutation($p: String!) { createDownloadLink(path: $p) { url } }`,
        { p: '/exports/valuation.xlsx?regionCode=410781&asOf=2026-11-30' },
        'auditor',
      ),
    ).createDownloadLink;
    const linked = await download(t, link.url);
    expect(linked.status).toBe(200);
    expect(String((await openWorkbook(linked.body as Buffer)).getRow(2).values)).toContain('期间：截至 2026-11-30 24:00');
  });

  it('D21: today’s end has not come: valuation(asOf=today) is the value now, the journal up to now — and the title block says so', async () => {
    t.clock.set(TODAY);
    await receive(t, 'keeper', WEIHUI, [{ itemId: BOAT, quantity: 1, batchNo: 'S16-TODAY', unitPrice: '77.77', expiryDate: '2040-01-01' }], {
      occurredAt: '2026-12-06T08:00:00+08:00',
    });
    // Not refused as a time after now; the same figures as without asOf, including today's receipt.
    expect(await valuationTotal('2026-12-06')).toBe(await valuationTotal());
    expect((await valuationTotal('2026-12-06')) - (await valuationTotal('2026-12-05'))).toBe(7777);
    expect((await journalOf({ from: '2026-12-06', to: '2026-12-06' })).get('S16-TODAY')).toBe(7777);
    expect((await titleOf('/exports/valuation.xlsx', 'auditor', { regionCode: '410781', asOf: '2026-12-06' })).period).toBe('截至 2026-12-06 23:42');
    expect((await titleOf('/exports/journal.xlsx', 'auditor', { from: '2026-12-06', to: '2026-12-06' })).period).toBe('2026-12-06 00:00 后至 2026-12-06 23:42');
  });

  it('D22: a to-date before the from-date is refused at `to`, by the dates; a date-time keeps its own instant', async () => {
    const res = await download(t, '/exports/journal.csv', 'auditor', { from: '2026-07-20', to: '2026-07-19' });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to', message: '截止日期 2026-07-19 早于起始日期 2026-07-20，请检查期间' });
    const mixed = await download(t, '/exports/journal.csv', 'auditor', { from: '2026-07-20T12:00:00+08:00', to: '2026-07-19' });
    expect(mixed.status, mixed.text).toBe(400);
    expect(mixed.body.error.message).toBe('截止时间 2026-07-19 24:00 早于起始时间 2026-07-20 12:00，请检查期间');
    // A full instant as the end: as given, to the second.
    expect((await titleOf('/exports/journal.xlsx', 'auditor', { from: '2026-07-01T00:00:00+08:00', to: '2026-07-19T23:59:59+08:00' })).period).toBe(
      '2026-07-01 00:00 后至 2026-07-19 23:59:59',
    );
  });
});

describe('D21, D22 (sweep 16c F7): 编制单位 names the scope the figures cover', () => {
  it('D22: a keeper’s list names the keeper’s stores, not the region asked for; a list filtered to a store names that store', async () => {
    const stores = await queryRows<{ name: string }>(
      t.database.db,
      sql`SELECT s.name FROM user_stores us JOIN stores s ON s.id = us.store_id WHERE us.user_id = ${userId('keeper')}::uuid ORDER BY s.code`,
    );
    const keeperStores = stores.map((s) => s.name).join('、');
    const [weihui] = await queryRows<{ name: string }>(t.database.db, sql`SELECT name FROM stores WHERE id = ${WEIHUI}::uuid`);
    expect((await titleOf('/exports/stock.xlsx', 'keeper', { regionCode: '410700' })).unit).toBe(keeperStores);
    expect((await titleOf('/exports/rotation-due.xlsx', 'keeper', { regionCode: '410700' })).unit).toBe(keeperStores);
    expect((await titleOf('/exports/stock.xlsx', 'keeper', { storeId: WEIHUI })).unit).toBe(weihui.name);
    expect((await titleOf('/exports/stock.xlsx', 'auditor', { storeId: WEIHUI })).unit).toBe(weihui.name);
    expect((await titleOf('/exports/journal.xlsx', 'auditor', { storeId: WEIHUI })).unit).toBe(weihui.name);
    // A region's own figures name the region, as before.
    expect((await titleOf('/exports/stock.xlsx', 'auditor', { regionCode: '410781' })).unit).toBe('卫辉市');
    expect((await titleOf('/exports/valuation.xlsx', 'auditor', {})).unit).toBe('新乡市');
  });

  it('D10, D26 (sweep 25a F4): 轮换到期’s 期间 says what it lists — by 应轮换日期, that day included, overdue and expired with it — not 「个月内到期」', async () => {
    t.clock.set(TODAY); // 6 December, China time
    expect((await titleOf('/exports/rotation-due.xlsx', 'auditor', { regionCode: '410700', withinMonths: '12' })).period).toBe(
      '应轮换日期不晚于 2027-12-06（含已逾期、已过期批次）',
    );
    expect((await titleOf('/exports/rotation-due.xlsx', 'auditor', { regionCode: '410700', withinMonths: '0' })).period).toBe(
      '应轮换日期不晚于 2026-12-06（含已逾期、已过期批次）',
    );
  });
});
